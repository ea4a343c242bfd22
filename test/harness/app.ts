import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { RedisServer } from './redis-server';
import { createApp } from '../../apps/server/src/bootstrap';

/** A Herald node booted in-process on a free port, from YAML text and env overrides. */
export interface TestNode {
  app: NestFastifyApplication;
  config: HeraldConfig;
  url: string;
  close(): Promise<void>;
}

export async function startNode(yaml: string, env: Record<string, string> = {}): Promise<TestNode> {
  const config = loadConfig({ env: { PORT: '1', ...env }, fileText: yaml });
  Logger.overrideLogger(process.env.HERALD_TEST_LOGS ? ['log', 'warn', 'error'] : ['error']);
  const app = await createApp(config, { logger: new Logger() });
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { app, config, url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** POST JSON (or a raw string) and return status + parsed body (or text). */
export async function post(
  url: string,
  body: unknown,
  headers: Record<string, string> = { 'content-type': 'application/json' },
): Promise<{ status: number; body: any }> {
  const res = await fetch(url, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : '';
  } catch {
    /* keep text */
  }
  return { status: res.status, body: parsed };
}

export async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json() };
}

/** A node on its own fresh redis-server; `close()` stops both. */
export interface TestNodeWithRedis {
  node: TestNode;
  redis: RedisServer;
  close(): Promise<void>;
}

export async function startNodeWithRedis(
  yaml: string,
  env: Record<string, string> = {},
): Promise<TestNodeWithRedis> {
  const redis = await RedisServer.start();
  const node = await startNode(yaml, { REDIS_URL: redis.url, ...env });
  return {
    node,
    redis,
    close: async () => {
      await node.close();
      await redis.stop();
    },
  };
}
