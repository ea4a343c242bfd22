import { fork, type ChildProcess } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { workerEnvironment, type HeraldConfig, type NodeRole } from '@herald/config';
import type { ProcessMetrics } from '@herald/observability';

/**
 * `herald.workers` (issue 16): a node of N processes. The first (the one started) keeps the node's
 * `api` and `scheduler` roles and its port; N − 1 child processes run its `delivery` role. On two cores
 * `npm run bench:notify` measured the split by role at +25–35 % notifications per second, where two
 * processes with every role gained nothing (their schedulers contend for the same claims). Children
 * listen on a loopback port of their own (never the node's), answer the first process' metric requests
 * over IPC, and stop when it stops or disappears.
 */

/** How long a child may take to answer a metrics request before a scrape goes on without it. */
const METRICS_TIMEOUT_MS = 2_000;
/** Restart delay after a child exited unexpectedly: doubles per quick failure, up to the maximum. */
const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;
/** A child that ran this long before exiting is restarted after the minimum delay again. */
const HEALTHY_RUN_MS = 60_000;

type ToChild = { herald: 'metrics'; id: number };
type FromChild = { herald: 'ready' } | { herald: 'metrics'; id: number; metrics: ProcessMetrics };

/**
 * The roles the first process keeps of `roles` when the node runs `workers` processes: all of them
 * with one process; otherwise all but `delivery`, which the children run — unless `delivery` is the
 * node's only role, then every process runs it.
 */
export function firstProcessRoles(roles: ReadonlySet<NodeRole>, workers: number): ReadonlySet<NodeRole> {
  if (workers <= 1 || !roles.has('delivery') || roles.size === 1) return roles;
  return new Set([...roles].filter((r) => r !== 'delivery'));
}

/** `config` with the first process' roles (a reload re-reads the file: the same narrowing applies). */
export function asFirstProcess(config: HeraldConfig): HeraldConfig {
  const roles = firstProcessRoles(config.herald.roles, config.herald.workers);
  if (roles === config.herald.roles) return config;
  return { ...config, herald: { ...config.herald, roles } };
}

interface Worker {
  index: number;
  child?: ChildProcess;
  ready: boolean;
  startedAt: number;
  failures: number;
  restart?: NodeJS.Timeout;
}

export interface WorkerProcessesOptions {
  /** Children to run (herald.workers − 1). */
  count: number;
  /** The node's id; a child's is `<id>/delivery-<index>`. */
  nodeId: string;
  /** Counted on every restart of a child that exited by itself. */
  onRestart?: () => void;
  /** Starts a child with `env` (tests replace it); default: `fork` of this process' own script. */
  spawn?: (env: NodeJS.ProcessEnv) => ChildProcess;
}

const forkSelf = (env: NodeJS.ProcessEnv): ChildProcess =>
  fork(process.argv[1], process.argv.slice(2), { env, execArgv: process.execArgv });

/** The first process' children: started, restarted when they exit, signalled, asked for metrics. */
export class WorkerProcesses {
  private readonly log = new Logger('Workers');
  private readonly workers: Worker[];
  private stopping = false;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (m: ProcessMetrics | null) => void }>();
  private readonly readyWaiters: (() => void)[] = [];

  constructor(private readonly opts: WorkerProcessesOptions) {
    this.workers = Array.from({ length: opts.count }, (_, i) => ({
      index: i + 1,
      ready: false,
      startedAt: 0,
      failures: 0,
    }));
  }

  /**
   * Resolves once every child has started once (its node serves), or after `timeoutMs` with a warning:
   * the first process then serves without the late ones (their deliveries wait in the queue for them).
   */
  async ready(timeoutMs: number): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    const all = new Promise<boolean>((resolve) => {
      const check = () => {
        if (this.workers.every((w) => w.ready)) resolve(true);
        else this.readyWaiters.push(check);
      };
      check();
    });
    const inTime = await Promise.race([
      all,
      new Promise<boolean>((r) => (t = setTimeout(() => r(false), timeoutMs))),
    ]);
    clearTimeout(t);
    if (!inTime) {
      const missing = this.workers.filter((w) => !w.ready).map((w) => w.index);
      this.log.warn(
        `delivery worker(s) ${missing.join(', ')} not started after ${timeoutMs} ms; serving without them meanwhile`,
      );
    }
  }

  start(): void {
    for (const w of this.workers) this.spawn(w);
  }

  /** A config reload reached this process: the children re-read the same sources (SIGHUP). */
  reload(): void {
    for (const w of this.workers) w.child?.kill('SIGHUP');
  }

  /** Every child's registry; one that does not answer in time is left out of this scrape. */
  async metrics(): Promise<ProcessMetrics[]> {
    const replies = await Promise.all(this.workers.map((w) => this.ask(w)));
    return replies.filter((m): m is ProcessMetrics => m !== null);
  }

  /** SIGTERM to every child (each finishes its deliveries in flight); SIGKILL after `graceMs`. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    await Promise.all(
      this.workers.map(async (w) => {
        clearTimeout(w.restart);
        const c = w.child;
        if (!c || c.exitCode !== null || c.signalCode !== null) return;
        const exited = new Promise<void>((r) => c.once('exit', () => r()));
        c.kill('SIGTERM');
        const t = setTimeout(() => c.kill('SIGKILL'), graceMs);
        await exited;
        clearTimeout(t);
      }),
    );
  }

  private ask(w: Worker): Promise<ProcessMetrics | null> {
    const c = w.child;
    if (!c?.connected) return Promise.resolve(null);
    const id = ++this.nextId;
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.pending.delete(id);
        this.log.warn(
          `delivery worker ${w.index} did not answer a metrics request within ${METRICS_TIMEOUT_MS} ms`,
        );
        resolve(null);
      }, METRICS_TIMEOUT_MS);
      this.pending.set(id, {
        resolve: (m) => {
          clearTimeout(t);
          resolve(m);
        },
      });
      const msg: ToChild = { herald: 'metrics', id };
      c.send(msg, (err) => {
        if (err) this.pending.get(id)?.resolve(null);
      });
    });
  }

  private spawn(w: Worker): void {
    w.startedAt = Date.now();
    let child: ChildProcess;
    try {
      child = (this.opts.spawn ?? forkSelf)(workerEnvironment(w.index, this.opts.nodeId));
    } catch (e) {
      // fork throws for the errors it does not defer (EPERM, ENOMEM): a child still to be had, not a crash.
      return this.restartLater(w, `could not be started (${(e as Error).message})`);
    }
    w.child = child;
    child.on('message', (m: FromChild) => {
      if (m?.herald === 'ready') {
        this.log.log(`delivery worker ${w.index} started (pid ${child.pid})`);
        w.ready = true;
        for (const f of this.readyWaiters.splice(0)) f();
      } else if (m?.herald === 'metrics') {
        const p = this.pending.get(m.id);
        this.pending.delete(m.id);
        p?.resolve(m.metrics);
      }
    });
    // 'exit' may or may not follow an 'error' (Node's docs): a child that never got a pid (EAGAIN,
    // EMFILE) is gone at its error; either event retires it once.
    const gone = (why: string) => {
      if (w.child !== child) return;
      w.child = undefined;
      this.restartLater(w, why);
    };
    child.on('error', (e) => {
      this.log.error(`delivery worker ${w.index}: ${e.message}`);
      if (child.pid === undefined) gone(`could not be started (${e.message})`);
    });
    child.on('exit', (code, signal) => gone(`(pid ${child.pid}) exited (${signal ?? `code ${code}`})`));
  }

  private restartLater(w: Worker, why: string): void {
    if (this.stopping) return;
    w.failures = Date.now() - w.startedAt >= HEALTHY_RUN_MS ? 0 : w.failures + 1;
    const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** Math.max(0, w.failures - 1));
    this.log.error(`delivery worker ${w.index} ${why}; restarting it in ${delay} ms`);
    this.opts.onRestart?.();
    w.restart = setTimeout(() => this.spawn(w), delay);
  }
}

/**
 * A child's side of the IPC channel: tells the first process it is ready, answers its metrics requests,
 * and stops (`shutdown`) when the channel closes — the first process exited, however it exited.
 */
export function serveAsWorker(registry: () => Promise<ProcessMetrics>, shutdown: () => void): void {
  if (!process.send) return;
  process.on('message', (m: ToChild) => {
    if (m?.herald !== 'metrics') return;
    void registry().then(
      (metrics) => process.send?.({ herald: 'metrics', id: m.id, metrics } satisfies FromChild),
      () => process.send?.({ herald: 'metrics', id: m.id, metrics: [] } satisfies FromChild),
    );
  });
  process.once('disconnect', shutdown);
  process.send({ herald: 'ready' } satisfies FromChild);
}
