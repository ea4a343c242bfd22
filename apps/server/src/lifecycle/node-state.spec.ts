import { compatKey, NodeState } from './node-state';

describe('NodeState', () => {
  it('keeps an object over a rebuild when its compat key is unchanged, and builds it once', () => {
    const s = new NodeState();
    const build = jest.fn(() => ({ n: 1 }));
    s.begin();
    const first = s.keep('store', 'k1', build);
    s.commit();
    s.begin();
    expect(s.keep('store', 'k1', build)).toBe(first);
    s.commit();
    expect(build).toHaveBeenCalledTimes(1);
  });

  it('replaces an object whose settings changed and releases the old one only when asked (after the old app closed)', async () => {
    const s = new NodeState();
    const released: string[] = [];
    s.begin();
    s.keep(
      'q',
      'a',
      () => 'old',
      (v) => released.push(v),
    );
    s.commit();
    s.begin();
    expect(
      s.keep(
        'q',
        'b',
        () => 'new',
        (v) => released.push(v),
      ),
    ).toBe('new');
    const { release, retired } = s.commit();
    expect(retired).toEqual(['q']);
    expect(released).toEqual([]); // the old application may still use it while it closes
    await release();
    expect(released).toEqual(['old']);
  });

  it('a failed build releases what it built, never what it shares with the live application', async () => {
    const s = new NodeState();
    const released: string[] = [];
    const rel = (v: string) => released.push(v);
    s.begin();
    s.keep('shared', 'x', () => 'shared-1', rel);
    s.commit();
    s.begin();
    s.keep('shared', 'x', () => 'shared-2', rel);
    s.keep('fresh', 'y', () => 'fresh-1', rel);
    await s.abort();
    expect(released).toEqual(['fresh-1']);
    expect(s.keys()).toEqual(['shared']);
  });

  it('runs onLive hooks only when the new application becomes live, never after an abort', async () => {
    const s = new NodeState();
    const seen: string[] = [];
    s.begin();
    s.onLive(() => seen.push('first'));
    expect(seen).toEqual([]);
    s.commit();
    expect(seen).toEqual(['first']);
    s.begin();
    s.onLive(() => seen.push('aborted'));
    await s.abort();
    s.onLive(() => seen.push('outside a build: at once'));
    expect(seen).toEqual(['first', 'outside a build: at once']);
  });

  it('releases an async object once resolved, the last kept first, at close', async () => {
    const s = new NodeState();
    const order: string[] = [];
    s.begin();
    void s.keep(
      'a',
      '1',
      () => Promise.resolve('A'),
      (v) => order.push(v),
    );
    s.keep(
      'b',
      '1',
      () => 'B',
      (v) => order.push(v),
    );
    s.commit();
    await s.close();
    expect(order).toEqual(['B', 'A']);
  });

  it('refuses one application keeping a key twice with different settings', () => {
    const s = new NodeState();
    s.begin();
    s.keep('k', '1', () => 1);
    expect(() => s.keep('k', '2', () => 2)).toThrow(/kept twice/);
  });

  it('compatKey: equal for equal parts whatever the key order; Sets compare by content', () => {
    expect(compatKey({ a: 1, b: [1, 2] })).toBe(compatKey({ b: [1, 2], a: 1 }));
    expect(compatKey(new Set(['x', 'y']))).toBe(compatKey(new Set(['y', 'x'])));
    expect(compatKey({ a: 1 })).not.toBe(compatKey({ a: 2 }));
  });
});
