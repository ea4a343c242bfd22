import type { RedisClient } from './redis-connection';

/** Due times published per channel message at most: one message carries the earliest of a turn. */
const MAX_DUE_TEXT = 20;

/**
 * Cross-node scheduler wake-ups over Redis pub/sub. A node without the `scheduler` role (an `api` node)
 * cannot wake a scheduler in its own process when its ingest sets a group due soon (`group_wait: 0s`, a
 * parked half pulled back); without this the schedulers find it at their next poll (4 s by default, 12 s
 * with 48 cluster buckets). The due index stays the truth: a lost message only delays a flush to the
 * poll, a duplicate one only arms a timer that is already armed.
 *
 * Publishing is fire-and-forget and coalesced: the due times set within one event-loop turn go out as
 * one PUBLISH of the earliest (ingest requests that set nothing due, the steady state, send nothing).
 * Classic PUBLISH reaches subscribers on every node of a Redis Cluster.
 */
export class RedisDueWakeChannel {
  private pending = Infinity;
  private scheduled = false;
  /** Publishes that failed (Redis away: the poll covers it); read by tests and metrics. */
  failures = 0;

  /**
   * `redis` publishes; `subscriber` makes the connection `subscribe` uses (a client of the same
   * deployment, made by `createRedisClient`, unconnected).
   */
  constructor(
    private readonly redis: RedisClient,
    readonly channel: string,
    private readonly subscriber: () => RedisClient = () => {
      throw new Error('RedisDueWakeChannel: no subscriber connection');
    },
  ) {}

  /** The channel of the deployment using `prefix` (the key prefix: one channel per Herald deployment). */
  static channelOf(prefix: string): string {
    return `${prefix}:due-wake`;
  }

  publish(dueAt: number): void {
    if (!Number.isFinite(dueAt)) return;
    if (dueAt < this.pending) this.pending = dueAt;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      const due = this.pending;
      this.pending = Infinity;
      this.scheduled = false;
      this.redis.publish(this.channel, String(Math.round(due))).catch(() => {
        this.failures++;
      });
    });
  }

  /**
   * Subscribes on a connection of its own (a subscribed connection runs no other command) and calls
   * `onDue` with each due time received. Subscribes again whenever the connection is ready (after a
   * reconnect; SUBSCRIBE twice is harmless), so a Redis that is away at start-up is picked up when it
   * comes. Resolves once subscribed, or once the first connection attempt failed, with the function
   * that closes the connection.
   */
  async subscribe(onDue: (dueAt: number) => void): Promise<() => void> {
    const sub = this.subscriber();
    sub.on('error', () => undefined); // reconnects are the client's; the poll covers the gap
    sub.on('message', (channel: string, text: string) => {
      if (channel !== this.channel || text.length > MAX_DUE_TEXT) return;
      const due = Number(text);
      if (Number.isFinite(due)) onDue(due);
    });
    const ensure = () =>
      sub.subscribe(this.channel).then(
        () => undefined,
        () => undefined,
      );
    sub.on('ready', () => void ensure());
    try {
      await sub.connect();
      await ensure();
    } catch {
      // Not reachable now: the client keeps reconnecting and subscribes when ready.
    }
    return () => sub.disconnect();
  }
}
