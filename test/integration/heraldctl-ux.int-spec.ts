// heraldctl without rough edges (issue 17, item 5): flags anywhere, the node's environment, full ids and
// unique prefixes, tables fitted to the terminal, a closed pipe, "did you mean", check-config. Against a
// real redis-server, a real Herald node process and the real amtool.
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis as IORedis } from 'ioredis';
import type { Alert } from '@herald/domain';
import { createFailFastClient, RedisGroupStore, RedisKeys, type RedisClient } from '@herald/redis';
import { run, type CliIo } from '../../apps/cli/src/commands';
import { groupTarget } from '../harness/groups';
import { startNode, type TestNode } from '../harness/app';
import { NodeProcess } from '../harness/node-process';
import { track } from '../harness/process';
import { RedisServer } from '../harness/redis-server';

const ROOT = resolve(__dirname, '..', '..');
const EXAMPLES = join(ROOT, 'deploy', 'examples');
const AMTOOL = '/usr/bin/amtool';
const NOW = Date.now();

let server: RedisServer;
let redis: RedisClient;
let dir: string;
const prefix = `hx${randomBytes(4).toString('hex')}`;
const G1 = '00000000000000c1';
const G2 = '00000000000000c2';
// Dead-letter ids longer than the old 60-column cut, sharing a prefix.
const DL_A = `dead-letter-${'a'.repeat(50)}-alpha`;
const DL_B = `dead-letter-${'a'.repeat(50)}-bravo`;
const LONG_VALUE = 'v'.repeat(200);

interface Result {
  code: number;
  out: string;
  err: string;
}

async function cli(
  args: string[],
  o: { env?: Record<string, string>; columns?: number } = {},
): Promise<Result> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(`${l}\n`),
    err: (l) => err.push(`${l}\n`),
    readStdin: () => Promise.resolve(''),
    env: o.env ?? {},
    columns: o.columns,
  };
  const code = await run(args, io);
  return { code, out: out.join(''), err: err.join('') };
}

const conn = () => ['--url', server.url, '--prefix', prefix];

function alert(fp: string, labels: Record<string, string>): Alert {
  return {
    fingerprint: fp,
    labels,
    annotations: {},
    startsAt: NOW - 60_000,
    endsAt: NOW + 300_000,
    updatedAt: NOW,
    timeout: false,
    generatorURL: '',
  };
}

/** heraldctl as a real process (the TypeScript sources through the test harness's register hook). */
function ctlCommand(args: string): string {
  return `"${process.execPath}" -r "${join(ROOT, 'test/harness/ts-register.js')}" "${join(ROOT, 'apps/cli/src/main.ts')}" ${args}`;
}

/** Runs `script` with sh; heraldctl's own exit code is written to `rcFile` by the script. */
function sh(script: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const p = track(spawn('sh', ['-c', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => done({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  server = await RedisServer.start();
  redis = createFailFastClient({ url: server.url, commandTimeout: 2000, connectTimeout: 2000 });
  redis.on('error', () => undefined);
  await redis.connect();
  dir = mkdtempSync(join(tmpdir(), 'heraldctl-ux-'));
  const store = new RedisGroupStore(redis, new RedisKeys(prefix, 16), { retention: 3_600_000 });
  await store.upsert({
    tenant: 'acme',
    now: NOW,
    groups: [
      {
        target: groupTarget(G1, {
          name: 'HighCPU',
          receiver: 'team-x',
          groupLabels: { alertname: 'HighCPU', detail: LONG_VALUE },
        }),
        alerts: [alert('x1', { alertname: 'HighCPU', detail: LONG_VALUE })],
      },
      {
        target: groupTarget(G2, { name: 'DiskFull', receiver: 'team-x' }),
        alerts: [alert('x2', { alertname: 'DiskFull' })],
      },
    ],
  });
  // Two dead letters the way the delivery worker makes them (an UnrecoverableError).
  const clients = [0, 1].map(() => new IORedis(server.url, { maxRetriesPerRequest: null, protocol: 2 }));
  const queue = new Queue('delivery', { connection: clients[0], prefix: `{${prefix}}` });
  const worker = new Worker(
    'delivery',
    () => Promise.reject(new UnrecoverableError(`webhook[0]: clientError: HTTP 400 ${'e'.repeat(120)}`)),
    { connection: clients[1], prefix: `{${prefix}}` },
  );
  let failures = 0;
  const failed = new Promise<void>((done) => worker.on('failed', () => ++failures === 2 && done()));
  const n = {
    tenant: 'acme',
    receiver: 'team-x',
    groupKey: '{}:{alertname="HighCPU"}',
    groupId: G1,
    state: 'firing',
  };
  for (const id of [DL_A, DL_B]) {
    await queue.add('notify', { n, done: [] }, { jobId: id, attempts: 3, removeOnFail: false });
  }
  await failed;
  await worker.close();
  await queue.close();
  clients.forEach((c) => c.disconnect());
}, 30_000);

afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('heraldctl: flags anywhere, the node environment', () => {
  it('takes the connection flags before the command as well as after it', async () => {
    const after = await cli(['groups', '--json', ...conn()]);
    const before = await cli([...conn(), 'groups', '--json']);
    const mixed = await cli(['--url', server.url, 'groups', '--prefix', prefix, '--json']);
    expect(after).toMatchObject({ code: 0, err: '' });
    expect(before).toEqual(after);
    expect(mixed).toEqual(after);
    expect(JSON.parse(after.out)).toHaveLength(2);
    // The same through a real process: `heraldctl --url X --prefix P stats --json`.
    const proc = await sh(`${ctlCommand(`--url ${server.url} --prefix ${prefix} stats --json`)}`);
    expect(proc.stderr).toBe('');
    expect(proc.code).toBe(0);
    expect(JSON.parse(proc.stdout)).toMatchObject({ totals: { groups: 2 } });
  });

  it('reads REDIS_URL as the node does (a flag still wins)', async () => {
    const r = await cli(['groups', '--json', '--prefix', prefix], { env: { REDIS_URL: server.url } });
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(r.out)).toHaveLength(2);
    const both = await cli(['groups', '--prefix', prefix], {
      env: { REDIS_URL: server.url, REDIS_CLUSTER_NODES: '127.0.0.1:1' },
    });
    expect(both.code).toBe(2);
    expect(both.err).toContain('REDIS_URL and REDIS_CLUSTER_NODES');
  });

  it("reads the Redis and key prefix from HERALD_CONFIG's herald.redis, or from HERALD_SETTINGS", async () => {
    const combined = join(dir, 'combined.yml');
    writeFileSync(
      combined,
      `route: { receiver: a }\nreceivers: [{ name: a }]\nherald:\n  redis:\n    url: ${server.url}\n    key_prefix: ${prefix}\n`,
    );
    const viaConfig = await cli(['groups', '--json'], { env: { HERALD_CONFIG: combined } });
    expect(viaConfig).toMatchObject({ code: 0, err: '' });
    expect(JSON.parse(viaConfig.out)).toHaveLength(2);

    const am = join(dir, 'am.yml');
    const settings = join(dir, 'herald-settings.yml');
    writeFileSync(am, 'route: { receiver: a }\nreceivers: [{ name: a }]\n');
    writeFileSync(settings, `redis:\n  url: ${server.url}\n  key_prefix: ${prefix}\n`);
    const viaSettings = await cli(['groups', '--json'], {
      env: { HERALD_CONFIG: am, HERALD_SETTINGS: settings },
    });
    expect(JSON.parse(viaSettings.out)).toHaveLength(2);

    // An invalid config is named, with the way to see every problem.
    writeFileSync(join(dir, 'broken.yml'), 'route: { receiver: nobody }\n');
    const broken = await cli(['groups'], { env: { HERALD_CONFIG: join(dir, 'broken.yml') } });
    expect(broken.code).toBe(1);
    expect(broken.err).toContain("run 'heraldctl check-config'");
  });

  it('says on stderr when the Redis holds no Herald key at all, instead of a quiet 0 groups', async () => {
    const r = await cli(['groups', '--url', server.url, '--prefix', 'nothing-here']);
    expect(r.code).toBe(0);
    expect(r.out).toBe('no groups\n');
    expect(r.err).toContain('no Herald keys under prefix "nothing-here"');
    expect((await cli(['groups', ...conn()])).err).toBe('');
  });
});

describe('heraldctl: full ids, unique prefixes, terminal width', () => {
  it('prints dead-letter ids in full, at any terminal width, and when piped', async () => {
    for (const columns of [undefined, 80, 200]) {
      const r = await cli(['queue', ...conn()], { columns });
      expect(r.code).toBe(0);
      expect(r.out).toContain(DL_A);
      expect(r.out).toContain(DL_B);
    }
    // Piped (no width): the error is whole; on an 80-column terminal it is cut, the id is not.
    expect((await cli(['queue', ...conn()])).out).toContain('e'.repeat(120));
    const narrow = (await cli(['queue', ...conn()], { columns: 80 })).out;
    expect(narrow).not.toContain('e'.repeat(120));
    expect(narrow).toContain('…');
  });

  it('fits group tables into the terminal width, cutting labels but never the group id', async () => {
    const piped = await cli(['groups', ...conn()]);
    expect(piped.out).toContain(LONG_VALUE);
    const fitted = await cli(['groups', ...conn()], { columns: 100 });
    const lines = fitted.out.trimEnd().split('\n');
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
    expect(fitted.out).toContain(G1);
    expect(fitted.out).toContain(G2);
    expect(fitted.out).not.toContain(LONG_VALUE);
    expect(lines.find((l) => l.includes(G1))).toMatch(/…$/);
  });

  it('queue retry takes a unique prefix of an id; an ambiguous one lists the candidates', async () => {
    const ambiguous = await cli(['queue', 'retry', 'dead-letter-', ...conn()]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.err).toContain('is ambiguous: 2 dead letter ids start with it');
    expect(ambiguous.err).toContain(DL_A);
    expect(ambiguous.err).toContain(DL_B);
    const none = await cli(['queue', 'retry', 'zzz', ...conn()]);
    expect(none.code).toBe(1);
    expect(none.err).toContain('no dead letter with id "zzz"');

    const ok = await cli(['queue', 'retry', `${DL_A.slice(0, -3)}`, ...conn()]);
    expect(ok).toMatchObject({ code: 0, out: 'retried 1 dead letter\n' });
    const left = JSON.parse((await cli(['queue', '--json', ...conn()])).out) as {
      deadLetters: { id: string }[];
    };
    expect(left.deadLetters.map((d) => d.id)).toEqual([DL_B]);
  });
});

describe('heraldctl silence expire by a unique id prefix (against a node)', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startNode('route: { receiver: r }\nreceivers: [{ name: r }]\n');
  });
  afterAll(async () => node?.close());

  it('expires the one silence a prefix names; an unknown prefix is reported, the rest still expire', async () => {
    const env = { HERALD_URL: node.url, USER: 'ci' };
    const add = async (name: string) => {
      const r = await cli(['silence', 'add', `alertname=${name}`, '-d', '1h', '-c', 'x'], { env });
      expect(r).toMatchObject({ code: 0, err: '' });
      return r.out.trim();
    };
    const a = await add('A');
    const b = await add('B');
    // The shortest prefix of `a` that `b` does not share (UUIDs: a few characters).
    let n = 1;
    while (b.startsWith(a.slice(0, n))) n++;
    const r = await cli(['--server', node.url, 'silence', 'expire', a.slice(0, n), 'ffffffff-no-such'], {
      env,
    });
    expect(r.code).toBe(1);
    expect(r.out).toBe(`expired ${a}\n`);
    expect(r.err).toContain('no silence with id "ffffffff-no-such"');
    const active = await cli(['silences', '-q'], { env });
    expect(active.out.trim().split('\n')).toEqual([b]);
  });
});

describe('heraldctl: closed pipe, did you mean', () => {
  it('`heraldctl queue | head -1` exits 0 without a stack trace', async () => {
    const rc = join(dir, 'rc-queue');
    const r = await sh(
      `(${ctlCommand(`queue --url ${server.url} --prefix ${prefix}`)}; echo $? > ${rc}) | head -1`,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^queue .*waiting \d+/);
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect(readFileSync(rc, 'utf8').trim()).toBe('0');
  }, 60_000);

  it('a long listing into a pipe closed after one line (a real EPIPE) also exits 0 quietly', async () => {
    // 20 000 keys: far more output than a pipe buffers, so writes go on after `head` is gone.
    const keys = Array.from({ length: 20_000 }, (_, i) => [`${prefix}:pipe:key-${i}`, '1']).flat();
    for (let i = 0; i < keys.length; i += 2000) await redis.mset(...keys.slice(i, i + 2000));
    const rc = join(dir, 'rc-clear');
    const r = await sh(
      `(${ctlCommand(`clear '${prefix}:pipe:*' --dry-run --url ${server.url} --prefix ${prefix}`)}; echo $? > ${rc}) | head -1`,
    );
    expect(r.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.stderr).toBe('');
    expect(readFileSync(rc, 'utf8').trim()).toBe('0');
    expect(await redis.exists(`${prefix}:pipe:key-0`)).toBe(1); // a dry run
  }, 60_000);

  it('suggests the nearest command and flag', async () => {
    const cmd = await cli(['stast', ...conn()]);
    expect(cmd.code).toBe(2);
    expect(cmd.err).toContain('unknown command "stast" (did you mean "stats"?)');
    const cmd2 = await cli(['check-confg', 'x.yml']);
    expect(cmd2.err).toContain('(did you mean "check-config"?)');
    const flag = await cli(['groups', '--stat', 'firing', ...conn()]);
    expect(flag.code).toBe(2);
    expect(flag.err).toContain('unknown flag --stat (did you mean --state?)');
    const before = await cli(['--prefx', prefix, 'groups']);
    expect(before.err).toContain('unknown flag --prefx (did you mean --prefix?)');
    const far = await cli(['frobnicate']);
    expect(far.err).toMatch(/unknown command "frobnicate"\n/);
  });
});

/** `amtool check-config FILE`'s exit code. */
const amtool = (file: string) =>
  promisify(execFile)(AMTOOL, ['check-config', file]).then(
    () => 0,
    (e: { code?: number }) => e.code ?? 1,
  );

describe('heraldctl check-config (the node loader: every problem with file:line:col)', () => {
  it('passes a plain alertmanager.yml as amtool does, with a summary', async () => {
    const file = join(EXAMPLES, 'alertmanager.yml');
    expect(await amtool(file)).toBe(0);
    const r = await cli(['check-config', file]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain('SUCCESS');
    expect(r.out).toContain(' - 6 receivers');
    expect(r.out).toContain(' - 2 inhibit rules');
  });

  it('lists every problem of a bad file with its line and column, exit 1', async () => {
    const bad = join(dir, 'bad.yml');
    writeFileSync(
      bad,
      [
        'route:',
        '  receiver: nobody',
        '  group_wait: soon',
        'receivers:',
        '  - name: ops',
        '    webhook_configs:',
        '      - url: not-a-url',
        'herald:',
        '  port: 0',
        '',
      ].join('\n'),
    );
    const r = await cli(['check-config', bad]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED: 4 errors');
    expect(r.out).toContain(
      `${bad}:7:9: receivers[0].webhook_configs[0].url: must be an absolute http(s) URL`,
    );
    expect(r.out).toContain(`${bad}:9:3: herald.port: must be an integer port 1..65535, got 0`);
    expect(r.out).toContain(`${bad}:3:3: route.group_wait: `);
    expect(r.out).toContain(`${bad}:2:3: route.receiver: unknown receiver "nobody"`);
    const empty = join(dir, 'empty.yml');
    writeFileSync(empty, '# nothing\n');
    const e = await cli(['check-config', empty]);
    expect(e.code).toBe(1);
    expect(e.out).toContain('is empty');
    expect((await cli(['check-config'])).code).toBe(2);
  });

  it('checks an untouched alertmanager.yml plus a separate settings file, HERALD_CONFIG/HERALD_SETTINGS by default', async () => {
    const am = join(dir, 'alertmanager.yml');
    const settings = join(dir, 'herald.yml');
    writeFileSync(am, 'route:\n  receiver: ops\nreceivers:\n  - name: ops\n');
    writeFileSync(settings, 'limits:\n  max_alerts_per_request: 5\n');
    expect(await amtool(am)).toBe(0);
    const r = await cli(['check-config', am, '--settings', settings]);
    expect(r).toMatchObject({ code: 0, err: '' });
    expect(r.out).toContain(`herald settings from ${settings}`);
    const fromEnv = await cli(['check-config'], { env: { HERALD_CONFIG: am, HERALD_SETTINGS: settings } });
    expect(fromEnv.out).toContain(`herald settings from ${settings}`);
    writeFileSync(settings, 'limits:\n  max_alert_per_request: 5\n');
    const bad = await cli(['check-config', am, '--settings', settings]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain(`${settings}:2:3: herald.limits.max_alert_per_request: unknown field`);
  });
});

describe('Herald running with an untouched alertmanager.yml plus HERALD_SETTINGS', () => {
  it('amtool passes the Alertmanager file while a node runs with both files', async () => {
    const sdir = mkdtempSync(join(tmpdir(), 'herald-split-'));
    const settings = join(sdir, 'herald.yml');
    writeFileSync(settings, 'node_id: split-node\nlimits:\n  max_alerts_per_request: 3\n');
    const amText = [
      'route:',
      '  receiver: ops',
      '  group_by: [alertname]',
      'receivers:',
      '  - name: ops',
      '    webhook_configs:',
      '      - url: http://127.0.0.1:9/hook',
      '',
    ].join('\n');
    const amFile = join(sdir, 'alertmanager.yml');
    writeFileSync(amFile, amText);
    // HERALD_NODE_ID empty counts as unset, so node_id comes from the settings file.
    const node = await NodeProcess.start('split', amText, { HERALD_SETTINGS: settings, HERALD_NODE_ID: '' });
    try {
      const status = (await (await fetch(`${node.url}/api/v2/status`)).json()) as {
        cluster: { name: string };
        config: { original: string };
      };
      expect(status.cluster.name).toBe('split-node');
      // The settings apply: a 4-alert batch is over herald.limits.max_alerts_per_request of the settings file.
      const alerts = Array.from({ length: 4 }, (_, i) => ({ labels: { alertname: `A${i}` } }));
      const post = await fetch(`${node.url}/api/v2/alerts`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(alerts),
      });
      expect(post.status).toBe(413);
      // The Alertmanager file the node reads is a plain alertmanager.yml: amtool accepts it.
      expect(await amtool(amFile)).toBe(0);
    } finally {
      await node.stop();
      rmSync(sdir, { recursive: true, force: true });
    }
  }, 60_000);
});
