import type { LabelSet } from '../alert';
import { compileSilence, silenceMatchType, SilenceSet } from './silence-match';
import type { Silence, SilenceMatcherSpec } from './silence.store';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const m = (name: string, value: string, isRegex = false, isEqual = true): SilenceMatcherSpec => ({
  name,
  value,
  isRegex,
  isEqual,
});
const sil = (id: string, matchers: SilenceMatcherSpec[], over: Partial<Silence> = {}): Silence => ({
  id,
  matchers,
  startsAt: NOW - HOUR,
  endsAt: NOW + HOUR,
  updatedAt: NOW - HOUR,
  createdBy: '',
  comment: '',
  ...over,
});

describe("compileSilence: Alertmanager's TestQMatches", () => {
  const labels: LabelSet = { job: 'test', instance: 'web-1', path: '/user/profile', method: 'GET' };
  const cases: [string, SilenceMatcherSpec[], boolean][] = [
    ['job="test"', [m('job', 'test')], true],
    ['job!="test"', [m('job', 'test', false, false)], false],
    ['job="test",method="POST"', [m('job', 'test'), m('method', 'POST')], false],
    ['job="test",method!="POST"', [m('job', 'test'), m('method', 'POST', false, false)], true],
    ['path=~"/user/.+"', [m('path', '/user/.+', true)], true],
    ['path!~"/user/.+"', [m('path', '/user/.+', true, false)], false],
    [
      'path=~"/user/.+",path=~"/nothing/.+"',
      [m('path', '/user/.+', true), m('path', '/nothing/.+', true)],
      false,
    ],
  ];
  it.each(cases)('%s → %s', (_name, matchers, want) => {
    expect(compileSilence(sil('x', matchers)).matches(labels)).toBe(want);
  });

  it('regexes are anchored; a missing label matches as the empty string', () => {
    expect(compileSilence(sil('x', [m('path', 'user', true)])).matches(labels)).toBe(false);
    expect(compileSilence(sil('x', [m('job', 'test'), m('zone', '')])).matches(labels)).toBe(true);
    expect(compileSilence(sil('x', [m('zone', 'eu', false, false)])).matches(labels)).toBe(true);
    expect(compileSilence(sil('x', [m('zone', '.+', true, false)])).matches(labels)).toBe(true);
    expect(compileSilence(sil('x', [m('zone', '.+', true)])).matches(labels)).toBe(false);
    // Inherited object properties are not labels.
    expect(compileSilence(sil('x', [m('constructor', '.+', true)])).matches(labels)).toBe(false);
  });

  it('UTF-8 label names match like any other', () => {
    const s = compileSilence(sil('x', [m('service.name', 'api'), m('名前', '値.*', true)]));
    expect(s.matches({ 'service.name': 'api', 名前: '値段' })).toBe(true);
    expect(s.matches({ 'service.name': 'web', 名前: '値段' })).toBe(false);
  });

  it('maps isEqual/isRegex to the four operators', () => {
    expect(
      [m('a', 'b'), m('a', 'b', false, false), m('a', 'b', true), m('a', 'b', true, false)].map(
        silenceMatchType,
      ),
    ).toEqual(['=', '!=', '=~', '!~']);
  });
});

describe('SilenceSet.silencedBy', () => {
  it('only silences active at now, ids sorted', () => {
    const set = new SilenceSet([
      sil('c', [m('alertname', 'A')]),
      sil('a', [m('alertname', 'A', true)]),
      sil('b', [m('team', 'x', false, false)]),
      sil('pending', [m('alertname', 'A')], { startsAt: NOW + 1 }),
      sil('expired', [m('alertname', 'A')], { endsAt: NOW }),
      sil('other', [m('alertname', 'B')]),
    ]);
    expect(set.silencedBy({ alertname: 'A' }, NOW)).toEqual(['a', 'b', 'c']);
    expect(set.silencedBy({ alertname: 'A' }, NOW + 1)).toEqual(['a', 'b', 'c', 'pending']);
    expect(set.silencedBy({ alertname: 'A' }, NOW - 1)).toEqual(['a', 'b', 'c', 'expired']);
    expect(set.silencedBy({ alertname: 'A', team: 'x' }, NOW)).toEqual(['a', 'c']);
    expect(set.silencedBy({ alertname: 'C' }, NOW)).toEqual(['b']);
    expect(set.mutes({ alertname: 'B' }, NOW)).toBe(true);
    expect(set.size).toBe(6);
    expect(set.get('other')?.id).toBe('other');
  });

  it('an indexed silence still needs all its other matchers', () => {
    const set = new SilenceSet([sil('s', [m('alertname', 'A'), m('env', 'prod'), m('zone', 'eu-.*', true)])]);
    expect(set.silencedBy({ alertname: 'A', env: 'prod', zone: 'eu-1' }, NOW)).toEqual(['s']);
    expect(set.silencedBy({ alertname: 'A', env: 'prod', zone: 'us-1' }, NOW)).toEqual([]);
    expect(set.silencedBy({ alertname: 'A', env: 'dev', zone: 'eu-1' }, NOW)).toEqual([]);
  });

  it('indexes a literal alternation =~"a|b" under each value, and still checks the other matchers', () => {
    const set = new SilenceSet([
      sil('alt', [m('team', 'web|ops', true), m('env', 'prod')]),
      sil('not-literal', [m('team', 'web.*|ops', true)]),
      sil('empty-alt', [m('team', 'web|', true), m('x', 'y')]),
    ]);
    expect(set.silencedBy({ team: 'web', env: 'prod' }, NOW)).toEqual(['alt', 'not-literal']);
    expect(set.silencedBy({ team: 'ops', env: 'prod' }, NOW)).toEqual(['alt', 'not-literal']);
    expect(set.silencedBy({ team: 'web', env: 'dev' }, NOW)).toEqual(['not-literal']);
    expect(set.silencedBy({ team: 'webops', env: 'prod' }, NOW)).toEqual(['not-literal']);
    expect(set.silencedBy({ team: 'web|ops', env: 'prod' }, NOW)).toEqual(['not-literal']); // web.* matches it
    expect(set.silencedBy({ x: 'y' }, NOW)).toEqual(['empty-alt']);
  });

  it('a set made from the previous one reuses unchanged silences and recompiles changed ones', () => {
    const a = sil('a', [m('alertname', 'A.*', true)]);
    const b = sil('b', [m('alertname', 'B')]);
    const first = new SilenceSet([a, b], 'v1');
    const b2 = { ...b, matchers: [m('alertname', 'C')], updatedAt: b.updatedAt + 1 };
    const second = new SilenceSet([a, b2], 'v2', first);
    expect(second.silencedBy({ alertname: 'AB' }, NOW)).toEqual(['a']);
    expect(second.silencedBy({ alertname: 'B' }, NOW)).toEqual([]);
    expect(second.silencedBy({ alertname: 'C' }, NOW)).toEqual(['b']);
    // Same id and updatedAt but other matchers (two stores merged): compiled again, not trusted.
    const third = new SilenceSet([{ ...a, matchers: [m('alertname', 'Z')] }], 'v3', second);
    expect(third.silencedBy({ alertname: 'AB' }, NOW)).toEqual([]);
    expect(third.silencedBy({ alertname: 'Z' }, NOW)).toEqual(['a']);
  });

  it('a stored silence whose regex does not compile is skipped and reported, not thrown', () => {
    const set = new SilenceSet([sil('bad', [m('a', '((', true)]), sil('ok', [m('a', 'b')])]);
    expect(set.invalid.map((i) => i.id)).toEqual(['bad']);
    expect(set.silencedBy({ a: 'b' }, NOW)).toEqual(['ok']);
  });

  it('answers exactly what matching every silence one by one answers (random silences and alerts)', () => {
    // A small deterministic PRNG so a failure replays.
    let seed = 42;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const names = ['alertname', 'team', 'env', 'zone', 'service.name'];
    const values = ['', 'a', 'b', 'c', 'a|b', 'b|c|a', 'a|', '.*', '.+'];
    const silences: Silence[] = [];
    for (let i = 0; i < 400; i++) {
      const ms: SilenceMatcherSpec[] = [];
      const count = 1 + rnd(3);
      for (let j = 0; j < count; j++) {
        const isRegex = rnd(3) === 0;
        ms.push(m(names[rnd(names.length)], values[rnd(values.length)], isRegex, rnd(4) !== 0));
      }
      const start = NOW - HOUR + rnd(3) * HOUR;
      silences.push(sil(`s${String(i).padStart(3, '0')}`, ms, { startsAt: start, endsAt: start + HOUR }));
    }
    const set = new SilenceSet(silences);
    const compiled = silences.map(compileSilence);
    for (let k = 0; k < 500; k++) {
      const labels: LabelSet = {};
      for (const n of names) if (rnd(3) !== 0) labels[n] = values[1 + rnd(3)];
      const now = NOW - HOUR + rnd(4) * HOUR;
      const want = compiled
        .filter((c) => now >= c.silence.startsAt && now < c.silence.endsAt && c.matches(labels))
        .map((c) => c.silence.id)
        .sort();
      expect(set.silencedBy(labels, now)).toEqual(want);
    }
  });
});

describe('SilenceSet per-alert memo (by fingerprint)', () => {
  it('answers as the unmemoized path while silences start and end', () => {
    const set = new SilenceSet([
      sil('a-active', [m('job', 'x')]),
      sil('b-pending', [m('instance', 'web-.*', true)], { startsAt: NOW + HOUR, endsAt: NOW + 2 * HOUR }),
      sil('c-ends', [m('job', 'x')], { endsAt: NOW + 10 }),
      sil('d-expired', [m('job', 'x')], { startsAt: NOW - 2 * HOUR, endsAt: NOW - HOUR }),
      sil('e-other', [m('job', 'y')]),
    ]);
    const labels: LabelSet = { job: 'x', instance: 'web-1' };
    for (const t of [NOW, NOW + 5, NOW + 10, NOW + HOUR, NOW + HOUR + 1, NOW + 2 * HOUR]) {
      expect([t, set.silencedBy(labels, t, 'fp1')]).toEqual([t, set.silencedBy(labels, t)]);
    }
    expect(set.silencedBy(labels, NOW, 'fp1')).toEqual(['a-active', 'c-ends']);
    expect(set.silencedBy(labels, NOW + HOUR, 'fp1')).toEqual(['b-pending']);
  });
});
