const UNITS: ReadonlyArray<[string, number]> = [
  ['y', 365 * 24 * 3600_000],
  ['w', 7 * 24 * 3600_000],
  ['d', 24 * 3600_000],
  ['h', 3600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

// Same shape as Prometheus' model.ParseDuration: units in descending order, each at most once.
const DURATION_RE = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Parses a Prometheus/Alertmanager duration (`model.Duration`) such as `1h30m` or `0` into milliseconds.
 * Throws an Error naming the input when it is not valid.
 */
export function parseDuration(s: string): number {
  if (typeof s !== 'string' || s === '') throw new Error('empty duration string');
  if (s === '0') return 0;
  const m = DURATION_RE.exec(s);
  if (!m) {
    throw new Error(
      `not a valid duration string: ${JSON.stringify(s)} (expected e.g. 30s, 5m, 1h30m; units y w d h m s ms)`,
    );
  }
  let ms = 0;
  for (let i = 0; i < UNITS.length; i++) {
    if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * UNITS[i][1];
  }
  if (!Number.isSafeInteger(ms)) throw new Error(`duration out of range: ${JSON.stringify(s)}`);
  return ms;
}

/** Formats milliseconds the way Prometheus prints a `model.Duration` (`1h30m`, `90d`, `0s`). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.trunc(Math.abs(ms));
  let out = ms < 0 ? '-' : '';
  for (const [unit, mult] of UNITS) {
    // Years and weeks only when exact: 90d reads better than 12w6d.
    if ((unit === 'y' || unit === 'w') && rest % mult !== 0) continue;
    const v = Math.floor(rest / mult);
    if (v > 0) {
      out += `${v}${unit}`;
      rest -= v * mult;
    }
  }
  return out;
}
