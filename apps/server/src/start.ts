import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@herald/domain';
import {
  ConfigErrors,
  inFileOrder,
  loadConfigFromEnvironment,
  problemLine,
  workerIndexFromEnvironment,
  type HeraldConfig,
} from '@herald/config';
import { HeraldNode } from './lifecycle/herald-node';
import { startupLine } from './lifecycle/startup-line';
import { asFirstProcess, serveAsWorker, WorkerProcesses } from './lifecycle/workers';

/** How long a child process (herald.workers) may take to stop before it is killed. */
const WORKER_STOP_MS = 30_000;
/** How long the first process waits for its children to start before it serves without them. */
const WORKER_READY_MS = 30_000;

/**
 * Starts a node (main.ts loads this module once it has taken SIGHUP away from Node's default).
 * `releaseEarlySighup` drops main's placeholder once the reloading handler is in place.
 */
export async function startNode(releaseEarlySighup: () => void): Promise<void> {
  // herald.workers: a child runs the roles its environment gives it (HERALD_ROLES=delivery); the first
  // process keeps the others, on every load (a reload re-reads the file).
  const child = workerIndexFromEnvironment() > 0;
  const load = child ? loadConfigFromEnvironment : () => asFirstProcess(loadConfigFromEnvironment());
  let config: HeraldConfig;
  try {
    config = load();
  } catch (e) {
    // A bad config stops start-up with every field at fault (path and file:line:col), never a stack trace.
    console.error(`herald: invalid configuration: ${describeConfigError(e)}`);
    process.exit(2);
  }
  const log = new Logger('Main');
  let workers: WorkerProcesses | undefined;
  // Reloads re-read the same sources: the file named by HERALD_CONFIG and the environment.
  const node = new HeraldNode({ load, onReloaded: () => workers?.reload() });
  // SIGHUP reloads the config like POST /-/reload (as Alertmanager); it never ends the process, also
  // while it starts (Node's default for SIGHUP would).
  process.on('SIGHUP', () => {
    log.log('SIGHUP received: reloading the config');
    void node.reload('SIGHUP');
  });
  releaseEarlySighup();
  // A stray rejected promise (e.g. a Redis command timing out in a path that forgot a catch) must not
  // take a node down mid-outage, as Node's default would: log it, count it, keep paging.
  process.on('unhandledRejection', (reason) => {
    try {
      node.metrics.unhandledRejections.inc();
    } catch {
      /* not started yet */
    }
    log.error(
      `unhandled promise rejection (node keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });
  if (!child) for (const w of config.warnings) log.warn(w);
  // A child listens on a loopback port of its own: the node's port is the first process'.
  if (!child && config.herald.workers > 1) {
    // Started first, so they load beside this process rather than after it (deliveries wait for them).
    const w = new WorkerProcesses({
      count: config.herald.workers - 1,
      nodeId: config.herald.nodeId,
      onRestart: () => node.metrics.workerRestarts.inc(),
    });
    workers = w;
    w.start();
  }
  let address: AddressInfo;
  try {
    // Ready (/-/ready) once the node's processes all run: a notification flushed before would wait.
    address = await node.start(
      config,
      child ? { port: 0, host: '127.0.0.1' } : undefined,
      workers?.ready(WORKER_READY_MS),
    );
  } catch (e) {
    await workers?.stop(WORKER_STOP_MS);
    throw e;
  }
  const stop = () => Promise.all([node.shutdown(), workers?.stop(WORKER_STOP_MS)]);
  if (child) {
    serveAsWorker(
      () => node.metrics.registry.getMetricsAsJSON(),
      () => {
        log.log("the node's first process is gone: shutting down");
        void stop().then(() => process.exit(0));
      },
    );
  } else if (workers) {
    const w = workers;
    node.metrics.setPeers(() => w.metrics());
  }
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    // A child gets the signal twice when the whole group is signalled (systemd's control-group kill,
    // Ctrl-C) and its first process passes it on: the second must not end its graceful stop. The
    // first process keeps Node's default for a second one (a second Ctrl-C ends it at once).
    process[child ? 'on' : 'once'](signal, () => {
      log.log(`${signal} received: shutting down`);
      void stop().then(
        () => process.exit(0),
        (e: unknown) => {
          console.error(e);
          process.exit(1);
        },
      );
    });
  }
  // The one start-up line at info (Nest's module and route table is at debug).
  log.log(startupLine(config, address));
}

function describeConfigError(e: unknown): string {
  if (e instanceof ConfigErrors && e.errors.length > 1) {
    return [`${e.errors.length} errors`, ...inFileOrder(e.errors).map((p) => `  ${problemLine(p)}`)].join(
      '\n',
    );
  }
  return e instanceof ConfigError ? e.message : String(e);
}
