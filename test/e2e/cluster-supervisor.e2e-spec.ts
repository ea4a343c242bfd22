/**
 * `npm run cluster` (test/cluster/cluster.ts, compiled) as a user runs it, on free ports: it supervises its
 * nodes — a node SIGKILLed is back on its port within 5 s while traffic through nginx keeps answering
 * 200 — binds them to loopback, and SIGTERM stops everything it started (no orphans, every port free).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { BACKOFF, nextBackoff } from '../cluster/cluster';
import { ensureBuilt } from '../harness/build';
import { freePort } from '../harness/free-port';
import { alive, keepOutput, listening, signalAndWait, track } from '../harness/process';
import { sleep, waitUntil } from '../harness/wait';

const ROOT = resolve(__dirname, '..', '..');

async function readyAt(port: number): Promise<boolean> {
  try {
    return (await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

describe('the restart back-off of npm run cluster', () => {
  it('starts at 500 ms, doubles to its cap, and starts over once a node stayed up', () => {
    let d = nextBackoff(undefined, 0);
    const seen = [d];
    for (let i = 0; i < 6; i++) seen.push((d = nextBackoff(d, 100)));
    expect(seen).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
    expect(nextBackoff(8000, BACKOFF.stableMs)).toBe(BACKOFF.initialMs);
  });
});

describe('npm run cluster supervises its nodes', () => {
  let proc: ChildProcess;
  let out = '';
  let nginxPort: number;
  let redisPort: number;
  let ports: number[];

  /** The pids the supervisor printed for `id` (`node-2 | started (pid N) on …`), oldest first. */
  const pidsOf = (id: string) =>
    [...out.matchAll(new RegExp(`^${id}\\s*\\| started \\(pid (\\d+)\\)`, 'gm'))].map((m) => Number(m[1]));

  beforeAll(async () => {
    // `npm run cluster` itself: the compiled supervisor and nodes, as a user runs them (built first, once,
    // so the timings below are the nodes', not tsc's).
    await ensureBuilt();
    nginxPort = await freePort();
    redisPort = await freePort();
    ports = [await freePort(), await freePort(), await freePort()];
    proc = track(
      spawn('npm', ['run', 'cluster'], {
        cwd: ROOT,
        env: {
          ...process.env,
          CLUSTER_PORT: String(nginxPort),
          CLUSTER_NODES: ports.join(','),
          CLUSTER_REDIS_PORT: String(redisPort),
          HERALD_CONFIG: '',
          REDIS_URL: '',
          HERALD_LOG_LEVEL: 'info',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    keepOutput(proc, (o) => (out = o));
    await waitUntil(() => proc.exitCode !== null || out.includes('ready: clients use'), {
      timeoutMs: 90_000,
      intervalMs: 100,
      what: 'npm run cluster ready',
      detail: () => out.slice(-3000),
    });
    if (proc.exitCode !== null) throw new Error(`cluster exited with ${proc.exitCode}: ${out}`);
  }, 360_000);

  afterAll(async () => {
    await signalAndWait(proc, 'SIGTERM', 20_000);
  }, 30_000);

  it('binds every node to 127.0.0.1 and logs one start-up line per node, no route table', () => {
    for (const [i, p] of ports.entries()) {
      expect(out).toMatch(
        new RegExp(
          `^node-${i + 1}\\s*\\|.*Herald node node-${i + 1} serving on http://127\\.0\\.0\\.1:${p}: store redis`,
          'm',
        ),
      );
    }
    expect(out).not.toContain('listening on 0.0.0.0');
    expect(out).not.toMatch(/Mapped \{/);
    expect(out).not.toContain('RoutesResolver');
    // A clean start is not a recovery.
    expect(out).not.toMatch(/is back/);
  });

  it('serves process_* and herald_* metrics from a node process', async () => {
    const text = await (await fetch(`http://127.0.0.1:${ports[0]}/metrics`)).text();
    expect(text).toMatch(/^process_cpu_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_heap_size_used_bytes \d/m);
    expect(text).toMatch(/^herald_node_info\{/m);
    expect(text).not.toMatch(/^herald_process_/m);
  });

  it('a node SIGKILLed is restarted and back within 5 s; every request through nginx answers 200', async () => {
    const statuses = new Map<number, number>();
    let sent = 0;
    let running = true;
    const worker = async (w: number) => {
      for (let i = 0; running; i++) {
        const body = JSON.stringify([
          { labels: { alertname: 'Supervised', worker: String(w), n: String(i % 50) } },
        ]);
        let status = 0;
        try {
          const r = await fetch(`http://127.0.0.1:${nginxPort}/api/v2/alerts`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body,
            signal: AbortSignal.timeout(10_000),
          });
          status = r.status;
          await r.arrayBuffer();
        } catch {
          status = -1; // connection error or timeout through nginx
        }
        sent++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        // Steady traffic (~40 requests/s per worker), not a saturation test: the node's restart
        // competes for the same cores as this load.
        await sleep(25);
      }
    };
    const load = [0, 1].map(worker);
    await waitUntil(() => sent >= 50, { what: 'load running', timeoutMs: 10_000 });

    const [oldPid] = pidsOf('node-2');
    expect(alive(oldPid)).toBe(true);
    const killedAt = Date.now();
    process.kill(oldPid, 'SIGKILL');
    await waitUntil(() => !alive(oldPid), { what: 'node-2 gone', timeoutMs: 2000 });
    const newPid = await waitUntil(
      async () => {
        const pids = pidsOf('node-2');
        const last = pids[pids.length - 1];
        return last !== oldPid && (await readyAt(ports[1])) ? last : 0;
      },
      { what: 'node-2 restarted and ready', timeoutMs: 5000, intervalMs: 50, detail: () => out.slice(-2000) },
    );
    const backMs = Date.now() - killedAt;
    expect(alive(newPid)).toBe(true);
    expect(out).toMatch(/^node-2\s*\| exited \(SIGKILL\); restarting in 500 ms/m);
    // Keep the load on a little with the node back in nginx's upstreams.
    const before = sent;
    await waitUntil(() => sent >= before + 60, { what: 'load after the restart', timeoutMs: 10_000 });
    running = false;
    await Promise.all(load);
    if (process.env.HERALD_TEST_LOGS)
      process.stderr.write(
        `[cluster-supervisor] back in ${backMs} ms; statuses ${JSON.stringify([...statuses])}\n`,
      );
    expect(sent).toBeGreaterThan(100);
    expect([...statuses.keys()]).toEqual([200]);
  }, 60_000);

  it("SIGTERM to npm's pid stops everything it started: no process left, every port free", async () => {
    const pids = ['node-1', 'node-2', 'node-3'].flatMap(pidsOf);
    await signalAndWait(proc, 'SIGTERM', 20_000);
    expect(proc.signalCode).toBeNull();
    expect(proc.exitCode).toBe(0);
    expect(pids.filter(alive)).toEqual([]);
    for (const p of [nginxPort, redisPort, ...ports]) expect(await listening(p)).toBe(false);
  }, 30_000);
});
