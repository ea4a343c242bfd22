import { Logger } from '@nestjs/common';
import { ConfigError } from '@herald/domain';
import {
  ConfigErrors,
  inFileOrder,
  loadConfigFromEnvironment,
  problemLine,
  type HeraldConfig,
} from '@herald/config';
import { HeraldNode } from './lifecycle/herald-node';
import { startupLine } from './lifecycle/startup-line';

/**
 * Starts a node (main.ts loads this module once it has taken SIGHUP away from Node's default).
 * `releaseEarlySighup` drops main's placeholder once the reloading handler is in place.
 */
export async function startNode(releaseEarlySighup: () => void): Promise<void> {
  let config: HeraldConfig;
  try {
    config = loadConfigFromEnvironment();
  } catch (e) {
    // A bad config stops start-up with every field at fault (path and file:line:col), never a stack trace.
    console.error(`herald: invalid configuration: ${describeConfigError(e)}`);
    process.exit(2);
  }
  const log = new Logger('Main');
  // Reloads re-read the same sources: the file named by HERALD_CONFIG and the environment.
  const node = new HeraldNode({ load: loadConfigFromEnvironment });
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
  for (const w of config.warnings) log.warn(w);
  const address = await node.start(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      log.log(`${signal} received: shutting down`);
      void node.shutdown().then(
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
