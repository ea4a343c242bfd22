import { inspect } from 'node:util';

export interface WaitOptions {
  /** Give up after this long (default 10 s). */
  timeoutMs?: number;
  /** Time between two checks (default 50 ms). */
  intervalMs?: number;
  /** What is awaited, for the failure message ("3 notifications of group A"). */
  what?: string;
  /** More context for the failure message, read once when the wait gives up (e.g. the sink's requests). */
  detail?: () => unknown;
}

/** What a check returns once it holds (its falsy cases removed). */
export type Truthy<T> = Exclude<T, false | 0 | 0n | '' | null | undefined>;

/**
 * Checks `cond` until it returns a truthy value and returns that value. The one way the tests wait for
 * something to happen (a sink's requests, a metric, a Redis key, a log line, a process becoming ready).
 * A check that throws counts as "not yet"; on timeout the error names what was awaited and the last
 * value (or error) seen.
 */
export async function waitUntil<T>(cond: () => T | Promise<T>, opts: WaitOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, intervalMs = 50, what = 'condition', detail } = opts;
  const deadline = Date.now() + timeoutMs;
  let last: { value?: unknown; error?: unknown } = {};
  for (;;) {
    try {
      const value = await cond();
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() >= deadline) {
      const seen =
        'error' in last && last.error !== undefined
          ? `last error: ${last.error instanceof Error ? last.error.message : inspect(last.error)}`
          : `last value: ${inspect(last.value, { depth: 3, breakLength: Infinity })}`;
      const more = detail ? `; ${inspect(detail(), { depth: 3, breakLength: Infinity })}` : '';
      throw new Error(`waitUntil: ${what} not reached in ${timeoutMs} ms (${seen}${more})`);
    }
    await sleep(Math.min(intervalMs, Math.max(1, deadline - Date.now())));
  }
}

/**
 * A fixed pause. Only where time itself is under test ("nothing more is sent for two group_intervals",
 * "an outage lasts this long"): everything else waits on its condition with `waitUntil`.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
