import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './free-port';
import { signalAndWait, track } from './process';
import { waitUntil } from './wait';

const ROOT = resolve(__dirname, '..', '..');

/**
 * A Herald node as a real, separate OS process (the TypeScript sources run through
 * test/harness/ts-register.js), so cluster tests can SIGKILL it. `restart()` starts it again on the
 * same port with the same node id.
 */
export class NodeProcess {
  private proc?: ChildProcess;
  private output = '';

  private constructor(
    readonly id: string,
    readonly port: number,
    private readonly env: Record<string, string>,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get logs(): string {
    return this.output;
  }

  /** The running process' pid (undefined before the first start). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  static async start(id: string, yaml: string, env: Record<string, string> = {}): Promise<NodeProcess> {
    const dir = mkdtempSync(join(tmpdir(), 'herald-node-'));
    const config = join(dir, 'herald.yml');
    writeFileSync(config, yaml);
    const n = new NodeProcess(id, await freePort(), { HERALD_CONFIG: config, HERALD_NODE_ID: id, ...env });
    await n.restart();
    return n;
  }

  async restart(): Promise<void> {
    const proc = spawn(
      process.execPath,
      ['-r', join(ROOT, 'test', 'harness', 'ts-register.js'), join(ROOT, 'apps', 'server', 'src', 'main.ts')],
      {
        cwd: ROOT,
        env: { ...process.env, ...this.env, PORT: String(this.port), HERALD_LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    this.proc = track(proc);
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-20_000);
    };
    proc.stdout?.on('data', keep);
    proc.stderr?.on('data', keep);
    await waitUntil(async () => proc.exitCode !== null || (await fetch(`${this.url}/health/ready`)).ok, {
      timeoutMs: 30_000,
      intervalMs: 100,
      what: `${this.id} ready`,
      detail: () => this.output,
    });
    if (proc.exitCode !== null) throw new Error(`${this.id} exited with ${proc.exitCode}: ${this.output}`);
  }

  /** Sends `signal` without waiting (e.g. SIGHUP: a config reload). */
  signal(signal: NodeJS.Signals): void {
    this.proc?.kill(signal);
  }

  /** SIGKILL: no shutdown hooks, in-flight work is lost as in a crash. */
  async kill(): Promise<void> {
    await signalAndWait(this.proc, 'SIGKILL');
  }

  /** SIGTERM: graceful shutdown (rolling restarts). */
  async stop(): Promise<void> {
    await signalAndWait(this.proc, 'SIGTERM', 15_000);
  }

  /** How the last run ended: its exit code, or the signal that ended it (SIGKILL: it had to be killed). */
  get exit(): { code: number | null; signal: NodeJS.Signals | null } | undefined {
    const p = this.proc;
    return p && (p.exitCode !== null || p.signalCode)
      ? { code: p.exitCode, signal: p.signalCode }
      : undefined;
  }
}
