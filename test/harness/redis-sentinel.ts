import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './free-port';
import { signalAndWait, track } from './process';
import type { RedisServer } from './redis-server';
import { waitUntil } from './wait';

export interface RedisSentinelOptions {
  /** The name the master is monitored under (Herald's `herald.redis.sentinel.master_name`). */
  masterName?: string;
  /** `sentinel down-after-milliseconds`: how long a silent master takes to be seen as down. */
  downAfterMs?: number;
}

/**
 * One real `redis-sentinel` (redis-server --sentinel) process on a free loopback port, monitoring
 * `master` with quorum 1, its config in its own temp dir. `start` resolves once the sentinel reports
 * the master's address. The master must be a local process (`RedisServer.start({ localProcess: true })`)
 * so the address the sentinel sees is the one clients reach.
 */
export class RedisSentinel {
  private readonly dir = mkdtempSync(join(tmpdir(), 'herald-sentinel-'));
  private proc?: ChildProcess;
  port = 0;

  private constructor(
    readonly master: RedisServer,
    readonly masterName: string,
    private readonly downAfterMs: number,
  ) {}

  static async start(master: RedisServer, opts: RedisSentinelOptions = {}): Promise<RedisSentinel> {
    const s = new RedisSentinel(master, opts.masterName ?? 'herald-master', opts.downAfterMs ?? 1000);
    try {
      await s.boot();
    } catch (e) {
      await s.stop();
      throw e;
    }
    return s;
  }

  /** `127.0.0.1:<port>`: an entry of `herald.redis.sentinel.sentinels` / RedisConnectionOptions. */
  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** The Sentinel connection options of a client of the monitored master. */
  connection(): { masterName: string; sentinels: string[] } {
    return { masterName: this.masterName, sentinels: [this.address] };
  }

  private async boot(): Promise<void> {
    this.port = await freePort();
    const conf = join(this.dir, 'sentinel.conf');
    writeFileSync(
      conf,
      [
        `port ${this.port}`,
        'bind 127.0.0.1',
        `dir ${this.dir}`,
        `sentinel monitor ${this.masterName} 127.0.0.1 ${this.master.port} 1`,
        `sentinel down-after-milliseconds ${this.masterName} ${this.downAfterMs}`,
      ].join('\n') + '\n',
    );
    const bin = process.env.REDIS_SERVER_BIN ?? 'redis-server';
    const proc = track(spawn(bin, [conf, '--sentinel'], { stdio: ['ignore', 'ignore', 'pipe'] }));
    this.proc = proc;
    let stderr = '';
    proc.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<never>((_, reject) => {
      proc.once('error', (e) => reject(new Error(`cannot start ${bin} --sentinel: ${e.message}`)));
      proc.once('exit', (code) => reject(new Error(`${bin} --sentinel exited with ${code}: ${stderr}`)));
    });
    exited.catch(() => undefined); // only raced below; a later exit (stop) is no error
    await Promise.race([this.waitKnowsMaster(), exited]);
  }

  /** Until the sentinel answers SENTINEL get-master-addr-by-name with the master's port. */
  private async waitKnowsMaster(): Promise<void> {
    await waitUntil(
      async () => {
        // No reconnects: a probe that finds no sentinel yet must not linger, retrying, after the wait.
        const probe = new Redis(`redis://${this.address}`, {
          lazyConnect: true,
          enableOfflineQueue: false,
          retryStrategy: () => null,
          connectTimeout: 500,
          commandTimeout: 500,
          disconnectTimeout: 50,
        });
        probe.on('error', () => undefined);
        try {
          await probe.connect();
          const addr = (await probe.call('SENTINEL', 'get-master-addr-by-name', this.masterName)) as
            string[] | null;
          return addr !== null && Number(addr[1]) === this.master.port;
        } finally {
          probe.disconnect();
        }
      },
      { timeoutMs: 10_000, intervalMs: 50, what: `the sentinel on ${this.port} knowing ${this.masterName}` },
    );
  }

  /** SIGKILLs the sentinel (not the master) and removes its temp dir. */
  async stop(): Promise<void> {
    await signalAndWait(this.proc, 'SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}
