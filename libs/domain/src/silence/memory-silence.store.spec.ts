import { MemorySilenceStore } from './memory-silence.store';
import { describeSilenceStoreContract } from './silence-store.contract';
import type { Silence } from './silence.store';

describeSilenceStoreContract('memory', () => Promise.resolve({ store: new MemorySilenceStore() }));

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const sil = (id: string, over: Partial<Silence> = {}): Silence => ({
  id,
  matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: true }],
  startsAt: NOW,
  endsAt: NOW + HOUR,
  updatedAt: NOW,
  createdBy: 'me',
  comment: 'c',
  ...over,
});

describe('MemorySilenceStore helpers', () => {
  it('versions of two instances never collide', async () => {
    expect(await new MemorySilenceStore().version('t')).not.toBe(await new MemorySilenceStore().version('t'));
  });

  it('replaceFrom seeds a tenant (dropping what is past retention) and bumps the version', async () => {
    const st = new MemorySilenceStore();
    const v0 = await st.version('t');
    st.replaceFrom('t', [sil('1'), sil('2', { endsAt: NOW - 2 * HOUR })], HOUR, NOW);
    expect(await st.version('t')).not.toBe(v0);
    expect((await st.snapshot('t', NOW)).silences.map((s) => s.id)).toEqual(['1']);
    expect(st.all('t', NOW)).toEqual([{ silence: sil('1'), expiresAt: NOW + 2 * HOUR }]);
    expect(st.tenants()).toEqual(['t']);
  });

  it('mergeFrom keeps the later updatedAt per id (Alertmanager state merge)', async () => {
    const st = new MemorySilenceStore();
    st.replaceFrom(
      't',
      [sil('1', { comment: 'old' }), sil('2', { updatedAt: NOW + 5, comment: 'mine' })],
      HOUR,
      NOW,
    );
    const v = await st.version('t');
    const n = st.mergeFrom(
      't',
      [sil('1', { updatedAt: NOW + 1, comment: 'new' }), sil('2', { comment: 'older' }), sil('3')],
      HOUR,
      NOW,
    );
    expect(n).toBe(2);
    expect(await st.version('t')).not.toBe(v);
    const byId = Object.fromEntries((await st.snapshot('t', NOW)).silences.map((s) => [s.id, s.comment]));
    expect(byId).toEqual({ '1': 'new', '2': 'mine', '3': 'c' });
    const v2 = await st.version('t');
    expect(st.mergeFrom('t', [sil('3')], HOUR, NOW)).toBe(0);
    expect(await st.version('t')).toBe(v2);
  });

  it('clear forgets a tenant', async () => {
    const st = new MemorySilenceStore();
    st.replaceFrom('t', [sil('1')], HOUR, NOW);
    st.clear('t');
    expect((await st.snapshot('t', NOW)).silences).toEqual([]);
    expect(st.tenants()).toEqual([]);
  });
});
