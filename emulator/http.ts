/**
 * Small HTTP helpers shared by the emulator's listeners: a method-and-path router, JSON bodies and
 * Key Vault's error body shape.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request, as passed to a route handler. */
export interface RouteRequest {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** Path parameters captured by `{name}` segments, URL-decoded. */
  params: Record<string, string>;
}

export type RouteHandler = (request: RouteRequest) => void | Promise<void>;

interface Route {
  method: string;
  segments: string[];
  handler: RouteHandler;
  /** Name used in request counts, for example `getSecret`. */
  operation: string;
}

/** A matched route: the handler, its operation name and the captured path parameters. */
export interface RouteMatch {
  handler: RouteHandler;
  operation: string;
  params: Record<string, string>;
}

/**
 * Routes requests by method and path pattern. Patterns are `/`-separated, and a `{name}` segment
 * matches any single non-empty segment. Trailing slashes are ignored, because the SDK requests the
 * latest version of a secret as `/secrets/{name}/`.
 */
export class Router {
  private readonly routes: Route[] = [];

  add(method: string, pattern: string, operation: string, handler: RouteHandler): this {
    this.routes.push({ method: method.toUpperCase(), segments: splitPath(pattern), handler, operation });
    return this;
  }

  /** Finds the route for a request. Without a match it returns `{ methodMismatch }`, true when only the method differs. */
  match(method: string, pathname: string): RouteMatch | { methodMismatch: boolean } {
    const segments = splitPath(pathname);
    let methodMismatch = false;
    for (const route of this.routes) {
      const params = matchSegments(route.segments, segments);
      if (!params) continue;
      if (route.method !== method.toUpperCase()) {
        methodMismatch = true;
        continue;
      }
      return { handler: route.handler, operation: route.operation, params };
    }
    return { methodMismatch };
  }
}

export function isRouteMatch(match: RouteMatch | { methodMismatch: boolean }): match is RouteMatch {
  return 'handler' in match;
}

function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment.length > 0);
}

function matchSegments(pattern: string[], actual: string[]): Record<string, string> | undefined {
  if (pattern.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i];
    if (expected.startsWith('{') && expected.endsWith('}')) {
      let decoded: string;
      try {
        decoded = decodeURIComponent(actual[i]);
      } catch {
        return undefined;
      }
      params[expected.slice(1, -1)] = decoded;
    } else if (expected.toLowerCase() !== actual[i].toLowerCase()) {
      return undefined;
    }
  }
  return params;
}

/** Largest request body any route accepts, in bytes. Key Vault values are at most 25,600 bytes. */
const MAX_BODY_BYTES = 4 * 1024 * 1024;

/** Reads the whole request body as UTF-8 text. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) throw new Error(`Invalid request: the body is larger than ${MAX_BODY_BYTES} bytes.`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads and parses a JSON body. Returns `undefined` for an empty body and throws `SyntaxError` on bad JSON. */
export async function readJson(req: IncomingMessage): Promise<unknown> {
  const text = await readBody(req);
  if (text.trim().length === 0) return undefined;
  return JSON.parse(text) as unknown;
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-length': 0, ...headers });
  res.end();
}

/** Key Vault's error body: `error.code`, `error.message` and, where the service sets one, `error.innererror.code`. */
export interface KeyVaultErrorBody {
  error: { code: string; message: string; innererror?: { code: string } };
}

export function keyVaultError(code: string, message: string, innerCode?: string): KeyVaultErrorBody {
  return { error: { code, message, ...(innerCode ? { innererror: { code: innerCode } } : {}) } };
}

/** An error a handler throws to end the request with a Key Vault error response. */
export class KeyVaultHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly innerCode?: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'KeyVaultHttpError';
  }

  body(): KeyVaultErrorBody {
    return keyVaultError(this.code, this.message, this.innerCode);
  }
}

export function sendKeyVaultError(res: ServerResponse, error: KeyVaultHttpError): void {
  sendJson(res, error.status, error.body(), error.headers);
}
