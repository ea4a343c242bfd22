import { Logger } from '@nestjs/common';
import { ConfigError } from '@herald/domain';
import { loadConfigFromEnvironment, type HeraldConfig } from '@herald/config';
import { createApp } from './bootstrap';

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
