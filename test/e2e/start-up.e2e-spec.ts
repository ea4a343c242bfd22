/**
 * `npm start` as the README runs it (issue 17): the node is npm's own child (the script execs it), so
 * a SIGTERM to npm's pid stops the node and frees the port; a clean start on Redis logs one start-up
 * line — no route table at info, no false "Redis is back"; SIGHUP reloads with a log line and does not
 * end the process.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ensureBuilt } from '../harness/build';
import { freePort } from '../harness/free-port';
import { alive, keepOutput, listening, signalAndWait, track } from '../harness/process';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

const ROOT = resolve(__dirname, '..', '..');

/** The pids of `pid`'s children, from /proc (no `ps`: procps is not on every minimal image). */
function childrenOf(pid: number): number[] {
  const kids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (comm) state ppid …"; comm may hold spaces or parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) kids.push(Number(entry));
    } catch {
      /* gone meanwhile */
    }
  }
  return kids;
}

/** Until `child` answers /-/ready on `port` or exits (the caller then reads its exit code and output). */
async function readyOrGone(
  child: ChildProcess,
  port: number,
  out: () => string,
  what: string,
): Promise<void> {
  await waitUntil(
    async () =>
      child.exitCode !== null ||
      child.signalCode !== null ||
      (await fetch(`http://127.0.0.1:${port}/-/ready`, { signal: AbortSignal.timeout(1000) })
        .then((r) => r.ok)
        .catch(() => false)),
    { timeoutMs: 60_000, intervalMs: 100, what, detail: () => out().slice(-3000) },
  );
}

/**
 * Starts `spawnAt(port)` on a port picked free, with its output kept (`onOutput`), until it answers
 * /-/ready or exits. The port is free when picked, but the process takes a while to listen: another one
 * may take it meanwhile (a CI run lost it so; ports of outgoing connections come from the same range).
 * Such a start is tried again on another port, up to three times; any other exit is returned as is.
 */
async function startOnFreePort(
  spawnAt: (port: number) => ChildProcess,
  onOutput: (out: string) => void,
  what: string,
): Promise<{ child: ChildProcess; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    let out = '';
    onOutput(out);
    const child = track(spawnAt(port));
    keepOutput(child, (o) => onOutput((out = o)));
    await readyOrGone(child, port, () => out, what);
    const exited = child.exitCode !== null || child.signalCode !== null;
    if (exited && attempt < 3 && out.includes('EADDRINUSE')) continue;
    return { child, port };
  }
}

describe('npm start', () => {
  let redis: RedisServer;
  let npm: ChildProcess;
  let port: number;
  let out = '';

  beforeAll(async () => {
    // npm start builds when dist/ is stale; build first so the timing below is the node's, not tsc's.
    await ensureBuilt();
    redis = await RedisServer.start({ localProcess: true });
    ({ child: npm, port } = await startOnFreePort(
      (p) =>
        spawn('npm', ['start'], {
          cwd: ROOT,
          env: {
            ...process.env,
            PORT: String(p),
            REDIS_URL: redis.url,
            HERALD_CONFIG: '',
            HERALD_LOG_LEVEL: 'info',
            HERALD_NODE_ID: 'start-up',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      (o) => (out = o),
      'npm start ready',
    ));
    if (npm.exitCode !== null || npm.signalCode !== null)
      throw new Error(`npm start exited with ${npm.exitCode ?? npm.signalCode}: ${out}`);
    // The node answers /-/ready as soon as it listens and logs its start-up line once start() returns:
    // the line may reach this process's pipe after the first ready answer (a CI run read it too early).
    await waitUntil(() => out.includes('serving on'), { timeoutMs: 10_000, what: 'the start-up line' });
  }, 240_000);

  afterAll(async () => {
    await signalAndWait(npm, 'SIGKILL');
    await redis?.stop();
  });

  const infoLines = () =>
    out
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: string; context?: string; msg: string; pid: number })
      .filter((l) => l.level === 'info');

  it('logs one start-up line with the URL, store mode, tenants and dashboard; no route table, no false recovery', () => {
    const lines = infoLines();
    const startUp = lines.filter((l) => l.msg.includes('serving on'));
    expect(startUp.map((l) => l.msg)).toEqual([
      expect.stringMatching(
        new RegExp(
          `^Herald node start-up serving on http://127\\.0\\.0\\.1:${port} .*: store redis 127\\.0\\.0\\.1:${redis.port}, 0 tenants, dashboard http://127\\.0\\.0\\.1:${port}/ui, config <default>$`,
        ),
      ),
    ]);
    for (const ctx of [
      'InstanceLoader',
      'RoutesResolver',
      'RouterExplorer',
      'NestFactory',
      'NestApplication',
    ])
      expect(lines.filter((l) => l.context === ctx)).toEqual([]);
    expect(out).not.toMatch(/Mapped \{/);
    expect(out).not.toMatch(/is back/);
    expect(out).not.toMatch(/unavailable/);
  });

  it('SIGHUP reloads with a log line and the node keeps serving', async () => {
    const [node] = childrenOf(npm.pid!);
    expect(infoLines().find((l) => l.msg.includes('serving on'))?.pid).toBe(node); // exec: no sh between
    process.kill(node, 'SIGHUP');
    await waitUntil(() => out.includes('config reload (SIGHUP)'), { what: 'the SIGHUP reload line' });
    expect(out).toContain('SIGHUP received: reloading the config');
    expect(alive(node)).toBe(true);
    expect((await fetch(`http://127.0.0.1:${port}/-/ready`)).status).toBe(200);
  });

  it("SIGTERM to npm's pid stops the node: no node process left, the port is free", async () => {
    const [node] = childrenOf(npm.pid!);
    expect(node).toBeGreaterThan(0);
    await signalAndWait(npm, 'SIGTERM', 20_000);
    await waitUntil(() => !alive(node), { what: 'the node process gone', timeoutMs: 15_000 });
    expect(out).toContain('SIGTERM received: shutting down');
    expect(await listening(port)).toBe(false);
  }, 30_000);
});

describe('a node that gets SIGHUP while its modules load', () => {
  // Regression: main installed its SIGHUP listener only after ~300 ms of module loading, and until then
  // Node's default action for SIGHUP ended the process. A preload sends the signal from inside the
  // first require of @nestjs/core, so it arrives at exactly that moment, on every machine.
  let node: ChildProcess;
  let port: number;
  let out = '';

  afterAll(() => signalAndWait(node, 'SIGKILL'));

  it('keeps starting, reloads once started, and serves (sighup-while-loading-modules)', async () => {
    await ensureBuilt();
    const dir = mkdtempSync(join(tmpdir(), 'herald-sighup-'));
    const preload = join(dir, 'sighup-on-load.js');
    writeFileSync(
      preload,
      `const Module = require('node:module');
const load = Module._load;
let sent = false;
Module._load = function (request, ...rest) {
  if (!sent && request === '@nestjs/core') {
    sent = true;
    process.stderr.write('preload: SIGHUP sent while loading @nestjs/core\\n');
    process.kill(process.pid, 'SIGHUP');
  }
  return load.call(this, request, ...rest);
};
`,
    );
    ({ child: node, port } = await startOnFreePort(
      (p) =>
        spawn(process.execPath, ['-r', preload, join(ROOT, 'dist/apps/server/src/main.js')], {
          cwd: ROOT,
          env: {
            ...process.env,
            PORT: String(p),
            REDIS_URL: '',
            HERALD_CONFIG: '',
            HERALD_LOG_LEVEL: 'info',
            HERALD_NODE_ID: 'sighup-early',
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      (o) => (out = o),
      'the node ready',
    ));
    expect(out).toContain('preload: SIGHUP sent while loading @nestjs/core');
    expect({ exitCode: node.exitCode, signal: node.signalCode }).toEqual({ exitCode: null, signal: null });
    await waitUntil(() => out.includes('SIGHUP received: reloading the config'), {
      what: 'the held SIGHUP handled by the reloading listener',
      detail: () => out.slice(-3000),
    });
    expect((await fetch(`http://127.0.0.1:${port}/-/ready`)).status).toBe(200);
    expect(out).toContain('serving on');
  }, 90_000);
});
