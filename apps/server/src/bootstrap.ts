import 'reflect-metadata';
import { ConsoleLogger, type LoggerService } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HeraldConfig } from '@herald/config';
import { AppModule } from './app.module';

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
    logger: opts.logger ?? new ConsoleLogger({ json: !process.stdout.isTTY, prefix: 'herald' }),
    abortOnError: false,
  });
  // Alertmanager's API consumes JSON only; a text/plain body is a client mistake (415), not a string to parse.
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  app.enableShutdownHooks();
  return app;
}
