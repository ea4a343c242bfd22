import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger, type LoggerService } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { HeraldConfig } from '@herald/config';
import { FailoverDeliveryQueue, MemoryDeliveryQueue, type DeliveryQueue } from '@herald/delivery';
import { ConfigError } from '@herald/domain';
import { createHeraldLogger, PinoNestLogger, type HeraldMetrics } from '@herald/observability';
import type { Logger as PinoLogger } from 'pino';
import { createApp, type CreateAppOptions } from '../bootstrap';
import { DELIVERY_QUEUE } from '../delivery/delivery.tokens';
import { FlushScheduler } from '../flush/flush.scheduler';
import { HERALD_METRICS } from '../metrics/metrics.tokens';
import { changedSections, configFingerprint, restartOnlyChange } from './config-diff';
import { HttpHost, type HttpGeneration } from './http-host';
import type { NodeLifecycle, NodePhase, ReloadOutcome, ReloadTrigger } from './lifecycle.tokens';
import { NodeState } from './node-state';
import { configHash, registerReloadMetrics, type ReloadStats } from './reload-metrics';

/** How long a retired application's requests may take to finish before it is closed anyway. */
const DRAIN_MS = 10_000;
/** Bound on the whole shutdown of the process's HTTP side after the application closed. */
const SERVER_CLOSE_MS = 5_000;

export interface HeraldNodeOptions {
  /** Reads the config again for a reload (main: the file named by HERALD_CONFIG and the environment). */
  load: () => HeraldConfig;
  /** Passed to every `createApp` (tests: their logger; main: none, so pino). */
  app?: Pick<CreateAppOptions, 'logger' | 'requestLog'>;
  /** How long a retired application's requests may take (default 10 s). */
  drainMs?: number;
  /** After a reload put a changed config in force (main: the node's other processes reload too). */
  onReloaded?: () => void;
}

interface Live {
  app: NestFastifyApplication;
  config: HeraldConfig;
  http: HttpGeneration;
  fingerprint: string;
}

/** The memory part of a delivery queue (memory mode: the queue itself; Redis mode: its fallback). */
function memoryQueueOf(q: DeliveryQueue): MemoryDeliveryQueue | null {
  if (q instanceof MemoryDeliveryQueue) return q;
  if (q instanceof FailoverDeliveryQueue) return q.memory;
  return null;
}

/**
 * Nest's start-up chatter (every module and route, ~60 lines): at debug on every build, the first one
 * too; main logs one start-up line instead (`startupLine`).
 */
const BOOT_CONTEXTS = new Set([
  'InstanceLoader',
  'RoutesResolver',
  'RouterExplorer',
  'NestFactory',
  'NestApplication',
]);

/** `logger` with Nest's start-up lines at debug: a start or reload logs its own one line, not a whole boot. */
function quietBoot(logger: PinoNestLogger): LoggerService {
  return {
    log: (message: unknown, ...params: unknown[]) =>
      BOOT_CONTEXTS.has(params[params.length - 1] as string)
        ? logger.debug(message, ...params)
        : logger.log(message, ...params),
    error: logger.error,
    warn: logger.warn,
    debug: logger.debug,
    verbose: logger.verbose,
    fatal: logger.fatal,
  };
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * A Herald process: one listening socket (`HttpHost`) and the live Nest application behind it, rebuilt
 * in-process on a config reload (`POST /-/reload`, SIGHUP) without dropping the socket.
 *
 * A reload re-reads the config; an unchanged one is a no-op, an invalid one (or one changing a setting
 * that needs a restart) is refused naming the field and the old config stays in force. Otherwise a new
 * application is built and initialized beside the live one (not listening), the socket's handler is
 * swapped to it in one step, and the old one is retired in the background: its flush ticks stop, its
 * requests in flight finish, the notifications its memory delivery queue still holds move to the new
 * queue, then it closes. What must survive the swap lives in the `NodeState`, not in the application:
 * the store layer (groups, due timers, the notification log — in Redis or, without Redis or during an
 * outage, in the memory stores), the metrics registry. So unchanged routes keep their groups, timers
 * and notification log, and nothing is sent again (Alertmanager issues #2492, #3407).
 */
export class HeraldNode implements NodeLifecycle {
  readonly state = new NodeState();
  readonly host: HttpHost;
  private phaseNow: NodePhase = 'starting';
  private live?: Live;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly retiring = new Set<Promise<void>>();
  private stopping?: Promise<void>;
  private readonly log = new Logger('Lifecycle');
  private readonly stats: ReloadStats = {
    successful: false,
    successAt: 0,
    hash: 0,
    counts: { reloaded: 0, unchanged: 0, failed: 0 },
  };

  /** main: one pino root for the process (its level follows herald.log_level over reloads). */
  private pino?: PinoLogger;

  constructor(private readonly opts: HeraldNodeOptions) {
    this.host = new HttpHost((req, res) => this.notServing(req, res));
  }

  /** Logging of the next application: the caller's (tests), else the process's pino root. */
  private appLogging(config: HeraldConfig): Pick<CreateAppOptions, 'logger' | 'requestLog'> {
    if (this.opts.app?.logger !== undefined) return this.opts.app;
    this.pino ??= createHeraldLogger({
      level: config.herald.logLevel,
      nodeId: config.herald.nodeId,
      pretty: process.stdout.isTTY,
    });
    const nest = new PinoNestLogger(this.pino);
    return { logger: quietBoot(nest), requestLog: this.opts.app?.requestLog ?? this.pino };
  }

  get phase(): NodePhase {
    return this.phaseNow;
  }

  /** The live application (after `start`). */
  get app(): NestFastifyApplication {
    if (!this.live) throw new Error('HeraldNode: not started');
    return this.live.app;
  }

  /** The config in force. */
  get config(): HeraldConfig {
    if (!this.live) throw new Error('HeraldNode: not started');
    return this.live.config;
  }

  /** The process's metrics (one registry over reloads). */
  get metrics(): HeraldMetrics {
    return this.app.get<HeraldMetrics>(HERALD_METRICS);
  }

  /**
   * Listens on the config's address, then builds the first application; requests meanwhile get 503.
   * `until` (main: the node's other processes started) holds the start until it settles as well.
   */
  async start(
    config: HeraldConfig,
    listen?: { port: number; host: string },
    until?: Promise<unknown>,
  ): Promise<AddressInfo> {
    const address = await this.host.listen(
      listen?.port ?? config.herald.port,
      listen?.host ?? config.herald.listenAddress,
    );
    try {
      const [live] = await Promise.all([this.build(config), until]);
      this.swap(live);
    } catch (e) {
      await this.host.close();
      throw e;
    }
    this.stats.successful = true;
    this.stats.successAt = Date.now() / 1000;
    this.stats.hash = configHash(config.original);
    this.phaseNow = 'serving';
    return address;
  }

  /** Re-reads and applies the config; one at a time (a second call waits for the first). */
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    const run = this.chain.then(() => this.runReload(trigger));
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Graceful stop: no new connections, requests finish, the application closes, kept state is released. */
  shutdown(): Promise<void> {
    this.stopping ??= this.stop();
    return this.stopping;
  }

  private async stop(): Promise<void> {
    this.phaseNow = 'stopping';
    await this.chain; // a reload in progress finishes first
    const closed = this.host.close();
    const live = this.live;
    if (live) {
      await live.http.drained(this.opts.drainMs ?? DRAIN_MS);
      await live.app.close().catch((e: unknown) => this.log.warn(`closing the application: ${message(e)}`));
    }
    await Promise.all(this.retiring);
    await this.state.close();
    // Keep-alive connections still open after their last answer must not hold the exit.
    await Promise.race([closed, new Promise((r) => setTimeout(r, SERVER_CLOSE_MS).unref())]);
    this.host.server.closeAllConnections();
  }

  private async runReload(trigger: ReloadTrigger): Promise<ReloadOutcome> {
    if (this.phaseNow !== 'serving' || !this.live) {
      const why = this.phaseNow === 'stopping' ? 'the node is shutting down' : 'the node is still starting';
      return this.refused(trigger, 503, 'reload', `failed to reload config: ${why}`);
    }
    // A retirement still moving notifications to the live application must finish before it is retired.
    await Promise.all(this.retiring);
    const current = this.live;
    let next: HeraldConfig;
    try {
      next = this.opts.load();
    } catch (e) {
      const field = e instanceof ConfigError ? e.path : 'config';
      return this.refused(trigger, 400, field, `failed to reload config: ${message(e)}`);
    }
    if (configFingerprint(next) === current.fingerprint) {
      this.stats.successful = true;
      this.stats.successAt = Date.now() / 1000;
      this.stats.counts.unchanged++;
      this.log.log(`config reload (${trigger}): ${next.source} unchanged, nothing to do`);
      return { ok: true, changed: false, sections: [], source: next.source };
    }
    const field = restartOnlyChange(current.config, next);
    if (field) {
      return this.refused(
        trigger,
        400,
        field,
        `failed to reload config: ${field}: changing it needs a restart; the node keeps its current config`,
      );
    }
    let built: Live;
    try {
      built = await this.build(next);
    } catch (e) {
      return this.refused(trigger, 500, 'config', `failed to reload config: ${message(e)}`);
    }
    const sections = changedSections(current.config, next);
    this.swap(built);
    this.stats.successful = true;
    this.stats.successAt = Date.now() / 1000;
    this.stats.hash = configHash(next.original);
    this.stats.counts.reloaded++;
    this.log.log(
      `config reloaded (${trigger}) from ${next.source}: changed ${sections.join(', ') || 'formatting only'}`,
    );
    for (const w of next.warnings) this.log.warn(w);
    this.opts.onReloaded?.();
    return { ok: true, changed: true, sections, source: next.source };
  }

  private refused(
    trigger: ReloadTrigger,
    status: 400 | 500 | 503,
    field: string,
    error: string,
  ): ReloadOutcome {
    this.stats.successful = false;
    this.stats.counts.failed++;
    this.log.error(`config reload (${trigger}) refused, the config in force is unchanged: ${error}`);
    return { ok: false, status, field, error };
  }

  /** Builds and initializes an application for `config` on the shared server, not yet receiving requests. */
  private async build(config: HeraldConfig): Promise<Live> {
    const http = this.host.prepare();
    this.state.begin();
    let app: NestFastifyApplication | undefined;
    try {
      app = await createApp(config, {
        ...this.appLogging(config),
        state: this.state,
        lifecycle: this,
        serverFactory: http.serverFactory,
        shutdownHooks: false,
      });
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
    } catch (e) {
      await app?.close().catch(() => undefined);
      await this.state.abort();
      this.host.retire(http);
      throw e;
    }
    return { app, config, http, fingerprint: configFingerprint(config) };
  }

  /** Makes `next` the live application; the previous one is retired in the background. */
  private swap(next: Live): void {
    const { release, retired } = this.state.commit();
    this.host.activate(next.http);
    const prev = this.live;
    this.live = next;
    if (this.pino) this.pino.level = next.config.herald.logLevel;
    registerReloadMetrics(next.app.get<HeraldMetrics>(HERALD_METRICS).registry, () => this.stats);
    if (!prev) {
      void release();
      return;
    }
    if (retired.length) this.log.log(`replaced by the new config: ${retired.join(', ')}`);
    const p: Promise<void> = this.retire(prev, next)
      .then(release)
      .catch((e: unknown) => this.log.warn(`retiring the previous application: ${message(e)}`))
      .finally(() => this.retiring.delete(p));
    this.retiring.add(p);
  }

  private async retire(prev: Live, next: Live): Promise<void> {
    // Its flush ticks stop at once: the new application's scheduler ticks already (claims keep them apart).
    let scheduler: FlushScheduler | undefined;
    try {
      scheduler = prev.app.get(FlushScheduler, { strict: false });
    } catch {
      /* not a scheduler node */
    }
    await scheduler?.onApplicationShutdown();
    if (!(await prev.http.drained(this.opts.drainMs ?? DRAIN_MS)))
      this.log.warn(`previous application still had ${prev.http.inFlight} request(s) in flight; closing it`);
    await this.handOverDeliveries(prev, next);
    await prev.app.close();
    this.host.retire(prev.http);
  }

  /**
   * Notifications the retired application's memory delivery queue still holds (memory mode, or a Redis
   * outage) move to the new application's queue with their progress; sends in flight finish in the old
   * one and their retries follow to the new one. Without this, closing the old queue would drop them.
   */
  private async handOverDeliveries(prev: Live, next: Live): Promise<void> {
    let from: MemoryDeliveryQueue | null = null;
    let to: DeliveryQueue | undefined;
    try {
      from = memoryQueueOf(prev.app.get<DeliveryQueue>(DELIVERY_QUEUE));
      to = next.app.get<DeliveryQueue>(DELIVERY_QUEUE);
    } catch {
      return;
    }
    if (!from || !to) return;
    const held = from.size;
    const { moved, left } = await from.drainTo(to);
    if (held > 0 || left > 0)
      this.log.log(`memory delivery queue handed over: ${moved} moved, ${left} still in flight there`);
    const dead = (await from.counts()).dead;
    if (dead > 0)
      this.log.warn(
        `${dead} dead letter(s) of the memory delivery queue are not kept over the reload (as over a restart)`,
      );
  }

  /** Before the first application is live, and after shutdown: liveness yes, anything else 503. */
  private notServing(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '').split('?')[0];
    const starting = this.phaseNow === 'starting';
    if (path === '/-/healthy') {
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : 'OK');
      return;
    }
    const why = starting ? 'starting' : 'shutting down';
    if (path === '/-/ready') {
      res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(req.method === 'HEAD' ? undefined : `Not ready: ${why}`);
      return;
    }
    const body = JSON.stringify({ error: `the node is ${why}`, field: 'node' });
    res.writeHead(503, {
      'Content-Type': 'application/json; charset=utf-8',
      'Content-Length': Buffer.byteLength(body),
      'Retry-After': '1',
    });
    res.end(body);
  }
}
