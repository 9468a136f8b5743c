/**
 * A vault's network rules, shaped like ARM's `networkAcls` and `publicNetworkAccess`, so the
 * firewall fault and an ARM surface can drive the same state.
 */
import { isIpv4, isIpv4Range } from './faults';

export class FirewallState {
  /** `Deny` makes the rules apply, and `Allow` lets every address through. */
  defaultAction: 'Allow' | 'Deny' = 'Allow';
  /** `Disabled` denies every address, whatever the rules contain. */
  publicNetworkAccess: 'Enabled' | 'Disabled' = 'Enabled';
  /** Allowed IPv4 addresses and CIDR ranges. */
  ipRules: string[] = [];
  /**
   * The address the vault judges every client by. All clients connect from 127.0.0.1, so tests set
   * the address the service would get. `undefined` means the socket's own address.
   */
  clientIp?: string;

  /** Applies the fault form: deny by default, allow the given ranges, and pretend `clientIp`. */
  applyFault(clientIp: string, allow: string[]): void {
    this.defaultAction = 'Deny';
    this.ipRules = [...allow];
    this.clientIp = clientIp;
  }

  reset(): void {
    this.defaultAction = 'Allow';
    this.publicNetworkAccess = 'Enabled';
    this.ipRules = [];
    this.clientIp = undefined;
  }

  /** Returns the client address a request is judged by. */
  effectiveAddress(socketAddress: string | undefined): string {
    return this.clientIp ?? normalizeAddress(socketAddress ?? '');
  }

  /** Returns whether a request from `address` passes. */
  allows(address: string): boolean {
    if (this.publicNetworkAccess === 'Disabled') return false;
    if (this.defaultAction === 'Allow') return true;
    return this.ipRules.some((rule) => inRange(address, rule));
  }
}

function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice('::ffff:'.length) : address;
}

function inRange(address: string, rule: string): boolean {
  if (!isIpv4(address) || !isIpv4Range(rule)) return false;
  const [base, bitsText] = rule.split('/');
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (bits === 0) return true;
  const mask = (~0 << (32 - bits)) >>> 0;
  return (toNumber(address) & mask) >>> 0 === (toNumber(base) & mask) >>> 0;
}

function toNumber(address: string): number {
  return address.split('.').reduce((value, part) => ((value << 8) | Number(part)) >>> 0, 0);
}
