import { formatDuration, parseDuration } from './duration';

describe('parseDuration', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['30s', 30_000],
    ['5m', 300_000],
    ['4h', 14_400_000],
    ['1h30m', 5_400_000],
    ['250ms', 250],
    ['1d', 86_400_000],
    ['2w', 14 * 86_400_000],
    ['1y', 365 * 86_400_000],
    [
      '1y2w3d4h5m6s7ms',
      365 * 86_400_000 + 14 * 86_400_000 + 3 * 86_400_000 + 4 * 3_600_000 + 5 * 60_000 + 6_007,
    ],
  ])('parses %s', (s, ms) => {
    expect(parseDuration(s)).toBe(ms);
  });

  it.each(['', '1', '5 m', '-5m', '1.5h', '1m1h', '5M', '1s1s', 'abc', '1hh'])('rejects %j', (s) => {
    expect(() => parseDuration(s)).toThrow(/duration/);
  });

  it('rejects overflow', () => {
    expect(() => parseDuration('99999999999999y')).toThrow(/out of range/);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [250, '250ms'],
    [30_000, '30s'],
    [5_400_000, '1h30m'],
    [86_400_000, '1d'],
    [90 * 86_400_000, '90d'],
    [14 * 86_400_000, '2w'],
    [365 * 86_400_000, '1y'],
    [3_723_004, '1h2m3s4ms'],
  ])('formats %d as %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });

  it('round-trips', () => {
    for (const s of ['1h30m', '4h', '5m', '30s', '1y', '2w', '3d4h'])
      expect(formatDuration(parseDuration(s))).toBe(s);
  });
});
