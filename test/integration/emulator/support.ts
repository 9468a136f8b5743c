/**
 * Shared pieces of the emulator conformance tests: schema validation against the official Key
 * Vault OpenAPI document, a pipeline policy that captures raw response bodies, and plain HTTPS calls.
 */
import Ajv, { type ValidateFunction } from 'ajv';
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { resolve } from 'node:path';
import type { PipelinePolicy } from '@azure/core-rest-pipeline';

const SECRETS_SPEC = 'specification/keyvault/data-plane/Microsoft.KeyVault/stable/2025-07-01/secrets.json';

/** Finds the specs folder: `KVDR_SPECS_DIR`, else `../shared/specs` beside the repository. */
export function specsDirectory(): string | undefined {
  const repoRoot = resolve(__dirname, '..', '..', '..');
  const candidates = [process.env.KVDR_SPECS_DIR, resolve(repoRoot, '..', 'shared', 'specs')].filter((dir): dir is string => Boolean(dir));
  return candidates.find((dir) => existsSync(resolve(dir, SECRETS_SPEC)));
}

/** Definitions of secrets.json that response bodies are checked against. */
export type SecretsDefinition =
  | 'SecretBundle'
  | 'DeletedSecretBundle'
  | 'SecretListResult'
  | 'DeletedSecretListResult'
  | 'BackupSecretResult'
  | 'KeyVaultError';

/**
 * Validates bodies against secrets.json. Each body is checked twice: against the definition as
 * published, and against a closed copy in which no object may carry a property the spec does not
 * name, so a field the emulator invents fails too.
 */
export class SpecValidator {
  private readonly open = new Map<string, ValidateFunction>();
  private readonly closed = new Map<string, ValidateFunction>();
  checked = 0;

  private constructor(spec: Record<string, unknown>) {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    ajv.addSchema({ ...spec, $id: 'secrets.json' });
    ajv.addSchema({ ...closeObjects(spec), $id: 'secrets-closed.json' });
    for (const name of ['SecretBundle', 'DeletedSecretBundle', 'SecretListResult', 'DeletedSecretListResult', 'BackupSecretResult', 'KeyVaultError']) {
      this.open.set(name, ajv.getSchema(`secrets.json#/definitions/${name}`)!);
      this.closed.set(name, ajv.getSchema(`secrets-closed.json#/definitions/${name}`)!);
    }
  }

  /** Loads the validator, or returns `undefined` and prints that schema checks are skipped. */
  static load(): SpecValidator | undefined {
    const dir = specsDirectory();
    if (!dir) {
      console.log('    (schema checks skipped: no specs folder at KVDR_SPECS_DIR or ../shared/specs)');
      return undefined;
    }
    return new SpecValidator(JSON.parse(readFileSync(resolve(dir, SECRETS_SPEC), 'utf8')) as Record<string, unknown>);
  }

  validate(definition: SecretsDefinition, body: unknown, context: string): void {
    for (const [label, validators] of [['spec', this.open], ['closed spec', this.closed]] as const) {
      const validate = validators.get(definition)!;
      if (!validate(body)) {
        assert.fail(`${context}: body does not match ${definition} (${label}): ${JSON.stringify(validate.errors)}\nbody: ${JSON.stringify(body)}`);
      }
    }
    this.checked += 1;
  }
}

/** Copies the spec so that every definition object with `properties` rejects other properties. */
function closeObjects(spec: Record<string, unknown>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(spec)) as { definitions: Record<string, Record<string, unknown>> };
  for (const definition of Object.values(copy.definitions)) {
    if (definition.properties && definition.additionalProperties === undefined) definition.additionalProperties = false;
  }
  return copy as unknown as Record<string, unknown>;
}

/** The definition a secrets API response body must match, from its method, path and status. */
export function definitionFor(method: string, pathname: string, status: number): SecretsDefinition | undefined {
  if (status >= 400) return 'KeyVaultError';
  if (status === 204) return undefined;
  const parts = pathname.split('/').filter(Boolean);
  const [collection, name, sub] = parts;
  if (collection === 'secrets') {
    if (parts.length === 1) return 'SecretListResult';
    if (name === 'restore' && method === 'POST') return 'SecretBundle';
    if (method === 'DELETE') return 'DeletedSecretBundle';
    if (sub === 'versions') return 'SecretListResult';
    if (sub === 'backup') return 'BackupSecretResult';
    return 'SecretBundle';
  }
  if (collection === 'deletedsecrets') {
    if (parts.length === 1) return 'DeletedSecretListResult';
    if (sub === 'recover') return 'SecretBundle';
    return 'DeletedSecretBundle';
  }
  return undefined;
}

/** One response the SDK received, as sent on the wire. */
export interface CapturedResponse {
  method: string;
  url: string;
  status: number;
  headers: Record<string, string>;
  body?: string;
}

/** Creates a pipeline policy that records every attempt's raw response, challenges and retries included. */
export function capturePolicy(sink: CapturedResponse[]): PipelinePolicy {
  return {
    name: 'kvdrCaptureResponses',
    async sendRequest(request, next) {
      const response = await next(request);
      sink.push({
        method: request.method,
        url: request.url,
        status: response.status,
        headers: response.headers.toJSON(),
        body: response.bodyAsText ?? undefined,
      });
      return response;
    },
  };
}

/** Validates every captured body that has a definition. Returns how many were checked. */
export function validateCaptured(validator: SpecValidator | undefined, captured: CapturedResponse[]): number {
  if (!validator) return 0;
  let count = 0;
  for (const response of captured) {
    const url = new URL(response.url);
    const definition = definitionFor(response.method, url.pathname, response.status);
    if (!definition) continue;
    assert.ok(response.body, `${response.method} ${url.pathname} ${response.status} has no body`);
    validator.validate(definition, JSON.parse(response.body), `${response.method} ${url.pathname} ${response.status}`);
    count += 1;
  }
  return count;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  json<T = Record<string, unknown>>(): T;
}

/** Sends one HTTPS request with the emulator's CA, without the SDK, and without connection reuse. */
export function rawRequest(
  url: string,
  options: { ca: string; method?: string; headers?: Record<string, string>; body?: string },
): Promise<RawResponse> {
  return new Promise((resolvePromise, reject) => {
    const request = httpsRequest(url, { method: options.method ?? 'GET', headers: options.headers, ca: options.ca, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        resolvePromise({ status: response.statusCode ?? 0, headers: response.headers, body, json: () => JSON.parse(body) });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
