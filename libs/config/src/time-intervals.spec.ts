import { parse } from 'yaml';
import { ConfigError, containsTime, RouteTimeIntervalEvaluator } from '@herald/domain';
import { loadConfig } from './load-config';
import { parseTimeInterval } from './time-intervals';

const spec = (yaml: string) => parseTimeInterval(parse(yaml), 'ti');
const error = (yaml: string): string => {
  try {
    spec(yaml);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error(`expected a ConfigError for ${yaml}`);
};
const at = (iso: string) => Date.parse(iso);

// The inputs and outcomes of Alertmanager's TestParseTimeString, TestYamlUnmarshal and
// TestTimeIntervalComplete (timeinterval_test.go); Herald's messages name the field instead.
describe('parseTimeInterval (Alertmanager parsing cases)', () => {
  it.each([
    ["{start_time: '00:00', end_time: '24:00'}", { start: 0, end: 1440 }],
    ["{start_time: '01:35', end_time: '17:39'}", { start: 95, end: 1059 }],
    ["{start_time: '09:35', end_time: '09:39'}", { start: 575, end: 579 }],
  ])('times %s', (times, range) => {
    expect(spec(`{times: [${times}]}`).times).toEqual([range]);
  });

  it.each([
    ["{start_time: '17:31', end_time: '17:31'}", 'ti.times[0]: start_time must be before end_time'],
    ["{start_time: '12:30', end_time: '24:01'}", 'ti.times[0].end_time: must be a time'],
    ["{start_time: '09:30', end_time: '07:41'}", 'ti.times[0]: start_time must be before end_time'],
    ["{start_time: '24:00', end_time: '17:41'}", 'ti.times[0]: start_time must be before end_time'],
    ["{start_time: '14:03'}", 'ti.times[0].end_time'],
    ["{start_time: '01:99', end_time: '23:59'}", 'ti.times[0].start_time: must be a time'],
    ["{start_time: '00:00', end_time: '99:99'}", 'ti.times[0].end_time: must be a time'],
  ])('refuses times %s', (times, message) => {
    expect(error(`{times: [${times}]}`)).toContain(message);
  });

  it.each([
    ["weekdays: ['friday:monday']", 'ti.weekdays[0]: start of range'],
    ["weekdays: ['blurgsday:flurgsday']", 'ti.weekdays[0]: invalid weekday "blurgsday"'],
    ["weekdays: ['1:3']", 'ti.weekdays[0]: invalid weekday "1"'],
    ["weekdays: ['-2:-1']", 'ti.weekdays[0]: invalid weekday "-2"'],
    ["days_of_month: ['0']", 'ti.days_of_month[0]: invalid day of month "0"'],
    ["days_of_month: ['-50:-20']", 'ti.days_of_month[0]: invalid day of month "-50"'],
    ["days_of_month: ['1:50']", 'ti.days_of_month[0]: invalid day of month "50"'],
    ["days_of_month: ['-15:5']", 'ti.days_of_month[0]: end day must be negative if start day is negative'],
    ["days_of_month: ['10:-25']", 'ti.days_of_month[0]: end day -25 is always before start day 10'],
    ["months: ['martius:june']", 'ti.months[0]: invalid month "martius"'],
    ["months: ['march:junius']", 'ti.months[0]: invalid month "junius"'],
    ["months: ['december:january']", 'ti.months[0]: start of range'],
    ["years: ['2022:2020']", 'ti.years[0]: start of range'],
  ])('refuses %s', (yaml, message) => {
    expect(error(`{${yaml}}`)).toContain(message);
  });

  it('takes negative days, month names in any case and a location', () => {
    expect(spec("{days_of_month: ['1:-1']}").daysOfMonth).toEqual([{ start: 1, end: -1 }]);
    expect(spec("{days_of_month: ['20:-4']}").daysOfMonth).toEqual([{ start: 20, end: -4 }]);
    expect(spec("{months: ['January:december']}").months).toEqual([{ start: 1, end: 12 }]);
    expect(spec("{years: ['2020:2022'], location: 'Australia/Sydney'}")).toEqual({
      years: [{ start: 2020, end: 2022 }],
      location: 'Australia/Sydney',
    });
  });

  it('refuses a days_of_month range that is backwards in a 28-day month, as Alertmanager does', () => {
    expect(error("{days_of_month: ['25:-5']}")).toContain('end day -5 is always before start day 25');
  });

  it('takes Local and UTC, refuses unknown zones and zone names in the wrong case', () => {
    expect(spec("{location: 'Local'}").location).toBe('Local');
    expect(spec("{location: 'UTC'}").location).toBe('UTC');
    expect(error("{location: 'Mars/Olympus_Mons'}")).toContain('ti.location: unknown time zone');
    expect(error("{location: 'europe/berlin'}")).toContain('did you mean "Europe/Berlin"');
  });

  const cases: [string, string, string[], string[]][] = [
    [
      'business hours',
      "{weekdays: ['monday:friday'], times: [{start_time: '09:00', end_time: '17:00'}]}",
      ['2020-07-08T09:00:00Z', '2020-07-08T16:59:00Z', '2021-04-01T13:00:00Z'],
      ['2020-07-08T05:00:00Z', '2020-07-08T08:59:00Z'],
    ],
    [
      'last week of Q1 but Saturday, business hours, 2020-2025 and 2030-2035',
      `{weekdays: ['monday:friday', 'sunday'], months: ['january:march'], days_of_month: ['-7:-1'],
        years: ['2020:2025', '2030:2035'], times: [{start_time: '09:00', end_time: '17:00'}]}`,
      [
        '2021-01-27T09:00:00Z',
        '2021-01-28T16:59:00Z',
        '2021-01-29T13:00:00Z',
        '2025-03-31T13:00:00Z',
        '2035-01-31T13:00:00Z',
      ],
      ['2021-01-30T13:00:00Z', '2021-04-01T13:00:00Z', '2026-01-30T13:00:00Z', '2035-01-31T17:01:00Z'],
    ],
    [
      'every field at once',
      `{weekdays: ['monday:wednesday', 'saturday', 'sunday'], times: [{start_time: '13:00', end_time: '15:00'}],
        days_of_month: ['1', '10', '20:-1'], years: ['2020:2023'], months: ['january:march']}`,
      ['2021-01-10T13:00:00Z', '2021-01-30T14:24:00Z'],
      ['2021-01-09T13:00:00Z', '2021-01-20T12:59:00Z', '2021-02-02T13:00:00Z'],
    ],
    [
      'a day range starting after February ends (no clamping of its start)',
      "{days_of_month: ['30:31'], years: ['2020:2023'], months: ['february']}",
      [],
      ['2021-02-28T13:00:00Z'],
    ],
  ];
  describe.each(cases)('%s', (_what, yaml, inside, outside) => {
    const ti = spec(yaml);
    if (inside.length) it.each(inside)('contains %s', (t) => expect(containsTime(ti, at(t))).toBe(true));
    it.each(outside)('excludes %s', (t) => expect(containsTime(ti, at(t))).toBe(false));
  });
});

describe('time intervals in a loaded config', () => {
  const base = `
route:
  receiver: ops
  routes:
    - matchers: ['team="db"']
      mute_time_intervals: [nights]
      active_time_intervals: [weekdays]
      routes:
        - matchers: ['severity="page"']
receivers:
  - name: ops
time_intervals:
  - name: weekdays
    time_intervals:
      - weekdays: ['monday:friday']
        location: Local
mute_time_intervals:
  - name: nights
    time_intervals:
      - times: [{ start_time: '00:00', end_time: '06:00' }]
        location: Europe/Berlin
`;
  const load = (text: string) => loadConfig({ env: {}, fileText: text, hostname: 'h' });

  it('loads both sections, Local included, and gives a child route neither list', () => {
    const cfg = load(base);
    const db = cfg.routeTree.routes[0];
    expect(db.muteTimeIntervals).toEqual(['nights']);
    expect(db.activeTimeIntervals).toEqual(['weekdays']);
    expect(db.routes[0].muteTimeIntervals).toEqual([]);
    expect(db.routes[0].activeTimeIntervals).toEqual([]);
    const ev = new RouteTimeIntervalEvaluator(cfg.routeTree, cfg.timeIntervals);
    // A Tuesday or a Wednesday in every zone the process may run in (Local), 01:00 in Berlin.
    const nightBerlin = at('2026-06-03T01:00:00+02:00');
    expect(ev.mutedBy(db.id, nightBerlin)).toEqual(['nights']);
    expect(ev.mutedBy(db.routes[0].id, nightBerlin)).toEqual([]);
    // A weekend day in every zone: outside the active interval, which then mutes it.
    expect(ev.mutedBy(db.id, at('2026-06-06T20:00:00Z'))).toEqual(['weekdays']);
  });

  it.each([
    ['mute_time_intervals: [nights]', 'mute_time_intervals: [night]', 'mute_time_intervals[0]'],
    ['active_time_intervals: [weekdays]', 'active_time_intervals: [weekday]', 'active_time_intervals[0]'],
  ])('refuses to start when a route names an undefined interval (%s)', (from, to, field) => {
    expect(() => load(base.replace(from, to))).toThrow(
      new RegExp(`^route\\.routes\\[0\\]\\.${field.replace(/[[\]]/g, '\\$&')}: unknown time interval`),
    );
  });
});
