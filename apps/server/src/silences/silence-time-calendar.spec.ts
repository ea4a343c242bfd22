import { HeraldHttpError } from '../http/http-error';
import { parseTime } from './silence-wire';

/**
 * Found by `npm run fuzz` (mutated-silences, seed 2633): `startsAt: "2024-04-31T00:00:00Z"` was stored
 * as May 1st. parseTime relied on Date.parse, which rolls a day past the month's end over into the
 * next month and reads hour 24 as the next midnight; Go's time.Parse (Alertmanager) refuses both, so
 * the silence must be refused naming the field instead of silencing another window than asked.
 */
describe('regression: silence times that are not calendar dates are 400, not rolled over', () => {
  const refused = (text: string) => {
    try {
      parseTime(text, 'startsAt');
    } catch (e) {
      expect(e).toBeInstanceOf(HeraldHttpError);
      const h = e as HeraldHttpError;
      return { status: h.getStatus(), field: (h.getResponse() as { field?: string }).field };
    }
    return null;
  };

  it.each([
    '2024-02-30T00:00:00Z',
    '2023-02-29T00:00:00Z',
    '1900-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-06-31T12:00:00+02:00',
    '2024-01-01T24:00:00Z',
    '2024-01-01t24:00:00.000z',
  ])('%s → 400 startsAt', (text) => {
    expect(refused(text)).toEqual({ status: 400, field: 'startsAt' });
  });

  it('still reads leap days, month ends and the last second of a day', () => {
    expect(parseTime('2024-02-29T00:00:00Z', 'startsAt')).toBe(Date.UTC(2024, 1, 29));
    expect(parseTime('2000-02-29T00:00:00Z', 'startsAt')).toBe(Date.UTC(2000, 1, 29));
    expect(parseTime('2024-04-30T23:59:59.999Z', 'startsAt')).toBe(Date.UTC(2024, 3, 30, 23, 59, 59, 999));
    expect(parseTime('2024-12-31T23:59:59+01:00', 'startsAt')).toBe(Date.UTC(2024, 11, 31, 22, 59, 59));
    expect(parseTime('0001-01-01T00:00:00Z', 'startsAt')).toBe(0); // Go's zero time: "not set"
  });
});
