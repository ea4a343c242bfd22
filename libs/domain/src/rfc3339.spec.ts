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
