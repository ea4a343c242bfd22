import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { freePort } from '../harness/free-port';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

export type FuzzMode = 'memory' | 'redis';

/** A pino level as a number: Herald's logs write the label (`"level":"warn"`), pino's default the number. */
function levelOf(level: unknown): number {
  const labels: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
  return typeof level === 'number' ? level : (labels[String(level)] ?? 0);
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** The repository root, from test/fuzz (ts via Jest or ts-register) or dist/test/fuzz (compiled). */
function repoRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * A Herald node under fuzz as a separate OS process with a bounded heap (`--max-old-space-size`), so a
 * crash, an out-of-memory death or a hang is observed from outside instead of taking the fuzzer down.
 * Compiled (`npm run fuzz`) it runs dist/; from Jest it runs the TypeScript sources through
 * test/harness/ts-register.js. Redis mode gets its own redis-server on a free port.
 */
export class FuzzNode {
  private exitInfo?: string;

  private constructor(
    readonly mode: FuzzMode,
    readonly url: string,
    private readonly proc: ChildProcess,
    private readonly logPath: string,
    private readonly dir: string,
    private readonly redis?: RedisServer,
  ) {
    proc.once('exit', (code, signal) => {
      live.delete(proc);
      this.exitInfo = signal ?? `exit code ${code}`;
    });
  }

  get pid(): number {
    return this.proc.pid ?? 0;
  }

  /** Why the process ended (signal or exit code), or undefined while it runs. */
  get exited(): string | undefined {
    return this.exitInfo;
  }

  static async start(mode: FuzzMode, yaml: string, heapMB = 512): Promise<FuzzNode> {
    const root = repoRoot();
    const dir = mkdtempSync(join(tmpdir(), `herald-fuzz-${mode}-`));
    const config = join(dir, 'herald.yml');
    writeFileSync(config, yaml);
    const redis = mode === 'redis' ? await RedisServer.start() : undefined;
    const port = await freePort();
    const compiled = __filename.endsWith('.js');
    const main = compiled
      ? join(root, 'dist', 'apps', 'server', 'src', 'main.js')
      : join(root, 'apps', 'server', 'src', 'main.ts');
    const args = [`--max-old-space-size=${heapMB}`];
    if (!compiled) args.push('-r', join(root, 'test', 'harness', 'ts-register.js'));
    args.push(main);
    const logPath = join(dir, 'node.log');
    const fd = openSync(logPath, 'w');
    const proc = spawn(process.execPath, args, {
      cwd: root,
      env: {
        ...process.env,
        HERALD_CONFIG: config,
        HERALD_NODE_ID: `fuzz-${mode}`,
        HERALD_LOG_LEVEL: 'warn',
        PORT: String(port),
        ...(redis ? { REDIS_URL: redis.url } : { REDIS_URL: '' }),
      },
      stdio: ['ignore', fd, fd],
    });
    closeSync(fd);
    live.add(proc);
    const node = new FuzzNode(mode, `http://127.0.0.1:${port}`, proc, logPath, dir, redis);
    const ready = async () =>
      !!node.exited || (await fetch(`${node.url}/health/ready`, { signal: AbortSignal.timeout(1000) })).ok;
    try {
      await waitUntil(ready, { timeoutMs: 60_000, intervalMs: 100, what: `fuzz node (${mode}) ready` });
    } catch (e) {
      await node.stop();
      throw new Error(`${(e as Error).message}:\n${node.logTail()}`);
    }
    if (node.exited) throw new Error(`fuzz node (${mode}) ${node.exited} at start:\n${node.logTail()}`);
    return node;
  }

  /** Whether the process runs and answers `GET /health/live` with 200 within `timeoutMs`. */
  async alive(timeoutMs = 5000): Promise<boolean> {
    if (this.exited) return false;
    try {
      const r = await fetch(`${this.url}/health/live`, { signal: AbortSignal.timeout(timeoutMs) });
      await r.arrayBuffer();
      return r.status === 200;
    } catch {
      return false;
    }
  }

  /** Peak resident set size (VmHWM) in MB, Linux only. */
  peakRssMB(): number | null {
    try {
      const kb = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${this.pid}/status`, 'utf8'))?.[1];
      return kb ? Math.round(Number(kb) / 102.4) / 10 : null;
    } catch {
      return null;
    }
  }

  /** The node's log lines at warn and above (stack traces of 5xx land here). */
  logTail(lines = 40): string {
    try {
      return readFileSync(this.logPath, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
    } catch {
      return '(no log)';
    }
  }

  /**
   * Warn-level log messages with their counts (numbers masked so repeats group), e.g. a Redis fallback
   * under load, which explains a read that misses a write.
   */
  warnings(max = 20): Record<string, number> {
    const out: Record<string, number> = {};
    try {
      for (const l of readFileSync(this.logPath, 'utf8').split('\n')) {
        try {
          const j = JSON.parse(l) as { level?: unknown; msg?: unknown };
          if (levelOf(j.level) !== 40) continue;
          const key = String(j.msg).slice(0, 200).replace(/\d+/g, 'N');
          if (key in out || Object.keys(out).length < max) out[key] = (out[key] ?? 0) + 1;
        } catch {
          /* not a log line */
        }
      }
    } catch {
      /* no log */
    }
    return out;
  }

  /** Error-level log lines (a 500's stack trace) and anything not JSON (a crash on stderr), for the report. */
  errorLines(max = 20): string[] {
    try {
      return readFileSync(this.logPath, 'utf8')
        .split('\n')
        .filter((l) => {
          if (!l.trim()) return false;
          try {
            return levelOf((JSON.parse(l) as { level?: unknown }).level) >= 50;
          } catch {
            return true;
          }
        })
        .slice(0, max)
        .map((l) => l.slice(0, 2000));
    } catch {
      return [];
    }
  }

  async stop(): Promise<void> {
    const p = this.proc;
    if (!this.exited) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      const t = setTimeout(() => p.kill('SIGKILL'), 15_000);
      await gone;
      clearTimeout(t);
    }
    await this.redis?.stop();
    // FUZZ_KEEP_LOGS=1 keeps the node's config and log (path on stderr) for a closer look.
    if (process.env.FUZZ_KEEP_LOGS === '1')
      process.stderr.write(`[fuzz] ${this.mode} node log: ${this.logPath}\n`);
    else rmSync(this.dir, { recursive: true, force: true });
  }
}
