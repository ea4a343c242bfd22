import {
  decodeHistoryFields,
  encodeHistoryFields,
  MemoryNotificationHistory,
  Ring,
  safeErrorText,
  storedHistoryEntry,
  type HistoryEntry,
} from './notification-history';

const entry = (o: Partial<HistoryEntry> = {}): HistoryEntry => ({
  at: 1_700_000_000_000,
  groupId: '0123456789abcdef',
  groupKey: '{}:{alertname="A"}',
  receiver: 'hook',
  integration: 'webhook',
  reason: 'first notification',
  alerts: 2,
  attempt: 1,
  outcome: 'delivered',
  idempotencyKey: 'ik-1',
  node: 'node-a',
  ...o,
});

describe('history stream records', () => {
  it('round-trip an entry, optional fields only when set', () => {
    const e = entry({ outcome: 'failed', statusCode: 400, error: 'webhook[0]: client-error: HTTP 400' });
    expect(decodeHistoryFields('1-0', encodeHistoryFields(e))).toEqual({ id: '1-0', ...e });
    const plain = encodeHistoryFields(entry());
    expect(plain).not.toContain('sc');
    expect(plain).not.toContain('e');
    expect(decodeHistoryFields('2-0', plain)).toEqual({ id: '2-0', ...entry() });
  });

  it('round-trip every outcome, a stalled attempt too', () => {
    for (const outcome of ['delivered', 'retrying', 'failed', 'stalled'] as const) {
      const e = entry({ outcome });
      expect(decodeHistoryFields('1-0', encodeHistoryFields(e))).toEqual({ id: '1-0', ...e });
    }
  });

  it('refuse a record that is not an entry', () => {
    expect(decodeHistoryFields('1-0', ['x', 'y'])).toBeNull();
    const f = encodeHistoryFields(entry());
    f[f.indexOf('o') + 1] = 'exploded';
    expect(decodeHistoryFields('1-0', f)).toBeNull();
  });

  it('bound long texts', () => {
    const f = encodeHistoryFields(entry({ groupKey: 'k'.repeat(5000), error: 'x'.repeat(5000) }));
    const d = decodeHistoryFields('1-0', f)!;
    expect(d.groupKey.length).toBeLessThanOrEqual(1024);
    expect(d.error!.length).toBeLessThanOrEqual(300);
  });
});

describe('storedHistoryEntry: the entry as kept, without the round trip through the fields', () => {
  it('is what a record reads back as, for plain, long, odd and failed entries', () => {
    const cases = [
      entry(),
      entry({ outcome: 'failed', statusCode: 400, error: 'webhook[0]: client-error: HTTP 400' }),
      entry({
        groupKey: 'k'.repeat(5000),
        receiver: 'r'.repeat(300),
        integration: 'i'.repeat(200),
        reason: 'w'.repeat(100),
        idempotencyKey: 'ik'.repeat(200),
        node: 'n'.repeat(300),
        error: 'Post "https://user:pw@hooks.example/secret?x=1":\n  refused '.repeat(50),
      }),
      entry({ outcome: 'retrying', alerts: NaN, attempt: Infinity, statusCode: NaN }),
    ];
    for (const e of cases) {
      const { id: _id, ...back } = decodeHistoryFields('1-0', encodeHistoryFields(e))!;
      expect(storedHistoryEntry(e)).toEqual(back);
    }
  });

  it('refuses what a record could not be read back as', () => {
    expect(() => storedHistoryEntry(entry({ groupId: '' }))).toThrow(/not a history entry/);
    expect(() => storedHistoryEntry(entry({ at: NaN }))).toThrow(/not a history entry/);
    expect(() => storedHistoryEntry(entry({ outcome: 'exploded' as HistoryEntry['outcome'] }))).toThrow(
      /not a history entry/,
    );
  });
});

describe('safeErrorText', () => {
  it('cuts URLs to scheme and host, credentials and paths dropped', () => {
    const s = safeErrorText(
      'Post "https://user:pa55@hooks.slack.com/services/T0/B0/XYZ?token=abc": dial tcp: timeout',
    );
    expect(s).toBe('Post "https://hooks.slack.com/…": dial tcp: timeout');
    expect(s).not.toMatch(/pa55|XYZ|abc/);
  });

  it('folds whitespace and bounds the length', () => {
    expect(safeErrorText('a\n\n  b')).toBe('a b');
    expect(safeErrorText('y'.repeat(1000), 20)).toHaveLength(20);
  });
});

describe('MemoryNotificationHistory', () => {
  it('keeps the newest max_entries per tenant, newest first', async () => {
    const h = new MemoryNotificationHistory({ maxEntries: 3 });
    for (let i = 0; i < 5; i++) h.record('t1', entry({ at: 1000 + i, attempt: i + 1 }));
    h.record('t2', entry({ at: 5000 }));
    expect(h.size('t1')).toBe(3);
    const rows = await h.list('t1', { limit: 10 });
    expect(rows.map((r) => r.attempt)).toEqual([5, 4, 3]);
    expect((await h.list('t2', { limit: 10 })).length).toBe(1);
    expect(await h.list('t3', { limit: 10 })).toEqual([]);
  });

  it('filters by group, receiver and since, then limits', async () => {
    const h = new MemoryNotificationHistory({ maxEntries: 100 });
    h.record('t', entry({ at: 1, groupId: 'aaaaaaaaaaaaaaaa' }));
    h.record('t', entry({ at: 2, groupId: 'bbbbbbbbbbbbbbbb', receiver: 'other' }));
    h.record('t', entry({ at: 3, groupId: 'aaaaaaaaaaaaaaaa', outcome: 'failed' }));
    expect((await h.list('t', { limit: 10, groupId: 'aaaaaaaaaaaaaaaa' })).map((e) => e.at)).toEqual([3, 1]);
    expect((await h.list('t', { limit: 10, receiver: 'other' })).map((e) => e.at)).toEqual([2]);
    expect((await h.list('t', { limit: 10, since: 2 })).map((e) => e.at)).toEqual([3, 2]);
    expect((await h.list('t', { limit: 1 })).map((e) => e.at)).toEqual([3]);
    expect(await h.last('t', 'aaaaaaaaaaaaaaaa')).toMatchObject({ at: 3, outcome: 'failed' });
    expect(await h.last('t', 'cccccccccccccccc')).toBeNull();
  });

  it('gives increasing stream-like ids, also within one millisecond', async () => {
    const h = new MemoryNotificationHistory({ maxEntries: 10 });
    h.record('t', entry({ at: 7 }));
    h.record('t', entry({ at: 7 }));
    h.record('t', entry({ at: 6 })); // a clock step back still sorts after
    expect((await h.list('t', { limit: 10 })).map((e) => e.id)).toEqual(['7-2', '7-1', '7-0']);
  });

  it('applies a lowered bound at the next record', async () => {
    const opts = { maxEntries: 5 };
    const h = new MemoryNotificationHistory(opts);
    for (let i = 0; i < 5; i++) h.record('t', entry({ at: i }));
    opts.maxEntries = 2;
    h.record('t', entry({ at: 10 }));
    expect((await h.list('t', { limit: 10 })).map((e) => e.at)).toEqual([10, 4]);
  });
});

describe('Ring', () => {
  it('wraps around keeping order', () => {
    const r = new Ring<number>();
    for (let i = 0; i < 7; i++) r.push(i, 3);
    expect([...r.oldestFirst()]).toEqual([4, 5, 6]);
    expect([...r.newestFirst()]).toEqual([6, 5, 4]);
    r.push(7, 5); // a raised bound grows from there
    r.push(8, 5);
    expect([...r.oldestFirst()]).toEqual([4, 5, 6, 7, 8]);
  });
});
