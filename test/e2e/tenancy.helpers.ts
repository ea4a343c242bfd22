import type { LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { Redis } from 'ioredis';
import { loadConfig } from '@herald/config';
import { createApp } from '../../apps/server/src/bootstrap';

/** Every line any Nest logger wrote, as `level [context] message`. */
export class CapturingLogger implements LoggerService {
  readonly lines: string[] = [];
  private add(level: string, message: unknown, params: unknown[]): void {
    const context =
      typeof params[params.length - 1] === 'string' ? (params[params.length - 1] as string) : '';
    const rest = params.slice(0, -1).map((p) => (typeof p === 'string' ? p : JSON.stringify(p)));
    this.lines.push(
      `${level} [${context}] ${typeof message === 'string' ? message : JSON.stringify(message)} ${rest.join(' ')}`,
    );
    if (process.env.HERALD_TEST_LOGS) console.log(this.lines[this.lines.length - 1]);
  }
  log(m: unknown, ...p: unknown[]): void {
    this.add('log', m, p);
  }
  error(m: unknown, ...p: unknown[]): void {
    this.add('error', m, p);
  }
  warn(m: unknown, ...p: unknown[]): void {
    this.add('warn', m, p);
  }
  debug(m: unknown, ...p: unknown[]): void {
    this.add('debug', m, p);
  }
  verbose(m: unknown, ...p: unknown[]): void {
    this.add('verbose', m, p);
  }
}

/** A node booted in-process with a capturing logger. */
export interface Node {
  app: NestFastifyApplication;
  url: string;
}

export async function startCapturedNode(
  yaml: string,
  env: Record<string, string>,
  logger: CapturingLogger,
): Promise<Node> {
  const config = loadConfig({ env: { PORT: '1', ...env }, fileText: yaml });
  const app = await createApp(config, { logger });
  await app.listen(0, '127.0.0.1');
  const addr = app.getHttpServer().address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  return { app, url: `http://127.0.0.1:${port}` };
}

/** A response as the tests see it; every one is kept so the secret scan can read them all. */
export interface Res {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** HTTP client recording every response body. */
export class Client {
  readonly bodies: string[] = [];

  async call(
    method: string,
    url: string,
    opts: { token?: string; auth?: string; body?: unknown; ip?: string } = {},
  ): Promise<Res> {
    const headers: Record<string, string> = {};
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.auth) headers.authorization = opts.auth;
    if (opts.ip) headers['x-forwarded-for'] = opts.ip;
    const res = await fetch(url, {
      method,
      headers,
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    this.bodies.push(text);
    let body: unknown = text;
    try {
      body = text ? JSON.parse(text) : '';
    } catch {
      /* keep text */
    }
    return { status: res.status, body, text, headers: res.headers };
  }
}

/** Every key and value in Redis (SCAN, never KEYS), as one string to search. */
export async function dumpRedis(url: string): Promise<string> {
  const r = new Redis(url);
  const out: string[] = [];
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'COUNT', 1000);
      cursor = next;
      for (const k of keys) {
        out.push(k);
        const type = await r.type(k);
        if (type === 'string') out.push(String(await r.get(k)));
        else if (type === 'hash') out.push(JSON.stringify(await r.hgetall(k)));
        else if (type === 'zset') out.push(JSON.stringify(await r.zrange(k, '0', '-1', 'WITHSCORES')));
        else if (type === 'set') out.push(JSON.stringify(await r.smembers(k)));
        else if (type === 'list') out.push(JSON.stringify(await r.lrange(k, 0, -1)));
        else out.push(`<${type}>`);
      }
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
  return out.join('\n');
}
