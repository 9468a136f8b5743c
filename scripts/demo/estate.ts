/**
 * The demo's secret estate: a few hundred secrets of the kinds a platform team keeps in Key Vault
 * (connection strings, PEM keys, JSON settings, API keys), with tags, content types, expiry, some
 * disabled and some certificate-backed. Values derive from a seed, so a test can rebuild them and
 * check that none of them appears in any output.
 */
import { createHash } from 'node:crypto';

import type { SeedSecret } from '../../emulator/index';

/** The demo's vaults: the primary first, then the secondaries. */
export const DEMO_VAULTS = { primary: 'kv-app-weu', north: 'kv-app-neu', south: 'kv-app-sdc' } as const;

/** Seed of the values when `KVDR_DEMO_SEED` is unset. */
export const DEFAULT_DEMO_SEED = 'kvdr-demo';

/** A value an application writes through the Azure SDK during the demo. */
export interface DemoWrite {
  vault: string;
  name: string;
  value: string;
  contentType?: string;
  tags?: Record<string, string>;
}

/** The secrets seeded before the demo starts, and the values written during it. */
export interface DemoEstate {
  /** Secrets seeded in the primary. */
  primary: SeedSecret[];
  /** Secrets seeded in `kv-app-neu` and soft-deleted there before the first sync. */
  softDeletedInNorth: SeedSecret[];
  /** Secrets seeded in `kv-app-sdc`: a manual copy spelled in other case, and a region-only secret. */
  south: SeedSecret[];
  /** Writes by the applications in step 3: one in the primary just before it fails, then two in a secondary. */
  writes: DemoWrite[];
  /**
   * The random part of every value above. None of these may appear in any output; they are the
   * parts a leak would expose, whereas a whole connection string also contains public text.
   */
  secretParts: string[];
}

const APPS = [
  'orders', 'payments', 'inventory', 'catalog', 'identity', 'notifications', 'search', 'billing',
  'shipping', 'reporting', 'gateway', 'scheduler', 'pricing', 'loyalty', 'returns',
];

const TEAM_OF_APP: Record<string, string> = {
  orders: 'team-checkout', payments: 'team-checkout', billing: 'team-checkout', pricing: 'team-checkout',
  inventory: 'team-fulfilment', shipping: 'team-fulfilment', returns: 'team-fulfilment', scheduler: 'team-fulfilment',
  catalog: 'team-discovery', search: 'team-discovery', loyalty: 'team-discovery',
  identity: 'team-platform', gateway: 'team-platform', notifications: 'team-platform', reporting: 'team-platform',
};

/** Unix seconds of 2026-01-01, the base of the demo's expiry and not-before dates. */
const YEAR_START = 1_767_225_600;
const DAY = 86_400;

/** Builds the estate for `seed`; the same seed gives the same names, properties and values. */
export function buildEstate(seed: string = DEFAULT_DEMO_SEED): DemoEstate {
  const parts: string[] = [];
  const token = (label: string, length = 32): string => {
    // SHA-512 in base64 gives 86 characters before its padding, enough for the longest key here.
    const value = createHash('sha512').update(`${seed}\n${label}`).digest('base64').slice(0, Math.min(length, 86));
    // Short tokens are checked as part of their whole value; alone they could match by chance.
    if (value.length >= 16) parts.push(value);
    return value;
  };

  const primary: SeedSecret[] = [];
  APPS.forEach((app, index) => primary.push(...appSecrets(app, index, token)));
  primary.push(...platformSecrets(token));

  const legacy = primary.find((secret) => secret.name === 'legacy-smtp-password');
  if (legacy === undefined) throw new Error('The primary estate is missing legacy-smtp-password, which the soft-deleted copy in kv-app-neu needs.');
  const softDeletedInNorth: SeedSecret[] = [{ ...legacy, value: `smtp-old-${token('legacy-smtp-password/old')}` }];

  const south: SeedSecret[] = [
    // An operator copied this secret by hand once, spelling the name in lower case. Key Vault
    // names are case-insensitive, so it is the same secret as Gateway-Signing-Key in the primary.
    { name: 'gateway-signing-key', value: `manual-copy-${token('gateway-signing-key/manual')}`, contentType: 'text/plain', tags: { app: 'gateway' } },
    { name: 'sdc-diagnostics-storage-key', value: token('sdc-diagnostics-storage-key', 44), contentType: 'text/plain', tags: { app: 'reporting', region: 'swedencentral' } },
  ];

  const writes: DemoWrite[] = [
    { vault: DEMO_VAULTS.primary, name: 'payments-sql-connection', value: sqlConnection('payments', 'payments_app', token('payments-sql/rotated-in-primary')), contentType: 'text/plain', tags: { app: 'payments', env: 'prod', owner: 'team-checkout', rotation: '90d' } },
    { vault: DEMO_VAULTS.north, name: 'payments-sql-connection', value: sqlConnection('payments', 'payments_app', token('payments-sql/rotated-in-north')), contentType: 'text/plain', tags: { app: 'payments', env: 'prod', owner: 'team-checkout', rotation: '90d' } },
    { vault: DEMO_VAULTS.north, name: 'orders-api-key', value: `or_${token('orders-api/rotated-in-north')}`, contentType: 'text/plain', tags: { app: 'orders', env: 'prod', owner: 'team-checkout', rotation: '90d' } },
  ];
  return { primary, softDeletedInNorth, south, writes, secretParts: parts };
}

type TokenFactory = (label: string, length?: number) => string;

function appSecrets(app: string, index: number, token: TokenFactory): SeedSecret[] {
  const tags = { app, env: 'prod', owner: TEAM_OF_APP[app] ?? 'team-platform' };
  const rotated = { ...tags, rotation: '90d' };
  const expiresOn = YEAR_START + (200 + index * 7) * DAY;
  const secrets: SeedSecret[] = [
    { name: `${app}-sql-connection`, value: sqlConnection(app, `${app}_app`, token(`${app}-sql`)), contentType: 'text/plain', tags: rotated },
    { name: `${app}-sql-readonly-connection`, value: sqlConnection(app, `${app}_reader`, token(`${app}-sql-ro`)), contentType: 'text/plain', tags },
    { name: `${app}-servicebus-connection`, value: `Endpoint=sb://sb-${app}-prod.servicebus.windows.net/;SharedAccessKeyName=send-listen;SharedAccessKey=${token(`${app}-sb`, 44)}`, contentType: 'text/plain', tags },
    { name: `${app}-storage-connection`, value: `DefaultEndpointsProtocol=https;AccountName=st${app}prod;AccountKey=${token(`${app}-st`, 64)}==;EndpointSuffix=core.windows.net`, contentType: 'text/plain', tags },
    { name: `${app}-redis-access-key`, value: token(`${app}-redis`, 44), tags: rotated },
    { name: `${app}-api-key`, value: `${app.slice(0, 2)}_${token(`${app}-api`)}`, contentType: 'text/plain', tags: rotated, expiresOn },
    { name: `${app}-client-secret`, value: `${token(`${app}-client`, 8)}~${token(`${app}-client-tail`, 30)}`, tags: { ...rotated, 'aad-app': `${app}-prod` }, expiresOn, notBefore: YEAR_START },
    { name: `${app}-settings`, value: jsonSettings(app, token), contentType: 'application/json', tags },
    { name: `${app}-jwt-signing-key`, value: pemKey(`${app}-jwt`, token), contentType: 'application/x-pem-file', tags },
    { name: `${app}-webhook-secret`, value: `whsec_${token(`${app}-webhook`)}`, tags },
    { name: `${app}-cosmos-key`, value: token(`${app}-cosmos`, 86) + '==', contentType: 'text/plain', tags },
    { name: `${app}-appinsights-connection`, value: `InstrumentationKey=${token(`${app}-ai`, 36)};IngestionEndpoint=https://westeurope-5.in.applicationinsights.azure.com/`, tags },
    { name: `${app}-smtp-password`, value: token(`${app}-smtp`, 24), tags },
    { name: `${app}-encryption-key`, value: token(`${app}-aes`, 43) + '=', contentType: 'application/octet-stream', tags: { ...tags, 'data-classification': 'confidential' } },
    { name: `${app}-partner-api-token`, value: `pt.${token(`${app}-partner`, 40)}`, tags: { ...tags, partner: 'acme-logistics' }, expiresOn: YEAR_START + 400 * DAY },
    { name: `${app}-feature-flags-key`, value: token(`${app}-flags`, 40), contentType: 'text/plain', tags },
    { name: `${app}-search-admin-key`, value: token(`${app}-search`, 52), tags },
    // The key this one replaced, kept for rollback. Every other app has disabled it, and kvdr never reads a disabled secret.
    { name: `${app}-api-key-previous`, value: `${app.slice(0, 2)}_${token(`${app}-api-previous`)}`, contentType: 'text/plain', tags: { ...tags, superseded: 'true' }, enabled: index % 2 === 0 },
  ];
  if (index % 3 === 0) {
    // A certificate's secret: Key Vault created it with the certificate, and kvdr never writes it as a plain secret.
    secrets.push({ name: `${app}-tls`, value: pemKey(`${app}-tls`, token), contentType: 'application/x-pem-file', tags: { app }, managed: true });
  }
  return secrets;
}

function platformSecrets(token: TokenFactory): SeedSecret[] {
  const tags = { app: 'platform', env: 'prod', owner: 'team-platform' };
  return [
    { name: 'Gateway-Signing-Key', value: `gsk_${token('Gateway-Signing-Key')}`, contentType: 'text/plain', tags: { app: 'gateway', env: 'prod', owner: 'team-platform' } },
    { name: 'legacy-smtp-password', value: `smtp-${token('legacy-smtp-password')}`, contentType: 'text/plain', tags: { ...tags, app: 'legacy-mailer' } },
    { name: 'acr-pull-password', value: token('acr-pull', 52), tags },
    { name: 'grafana-admin-password', value: `${token('grafana', 20)}!9`, tags },
    { name: 'pagerduty-routing-key', value: token('pagerduty', 32), tags },
    { name: 'terraform-state-access-key', value: token('tfstate', 64) + '==', tags: { ...tags, 'data-classification': 'confidential' } },
    { name: 'ci-deploy-ssh-key', value: pemKey('ci-ssh', token, 'OPENSSH PRIVATE KEY'), contentType: 'application/x-pem-file', tags },
    { name: 'break-glass-password', value: `${token('break-glass', 28)}#`, tags: { ...tags, owner: 'security' }, enabled: false },
    { name: 'old-vpn-shared-key', value: token('old-vpn', 32), tags, enabled: false },
    { name: 'kafka-sasl-jaas', value: `org.apache.kafka.common.security.plain.PlainLoginModule required username="$ConnectionString" password="${token('kafka', 44)}";`, tags },
    { name: 'non-ascii-welcome-text', value: `Välkommen, ${token('non-ascii', 16)}: grüße & 東京`, contentType: 'text/plain; charset=utf-8', tags },
  ];
}

function sqlConnection(app: string, user: string, password: string): string {
  return `Server=tcp:sql-${app}-prod.database.windows.net,1433;Initial Catalog=${app};User ID=${user};Password=${password};Encrypt=True;Connection Timeout=30;`;
}

function jsonSettings(app: string, token: TokenFactory): string {
  return JSON.stringify(
    {
      clientId: `00000000-0000-4000-8000-${String(APPS.indexOf(app)).padStart(12, '0')}`,
      clientSecret: token(`${app}-settings-secret`),
      endpoint: `https://${app}.internal.example/`,
      retry: { attempts: 5, backoffMs: 200 },
    },
    null,
    2,
  );
}

/** Returns a PEM-shaped block of random base64 with CRLF line ends, as Windows tooling writes them. */
function pemKey(label: string, token: TokenFactory, kind = 'PRIVATE KEY'): string {
  const lines = Array.from({ length: 6 }, (_, line) => token(`${label}/pem/${line}`, 64));
  return [`-----BEGIN ${kind}-----`, ...lines, `-----END ${kind}-----`, ''].join('\r\n');
}
