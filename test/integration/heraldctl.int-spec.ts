import { randomBytes, randomUUID } from 'node:crypto';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis as IORedis, type Redis } from 'ioredis';
import type { Alert } from '@herald/domain';
import calculateSlot from 'cluster-key-slot';
import {
  createFailFastClient,
  createRedisClient,
  RedisGroupStore,
  RedisKeys,
  type RedisClient,
} from '@herald/redis';
import { RedisSessionStore, sha256Hex } from '@herald/sessions';
import { run, type CliIo } from '../../apps/cli/src/commands';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { startNode, type TestNode } from '../harness/app';
import { freePort } from '../harness/free-port';
import { secret, tenantsYaml } from '../harness/tenants';
import { groupTarget } from '../harness/groups';
import { RedisCluster } from '../harness/redis-cluster';
import { RedisServer } from '../harness/redis-server';

let server: RedisServer;
let redis: Redis;
const prefix = `hc${randomBytes(4).toString('hex')}`;
const keys = new RedisKeys(prefix, 16);
const NOW = Date.now();
const TOKEN = 'session-token-never-printed';
const OWNER = 'owner-0123456789abcdef-secret-tail';

const G1 = '00000000000000a1'; // acme, 2 firing
const G2 = '00000000000000a2'; // acme, 1 resolved
const G3 = '00000000000000b1'; // beta, 1 firing

const target = (groupId: string, name: string) => groupTarget(groupId, { name, receiver: 'team-x' });

function alert(fp: string, labels: Record<string, string>, resolved = false): Alert {
  return {
    fingerprint: fp,
    labels,
    annotations: { summary: `alert ${fp}` },
    startsAt: NOW - 60_000,
    endsAt: resolved ? NOW - 1000 : NOW + 300_000,
    updatedAt: NOW,
    timeout: false,
    generatorURL: '',
  };
}

beforeAll(async () => {
  server = await RedisServer.start();
  redis = createFailFastClient({ url: server.url, commandTimeout: 2000, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  await redis.connect();
  const store = new RedisGroupStore(redis, keys, { retention: 3_600_000 });
  await store.upsert({
    tenant: 'acme',
    now: NOW,
    groups: [
      {
        target: target(G1, 'HighCPU'),
        alerts: [
          alert('f1', { alertname: 'HighCPU', instance: 'a' }),
          alert('f2', { alertname: 'HighCPU', instance: 'b' }),
        ],
      },
      { target: target(G2, 'DiskFull'), alerts: [alert('f3', { alertname: 'DiskFull' }, true)] },
    ],
  });
  await store.upsert({
    tenant: 'beta',
    now: NOW,
    groups: [{ target: target(G3, 'HighLatency'), alerts: [alert('f4', { alertname: 'HighLatency' })] }],
  });
  await new RedisSessionStore(redis, keys).create(
    sha256Hex(TOKEN),
    {
      id: 'a'.repeat(32),
      tenant: 'acme',
      username: 'alice',
      role: 'admin',
      createdAt: NOW,
      lastSeenAt: NOW,
      idleExpiresAt: NOW + 1_800_000,
      absoluteExpiresAt: NOW + 43_200_000,
      ip: '10.0.0.1',
      userAgent: 'jest',
    },
    NOW,
  );
  await redis.set(`${prefix}:acme:lock:group:{${G1}}`, OWNER, 'PX', 30_000);
  await redis.set(`${prefix}:acme:lock:group:{${G1}}:fence`, '42');
  await redis.set('unrelated:keep', '1');
}, 15_000);

afterAll(async () => {
  redis.disconnect();
  await server.stop();
});

interface Result {
  code: number;
  out: string;
  err: string;
  prompts: string[];
}

async function cli(
  args: string[],
  opts: { isTTY?: boolean; answer?: string; signal?: AbortSignal; raw?: boolean } = {},
): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const prompts: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(`${l}\n`),
    err: (l) => err.push(`${l}\n`),
    write: (s) => out.push(s),
    readStdin: () => Promise.resolve(''),
    isTTY: opts.isTTY ?? false,
    prompt: (q) => {
      prompts.push(q);
      return Promise.resolve(opts.answer ?? '');
    },
    signal: opts.signal,
  };
  const argv = opts.raw ? args : [...args, '--url', server.url, '--prefix', prefix];
  const code = await run(argv, io);
  return { code, out: out.join(''), err: err.join(''), prompts };
}

function json<T>(r: Result): T {
  expect(r.err).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.out) as T;
}

describe('heraldctl against a real redis-server', () => {
  it('stats --json counts keys by kind, groups and alerts per tenant, memory, queue and hits', async () => {
    const s = json<{
      keys: { dbsize: number; herald: number; byKind: Record<string, number> };
      memory: { usedHuman: string; policy: string };
      keyspace: { hits: number; misses: number };
      tenants: { tenant: string; groups: number; firingAlerts: number; resolvedAlerts: number }[];
      totals: { groups: number; firingAlerts: number; resolvedAlerts: number };
      queue: { waiting: number; dead: number };
    }>(await cli(['stats', '--json']));
    expect(s.keys.byKind).toMatchObject({
      'group-firing': 2, // G2 has no firing hash
      'group-meta': 3,
      'group-index': 2,
      session: 1,
      'session-index': 1,
      lock: 1,
      'lock-fence': 1,
    });
    expect(s.keys.dbsize).toBe(s.keys.herald + 1); // + unrelated:keep
    expect(s.memory.usedHuman).toMatch(/\d/);
    expect(typeof s.memory.policy).toBe('string');
    expect(s.keyspace.hits).toBeGreaterThanOrEqual(0);
    expect(s.tenants).toEqual([
      expect.objectContaining({ tenant: 'acme', groups: 2, firingAlerts: 2, resolvedAlerts: 1 }),
      expect.objectContaining({ tenant: 'beta', groups: 1, firingAlerts: 1, resolvedAlerts: 0 }),
    ]);
    expect(s.totals).toEqual({ groups: 3, firingAlerts: 3, resolvedAlerts: 1 });
    expect(s.queue).toMatchObject({ waiting: 0, dead: 0 });

    const human = await cli(['stats', '--tenant', 'acme']);
    expect(human.code).toBe(0);
    expect(human.out).toMatch(/hit\/miss: +\d+ \/ \d+/);
    expect(human.out).toContain('TENANT');
    expect(human.out).not.toMatch(/^beta/m);
  });

  it('groups --json lists groups, filtered by tenant and state', async () => {
    type G = { tenant: string; groupId: string; firing: number; resolved: number };
    const ids = (r: G[]) => r.map((g) => g.groupId).sort();
    expect(ids(json<G[]>(await cli(['groups', '--json'])))).toEqual([G1, G2, G3]);
    expect(ids(json<G[]>(await cli(['groups', '--json', '--tenant', 'acme'])))).toEqual([G1, G2]);
    expect(ids(json<G[]>(await cli(['groups', '--json', '--state', 'recovery'])))).toEqual([G2]);
    expect(ids(json<G[]>(await cli(['groups', '--json', '--state', 'firing', '--tenant', 'beta'])))).toEqual([
      G3,
    ]);
    const t = await cli(['groups', '--tenant', 'acme']);
    expect(t.out.split('\n')[0]).toMatch(/^TENANT +GROUP +RECEIVER +FIRING +RESOLVED/);
    expect(t.out).toContain(G1);
  });

  it('alerts --filter applies Alertmanager matchers', async () => {
    type A = { fingerprint: string; state: string; labels: Record<string, string> };
    const fps = (r: A[]) => r.map((a) => a.fingerprint).sort();
    expect(fps(json<A[]>(await cli(['alerts', '--json'])))).toEqual(['f1', 'f2', 'f3', 'f4']);
    expect(fps(json<A[]>(await cli(['alerts', '--json', '--filter', 'alertname=~"High.*"'])))).toEqual([
      'f1',
      'f2',
      'f4',
    ]);
    expect(
      fps(
        json<A[]>(
          await cli(['alerts', '--json', '--filter', 'alertname=~"High.*"', '--filter', 'instance="b"']),
        ),
      ),
    ).toEqual(['f2']);
    const resolved = json<A[]>(await cli(['alerts', '--json', '--state', 'recovery']));
    expect(resolved).toEqual([expect.objectContaining({ fingerprint: 'f3', state: 'resolved' })]);
    const bad = await cli(['alerts', '--filter', '=~"High"']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--filter');
  });

  it('sessions shows user, id and expiry but never the token or its hash', async () => {
    const r = await cli(['sessions', '--json']);
    const rows = json<{ user: string; id: string; ttlMs: number }[]>(r);
    expect(rows).toEqual([expect.objectContaining({ user: 'alice', id: 'a'.repeat(32), tenant: 'acme' })]);
    expect(rows[0].ttlMs).toBeGreaterThan(0);
    const human = await cli(['sessions']);
    for (const out of [r.out, human.out]) {
      expect(out).not.toContain(TOKEN);
      expect(out).not.toContain(sha256Hex(TOKEN));
    }
    expect(human.out).toContain('alice');
  });

  it('locks lists held locks with a truncated owner and the TTL, not fencing counters', async () => {
    const rows = json<{ key: string; kind: string; id: string; owner: string; ttlMs: number }[]>(
      await cli(['locks', '--json']),
    );
    expect(rows).toEqual([
      expect.objectContaining({
        key: `${prefix}:acme:lock:group:{${G1}}`,
        kind: 'group',
        id: G1,
        tenant: 'acme',
      }),
    ]);
    expect(rows[0].owner).toBe(`${OWNER.slice(0, 12)}…`);
    expect(rows[0].ttlMs).toBeGreaterThan(0);
    expect(rows[0].ttlMs).toBeLessThanOrEqual(30_000);
    const human = await cli(['locks']);
    expect(human.out).not.toContain(OWNER);
    expect(human.out).toMatch(/group +00000000000000a1/);
    expect((await cli(['locks', '--json', '--tenant', 'beta'])).out.trim()).toBe('[]');
  });

  it('queue shows counts and dead letters, and queue retry puts one back', async () => {
    const empty = json<{ counts: { waiting: number; dead: number }; deadLetters: unknown[] }>(
      await cli(['queue', '--json']),
    );
    expect(empty).toEqual({ counts: expect.objectContaining({ waiting: 0, dead: 0 }), deadLetters: [] });

    // One dead letter the way the delivery worker makes them: an UnrecoverableError in the `delivery` queue.
    const clients = [0, 1].map(() => new IORedis(server.url, { maxRetriesPerRequest: null, protocol: 2 }));
    const queue = new Queue('delivery', { connection: clients[0], prefix: `{${prefix}}` });
    const worker = new Worker(
      'delivery',
      () => Promise.reject(new UnrecoverableError('webhook[0]: clientError: HTTP 400')),
      { connection: clients[1], prefix: `{${prefix}}` },
    );
    const failed = new Promise((resolve) => worker.once('failed', resolve));
    const n = {
      tenant: 'acme',
      receiver: 'team-x',
      groupKey: '{}:{alertname="HighCPU"}',
      groupId: G1,
      state: 'firing',
    };
    await queue.add('notify', { n, done: [] }, { jobId: 'dl-1', attempts: 3, removeOnFail: false });
    await failed;
    await worker.close();

    const q = json<{
      counts: { dead: number };
      deadLetters: { id: string; tenant: string; receiver: string; lastError: { message: string } }[];
    }>(await cli(['queue', '--json']));
    expect(q.counts.dead).toBe(1);
    expect(q.deadLetters).toEqual([
      expect.objectContaining({
        id: 'dl-1',
        tenant: 'acme',
        receiver: 'team-x',
        state: 'firing',
        attempts: 1,
      }),
    ]);
    expect(q.deadLetters[0].lastError.message).toContain('HTTP 400');
    expect((await cli(['queue', '--tenant', 'beta', '--json'])).out).toContain('"deadLetters": []');
    const human = await cli(['queue']);
    expect(human.out).toMatch(/dead 1/);
    expect(human.out).toMatch(/dl-1 +acme +team-x/);

    const r = await cli(['queue', 'retry', 'no-such-job']);
    expect(r.code).toBe(1);
    expect(r.err).toContain('no dead letter');
    expect((await cli(['queue', 'retry'])).code).toBe(2);
    const ok = await cli(['queue', 'retry', 'dl-1']);
    expect(ok).toMatchObject({ code: 0, out: 'retried 1 dead letter\n' });
    expect(
      json<{ counts: { dead: number; waiting: number } }>(await cli(['queue', '--json'])).counts,
    ).toMatchObject({
      dead: 0,
      waiting: 1,
    });
    await queue.obliterate({ force: true });
    await queue.close();
    clients.forEach((c) => c.disconnect());
  });

  it('clear --dry-run lists the keys and deletes nothing; clear --yes unlinks only the matching keys', async () => {
    const pattern = `${prefix}:beta:*`;
    const betaKeys = [
      `${prefix}:beta:groups`,
      `${prefix}:beta:alert:group:firing:{${G3}}`,
      `${prefix}:beta:alert:group:meta:{${G3}}`,
    ];
    const dry = await cli(['clear', pattern, '--dry-run']);
    expect(dry.code).toBe(0);
    for (const k of betaKeys) expect(dry.out).toContain(k);
    expect(dry.out).toContain('3 keys would be deleted (dry run)');
    expect(dry.out).not.toContain(':acme:');
    expect(await redis.exists(...betaKeys)).toBe(3);

    const dryJson = json<{ matched: number; keys: string[] }>(
      await cli(['clear', pattern, '--dry-run', '--json']),
    );
    expect(dryJson.keys.sort()).toEqual([...betaKeys].sort());

    const acmeBefore = await redis.exists(`${prefix}:acme:groups`, `${prefix}:acme:alert:group:meta:{${G1}}`);
    const wet = await cli(['clear', pattern, '--yes', '--count', '2']); // several SCAN pages
    expect(wet.code).toBe(0);
    expect(wet.out).toContain('deleted 3 keys');
    expect(await redis.exists(...betaKeys)).toBe(0);
    expect(await redis.exists(`${prefix}:acme:groups`, `${prefix}:acme:alert:group:meta:{${G1}}`)).toBe(
      acmeBefore,
    );
    expect(await redis.get('unrelated:keep')).toBe('1');
    const groups = json<{ tenant: string }[]>(await cli(['groups', '--json']));
    expect(new Set(groups.map((g) => g.tenant))).toEqual(new Set(['acme']));
  });

  it('clear refuses without --yes when stdin is not a terminal (exit 2) and asks on a terminal', async () => {
    await redis.set(`${prefix}:scratch:a`, '1');
    await redis.set(`${prefix}:scratch:b`, '1');
    const refused = await cli(['clear', `${prefix}:scratch:*`]);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain('--yes');
    expect(await redis.exists(`${prefix}:scratch:a`, `${prefix}:scratch:b`)).toBe(2);

    const no = await cli(['clear', `${prefix}:scratch:*`], { isTTY: true, answer: 'n' });
    expect(no.code).toBe(1);
    expect(no.prompts[0]).toContain('Delete 2 keys');
    expect(await redis.exists(`${prefix}:scratch:a`, `${prefix}:scratch:b`)).toBe(2);

    const yes = await cli(['clear', `${prefix}:scratch:*`], { isTTY: true, answer: 'y' });
    expect(yes.code).toBe(0);
    expect(await redis.exists(`${prefix}:scratch:a`, `${prefix}:scratch:b`)).toBe(0);
  });

  it('watch redraws the stats until the iteration count or Ctrl-C', async () => {
    const r = await cli(['watch', '--interval', '100ms', '--iterations', '2']);
    expect(r.code).toBe(0);
    expect(r.out.split('\x1b[2J\x1b[H')).toHaveLength(3); // two redraws
    expect(r.out).toContain('hit/miss');

    const ac = new AbortController();
    setTimeout(() => ac.abort(), 250);
    const started = Date.now();
    const stopped = await cli(['watch', '--interval', '100ms', '--json'], { signal: ac.signal });
    expect(stopped.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(2000);
    const lines = stopped.out.trim().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(JSON.parse(lines[0])).toHaveProperty('keys.dbsize');
  });

  it('usage errors exit 2 without touching Redis', async () => {
    for (const argv of [
      ['frobnicate'],
      ['groups', '--nope'],
      ['groups', '--state', 'burning'],
      ['groups', '--url', 'redis://x', '--port', '1'],
      ['stats', '--port', 'abc'],
      ['watch', '--interval', 'soon'],
      ['clear'],
    ]) {
      const r = await cli(argv, { raw: true });
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
      expect(r.err).toMatch(/^heraldctl: /);
    }
    const help = await cli(['--help'], { raw: true });
    expect(help.code).toBe(0);
    expect(help.out).toContain('exit codes:');
  });

  it('an unreachable Redis is a runtime error (exit 1) with a clear message', async () => {
    const port = await freePort();
    const r = await cli(['stats', '--port', String(port)], { raw: true });
    expect(r.code).toBe(1);
    expect(r.err).toContain(`cannot connect to Redis at redis://127.0.0.1:${port}/0`);
  });
});

// A Redis Cluster: the same commands with --redis-cluster (or REDIS_CLUSTER_NODES), keys on every master.
describe('heraldctl against a Redis Cluster', () => {
  let cluster: RedisCluster;
  let client: RedisClient;
  const cprefix = `hcc${randomBytes(4).toString('hex')}`;
  // bucket = last 4 hex digits mod buckets: every second bucket of 48, so over the whole slot space
  const ids = Array.from({ length: 24 }, (_, i) => (0xc000 + 2 * i).toString(16).padStart(16, '0'));
  const tenantOf = (i: number) => (i % 2 ? 'beta' : 'acme');

  async function ctl(args: string[], env: Record<string, string> = {}): Promise<Result> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      out: (l) => out.push(`${l}\n`),
      err: (l) => err.push(`${l}\n`),
      readStdin: () => Promise.resolve(''),
      env,
    };
    const code = await run(args, io);
    return { code, out: out.join(''), err: err.join(''), prompts: [] };
  }
  const seeds = () => cluster.seedNodes().slice(0, 2).join(',');

  /** Groups written by the server's own store, with a key layout of `buckets` due buckets. */
  async function writeGroups(prefix: string, buckets: number, groupIds: string[]): Promise<void> {
    const store = new RedisGroupStore(client, new RedisKeys(prefix, buckets, 'cluster'), {
      retention: 3_600_000,
    });
    for (const [i, id] of groupIds.entries()) {
      await store.upsert({
        tenant: tenantOf(i),
        now: NOW,
        groups: [{ target: target(id, `Alert${i}`), alerts: [alert(`c${i}`, { alertname: `Alert${i}` })] }],
      });
    }
  }

  beforeAll(async () => {
    cluster = await RedisCluster.start({ masters: 3, replicasPerMaster: 0, nodeTimeoutMs: 1000 });
    client = createRedisClient(
      { cluster: { nodes: cluster.seedNodes() }, commandTimeout: 2000, connectTimeout: 2000 },
      'fail-fast',
    );
    client.on('error', () => undefined);
    await client.connect();
    await writeGroups(cprefix, 48, ids);
  }, 60_000);

  afterAll(async () => {
    client?.disconnect();
    await cluster?.stop();
  });

  it('stats and groups see the groups on every master, the figures added up over the masters', async () => {
    const masterOf = (k: string) => (client as { slots: string[][] }).slots[calculateSlot(k)][0];
    const keys = new RedisKeys(cprefix, 48, 'cluster');
    const metas = ids.map((id, i) => keys.groupMeta(tenantOf(i), id));
    expect(new Set(metas.map(masterOf)).size).toBe(3); // the groups really are spread

    const s = json<{
      redis: { masters: number };
      keys: { dbsize: number; herald: number; byKind: Record<string, number> };
      totals: { groups: number; firingAlerts: number };
    }>(await ctl(['stats', '--json', '--redis-cluster', seeds(), '--prefix', cprefix]));
    expect(s.redis.masters).toBe(3);
    expect(s.keys.byKind['group-meta']).toBe(ids.length);
    expect(s.totals).toMatchObject({ groups: ids.length, firingAlerts: ids.length });
    let dbsize = 0;
    for (const m of cluster.masters()) dbsize += Number(await cluster.command(m, 'DBSIZE'));
    expect(s.keys.dbsize).toBe(dbsize);

    // REDIS_CLUSTER_NODES, as the server reads it, when no URL flag is given
    const groups = json<{ tenant: string; groupId: string }[]>(
      await ctl(['groups', '--json', '--prefix', cprefix], { REDIS_CLUSTER_NODES: seeds() }),
    );
    expect(groups.map((g) => g.groupId).sort()).toEqual([...ids].sort());
    const human = await ctl(['stats', '--redis-cluster', seeds(), '--prefix', cprefix]);
    expect(human.out).toMatch(/\(3 masters, v/);
  });

  it('reads a non-default due_buckets back from the keys (or takes --due-buckets)', async () => {
    const other = `${cprefix}x`;
    const few = ids.slice(0, 8);
    await writeGroups(other, 20, few);
    const listed = json<{ groupId: string }[]>(
      await ctl(['groups', '--json', '--redis-cluster', seeds(), '--prefix', other]),
    );
    expect(listed.map((g) => g.groupId).sort()).toEqual([...few].sort());
    const flagged = json<{ groupId: string }[]>(
      await ctl(['groups', '--json', '--redis-cluster', seeds(), '--prefix', other, '--due-buckets', '20']),
    );
    expect(flagged).toHaveLength(few.length);
  });

  it('clear unlinks matching keys in every slot of every master', async () => {
    const pattern = `${cprefix}:beta:*`;
    const dry = json<{ matched: number; keys: string[] }>(
      await ctl(['clear', pattern, '--dry-run', '--json', '--redis-cluster', seeds()]),
    );
    expect(dry.matched).toBeGreaterThan(ids.length / 2);
    const wet = json<{ deleted: number }>(
      await ctl(['clear', pattern, '--yes', '--json', '--count', '3', '--redis-cluster', seeds()]),
    );
    expect(wet.deleted).toBe(dry.matched);
    const left = json<{ tenant: string }[]>(
      await ctl(['groups', '--json', '--redis-cluster', seeds(), '--prefix', cprefix]),
    );
    expect(new Set(left.map((g) => g.tenant))).toEqual(new Set(['acme']));
  });

  it('usage errors: --redis-cluster with a URL flag, a bad node, --due-buckets without a cluster', async () => {
    for (const argv of [
      ['groups', '--redis-cluster', seeds(), '--url', 'redis://x'],
      ['groups', '--redis-cluster', 'nohostport'],
      ['groups', '--redis-cluster', 'h:99999'],
      ['groups', '--due-buckets', '20'],
    ]) {
      const r = await ctl(argv);
      expect({ argv, code: r.code }).toEqual({ argv, code: 2 });
    }
  });
});

// The node commands (silences, silence add|expire) go through a node's HTTP API, as amtool does: here a
// real in-process node in memory mode with one tenant and keys of each role.
describe('heraldctl silences against a running node (memory mode)', () => {
  const K = { admin: secret('admin'), viewer: secret('viewer'), other: secret('other') };
  let node: TestNode;
  let dir: string;
  const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

  beforeAll(async () => {
    node = await startNode(`
route:
  receiver: default
  group_by: [alertname]
receivers:
  - name: default
herald:
${await tenantsYaml([
  { id: 'team-a', keys: [K.admin, K.viewer], keyRoles: { [K.admin]: 'admin', [K.viewer]: 'viewer' } },
  { id: 'team-b', keys: [K.other], keyRoles: { [K.other]: 'admin' } },
])}`);
    dir = mkdtempSync(join(tmpdir(), 'heraldctl-'));
  });
  afterAll(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** One heraldctl run against the node, the key in HERALD_API_KEY (as a script would set it). */
  async function ctl(args: string[], key: string | null = K.admin): Promise<Result> {
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      out: (l) => out.push(`${l}\n`),
      err: (l) => err.push(`${l}\n`),
      readStdin: () => Promise.resolve(''),
      env: { HERALD_URL: node.url, ...(key ? { HERALD_API_KEY: key } : {}), USER: 'ci-user' },
    };
    const code = await run(args, io);
    return { code, out: out.join(''), err: err.join(''), prompts: [] };
  }

  it('silence add prints the new id; silences lists it in full; the alert API shows it suppressed', async () => {
    const t0 = Date.now();
    const add = await ctl([
      'silence',
      'add',
      'alertname=HighCPU',
      'instance=~"db-(1|2)"',
      '--duration',
      '2h',
      '--comment',
      'disk swap',
      '--author',
      'alice',
    ]);
    const t1 = Date.now();
    expect(add.err).toBe('');
    expect(add.code).toBe(0);
    const id = add.out.trim();
    expect(id).toMatch(UUID);

    const list = await ctl(['silences']);
    expect(list.code).toBe(0);
    const [header, row, ...rest] = list.out.trimEnd().split('\n');
    expect(header).toMatch(/^ID +STATE +MATCHERS +ENDS +CREATED BY +COMMENT$/);
    expect(rest).toEqual([]);
    expect(row.startsWith(`${id}  `)).toBe(true);
    expect(row).toMatch(
      / active +alertname="HighCPU" instance=~"db-\(1\|2\)" +\S+Z \(in 1h59m\) +alice +disk swap$/,
    );

    const json = JSON.parse((await ctl(['silences', '-o', 'json'])).out);
    expect(json).toEqual([
      expect.objectContaining({
        id,
        status: { state: 'active' },
        createdBy: 'alice',
        comment: 'disk swap',
        matchers: [
          { name: 'alertname', value: 'HighCPU', isRegex: false, isEqual: true },
          { name: 'instance', value: 'db-(1|2)', isRegex: true, isEqual: true },
        ],
      }),
    ]);
    // --duration counts from when heraldctl ran (the node moves a start just past to its own now).
    expect(Date.parse(json[0].endsAt)).toBeGreaterThanOrEqual(t0 + 2 * 3_600_000);
    expect(Date.parse(json[0].endsAt)).toBeLessThanOrEqual(t1 + 2 * 3_600_000);
    expect((await ctl(['silences', '-q'])).out).toBe(`${id}\n`);

    // Filters go to the API: a matcher the silence has, and one it has not.
    expect((await ctl(['silences', '--filter', 'alertname=HighCPU'])).out).toContain(id);
    expect((await ctl(['silences', 'HighCPU'])).out).toContain(id);
    expect((await ctl(['silences', '--filter', 'alertname=Other'])).out).toBe(
      'no active or pending silences\n',
    );

    const posted = await fetch(`${node.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${K.admin}` },
      body: JSON.stringify([{ labels: { alertname: 'HighCPU', instance: 'db-1' } }]),
    });
    expect(posted.status).toBe(200);
    const alerts = (await (
      await fetch(`${node.url}/api/v2/alerts`, { headers: { authorization: `Bearer ${K.admin}` } })
    ).json()) as { status: { state: string; silencedBy: string[] } }[];
    expect(alerts.map((a) => a.status)).toEqual([
      expect.objectContaining({ state: 'suppressed', silencedBy: [id] }),
    ]);

    // Another tenant sees none of it.
    expect((await ctl(['silences'], K.other)).out).toBe('no active or pending silences\n');
    await ctl(['silence', 'expire', id]);
  });

  it('a pending silence says when it starts; --api-key-file reads the key from a file', async () => {
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, `${K.admin}\n`);
    const start = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d+Z$/, 'Z');
    const add = await ctl(
      ['silence', 'add', 'Deploy', '-c', 'window', '--start', start, '--api-key-file', keyFile],
      null,
    );
    expect(add.err).toBe('');
    const id = add.out.trim();
    const row = (await ctl(['silences'])).out.split('\n').find((l) => l.startsWith(id))!;
    expect(row).toMatch(/ pending \(starts in (59m\d+s|1h0m)\) +alertname="Deploy" /);
    expect(row).toContain(` ${userInfo().username} `); // --author defaults to the user running heraldctl
    await ctl(['silence', 'expire', id]);
  });

  it('silence expire moves silences to --expired; an unknown id is reported and the rest still expire', async () => {
    const a = (await ctl(['silence', 'add', 'A', '-c', 'x'])).out.trim();
    const b = (await ctl(['silence', 'add', 'B', '-c', 'x'])).out.trim();
    const unknown = randomUUID(); // well-formed, so the answer is "not found" rather than a bad id
    const r = await ctl(['silence', 'expire', a, unknown, b]);
    expect(r.code).toBe(1);
    expect(r.out).toBe(`expired ${a}\nexpired ${b}\n`);
    expect(r.err).toBe(`heraldctl: silence ${unknown}: silence not found (HTTP 404)\n`);

    const live = await ctl(['silences']);
    expect(live.out).not.toContain(a);
    const expired = await ctl(['silences', '--expired']);
    expect(expired.code).toBe(0);
    expect(expired.out).toContain(a);
    expect(expired.out).toContain(b);
    expect(expired.out.split('\n').find((l) => l.startsWith(a))).toMatch(
      / expired +alertname="A" +\S+Z \(\d+(ms|s) ago\)/,
    );
    const j = JSON.parse((await ctl(['silence', 'expire', b, '--json'])).out);
    expect(j).toEqual({ expired: [b], failed: [] }); // expiring an expired silence is not an error
  });

  it('API errors are printed as the node says them, with exit code 1', async () => {
    const viewer = await ctl(['silence', 'add', 'X', '-c', 'x'], K.viewer);
    expect(viewer).toMatchObject({ code: 1, out: '' });
    expect(viewer.err).toBe('heraldctl: this action needs an admin API key or an admin session (HTTP 403)\n');
    const anon = await ctl(['silences'], null);
    expect(anon.code).toBe(1);
    expect(anon.err).toMatch(/^heraldctl: an API key is required.* \(HTTP 401\)\n$/);
    const wrong = await ctl(['silences'], 'not-a-key');
    expect(wrong.err).toBe('heraldctl: unknown API key (HTTP 401)\n');

    const everything = await ctl(['silence', 'add', 'alertname=~".*"', '-c', 'x']);
    expect(everything.code).toBe(1);
    expect(everything.err).toBe(
      'heraldctl: silence invalid: at least one matcher must not match the empty string (HTTP 400)\n',
    );
    const past = await ctl([
      'silence',
      'add',
      'X',
      '-c',
      'x',
      '--start',
      '2020-01-01T00:00:00Z',
      '--end',
      '2020-01-01T01:00:00Z',
    ]);
    expect(past.err).toBe("heraldctl: Failed to create silence: end time can't be in the past (HTTP 400)\n");
    expect((await ctl(['silences', '-o', 'json'])).out).toBe('[]\n'); // nothing was created
  });
});
