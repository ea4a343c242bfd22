import {
  Inject,
  Injectable,
  Logger,
  Optional,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import type { Clock, FlushRunner, FlushStore } from '@herald/domain';
import type { HeraldMetrics } from '@herald/observability';
import { FailoverFlushStore } from '@herald/redis';
import { CLOCK } from '../clock/clock.module';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import { FLUSH_STORE } from '../store/group-store.module';
import { DUE_WAKE_SOURCE, FLUSH_RUNNER, type DueWake, type DueWakeSource } from './flush.tokens';

/**
 * `herald.scheduler.poll` when absent: one tick per due bucket (4 s for 16 buckets at the 250 ms tick):
 * a poll reads one key per bucket, so an idle node sends one command per tick on average (4/s by
 * default; the runner reads the lease keys every lease / 3 besides: 16 per 10 s).
 */
export function defaultPoll(tick: number, dueBuckets: number): number {
  return tick * Math.max(1, dueBuckets);
}

/**
 * The `scheduler` role (AppModule loads FlushModule only on such nodes): runs the flush runner's ticks,
 * one at a time, when something is due — claims make each flush happen on one node.
 *
 * A tick is due at the earliest of: a due time this node's ingest set (`wakeAt`), the next due time the
 * previous tick learned (the heads of the due index, the retry of what it could not claim or lock), and
 * the poll — the look at every bucket's head that finds what other nodes scheduled (their ingest and
 * flushes, a crashed claimer's lapsed leases). `api` nodes without a scheduler publish the due times
 * their ingest sets (`DUE_WAKE_SOURCE`), so those wake this node too instead of waiting for the poll.
 * One timer, moved earlier by a wake; a wake during a tick runs the next tick as soon as this one ends.
 */
@Injectable()
export class FlushScheduler implements DueWake, OnApplicationBootstrap, OnApplicationShutdown {
  private readonly log = new Logger('Flush');
  private readonly poll: number;
  private timer?: NodeJS.Timeout;
  /** When the armed timer fires (epoch ms; Infinity: none). */
  private timerAt = Infinity;
  private running?: Promise<void>;
  /** The earliest wake asked for while a tick ran. */
  private wantedAt = Infinity;
  private stopped = true;
  private unsubscribe?: () => void;

  constructor(
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
    @Inject(FLUSH_RUNNER) private readonly runner: FlushRunner,
    @Inject(FLUSH_STORE) private readonly flush: FlushStore,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(HERALD_METRICS) private readonly metrics?: HeraldMetrics,
    @Optional() @Inject(DUE_WAKE_SOURCE) private readonly remote?: DueWakeSource | null,
  ) {
    this.poll = config.herald.scheduler.poll ?? defaultPoll(config.herald.scheduler.tick, flush.dueBuckets);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.stopped = false;
    this.arm(this.clock.now() + this.config.herald.scheduler.tick);
    const unsubscribe = await this.remote?.subscribe((dueAt) => this.wakeAt(dueAt));
    if (this.stopped) unsubscribe?.();
    else this.unsubscribe = unsubscribe;
  }

  wakeAt(dueAt: number): void {
    if (this.stopped) return;
    if (this.running) this.wantedAt = Math.min(this.wantedAt, dueAt);
    else this.arm(dueAt);
  }

  /** Moves the timer to `at` when that is earlier than the armed one. */
  private arm(at: number): void {
    if (this.stopped || at >= this.timerAt) return;
    clearTimeout(this.timer);
    this.timerAt = at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, at - this.clock.now()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.stopped || this.running) return;
    const started = this.clock.now();
    this.running = this.tick()
      .then((nextDueAt) => {
        this.running = undefined;
        const at = Math.min(nextDueAt ?? Infinity, this.wantedAt, started + this.poll);
        this.wantedAt = Infinity;
        this.arm(at);
      })
      .catch(() => undefined);
  }

  private async tick(): Promise<number | undefined> {
    try {
      if (this.flush instanceof FailoverFlushStore) await this.flush.sync(); // merge what an outage left
      const t0 = performance.now();
      const res = await this.runner.tick();
      this.metrics?.recordFlush(res, (performance.now() - t0) / 1000);
      return res.nextDueAt;
    } catch (e) {
      this.log.warn(`flush tick failed: ${e instanceof Error ? e.message : String(e)}`);
      return this.clock.now() + this.config.herald.scheduler.tick; // try again after the tick
    }
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = Infinity;
    await this.running;
  }
}
