import 'reflect-metadata';
import { ConsoleLogger, type LoggerService, type LogLevel as NestLogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HeraldConfig, LogLevel } from '@herald/config';
import { setupOpenApi } from './admin/openapi';
import { AppModule } from './app.module';

/** herald.log_level (pino names) → the Nest levels to print. */
export function nestLogLevels(level: LogLevel): NestLogLevel[] {
  const order: NestLogLevel[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];
  const upTo: Record<LogLevel, number> = {
    silent: -1,
    fatal: 0,
    error: 1,
    warn: 2,
    info: 3,
    debug: 4,
    trace: 5,
  };
  return order.slice(0, upTo[level] + 1);
}

export interface CreateAppOptions {
  logger?: LoggerService | false;
}

/**
 * Builds the Nest application on Fastify for a validated config (used by main and by e2e tests).
 * Fastify enforces the body limit (413) and parses JSON; Nest maps its errors to HttpExceptions, which
 * AllExceptionsFilter renders as `{error, field}`.
 */
export async function createApp(
  config: HeraldConfig,
  opts: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({ bodyLimit: config.herald.limits.maxBodyBytes, trustProxy: true });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger:
      opts.logger ??
      new ConsoleLogger({
        json: !process.stdout.isTTY,
        prefix: 'herald',
        logLevels: nestLogLevels(config.herald.logLevel),
      }),
    abortOnError: false,
  });
  // Which node answered: useful behind nginx, and for the cluster tests.
  const nodeId = config.herald.nodeId;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (_req, reply, payload, done) => {
      void reply.header('X-Herald-Node', nodeId);
      done(null, payload);
    });
  // Alertmanager's API consumes JSON only; a text/plain body is a client mistake (415), not a string to parse.
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  setupOpenApi(app);
  app.enableShutdownHooks();
  return app;
}
