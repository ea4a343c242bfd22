import { Ring } from '../history/notification-history';

/**
 * Live change events for dashboards (`GET /api/v1/events`): something about an alert, a group, a silence
 * or a notification changed — the client re-reads what it shows. Per tenant, bounded, carried between
 * nodes by a capped Redis Stream (memory mode: in process).
 */
export type HeraldEventKind = 'alert' | 'group' | 'silence' | 'notification';

export const HERALD_EVENT_KINDS: readonly HeraldEventKind[] = ['alert', 'group', 'silence', 'notification'];

/** One change. Without `groupId` a `group`/`alert` event means "many groups changed: re-read the list". */
export interface HeraldEvent {
  kind: HeraldEventKind;
  groupId?: string;
  silenceId?: string;
  receiver?: string;
  /** Epoch ms. */
  at: number;
}

/**
 * The events one node wrote at once (one coalescing window of one tenant) under one stream id
 * (`<ms>-<seq>`): what SSE sends as the `id:` of the batch's last event and takes back as `Last-Event-ID`.
 * One stream entry per batch keeps ingest at one XADD per window whatever the groups it touched.
 */
export interface StoredBatch {
  id: string;
  events: HeraldEvent[];
}

const STREAM_ID = /^(\d{1,16})-(\d{1,16})$/;

/** Whether `s` is a stream id (`<ms>-<seq>`), as `Last-Event-ID` must be. */
export function isStreamId(s: string): boolean {
  return STREAM_ID.test(s);
}

/** Orders stream ids (`<ms>-<seq>`): negative when `a` is older. Both must be `isStreamId`. */
export function compareStreamIds(a: string, b: string): number {
  const [am, as] = a.split('-').map(Number);
  const [bm, bs] = b.split('-').map(Number);
  return am !== bm ? am - bm : as - bs;
}

const MAX_FIELD = 256;
const cut = (s: string) => (s.length > MAX_FIELD ? s.slice(0, MAX_FIELD) : s);

/** A batch of events as a stream record's field/value list: `e` → a compact JSON array. */
export function encodeEventBatch(events: readonly HeraldEvent[]): string[] {
  const compact = events.map((e) => ({
    k: e.kind,
    t: e.at,
    ...(e.groupId !== undefined && { g: cut(e.groupId) }),
    ...(e.silenceId !== undefined && { s: cut(e.silenceId) }),
    ...(e.receiver !== undefined && { r: cut(e.receiver) }),
  }));
  return ['e', JSON.stringify(compact)];
}

/** Reads back a stream record: its events (those that are not events are left out), or null. */
export function decodeEventBatch(fields: readonly string[]): HeraldEvent[] | null {
  const i = fields.indexOf('e');
  if (i < 0 || i % 2 !== 0 || i + 1 >= fields.length) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(fields[i + 1]);
  } catch {
    return null;
  }
  if (!Array.isArray(raw)) return null;
  const out: HeraldEvent[] = [];
  for (const c of raw as Record<string, unknown>[]) {
    const kind = c?.k as HeraldEventKind;
    const at = c?.t;
    if (!HERALD_EVENT_KINDS.includes(kind) || typeof at !== 'number' || !Number.isFinite(at)) continue;
    const e: HeraldEvent = { kind, at };
    if (typeof c.g === 'string') e.groupId = c.g;
    if (typeof c.s === 'string') e.silenceId = c.s;
    if (typeof c.r === 'string') e.receiver = c.r;
    out.push(e);
  }
  return out;
}

/** A subscriber's callback: batches of its tenant, oldest first. */
export type EventListener = (batches: readonly StoredBatch[]) => void;

/**
 * Port: the event log. `publish` never throws and never waits on storage (callers are request paths);
 * `subscribe` gets every batch of a tenant published on any node from now on; `after` reads the batches
 * published after an id (resume), at most `limit`, oldest first.
 */
export interface EventLog {
  publish(tenant: string, events: readonly HeraldEvent[]): void;
  subscribe(tenant: string, listener: EventListener): () => void;
  after(tenant: string, id: string, limit: number): Promise<StoredBatch[]>;
  /** The id of the oldest batch still kept (undefined: none): a resume from before it may have lost some. */
  oldest(tenant: string): Promise<string | undefined>;
  close(): Promise<void>;
}

/** The in-process fan-out: one set of listeners per tenant (a listener that throws does not stop others). */
export class EventHub {
  private readonly subs = new Map<string, Set<EventListener>>();

  subscribe(tenant: string, listener: EventListener): () => void {
    let s = this.subs.get(tenant);
    if (!s) this.subs.set(tenant, (s = new Set()));
    s.add(listener);
    return () => {
      s.delete(listener);
      if (s.size === 0 && this.subs.get(tenant) === s) this.subs.delete(tenant);
    };
  }

  dispatch(tenant: string, batches: readonly StoredBatch[]): void {
    if (batches.length === 0) return;
    for (const l of this.subs.get(tenant) ?? []) {
      try {
        l(batches);
      } catch {
        // one broken client must not stop the others
      }
    }
  }

  /** Tenants with at least one listener. */
  tenants(): string[] {
    return [...this.subs.keys()];
  }

  get listeners(): number {
    let n = 0;
    for (const s of this.subs.values()) n += s.size;
    return n;
  }
}

/**
 * Collects the events a node produces for `windowMs` and hands them on in one batch per window:
 * ingest publishes per request, but Redis sees one pipelined write per window whatever the request
 * rate. Repeats within a window (the same group changed by 50 requests) are sent once; beyond
 * `maxPerWindow` distinct events per tenant the rest become one `{kind: 'group'}` ("many changed").
 */
export class EventCoalescer {
  private pending = new Map<string, Map<string, HeraldEvent>>();
  private overflow = new Map<string, number>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly sink: (batch: Map<string, HeraldEvent[]>) => void,
    private readonly opts: { windowMs: number; maxPerWindow: number },
  ) {}

  add(tenant: string, events: readonly HeraldEvent[]): void {
    if (events.length === 0) return;
    let m = this.pending.get(tenant);
    if (!m) this.pending.set(tenant, (m = new Map()));
    for (const e of events) {
      const k = `${e.kind}|${e.groupId ?? ''}|${e.silenceId ?? ''}|${e.receiver ?? ''}`;
      if (m.has(k)) continue;
      if (m.size >= this.opts.maxPerWindow) {
        this.overflow.set(tenant, e.at);
        continue;
      }
      m.set(k, e);
    }
    this.timer ??= setTimeout(() => this.flush(), this.opts.windowMs);
    this.timer.unref?.();
  }

  /** Hands on what is pending now (also at shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.size === 0) return;
    const batch = new Map<string, HeraldEvent[]>();
    for (const [tenant, m] of this.pending) {
      const list = [...m.values()];
      const over = this.overflow.get(tenant);
      if (over !== undefined) list.push({ kind: 'group', at: over });
      batch.set(tenant, list);
    }
    this.pending = new Map();
    this.overflow = new Map();
    this.sink(batch);
  }
}

/**
 * The memory event log (memory mode): the newest `maxEntries` batches per tenant in a ring, fanned out
 * in process. Like the Redis log it coalesces per `windowMs` (default 100; 0: one batch per `publish`,
 * handed on in a microtask), so a client gets one write per window whatever the request rate. Ids look
 * like stream ids.
 */
export class MemoryEventLog implements EventLog {
  private readonly hub = new EventHub();
  private readonly rings = new Map<string, Ring<StoredBatch>>();
  private readonly coalescer: EventCoalescer | undefined;
  private lastMs = 0;
  private seq = 0;

  constructor(
    private readonly opts: {
      maxEntries: number;
      now?: () => number;
      windowMs?: number;
      maxPerWindow?: number;
    },
  ) {
    const windowMs = opts.windowMs ?? 100;
    this.coalescer =
      windowMs > 0
        ? new EventCoalescer((b) => b.forEach((events, tenant) => this.append(tenant, events)), {
            windowMs,
            maxPerWindow: opts.maxPerWindow ?? 500,
          })
        : undefined;
  }

  publish(tenant: string, events: readonly HeraldEvent[]): void {
    if (events.length === 0) return;
    if (this.coalescer) return this.coalescer.add(tenant, events);
    const batch = this.append(tenant, events, false);
    // Listeners run after the publisher's call returns (a request path never runs client writes).
    queueMicrotask(() => this.hub.dispatch(tenant, [batch]));
  }

  /** Stores a batch and (unless told not to) hands it to the tenant's listeners. */
  private append(tenant: string, events: readonly HeraldEvent[], dispatch = true): StoredBatch {
    let r = this.rings.get(tenant);
    if (!r) this.rings.set(tenant, (r = new Ring()));
    const batch: StoredBatch = { id: this.nextId(), events: [...events] };
    r.push(batch, this.opts.maxEntries);
    if (dispatch) this.hub.dispatch(tenant, [batch]);
    return batch;
  }

  subscribe(tenant: string, listener: EventListener): () => void {
    return this.hub.subscribe(tenant, listener);
  }

  after(tenant: string, id: string, limit: number): Promise<StoredBatch[]> {
    const out: StoredBatch[] = [];
    for (const s of this.rings.get(tenant)?.oldestFirst() ?? []) {
      if (out.length >= limit) break;
      if (compareStreamIds(s.id, id) > 0) out.push(s);
    }
    return Promise.resolve(out);
  }

  oldest(tenant: string): Promise<string | undefined> {
    for (const s of this.rings.get(tenant)?.oldestFirst() ?? []) return Promise.resolve(s.id);
    return Promise.resolve(undefined);
  }

  close(): Promise<void> {
    this.coalescer?.flush();
    return Promise.resolve();
  }

  private nextId(): string {
    const ms = Math.max((this.opts.now ?? Date.now)(), this.lastMs);
    this.seq = ms === this.lastMs ? this.seq + 1 : 0;
    this.lastMs = ms;
    return `${ms}-${this.seq}`;
  }
}
