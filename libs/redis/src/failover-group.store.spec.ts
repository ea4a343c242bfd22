import {
  MemoryGroupStore,
  type Alert,
  type GroupTarget,
  type UpsertBatch,
  type UpsertResult,
} from '@herald/domain';
import { groupTarget, storedAlert } from '../../../test/harness/groups';
import { FailoverGroupStore } from './failover-group.store';

const NOW = 1_800_000_000_000;
/** Group `{alertname="<id>"}` with the id zero-padded to a group id. */
const target = (id: string): GroupTarget => groupTarget(id.padStart(16, '0'), { name: id });
const alert = (fp: string): Alert => storedAlert(fp, NOW);

/** ioredis' script error: a ReplyError, not a connection problem. */
function scriptError(): Error {
  const e = new Error('ERR user_script:71: Script attempted to access nonexistent global variable');
  e.name = 'ReplyError';
  return e;
}

/** A "Redis" store that refuses any batch holding a fingerprint starting with `bad`, or is down. */
class RefusingStore extends MemoryGroupStore {
  down = false;
  calls = 0;
  constructor() {
    super({ maxAlerts: 10_000, maxGroups: 1000, retention: 3_600_000 });
  }
  override upsert(batch: UpsertBatch): Promise<UpsertResult> {
    this.calls++;
    if (this.down) return Promise.reject(new Error('Connection is closed.'));
    if (batch.groups.some((g) => g.alerts.some((a) => a.fingerprint.startsWith('bad')))) {
      return Promise.reject(scriptError());
    }
    return super.upsert(batch);
  }
}

function setup() {
  const redis = new RefusingStore();
  const memory = new MemoryGroupStore({ maxAlerts: 10_000, maxGroups: 1000, retention: 3_600_000 });
  const logs: string[] = [];
  const store = new FailoverGroupStore(
    redis,
    memory,
    { log: (m) => logs.push(m), warn: (m) => logs.push(m) },
    {
      probeInterval: 60_000,
      probe: () => (redis.down ? Promise.reject(new Error('down')) : Promise.resolve()),
      clock: { now: () => NOW },
    },
  );
  return { redis, memory, logs, store };
}

describe('FailoverGroupStore merge after an outage', () => {
  it('the failover merge skips an entry Redis refuses and leaves fallback', async () => {
    const { redis, memory, logs, store } = setup();
    store.startInFallback(new Error('Connection is closed.'));
    await store.upsert({
      tenant: 't',
      now: NOW,
      groups: [
        { target: target('1'), alerts: [alert('a1'), alert('bad1'), alert('a2')] },
        { target: target('2'), alerts: [alert('b1')] },
      ],
    });
    expect(memory.size.alerts).toBe(4);

    await store.tryRecover();

    expect(store.degraded).toBe(false);
    expect(store.status()).toMatchObject({ mode: 'redis', pendingAlerts: 0, mergeSkipped: 1 });
    expect(memory.size.alerts).toBe(0);
    const g1 = await redis.getGroup('t', target('1').groupId);
    expect(g1!.firing.map((a) => a.fingerprint).sort()).toEqual(['a1', 'a2']);
    expect((await redis.getGroup('t', target('2').groupId))!.firing).toHaveLength(1);
    const warn = logs.find((l) => l.includes('refused'));
    expect(warn).toContain('bad1');
    expect(warn).toContain('Script attempted');
    expect(logs.filter((l) => l.includes('is back'))).toHaveLength(1);
  });

  it('a refused entry does not come back: the next outage starts with nothing pending', async () => {
    const { redis, memory, store } = setup();
    store.startInFallback(new Error('Connection is closed.'));
    await store.upsert({ tenant: 't', now: NOW, groups: [{ target: target('1'), alerts: [alert('bad1')] }] });
    await store.tryRecover();
    expect(store.degraded).toBe(false);
    expect(memory.size.alerts).toBe(0);
    redis.calls = 0;
    await store.tryRecover(); // not in fallback: no retry of the skipped write
    expect(redis.calls).toBe(0);
    expect(store.status().mergeSkipped).toBe(1);
  });

  it('Redis lost again during the merge: everything not merged goes back to memory, still in fallback', async () => {
    const { redis, memory, store } = setup();
    store.startInFallback(new Error('Connection is closed.'));
    await store.upsert({
      tenant: 't',
      now: NOW,
      groups: [{ target: target('1'), alerts: [alert('a1'), alert('a2')] }],
    });
    const orig = redis.upsert.bind(redis);
    redis.upsert = (b) => {
      redis.down = true; // the probe passed; the first write finds Redis gone again
      return orig(b);
    };
    await store.tryRecover();
    expect(store.status()).toMatchObject({ mode: 'memory-fallback', mergeSkipped: 0 });
    expect(memory.size.alerts).toBe(2);
  });
});

describe('FailoverGroupStore: a busy Redis is not a Redis outage (found by npm run fuzz)', () => {
  /** Times out the next `n` listGroups calls, as a whole-tenant read under heavy ingest can. */
  class SlowStore extends RefusingStore {
    slow = 0;
    override listGroups(tenant: string) {
      if (this.slow > 0) {
        this.slow--;
        return Promise.reject(new Error('Command timed out'));
      }
      return super.listGroups(tenant);
    }
  }

  function slowSetup() {
    const redis = new SlowStore();
    const memory = new MemoryGroupStore({ maxAlerts: 10_000, maxGroups: 1000, retention: 3_600_000 });
    const store = new FailoverGroupStore(
      redis,
      memory,
      { log: () => undefined, warn: () => undefined },
      {
        probeInterval: 60_000,
        probe: () => (redis.down ? Promise.reject(new Error('down')) : Promise.resolve()),
        clock: { now: () => NOW },
      },
    );
    return { redis, store };
  }

  it('a read that times out while Redis answers PING is retried, and the node stays on Redis', async () => {
    const { redis, store } = slowSetup();
    await store.upsert({ tenant: 't', now: NOW, groups: [{ target: target('a'), alerts: [alert('f1')] }] });
    redis.slow = 1;
    expect((await store.listGroups('t')).map((g) => g.firing.length)).toEqual([1]);
    expect(store.status().mode).toBe('redis');
    expect(store.busyRetries).toBe(1);
  });

  it('a read that times out while PING fails too falls back to memory, as before', async () => {
    const { redis, store } = slowSetup();
    redis.slow = 1;
    redis.down = true;
    expect(await store.listGroups('t')).toEqual([]);
    expect(store.status().mode).toBe('memory-fallback');
  });

  it('a timeout another component reports while Redis answers PING is dismissed: no fallback from an event-loop stall', async () => {
    const { store } = slowSetup();
    const changes: boolean[] = [];
    store.onModeChange((d) => changes.push(d));
    const timedOut = new Error('Command timed out');
    store.reportUnavailable(timedOut);
    store.reportUnavailable(timedOut); // one probe for both
    await new Promise((r) => setImmediate(r));
    expect(store.status().mode).toBe('redis');
    expect(changes).toEqual([]);
    expect(store.busyRetries).toBe(1);
  });

  it('a reported timeout with PING failing too enters the fallback; a connection error does at once', async () => {
    const a = slowSetup();
    a.redis.down = true;
    a.store.reportUnavailable(new Error('Command timed out'));
    expect(a.store.status().mode).toBe('redis'); // not before the probe has failed
    await new Promise((r) => setImmediate(r));
    expect(a.store.status().mode).toBe('memory-fallback');

    const b = slowSetup();
    b.store.reportUnavailable(new Error('Connection is closed.'));
    expect(b.store.status().mode).toBe('memory-fallback');
  });
});

describe('FailoverGroupStore: the receiver hint', () => {
  it("is Redis' while Redis is up, and none during an outage (memory reads need none)", () => {
    const { redis, store } = setup();
    (redis as unknown as { receiverHint: () => string }).receiverHint = () => 'hook';
    expect(store.receiverHint('t', target('1').groupId)).toBe('hook');
    store.startInFallback(new Error('Connection is closed.'));
    expect(store.receiverHint('t', target('1').groupId)).toBeUndefined();
  });
});
