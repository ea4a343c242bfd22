/**
 * RFC 3339 times as Go's `time.Parse(time.RFC3339Nano, …)` reads them (what Alertmanager, amtool and
 * Prometheus send): a date, `T` (or `t`; a space too with `lenient`, as go-openapi's DateTime), a time
 * with an optional fraction of up to 9 digits, and `Z` or an offset —
 * `^(\d{4})-(\d{2})-(\d{2})([Tt ])(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$`. Unlike
 * `Date.parse` alone, a date that does not exist (2024-04-31, a 29 February outside a leap year) or an
 * hour 24 is refused, as Go refuses it, instead of rolling over into the next day or month (found by
 * `npm run fuzz`).
 *
 * Read character by character rather than with that regular expression: ingest parses two times per
 * alert, and the match (an array and eleven substrings, each turned into a number) was 3 % of the node's
 * ingest CPU; the spec checks this reading against the expression on generated and mutated inputs.
 */

/** Go's zero time `0001-01-01T00:00:00Z` in epoch ms: what clients send for "unset". */
export const GO_ZERO_TIME_MS = -62135596800000;

function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** The value of the `len` ASCII digits of `s` at `at`, or -1 when one is not a digit. */
function digits(s: string, at: number, len: number): number {
  let v = 0;
  for (let i = at; i < at + len; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

const DASH = 45; // -
const COLON = 58; // :
const DOT = 46; // .
const PLUS = 43; // +

/** Epoch ms of an RFC 3339 time (sub-millisecond digits dropped), or undefined when it is not one. */
export function parseRfc3339(s: string, opts: { lenient?: boolean } = {}): number | undefined {
  const n = s.length;
  // YYYY-MM-DDTHH:MM:SS and at least a one-character zone.
  if (n < 20) return undefined;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (year < 0 || month < 0 || day < 0 || hour < 0 || minute < 0 || second < 0) return undefined;
  if (s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH) return undefined;
  if (s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return undefined;
  const t = s[10];
  if (t !== 'T' && t !== 't' && !(t === ' ' && opts.lenient)) return undefined;
  // The fraction: '.' and 1 to 9 digits; its first three are the milliseconds.
  let at = 19;
  let ms = 0;
  if (s.charCodeAt(at) === DOT) {
    let k = at + 1;
    while (k < n && k - at <= 9) {
      const d = s.charCodeAt(k) - 48;
      if (d < 0 || d > 9) break;
      if (k - at <= 3) ms += d * (k - at === 1 ? 100 : k - at === 2 ? 10 : 1);
      k++;
    }
    if (k === at + 1) return undefined; // '.' without a digit
    at = k;
  }
  // The zone: Z, or ±HH:MM, and nothing after it.
  let offset = 0;
  const z = s[at];
  if (z === 'Z' || z === 'z') {
    if (at + 1 !== n) return undefined;
  } else if (z === '+' || z === '-') {
    if (at + 6 !== n || s.charCodeAt(at + 3) !== COLON) return undefined;
    const oh = digits(s, at + 1, 2);
    const om = digits(s, at + 4, 2);
    if (oh < 0 || om < 0) return undefined;
    if (oh > 23 || om > 59) return undefined;
    offset = (s.charCodeAt(at) === PLUS ? 1 : -1) * (oh * 60 + om) * 60_000;
  } else {
    return undefined;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  // Date.UTC maps years 0–99 to 1900–1999: those (never sent in practice) go through Date.parse.
  if (year < 100) {
    const parsed = Date.parse(t === ' ' ? s.replace(' ', 'T') : s);
    return Number.isFinite(parsed) ? parsed : undefined;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}
