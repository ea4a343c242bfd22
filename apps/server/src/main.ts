import { Logger } from '@nestjs/common';
import { ConfigError } from '@herald/domain';
import { loadConfigFromEnvironment, type HeraldConfig } from '@herald/config';
import type { HeraldMetrics } from '@herald/observability';
import { createApp } from './bootstrap';
import { HERALD_METRICS } from './metrics/metrics.tokens';

async function main(): Promise<void> {
  let config: HeraldConfig;
  try {
    config = loadConfigFromEnvironment();
  } catch (e) {
    // A bad config stops start-up with the path of the field at fault, never a stack trace.
    console.error(`herald: invalid configuration: ${e instanceof ConfigError ? e.message : String(e)}`);
    process.exit(2);
  }
  const app = await createApp(config);
  const log = new Logger('Main');
  // A stray rejected promise (e.g. a Redis command timing out in a path that forgot a catch) must not
  // take a node down mid-outage, as Node's default would: log it, count it, keep paging.
  const metrics = app.get<HeraldMetrics>(HERALD_METRICS);
  process.on('unhandledRejection', (reason) => {
    metrics.unhandledRejections.inc();
    log.error(
      `unhandled promise rejection (node keeps running): ${reason instanceof Error ? (reason.stack ?? reason.message) : String(reason)}`,
    );
  });
  for (const w of config.warnings) log.warn(w);
  await app.listen(config.herald.port, config.herald.listenAddress);
  log.log(
    `Herald node ${config.herald.nodeId} listening on ${config.herald.listenAddress}:${config.herald.port} (config: ${config.source})`,
  );
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
