import type { Alert, LabelSet } from '../alert';
import { fingerprint } from '../fingerprint';
import { MemorySilenceStore } from './memory-silence.store';
import { SilenceCache } from './silence-cache';
import { setSilenceIn } from './silence-ops';
import type { SilenceInput } from './silence-validation';
import { Silencer, type SilenceMuteReport } from './silencer';

const HOUR = 3_600_000;
const MIN = 60_000;
const T0 = 1_800_000_000_000;

const alert = (labels: LabelSet, endsAt = 0): Alert => ({
  fingerprint: fingerprint(labels),
  labels,
  annotations: {},
  startsAt: T0 - HOUR,
  endsAt,
  updatedAt: T0,
  timeout: false,
  generatorURL: '',
});

function harness(opts: { onMuted?: (r: SilenceMuteReport) => void } = {}) {
  const store = new MemorySilenceStore();
  const clock = { t: T0 };
  let n = 0;
  const newId = () => `id${String(++n).padStart(3, '0')}`;
  const silencer = new Silencer(new SilenceCache(store), opts);
  const set = (i: Partial<SilenceInput>) =>
    setSilenceIn(
      store,
      'tenant',
      { matchers: [], endsAt: 0, createdBy: 'me', comment: 'c', ...i },
      () => clock.t,
      newId,
      { maxSilences: 0, retention: 120 * HOUR },
    );
  const mutes = async (labels: LabelSet) => {
    const a = alert(labels);
    return (await silencer.muted([a], { tenant: 'tenant', now: clock.t })).has(a.fingerprint);
  };
  return { store, clock, set, mutes, silencer };
}

const eq = (name: string, value: string) => ({ name, value, isRegex: false, isEqual: true });

describe("Silencer: Alertmanager's TestSilencer", () => {
  it('follows silences as they are created, expire, are moved to the future and start (issue #2426)', async () => {
    const { clock, set, mutes } = harness();
    const now = clock.t;
    expect(await mutes({ foo: 'bar' })).toBe(false); // no silences

    await set({ matchers: [eq('foo', 'baz')], startsAt: now - HOUR, endsAt: now + 5 * MIN });
    expect(await mutes({ foo: 'bar' })).toBe(false); // non-matching silence

    const { id } = await set({ matchers: [eq('foo', 'bar')], startsAt: now - HOUR, endsAt: now + 5 * MIN });
    expect(await mutes({ foo: 'bar' })).toBe(true);

    clock.t += HOUR; // the silence expires
    expect(await mutes({ foo: 'bar' })).toBe(false);

    // Updating the expired silence to start in the future creates a new, pending one.
    await set({ id, matchers: [eq('foo', 'bar')], startsAt: clock.t + HOUR, endsAt: clock.t + 3 * HOUR });
    expect(await mutes({ foo: 'bar' })).toBe(false);

    clock.t += 2 * HOUR; // it becomes active: exposes Alertmanager's issue #2426
    expect(await mutes({ foo: 'bar' })).toBe(true);

    await set({
      matchers: [{ name: 'foo', value: 'b..', isRegex: true, isEqual: true }],
      startsAt: clock.t + HOUR,
      endsAt: clock.t + 3 * HOUR,
    });
    expect(await mutes({ foo: 'bar' })).toBe(true);

    clock.t += 2 * HOUR; // the first ends, the overlapping second is active
    expect(await mutes({ foo: 'bar' })).toBe(true);
  });
});

describe('Silencer', () => {
  it('mutes only matching alerts of the tenant, resolved ones too, and reports which silences muted what', async () => {
    const reports: SilenceMuteReport[] = [];
    const { store, clock, set, silencer } = harness({ onMuted: (r) => reports.push(r) });
    const s1 = await set({ matchers: [eq('alertname', 'Disk')], endsAt: clock.t + HOUR });
    const s2 = await set({ matchers: [eq('team', 'ops')], endsAt: clock.t + HOUR });
    const a = alert({ alertname: 'Disk', team: 'ops' });
    const b = alert({ alertname: 'Disk', team: 'web' }, clock.t - 1); // resolved
    const c = alert({ alertname: 'CPU', team: 'web' });
    const muted = await silencer.muted([a, b, c], { tenant: 'tenant', now: clock.t });
    expect([...muted].sort()).toEqual([a.fingerprint, b.fingerprint].sort());
    expect(reports).toHaveLength(1);
    expect(reports[0].tenant).toBe('tenant');
    expect(Object.fromEntries(reports[0].silencedBy)).toEqual({
      [a.fingerprint]: [s1.id, s2.id].sort(),
      [b.fingerprint]: [s1.id],
    });
    // Another tenant has no silences.
    expect((await silencer.muted([a], { tenant: 'other', now: clock.t })).size).toBe(0);
    expect(await store.version('other')).toBeDefined();
  });

  it('a silence expired now stops muting at the next flush', async () => {
    const { store, clock, set, mutes } = harness();
    const { id } = await set({ matchers: [eq('alertname', 'Disk')], endsAt: clock.t + HOUR });
    expect(await mutes({ alertname: 'Disk' })).toBe(true);
    const prev = (await store.get('tenant', id, clock.t))!;
    await store.write('tenant', {
      writes: [{ ...prev, endsAt: clock.t, updatedAt: clock.t + 1 }],
      expect: { id, updatedAt: prev.updatedAt },
      maxSilences: 0,
      now: clock.t,
      retention: HOUR,
    });
    expect(await mutes({ alertname: 'Disk' })).toBe(false);
  });

  it('asks nothing of the store for an empty batch', async () => {
    const { silencer } = harness();
    expect((await silencer.muted([], { tenant: 'tenant', now: T0 })).size).toBe(0);
  });
});
