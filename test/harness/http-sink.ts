import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitUntil } from './wait';

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
 * programmable status sequence (e.g. 500 three times, then 200). `waitFor` is `waitUntil` on its requests.
 */
export class HttpSink {
  readonly requests: SinkRequest[] = [];
  private responder: SinkResponder = 200;
  private delayMs = 0;

  private constructor(private readonly server: Server) {}

  /**
   * `keep: false` records nothing (a long run would hold every body); `onRequest` sees each request as
   * it is answered.
   */
  static async start(
    opts: { keep?: boolean; onRequest?: (req: SinkRequest) => void } = {},
  ): Promise<HttpSink> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        // Parsed when first read: a bench's sink that only counts (keep: false) parses nothing.
        let parsed: { json: unknown } | undefined;
        const rec: SinkRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body,
          get json(): unknown {
            if (!parsed) {
              try {
                parsed = { json: JSON.parse(body) as unknown };
              } catch {
                parsed = { json: undefined };
              }
            }
            return parsed.json;
          },
          status: 0,
          at: Date.now(),
        };
        const r = sink.responder;
        const status = typeof r === 'number' ? r : r(sink.requests.length, rec);
        rec.status = status;
        if (opts.keep !== false) sink.requests.push(rec);
        opts.onRequest?.(rec);
        const answer = () => {
          res.writeHead(status, { 'Content-Type': 'text/plain' });
          res.end(status < 300 ? 'ok' : `sink says ${status}`);
        };
        if (sink.delayMs > 0)
          setTimeout(answer, sink.delayMs).unref(); // a stopped sink holds no timer
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

  /** Resolves when `pred` holds; rejects after `timeoutMs` naming `what` and the requests received. */
  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    await waitUntil(pred, {
      timeoutMs,
      intervalMs: 20,
      what: `http sink: ${what}`,
      detail: () => `${this.requests.length} requests, ${this.accepted.length} accepted`,
    });
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
