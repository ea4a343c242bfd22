import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { signalAndWait, track } from './process';
import { waitUntil } from './wait';

export interface NginxOptions {
  /** Loopback ports of the Herald nodes. */
  upstreams: number[];
  port?: number;
  /** nginx binary (default `nginx` on PATH). */
  nginxBin?: string;
}

/**
 * Renders the repository's `nginx.conf` for loopback: the `HERALD:upstream` lines become one server line
 * per node port, `HERALD:listen` the chosen port, and pid/temp paths a private directory, so tests and
 * `npm run cluster` run the same directives as docker-compose.
 */
export function renderNginxConf(upstreams: number[], port: number, dir: string): string {
  return renderFrom(readFileSync(repoFile('nginx.conf'), 'utf8'), upstreams, port, dir);
}

/** A file at the repository root, found from the sources (test/harness) or from dist/test/harness. */
function repoFile(name: string): string {
  for (const up of [
    ['..', '..'],
    ['..', '..', '..'],
  ]) {
    const p = resolve(__dirname, ...up, name);
    if (existsSync(p)) return p;
  }
  throw new Error(`${name} not found above ${__dirname}`);
}

function renderFrom(src: string, upstreams: number[], port: number, dir: string): string {
  const lines = src.split('\n');
  const out: string[] = [];
  let emitted = false;
  for (const line of lines) {
    if (line.includes('# HERALD:upstream')) {
      if (!emitted) {
        const indent = /^\s*/.exec(line)![0];
        const rest = /:\d+(\s.*?);\s*# HERALD:upstream/.exec(line)?.[1] ?? '';
        for (const p of upstreams) out.push(`${indent}server 127.0.0.1:${p}${rest};`);
        emitted = true;
      }
      continue;
    }
    if (line.includes('# HERALD:listen')) {
      out.push(line.replace(/listen\s+\d+;/, `listen 127.0.0.1:${port};`).replace(/\s*# HERALD:listen/, ''));
      continue;
    }
    out.push(line.replaceAll('/tmp/herald-nginx', join(dir, 'nginx')));
  }
  return out.join('\n');
}

/** A real nginx process in front of Herald nodes, on a free loopback port. */
export class NginxServer {
  private proc?: ChildProcess;
  private stderr = '';
  private constructor(
    readonly port: number,
    private readonly dir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** nginx's error log (the last 50 kB). */
  get errorLog(): string {
    return this.stderr;
  }

  static async start(opts: NginxOptions): Promise<NginxServer> {
    const port = opts.port ?? (await freePort());
    const dir = mkdtempSync(join(tmpdir(), 'herald-nginx-'));
    const conf = join(dir, 'nginx.conf');
    writeFileSync(conf, renderNginxConf(opts.upstreams, port, dir));
    const n = new NginxServer(port, dir);
    const bin = opts.nginxBin ?? 'nginx';
    const proc = track(
      spawn(bin, ['-c', conf, '-g', 'daemon off;'], { stdio: ['ignore', 'ignore', 'pipe'] }),
    );
    n.proc = proc;
    proc.stderr?.on('data', (d: Buffer) => (n.stderr = (n.stderr + d.toString()).slice(-50_000)));
    const failed = new Promise<never>((_, reject) => {
      proc.once('error', (e) => reject(new Error(`cannot start ${bin}: ${e.message} (install nginx)`)));
      proc.once('exit', (code) => reject(new Error(`nginx exited with ${code}: ${n.stderr}`)));
    });
    await Promise.race([n.waitReady(), failed]);
    return n;
  }

  private async waitReady(): Promise<void> {
    await waitUntil(async () => (await fetch(`${this.url}/nginx-health`)).ok, {
      timeoutMs: 5000,
      intervalMs: 25,
      what: 'nginx ready',
    });
  }

  async stop(): Promise<void> {
    await signalAndWait(this.proc, 'SIGQUIT', 3000);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
