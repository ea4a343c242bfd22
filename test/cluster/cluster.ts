/**
 * `npm run cluster`: a local Herald cluster on loopback without Docker — redis-server, N nodes (bound to
 * 127.0.0.1) and nginx in front, in the foreground with prefixed logs. A node that dies is restarted
 * after a back-off (see BACKOFF) while nginx keeps serving from the others; Ctrl-C (SIGINT), SIGTERM or
 * SIGHUP stops everything it started.
 *
 * Environment: CLUSTER_PORT (nginx, default 9093: the one address clients use), CLUSTER_NODES (a count,
 * default 3, or a comma-separated list of node ports; default ports 9101..), CLUSTER_REDIS_PORT (6380),
 * HERALD_CONFIG (passed to every node).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { NODE_FLAGS } from '../../apps/server/src/memory-flags';
import { NginxServer } from '../harness/nginx';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

const env = process.env;
const colors = ['\x1b[36m', '\x1b[35m', '\x1b[33m', '\x1b[32m', '\x1b[34m', '\x1b[31m'];
const reset = '\x1b[0m';
const tty = process.stdout.isTTY;

function say(prefix: string, color: string, line: string): void {
  process.stdout.write(
    tty ? `${color}${prefix.padEnd(8)}${reset}| ${line}\n` : `${prefix.padEnd(8)}| ${line}\n`,
  );
}

function need(bin: string, pkg: string): void {
  const r = spawnSync('sh', ['-c', `command -v ${bin}`]);
  if (r.status !== 0) {
    console.error(
      `cluster: \`${bin}\` is not on PATH. Install it (Debian/Ubuntu: apt-get install -y ${pkg}).`,
    );
    process.exit(1);
  }
}

function intEnv(name: string, def: number): number {
  const v = env[name];
  if (!v) return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > 65535) {
    console.error(`cluster: ${name} must be a port number, got "${v}"`);
    process.exit(1);
  }
  return n;
}

function nodePorts(): number[] {
  const v = env.CLUSTER_NODES ?? '3';
  if (/^\d+$/.test(v) && Number(v) < 100) return Array.from({ length: Number(v) }, (_, i) => 9101 + i);
  const ports = v.split(',').map((s) => Number(s.trim()));
  if (ports.some((p) => !Number.isInteger(p) || p < 1 || p > 65535)) {
    console.error(`cluster: CLUSTER_NODES must be a count or a list of ports, got "${v}"`);
    process.exit(1);
  }
  return ports;
}

/** Restart back-off of a node that died: 500 ms, doubling to 8 s; back to 500 ms once it stayed up 30 s. */
export const BACKOFF = { initialMs: 500, maxMs: 8000, stableMs: 30_000 } as const;

/** The delay before the next restart of a node that ended after running `upMs`, given the last delay. */
export function nextBackoff(lastMs: number | undefined, upMs: number): number {
  if (lastMs === undefined || upMs >= BACKOFF.stableMs) return BACKOFF.initialMs;
  return Math.min(lastMs * 2, BACKOFF.maxMs);
}

/** How to run a node: the compiled main (`npm run cluster`) or the sources through ts-register (tests). */
function nodeCommand(): string[] {
  const root = resolve(__dirname, '..', '..');
  if (__filename.endsWith('.js')) return [...NODE_FLAGS, resolve(root, 'apps', 'server', 'src', 'main.js')];
  const src = resolve(root, 'test', 'harness', 'ts-register.js');
  return ['-r', src, resolve(root, 'apps', 'server', 'src', 'main.ts')];
}

/**
 * One node under supervision: started again after a back-off whenever it dies (SIGKILL, crash, OOM)
 * while the cluster runs, so nginx keeps a full set of upstreams and a failover can be watched. Its log
 * lines are prefixed with its id; its pid is printed at every start (`kill -9 <pid>` to try it).
 */
class SupervisedNode {
  private proc?: ChildProcess;
  private startedAt = 0;
  private lastBackoff?: number;
  private timer?: NodeJS.Timeout;
  private stopping = false;

  constructor(
    readonly id: string,
    readonly port: number,
    private readonly env: NodeJS.ProcessEnv,
    private readonly color: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Starts the process; resolves once it is ready (rejects if it exits first: a bad config at start). */
  async start(): Promise<void> {
    const proc = this.spawn();
    await waitUntil(
      async () => proc.exitCode !== null || proc.signalCode !== null || (await ready(this.url)),
      {
        timeoutMs: 30_000,
        intervalMs: 100,
        what: `${this.url} ready`,
      },
    );
    if (proc.exitCode !== null || proc.signalCode !== null)
      throw new Error(`${this.id}: node exited with ${proc.signalCode ?? proc.exitCode}`);
  }

  private spawn(): ChildProcess {
    const proc = spawn(process.execPath, nodeCommand(), {
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    this.startedAt = Date.now();
    say(this.id, this.color, `started (pid ${proc.pid}) on ${this.url}`);
    for (const s of [proc.stdout, proc.stderr])
      createInterface({ input: s! }).on('line', (l) => say(this.id, this.color, l));
    proc.once('exit', (code, sig) => this.exited(code, sig));
    return proc;
  }

  private exited(code: number | null, sig: NodeJS.Signals | null): void {
    if (this.stopping) {
      say(this.id, this.color, `stopped (${sig ?? code})`);
      return;
    }
    const delay = nextBackoff(this.lastBackoff, Date.now() - this.startedAt);
    this.lastBackoff = delay;
    say(this.id, this.color, `exited (${sig ?? code}); restarting in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (!this.stopping) this.spawn();
    }, delay);
  }

  /** No more restarts; SIGTERM (SIGKILL after 5 s); resolves once the process is gone. */
  stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return Promise.resolve();
    return new Promise<void>((res) => {
      p.once('exit', () => res());
      p.kill('SIGTERM');
      setTimeout(() => p.kill('SIGKILL'), 5000).unref();
    });
  }
}

async function ready(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  need('redis-server', 'redis-server');
  need('nginx', 'nginx');
  const port = intEnv('CLUSTER_PORT', 9093);
  const redisPort = intEnv('CLUSTER_REDIS_PORT', 6380);
  const ports = nodePorts();
  const nodes: SupervisedNode[] = [];
  let redis: RedisServer | undefined;
  let nginx: NginxServer | undefined;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('cluster', colors[0], 'stopping…');
    await nginx?.stop().catch(() => undefined);
    await Promise.all(nodes.map((n) => n.stop()));
    await redis?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGHUP', () => void stop(0)); // the terminal closed

  try {
    redis = await RedisServer.start({
      port: redisPort,
      localProcess: true,
      args: ['--maxmemory-policy', 'noeviction'],
    });
    say('redis', colors[1], `redis-server on 127.0.0.1:${redisPort}`);
    for (const [i, p] of ports.entries()) {
      const id = `node-${i + 1}`;
      // Loopback only, as the README says: nginx is the one address clients use.
      const nodeEnv = {
        ...env,
        PORT: String(p),
        HERALD_LISTEN_ADDRESS: '127.0.0.1',
        REDIS_URL: redis.url,
        HERALD_NODE_ID: id,
      };
      nodes.push(new SupervisedNode(id, p, nodeEnv, colors[(i + 2) % colors.length]));
    }
    await Promise.all(nodes.map((n) => n.start()));
    nginx = await NginxServer.start({ upstreams: ports, port });
    say('cluster', colors[0], `ready: clients use http://127.0.0.1:${port} (nginx)`);
    for (const n of nodes) say('cluster', colors[0], `  ${n.id}: ${n.url}`);
    say('cluster', colors[0], `  redis:  ${redis.url}`);
    say('cluster', colors[0], 'A node that dies is restarted. Ctrl-C stops everything.');
  } catch (e) {
    console.error(`cluster: ${(e as Error).message}`);
    await stop(1);
  }
}

if (require.main === module) void main();
