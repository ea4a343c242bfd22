import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { signalAndWait, track } from './process';
import { waitUntil } from './wait';

export interface RedisServerOptions {
  /** Extra `redis-server` arguments, e.g. ['--maxmemory-policy', 'noeviction']. */
  args?: string[];
  /** Reuse a port (to restart a killed server on the same address). */
  port?: number;
  /**
   * Always a local redis-server process, never a container: cluster nodes must be reachable from each
   * other and from the client at the loopback address they announce.
   */
  localProcess?: boolean;
}

/** The Docker container behind a RedisServer when Testcontainers found an engine. */
interface ContainerHandle {
  stop(): Promise<void>;
  /** dockerode container: kill/start/pause/unpause keep the fixed host port binding. */
  docker: {
    kill(o: { signal: string }): Promise<unknown>;
    start(): Promise<unknown>;
    pause(): Promise<unknown>;
    unpause(): Promise<unknown>;
  };
}

let dockerAvailable: Promise<boolean> | undefined;

/**
 * Whether to run Redis in Docker through Testcontainers: only when an engine answers (a socket or
 * DOCKER_HOST, and Testcontainers' runtime check passes) and HERALD_TEST_DOCKER is not `0`. Without
 * an engine `getContainerRuntimeClient()` rejects at once; we then spawn redis-server directly.
 */
function useDocker(): Promise<boolean> {
  if (process.env.HERALD_TEST_DOCKER === '0') return Promise.resolve(false);
  if (!process.env.DOCKER_HOST && !existsSync('/var/run/docker.sock')) return Promise.resolve(false);
  dockerAvailable ??= import('testcontainers')
    .then((tc) => tc.getContainerRuntimeClient())
    .then(
      () => true,
      () => false,
    );
  return dockerAvailable;
}

/**
 * A real Redis on a free loopback port: a `redis-server` child process, or a `redis:7` container via
 * Testcontainers where a Docker engine is reachable (these machines have none). Same contract either way:
 * `url`/`port`, and the fault operations `kill()` (SIGKILL), `pause()` (SIGSTOP / docker pause),
 * `resume()`, `startProcess()` (start again on the same port) and `stop()`.
 */
export class RedisServer {
  private proc?: ChildProcess;
  private container?: ContainerHandle;
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
    if (this.container) {
      await this.container.docker.start();
      await this.waitReady(10_000);
      return;
    }
    if (!this.opts.localProcess && (await useDocker())) {
      await this.startContainer();
      return;
    }
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
    const proc = track(spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
    this.proc = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<never>((_, reject) => {
      proc.once('error', (e) =>
        reject(new Error(`cannot start ${bin}: ${e.message} (install redis-server)`)),
      );
      proc.once('exit', (code) => reject(new Error(`${bin} exited with ${code}: ${stderr}`)));
    });
    await Promise.race([this.waitReady(5000), exited]);
  }

  private async startContainer(): Promise<void> {
    const tc = await import('testcontainers');
    const started = await new tc.GenericContainer('redis:7-alpine')
      .withExposedPorts({ container: 6379, host: this.port })
      .withCommand([
        'redis-server',
        '--save',
        '',
        '--appendonly',
        'no',
        '--protected-mode',
        'no',
        ...(this.opts.args ?? []),
      ])
      .withWaitStrategy(tc.Wait.forLogMessage('Ready to accept connections'))
      .start();
    const client = await tc.getContainerRuntimeClient();
    const docker = client.container.getById(started.getId()) as unknown as ContainerHandle['docker'];
    this.container = { stop: async () => void (await started.stop({ timeout: 0 })), docker };
    await this.waitReady(10_000);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    await waitUntil(() => this.ping(), {
      timeoutMs,
      intervalMs: 25,
      what: `redis-server on ${this.port} ready`,
    });
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
    if (this.container) {
      await this.container.docker.kill({ signal: 'SIGKILL' }).catch(() => undefined);
      return;
    }
    await signalAndWait(this.proc, 'SIGKILL');
  }

  async pause(): Promise<void> {
    if (this.container) await this.container.docker.pause();
    else this.proc?.kill('SIGSTOP');
  }

  async resume(): Promise<void> {
    if (this.container) await this.container.docker.unpause().catch(() => undefined);
    else this.proc?.kill('SIGCONT');
  }

  /** Start again on the same port (after kill), empty. */
  async restart(): Promise<void> {
    await this.kill();
    await this.startProcess();
  }

  async stop(): Promise<void> {
    if (this.container) {
      await this.container.stop().catch(() => undefined);
      return;
    }
    await this.resume();
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
