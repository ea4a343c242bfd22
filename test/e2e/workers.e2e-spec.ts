/**
 * herald.workers (issue 16): a node of two processes — the first serves the API and runs the scheduler,
 * a child process delivers. Every group is notified exactly once; the node's one /metrics counts the
 * child's deliveries; a child that dies is restarted; stopping the node stops its child, and a child
 * whose first process vanished stops by itself.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { NodeProcess } from '../harness/node-process';
import { alive, childPids } from '../harness/process';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

const CONFIG = (sink: string) =>
  hookConfig(sink, {
    groupWait: '0s',
    groupInterval: '2s',
    repeatInterval: '1h',
    tick: '200ms',
    herald: '  workers: 2\n',
  });

let redis: RedisServer;
let sink: HttpSink;
let node: NodeProcess | undefined;

beforeAll(async () => {
  redis = await RedisServer.start();
  sink = await HttpSink.start();
}, 60_000);

afterAll(async () => {
  await node?.kill();
  await sink?.stop();
  await redis?.stop();
});

/** A sample of a metric on the node's /metrics (0 when absent). */
async function sample(n: NodeProcess, name: string): Promise<number> {
  const text = await (await fetch(`${n.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : 0;
}

async function post(n: NodeProcess, names: string[]): Promise<void> {
  const res = await fetch(`${n.url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(names.map((alertname) => ({ labels: { alertname } }))),
  });
  expect(res.status).toBe(200);
}

const DELIVERED = 'herald_notifications_total{receiver="hook",outcome="delivered",reason=""}';

describe('herald.workers: 2', () => {
  it('delivers from a child process, exactly once, counted on the node /metrics; a dead child is restarted', async () => {
    node = await NodeProcess.start('w-1', CONFIG(sink.url), { REDIS_URL: redis.url });
    const n = node;
    // One child, already serving when the node is ready: the first process waits for it.
    const [child] = childPids(n.pid);
    expect(childPids(n.pid)).toHaveLength(1);
    expect(readFileSync(`/proc/${child}/environ`, 'utf8').split('\0')).toEqual(
      expect.arrayContaining([
        'HERALD_WORKER_INDEX=1',
        'HERALD_ROLES=delivery',
        'HERALD_NODE_ID=w-1/delivery-1',
      ]),
    );
    const info = await (await fetch(`${n.url}/metrics`)).text();
    expect(info).toContain('herald_node_info{node_id="w-1",');
    expect(info).toContain('herald_node_info{node_id="w-1/delivery-1",');

    const names = Array.from({ length: 20 }, (_, i) => `Workers${i}`);
    await post(n, names);
    await sink.waitFor(() => sink.accepted.length >= 20, 30_000, '20 notifications');
    // The first process has no delivery role: what /metrics shows delivered, its child delivered.
    await waitUntil(async () => (await sample(n, DELIVERED)) === 20, {
      timeoutMs: 10_000,
      what: 'the child deliveries on the node /metrics',
    });
    // A second flush of every group (nothing new) sends nothing again.
    await waitUntil(async () => (await sample(n, 'herald_flush_total{outcome="skipped"}')) >= 20, {
      timeoutMs: 30_000,
      what: 'a second flush of every group',
    });
    const keys = sink.accepted.map((r) => (r.json as { groupKey: string }).groupKey);
    expect(keys).toHaveLength(20);
    expect(new Set(keys).size).toBe(20);

    // The child dies: the node starts another and delivers with it.
    process.kill(child, 'SIGKILL');
    await waitUntil(async () => childPids(n.pid).some((p) => p !== child), {
      timeoutMs: 15_000,
      what: 'a new child process',
    });
    expect(await sample(n, 'herald_worker_restarts_total')).toBe(1);
    await post(n, ['WorkersAfterRestart']);
    await sink.waitFor(() => sink.accepted.length >= 21, 30_000, 'the notification after the restart');
    expect(sink.accepted).toHaveLength(21);

    // A child signalled twice (systemd's control-group kill, Ctrl-C: the group gets it, and the first
    // process passes it on) still stops gracefully: it exits with 0, not killed by the second signal.
    const [second] = childPids(n.pid);
    process.kill(second, 'SIGTERM');
    // Not a wait for a result: two pending signals of one kind are delivered once, so the second is
    // sent after the child has had time to take the first.
    await new Promise((r) => setTimeout(r, 300));
    try {
      process.kill(second, 'SIGTERM');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e; // a quick stop may be over already
    }
    await waitUntil(() => n.logs.includes(`(pid ${second}) exited`), {
      timeoutMs: 20_000,
      what: 'the twice-signalled child to exit',
    });
    expect(n.logs).toContain(`delivery worker 1 (pid ${second}) exited (code 0)`);
    await waitUntil(async () => childPids(n.pid).some((p) => p !== second && alive(p)), {
      timeoutMs: 15_000,
      what: 'the child started again',
    });

    // SIGTERM: the node stops its child and exits cleanly.
    const [third] = childPids(n.pid);
    await n.stop();
    expect(n.exit).toEqual({ code: 0, signal: null });
    expect(alive(third)).toBe(false);
  }, 120_000);

  it('a config reload of the node reloads its child too (the child delivers with the new receiver)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-workers-'));
    const path = join(dir, 'herald.yml');
    writeFileSync(path, CONFIG(sink.url));
    node = await NodeProcess.start('w-3', '', { HERALD_CONFIG: path, REDIS_URL: redis.url });
    const n = node;
    writeFileSync(path, CONFIG(sink.url).replace(`${sink.url}/hook`, `${sink.url}/reloaded`));
    const r = await fetch(`${n.url}/-/reload`, { method: 'POST' });
    expect(r.status).toBe(200);
    // Only the child delivers: a notification at the new URL is the child's reload.
    await waitUntil(
      async () => {
        await post(n, [`WorkersReload${Date.now()}`]);
        return sink.accepted.some((x) => x.path === '/reloaded');
      },
      { timeoutMs: 20_000, intervalMs: 1_000, what: 'a notification to the reloaded receiver URL' },
    );
    await n.stop();
    expect(n.exit).toEqual({ code: 0, signal: null });
  }, 60_000);

  it('a child whose first process was killed stops by itself', async () => {
    node = await NodeProcess.start('w-2', CONFIG(sink.url), { REDIS_URL: redis.url });
    const [child] = childPids(node.pid);
    expect(child).toBeDefined();
    await node.kill();
    await waitUntil(() => !alive(child), { timeoutMs: 20_000, what: 'the orphaned child to exit' });
  }, 60_000);
});
