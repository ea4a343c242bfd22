import { Logger, type LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger as PinoLogger } from 'pino';
import { loadConfig, type HeraldConfig } from '@herald/config';
import { HttpSink, type SinkResponder } from './http-sink';
import { RedisServer, type RedisServerOptions } from './redis-server';
import { createApp } from '../../apps/server/src/bootstrap';

/** A Herald node booted in-process on a free port, from YAML text and env overrides. */
export interface TestNode {
  app: NestFastifyApplication;
  config: HeraldConfig;
  url: string;
  close(): Promise<void>;
}

export interface StartNodeOptions {
  /** Every Nest log line goes here (e.g. a CapturingLogger); default: errors only, on the console. */
  logger?: LoggerService;
  /** The request log (e.g. a RequestLogCapture's). */
  requestLog?: { logger: PinoLogger };
}

export async function startNode(
  yaml: string,
  env: Record<string, string> = {},
  opts: StartNodeOptions = {},
): Promise<TestNode> {
  const config = loadConfig({ env: { PORT: '1', ...env }, fileText: yaml });
  let logger = opts.logger;
  if (!logger) {
    Logger.overrideLogger(process.env.HERALD_TEST_LOGS ? ['log', 'warn', 'error'] : ['error']);
    logger = new Logger();
  }
  const app = await createApp(config, { logger, requestLog: opts.requestLog?.logger });
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

/** The node's `/health/ready` status: `ok`, `degraded`, ... */
export async function readyStatus(node: { url: string }): Promise<string> {
  return (await getJson(`${node.url}/health/ready`)).body.status as string;
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
  opts: StartNodeOptions = {},
): Promise<TestNodeWithRedis> {
  const redis = await RedisServer.start();
  const node = await startNode(yaml, { REDIS_URL: redis.url, ...env }, opts);
  return {
    node,
    redis,
    close: async () => {
      await node.close();
      await redis.stop();
    },
  };
}

/** The e2e stack: a receiver (HTTP sink), a redis-server and a node notifying the sink. */
export interface SinkStack {
  sink: HttpSink;
  redis: RedisServer;
  node: TestNode;
  close(): Promise<void>;
}

/** Redis with an append-only file fsynced on every write: a killed server restarts with its state. */
export const AOF: RedisServerOptions = { args: ['--appendonly', 'yes', '--appendfsync', 'always'] };

/**
 * Starts the e2e stack: `yaml(sink.url)` is the node's config; `respond` the sink's answers;
 * `redis` the redis-server's options (e.g. AOF). `close()` stops node, sink and Redis in that order.
 */
export async function startSinkStack(
  yaml: (sinkUrl: string) => string,
  o: { env?: Record<string, string>; redis?: RedisServerOptions; respond?: SinkResponder } = {},
): Promise<SinkStack> {
  const redis = await RedisServer.start(o.redis);
  const sink = await HttpSink.start();
  if (o.respond !== undefined) sink.respond(o.respond);
  const node = await startNode(yaml(sink.url), { REDIS_URL: redis.url, ...o.env });
  return {
    sink,
    redis,
    node,
    close: async () => {
      await node.close();
      await sink.stop();
      await redis.stop();
    },
  };
}

/** `n` firing alerts `${prefix}0`…, one group each with `group_by: [alertname]`, started a second ago. */
export function alertBatch(prefix: string, n: number, o: { endsAt?: string } = {}) {
  return Array.from({ length: n }, (_, i) => ({
    labels: { alertname: `${prefix}${i}` },
    startsAt: new Date(Date.now() - 1000).toISOString(),
    ...(o.endsAt ? { endsAt: o.endsAt } : {}),
  }));
}

/** Two nodes (`n1`, `n2`) of one cluster on a fresh redis-server; `close()` stops all three. */
export interface TwoNodes {
  redis: RedisServer;
  n1: TestNode;
  n2: TestNode;
  close(): Promise<void>;
}

export async function startTwoNodes(yaml: string, opts: StartNodeOptions = {}): Promise<TwoNodes> {
  const first = await startNodeWithRedis(yaml, { HERALD_NODE_ID: 'n1' }, opts);
  const n2 = await startNode(yaml, { REDIS_URL: first.redis.url, HERALD_NODE_ID: 'n2' }, opts);
  return {
    redis: first.redis,
    n1: first.node,
    n2,
    close: async () => {
      await n2.close();
      await first.close();
    },
  };
}

/**
 * The value of one sample of a node's `/metrics` (`name{labels}` exactly as exposed, e.g.
 * `herald_notifications_suppressed_total{reason="silence"}`); 0 when the node has not exposed it yet.
 */
export async function metricSample(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}
