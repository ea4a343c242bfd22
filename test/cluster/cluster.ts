/**
 * `npm run cluster`: a local Herald cluster on loopback without Docker — redis-server, N nodes and nginx
 * in front, in the foreground with prefixed logs; Ctrl-C stops everything it started.
 *
 * Environment: CLUSTER_PORT (nginx, default 9093: the one address clients use), CLUSTER_NODES (a count,
 * default 3, or a comma-separated list of node ports; default ports 9101..), CLUSTER_REDIS_PORT (6380),
 * HERALD_CONFIG (passed to every node).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
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

async function waitReady(url: string, proc: ChildProcess): Promise<void> {
  await waitUntil(async () => proc.exitCode !== null || (await fetch(`${url}/health/ready`)).ok, {
    timeoutMs: 20_000,
    intervalMs: 100,
    what: `${url} ready`,
  });
  if (proc.exitCode !== null) throw new Error(`${url}: node exited with ${proc.exitCode}`);
}

async function main(): Promise<void> {
  need('redis-server', 'redis-server');
  need('nginx', 'nginx');
  const port = intEnv('CLUSTER_PORT', 9093);
  const redisPort = intEnv('CLUSTER_REDIS_PORT', 6380);
  const ports = nodePorts();
  const children: ChildProcess[] = [];
  let redis: RedisServer | undefined;
  let nginx: NginxServer | undefined;
  let stopping = false;

  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    say('cluster', colors[0], 'stopping…');
    await nginx?.stop().catch(() => undefined);
    await Promise.all(
      children.map(
        (c) =>
          new Promise<void>((res) => {
            if (c.exitCode !== null || c.signalCode) return res();
            c.once('exit', () => res());
            c.kill('SIGTERM');
            setTimeout(() => c.kill('SIGKILL'), 5000).unref();
          }),
      ),
    );
    await redis?.stop().catch(() => undefined);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    redis = await RedisServer.start({ port: redisPort, args: ['--maxmemory-policy', 'noeviction'] });
    say('redis', colors[1], `redis-server on 127.0.0.1:${redisPort}`);
    const main = resolve(__dirname, '..', '..', 'apps', 'server', 'src', 'main.js');
    for (const [i, p] of ports.entries()) {
      const id = `node-${i + 1}`;
      const child = spawn(process.execPath, [main], {
        env: { ...env, PORT: String(p), REDIS_URL: redis.url, HERALD_NODE_ID: id },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      children.push(child);
      const color = colors[(i + 2) % colors.length];
      for (const s of [child.stdout, child.stderr])
        createInterface({ input: s! }).on('line', (l) => say(id, color, l));
      child.once('exit', (code, sig) => {
        say(id, color, `exited (${sig ?? code})`);
        if (!stopping) void stop(1);
      });
    }
    await Promise.all(ports.map((p, i) => waitReady(`http://127.0.0.1:${p}`, children[i])));
    nginx = await NginxServer.start({ upstreams: ports, port });
    say('cluster', colors[0], `ready: clients use http://127.0.0.1:${port} (nginx)`);
    ports.forEach((p, i) => say('cluster', colors[0], `  node-${i + 1}: http://127.0.0.1:${p}`));
    say('cluster', colors[0], `  redis:  ${redis.url}`);
    say('cluster', colors[0], 'Ctrl-C stops everything.');
  } catch (e) {
    console.error(`cluster: ${(e as Error).message}`);
    await stop(1);
  }
}

void main();
