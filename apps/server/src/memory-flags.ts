import { setFlagsFromString } from 'node:v8';

/**
 * V8's old-generation growth for a Herald process (issue 16: node RSS ≤ 1.5× Alertmanager's).
 *
 * Under ingest load every scavenge promotes what is in flight (the requests' body strings, their
 * parsed alerts and Lua arguments, the flush scheduler's reads): ~1.5 MB of every ~14 MB allocated.
 * V8's default growing factor on a machine with a large heap limit (up to 4× the live size after a
 * mark-compact) lets that garbage pile up from ~37 MB live to ~125–165 MB of old space before the next
 * mark-compact, and the pages stay resident: node RSS 230–270 MB at the end of `npm run bench`.
 * Growing by 50 % of the live size instead: ~155–165 MB, for more frequent mark-compacts (README,
 * "Node memory").
 */
export const HEAP_GROWING_PERCENT = 50;

/**
 * V8 flags a node is started with (issue 16: node RSS ≤ 1.5× Alertmanager's): every command line that
 * starts a node puts them before `main.js` — `npm start`, the Dockerfile, the systemd unit, the benches
 * and the cluster harness (memory-flags.spec.ts checks the first three). V8 sizes the young generation
 * when the process starts, so unlike `--heap-growing-percent` main cannot set them itself.
 *
 * `--max-semi-space-size=8` (MB; V8's default on 64-bit is 16): under ingest load the young generation
 * grows to two semi-spaces of the maximum, and all of it stays resident. 8 takes the ingest bench's node
 * RSS from 155–156 to 140–141 MB (Alertmanager 94–95 MB) for twice the scavenges: main-thread GC pauses
 * 1.4–2.0 → 2.3–3.1 µs per alert (README, "Node memory"). Command-line flags win over NODE_OPTIONS: to
 * run a node with another size, change its command line.
 */
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * Sets V8's `--heap-growing-percent` at start: V8 reads it at every mark-compact, and NODE_OPTIONS
 * refuses it, so main sets it, which covers every way a node is started (npm start, Docker, systemd,
 * the benches and the cluster harness). A process started with its own flag (`node
 * --heap-growing-percent=N main.js`; `=0` is V8's own factor) keeps it. Returns the flag set, or null when left alone.
 */
export function boundHeapGrowth(
  execArgv: readonly string[] = process.execArgv,
  set: (flags: string) => void = setFlagsFromString,
): string | null {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent(=|$)/.test(a))) return null;
  const flag = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;
  set(flag);
  return flag;
}
