import { compareStreamIds, type EventLog, type StoredEvent } from '@herald/domain';

/** Events a resuming client gets from the stream at most; beyond, it is told to re-read everything. */
export const MAX_RESUME = 1000;

/** One event in the SSE wire format: `id`, `event` (its kind) and `data` (JSON). */
export function sseFrame(e: StoredEvent): string {
  const { kind, groupId, silenceId, receiver, at } = e.event;
  const data = { kind, groupId, silenceId, receiver, at: new Date(at).toISOString() };
  return `id: ${e.id}\nevent: ${kind}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * "Re-read everything": sent without an id when a resume could not replay every missed event (more than
 * `MAX_RESUME`, or the stream cannot be read).
 */
export function resyncFrame(at: number): string {
  return `event: group\ndata: ${JSON.stringify({ kind: 'group', at: new Date(at).toISOString(), resync: true })}\n\n`;
}

/**
 * One SSE client's stream: live events of its tenant, and on a reconnect with `Last-Event-ID` first what
 * it missed (read from the stream) — live events arriving meanwhile wait, then anything not newer than
 * what was sent is skipped, so nothing is sent twice or out of order.
 */
export class SseSession {
  private lastSent: string | undefined;
  private pending: StoredEvent[] | null = null;

  constructor(private readonly write: (chunk: string) => void) {}

  /** The listener to subscribe with. */
  readonly onEvents = (events: readonly StoredEvent[]): void => {
    if (this.pending) this.pending.push(...events);
    else this.send(events);
  };

  /** Replays what follows `from`, then the live events that came meanwhile. Subscribe first. */
  async resume(log: EventLog, tenant: string, from: string, now: () => number): Promise<void> {
    this.pending = [];
    this.lastSent = from;
    try {
      const missed = await log.after(tenant, from, MAX_RESUME);
      this.send(missed);
      if (missed.length >= MAX_RESUME) this.write(resyncFrame(now()));
    } catch {
      this.write(resyncFrame(now()));
    }
    const live = this.pending;
    this.pending = null;
    this.send(live);
  }

  private send(events: readonly StoredEvent[]): void {
    let out = '';
    for (const e of events) {
      if (this.lastSent !== undefined && compareStreamIds(e.id, this.lastSent) <= 0) continue;
      out += sseFrame(e);
      this.lastSent = e.id;
    }
    if (out) this.write(out);
  }
}
