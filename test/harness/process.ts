import type { ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';

/** Child processes started by this test process (redis-server, nginx, nodes), SIGKILLed on exit. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

/** Kills `proc` when this test process exits, even after a failed test. */
export function track<P extends ChildProcess>(proc: P): P {
  live.add(proc);
  proc.once('exit', () => live.delete(proc));
  return proc;
}

/**
 * Sends `signal` and resolves once the process has exited (at once if it is gone); with `killAfterMs`,
 * a process still alive by then is SIGKILLed.
 */
export async function signalAndWait(
  p: ChildProcess | undefined,
  signal: NodeJS.Signals,
  killAfterMs?: number,
): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode) return;
  const gone = new Promise((r) => p.once('exit', r));
  p.kill(signal);
  const t = killAfterMs === undefined ? undefined : setTimeout(() => p.kill('SIGKILL'), killAfterMs);
  await gone;
  clearTimeout(t);
}

/**
 * Keeps the last `max` characters of `proc`'s stdout and stderr together (spawned with pipes), handing
 * the text to `set` after each chunk: what a test asserts on, and shows when it fails.
 */
export function keepOutput(proc: ChildProcess, set: (out: string) => void, max = 200_000): void {
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-max);
    set(out);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
}

/**
 * Whether a process with this pid runs: it exists (signal 0) and is not a zombie (exited, not yet reaped
 * by whoever adopted it — an orphan's exit is otherwise invisible until init gets to it).
 */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc: signal 0 is all there is
  }
}

/** Pids of a process' children (/proc's children lists of its threads); empty when unreadable. */
export function childPids(pid: number | undefined): number[] {
  if (pid === undefined) return [];
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((t) =>
      readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean).map(Number),
    );
  } catch {
    return [];
  }
}

/** Whether something accepts connections on the port. */
export function listening(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((res) => {
    const s = createConnection({ port, host });
    s.once('connect', () => (s.destroy(), res(true)));
    s.once('error', () => res(false));
  });
}
