/**
 * HTTPS listeners on 127.0.0.1. A listener can stop and resume on the same port, which is how a
 * vault's outage refuses connections.
 */
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isRouteMatch, sendJson, type Router } from './http';
import type { TlsMaterial } from './cert';

export const LISTEN_HOST = '127.0.0.1';

export class HttpsListener {
  private readonly server: Server;
  private readonly sockets = new Set<Socket>();
  private listening = false;
  port = 0;

  constructor(tls: TlsMaterial, handler: (req: IncomingMessage, res: ServerResponse) => void) {
    this.server = createServer({ cert: tls.cert, key: tls.key }, handler);
    // Tracks raw TCP sockets, so connections still in the TLS handshake are dropped on stop too.
    this.server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // A client that drops the connection mid-handshake must not take the emulator down.
    this.server.on('tlsClientError', () => {});
  }

  /** `https://127.0.0.1:<port>/` */
  get url(): string {
    return `https://${LISTEN_HOST}:${this.port}/`;
  }

  /** Starts listening, on an ephemeral port the first time and on the same port afterwards. */
  async listen(): Promise<void> {
    if (this.listening) return;
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.port, LISTEN_HOST, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const address = this.server.address();
    if (address && typeof address === 'object') this.port = address.port;
    this.listening = true;
  }

  /** Stops listening and drops open connections, so new connections are refused. */
  async stop(): Promise<void> {
    if (!this.listening) return;
    this.listening = false;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    await closed;
  }
}

/** Creates a handler that dispatches through `router` and returns 404 or 405 with a JSON error body. */
export function routerHandler(router: Router): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = new URL(req.url ?? '/', `https://${LISTEN_HOST}/`);
    const match = router.match(req.method ?? 'GET', url.pathname);
    if (!isRouteMatch(match)) {
      const status = match.methodMismatch ? 405 : 404;
      sendJson(res, status, { error: { code: status === 405 ? 'MethodNotAllowed' : 'NotFound', message: `No route for ${req.method} ${url.pathname}.` } });
      return;
    }
    Promise.resolve(match.handler({ req, res, url, params: match.params })).catch((error: unknown) => {
      process.stderr.write(`emulator: ${req.method} ${url.pathname} failed: ${(error as Error).message}\n`);
      if (!res.headersSent) sendJson(res, 500, { error: { code: 'InternalServerError', message: (error as Error).message } });
    });
  };
}
