import { EventEmitter } from 'node:events';
import { SlotMapWatch, slotMapSignature, type WatchedCluster } from './slot-map-watch';

const range = (start: number, end: number, master: string, ...replicas: string[]) => [
  start,
  end,
  ...[master, ...replicas].map((a) => [a.split(':')[0], Number(a.split(':')[1]), `id-${a}`]),
];

const MAP_A = [range(0, 5460, '10.0.0.1:7000', '10.0.0.4:7003'), range(5461, 16383, '10.0.0.2:7001')];
const MAP_B = [range(0, 5460, '10.0.0.4:7003'), range(5461, 16383, '10.0.0.2:7001')]; // failed over

/** A Cluster client as the watch sees it: node connections answering CLUSTER SLOTS from `map()`. */
class FakeCluster extends EventEmitter implements WatchedCluster {
  status = 'ready';
  refreshes = 0;
  asked: string[] = [];
  constructor(
    private readonly map: () => unknown,
    private readonly nodeNames = ['n1', 'n2', 'n3'],
    private readonly fail = new Set<string>(),
  ) {
    super();
  }
  nodes() {
    return this.nodeNames.map((name) => ({
      call: (...args: unknown[]) => {
        this.asked.push(`${name} ${args.join(' ')}`);
        if (this.fail.has(name)) return Promise.reject(new Error('Connection is closed.'));
        return Promise.resolve(this.map());
      },
    })) as unknown as ReturnType<WatchedCluster['nodes']>;
  }
  refreshSlotsCache(cb?: (err?: Error | null) => void): void {
    this.refreshes++;
    cb?.(null);
  }
}

describe('slotMapSignature', () => {
  it('is the same whatever order a node lists ranges and replicas in', () => {
    const a = [range(0, 10, 'h:1', 'h:2', 'h:3'), range(11, 16383, 'h:4')];
    const b = [range(11, 16383, 'h:4'), range(0, 10, 'h:1', 'h:3', 'h:2')];
    expect(slotMapSignature(a)).toBe(slotMapSignature(b));
  });

  it('differs when a range changes master (failover) or bounds (reshard)', () => {
    expect(slotMapSignature(MAP_A)).not.toBe(slotMapSignature(MAP_B));
    const moved = [range(0, 5000, '10.0.0.1:7000', '10.0.0.4:7003'), range(5001, 16383, '10.0.0.2:7001')];
    expect(slotMapSignature(MAP_A)).not.toBe(slotMapSignature(moved));
  });

  it('rejects a reply that is not a slot map', () => {
    expect(() => slotMapSignature('OK')).toThrow('not an array');
    expect(() => slotMapSignature([[0]])).toThrow('malformed');
  });
});

describe('SlotMapWatch', () => {
  const opts = { intervalMs: 60_000, timeoutMs: 50, fallbackEvery: 3 };

  it('re-reads each client once, then only when the map changed', async () => {
    let map: unknown = MAP_A;
    const request = new FakeCluster(() => map);
    const blocking = new FakeCluster(() => map);
    const w = new SlotMapWatch(opts);
    w.add(request, true);
    w.add(blocking, false);
    await w.check();
    expect([request.refreshes, blocking.refreshes]).toEqual([1, 1]);
    await w.check();
    await w.check();
    expect([request.refreshes, blocking.refreshes]).toEqual([1, 1]);
    map = MAP_B;
    await w.check();
    expect([request.refreshes, blocking.refreshes]).toEqual([2, 2]);
    // Only the request-path client's connections are asked (a blocking one may sit in BZPOPMIN).
    expect(blocking.asked).toEqual([]);
    expect(request.asked).toEqual([
      'n1 CLUSTER SLOTS',
      'n2 CLUSTER SLOTS',
      'n3 CLUSTER SLOTS',
      'n1 CLUSTER SLOTS',
    ]);
    request.emit('end');
    blocking.emit('end');
  });

  it('a node that fails or hangs re-reads nothing; the next check asks the next node', async () => {
    const hung = new FakeCluster(() => new Promise(() => undefined), ['n1']);
    const w = new SlotMapWatch(opts);
    w.add(hung, true);
    await w.check(); // times out after 50 ms
    expect(hung.refreshes).toBe(0);
    hung.emit('end');

    const c = new FakeCluster(() => MAP_A, ['n1', 'n2'], new Set(['n1']));
    const w2 = new SlotMapWatch(opts);
    w2.add(c, true);
    await w2.check();
    expect(c.refreshes).toBe(0);
    await w2.check();
    expect(c.refreshes).toBe(1);
    expect(c.asked).toEqual(['n1 CLUSTER SLOTS', 'n2 CLUSTER SLOTS']);
    c.emit('end');
  });

  it('a client not ready is left until it is; an ended one is dropped, and the last one stops the timer', async () => {
    const c = new FakeCluster(() => MAP_A);
    const other = new FakeCluster(() => MAP_A);
    const w = new SlotMapWatch(opts);
    c.status = 'connecting';
    w.add(c, true);
    w.add(other, true);
    await w.check();
    expect([c.refreshes, other.refreshes]).toEqual([0, 1]);
    c.status = 'ready';
    await w.check();
    expect([c.refreshes, other.refreshes]).toEqual([1, 1]);
    other.emit('end');
    expect(w.size).toBe(1);
    expect(w.running).toBe(true);
    c.emit('end');
    expect(w.size).toBe(0);
    expect(w.running).toBe(false);
    // Connected again (ioredis allows it): watched again.
    c.emit('ready');
    expect(w.size).toBe(1);
    expect(w.running).toBe(true);
    c.emit('end');
  });

  it('with no client it may ask, each client re-reads the map itself every fallbackEvery checks', async () => {
    const b = new FakeCluster(() => MAP_A);
    const w = new SlotMapWatch(opts);
    w.add(b, false);
    for (let i = 0; i < 6; i++) await w.check();
    expect(b.refreshes).toBe(2);
    expect(b.asked).toEqual([]);
    b.emit('end');
  });

  it('re-reads again at the next check when a re-read got a lagging node’s older map', async () => {
    /** A client whose re-reads land, in turn, on the nodes' views in `views` (per-slot masters). */
    class MappedCluster extends FakeCluster {
      slots: string[][] = [];
      constructor(
        map: () => unknown,
        private readonly views: (() => unknown)[],
      ) {
        super(map);
      }
      override refreshSlotsCache(cb?: (err?: Error | null) => void): void {
        const view = this.views[Math.min(this.refreshes, this.views.length - 1)]() as unknown[][];
        this.slots = [];
        for (const r of view) {
          const m = r[2] as [string, number];
          for (let s = r[0] as number; s <= (r[1] as number); s++) this.slots[s] = [`${m[0]}:${m[1]}`];
        }
        super.refreshSlotsCache(cb);
      }
    }
    let map: unknown = MAP_A;
    // First re-read: MAP_A; after the failover the first re-read still reads a node with MAP_A.
    const c = new MappedCluster(() => map, [() => MAP_A, () => MAP_A, () => MAP_B]);
    const w = new SlotMapWatch(opts);
    w.add(c, true);
    await w.check();
    expect(c.refreshes).toBe(1);
    map = MAP_B;
    await w.check(); // told MAP_B, re-read MAP_A: not current
    expect(c.refreshes).toBe(2);
    expect(c.slots[0]).toEqual(['10.0.0.1:7000']);
    await w.check(); // so it re-reads again, and gets MAP_B
    expect(c.refreshes).toBe(3);
    expect(c.slots[0]).toEqual(['10.0.0.4:7003']);
    await w.check(); // current: nothing more
    expect(c.refreshes).toBe(3);
  });
});
