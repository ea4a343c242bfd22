import { execFileSync, spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join, resolve } from 'node:path';
import { NODE_FLAGS } from '../../apps/server/src/memory-flags';
import { freePort } from '../harness/free-port';
import { childPids } from '../harness/process';
import { waitUntil } from '../harness/wait';

/** Progress goes to stderr; stdout is kept for the JSON summary. */
export function log(msg: string): void {
  process.stderr.write(`[bench] ${msg}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Every child this process spawned and has not seen exit; killed on any way out. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface Child {
  proc: ChildProcess;
  name: string;
  pid: number;
  logPath: string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<string>;
}

/** Spawns a long-running child whose stdout+stderr go to `logPath` (a pipe nobody reads would stall it). */
export function spawnLogged(
  name: string,
  cmd: string,
  args: string[],
  logPath: string,
  opts: SpawnOptions = {},
): Promise<Child> {
  const fd = openSync(logPath, 'w');
  const proc = spawn(cmd, args, { ...opts, stdio: ['ignore', fd, fd] });
  closeSync(fd);
  live.add(proc);
  const exited = new Promise<string>((resolve) =>
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      resolve(signal ?? String(code));
    }),
  );
  return new Promise((resolve, reject) => {
    proc.once('error', (e) => {
      live.delete(proc);
      reject(new Error(`cannot start ${name} (${cmd}): ${e.message}`));
    });
    proc.once('spawn', () => resolve({ proc, name, pid: proc.pid ?? 0, logPath, exited }));
  });
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
export async function stopChild(c: Child | undefined, graceMs = 5000): Promise<void> {
  if (!c || c.proc.exitCode !== null || c.proc.signalCode !== null) return;
  c.proc.kill('SIGTERM');
  const timer = setTimeout(() => c.proc.kill('SIGKILL'), graceMs);
  await c.exited;
  clearTimeout(timer);
}

/** The last lines of a child's log, for error messages. */
export function logTail(c: Child, lines = 20): string {
  try {
    return readFileSync(c.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/**
 * Polls `url` until `ok(status, body)` holds; fails early when the child exits, and after `timeoutMs`.
 * Returns the last body.
 */
export async function waitHttp(
  c: Child,
  url: string,
  timeoutMs: number,
  ok: (status: number, body: string) => boolean = (s) => s === 200,
): Promise<string> {
  let gone: string | undefined;
  void c.exited.then((code) => (gone = code));
  const body = await waitUntil(
    async () => {
      if (gone !== undefined) return { gone };
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      const text = await res.text();
      if (!ok(res.status, text)) throw new Error(`${res.status} ${text.slice(0, 200)}`);
      return { text };
    },
    { timeoutMs, intervalMs: 100, what: `${c.name} ready at ${url}`, detail: () => logTail(c) },
  );
  if ('gone' in body)
    throw new Error(`${c.name} exited (${body.gone}) before ${url} was ready:\n${logTail(c)}`);
  return body.text;
}

/** Where a node's Redis is: a URL (single / Sentinel-less), or the seed nodes of a Redis Cluster. */
export type RedisTarget = string | { clusterNodes: string[] };

/**
 * The environment of a Herald child for `redis`: `REDIS_URL`, or `REDIS_CLUSTER_NODES` (the two are
 * mutually exclusive, so the other one is left out even when this process has it).
 */
export function redisEnv(redis: RedisTarget, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const { REDIS_URL: _url, REDIS_CLUSTER_NODES: _nodes, ...rest } = base;
  return typeof redis === 'string'
    ? { ...rest, REDIS_URL: redis }
    : { ...rest, REDIS_CLUSTER_NODES: redis.clusterNodes.join(',') };
}

/**
 * A Herald node built to dist/ (`npm run bench*` builds first) on a free port, with `yaml` written to
 * `dir/herald.yml` and its log in `dir/herald.log`, Redis at `redisUrl` (a URL, or a cluster's seed
 * nodes); resolves once it is ready. `child` is set as soon as the process runs, so a caller can stop
 * it even when it never gets ready.
 */
export async function startHerald(
  dir: string,
  yaml: string,
  redisUrl: RedisTarget,
  started: (child: Child) => void,
  /** Extra environment, e.g. `HERALD_ROLES`. */
  env: Record<string, string> = {},
): Promise<string> {
  const port = await freePort();
  const config = join(dir, 'herald.yml');
  writeFileSync(config, yaml);
  const child = await spawnLogged(
    'herald',
    process.execPath,
    [...NODE_FLAGS, resolve(__dirname, '..', '..', 'apps', 'server', 'src', 'main.js')],
    join(dir, 'herald.log'),
    {
      env: {
        ...redisEnv(redisUrl),
        PORT: String(port),
        HERALD_CONFIG: config,
        HERALD_LOG_LEVEL: 'warn',
        ...env,
      },
    },
  );
  started(child);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(child, `${url}/health/ready`, 30_000);
  return url;
}

/** The full path of `cmd` on PATH, or null. */
export function onPath(cmd: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, cmd))) return join(dir, cmd);
  }
  return null;
}

/** The Alertmanager binary of a comparison, or why there is none. */
export type AlertmanagerBin = { bin: string } | { bin: null; reason: string };

/**
 * BENCH_ALERTMANAGER: a binary path, or `0` / `off` / `false` to skip the comparison; by default
 * /usr/bin/prometheus-alertmanager, else `alertmanager` or `prometheus-alertmanager` on PATH.
 */
export function findAlertmanager(): AlertmanagerBin {
  const want = process.env.BENCH_ALERTMANAGER;
  if (want === '0' || want === 'off' || want === 'false') {
    return { bin: null, reason: `skipped: BENCH_ALERTMANAGER=${want}` };
  }
  if (want)
    return existsSync(want) ? { bin: want } : { bin: null, reason: `BENCH_ALERTMANAGER=${want} not found` };
  const found =
    ['/usr/bin/prometheus-alertmanager'].find((p) => existsSync(p)) ??
    onPath('alertmanager') ??
    onPath('prometheus-alertmanager');
  return found
    ? { bin: found }
    : {
        bin: null,
        reason:
          'Alertmanager not installed (no /usr/bin/prometheus-alertmanager, no alertmanager on PATH; ' +
          'apt-get install prometheus-alertmanager, or set BENCH_ALERTMANAGER)',
      };
}

export function alertmanagerVersion(bin: string): string {
  try {
    const out = execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return /version (\S+)/.exec(out)?.[1] ?? out.split('\n')[0];
  } catch (e) {
    return `unknown (${e instanceof Error ? e.message : String(e)})`;
  }
}

/**
 * Alertmanager (`bin`) on a free loopback port, clustering off, with `yaml` written to
 * `dir/alertmanager.yml`, its data in `dir/data` and its log in `dir/alertmanager.log`; resolves with
 * its base URL once /-/ready answers. `child` is set as soon as the process runs (see startHerald).
 */
export async function startAlertmanager(
  bin: string,
  dir: string,
  yaml: string,
  started: (child: Child) => void,
): Promise<string> {
  const configPath = join(dir, 'alertmanager.yml');
  writeFileSync(configPath, yaml);
  const port = await freePort();
  const child = await spawnLogged(
    'alertmanager',
    bin,
    [
      `--config.file=${configPath}`,
      `--storage.path=${join(dir, 'data')}`,
      '--cluster.listen-address=',
      `--web.listen-address=127.0.0.1:${port}`,
    ],
    join(dir, 'alertmanager.log'),
    { cwd: dir },
  );
  started(child);
  const url = `http://127.0.0.1:${port}`;
  await waitHttp(child, `${url}/-/ready`, 30_000);
  return url;
}

export interface ProcMemory {
  /** Resident set size now (MB). */
  rssMB: number;
  /** Peak resident set size (VmHWM, MB). */
  peakRssMB: number;
}

/** Fields of /proc/<pid>/status in kB (Linux); null when unreadable (gone, not Linux). */
function procStatusKb(pid: number, fields: readonly string[]): number[] | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return fields.map((f) => Number(new RegExp(`^${f}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN));
  } catch {
    return null;
  }
}

/** VmRSS / VmHWM of a live process, from /proc/<pid>/status (Linux); null elsewhere. */
export function procMemory(pid: number): ProcMemory | null {
  const kb = procStatusKb(pid, ['VmRSS', 'VmHWM']);
  return kb && { rssMB: round(kb[0] / 1024, 1), peakRssMB: round(kb[1] / 1024, 1) };
}

/** VmRSS of a live process in kB, for differences finer than `procMemory`'s 0.1 MB; NaN when unreadable. */
export function procRssKb(pid: number): number {
  return procStatusKb(pid, ['VmRSS'])?.[0] ?? NaN;
}

/** User+system CPU seconds a process has used so far (/proc/<pid>/stat, clock ticks of 1/100 s). */
export function procCpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at field 3: utime and stime are 14 and 15.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return null;
  }
}

/** User+system CPU milliseconds a process has used so far; NaN when unreadable (no pid, gone, not Linux). */
export function procCpuMs(pid: number | undefined): number {
  const s = pid === undefined ? null : procCpuSeconds(pid);
  return s === null ? NaN : s * 1000;
}

/** procCpuMs of a process and its children (herald.workers: a node's processes together). */
export function procTreeCpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  return childPids(pid).reduce((sum, c) => sum + (procCpuMs(c) || 0), procCpuMs(pid));
}

export function round(x: number, digits: number): number {
  const m = 10 ** digits;
  return Math.round(x * m) / m;
}
