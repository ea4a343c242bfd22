import { GO_ZERO_TIME_MS, parseRfc3339 } from './rfc3339';

/** A seeded generator of integers below n (a linear congruential one: the same inputs every run). */
function randomInts(seed: number): (n: number) => number {
  let x = seed;
  return (n) => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x % n;
  };
}

const pad = (v: number, w: number) => String(v).padStart(w, '0');

describe('parseRfc3339 (Go time.Parse RFC3339Nano)', () => {
  it.each([
    ['2026-11-30T17:35:54Z', Date.UTC(2026, 10, 30, 17, 35, 54)],
    ['2026-11-30T17:35:54.123456789+02:00', Date.UTC(2026, 10, 30, 15, 35, 54, 123)],
    ['2024-02-29T00:00:00z', Date.UTC(2024, 1, 29)],
    ['0001-01-01T00:00:00Z', GO_ZERO_TIME_MS],
  ])('reads %s', (s, ms) => expect(parseRfc3339(s)).toBe(ms));

  it.each([
    '2024-04-31T00:00:00Z', // regression: Date.parse rolled it over into 1 May
    '2023-02-29T00:00:00Z',
    '2024-01-01T24:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-01-01T00:60:00Z',
    '2024-01-01T00:00:00+24:00',
    '2024-01-01T00:00:00',
    '2024-01-01 00:00:00Z',
    'tomorrow',
  ])('refuses %s', (s) => expect(parseRfc3339(s)).toBeUndefined());

  it('takes a space for T when lenient (go-openapi DateTime)', () => {
    expect(parseRfc3339('2024-01-01 00:00:00Z', { lenient: true })).toBe(Date.UTC(2024, 0, 1));
  });
});

describe('parseRfc3339 computes the time itself', () => {
  it('agrees with Date.parse on 5 000 random valid times (fractions, offsets, years 0–9999)', () => {
    const rnd = randomInts(42);
    for (let i = 0; i < 5000; i++) {
      const year = i % 10 === 0 ? rnd(10000) : 1970 + rnd(100);
      const month = 1 + rnd(12);
      const day = 1 + rnd(28);
      const frac = rnd(3) === 0 ? '' : '.' + pad(rnd(10 ** 9), 9).slice(0, 1 + rnd(9));
      const zone = rnd(2) === 0 ? 'Z' : `${rnd(2) ? '+' : '-'}${pad(rnd(24), 2)}:${pad(rnd(60), 2)}`;
      const s = `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}T${pad(rnd(24), 2)}:${pad(rnd(60), 2)}:${pad(rnd(60), 2)}${frac}${zone}`;
      expect([s, parseRfc3339(s)]).toEqual([s, Date.parse(s)]);
    }
  });
});

describe('parseRfc3339 reads what the RFC 3339 expression accepts', () => {
  // The regular expression the parser replaced (Go's RFC3339Nano layout), kept as the reference.
  const RFC3339 =
    /^(\d{4})-(\d{2})-(\d{2})([Tt ])(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-](\d{2}):(\d{2}))$/;
  const daysIn = (y: number, m: number) => new Date(Date.UTC(y, m, 0)).getUTCDate();
  const reference = (s: string, lenient: boolean): number | undefined => {
    const m = RFC3339.exec(s);
    if (!m || (m[4] === ' ' && !lenient)) return undefined;
    const [year, month, day, hour, minute, second] = [1, 2, 3, 5, 6, 7].map((i) => Number(m[i]));
    if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
    if (year >= 100 && day > daysIn(year, month)) return undefined;
    let offset = 0;
    if (m[10] !== undefined) {
      if (Number(m[10]) > 23 || Number(m[11]) > 59) return undefined;
      offset = (m[9][0] === '-' ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    }
    if (year < 100) {
      if (day > (month === 2 ? (year % 4 === 0 ? 29 : 28) : daysIn(2001, month))) return undefined;
      const parsed = Date.parse(m[4] === ' ' ? s.replace(' ', 'T') : s);
      return Number.isFinite(parsed) ? parsed : undefined;
    }
    const ms = m[8] === undefined ? 0 : Number((m[8] + '00').slice(1, 4));
    return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
  };

  it('agrees with it on 20 000 valid times and one-character mutations of them', () => {
    const rnd = randomInts(7);
    const alphabet = '0123456789-:.TtZz+ x\u0660';
    for (let i = 0; i < 20_000; i++) {
      const frac = rnd(3) === 0 ? '' : '.' + pad(rnd(10 ** 9), 9).slice(0, 1 + rnd(10));
      const zone = rnd(3) === 0 ? 'Z' : `${rnd(2) ? '+' : '-'}${pad(rnd(26), 2)}:${pad(rnd(62), 2)}`;
      let s =
        `${pad(rnd(3) === 0 ? rnd(10000) : 1970 + rnd(100), 4)}-${pad(rnd(14), 2)}-${pad(rnd(33), 2)}` +
        `${'Tt '[rnd(3)]}${pad(rnd(26), 2)}:${pad(rnd(62), 2)}:${pad(rnd(62), 2)}${frac}${zone}`;
      if (rnd(2) === 0) {
        const at = rnd(s.length + 1);
        const op = rnd(3);
        const c = alphabet[rnd(alphabet.length)];
        s =
          op === 0
            ? s.slice(0, at) + c + s.slice(at + 1)
            : op === 1
              ? s.slice(0, at) + c + s.slice(at)
              : s.slice(0, at) + s.slice(at + 1);
      }
      for (const lenient of [false, true]) {
        expect([s, lenient, parseRfc3339(s, { lenient })]).toEqual([s, lenient, reference(s, lenient)]);
      }
    }
  });
});
