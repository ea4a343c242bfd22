import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Fastify's request handler, as it hands it to a `serverFactory`. */
export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** One application's hold on the shared server (see {@link HttpHost.prepare}). */
export interface HttpGeneration {
  /** Pass as Fastify's `serverFactory`: records the app's handler and gives it the shared server. */
  readonly serverFactory: (handler: RequestHandler) => Server;
  /** Requests dispatched to this application that have not finished yet. */
  readonly inFlight: number;
  /** Resolves once no request of this application is in flight (or after `timeoutMs`): false on timeout. */
  drained(timeoutMs: number): Promise<boolean>;
}

class Generation implements HttpGeneration {
  handler?: RequestHandler;
  /** The `clientError` listeners Fastify added for this application (removed when it retires). */
  listeners: ((...args: unknown[]) => void)[] = [];
  inFlight = 0;
  private waiters: (() => void)[] = [];

  /** The server's `clientError` listeners before this application was built (builds are serialized). */
  private readonly before: Set<unknown>;

  constructor(private readonly host: HttpHost) {
    this.before = new Set(host.server.listeners('clientError'));
  }

  readonly serverFactory = (handler: RequestHandler): Server => {
    this.handler = handler;
    return this.host.server;
  };

  /** Records the listeners Fastify attached while this application was built. */
  collect(): void {
    if (this.listeners.length) return;
    this.listeners = this.host.server
      .listeners('clientError')
      .filter((l) => !this.before.has(l)) as Generation['listeners'];
  }

  started(): void {
    this.inFlight++;
  }

  finished(): void {
    this.inFlight--;
    if (this.inFlight === 0) for (const w of this.waiters.splice(0)) w();
  }

  drained(timeoutMs: number): Promise<boolean> {
    if (this.inFlight === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), timeoutMs);
      t.unref();
      this.waiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }
}

/**
 * The node's one listening socket, kept across config reloads: each Nest application is built with a
 * Fastify `serverFactory` that hands it this server without letting it listen or close it, and the
 * server delegates every request to the live application's handler. Swapping the live application is
 * one assignment, so no request is refused or lost during a reload; requests already dispatched to the
 * old application finish there (`drained()`), keep-alive connections carry on with the new one.
 * Before the first application is live, requests get `fallback` (503 while starting).
 */
export class HttpHost {
  readonly server: Server;
  private live?: Generation;
  private readonly all = new Set<Generation>();

  constructor(private readonly fallback: RequestHandler) {
    this.server = createServer((req, res) => this.dispatch(req, res));
    // What Fastify sets on the servers it creates itself (its defaults), so behaviour is unchanged.
    this.server.keepAliveTimeout = 72_000;
    this.server.requestTimeout = 0;
    this.server.setTimeout(0);
  }

  /** A new application's hold on the server; it receives requests once `activate`d. */
  prepare(): HttpGeneration {
    const g = new Generation(this);
    this.all.add(g);
    return g;
  }

  /** Routes every new request to `gen`'s application from now on. */
  activate(gen: HttpGeneration): void {
    const g = gen as Generation;
    if (!g.handler) throw new Error('HttpHost: the application was not built with this serverFactory');
    g.collect();
    this.live = g;
    this.pruneClientErrorListeners();
  }

  /** Forgets an application that is no longer live (or never became live). */
  retire(gen: HttpGeneration): void {
    const g = gen as Generation;
    g.collect();
    this.all.delete(g);
    for (const l of g.listeners) this.server.removeListener('clientError', l);
    if (this.live === g) this.live = undefined;
  }

  /** Keeps only the live application's `clientError` listener (each Fastify adds one; one must answer). */
  pruneClientErrorListeners(): void {
    if (!this.live) return;
    for (const g of this.all) {
      if (g === this.live) continue;
      for (const l of g.listeners) this.server.removeListener('clientError', l);
    }
    for (const l of this.live.listeners)
      if (!this.server.listeners('clientError').includes(l)) this.server.on('clientError', l);
  }

  listen(port: number, host: string): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.removeListener('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** Stops accepting connections and closes idle keep-alive ones; resolves when every connection ended. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private dispatch(req: IncomingMessage, res: ServerResponse): void {
    const g = this.live;
    if (!g?.handler) return this.fallback(req, res);
    g.started();
    res.once('close', () => g.finished());
    g.handler(req, res);
  }
}
