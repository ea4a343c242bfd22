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
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[5]);
  const minute = Number(m[6]);
  const second = Number(m[7]);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (m[10] !== undefined) {
    const oh = Number(m[10]);
    const om = Number(m[11]);
    if (oh > 23 || om > 59) return undefined;
    offset = (m[9][0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  // Date.UTC maps years 0–99 to 1900–1999: those (never sent in practice) go through Date.parse.
  if (year < 100) {
    const parsed = Date.parse(m[4] === ' ' ? s.replace(' ', 'T') : s);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  // Milliseconds: the first three fraction digits (the rest is dropped, as Date.parse does).
  const ms = m[8] === undefined ? 0 : Number((m[8] + '00').slice(1, 4));
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}
