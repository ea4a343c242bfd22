/**
 * Notification history: every send attempt of a notification and what became of it, per tenant,
 * bounded (a capped Redis Stream, or a ring in memory). It is a record for people (the dashboard's
 * History view, `heraldctl history`), not state: losing an entry never changes what is sent.
 */

/**
 * What became of one send attempt: accepted, tried again later, given up (dead-lettered), or stalled —
 * the node making it stopped before it finished (killed, or paused past the job's lock), and the job
 * runs again, on whichever node takes it first, under the same attempt number.
 */
export type NotificationOutcome = 'delivered' | 'retrying' | 'failed' | 'stalled';

export const NOTIFICATION_OUTCOMES: readonly NotificationOutcome[] = [
  'delivered',
  'retrying',
  'failed',
  'stalled',
];

/** One send attempt as recorded. */
export interface HistoryEntry {
  /** Epoch ms of the outcome. */
  at: number;
  groupId: string;
  groupKey: string;
  receiver: string;
  /** Integration kinds involved (`webhook`, `slack,email`), or the one that failed. */
  integration: string;
  /** Why the flush notified (`first notification`, `repeat interval elapsed`, …); `''` when unknown. */
  reason: string;
  /** Alerts in the notification. */
  alerts: number;
  /** 1-based attempt number. */
  attempt: number;
  outcome: NotificationOutcome;
  /** HTTP status (or SMTP reply code) of the failed integration, when it answered. */
  statusCode?: number;
  /** Bounded, credential-free error text of a failed attempt. */
  error?: string;
  idempotencyKey: string;
  /** The node that made the attempt. */
  node: string;
}

/** A recorded entry with its id (a Redis Stream id `<ms>-<seq>`, or the memory ring's equivalent). */
export interface StoredHistoryEntry extends HistoryEntry {
  id: string;
}

/** A history read: newest first, at most `limit`, optionally one group, one receiver, not older than `since`. */
export interface HistoryQuery {
  groupId?: string;
  receiver?: string;
  /** Epoch ms: entries at or after it. */
  since?: number;
  limit: number;
}

/** Upper bound of `HistoryQuery.limit`. */
export const MAX_HISTORY_LIMIT = 1000;

/**
 * Port: the notification history. `record` never throws and never waits for storage (the send must not
 * be slowed or failed by it); `list` and `last` read.
 */
export interface NotificationHistory {
  record(tenant: string, entry: HistoryEntry): void;
  list(tenant: string, q: HistoryQuery): Promise<StoredHistoryEntry[]>;
  /** The newest entry of a group, or null. */
  last(tenant: string, groupId: string): Promise<HistoryEntry | null>;
}

/** Longest error text kept. */
export const MAX_HISTORY_ERROR = 300;
const MAX_TEXT = 1024;

/**
 * An error text fit to keep and show: URLs cut to their scheme and host (a webhook URL's path or query
 * often is the secret, e.g. Slack's), `user:password@` dropped, whitespace folded, at most `max` chars.
 */
export function safeErrorText(s: string, max = MAX_HISTORY_ERROR): string {
  const t = s
    .replace(/\b([a-z][a-z0-9+.-]*):\/\/(?:[^\s/@]*@)?([^\s/?#"'<>]+)[^\s"'<>]*/gi, '$1://$2/…')
    .replace(/\s+/g, ' ')
    .trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

const bounded = (s: string, max = MAX_TEXT) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** Field names of a history entry in its stream record (short: ten thousand of them per tenant). */
const F = {
  at: 't',
  groupId: 'g',
  groupKey: 'k',
  receiver: 'r',
  integration: 'i',
  reason: 'why',
  alerts: 'n',
  attempt: 'a',
  outcome: 'o',
  statusCode: 'sc',
  error: 'e',
  idempotencyKey: 'ik',
  node: 'node',
} as const;

/**
 * A history entry as it is kept: texts bounded, the error made safe (`safeErrorText`) — what
 * `decodeHistoryFields` reads back from `encodeHistoryFields`, without the round trip through the
 * fields. Throws on an entry that could not be read back (no group id, a time or outcome not valid).
 */
export function storedHistoryEntry(e: HistoryEntry): HistoryEntry {
  if (!e.groupId || !Number.isFinite(e.at) || !NOTIFICATION_OUTCOMES.includes(e.outcome))
    throw new Error(`not a history entry: group ${e.groupId}, at ${e.at}, outcome ${e.outcome}`);
  const count = (n: number) => (Number.isFinite(n) ? n : 0);
  const out: HistoryEntry = {
    at: e.at,
    groupId: e.groupId,
    groupKey: bounded(e.groupKey),
    receiver: bounded(e.receiver, 256),
    integration: bounded(e.integration, 128),
    reason: bounded(e.reason, 64),
    alerts: count(e.alerts),
    attempt: count(e.attempt),
    outcome: e.outcome,
    idempotencyKey: bounded(e.idempotencyKey, 256),
    node: bounded(e.node, 256),
  };
  if (e.statusCode !== undefined && Number.isFinite(e.statusCode)) out.statusCode = e.statusCode;
  if (e.error !== undefined) out.error = safeErrorText(e.error);
  return out;
}

/** A history entry as a stream record's flat field/value list (XADD's arguments after the id). */
export function encodeHistoryFields(e: HistoryEntry): string[] {
  return historyFields(storedHistoryEntry(e));
}

/** `encodeHistoryFields` of an entry `storedHistoryEntry` made (nothing bounded again). */
export function historyFields(s: HistoryEntry): string[] {
  const out = [
    F.at,
    String(s.at),
    F.groupId,
    s.groupId,
    F.groupKey,
    s.groupKey,
    F.receiver,
    s.receiver,
    F.integration,
    s.integration,
    F.reason,
    s.reason,
    F.alerts,
    String(s.alerts),
    F.attempt,
    String(s.attempt),
    F.outcome,
    s.outcome,
    F.idempotencyKey,
    s.idempotencyKey,
    F.node,
    s.node,
  ];
  if (s.statusCode !== undefined) out.push(F.statusCode, String(s.statusCode));
  if (s.error !== undefined) out.push(F.error, s.error);
  return out;
}

/** Reads back a stream record; null when it is not a history entry (a foreign or damaged record). */
export function decodeHistoryFields(id: string, fields: readonly string[]): StoredHistoryEntry | null {
  const m = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) m.set(fields[i], fields[i + 1]);
  const num = (k: string) => {
    const v = m.get(k);
    const n = v === undefined ? NaN : Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const outcome = m.get(F.outcome) as NotificationOutcome | undefined;
  const at = num(F.at);
  const groupId = m.get(F.groupId);
  if (at === undefined || !groupId || !outcome || !NOTIFICATION_OUTCOMES.includes(outcome)) return null;
  const e: StoredHistoryEntry = {
    id,
    at,
    groupId,
    groupKey: m.get(F.groupKey) ?? '',
    receiver: m.get(F.receiver) ?? '',
    integration: m.get(F.integration) ?? '',
    reason: m.get(F.reason) ?? '',
    alerts: num(F.alerts) ?? 0,
    attempt: num(F.attempt) ?? 0,
    outcome,
    idempotencyKey: m.get(F.idempotencyKey) ?? '',
    node: m.get(F.node) ?? '',
  };
  const sc = num(F.statusCode);
  if (sc !== undefined) e.statusCode = sc;
  const err = m.get(F.error);
  if (err !== undefined) e.error = err;
  return e;
}

/** Whether an entry passes a query's filters (not its limit). */
export function historyMatches(e: HistoryEntry, q: Omit<HistoryQuery, 'limit'>): boolean {
  return (
    (q.groupId === undefined || e.groupId === q.groupId) &&
    (q.receiver === undefined || e.receiver === q.receiver) &&
    (q.since === undefined || e.at >= q.since)
  );
}

/**
 * The memory history: a ring of the newest `maxEntries` per tenant (memory mode, and tests). Ids look
 * like stream ids (`<ms>-<seq>`) so clients treat both alike.
 */
export class MemoryNotificationHistory implements NotificationHistory {
  private readonly rings = new Map<string, Ring<StoredHistoryEntry>>();
  private lastMs = 0;
  private seq = 0;

  constructor(private readonly opts: { maxEntries: number }) {}

  record(tenant: string, entry: HistoryEntry): void {
    const stored = decodeHistoryFields(this.nextId(entry.at), encodeHistoryFields(entry));
    if (!stored) return;
    let r = this.rings.get(tenant);
    if (!r) this.rings.set(tenant, (r = new Ring()));
    r.push(stored, this.opts.maxEntries);
  }

  list(tenant: string, q: HistoryQuery): Promise<StoredHistoryEntry[]> {
    const out: StoredHistoryEntry[] = [];
    for (const e of this.rings.get(tenant)?.newestFirst() ?? []) {
      if (out.length >= q.limit || (q.since !== undefined && e.at < q.since)) break;
      if (historyMatches(e, q)) out.push({ ...e });
    }
    return Promise.resolve(out);
  }

  async last(tenant: string, groupId: string): Promise<HistoryEntry | null> {
    return (await this.list(tenant, { groupId, limit: 1 }))[0] ?? null;
  }

  /** Entries held for a tenant (tests). */
  size(tenant: string): number {
    return this.rings.get(tenant)?.size ?? 0;
  }

  private nextId(at: number): string {
    const ms = Math.max(at, this.lastMs);
    this.seq = ms === this.lastMs ? this.seq + 1 : 0;
    this.lastMs = ms;
    return `${ms}-${this.seq}`;
  }
}

/** A bounded ring: the newest `max` items; a lowered bound drops the oldest at the next push. */
export class Ring<T> {
  private buf: T[] = [];
  /** Index of the oldest item once the ring is full. */
  private head = 0;

  get size(): number {
    return this.buf.length;
  }

  push(item: T, max: number): void {
    const cap = Math.max(1, Math.floor(max));
    if (this.buf.length > cap || (this.head > 0 && this.buf.length < cap)) {
      this.buf = [...this.oldestFirst()].slice(-cap);
      this.head = 0;
    }
    if (this.buf.length < cap) {
      this.buf.push(item);
      return;
    }
    this.buf[this.head] = item;
    this.head = (this.head + 1) % cap;
  }

  *oldestFirst(): Generator<T> {
    for (let i = 0; i < this.buf.length; i++) yield this.buf[(this.head + i) % this.buf.length];
  }

  *newestFirst(): Generator<T> {
    const n = this.buf.length;
    for (let i = n - 1; i >= 0; i--) yield this.buf[(this.head + i) % n];
  }
}
