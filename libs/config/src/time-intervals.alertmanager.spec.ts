// A year of minutes, per interval, against Alertmanager's own timeinterval package.
//
// How test/fixtures/alertmanager-timeintervals.json was recorded (the generator is not committed): the
// package's timeinterval.go, unchanged, from prometheus/alertmanager at the commit named in `source`, was
// built in GOPATH mode with Debian's golang-go and golang-gopkg-yaml.v2-dev (its own timeinterval_test.go
// passed there first). A scratch Go program unmarshalled each `yaml` below into []TimeInterval with
// yaml.v2, as Alertmanager's config loader does, and called Intervener.Mutes([name], t) at every minute t
// of each sweep (TZ=America/New_York, so `Local` is New York), writing the runs of contained minutes.
//
// Here each `yaml` goes through Herald's parser (YAML 1.2 + parseTimeInterval) and Herald's evaluator,
// minute by minute, and the runs must be identical. The sweeps cover 2026 (both DST changes in
// Europe/Berlin, America/New_York, Australia/Sydney and Australia/Lord_Howe's half hour) and Feb–Mar 2028
// (a February 29 and the 2028 spring-forward days).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { namedIntervalContains, type NamedTimeInterval } from '@herald/domain';
import { parseTimeInterval } from './time-intervals';

interface Fixture {
  source: string;
  localZone: string;
  minutesPerInterval: number;
  sweeps: [string, string][];
  intervals: { name: string; yaml: string; contained: [number, number][][] }[];
}

const root = join(__dirname, '..', '..', '..');
const fixture = JSON.parse(
  readFileSync(join(root, 'test', 'fixtures', 'alertmanager-timeintervals.json'), 'utf8'),
) as Fixture;
const MINUTE = 60_000;

function parseNamed(name: string, yaml: string): NamedTimeInterval {
  const list = parse(yaml) as unknown[];
  return { name, timeIntervals: list.map((v, i) => parseTimeInterval(v, `${name}[${i}]`)) };
}

/** The runs of contained minutes of each interval over one sweep, as [start, end) epoch minutes. */
function sweep(intervals: NamedTimeInterval[], from: string, to: string): [number, number][][] {
  const runs = intervals.map(() => [] as [number, number][]);
  const open = intervals.map(() => -1);
  const end = Date.parse(to) / MINUTE;
  // Minutes outside, intervals inside: the stages of one flush ask about one instant, and so does this.
  for (let m = Date.parse(from) / MINUTE; m < end; m++) {
    for (let i = 0; i < intervals.length; i++) {
      const inside = namedIntervalContains(intervals[i], m * MINUTE);
      if (inside && open[i] < 0) open[i] = m;
      else if (!inside && open[i] >= 0) {
        runs[i].push([open[i], m]);
        open[i] = -1;
      }
    }
  }
  open.forEach((start, i) => start >= 0 && runs[i].push([start, end]));
  return runs;
}

describe('time intervals: a year of minutes against Alertmanager', () => {
  const local = fixture.intervals.filter((i) => i.yaml.includes("'Local'"));
  const zoned = fixture.intervals.filter((i) => !local.includes(i));

  it('names the Alertmanager it was recorded from and covers enough', () => {
    expect(fixture.source).toMatch(/prometheus\/alertmanager .*commit [0-9a-f]{40}.*Go 1\.\d+/);
    expect(fixture.intervals.length).toBeGreaterThanOrEqual(10);
    expect(fixture.minutesPerInterval).toBe(
      fixture.sweeps.reduce((n, [from, to]) => n + (Date.parse(to) - Date.parse(from)) / MINUTE, 0),
    );
  });

  it('contains exactly the minutes Alertmanager contains, for every interval and sweep', () => {
    const intervals = zoned.map((i) => parseNamed(i.name, i.yaml));
    fixture.sweeps.forEach(([from, to], s) => {
      const got = sweep(intervals, from, to);
      zoned.forEach((iv, i) => expect({ [iv.name]: got[i] }).toEqual({ [iv.name]: iv.contained[s] }));
    });
  });

  it('evaluates location Local in the process zone, as Go does (child with TZ set)', () => {
    expect(local.length).toBeGreaterThan(0);
    const script = `
      const { namedIntervalContains } = require('./libs/domain/src/timeinterval/time-interval.ts');
      const { intervals, sweeps } = JSON.parse(process.argv[1]);
      const out = intervals.map((iv) => sweeps.map(([from, to]) => {
        const runs = []; let open = -1; const end = Date.parse(to) / 60000;
        for (let m = Date.parse(from) / 60000; m < end; m++) {
          const inside = namedIntervalContains(iv, m * 60000);
          if (inside && open < 0) open = m; else if (!inside && open >= 0) { runs.push([open, m]); open = -1; }
        }
        if (open >= 0) runs.push([open, end]);
        return runs;
      }));
      process.stdout.write(JSON.stringify(out));`;
    const input = JSON.stringify({
      intervals: local.map((i) => parseNamed(i.name, i.yaml)),
      sweeps: fixture.sweeps,
    });
    const out = execFileSync(process.execPath, ['-r', './test/harness/ts-register.js', '-e', script, input], {
      cwd: root,
      env: { ...process.env, TZ: fixture.localZone },
      maxBuffer: 16 << 20,
    });
    const got = JSON.parse(out.toString()) as [number, number][][][];
    local.forEach((iv, i) => expect({ [iv.name]: got[i] }).toEqual({ [iv.name]: iv.contained }));
  });

  // The DST facts the brief names, read off Alertmanager's runs (so the fixture says what we think).
  const minutesOn = (name: string, dayStartUtc: string, hours = 24): number => {
    const iv = fixture.intervals.find((i) => i.name === name)!;
    const a = Date.parse(dayStartUtc) / MINUTE;
    const b = a + hours * 60;
    return iv.contained.flat().reduce((n, [s, e]) => n + Math.max(0, Math.min(e, b) - Math.max(s, a)), 0);
  };

  it.each([
    ['berlin-0200-0300', '2026-03-28T22:00:00Z', 0, 'spring forward: 02:00-03:00 never happens'],
    ['berlin-0200-0300', '2026-10-24T22:00:00Z', 120, 'fall back: 02:00-03:00 happens twice'],
    ['berlin-0200-0300', '2026-03-27T23:00:00Z', 60, 'an ordinary day'],
    ['berlin-0200-0300', '2028-03-25T23:00:00Z', 0, 'spring forward 2028'],
    ['new-york-0130-0230', '2026-03-08T05:00:00Z', 30, 'spring forward: only 01:30-02:00 exists'],
    ['new-york-0130-0230', '2026-11-01T04:00:00Z', 90, 'fall back: 01:30-02:00 twice, then 02:00-02:30'],
    ['lord-howe-0130-0230', '2026-10-03T14:30:00Z', 30, 'half-hour spring forward: 02:00 jumps to 02:30'],
    ['february-29-31', '2028-02-29T00:00:00Z', 1440, 'February 29 of a leap year'],
    ['new-york-last-3-days', '2026-03-31T04:00:00Z', 1440, 'the last day of a spring-forward month'],
  ])('%s on %s: %i minutes (%s)', (name, day, minutes) => {
    expect(minutesOn(name, day)).toBe(minutes);
  });
});
