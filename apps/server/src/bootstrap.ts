import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  Module,
  type DynamicModule,
  type LoggerService,
  type LogLevel as NestLogLevel,
} from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HeraldConfig, LogLevel } from '@herald/config';
import { createHeraldLogger, PinoNestLogger, type HeraldMetrics } from '@herald/observability';
import type { Logger as PinoLogger } from 'pino';
import type { AuthedRequest } from './auth/credentials';
import { HERALD_METRICS } from './metrics/metrics.tokens';
import { setupOpenApi } from './admin/openapi';
import { AppModule } from './app.module';
import { LifecycleModule } from './lifecycle/lifecycle.module';
import type { NodeLifecycle } from './lifecycle/lifecycle.tokens';
import type { NodeState } from './lifecycle/node-state';

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
  /**
   * Where request logs go (pino). Default: the node's pino logger when `logger` is not given (main),
   * none when it is (tests pass their own logger); `false` turns them off.
   */
  requestLog?: PinoLogger | false;
  /**
   * The process's carry-over across config reloads (main's `HeraldNode`): memory stores, the store
   * layer and metrics are kept there instead of in the application. Absent: the application owns all.
   */
  state?: NodeState;
  /** The process's lifecycle behind `/-/ready` and `/-/reload` (main's `HeraldNode`). */
  lifecycle?: NodeLifecycle;
  /**
   * Fastify's `serverFactory`: the application is built on a server it does not own (main's shared
   * socket, kept across reloads); it is then `init()`ed, never `listen()`ed.
   */
  serverFactory?: (handler: (req: IncomingMessage, res: ServerResponse) => void) => Server;
  /** Close on SIGTERM/SIGINT (Nest's shutdown hooks). Default true; main's `HeraldNode` handles signals itself. */
  shutdownHooks?: boolean;
}

/** A client's `X-Request-Id` when it is a sane token, else a fresh UUID. */
export function requestId(header: string | string[] | undefined): string {
  const h = Array.isArray(header) ? header[0] : header;
  return h && /^[A-Za-z0-9._:@/+=-]{1,128}$/.test(h) ? h : randomUUID();
}

/**
 * Node's HTTP parser refused the request (malformed request line or headers, headers over 16 KiB, …):
 * 431 for oversized headers, else 400, as `{error, field}` like every other client error. Found by
 * `npm run fuzz` (Fastify's default body is `{error, message, statusCode}`).
 */
export function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
  const status = tooLarge ? 431 : 400;
  const body = JSON.stringify(
    tooLarge
      ? { error: 'request headers are too large', field: 'headers' }
      : { error: `malformed HTTP request (${err.code ?? 'parse error'})`, field: 'request' },
  );
  socket.end(
    `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
      `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

/**
 * Fastify's own errors before routing (e.g. FST_ERR_BAD_URL for `/%`), in the `{error, field}` shape.
 * Written to the raw response: the reply's generic types differ between the two Fastify copies
 * (ours and @nestjs/platform-fastify's), so the handler is passed untyped.
 */
function frameworkErrors(
  err: { message: string; code?: string },
  _req: unknown,
  reply: { raw: ServerResponse },
): void {
  const body = JSON.stringify({
    error: `malformed request: ${err.message}`,
    field: err.code === 'FST_ERR_BAD_URL' ? 'url' : 'request',
  });
  reply.raw.writeHead(400, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
  });
  reply.raw.end(body);
}

/** Probes and scrapes log at debug, so they do not drown the request log (Alertmanager's `/-/…` too). */
const QUIET_ROUTES = new Set(['/metrics', '/health/live', '/health/ready', '/-/healthy', '/-/ready']);
/**
 * Ingest endpoints: Prometheus posts to them from every server every evaluation interval. An accepted
 * request logs at debug (an info line per request cost ~5 % of ingest CPU in the benchmark and said
 * nothing `herald_ingest_requests_total` does not); a refused one (4xx) still logs at info.
 */
const INGEST_ROUTES = new Set(['/api/v2/alerts', '/api/v1/webhooks/alertmanager']);

/** The request log level of a completed request. */
export function requestLogLevel(method: string, route: string, status: number): 'error' | 'info' | 'debug' {
  if (status >= 500) return 'error';
  if (QUIET_ROUTES.has(route)) return 'debug';
  if (status < 400 && method === 'POST' && INGEST_ROUTES.has(route)) return 'debug';
  return 'info';
}

/** The path of a request URL without its query string (which may carry filters or tokens). */
export function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

/**
 * Fastify's `trustProxy` for `herald.http.trusted_proxies`: the CIDRs of the proxies whose
 * X-Forwarded-For is believed (Fastify then takes the rightmost untrusted address as `req.ip`), or
 * `false` to trust nobody. Never `true`: that takes the leftmost entry, which the client writes.
 */
export function trustProxyOption(trustedProxies: readonly string[]): string[] | false {
  return trustedProxies.length ? [...trustedProxies] : false;
}

/**
 * CORS on Alertmanager's API v2 (`/api/v2/*`) as Alertmanager answers it (rs/cors' defaults, recorded
 * from Alertmanager 0.25): any origin, no credentials, a preflight answered 200 with an empty body, the
 * requested method and headers echoed only when allowed (a refused preflight gets no `Allow-*` headers
 * and the browser blocks the call), `Vary: Origin` on every answer. Herald also allows `DELETE` (the
 * API's `DELETE /silence/{id}`, which rs/cors' default method list leaves out) and `Authorization`
 * (Herald's API takes tenant keys; Alertmanager has no auth). No `Allow-Credentials`: a browser never
 * sends cookies cross-origin.
 */
export const CORS_METHODS: readonly string[] = ['GET', 'POST', 'HEAD', 'DELETE'];
export const CORS_HEADERS: readonly string[] = [
  'accept',
  'authorization',
  'content-type',
  'origin',
  'x-requested-with',
];
/** A preflight lists a few headers; a longer list is refused rather than echoed. */
const CORS_MAX_REQUEST_HEADERS = 32;

/** The paths CORS applies to: Alertmanager's API v2. */
export function isCorsPath(url: string): boolean {
  const path = pathOf(url);
  return path === '/api/v2' || path.startsWith('/api/v2/');
}

/** `x-requested-with` → `X-Requested-With`, as Go's CanonicalHeaderKey (what rs/cors echoes). */
function canonicalHeader(h: string): string {
  return h.toLowerCase().replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}

function firstHeader(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}

/**
 * The CORS headers for a request to `/api/v2/*`, and whether it is a preflight (OPTIONS with `Origin`
 * and `Access-Control-Request-Method`), which is answered at once.
 */
export function corsAnswer(
  method: string,
  headers: IncomingHttpHeaders,
): { preflight: boolean; headers: Record<string, string> } {
  const origin = firstHeader(headers.origin);
  const reqMethod = firstHeader(headers['access-control-request-method']);
  if (method === 'OPTIONS' && origin !== undefined && reqMethod !== undefined) {
    const out: Record<string, string> = {
      Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
    };
    const m = reqMethod.trim().toUpperCase();
    const requested = (firstHeader(headers['access-control-request-headers']) ?? '')
      .split(',')
      .map((h) => h.trim())
      .filter((h) => h !== '');
    const headersOk =
      requested.length <= CORS_MAX_REQUEST_HEADERS &&
      requested.every((h) => CORS_HEADERS.includes(h.toLowerCase()));
    if (CORS_METHODS.includes(m) && headersOk) {
      out['Access-Control-Allow-Origin'] = '*';
      out['Access-Control-Allow-Methods'] = m;
      if (requested.length) out['Access-Control-Allow-Headers'] = requested.map(canonicalHeader).join(', ');
    }
    return { preflight: true, headers: out };
  }
  const out: Record<string, string> = { Vary: 'Origin' };
  if (origin !== undefined) out['Access-Control-Allow-Origin'] = '*';
  return { preflight: false, headers: out };
}

/** Root of an application built by main's `HeraldNode`: AppModule beside the process-level objects. */
@Module({})
class HeraldNodeRoot {}

function rootModule(config: HeraldConfig, opts: CreateAppOptions): DynamicModule {
  const app = AppModule.forRoot(config);
  if (!opts.state && !opts.lifecycle) return app;
  return { module: HeraldNodeRoot, imports: [LifecycleModule.forRoot(opts.state, opts.lifecycle), app] };
}

/**
 * Builds the Nest application on Fastify for a validated config (used by main and by e2e tests).
 * Fastify enforces the body limit (413) and parses JSON — the only body type Herald takes (415
 * otherwise); Nest maps its errors to HttpExceptions, which AllExceptionsFilter renders as `{error, field}`.
 */
export async function createApp(
  config: HeraldConfig,
  opts: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.herald.limits.maxBodyBytes,
    // The client address (login limiter, audit, logs) is what the trusted proxy chain gives.
    trustProxy: trustProxyOption(config.herald.http.trustedProxies),
    // `__proto__` is a valid label and annotation name: keep it as an own property (JSON.parse does;
    // the domain copies it with setLabel) instead of refusing the whole batch as malformed JSON.
    // Herald never merges request objects into others with assignment, which is where it could bite.
    onProtoPoisoning: 'ignore',
    // `constructor` likewise (a label object `{"constructor": {"prototype": …}}` is refused by label
    // validation, values must be strings); with both ignored Fastify parses with JSON.parse alone, without
    // secure-json-parse's scan of every body (≈ 1.3 % of the node's ingest CPU).
    onConstructorPoisoning: 'ignore',
    genReqId: (req: IncomingMessage) => requestId(req.headers['x-request-id']), // observability (issue 7)
    // Malformed HTTP never reaches a route: answer it in the documented `{error, field}` shape too.
    clientErrorHandler: answerClientError,
    // A URL the router cannot decode (`/%`) fails before any route or Nest filter sees it (fuzz).
    frameworkErrors: frameworkErrors as never,
    ...(opts.serverFactory ? { serverFactory: opts.serverFactory as never } : {}),
  });
  // observability (issue 7): JSON lines via pino (pretty in a TTY) with the node id; herald.log_level.
  const pinoRoot =
    opts.logger === undefined || opts.requestLog === undefined
      ? createHeraldLogger({
          level: config.herald.logLevel,
          nodeId: config.herald.nodeId,
          pretty: process.stdout.isTTY,
        })
      : null;
  const app = await NestFactory.create<NestFastifyApplication>(rootModule(config, opts), adapter, {
    logger: opts.logger ?? new PinoNestLogger(pinoRoot!),
    abortOnError: false,
    // Nest would add an application/x-www-form-urlencoded parser (a form body then reached the handlers
    // as an object and got a misleading 400); Fastify's own JSON parser is the only one Herald wants.
    bodyParser: false,
  });
  // CORS on the v2 API (Alertmanager's); a preflight never reaches routing, so any v2 path answers it.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (req, reply, done) => {
      if (!isCorsPath(req.url)) return done();
      const cors = corsAnswer(req.method, req.headers);
      void reply.headers(cors.headers);
      if (!cors.preflight) return done();
      void reply.code(200).send(); // not calling done(): the answer is complete
    });
  // Which node answered: useful behind nginx, and for the cluster tests.
  const nodeId = config.herald.nodeId;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onSend', (req, reply, payload, done) => {
      void reply.header('X-Herald-Node', nodeId);
      void reply.header('X-Request-Id', req.id);
      done(null, payload);
    });
  // observability (issue 7): request latency histogram and one request log line per request.
  const metrics = app.get<HeraldMetrics>(HERALD_METRICS);
  const reqLog = opts.requestLog ?? (opts.logger === undefined ? pinoRoot : null);
  const httpLog = reqLog ? reqLog.child({ context: 'http' }) : null;
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (req, reply, done) => {
      const route = req.routeOptions?.url ?? 'unmatched';
      const status = reply.statusCode;
      metrics.httpDuration.observe(
        { route, method: req.method, status: String(status) },
        reply.elapsedTime / 1000,
      );
      if (httpLog) {
        const level = requestLogLevel(req.method, route, status);
        httpLog[level](
          {
            reqId: req.id,
            tenant: (req as unknown as AuthedRequest).heraldTenant?.tenant,
            method: req.method,
            path: pathOf(req.url),
            route,
            status,
            durationMs: Math.round(reply.elapsedTime * 100) / 100,
            remoteAddress: req.ip,
            userAgent: req.headers['user-agent'],
          },
          'request completed',
        );
      }
      done();
    });
  // A client that closes the connection before the answer is not a server fault: one info line.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequestAbort', (req, done) => {
      httpLog?.info(
        {
          reqId: req.id,
          method: req.method,
          path: pathOf(req.url),
          route: req.routeOptions?.url ?? 'unmatched',
          remoteAddress: req.ip,
        },
        'request aborted by the client',
      );
      done();
    });
  // Alertmanager's API consumes JSON only; a text/plain body is a client mistake (415), not a string to parse.
  app.getHttpAdapter().getInstance().removeContentTypeParser('text/plain');
  setupOpenApi(app);
  if (opts.shutdownHooks !== false) app.enableShutdownHooks();
  return app;
}
