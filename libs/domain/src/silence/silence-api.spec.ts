import { parseMatchers } from '../matchers';
import { silenceMatchesFilter, sortSilences } from './silence-api';
import type { Silence, SilenceMatcherSpec } from './silence.store';

const NOW = 1_800_000_000_000;
const MIN = 60_000;
const sil = (id: string, startsAt: number, endsAt: number, matchers: SilenceMatcherSpec[] = []): Silence => ({
  id,
  matchers,
  startsAt,
  endsAt,
  updatedAt: NOW,
  createdBy: '',
  comment: '',
});

describe("sortSilences: Alertmanager's SortSilences", () => {
  it('active by end ascending, then pending by start ascending, then expired by end descending', () => {
    const list = [
      sil('e-old', NOW - 90 * MIN, NOW - 60 * MIN),
      sil('p-late', NOW + 30 * MIN, NOW + 90 * MIN),
      sil('a-long', NOW - MIN, NOW + 90 * MIN),
      sil('e-new', NOW - 30 * MIN, NOW - MIN),
      sil('p-soon', NOW + MIN, NOW + 999 * MIN),
      sil('a-short', NOW - 60 * MIN, NOW + 5 * MIN),
      sil('e-now', NOW - MIN, NOW), // ended exactly now: expired
    ];
    expect(sortSilences(list, NOW).map((s) => s.id)).toEqual([
      'a-short',
      'a-long',
      'p-soon',
      'p-late',
      'e-now',
      'e-new',
      'e-old',
    ]);
    expect(list[0].id).toBe('e-old'); // a new array; the input is untouched
  });

  it('equal times are ordered by id, so the answer is the same every time', () => {
    const list = [sil('b', NOW, NOW + MIN), sil('c', NOW, NOW + MIN), sil('a', NOW, NOW + MIN)];
    expect(sortSilences(list, NOW).map((s) => s.id)).toEqual(['a', 'b', 'c']);
  });
});

describe("silenceMatchesFilter: Alertmanager's CheckSilenceMatchesFilterLabels", () => {
  // The silence of the recorded fixture create-A.
  const s = sil('A', NOW, NOW + MIN, [
    { name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true },
    { name: 'instance', value: 'i[12]', isRegex: true, isEqual: true },
    { name: 'severity', value: 'info', isRegex: false, isEqual: false },
    { name: 'team', value: 'web|ops', isRegex: true, isEqual: false },
  ]);
  const cases: [string, boolean][] = [
    ['', true],
    ['alertname="DiskFull"', true],
    ['instance=~"i[12]"', true],
    ['severity!="info"', true],
    ['team!~"web|ops"', true],
    ['alertname="DiskFull",instance=~"i[12]"', true],
    // Text equality, not evaluation: a regex filter that would match the value finds nothing.
    ['alertname=~"Disk.*"', false],
    ['alertname=~"DiskFull"', false],
    ['instance="i[12]"', false],
    ['severity="info"', false],
    ['alertname="DiskFull",region="eu"', false],
    ['region="eu"', false],
  ];
  it.each(cases)('{%s} → %s', (filter, want) => {
    expect(silenceMatchesFilter(s, filter === '' ? [] : parseMatchers(filter))).toBe(want);
  });
});
