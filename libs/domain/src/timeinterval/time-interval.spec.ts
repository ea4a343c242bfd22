import { buildRouteTree } from '../route';
import { RouteTimeIntervalEvaluator } from './route-time-intervals';
import { containsTime, namedIntervalContains, type TimeInterval } from './time-interval';
import { wallClock } from './wall-clock';

const at = (iso: string): number => {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`bad date ${iso}`);
  return ms;
};
const r = (start: number, end = start) => ({ start, end });

// The inputs and outcomes of Alertmanager's TestContainsTime (timeinterval_test.go), one row per case.
const alertmanagerCases: { what: string; ti: TimeInterval; inside: string[]; outside: string[] }[] = [
  {
    what: 'an empty interval',
    ti: {},
    inside: ['2006-01-02T15:04:00Z', '2007-01-03T10:04:00Z', '2006-01-04T09:04:00Z'],
    outside: [],
  },
  {
    what: '9am to 5pm, monday to friday',
    ti: { times: [r(540, 1020)], weekdays: [r(1, 5)] },
    inside: ['2020-05-04T15:04:00Z', '2020-05-05T10:04:00Z', '2020-06-09T09:04:00Z'],
    outside: ['2020-05-03T15:04:00Z', '2020-05-04T08:59:00Z', '2020-05-05T05:00:00Z'],
  },
  {
    what: 'Easter 2020',
    ti: { daysOfMonth: [r(4, 6)], months: [r(4)], years: [r(2020)] },
    inside: ['2020-04-04T15:04:00Z', '2020-04-05T00:00:00Z', '2020-04-06T23:05:00Z'],
    outside: [
      '2018-05-03T15:04:00Z',
      '2020-04-03T23:59:00Z',
      '2020-06-04T23:59:00Z',
      '2019-04-06T23:59:00Z',
      '2020-04-07T00:00:00Z',
    ],
  },
  {
    what: 'the last 3 days of each month',
    ti: { daysOfMonth: [r(-3, -1)] },
    inside: [
      '2020-01-31T15:04:00Z',
      '2020-01-30T15:04:00Z',
      '2020-01-29T15:04:00Z',
      '2020-06-30T00:00:00Z',
      '2020-02-29T23:05:00Z',
    ],
    outside: [
      '2018-05-03T15:04:00Z',
      '2020-01-27T15:04:00Z',
      '2020-04-03T23:59:00Z',
      '2020-06-04T23:59:00Z',
      '2019-04-06T23:59:00Z',
      '2020-04-07T00:00:00Z',
      '2020-03-01T00:00:00Z',
    ],
  },
  {
    what: 'out of bound days clamped to the month (-31:31 in June)',
    ti: { months: [r(6)], daysOfMonth: [r(-31, 31)] },
    inside: ['2020-06-30T00:00:00Z', '2020-06-01T00:00:00Z'],
    outside: ['2020-05-31T00:00:00Z', '2020-07-01T00:00:00Z'],
  },
  {
    what: 'business hours in Australia/Sydney',
    ti: { times: [r(540, 1020)], weekdays: [r(1, 5)], location: 'Australia/Sydney' },
    inside: ['2021-04-06T13:00:00+10:00'],
    outside: ['2021-04-06T13:00:00Z'],
  },
  {
    what: 'business hours in Australia/Sydney under daylight saving, November',
    ti: { times: [r(540, 1020)], weekdays: [r(1, 5)], months: [r(11)], location: 'Australia/Sydney' },
    inside: ['2021-11-01T09:00:00+11:00', '2021-10-31T22:00:00Z'],
    outside: ['2021-10-31T21:00:00Z'],
  },
  {
    what: 'the last day of a spring-forward month in America/New_York',
    ti: { daysOfMonth: [r(-1)], location: 'America/New_York' },
    inside: ['2021-03-31T12:00:00-04:00'],
    outside: ['2021-03-30T12:00:00-04:00'],
  },
];

describe('containsTime (Alertmanager ContainsTime)', () => {
  describe.each(alertmanagerCases)('$what', ({ ti, inside, outside }) => {
    it.each(inside)('contains %s', (t) => expect(containsTime(ti, at(t))).toBe(true));
    if (outside.length) it.each(outside)('excludes %s', (t) => expect(containsTime(ti, at(t))).toBe(false));
  });

  it('ends a time range before its end minute and includes its start minute ([start, end))', () => {
    const ti: TimeInterval = { times: [r(540, 1020)] };
    expect(containsTime(ti, at('2026-05-04T08:59:59.999Z'))).toBe(false);
    expect(containsTime(ti, at('2026-05-04T09:00:00Z'))).toBe(true);
    expect(containsTime(ti, at('2026-05-04T16:59:59.999Z'))).toBe(true);
    expect(containsTime(ti, at('2026-05-04T17:00:00Z'))).toBe(false);
  });

  it('reads 24:00 as the end of the day', () => {
    const ti: TimeInterval = { times: [r(22 * 60, 1440)] };
    expect(containsTime(ti, at('2026-05-04T23:59:59Z'))).toBe(true);
    expect(containsTime(ti, at('2026-05-05T00:00:00Z'))).toBe(false);
  });

  it('skips a day range that starts after the month ends, clamps one that only ends after it', () => {
    expect(containsTime({ daysOfMonth: [r(30, 31)] }, at('2026-02-28T12:00:00Z'))).toBe(false);
    expect(containsTime({ daysOfMonth: [r(29, 31)] }, at('2028-02-29T12:00:00Z'))).toBe(true);
    expect(containsTime({ daysOfMonth: [r(29, 31)] }, at('2026-02-28T12:00:00Z'))).toBe(false);
  });

  it('evaluates an interval without location in UTC, whatever the process zone', () => {
    expect(containsTime({ times: [r(0, 60)] }, at('2026-07-01T00:30:00Z'))).toBe(true);
    expect(containsTime({ times: [r(0, 60)], location: 'UTC' }, at('2026-07-01T00:30:00Z'))).toBe(true);
  });

  it('evaluates location Local in the process zone', () => {
    const zone = new Intl.DateTimeFormat().resolvedOptions().timeZone;
    for (let h = 0; h < 48; h++) {
      const t = at('2026-03-28T00:00:00Z') + h * 3_600_000;
      expect(wallClock(t, 'Local')).toEqual(wallClock(t, zone));
    }
  });
});

describe('daylight saving time, as Go converts an instant with t.In(loc)', () => {
  const night: TimeInterval = { times: [r(120, 180)], location: 'Europe/Berlin' };
  const minutesIn = (ti: TimeInterval, fromIso: string, hours: number): number => {
    let n = 0;
    for (let m = 0; m < hours * 60; m++) if (containsTime(ti, at(fromIso) + m * 60_000)) n++;
    return n;
  };

  it('never matches 02:00-03:00 on the spring-forward day in Europe/Berlin (that hour does not exist)', () => {
    expect(minutesIn(night, '2026-03-28T22:00:00Z', 24)).toBe(0);
    expect(containsTime(night, at('2026-03-29T00:59:00Z'))).toBe(false); // 01:59 CET
    expect(wallClock(at('2026-03-29T01:00:00Z'), 'Europe/Berlin')).toMatchObject({ hour: 3, minute: 0 });
  });

  it('matches 02:00-03:00 for two real hours on the fall-back day in Europe/Berlin', () => {
    expect(minutesIn(night, '2026-10-24T22:00:00Z', 24)).toBe(120);
    expect(containsTime(night, at('2026-10-25T00:00:00Z'))).toBe(true); // 02:00 CEST
    expect(containsTime(night, at('2026-10-25T01:59:00Z'))).toBe(true); // 02:59 CET
    expect(containsTime(night, at('2026-10-25T02:00:00Z'))).toBe(false); // 03:00 CET
  });

  it('does the same in America/New_York (02:00 skipped in March, 01:00-02:00 twice in November)', () => {
    const ny = (s: number, e: number): TimeInterval => ({ times: [r(s, e)], location: 'America/New_York' });
    expect(minutesIn(ny(120, 180), '2026-03-08T05:00:00Z', 24)).toBe(0);
    expect(minutesIn(ny(60, 120), '2026-11-01T04:00:00Z', 24)).toBe(120);
    expect(minutesIn(ny(60, 120), '2026-11-02T05:00:00Z', 24)).toBe(60);
  });
});

describe('RouteTimeIntervalEvaluator', () => {
  // Alertmanager's TestIntervener_Mutes: evenings and weekends in Australia/Sydney.
  const sydney = 'Australia/Sydney';
  const intervals = [
    { name: 'evenings', timeIntervals: [{ times: [r(0, 540), r(1020, 1440)], location: sydney }] },
    { name: 'weekends', timeIntervals: [{ weekdays: [r(6), r(0)], location: sydney }] },
    { name: 'office', timeIntervals: [{ times: [r(540, 1020)], weekdays: [r(1, 5)], location: sydney }] },
    { name: 'lunch', timeIntervals: [{ times: [r(720, 780)], location: sydney }] },
  ];
  const tree = buildRouteTree({
    receiver: 'x',
    routes: [
      {
        matchers: ['team="a"'],
        mute_time_intervals: ['evenings', 'weekends'],
        routes: [{ matchers: ['sev="page"'] }],
      },
      { matchers: ['team="b"'], active_time_intervals: ['office'], mute_time_intervals: ['lunch'] },
      { matchers: ['team="c"'], active_time_intervals: ['office', 'weekends'] },
    ],
  });
  const [teamA, teamB, teamC] = tree.routes;
  const child = teamA.routes[0];
  const ev = new RouteTimeIntervalEvaluator(tree, intervals);

  it.each([
    ['2024-01-01T00:00:00+11:00', ['evenings']],
    ['2024-01-01T09:00:00+11:00', []],
    ['2024-01-06T10:00:00+11:00', ['weekends']],
    ['2024-01-06T17:00:00+11:00', ['evenings', 'weekends']],
    ['2024-01-01T10:00:00Z', ['evenings']],
    ['2024-01-06T10:00:00Z', ['evenings', 'weekends']],
  ])('mute intervals at %s: %j (Alertmanager TestIntervener_Mutes)', (t, names) => {
    expect(ev.mutingIntervals(teamA.id, at(t))).toEqual(names);
    expect(ev.mutedBy(teamA.id, at(t))).toEqual(names);
  });

  it('gives a child route neither of its parent lists (as Alertmanager)', () => {
    expect(child.muteTimeIntervals).toEqual([]);
    expect(ev.mutingIntervals(child.id, at('2024-01-06T17:00:00+11:00'))).toEqual([]);
  });

  it('is inactive outside every active interval, and mutedBy then names all of them', () => {
    const saturday = at('2024-01-06T10:00:00+11:00');
    expect(ev.routeIsActive(teamB.id, saturday)).toBe(false);
    expect(ev.mutedBy(teamB.id, saturday)).toEqual(['office']);
    expect(ev.routeIsActive(teamC.id, saturday)).toBe(true); // weekends is one of its active intervals
    expect(ev.mutedBy(teamC.id, saturday)).toEqual([]);
    const tuesdayNight = at('2024-01-02T22:00:00+11:00');
    expect(ev.mutedBy(teamC.id, tuesdayNight)).toEqual(['office', 'weekends']);
  });

  it('inside an active interval, mutedBy names the mute intervals that hold', () => {
    expect(ev.routeIsActive(teamB.id, at('2024-01-02T12:30:00+11:00'))).toBe(true);
    expect(ev.mutedBy(teamB.id, at('2024-01-02T12:30:00+11:00'))).toEqual(['lunch']);
    expect(ev.mutedBy(teamB.id, at('2024-01-02T11:30:00+11:00'))).toEqual([]);
  });

  it('answers the flush ports from the group route id and the flush now', () => {
    const ctx = (routeId: string, iso: string) => ({ now: at(iso), group: { routeId } }) as never;
    expect(ev.isMuted(ctx(teamA.id, '2024-01-06T10:00:00Z'))).toBe(true);
    expect(ev.isActive(ctx(teamA.id, '2024-01-06T10:00:00Z'))).toBe(true);
    expect(ev.isActive(ctx(teamB.id, '2024-01-06T10:00:00Z'))).toBe(false);
    expect(ev.isMuted(ctx(teamB.id, '2024-01-02T01:30:00Z'))).toBe(true); // 12:30 in Sydney
  });

  it('treats a route id the config does not have (a group from an earlier config) as unrestricted', () => {
    expect(ev.routeIsActive('{}/{team="gone"}/7', at('2024-01-06T10:00:00Z'))).toBe(true);
    expect(ev.mutedBy('{}/{team="gone"}/7', at('2024-01-06T10:00:00Z'))).toEqual([]);
  });

  it('refuses a route naming an undefined interval', () => {
    const bad = buildRouteTree({ receiver: 'x', routes: [{ mute_time_intervals: ['nope'] }] });
    expect(() => new RouteTimeIntervalEvaluator(bad, intervals)).toThrow(/"nope" is not defined/);
  });

  it('matches a named interval when any of its specs matches; one with no specs never', () => {
    const named = { name: 'n', timeIntervals: [{ weekdays: [r(0)] }, { times: [r(0, 60)] }] };
    expect(namedIntervalContains(named, at('2026-05-03T12:00:00Z'))).toBe(true); // a Sunday
    expect(namedIntervalContains(named, at('2026-05-04T00:30:00Z'))).toBe(true);
    expect(namedIntervalContains(named, at('2026-05-04T12:00:00Z'))).toBe(false);
    expect(namedIntervalContains({ name: 'empty', timeIntervals: [] }, at('2026-05-04T12:00:00Z'))).toBe(
      false,
    );
  });
});
