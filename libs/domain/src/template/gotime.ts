// Go's time.Time and time.Duration as far as templates use them: String(), Format with Go layouts,
// In a zone, Sub/Since. Nanosecond precision is kept beside the millisecond epoch.
import { GoCallError, GoFloat, GoMethod, GoStruct } from './values';

const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const pad = (n: number, w: number, c = '0'): string => String(n).padStart(w, c);
const MAX_NS = (1n << 63n) - 1n;
const MIN_NS = -(1n << 63n);

export class GoDuration extends GoStruct {
  readonly goTypeName = 'time.Duration';
  /** Nanoseconds, saturated to int64 as Go's Time.Sub does. */
  readonly ns: bigint;
  constructor(ns: bigint | number) {
    super();
    const n = typeof ns === 'bigint' ? ns : BigInt(Math.round(ns));
    this.ns = n > MAX_NS ? MAX_NS : n < MIN_NS ? MIN_NS : n;
  }
  goFields(): [string, unknown][] {
    return [];
  }
  override goMethod(name: string): GoMethod | undefined {
    if (name === 'String') return { params: [], fn: () => this.toString() };
    if (name === 'Seconds') return { params: [], fn: () => new GoFloat(Number(this.ns) / 1e9) };
    if (name === 'Minutes') return { params: [], fn: () => new GoFloat(Number(this.ns) / 6e10) };
    if (name === 'Hours') return { params: [], fn: () => new GoFloat(Number(this.ns) / 3.6e12) };
    return undefined;
  }
  /** Go's Duration.String: "1h2m3.5s", "1.5ms", "0s". */
  override toString(): string {
    let ns = this.ns;
    if (ns === 0n) return '0s';
    const neg = ns < 0n;
    if (neg) ns = -ns;
    let s: string;
    if (ns < 1_000_000_000n) {
      const [unit, div] = ns < 1000n ? ['ns', 1n] : ns < 1_000_000n ? ['µs', 1000n] : ['ms', 1_000_000n];
      s = fracString(ns, div as bigint) + unit;
    } else {
      const h = ns / 3_600_000_000_000n;
      const m = (ns % 3_600_000_000_000n) / 60_000_000_000n;
      const sec = fracString(ns % 60_000_000_000n, 1_000_000_000n);
      s = (h > 0n ? `${h}h${m}m` : m > 0n ? `${m}m` : '') + sec + 's';
    }
    return neg ? `-${s}` : s;
  }
}

function fracString(n: bigint, div: bigint): string {
  const whole = n / div;
  const frac = n % div;
  if (frac === 0n) return String(whole);
  const digits = String(div).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

export class GoTime extends GoStruct {
  readonly goTypeName = 'time.Time';
  /**
   * @param ms   Unix milliseconds (the instant, floor)
   * @param nsec nanoseconds within the second (0..999 999 999)
   * @param offset zone offset east of UTC in seconds; zone its abbreviation ('' prints the offset)
   */
  constructor(
    readonly ms: number,
    readonly nsec: number,
    readonly offset: number,
    readonly zone: string,
  ) {
    super();
  }
  static zero(): GoTime {
    return new GoTime(-62135596800000, 0, 0, 'UTC');
  }
  /** Parses RFC 3339 (what Go's JSON decoding of time.Time accepts). */
  static parseRFC3339(s: string): GoTime {
    const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
    if (!m)
      throw new GoCallError(`parsing time ${JSON.stringify(s)} as "2006-01-02T15:04:05Z07:00": cannot parse`);
    const d = new Date(0);
    d.setUTCFullYear(+m[1], +m[2] - 1, +m[3]);
    d.setUTCHours(+m[4], +m[5], +m[6], 0);
    const nsec = m[7] ? Number((m[7].slice(1) + '000000000').slice(0, 9)) : 0;
    let offset = 0;
    let zone = 'UTC';
    if (m[8] !== 'Z' && m[8] !== 'z') {
      offset = (m[8][0] === '-' ? -1 : 1) * (+m[8].slice(1, 3) * 3600 + +m[8].slice(4, 6) * 60);
      zone = '';
    }
    return new GoTime(d.getTime() - offset * 1000 + Math.floor(nsec / 1e6), nsec, offset, zone);
  }
  isZero(): boolean {
    return this.ms === -62135596800000 && this.nsec === 0;
  }
  /** Unix nanoseconds (exact). */
  unixNano(): bigint {
    return BigInt(Math.floor(this.ms / 1000)) * 1_000_000_000n + BigInt(this.nsec);
  }
  goFields(): [string, unknown][] {
    return [];
  }
  override goMethod(name: string): GoMethod | undefined {
    switch (name) {
      case 'String':
        return { params: [], fn: () => this.toString() };
      case 'Format':
        return { params: ['string'], fn: (l) => this.format(l as string) };
      case 'UTC':
        return { params: [], fn: () => new GoTime(this.ms, this.nsec, 0, 'UTC') };
      case 'Unix':
        return { params: [], fn: () => Math.floor(this.ms / 1000) };
      case 'UnixMilli':
        return { params: [], fn: () => this.ms };
      case 'IsZero':
        return { params: [], fn: () => this.isZero() };
      case 'Year':
        return { params: [], fn: () => this.wall().getUTCFullYear() };
      case 'Sub':
        return { params: ['time'], fn: (o) => new GoDuration(this.unixNano() - (o as GoTime).unixNano()) };
      case 'Before':
        return { params: ['time'], fn: (o) => this.unixNano() < (o as GoTime).unixNano() };
      case 'After':
        return { params: ['time'], fn: (o) => this.unixNano() > (o as GoTime).unixNano() };
      case 'Equal':
        return { params: ['time'], fn: (o) => this.unixNano() === (o as GoTime).unixNano() };
    }
    return undefined;
  }
  override toString(): string {
    return this.format('2006-01-02 15:04:05.999999999 -0700 MST');
  }
  /** The wall clock in this time's zone, as a UTC Date. */
  private wall(): Date {
    return new Date(this.ms + this.offset * 1000);
  }
  /** Go's Time.Format with a reference-time layout. */
  format(layout: string): string {
    const w = this.wall();
    const Y = w.getUTCFullYear();
    const Mo = w.getUTCMonth();
    const D = w.getUTCDate();
    const h = w.getUTCHours();
    const mi = w.getUTCMinutes();
    const s = w.getUTCSeconds();
    const wd = w.getUTCDay();
    const jan1 = new Date(0);
    jan1.setUTCFullYear(Y, 0, 1);
    const yday =
      Math.floor((Date.UTC(1970, Mo, D) - Date.UTC(1970, 0, 1)) / 864e5) + 1 + (isLeap(Y) && Mo >= 2 ? 1 : 0);
    void jan1;
    let out = '';
    let i = 0;
    const off = (colon: boolean, secs: boolean, z: boolean, short: boolean): string => {
      if (z && this.offset === 0) return 'Z';
      const a = Math.abs(this.offset);
      const sign = this.offset < 0 ? '-' : '+';
      const hh = pad(Math.floor(a / 3600), 2);
      const mm = pad(Math.floor((a % 3600) / 60), 2);
      const ss = pad(a % 60, 2);
      if (short) return sign + hh;
      return sign + hh + (colon ? ':' : '') + mm + (secs ? (colon ? ':' : '') + ss : '');
    };
    const chunks: [string, () => string][] = [
      ['January', () => MONTHS[Mo]],
      ['Jan', () => MONTHS[Mo].slice(0, 3)],
      ['Monday', () => DAYS[wd]],
      ['Mon', () => DAYS[wd].slice(0, 3)],
      ['MST', () => this.zone || off(false, false, false, false)],
      ['2006', () => pad(Y, 4)],
      ['-07:00:00', () => off(true, true, false, false)],
      ['-070000', () => off(false, true, false, false)],
      ['-07:00', () => off(true, false, false, false)],
      ['-0700', () => off(false, false, false, false)],
      ['-07', () => off(false, false, false, true)],
      ['Z07:00:00', () => off(true, true, true, false)],
      ['Z070000', () => off(false, true, true, false)],
      ['Z07:00', () => off(true, false, true, false)],
      ['Z0700', () => off(false, false, true, false)],
      ['Z07', () => off(false, false, true, true)],
      ['002', () => pad(yday, 3)],
      ['01', () => pad(Mo + 1, 2)],
      ['02', () => pad(D, 2)],
      ['03', () => pad(h % 12 === 0 ? 12 : h % 12, 2)],
      ['04', () => pad(mi, 2)],
      ['05', () => pad(s, 2)],
      ['06', () => pad(Y % 100, 2)],
      ['15', () => pad(h, 2)],
      ['_2', () => pad(D, 2, ' ')],
      ['1', () => String(Mo + 1)],
      ['2', () => String(D)],
      ['3', () => String(h % 12 === 0 ? 12 : h % 12)],
      ['4', () => String(mi)],
      ['5', () => String(s)],
      ['PM', () => (h >= 12 ? 'PM' : 'AM')],
      ['pm', () => (h >= 12 ? 'pm' : 'am')],
    ];
    outer: while (i < layout.length) {
      // Fractional seconds: .000 / ,000 (fixed) or .999 / ,999 (trailing zeros trimmed), only after a digit boundary.
      const frac = /^[.,](0+|9+)(?![0-9])/.exec(layout.slice(i));
      if (frac) {
        const n = frac[1].length;
        const digits = pad(this.nsec, 9).slice(0, n);
        if (frac[1][0] === '0') out += layout[i] + digits;
        else {
          const t = digits.replace(/0+$/, '');
          if (t) out += layout[i] + t;
        }
        i += frac[0].length;
        continue;
      }
      for (const [k, f] of chunks) {
        if (layout.startsWith(k, i)) {
          // Go only reads "Jan"/"Mon" if not followed by a lower-case letter (e.g. "Janet").
          if ((k === 'Jan' || k === 'Mon') && /[a-z]/.test(layout[i + k.length] ?? '')) continue;
          out += f();
          i += k.length;
          continue outer;
        }
      }
      out += layout[i++];
    }
    return out;
  }
  /** This instant in IANA zone `name` (Go's time.LoadLocation + In). */
  inZone(name: string): GoTime {
    if (name === '' || name === 'UTC') return new GoTime(this.ms, this.nsec, 0, 'UTC');
    let parts: Intl.DateTimeFormatPart[];
    try {
      parts = new Intl.DateTimeFormat('en-US', {
        timeZone: name,
        timeZoneName: 'longOffset',
      }).formatToParts(new Date(this.ms));
    } catch {
      throw new GoCallError(`unknown time zone ${name}`);
    }
    const tzn = parts.find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
    const m = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(tzn);
    const offset = m && m[1] ? (m[1] === '-' ? -1 : 1) * (+m[2] * 3600 + +m[3] * 60) : 0;
    const short =
      new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'short' })
        .formatToParts(new Date(this.ms))
        .find((p) => p.type === 'timeZoneName')?.value ?? '';
    // Intl only knows some abbreviations (EST, PST…); tzdata writes others numerically ("+03").
    let zone = /^[A-Z]{3,5}$/.test(short) && short !== 'GMT' ? short : '';
    if (short === 'GMT' && offset === 0) zone = 'GMT';
    if (!zone) {
      const a = Math.abs(offset);
      zone =
        (offset < 0 ? '-' : '+') +
        pad(Math.floor(a / 3600), 2) +
        (a % 3600 ? pad(Math.floor((a % 3600) / 60), 2) : '');
    }
    return new GoTime(this.ms, this.nsec, offset, zone);
  }
}

function isLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}
