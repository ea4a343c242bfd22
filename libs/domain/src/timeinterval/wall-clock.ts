/**
 * The wall clock of an instant in a time zone, as Go's `t.In(loc)` gives it: year, month, day, hour,
 * minute and weekday of the local time. On a spring-forward day the skipped hour never shows; on a
 * fall-back day the repeated hour shows twice, because the conversion goes instant → local time.
 */
export interface WallClock {
  readonly year: number;
  /** 1 = January. */
  readonly month: number;
  /** 1..31. */
  readonly day: number;
  /** 0..23. */
  readonly hour: number;
  /** 0..59. */
  readonly minute: number;
  /** 0 = Sunday (Go's `time.Weekday`). */
  readonly weekday: number;
}

/** The zone names Alertmanager gives a meaning of its own; anything else is an IANA name. */
export const UTC_ZONE = 'UTC';
export const LOCAL_ZONE = 'Local';

const HOUR = 3_600_000;

interface ZoneCache {
  readonly format: Intl.DateTimeFormat;
  /** The UTC hour last looked at, and the zone's offset (ms) throughout it; null: it changes inside. */
  hour: number;
  offset: number | null;
  /** The last instant converted and its wall clock: every stage of a flush asks about the same `now`. */
  lastAt: number;
  last: WallClock | null;
}

// One formatter per zone: building an Intl.DateTimeFormat costs far more than using one, and this runs
// on the flush path. The zones come from the config, so the map stays as small as the config.
const zones = new Map<string, ZoneCache>();
const utc: { lastAt: number; last: WallClock | null } = { lastAt: NaN, last: null };

function zoneCache(zone: string): ZoneCache {
  let z = zones.get(zone);
  if (!z) {
    const format = new Intl.DateTimeFormat('en-US', {
      // `Local` is the process's zone (TZ or /etc/localtime), as Go's time.Local.
      timeZone: zone === LOCAL_ZONE ? undefined : zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    z = { format, hour: NaN, offset: null, lastAt: NaN, last: null };
    zones.set(zone, z);
  }
  return z;
}

/** Throws a RangeError when the runtime does not know `zone` (an IANA name, `UTC` or `Local`). */
export function checkZone(zone: string): void {
  zoneCache(zone);
}

/**
 * The wall clock of `ms` (epoch milliseconds) in `zone`: an IANA name, `UTC` or `Local`; absent means UTC
 * (Alertmanager evaluates an interval without a location in UTC, not in the server's zone).
 */
export function wallClock(ms: number, zone?: string): WallClock {
  if (zone === undefined || zone === UTC_ZONE) {
    if (utc.lastAt !== ms || !utc.last) utc.last = utcWallClock(ms);
    utc.lastAt = ms;
    return utc.last;
  }
  const z = zoneCache(zone);
  if (z.lastAt === ms && z.last) return z.last;
  // Intl is exact but slow (µs): ask it for the offset at the first and the last second of the UTC hour
  // and, when they agree, shift by that offset for every instant of the hour (zones change offset at most
  // once in an hour). An hour holding a change asks Intl for each instant.
  const hour = Math.floor(ms / HOUR) * HOUR;
  if (z.hour !== hour) {
    const first = offsetAt(z.format, hour);
    z.offset = first === offsetAt(z.format, hour + HOUR - 1000) ? first : null;
    z.hour = hour;
  }
  z.last = utcWallClock(ms + (z.offset ?? offsetAt(z.format, ms)));
  z.lastAt = ms;
  return z.last;
}

/** The zone's offset from UTC at `ms`, in ms (to the second, as tz data has it). */
function offsetAt(format: Intl.DateTimeFormat, ms: number): number {
  let year = 0;
  let month = 0;
  let day = 0;
  let hour = 0;
  let minute = 0;
  let second = 0;
  for (const p of format.formatToParts(ms)) {
    const n = Number(p.value);
    if (p.type === 'year') year = n;
    else if (p.type === 'month') month = n;
    else if (p.type === 'day') day = n;
    else if (p.type === 'hour') hour = n;
    else if (p.type === 'minute') minute = n;
    else if (p.type === 'second') second = n;
  }
  const local = daysFromCivil(year, month, day) * 86_400_000 + ((hour * 60 + minute) * 60 + second) * 1000;
  return local - (ms - (((ms % 1000) + 1000) % 1000));
}

function utcWallClock(ms: number): WallClock {
  const d = new Date(ms);
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    day: d.getUTCDate(),
    hour: d.getUTCHours(),
    minute: d.getUTCMinutes(),
    weekday: d.getUTCDay(),
  };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's days_from_civil): no Date, no 19xx quirk. */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** 0 = Sunday; 1970-01-01 was a Thursday. */
export function weekdayOf(year: number, month: number, day: number): number {
  return (((daysFromCivil(year, month, day) + 4) % 7) + 7) % 7;
}

/** Days in the month: calendar arithmetic, so a DST change inside the month cannot shorten it. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
