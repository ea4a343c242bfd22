// Cross-checks Herald against fixtures recorded from a real Alertmanager (test/compat/make-fixtures.js).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LabelSet } from './alert';
import { fingerprint } from './fingerprint';
import { buildRouteTree, groupKey, groupLabels, type RouteConfig } from './route';

interface FingerprintFixture {
  source: string;
  entries: { labels: LabelSet; fingerprint: string }[];
}

interface GroupKeyFixture {
  source: string;
  route: RouteConfig;
  entries: { labels: LabelSet; groups: { groupKey: string; groupLabels: LabelSet }[] }[];
}

const fixtures = join(__dirname, '..', '..', '..', 'test', 'fixtures');
const load = <T>(name: string): T => JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as T;

// Alertmanager received the labels through Go's JSON decoder, which turns lone surrogates into U+FFFD.
const goNormalize = (labels: LabelSet): LabelSet =>
  Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, Buffer.from(v).toString()]));

describe('Alertmanager compatibility fixtures', () => {
  const fps = load<FingerprintFixture>('alertmanager-fingerprints.json');
  const gks = load<GroupKeyFixture>('alertmanager-groupkeys.json');

  it('covers enough alerts to mean something', () => {
    expect(fps.entries.length).toBeGreaterThanOrEqual(300);
    expect(gks.entries.length).toBeGreaterThanOrEqual(300);
  });

  it('computes every fingerprint as Alertmanager does', () => {
    const mismatches = fps.entries.filter((e) => fingerprint(e.labels) !== e.fingerprint);
    expect(mismatches).toEqual([]);
  });

  it('routes and groups every alert to the same group keys and group labels', () => {
    const root = buildRouteTree(gks.route);
    const mismatches: unknown[] = [];
    for (const entry of gks.entries) {
      const herald = root
        .match(entry.labels)
        .map((route) => {
          const gl = groupLabels(route, entry.labels);
          return { groupKey: groupKey(route, gl), groupLabels: goNormalize(gl) };
        })
        .sort((a, b) => (a.groupKey < b.groupKey ? -1 : 1));
      const expected = [...entry.groups].sort((a, b) => (a.groupKey < b.groupKey ? -1 : 1));
      if (JSON.stringify(herald) !== JSON.stringify(expected))
        mismatches.push({ labels: entry.labels, herald, expected });
    }
    expect(mismatches).toEqual([]);
  });
});
