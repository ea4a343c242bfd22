import { GO_ZERO_TIME_MS, parseRfc3339 } from './rfc3339';

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
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pad = (v: number, w: number) => String(v).padStart(w, '0');
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
