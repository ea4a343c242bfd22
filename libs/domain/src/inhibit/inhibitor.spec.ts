import type { Alert, LabelSet } from '../alert';
import { fingerprint } from '../fingerprint';
import { parseMatchers } from '../matchers';
import { InhibitionRules } from './inhibit-rule';
import { MemoryInhibitionIndex } from './inhibition-index';
import { Inhibitor, inhibitionsOf } from './inhibitor';

const NOW = 1_800_000_000_000;
const a = (labels: LabelSet, endsAt = NOW + 60_000): Alert => ({
  fingerprint: fingerprint(labels),
  labels,
  annotations: {},
  startsAt: NOW - 1000,
  endsAt,
  updatedAt: NOW,
  timeout: false,
  generatorURL: '',
});
const rule = (source: string, target: string, equal: string[] = [], name?: string) => ({
  name,
  sourceMatchers: parseMatchers(source),
  targetMatchers: parseMatchers(target),
  equal,
});

describe('InhibitionRules', () => {
  it('ids a rule by its content, not its position', () => {
    const r1 = new InhibitionRules([rule('a="1"', 'b="2"', ['x'])]);
    const r2 = new InhibitionRules([rule('c="3"', 'd="4"'), rule('a="1"', 'b="2"', ['x'])]);
    expect(r2.rules[1].id).toBe(r1.rules[0].id);
    expect(r2.rules[0].id).not.toBe(r1.rules[0].id);
    expect(new InhibitionRules([rule('a="1"', 'b="2"', ['y'])]).rules[0].id).not.toBe(r1.rules[0].id);
  });

  it('equal keys: same values ⇔ same key; missing equals empty; no concatenation collisions', () => {
    const [r] = new InhibitionRules([rule('a="1"', 'b="2"', ['x', 'y'])]).rules;
    expect(r.equalKey({ x: 'ab', y: 'c' })).not.toBe(r.equalKey({ x: 'a', y: 'bc' }));
    expect(r.equalKey({ x: 'ab', y: 'c', z: 'q' })).toBe(r.equalKey({ x: 'ab', y: 'c' }));
    expect(r.equalKey({ x: '' })).toBe(r.equalKey({}));
  });

  it('files a source under side b when it also matches the target side', () => {
    const rules = new InhibitionRules([rule('alertname=~"N.*"', 'alertname=~"N.*|M"')]);
    expect(rules.sourceEntries({ alertname: 'Node' })[0].side).toBe('b');
    expect(rules.sourceEntries({ alertname: 'M' })).toEqual([]);
    expect(rules.targetQueries({ alertname: 'M' })[0].query.sourceOnly).toBe(false);
    expect(rules.targetQueries({ alertname: 'Node' })[0].query.sourceOnly).toBe(true);
  });
});

describe('Inhibitor', () => {
  const rules = new InhibitionRules([
    rule('severity="critical"', 'severity="warning"', ['cluster'], 'crit'),
    rule('alertname="Down"', 'severity=~"warning|info"', []),
  ]);
  const index = new MemoryInhibitionIndex();
  const inhibitor = new Inhibitor(rules, index);
  const record = (x: Alert) => index.record('t', x.fingerprint, x.endsAt, rules.sourceEntries(x.labels), NOW);

  it('names the first rule in config order that has a firing source', async () => {
    const crit = a({ alertname: 'Disk', severity: 'critical', cluster: 'eu' });
    const down = a({ alertname: 'Down' });
    record(down);
    record(crit);
    const w = a({ alertname: 'Disk', severity: 'warning', cluster: 'eu' });
    const i = a({ alertname: 'Disk', severity: 'info', cluster: 'eu' });
    const m = await inhibitor.inhibitions('t', [w, i], NOW);
    expect(m.get(w.fingerprint)).toMatchObject({ source: crit.fingerprint, rule: { name: 'crit' } });
    expect(m.get(i.fingerprint)).toMatchObject({
      source: down.fingerprint,
      rule: { name: 'inhibit_rules[1]' },
    });
    expect(await inhibitor.muted([w, i, crit], { tenant: 't', now: NOW } as never)).toEqual(
      new Set([w.fingerprint, i.fingerprint]),
    );
  });

  it('asks the index nothing for alerts that are no rule’s target', async () => {
    const ask = jest.fn(() => Promise.resolve([]));
    const m = await new Inhibitor(rules, { firingSources: ask }).inhibitions(
      't',
      [a({ severity: 'critical' })],
      NOW,
    );
    expect(m.size).toBe(0);
    expect(ask).not.toHaveBeenCalled();
  });
});

describe('inhibitionsOf (query time, from a listing)', () => {
  const rules = new InhibitionRules([rule('severity="critical"', 'severity="warning"', ['cluster'])]);

  it('agrees with the index: resolved sources do not count, each alert once', () => {
    const crit = a({ severity: 'critical', cluster: 'eu' });
    const old = a({ severity: 'critical', cluster: 'us' }, NOW - 1);
    const w1 = a({ severity: 'warning', cluster: 'eu' });
    const w2 = a({ severity: 'warning', cluster: 'us' });
    const m = inhibitionsOf(rules, 't', [crit, old, w1, w2, w1], NOW);
    expect([...m.keys()]).toEqual([w1.fingerprint]);
    expect(m.get(w1.fingerprint)!.source).toBe(crit.fingerprint);
  });
});

describe('Inhibitor lookups', () => {
  it('asks each distinct (rule, equal values, side) once per flush', async () => {
    const rules = new InhibitionRules([rule('severity="critical"', 'severity="warning"', ['cluster'])]);
    const asked: number[] = [];
    const inhibitor = new Inhibitor(rules, {
      firingSources: (_t, qs) => (asked.push(qs.length), Promise.resolve(qs.map(() => 'src'))),
    });
    const targets = ['a', 'b', 'c'].map((i) => a({ severity: 'warning', cluster: 'eu', i }));
    const m = await inhibitor.inhibitions('t', [...targets, a({ severity: 'warning', cluster: 'us' })], NOW);
    expect(asked).toEqual([2]);
    expect(m.size).toBe(4);
  });
});
