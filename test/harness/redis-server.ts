import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';

/** Live redis-server processes started by this test process, stopped on exit even when a test fails. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. ['--maxmemory-policy', 'noeviction']. */
  args?: string[];
  /** Reuse a port (to restart a killed server on the same address). */
  port?: number;
}

/**
 * A real redis-server on a free loopback port. Fault tests use `kill()` (SIGKILL), `pause()` (SIGSTOP),
 * `resume()` and `restart()`. Testcontainers would be used where a Docker engine exists; these machines
 * have none, so the harness spawns the binary directly (same contract either way: host + port + url).
 */
export class RedisServer {
  private proc?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'herald-redis-'));
  port = 0;

  constructor(private readonly opts: RedisServerOptions = {}) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  static async start(opts: RedisServerOptions = {}): Promise<RedisServer> {
    const s = new RedisServer(opts);
    await s.startProcess();
    return s;
  }

  async startProcess(): Promise<void> {
    if (!this.port) this.port = this.opts.port ?? (await freePort());
    const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    const args = [
      '--port',
      String(this.port),
      '--bind',
      '127.0.0.1',
      '--save',
      '',
      '--appendonly',
      'no',
      '--dir',
      this.dir,
      '--protected-mode',
      'no',
      ...(this.opts.args ?? []),
    ];
    const proc = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    live.add(proc);
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<never>((_, reject) => {
      proc.once('error', (e) =>
        reject(new Error(`cannot start ${bin}: ${e.message} (install redis-server)`)),
      );
      proc.once('exit', (code) => reject(new Error(`${bin} exited with ${code}: ${stderr}`)));
    });
    proc.once('exit', () => live.delete(proc));
    await Promise.race([this.waitReady(5000), exited]);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.ping()) return;
      if (Date.now() > deadline) throw new Error(`redis-server on ${this.port} not ready in ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  /** A raw PING over a fresh socket; true when the server answers PONG. */
  ping(): Promise<boolean> {
    return new Promise((resolve) => {
      const sock = createConnection({ host: '127.0.0.1', port: this.port });
      const done = (ok: boolean) => {
        sock.destroy();
        resolve(ok);
      };
      sock.setTimeout(500, () => done(false));
      sock.on('error', () => done(false));
      sock.on('connect', () => sock.write('PING\r\n'));
      sock.on('data', (d) => done(d.toString().startsWith('+PONG')));
    });
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode) return;
    const gone = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await gone;
  }

  pause(): void {
    this.proc?.kill('SIGSTOP');
  }

  resume(): void {
    this.proc?.kill('SIGCONT');
  }

  /** Start again on the same port (after kill), empty. */
  async restart(): Promise<void> {
    await this.kill();
    await this.startProcess();
  }

  async stop(): Promise<void> {
    this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
