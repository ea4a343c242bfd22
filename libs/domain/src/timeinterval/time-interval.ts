import { daysInMonth, wallClock, type WallClock } from './wall-clock';

/** An inclusive range of integers (weekdays, days of month, months, years). */
export interface InclusiveRange {
  readonly start: number;
  readonly end: number;
}

/** Minutes of the day from `start` (inclusive) to `end` (exclusive): 0..1440, so 24:00 is 1440. */
export interface MinuteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * One Alertmanager time interval (`TimeInterval`), parsed: each present field must match, an absent
 * field matches everything, so an interval without fields matches always. Weekdays 0 = Sunday;
 * days of month 1..31 or -31..-1 counted from the month's end; months 1..12; `location` an IANA name,
 * `UTC` or `Local` (absent: UTC).
 */
export interface TimeInterval {
  readonly times?: readonly MinuteRange[];
  readonly weekdays?: readonly InclusiveRange[];
  readonly daysOfMonth?: readonly InclusiveRange[];
  readonly months?: readonly InclusiveRange[];
  readonly years?: readonly InclusiveRange[];
  readonly location?: string;
}

/** A named time interval (`time_intervals` entry): it contains an instant when any of its specs does. */
export interface NamedTimeInterval {
  readonly name: string;
  readonly timeIntervals: readonly TimeInterval[];
}

// Plain loops, no closures: a year-long sweep calls these tens of millions of times.
function inAny(ranges: readonly InclusiveRange[], n: number): boolean {
  for (let i = 0; i < ranges.length; i++) if (n >= ranges[i].start && n <= ranges[i].end) return true;
  return false;
}

function inTimes(ranges: readonly MinuteRange[], minute: number): boolean {
  for (let i = 0; i < ranges.length; i++)
    if (minute >= ranges[i].start && minute < ranges[i].end) return true;
  return false;
}

const clamp = (n: number, min: number, max: number): number => (n <= min ? min : n >= max ? max : n);

/**
 * Alertmanager's `ContainsTime`: whether `ms` (epoch milliseconds) lies in the interval, judged on the
 * wall clock of the interval's location.
 */
export function containsTime(ti: TimeInterval, ms: number): boolean {
  const t = wallClock(ms, ti.location);
  if (ti.times && !inTimes(ti.times, t.hour * 60 + t.minute)) return false;
  if (ti.daysOfMonth && !inDaysOfMonth(ti.daysOfMonth, t)) return false;
  if (ti.months && !inAny(ti.months, t.month)) return false;
  if (ti.weekdays && !inAny(ti.weekdays, t.weekday)) return false;
  if (ti.years && !inAny(ti.years, t.year)) return false;
  return true;
}

// Negative days count back from the month's length (-1 = last day). A range starting after the month's
// end matches nothing that month (30:31 in February); otherwise both ends are clamped to the month, so
// -31:31 is "every day" in a 30-day month. Same arithmetic as Alertmanager, clamp bounds included.
function inDaysOfMonth(ranges: readonly InclusiveRange[], t: WallClock): boolean {
  const dim = daysInMonth(t.year, t.month);
  for (const r of ranges) {
    let begin = r.start < 0 ? dim + r.start + 1 : r.start;
    let end = r.end < 0 ? dim + r.end + 1 : r.end;
    if (begin > dim) continue;
    begin = clamp(begin, -dim, dim);
    end = clamp(end, -dim, dim);
    if (t.day >= begin && t.day <= end) return true;
  }
  return false;
}

/** Whether any spec of the named interval contains `ms`; an interval with no specs contains nothing. */
export function namedIntervalContains(ti: NamedTimeInterval, ms: number): boolean {
  for (let i = 0; i < ti.timeIntervals.length; i++) if (containsTime(ti.timeIntervals[i], ms)) return true;
  return false;
}
