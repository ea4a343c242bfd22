import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { waitUntil } from './wait';

/** One Server-Sent Event as received. */
export interface SseEvent {
  id?: string;
  event?: string;
  data: any;
  /** Epoch ms of arrival. */
  at: number;
}

/**
 * A minimal SSE client over node:http (what a browser's EventSource does, without reconnects): records
 * every event and comment; `waitFor` waits on them.
 */
export class SseClient {
  readonly events: SseEvent[] = [];
  readonly comments: string[] = [];
  status = 0;
  headers: IncomingMessage['headers'] = {};
  private buf = '';
  private req?: ClientRequest;
  private res?: IncomingMessage;
  ended = false;

  private constructor() {}

  /** Connects and resolves once the response headers arrived (any status). */
  static connect(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    const c = new SseClient();
    return new Promise((resolve, reject) => {
      c.req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        c.res = res;
        c.status = res.statusCode ?? 0;
        c.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => c.feed(chunk));
        res.on('end', () => (c.ended = true));
        res.on('close', () => (c.ended = true));
        res.on('error', () => (c.ended = true));
        resolve(c);
      });
      c.req.on('error', reject);
      c.req.end();
    });
  }

  /** The body so far, for a non-200 answer. */
  get text(): string {
    return this.buf;
  }

  private feed(chunk: string): void {
    this.buf += chunk;
    if (this.status !== 200) return;
    let i: number;
    while ((i = this.buf.indexOf('\n\n')) >= 0) {
      const block = this.buf.slice(0, i);
      this.buf = this.buf.slice(i + 2);
      const e: Partial<SseEvent> = {};
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line.slice(1).trim());
        else if (line.startsWith('id: ')) e.id = line.slice(4);
        else if (line.startsWith('event: ')) e.event = line.slice(7);
        else if (line.startsWith('data: ')) data += line.slice(6);
      }
      if (data) this.events.push({ ...e, data: JSON.parse(data), at: Date.now() });
    }
  }

  waitFor(pred: (e: SseEvent) => boolean, timeoutMs = 5000): Promise<SseEvent> {
    return waitUntil(() => this.events.find(pred), { timeoutMs });
  }

  /**
   * The id that covers `e`: its batch's, carried by the batch's last event (events of one stream entry
   * share it) — what an EventSource would send as `Last-Event-ID` once it has seen `e`'s whole batch.
   */
  idThrough(e: SseEvent, timeoutMs = 5000): Promise<string> {
    return this.waitFor(
      (x) => x.id !== undefined && this.events.indexOf(x) >= this.events.indexOf(e),
      timeoutMs,
    ).then((x) => x.id!);
  }

  close(): void {
    this.res?.destroy();
    this.req?.destroy();
  }
}
