import { loadConfig } from '@herald/config';
import { systemClock, type FlushRunner, type FlushStore, type TickResult } from '@herald/domain';
import { defaultPoll, FlushScheduler } from './flush.scheduler';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A scheduler over a stub runner whose ticks take `tickMs` and report `next()` as their nextDueAt. */
function scheduler(opts: { tick?: string; poll?: string; tickMs?: number; next?: () => number | undefined }) {
  const yaml = `herald:\n  scheduler:\n    tick: ${opts.tick ?? '10s'}\n${opts.poll ? `    poll: ${opts.poll}\n` : ''}`;
  const config = loadConfig({ env: {}, hostname: 'h', fileText: yaml });
  const ticks: number[] = [];
  let running = 0;
  let overlapped = false;
  const runner = {
    tick: async (): Promise<TickResult> => {
      if (running++) overlapped = true;
      ticks.push(Date.now());
      await sleep(opts.tickMs ?? 0);
      running--;
      const nextDueAt = opts.next?.();
      return { claimed: 0, notified: 0, skipped: 0, failed: 0, suppressed: {}, nextDueAt };
    },
  } as unknown as FlushRunner;
  const flush = { dueBuckets: 16 } as FlushStore;
  const s = new FlushScheduler(config, runner, flush, systemClock);
  return { s, ticks, overlapped: () => overlapped };
}

describe('FlushScheduler: ticks when something is due, never two at once', () => {
  let stop: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await stop?.();
    stop = undefined;
  });

  it('polls every tick × due buckets when nothing is known due (an idle node: one key per tick)', () => {
    expect(defaultPoll(250, 16)).toBe(4000);
    expect(defaultPoll(250, 48)).toBe(12_000);
  });

  it('a wake runs a tick at that instant instead of at the next poll', async () => {
    const { s, ticks } = scheduler({ tick: '10s' });
    stop = () => s.onApplicationShutdown();
    void s.onApplicationBootstrap();
    const t0 = Date.now();
    s.wakeAt(t0 + 30);
    await sleep(200);
    expect(ticks).toHaveLength(1);
    expect(ticks[0] - t0).toBeGreaterThanOrEqual(25);
    expect(ticks[0] - t0).toBeLessThan(150);
  });

  it('wakes are coalesced: the earliest wins, one tick runs for all of them', async () => {
    const { s, ticks } = scheduler({ tick: '10s' });
    stop = () => s.onApplicationShutdown();
    void s.onApplicationBootstrap();
    const t0 = Date.now();
    for (let i = 0; i < 50; i++) s.wakeAt(t0 + 40 - (i % 5)); // many ingest batches in a row
    s.wakeAt(t0 + 5_000); // later than the armed one: ignored
    await sleep(250);
    expect(ticks).toHaveLength(1);
  });

  it('a wake during a tick runs the next tick right after it, not overlapping', async () => {
    const { s, ticks, overlapped } = scheduler({ tick: '10s', tickMs: 60 });
    stop = () => s.onApplicationShutdown();
    void s.onApplicationBootstrap();
    s.wakeAt(Date.now());
    await sleep(20); // the first tick is running
    s.wakeAt(Date.now());
    s.wakeAt(Date.now());
    await sleep(300);
    expect(ticks).toHaveLength(2);
    expect(ticks[1] - ticks[0]).toBeGreaterThanOrEqual(55);
    expect(overlapped()).toBe(false);
  });

  it('follows the next due time a tick reports, and polls when it reports none', async () => {
    let n = 0;
    const { s, ticks } = scheduler({
      tick: '10s',
      poll: '100ms',
      next: () => (++n === 1 ? Date.now() + 20 : undefined),
    });
    stop = () => s.onApplicationShutdown();
    void s.onApplicationBootstrap();
    s.wakeAt(Date.now());
    await sleep(330);
    // The wake, its reported due time 20 ms later, then polls every 100 ms.
    expect(ticks.length).toBeGreaterThanOrEqual(4);
    expect(ticks.length).toBeLessThanOrEqual(6);
    expect(ticks[1] - ticks[0]).toBeLessThan(80);
  });

  it('nothing runs after shutdown, and a wake then is ignored', async () => {
    const { s, ticks } = scheduler({ tick: '20ms' });
    void s.onApplicationBootstrap();
    await s.onApplicationShutdown();
    s.wakeAt(Date.now());
    await sleep(80);
    expect(ticks).toHaveLength(0);
  });
});
