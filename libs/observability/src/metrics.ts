import {
  AggregatorRegistry,
  collectDefaultMetrics,
  Counter,
  Gauge,
  Histogram,
  Registry,
  type MetricObjectWithValues,
  type MetricValue,
} from 'prom-client';
import { alertmanagerVersionInfo, buildInfo } from './build-info';

/** Queue depth as the delivery queue reports it (`DeliveryQueue.counts()`). */
export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  dead: number;
}

/** Group/alert counts by state, as sampled from the group store. */
export interface StateCounts {
  alerts: { firing: number; resolved: number };
  groups: { firing: number; recovery: number };
}

/** Sources read on scrape; each may be absent (memory mode, not started yet). */
export interface ScrapeSources {
  /** Null when this node runs no delivery queue (its roles): `herald_queue_jobs` then has no samples. */
  queue?: () => Promise<QueueCounts | null>;
  states?: () => Promise<StateCounts>;
  /** PING round trip in seconds, or null when Redis is not reachable / not configured. */
  redisPing?: () => Promise<number | null>;
  /** True while the node serves from its in-memory fallback (or has no Redis at all). */
  fallbackActive?: () => boolean;
  /** Alert writes the memory → Redis merge skipped because Redis refused them (a running total). */
  mergeSkipped?: () => number;
  /** Silences of every configured tenant by state (nodes serving the API). */
  silences?: () => Promise<{ active: number; pending: number; expired: number }>;
}

export interface HeraldMetricsOptions {
  nodeId: string;
  version: string;
  /**
   * Collect prom-client's process and Node.js metrics under their standard names (`process_*`, `nodejs_*`,
   * no prefix) so stock Node.js/Prometheus dashboards find them; Herald's own are `herald_*`. Default true.
   */
  defaultMetrics?: boolean;
}

/** Node's `process.arch` in Go's `GOARCH` names (Alertmanager's build info labels). */
const GOARCH: Readonly<Record<string, string>> = { x64: 'amd64', ia32: '386', arm64: 'arm64', arm: 'arm' };

/** Lower-cardinality lock label from a full lock key: `herald:lock:group:t:{id}` → `group`. */
export function lockKind(resource: string): string {
  const m = /:lock:([a-z_-]+)/i.exec(resource);
  return m ? m[1] : 'other';
}

/** One process' registry as `Registry.getMetricsAsJSON` gives it. */
export type ProcessMetrics = MetricObjectWithValues<MetricValue<string>>[];

/**
 * The registries of one node's processes (its own first) as one: counters and histograms add up, as
 * prom-client's cluster aggregation does; Herald's gauges are state every process reads from the same
 * place (Redis, the config, the build) and are taken from the first process that has the sample, so they
 * are not counted once per process — except `herald_node_info` (one series per process, by node id)
 * and `herald_redis_fallback_active` (1 when any process is on its memory fallback).
 */
export function mergeProcessMetrics(processes: readonly ProcessMetrics[]): Registry {
  const shared = (m: ProcessMetrics[number]): ProcessMetrics[number] => {
    // prom-client's typings declare `type` a numeric enum; the JSON carries the exposition's name.
    if (String(m.type) !== 'gauge' || m.aggregator !== 'sum' || !/^(herald|alertmanager)_/.test(m.name))
      return m;
    if (m.name === 'herald_node_info') return m;
    return { ...m, aggregator: m.name === 'herald_redis_fallback_active' ? 'max' : 'first' };
  };
  return AggregatorRegistry.aggregate(processes.map((p) => p.map(shared)));
}

/**
 * Herald's Prometheus metrics, on a registry of their own (one per app instance: tests boot several
 * nodes in one process, and the global default registry would collide). The `node` label comes from
 * the scrape target, not from here; `herald_node_info` carries the node id once.
 */
export class HeraldMetrics {
  readonly registry = new Registry();
  private sources: ScrapeSources = {};
  private peers?: () => Promise<ProcessMetrics[]>;

  readonly ingestRequests = this.counter(
    'herald_ingest_requests_total',
    'Ingest requests by tenant, endpoint and outcome (ok, invalid, too_large, store_full, limited, error).',
    ['tenant', 'endpoint', 'outcome'],
  );
  readonly ingestAlerts = this.counter(
    'herald_ingest_alerts_total',
    'Alerts received by tenant and outcome (accepted, rejected, limited: refused by a tenant limit).',
    ['tenant', 'outcome'],
  );
  readonly tenantLimitHits = this.counter(
    'herald_tenant_limit_hits_total',
    'Ingest requests a tenant limit refused (wholly or in part), by tenant and limit (Mimir names: ingestion_rate, alertmanager_max_alerts_count, alertmanager_max_dispatcher_aggregation_groups).',
    ['tenant', 'limit'],
  );
  readonly httpDuration = this.histogram(
    'herald_http_request_duration_seconds',
    'HTTP request latency by route pattern, method and status.',
    [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    ['route', 'method', 'status'],
  );
  readonly flushTotal = this.counter(
    'herald_flush_total',
    'Flushes of group halves by outcome (notified, skipped, failed).',
    ['outcome'],
  );
  readonly flushDuration = this.histogram(
    'herald_flush_duration_seconds',
    'Duration of one scheduler tick that claimed at least one due group.',
    [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  );
  readonly notificationsSuppressed = this.counter(
    'herald_notifications_suppressed_total',
    "Alerts taken out of flushes by the pipeline's filtering stages, by reason (Alertmanager's: inhibition, active_time_interval, mute_time_interval, silence); counted per flush of a group half.",
    ['reason'],
  );
  readonly notifications = this.counter(
    'herald_notifications_total',
    'Notifications by receiver and outcome (delivered, dead, unsupported, superseded); reason is the failure reason of dead letters.',
    ['receiver', 'outcome', 'reason'],
  );
  readonly deliveryStalled = this.counter(
    'herald_delivery_jobs_stalled_total',
    'Delivery jobs found stalled by this node: the node sending one stopped mid-attempt (killed, or paused past herald.delivery.stalled_timeout); the job runs again.',
    ['receiver'],
  );
  readonly notificationRequests = this.counter(
    'herald_notification_requests_total',
    "Send attempts per integration kind (Alertmanager's alertmanager_notification_requests_total), every retry included.",
    ['integration'],
  );
  readonly notificationRequestsFailed = this.counter(
    'herald_notification_requests_failed_total',
    "Failed send attempts per integration kind and Alertmanager's reason (clientError, serverError, authError, rateLimited, contextDeadlineExceeded, other); retried=false when the notification was given up on it.",
    ['integration', 'reason', 'retried'],
  );
  readonly workerRestarts = this.counter(
    'herald_worker_restarts_total',
    'Child processes of this node (herald.workers) restarted after they exited by themselves (crashed or killed).',
  );
  readonly unhandledRejections = this.counter(
    'herald_unhandled_rejections_total',
    'Promise rejections nothing handled (logged; the node keeps serving). Any is a bug to report.',
  );
  readonly nflogRefused = this.counter(
    'herald_nflog_writes_refused_total',
    'Notification-log writes refused: stale-fence (the writer held an expired group lock), stale-sequence (logged already).',
    ['reason'],
  );
  readonly historyLost = this.counter(
    'herald_history_writes_lost_total',
    'Notification-history entries not recorded: error (the write failed), busy (too many writes in flight). Sends are never held for them.',
    ['reason'],
  );
  readonly eventErrors = this.counter(
    'herald_events_errors_total',
    'Live-event stream writes or reads that failed (write: events lost; read: the reader retries).',
    ['op'],
  );
  readonly sseClients = new Gauge({
    name: 'herald_sse_clients',
    help: 'Server-Sent Events clients connected to this node (GET /api/v1/events).',
    registers: [this.registry],
  });
  readonly lockAcquisitions = this.counter(
    'herald_lock_acquisitions_total',
    'Distributed locks taken, by lock kind.',
    ['kind'],
  );
  readonly lockContention = this.counter(
    'herald_lock_contention_total',
    'Lock tries that found the lock held by someone else, by lock kind.',
    ['kind'],
  );
  readonly lockLost = this.counter(
    'herald_lock_lost_total',
    'Locks lost while held, by lock kind and reason.',
    ['kind', 'reason'],
  );

  constructor(readonly opts: HeraldMetricsOptions) {
    const sources = () => this.sources;
    // One PING per scrape, shared by herald_redis_up and herald_redis_latency_seconds (collected in
    // parallel); the next scrape pings again, so a Redis that just went down reads 0 at once.
    const ping = singleFlight(async () => {
      const p = sources().redisPing;
      return p ? await p().catch(() => null) : null;
    });
    new Gauge({
      name: 'herald_node_info',
      help: 'Constant 1, labelled with the node id and Herald version.',
      labelNames: ['node_id', 'version'] as const,
      registers: [this.registry],
    }).set({ node_id: opts.nodeId, version: opts.version }, 1);
    const herald = buildInfo();
    new Gauge({
      name: 'herald_build_info',
      help: "Constant 1, labelled with Herald's version, revision, branch and Node.js version.",
      labelNames: ['version', 'revision', 'branch', 'nodeversion'] as const,
      registers: [this.registry],
    }).set(
      {
        version: herald.version,
        revision: herald.revision,
        branch: herald.branch,
        nodeversion: process.versions.node,
      },
      1,
    );
    // Alertmanager's build info with the Alertmanager API version Herald implements: karma reads it from
    // /metrics to pick its API handling. Same values as /api/v2/status versionInfo.
    const am = alertmanagerVersionInfo();
    new Gauge({
      name: 'alertmanager_build_info',
      help: 'Constant 1: version is the Alertmanager release whose API v2 Herald implements (branch names Herald: herald/<version>).',
      labelNames: ['version', 'revision', 'branch', 'goversion', 'goos', 'goarch'] as const,
      registers: [this.registry],
    }).set(
      {
        version: am.version,
        revision: am.revision,
        branch: am.branch,
        goversion: am.goVersion,
        goos: process.platform,
        goarch: GOARCH[process.arch] ?? process.arch,
      },
      1,
    );
    // Gauges by state, sampled on scrape; a source that is absent or fails leaves its gauge without samples.
    const byState = <T>(
      name: string,
      help: string,
      sample: () => Promise<T | null> | undefined,
      values: (t: T) => Record<string, number>,
    ) =>
      new Gauge({
        name,
        help,
        labelNames: ['state'] as const,
        registers: [this.registry],
        async collect() {
          const t = await sample()?.catch(() => null);
          if (!t) return;
          for (const [state, v] of Object.entries(values(t))) this.set({ state }, v);
        },
      });
    byState(
      'herald_alerts',
      'Alerts held in the group store by state (sampled on scrape, cached briefly).',
      () => sources().states?.(),
      (s) => ({ firing: s.alerts.firing, resolved: s.alerts.resolved }),
    );
    byState(
      'herald_groups',
      'Alert groups by state (firing: has firing alerts; recovery: only resolved ones).',
      () => sources().states?.(),
      (s) => ({ firing: s.groups.firing, recovery: s.groups.recovery }),
    );
    byState(
      'herald_silences',
      "Silences by state, all tenants (Alertmanager's alertmanager_silences; expired ones kept for herald.silences.retention).",
      () => sources().silences?.(),
      (c) => ({ active: c.active, pending: c.pending, expired: c.expired }),
    );
    byState(
      'herald_queue_jobs',
      'Delivery queue jobs by state (waiting, active, delayed, dead).',
      () => sources().queue?.(),
      (c) => ({ waiting: c.waiting, active: c.active, delayed: c.delayed, dead: c.dead }),
    );
    new Gauge({
      name: 'herald_redis_up',
      help: '1 when Redis answered PING on this scrape, else 0.',
      registers: [this.registry],
      async collect() {
        this.set((await ping()) === null ? 0 : 1);
      },
    });
    new Gauge({
      name: 'herald_redis_latency_seconds',
      help: 'Round trip of a PING to Redis on this scrape (0 when Redis is down: see herald_redis_up).',
      registers: [this.registry],
      async collect() {
        this.reset();
        const rtt = await ping();
        if (rtt !== null) this.set(rtt);
      },
    });
    new Gauge({
      name: 'herald_redis_fallback_active',
      help: '1 while the node serves from its memory fallback because Redis is down (0 in memory-only mode).',
      registers: [this.registry],
      collect() {
        this.set(sources().fallbackActive?.() ? 1 : 0);
      },
    });
    new Counter({
      name: 'herald_store_merge_skipped_total',
      help: 'Alert writes the memory-to-Redis merge skipped after a Redis outage because Redis refused them (not a connection error); each is logged.',
      registers: [this.registry],
      collect() {
        const n = sources().mergeSkipped?.() ?? 0;
        this.reset();
        if (n > 0) this.inc(n);
      },
    });
    if (opts.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry });
  }

  /** A counter on this node's registry. */
  private counter<L extends string = never>(name: string, help: string, labelNames: readonly L[] = []) {
    return new Counter<L>({ name, help, labelNames, registers: [this.registry] });
  }

  private histogram<L extends string = never>(
    name: string,
    help: string,
    buckets: number[],
    labelNames: readonly L[] = [],
  ) {
    return new Histogram<L>({ name, help, buckets, labelNames, registers: [this.registry] });
  }

  /** Sets (merges) the sources read on scrape. */
  setSources(s: ScrapeSources): void {
    this.sources = { ...this.sources, ...s };
  }

  /** LockManager `metrics` hooks (libs/locks LockMetrics). */
  lockHooks() {
    return {
      acquired: (resource: string) => this.lockAcquisitions.inc({ kind: lockKind(resource) }),
      contended: (resource: string) => this.lockContention.inc({ kind: lockKind(resource) }),
      lost: (resource: string, _heldMs: number, reason: string) =>
        this.lockLost.inc({ kind: lockKind(resource), reason: String(reason) }),
    };
  }

  /** Records one scheduler tick. */
  recordFlush(
    res: {
      claimed: number;
      notified: number;
      skipped: number;
      failed: number;
      suppressed?: Record<string, number | undefined>;
    },
    seconds: number,
  ): void {
    if (res.claimed === 0) return;
    for (const [reason, n] of Object.entries(res.suppressed ?? {}))
      if (n) this.notificationsSuppressed.inc({ reason }, n);
    this.flushDuration.observe(seconds);
    if (res.notified) this.flushTotal.inc({ outcome: 'notified' }, res.notified);
    if (res.skipped) this.flushTotal.inc({ outcome: 'skipped' }, res.skipped);
    if (res.failed) this.flushTotal.inc({ outcome: 'failed' }, res.failed);
  }

  /**
   * `herald.workers`: the node's other processes' registries (`getMetricsAsJSON`), asked for at each
   * scrape, so the node's one /metrics counts what every process did.
   */
  setPeers(peers: (() => Promise<ProcessMetrics[]>) | undefined): void {
    this.peers = peers;
  }

  async metrics(): Promise<string> {
    if (!this.peers) return this.registry.metrics();
    const [own, others] = await Promise.all([this.registry.getMetricsAsJSON(), this.peers()]);
    return mergeProcessMetrics([own, ...others]).metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}

/**
 * Caches an async sampler for `ttlMs` and shares one run between concurrent scrapes. The age is measured
 * on the monotonic clock by default: a TTL must not stretch or shrink when the wall clock is set.
 */
/** Calls made while one is in flight share it; a call after it settled starts a new one. */
export function singleFlight<T>(fn: () => Promise<T>): () => Promise<T> {
  let inFlight: Promise<T> | null = null;
  return () => (inFlight ??= fn().finally(() => (inFlight = null)));
}

export function cached<T>(
  fn: () => Promise<T>,
  ttlMs: number,
  now: () => number = () => performance.now(),
): () => Promise<T> {
  let at = -Infinity;
  let value: Promise<T> | null = null;
  return () => {
    const t = now();
    if (value && t - at < ttlMs) return value;
    at = t;
    value = fn().catch((e: unknown) => {
      value = null;
      throw e;
    });
    return value;
  };
}
