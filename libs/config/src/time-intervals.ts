// Alertmanager `time_intervals` / `mute_time_intervals`, validated as Alertmanager does and parsed to
// numbers at load time so the mute stage never meets a malformed range at flush time.
import { checkZone, ConfigError, LOCAL_ZONE, UTC_ZONE } from '@herald/domain';
import { asObject, asString, at, checkKeys, idx, optList, show } from './fields';
import type { IntRange, TimeIntervalConfig, TimeIntervalSpec } from './herald-config';

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Parses one `time_intervals` entry: `{ name, time_intervals: [...] }`. */
export function parseNamedTimeInterval(value: unknown, path: string): TimeIntervalConfig {
  const obj = asObject(value, path);
  checkKeys(obj, ['name', 'time_intervals'], path);
  const name = asString(obj.name, at(path, 'name'));
  const listPath = at(path, 'time_intervals');
  const timeIntervals = optList(obj.time_intervals, listPath).map((v, i) =>
    parseTimeInterval(v, idx(listPath, i)),
  );
  return { name, timeIntervals };
}

/** Parses one `{times, weekdays, days_of_month, months, years, location}` spec. */
export function parseTimeInterval(value: unknown, path: string): TimeIntervalSpec {
  const obj = asObject(value, path);
  checkKeys(obj, ['times', 'weekdays', 'days_of_month', 'months', 'years', 'location'], path);
  const spec: { -readonly [K in keyof TimeIntervalSpec]: TimeIntervalSpec[K] } = {};
  if (obj.times != null) {
    spec.times = optList(obj.times, at(path, 'times')).map((t, i) =>
      parseTimeRange(t, idx(at(path, 'times'), i)),
    );
  }
  if (obj.weekdays != null) spec.weekdays = ranges(obj.weekdays, at(path, 'weekdays'), weekday);
  if (obj.days_of_month != null)
    spec.daysOfMonth = ranges(obj.days_of_month, at(path, 'days_of_month'), dayOfMonth, checkDayOrder);
  if (obj.months != null) spec.months = ranges(obj.months, at(path, 'months'), month);
  if (obj.years != null) spec.years = ranges(obj.years, at(path, 'years'), year);
  if (obj.location != null) spec.location = location(obj.location, at(path, 'location'));
  return spec;
}

function parseTimeRange(value: unknown, path: string): IntRange {
  const obj = asObject(value, path);
  checkKeys(obj, ['start_time', 'end_time'], path);
  const start = minuteOfDay(obj.start_time, at(path, 'start_time'));
  const end = minuteOfDay(obj.end_time, at(path, 'end_time'));
  if (start >= end) throw new ConfigError(path, `start_time must be before end_time`);
  return { start, end };
}

// HH:MM, 24h; 24:00 allowed as an end of day (as in Alertmanager).
function minuteOfDay(value: unknown, path: string): number {
  const s = asString(value, path);
  const m = /^([01]?\d|2[0-4]):([0-5]\d)$/.exec(s);
  const minutes = m ? Number(m[1]) * 60 + Number(m[2]) : -1;
  if (!m || minutes > 24 * 60)
    throw new ConfigError(path, `must be a time "HH:MM" (00:00 to 24:00), got ${show(s)}`);
  return minutes;
}

type Item = (s: string, path: string) => number;
type Check = (start: number, end: number, path: string, s: string) => void;

// Each entry is `x` or `x:y`; YAML may hand us numbers for days/months/years.
function ranges(value: unknown, path: string, item: Item, check: Check = checkOrder): IntRange[] {
  return optList(value, path).map((v, i) => {
    const p = idx(path, i);
    if (typeof v !== 'string' && typeof v !== 'number')
      throw new ConfigError(p, `must be a value or range, got ${show(v)}`);
    const s = String(v).trim();
    // A leading '-' is a negative day, not a separator; split on the ':' only.
    const parts = s.split(':');
    if (parts.length > 2) throw new ConfigError(p, `invalid range ${show(s)}`);
    const start = item(parts[0].trim(), p);
    const end = parts.length === 2 ? item(parts[1].trim(), p) : start;
    check(start, end, p, s);
    return { start, end };
  });
}

function checkOrder(start: number, end: number, path: string, s: string): void {
  if (start > end) throw new ConfigError(path, `start of range ${show(s)} is after its end`);
}

// Alertmanager's rules for negative days (counted from the month's end): a negative start needs a
// negative end, and a range that is backwards even in the shortest month (28 days) is refused.
function checkDayOrder(start: number, end: number, path: string, s: string): void {
  if (start < 0 && end > 0)
    throw new ConfigError(path, `end day must be negative if start day is negative, got ${show(s)}`);
  const in28 = (n: number): number => (n < 0 ? 28 + n : n);
  if (in28(start) > in28(end))
    throw new ConfigError(path, `end day ${end} is always before start day ${start} in ${show(s)}`);
}

function weekday(s: string, path: string): number {
  const n = WEEKDAYS.indexOf(s.toLowerCase());
  if (n < 0)
    throw new ConfigError(path, `invalid weekday ${show(s)} (use names like "monday" or "monday:friday")`);
  return n;
}

function dayOfMonth(s: string, path: string): number {
  const n = /^-?\d+$/.test(s) ? Number(s) : NaN;
  if (!Number.isInteger(n) || n === 0 || n < -31 || n > 31) {
    throw new ConfigError(path, `invalid day of month ${show(s)} (1..31 or -31..-1)`);
  }
  return n;
}

function month(s: string, path: string): number {
  const byName = MONTHS.indexOf(s.toLowerCase());
  if (byName >= 0) return byName + 1;
  const n = /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1 && n <= 12)) throw new ConfigError(path, `invalid month ${show(s)} (1..12 or a month name)`);
  return n;
}

function year(s: string, path: string): number {
  const n = /^\d{1,4}$/.test(s) ? Number(s) : NaN;
  if (!(n >= 1)) throw new ConfigError(path, `invalid year ${show(s)}`);
  return n;
}

// `Local` is the server's zone (TZ or /etc/localtime), as in Alertmanager; anything else must be an IANA
// name the runtime knows. Intl also takes names in the wrong case, Go's zone files do not: refuse those.
function location(value: unknown, path: string): string {
  const s = asString(value, path);
  if (s === LOCAL_ZONE || s === UTC_ZONE) return s;
  let known: string;
  try {
    checkZone(s);
    known = new Intl.DateTimeFormat('en-US', { timeZone: s }).resolvedOptions().timeZone;
  } catch {
    throw new ConfigError(path, `unknown time zone ${show(s)} (use an IANA name like "Europe/Berlin")`);
  }
  if (known !== s && known.toLowerCase() === s.toLowerCase())
    throw new ConfigError(path, `unknown time zone ${show(s)} (did you mean ${show(known)}?)`);
  return s;
}
