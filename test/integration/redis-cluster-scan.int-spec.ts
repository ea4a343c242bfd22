import calculateSlot from 'cluster-key-slot';
import type { Cluster } from 'ioredis';
import {
  createRedisClient,
  execPipeline,
  masterNodes,
  pipelinePerItem,
  scanKeys,
  type RedisClient,
} from '@herald/redis';
import { RedisCluster, type ClusterNode } from '../harness/redis-cluster';

/**
 * Key walks and pipelines on a real Redis Cluster (issue 15, "scanning"): SCAN visits every master,
 * a pipeline is split per node and its replies come back in queue order, and a reshard of 1 000 slots
 * in the middle of pipelines loses no reply and repeats no write.
 */
describe('scanKeys / execPipeline on Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: Cluster;

  beforeAll(async () => {
    cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 1, nodeTimeoutMs: 1000 });
    client = await cluster.client();
  }, 60_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  /** The port of the master serving `key`, by the client's slot map. */
  const portOf = (key: string) => client.slots[calculateSlot(key)][0].split(':').pop();

  it('scanKeys finds every key on every master, once each after dedup', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `scan:key:${i}`);
    await Promise.all(keys.map((k) => client.set(k, '1')));
    await Promise.all(Array.from({ length: 200 }, (_, i) => client.set(`other:${i}`, '1')));
    expect(new Set(keys.map((k) => calculateSlot(k))).size).toBeGreaterThan(2500);

    const seen = new Map<string, number>();
    let pages = 0;
    for await (const page of scanKeys(client, 'scan:key:*', 100)) {
      pages++;
      for (const k of page) seen.set(k, (seen.get(k) ?? 0) + 1);
    }
    expect([...seen.keys()].sort()).toEqual([...keys].sort());
    expect(pages).toBeGreaterThan(3);
    // Every master held some of them (the keys really were spread), and SCAN visited each.
    expect(masterNodes(client)).toHaveLength(3);
    const ports = new Set([...seen.keys()].map(portOf));
    expect(ports.size).toBe(3);
  });

  it('execPipeline returns replies in queue order for keys on all three masters', async () => {
    const keys = Array.from({ length: 600 }, (_, i) => `pipe:key:${i}`);
    expect(new Set(keys.map(portOf)).size).toBe(3);
    // Each master's commands go on that master's own connection (ready: the scan above used them), not
    // through the Cluster client one by one nor as Cluster pipelines: one round trip per master.
    const masters = masterNodes(client);
    expect(masters.map((m) => m.status)).toEqual(['ready', 'ready', 'ready']);
    const pipelines = jest.spyOn(client, 'pipeline');
    const single = jest.spyOn(client, 'sendCommand');
    const perMaster = masters.map((m) => jest.spyOn(m, 'sendCommand'));
    const set = await execPipeline(client, (p) => {
      for (const k of keys) p.set(k, `v:${k}`);
    });
    expect(set).toEqual(keys.map(() => [null, 'OK']));
    expect(pipelines).not.toHaveBeenCalled();
    expect(single).not.toHaveBeenCalled();
    masters.forEach((m, i) => {
      const own = keys.filter((k) => portOf(k) === String(m.options.port));
      expect(perMaster[i].mock.calls.map(([c]) => (c as { args: unknown[] }).args[0])).toEqual(own);
    });
    for (const spy of [pipelines, single, ...perMaster]) spy.mockRestore();

    const got = await execPipeline(client, (p) => {
      for (const k of keys) p.get(k).strlen(k);
    });
    expect(got).toEqual(
      keys.flatMap((k) => [
        [null, `v:${k}`],
        [null, `v:${k}`.length],
      ]),
    );

    const perItem = await pipelinePerItem(client, keys.slice(0, 30), (p, k) => p.get(k).exists(k));
    expect(perItem).toEqual(keys.slice(0, 30).map((k) => [`v:${k}`, 1]));
  });

  /**
   * Repeated pipelines of INCR+GET on 300 keys through `c` while `from` gives 1 000 slots to `to`: every
   * reply is there, in order, and every INCR ran exactly once (the counters equal the rounds).
   */
  async function reshardUnderLoad(c: RedisClient, from: ClusterNode, to: ClusterNode, tag: string) {
    const where = (k: string) => (c as Cluster).slots[calculateSlot(k)]?.[0]?.split(':').pop();
    const keys = Array.from({ length: 300 }, (_, i) => `reshard:${tag}:{${i}}:n`);
    const movedKeys = keys.filter((k) => where(k) === String(from.port));
    expect(movedKeys.length).toBeGreaterThan(50);

    const singles = jest.spyOn(c, 'incr'); // a command sent again on its own after MOVED/ASK
    let resharding = true;
    let during = 0;
    let rounds = 0;
    const failures: string[] = [];
    const load = (async () => {
      while (resharding || rounds < 3) {
        const round = ++rounds;
        if (resharding) during++;
        const res = await execPipeline(c, (p) => {
          for (const k of keys) p.incr(k).get(k);
        });
        keys.forEach((k, i) => {
          const [[e1, n], [e2, v]] = [res[2 * i], res[2 * i + 1]];
          if (e1 || e2) failures.push(`${k}: ${(e1 ?? e2)?.message}`);
          else if (Number(n) !== round || Number(v) !== round)
            failures.push(`${k}: ${String(n)}/${String(v)} in round ${round}`);
        });
      }
    })();
    try {
      await cluster.reshard({ from, to, slots: 1000 });
    } finally {
      resharding = false;
    }
    await load;
    console.log(
      `reshard (${tag}): ${rounds} pipeline rounds (${during} during the move), ${singles.mock.calls.length} commands re-sent alone`,
    );
    singles.mockRestore();
    expect(failures.slice(0, 10)).toEqual([]);
    expect(during).toBeGreaterThan(0);
    const counts = await Promise.all(keys.map((k) => c.get(k)));
    expect(counts).toEqual(keys.map(() => String(rounds)));
    // The slots really moved: some of the keys that were on `from` are now held by `to`.
    let onTo = 0;
    for (const k of movedKeys)
      onTo += Number(await cluster.command(to, 'CLUSTER', 'COUNTKEYSINSLOT', calculateSlot(k)));
    expect(onTo).toBeGreaterThan(0);
  }

  it('a reshard of 1 000 slots in the middle of repeated pipelines loses no reply and repeats no write', async () => {
    const [from, to] = cluster.masters();
    await reshardUnderLoad(client, from, to, 'harness');
  }, 120_000);

  it("the same through Herald's own fail-fast Cluster client (auto-pipelined, command timeout)", async () => {
    const herald = createRedisClient(
      { cluster: { nodes: cluster.seedNodes() }, commandTimeout: 2000, connectTimeout: 2000 },
      'fail-fast',
    );
    herald.on('error', () => undefined);
    try {
      await herald.connect();
      const [, from, to] = cluster.masters();
      await reshardUnderLoad(herald, from, to, 'herald');
    } finally {
      herald.disconnect();
    }
  }, 120_000);

  it('scanKeys during a reshard still finds every key (walked again until no slot moved meanwhile)', async () => {
    const keys = Array.from({ length: 3000 }, (_, i) => `scan:key:${i}`); // written by the first case
    // Slots move from the master walked last to the one walked first: the direction a single walk
    // can miss keys in (moved off the later master after... onto the earlier one after it was walked).
    const order = client.nodes('master').map((n) => n.options.port);
    const byPort = (port: number | undefined) => cluster.masters().find((m) => m.port === port)!;
    const [from, to] = [byPort(order[order.length - 1]), byPort(order[0])];

    let resharding = true;
    let walks = 0;
    let naiveIncomplete = 0;
    const incomplete: number[] = [];
    const load = (async () => {
      while (resharding) {
        const seen = new Set<string>();
        for await (const page of scanKeys(client, 'scan:key:*', 200, { attempts: 500, retryDelayMs: 20 }))
          for (const k of page) seen.add(k);
        walks++;
        if (seen.size !== keys.length) incomplete.push(seen.size);
        const once = new Set<string>();
        for await (const page of scanKeys(client, 'scan:key:*', 200, { attempts: 1 }))
          for (const k of page) once.add(k);
        if (once.size !== keys.length) naiveIncomplete++;
      }
    })();
    try {
      await cluster.reshard({ from, to, slots: 1000 });
    } finally {
      resharding = false;
    }
    await load;
    console.log(`scan during reshard: ${walks} checked walks, ${naiveIncomplete} single walks incomplete`);
    expect(walks).toBeGreaterThan(0);
    expect(incomplete).toEqual([]);
  }, 120_000);
});
