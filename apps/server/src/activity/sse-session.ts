import { compareStreamIds, type EventLog, type HeraldEvent, type StoredBatch } from '@herald/domain';

/** Batches a resuming client gets from the stream at most; beyond, it is told to re-read everything. */
export const MAX_RESUME = 1000;

/** One event in the SSE wire format: `id` (the batch's, on its last event only), `event`, `data` (JSON). */
export function sseFrame(e: HeraldEvent, id?: string): string {
  const { kind, groupId, silenceId, receiver, at } = e;
  const data = { kind, groupId, silenceId, receiver, at: new Date(at).toISOString() };
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The events of one stream entry, written at once. Only the last carries the entry's id: a client that
 * reconnects with it has seen the whole entry; one cut off mid-entry resumes from the previous id and
 * gets the entry again (at least once, never lost).
 */
export function batchFrames(b: StoredBatch): string {
  let out = '';
  b.events.forEach((e, i) => (out += sseFrame(e, i === b.events.length - 1 ? b.id : undefined)));
  return out;
}

/**
 * "Re-read everything": sent without an id when a resume could not replay every missed event (more than
 * `MAX_RESUME` batches, or the stream cannot be read).
 */
export function resyncFrame(at: number): string {
  return `event: group\ndata: ${JSON.stringify({ kind: 'group', at: new Date(at).toISOString(), resync: true })}\n\n`;
}

/**
 * One SSE client's stream: live events of its tenant, and on a reconnect with `Last-Event-ID` first what
 * it missed (read from the stream) — live batches arriving meanwhile wait, then any batch not newer than
 * what was sent is skipped, so nothing is sent twice or out of order.
 */
export class SseSession {
  private lastSent: string | undefined;
  private pending: StoredBatch[] | null = null;

  constructor(private readonly write: (chunk: string) => void) {}

  /** The listener to subscribe with. */
  readonly onEvents = (batches: readonly StoredBatch[]): void => {
    if (this.pending) this.pending.push(...batches);
    else this.send(batches);
  };

  /** Replays what follows `from`, then the live batches that came meanwhile. Subscribe first. */
  async resume(log: EventLog, tenant: string, from: string, now: () => number): Promise<void> {
    this.pending = [];
    this.lastSent = from;
    try {
      const [missed, oldest] = await Promise.all([log.after(tenant, from, MAX_RESUME), log.oldest(tenant)]);
      this.send(missed);
      // More missed than a replay carries, or `from` is older than what the capped stream still keeps
      // (batches after it may have been trimmed): the client re-reads everything.
      const trimmed = oldest !== undefined && compareStreamIds(oldest, from) > 0;
      if (missed.length >= MAX_RESUME || trimmed) this.write(resyncFrame(now()));
    } catch {
      this.write(resyncFrame(now()));
    }
    const live = this.pending;
    this.pending = null;
    this.send(live);
  }

  private send(batches: readonly StoredBatch[]): void {
    let out = '';
    for (const b of batches) {
      if (this.lastSent !== undefined && compareStreamIds(b.id, this.lastSent) <= 0) continue;
      out += batchFrames(b);
      this.lastSent = b.id;
    }
    if (out) this.write(out);
  }
}
