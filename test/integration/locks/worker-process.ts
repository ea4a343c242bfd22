import { fork, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { track } from '../../harness/process';
import type { WorkerCommand, WorkerMessage } from './lock.worker';

const ROOT = resolve(__dirname, '../../..');

/** A lock.worker.ts child and the messages it sent. */
export class WorkerProcess {
  private readonly inbox: WorkerMessage[] = [];
  private waiters: (() => void)[] = [];
  readonly exited: Promise<string>;

  private constructor(readonly proc: ChildProcess) {
    proc.on('message', (m) => {
      this.inbox.push(m as WorkerMessage);
      for (const w of this.waiters.splice(0)) w();
    });
    this.exited = new Promise((r) =>
      proc.once('exit', (code, signal) => {
        r(signal ?? String(code));
        for (const w of this.waiters.splice(0)) w();
      }),
    );
  }

  static start(cmd: WorkerCommand): WorkerProcess {
    const proc = fork(join(__dirname, 'lock.worker.ts'), [JSON.stringify(cmd)], {
      cwd: ROOT,
      execArgv: ['-r', join(ROOT, 'test/harness/ts-register.js')],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    return new WorkerProcess(track(proc));
  }

  /** The first message of `type` (already received or next), or a rejection after `timeoutMs`. */
  async next<T extends WorkerMessage['type']>(
    type: T,
    timeoutMs = 15_000,
  ): Promise<Extract<WorkerMessage, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.inbox.findIndex((m) => m.type === type);
      if (i >= 0) return this.inbox.splice(i, 1)[0] as Extract<WorkerMessage, { type: T }>;
      if (this.proc.exitCode !== null || this.proc.signalCode !== null) {
        throw new Error(`worker exited (${this.proc.exitCode ?? this.proc.signalCode}) before '${type}'`);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no '${type}' from worker within ${timeoutMs} ms`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  /** SIGKILL and wait for the exit. */
  async kill(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGKILL');
    await this.exited;
  }
}
