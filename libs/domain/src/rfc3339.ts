/**
 * RFC 3339 times as Go's `time.Parse(time.RFC3339Nano, …)` reads them (what Alertmanager, amtool and
 * Prometheus send): a date, `T` (or `t`; a space too with `lenient`, as go-openapi's DateTime), a time
 * with an optional fraction of up to 9 digits, and `Z` or an offset. Unlike `Date.parse` alone, a date
 * that does not exist (2024-04-31, a 29 February outside a leap year) or an hour 24 is refused, as Go
 * refuses it, instead of rolling over into the next day or month (found by `npm run fuzz`).
 */
const RFC3339 =
  /^(\d{4})-(\d{2})-(\d{2})([Tt ])(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;

/** Go's zero time `0001-01-01T00:00:00Z` in epoch ms: what clients send for "unset". */
export const GO_ZERO_TIME_MS = -62135596800000;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Epoch ms of an RFC 3339 time (sub-millisecond digits dropped), or undefined when it is not one. */
export function parseRfc3339(s: string, opts: { lenient?: boolean } = {}): number | undefined {
  const m = RFC3339.exec(s);
  if (!m) return undefined;
  if (m[4] === ' ' && !opts.lenient) return undefined;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 5, 6, 7].map((i) => Number(m[i]));
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  if (m[10] !== undefined && (Number(m[10]) > 23 || Number(m[11]) > 59)) return undefined;
  const ms = Date.parse(m[4] === ' ' ? s.replace(' ', 'T') : s);
  return Number.isFinite(ms) ? ms : undefined;
}
