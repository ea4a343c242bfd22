/**
 * The notification history and the live events on a real Redis, single and Cluster: the history stream
 * is capped (MAXLEN ~) and read newest first with filters, the group's newest entry is one key; events
 * written by one node's log reach another node's reader (one XREAD BLOCK connection each) in order, with
 * resume by id; on a Cluster every key lives where the schema says (one slot for the event streams).
 */
import { randomBytes } from 'node:crypto';
import calculateSlot from 'cluster-key-slot';
import { compareStreamIds, type HistoryEntry, type StoredBatch } from '@herald/domain';
import {
  createRedisClient,
  RedisEventLog,
  RedisKeys,
  RedisNotificationHistory,
  type RedisClient,
} from '@herald/redis';
import { RedisServer } from '../harness/redis-server';
import { withRedisTopology, type RedisTopology, type Topology } from '../harness/redis-topology';
import { waitUntil } from '../harness/wait';

const prefix = () => `a${randomBytes(4).toString('hex')}`;
const TOPOS: Topology[] = (process.env.HERALD_TEST_TOPOLOGIES?.split(',') as Topology[]) ?? [
  'single',
  'cluster',
];

const entry = (i: number, o: Partial<HistoryEntry> = {}): HistoryEntry => ({
  at: 1_700_000_000_000 + i,
  groupId: (i % 2 ? 'aaaaaaaaaaaaaaaa' : 'bbbbbbbbbbbbbbbb') as string,
  groupKey: '{}:{alertname="A"}',
  receiver: i % 3 ? 'hook' : 'pager',
  integration: 'webhook',
  reason: 'first notification',
  alerts: 1,
  attempt: 1,
  outcome: 'delivered',
  idempotencyKey: `ik-${i}`,
  node: 'n1',
  ...o,
});

describe.each(TOPOS.filter((t) => t === 'single' || t === 'cluster'))('on %s Redis', (topology) => {
  let topo: RedisTopology;
  let redis: RedisClient;
  withRedisTopology(topology, (t) => ({ redis } = topo = t));
  /** A history under fresh keys (100 entries kept per tenant), its losses collected in `lost`. */
  const history = (o: { maxInFlight?: number } = {}) => {
    const keys = topo.keys(prefix());
    const lost: string[] = [];
    const h = new RedisNotificationHistory(redis, keys, {
      maxEntries: () => 100,
      lastTtlMs: 60_000,
      ...o,
      onLost: (why) => lost.push(why),
    });
    return { keys, lost, h };
  };

  it('history: capped per tenant, newest first, filtered; the group newest entry in one key', async () => {
    const { keys, lost, h } = history();
    // Two bursts: at most 1 000 writes are in flight at once (more would be dropped, counted).
    for (let i = 0; i < 500; i++) h.record('t1', entry(i));
    // The first burst settled (written and accounted) before the second: a record whose reply is in but
    // whose batch is not yet accounted still counts against the bound.
    await h.drain();
    expect(await h.last('t1', 'aaaaaaaaaaaaaaaa')).toMatchObject({ idempotencyKey: 'ik-499' });
    for (let i = 500; i < 1000; i++) h.record('t1', entry(i));
    h.record('t2', entry(5000, { outcome: 'failed', statusCode: 503, error: 'HTTP 503' }));
    await waitUntil(
      async () => (await redis.xlen(keys.history('t1'))) > 0 && (await redis.xlen(keys.history('t2'))) === 1,
    );
    // MAXLEN ~ trims whole macro nodes: about 100 kept, never all 1 000.
    await waitUntil(
      async () => {
        const rows = await h.list('t1', { limit: 1000 });
        return rows[0]?.idempotencyKey === 'ik-999' ? rows : null;
      },
      { detail: () => lost },
    );
    const len = await redis.xlen(keys.history('t1'));
    expect(len).toBeGreaterThanOrEqual(100);
    expect(len).toBeLessThan(300);
    const all = await h.list('t1', { limit: 1000 });
    expect(all.length).toBe(len);
    for (let i = 1; i < all.length; i++) expect(all[i - 1].at).toBeGreaterThan(all[i].at);
    const pager = await h.list('t1', { limit: 5, receiver: 'pager', groupId: 'bbbbbbbbbbbbbbbb' });
    expect(pager.map((e) => e.idempotencyKey)).toEqual(['ik-996', 'ik-990', 'ik-984', 'ik-978', 'ik-972']);
    expect((await h.list('t1', { limit: 1000, since: 1_700_000_000_000 + 990 })).length).toBe(10);
    expect(await h.list('t2', { limit: 10 })).toEqual([
      expect.objectContaining({ outcome: 'failed', statusCode: 503, error: 'HTTP 503' }),
    ]);
    expect(await h.last('t1', 'aaaaaaaaaaaaaaaa')).toMatchObject({ idempotencyKey: 'ik-999' });
    expect(await h.last('t2', 'aaaaaaaaaaaaaaaa')).toBeNull();
    expect(await redis.pttl(keys.historyLast('t1', 'aaaaaaaaaaaaaaaa'))).toBeGreaterThan(50_000);
    expect(await redis.pttl(keys.history('t1'))).toBeGreaterThan(50_000); // every Herald key expires
    expect(lost.filter((w) => w === 'error')).toEqual([]);
    if (topology === 'cluster') {
      // The stream and its group keys share the tenant's slot: one pipeline, one master.
      expect(calculateSlot(keys.historyLast('t1', 'aaaaaaaaaaaaaaaa'))).toBe(
        calculateSlot(keys.history('t1')),
      );
    }
  }, 30_000);

  it('history: the records of one turn of the event loop reach Redis in one write', async () => {
    const { keys, lost, h } = history();
    // Socket reads Redis made (INFO stats): a batch written at once arrives as one read, a record
    // written on its own would be one read each.
    const reads = async () => Number(/total_reads_processed:(\d+)/.exec(await redis.info('stats'))?.[1]);
    const before = topology === 'single' ? await reads() : 0;
    // One batch: one PEXPIRE per stream, not one per record.
    const pexpire = jest.spyOn(redis, 'pexpire');
    try {
      for (let i = 0; i < 20; i++) h.record(i % 2 ? 't1' : 't2', entry(i));
      await h.drain();
      // A plain Redis: the batch's 42 commands and this INFO (a split TCP segment at most adds one); a
      // Cluster: one batch per master holding the two tenants' slots (sent on the masters' connections).
      if (topology === 'single') {
        expect((await reads()) - before).toBeLessThanOrEqual(3);
        expect(pexpire).toHaveBeenCalledTimes(2);
      }
    } finally {
      pexpire.mockRestore();
    }
    await waitUntil(
      async () => (await redis.xlen(keys.history('t1'))) + (await redis.xlen(keys.history('t2'))) === 20,
    );
    expect(await h.last('t1', 'aaaaaaaaaaaaaaaa')).not.toBeNull();
    expect(await redis.pttl(keys.history('t2'))).toBeGreaterThan(50_000);
    expect(lost).toEqual([]);
  });

  // A stall is recorded by whichever node's stalled check found it, and the job runs again at once on
  // whichever node takes it: that node's outcome of the same attempt can be written first. The group's
  // newest entry must stay the outcome (the stream keeps both, in the order they came).
  it('history: a stall recorded after its re-run’s outcome does not become the group’s newest entry', async () => {
    const { keys, h } = history();
    const g = 'aaaaaaaaaaaaaaaa';
    const at = (o: Partial<HistoryEntry>) => entry(1, { idempotencyKey: 'ik-s', ...o });
    h.record('t1', at({ attempt: 2, outcome: 'delivered', node: 'n2' }));
    await h.drain();
    h.record('t1', at({ attempt: 2, outcome: 'stalled', node: 'n1' }));
    await h.drain();
    expect(await h.last('t1', g)).toMatchObject({ attempt: 2, outcome: 'delivered', node: 'n2' });
    expect((await h.list('t1', { limit: 10 })).map((e) => e.outcome)).toEqual(['stalled', 'delivered']);
    expect(await redis.pttl(keys.historyLast('t1', g))).toBeGreaterThan(50_000);
    // A stall of a later attempt, or of another notification, is the newest news: written.
    h.record('t1', at({ attempt: 3, outcome: 'stalled' }));
    await h.drain();
    expect(await h.last('t1', g)).toMatchObject({ attempt: 3, outcome: 'stalled' });
    h.record('t1', at({ attempt: 3, outcome: 'retrying' }));
    await h.drain();
    h.record('t1', at({ idempotencyKey: 'ik-other', attempt: 1, outcome: 'stalled' }));
    await h.drain();
    expect(await h.last('t1', g)).toMatchObject({ idempotencyKey: 'ik-other', outcome: 'stalled' });
    // And a stall followed by its re-run's outcome ends with the outcome, as before.
    h.record('t1', at({ idempotencyKey: 'ik-other', attempt: 1, outcome: 'delivered' }));
    await h.drain();
    expect(await h.last('t1', g)).toMatchObject({ idempotencyKey: 'ik-other', outcome: 'delivered' });
  });

  it('history: a burst beyond the in-flight bound is dropped and counted, never queued', () => {
    const { lost, h } = history({ maxInFlight: 10 });
    for (let i = 0; i < 50; i++) h.record('t', entry(i));
    expect(lost.filter((w) => w === 'busy').length).toBe(40);
  });

  describe('events', () => {
    let keys: RedisKeys;
    const logs: RedisEventLog[] = [];
    afterEach(async () => {
      await Promise.all(logs.splice(0).map((l) => l.close()));
    });

    const node = async (tenants: string[]) => {
      const log = new RedisEventLog(redis, await topo.client('blocking'), keys, {
        maxEntries: () => 300,
        tenants: () => tenants,
        windowMs: 20,
        blockMs: 500,
      });
      logs.push(log);
      log.start();
      return log;
    };

    it("fan out one node's writes to another node's subscribers per tenant, capped, resumable", async () => {
      keys = topo.keys(prefix());
      const a = await node(['t1', 't2']);
      const b = await node(['t1', 't2']);
      // Fresh streams: the readers follow them from 0-0, so nothing published from here is missed.
      const got: StoredBatch[] = [];
      const got2: StoredBatch[] = [];
      b.subscribe('t1', (e) => got.push(...e));
      b.subscribe('t2', (e) => got2.push(...e));
      const events = () => got.flatMap((x) => x.events);
      const t0 = Date.now();
      a.publish('t1', [{ kind: 'alert', groupId: 'g1', at: t0 }]);
      await waitUntil(() => got.length === 1, { timeoutMs: 2000 });
      expect(Date.now() - t0).toBeLessThan(1000);
      expect(got[0].events).toEqual([{ kind: 'alert', groupId: 'g1', at: t0 }]);
      expect(got2).toEqual([]);
      // 200 requests' events within one window: one stream entry (one XADD), each group once.
      const len0 = await redis.xlen(keys.events('t1'));
      for (let i = 0; i < 200; i++)
        a.publish('t1', [
          { kind: 'alert', groupId: `g${i}`, at: t0 + i },
          { kind: 'alert', groupId: `g${i % 10}`, at: t0 + i },
        ]);
      await waitUntil(() => events().length === 201, { timeoutMs: 5000, detail: () => events().length });
      expect(await redis.xlen(keys.events('t1'))).toBe(len0 + 1);
      expect(got).toHaveLength(2);
      // One entry per window: 250 windows, 250 entries, each read once.
      const flushWindow = () => (a as unknown as { coalescer: { flush(): void } }).coalescer.flush();
      for (let w = 0; w < 250; w++) {
        a.publish('t1', [{ kind: 'group', groupId: `w${w}`, at: t0 + w }]);
        flushWindow();
      }
      await waitUntil(() => got.length === 252, { detail: () => got.length });
      const ids = got.map((x) => x.id);
      expect(new Set(ids).size).toBe(ids.length);
      // Capped at about 300 entries (MAXLEN ~); resume after an id still held replays what followed it.
      for (let w = 0; w < 400; w++) {
        a.publish('t1', [{ kind: 'group', groupId: `x${w}`, at: t0 + w }]);
        flushWindow();
      }
      await waitUntil(() => got.some((x) => x.events[0].groupId === 'x399'));
      const len = await redis.xlen(keys.events('t1'));
      expect(await redis.pttl(keys.events('t1'))).toBeGreaterThan(3_600_000);
      expect(len).toBeGreaterThanOrEqual(300);
      expect(len).toBeLessThan(450);
      const from = got[got.length - 6].id;
      const replay = await b.after('t1', from, 100);
      expect(replay.map((x) => x.id)).toEqual(got.slice(-5).map((x) => x.id));
      expect(replay.map((x) => x.events[0].groupId)).toEqual(['x395', 'x396', 'x397', 'x398', 'x399']);
      // The oldest entry kept: a resume from before it (the first batches, trimmed) must re-read all.
      const oldest = await b.oldest('t1');
      const [[first]] = (await redis.xrange(keys.events('t1'), '-', '+', 'COUNT', 1)) as [string, string[]][];
      expect(oldest).toBe(first);
      expect(compareStreamIds(oldest!, got[0].id)).toBeGreaterThan(0);
      if (topology === 'cluster')
        expect(calculateSlot(keys.events('t1'))).toBe(calculateSlot(keys.events('t2')));
    }, 30_000);
  });
});

describe('events across a Redis restart', () => {
  let server: RedisServer;
  let log: RedisEventLog | undefined;
  const clients: RedisClient[] = [];
  beforeAll(async () => {
    server = await RedisServer.start();
  });
  afterAll(async () => {
    await log?.close();
    for (const c of clients) c.disconnect();
    await server.stop();
  });

  it('the reader comes back by itself; what was published while Redis was gone is lost and counted', async () => {
    const keys = new RedisKeys(prefix(), 16);
    const opts = { url: server.url, commandTimeout: 500, connectTimeout: 500 };
    const writer = createRedisClient(opts, 'fail-fast');
    const reader = createRedisClient(opts, 'blocking');
    for (const c of [writer, reader]) c.on('error', () => undefined);
    clients.push(writer);
    await writer.connect();
    const errors: string[] = [];
    log = new RedisEventLog(writer, reader, keys, {
      maxEntries: () => 100,
      tenants: () => ['t'],
      windowMs: 20,
      blockMs: 300,
      onError: (op) => errors.push(op),
    });
    log.start();
    const got: StoredBatch[] = [];
    log.subscribe('t', (b) => got.push(...b));
    log.publish('t', [{ kind: 'alert', groupId: 'before', at: 1 }]);
    await waitUntil(() => got.length === 1);

    await server.kill();
    log.publish('t', [{ kind: 'alert', groupId: 'during', at: 2 }]);
    await waitUntil(() => errors.includes('write'));
    await server.restart(); // empty: the reader's cursor is older than anything new
    await waitUntil(async () => (await writer.ping().catch(() => '')) === 'PONG', { timeoutMs: 10_000 });
    await waitUntil(
      async () => {
        log!.publish('t', [{ kind: 'alert', groupId: 'after', at: 3 }]);
        return got.some((b) => b.events.some((e) => e.groupId === 'after'));
      },
      { timeoutMs: 15_000, intervalMs: 300, what: 'an event after the restart' },
    );
    expect(got.flatMap((b) => b.events.map((e) => e.groupId))).not.toContain('during');
  }, 40_000);
});
