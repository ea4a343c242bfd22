import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the sink received. */
export interface SinkRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The raw body (signatures are computed over these bytes). */
  body: string;
  /** `body` parsed as JSON, or undefined. */
  json: unknown;
  /** The status the sink answered. */
  status: number;
  /** Epoch ms of arrival. */
  at: number;
}

/** How the sink answers: a fixed status, or a function of the request number (0-based) and request. */
export type SinkResponder = number | ((i: number, req: Omit<SinkRequest, 'status'>) => number);

/**
 * A real HTTP server on a free loopback port that records every request and answers with a
 * programmable status sequence (e.g. 500 three times, then 200). Waits are event-driven (`waitFor`).
 */
export class HttpSink {
  readonly requests: SinkRequest[] = [];
  private responder: SinkResponder = 200;
  private waiters: { pred: () => boolean; resolve: () => void }[] = [];
  private delayMs = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<HttpSink> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(body);
        } catch {
          json = undefined;
        }
        const base = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          json,
          at: Date.now(),
        };
        const r = sink.responder;
        const status = typeof r === 'number' ? r : r(sink.requests.length, base);
        sink.requests.push({ ...base, status });
        const answer = () => {
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(status < 300 ? 'ok' : `sink says ${status}`);
          sink.notify();
        };
        if (sink.delayMs > 0) setTimeout(answer, sink.delayMs);
        else answer();
      });
    });
    // The handlers above run only after this line: the server has not started listening yet.
    const sink = new HttpSink(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Base URL, e.g. `http://127.0.0.1:41234`; append a path per receiver. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Sets the answer for the following requests: a status or `(i, req) => status`. */
  respond(r: SinkResponder): void {
    this.responder = r;
  }

  /** Delays every answer (timeouts). */
  delay(ms: number): void {
    this.delayMs = ms;
  }

  /** Requests answered with a 2xx. */
  get accepted(): SinkRequest[] {
    return this.requests.filter((r) => r.status >= 200 && r.status < 300);
  }

  /** Resolves when `pred` holds after a request; rejects after `timeoutMs` with `what` in the message. */
  waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    if (pred()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const w = {
        pred,
        resolve: () => {
          clearTimeout(t);
          resolve();
        },
      };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        reject(
          new Error(`http sink: ${what} not reached in ${timeoutMs} ms (${this.requests.length} requests)`),
        );
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  private notify(): void {
    const ready = this.waiters.filter((w) => w.pred());
    this.waiters = this.waiters.filter((w) => !ready.includes(w));
    for (const w of ready) w.resolve();
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
