import type {
  InclusiveRange,
  Matcher,
  NamedTimeInterval,
  Route,
  RouteConfig,
  TimeInterval,
} from '@herald/domain';
import type { ReceiverKind } from './receivers/kind';
import type { TemplateFile } from './templates';

/**
 * Herald's one typed, validated configuration.
 *
 * The Alertmanager sections (`global`, `route`, `receivers`, `inhibit_rules`, `time_intervals`,
 * `mute_time_intervals`, `templates`) keep Alertmanager's YAML format so an existing alertmanager.yml
 * loads unchanged; Herald's own settings live under `herald:` (snake_case in YAML, camelCase here).
 * Durations are milliseconds, sizes are bytes.
 */
export interface HeraldConfig {
  readonly global: GlobalConfig;
  /** The route section exactly as written (Alertmanager format). */
  readonly route: RouteConfig;
  /** The validated route tree built from `route` by the domain. */
  readonly routeTree: Route;
  readonly receivers: readonly ReceiverConfig[];
  readonly inhibitRules: readonly InhibitRuleConfig[];
  /** `time_intervals` and the legacy `mute_time_intervals` merged; names are unique across both. */
  readonly timeIntervals: readonly TimeIntervalConfig[];
  /** Template file globs as written. */
  readonly templates: readonly string[];
  /** The files they matched, read and parsed at load time (a parse error stops start-up). */
  readonly templateFiles: readonly TemplateFile[];
  readonly herald: HeraldSettings;
  /** Non-fatal findings (e.g. receiver kinds Herald cannot deliver yet); log them at start-up. */
  readonly warnings: readonly string[];
  /** The YAML text as loaded (or the rendered zero-config default), for `/api/v2/status`. */
  readonly original: string;
  /**
   * `original` with secrets (passwords, API keys, tokens, receiver URLs) replaced by `<secret>` and the
   * tenants (ids, names, users, roles) hidden: what `/api/v2/status` serves without authentication.
   */
  readonly originalRedacted: string;
  /** Where the config came from: a file path, `<inline>` or `<default>`. */
  readonly source: string;
  /** Herald's separate settings file (`HERALD_SETTINGS`), when the herald section came from one. */
  readonly settingsSource?: string;
}

/** Alertmanager's `global` section: `resolve_timeout` parsed, everything else kept raw. */
export interface GlobalConfig {
  /** ms; an alert without `endsAt` resolves after this long (default 5m). */
  readonly resolveTimeout: number;
  /** Every global field as written (smtp_*, slack_api_url, http_config, ...). */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** One integration config (e.g. one entry of `webhook_configs`), kept exactly as written. */
export type IntegrationConfig = Readonly<Record<string, unknown>>;

/** One `*_configs` entry of a receiver, checked by its kind (receivers/<kind>.ts). */
export interface IntegrationEntry {
  readonly kind: ReceiverKind;
  /** `pagerduty_configs`. */
  readonly key: string;
  /** Position within the kind's list: the integration is named `<kind>[<index>]`. */
  readonly index: number;
  /** `receivers[2].pagerduty_configs[0]`, for messages. */
  readonly path: string;
  /** The entry as written plus defaults: `send_resolved` (boolean), `http_config` (or global's), global URLs/keys. */
  readonly config: IntegrationConfig;
}

/** A receiver. Known kinds are validated lightly; unknown `*_configs` kinds are kept and reported. */
export interface ReceiverConfig {
  readonly name: string;
  /** Every integration in config order of kinds, each checked and with Alertmanager's defaults applied. */
  readonly integrations: readonly IntegrationEntry[];
  readonly webhookConfigs: readonly IntegrationConfig[];
  readonly slackConfigs: readonly IntegrationConfig[];
  readonly emailConfigs: readonly IntegrationConfig[];
  /** `*_configs` kinds present but not deliverable by Herald yet (e.g. `pagerduty_configs`). */
  readonly unsupportedKinds: readonly string[];
  /** The receiver as written, including unsupported kinds. */
  readonly raw: Readonly<Record<string, unknown>>;
}

/** An inhibition rule; legacy `*_match`/`*_match_re` are folded into the matcher lists. */
export interface InhibitRuleConfig {
  /** Optional name (Alertmanager 0.30), shown where an inhibition is explained. */
  readonly name?: string;
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  /** Label names whose values must be equal in source and target. */
  readonly equal: readonly string[];
}

/**
 * Config names of the domain's time-interval types (`libs/domain/src/timeinterval`): a `time_intervals`
 * / `mute_time_intervals` entry, one of its specs (ranges parsed to numbers: minutes of the day with an
 * exclusive end, weekdays 0 = Sunday, days of month ±1..31, months 1..12; absent `location` = UTC), and
 * an inclusive integer range.
 */
export type TimeIntervalConfig = NamedTimeInterval;
export type TimeIntervalSpec = TimeInterval;
export type IntRange = InclusiveRange;

/** Pino log levels. */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Herald's own settings (`herald:` section). */
export interface HeraldSettings {
  /** Unique per node; used for lock ownership and metrics (default `<hostname>:<port>`). */
  readonly nodeId: string;
  readonly port: number;
  readonly listenAddress: string;
  /** Base URL used in notifications' `externalURL` (default `http://<hostname>:<port>`). */
  readonly externalUrl: string;
  readonly logLevel: LogLevel;
  /**
   * What this node runs (`herald.roles`, env `HERALD_ROLES`; default all three): `api` serves HTTP
   * (ingest, API, UI), `scheduler` runs the flush ticks, `delivery` the delivery workers. Never empty.
   */
  readonly roles: ReadonlySet<NodeRole>;
  /**
   * Processes this node runs (`herald.workers`, env `HERALD_WORKERS`; default 1, at most
   * {@link MAX_WORKERS}). With more than one, the node's `delivery` role moves to `workers - 1` child
   * processes and the first keeps `api` and `scheduler` (a node whose only role is `delivery` runs it in
   * all of them); they share the node's port, Redis and /metrics. Needs Redis and the `delivery` role.
   */
  readonly workers: number;
  readonly locks: LocksSettings;
  readonly http: HttpSettings;
  readonly redis: RedisSettings;
  readonly limits: LimitsSettings;
  readonly memory: MemorySettings;
  readonly scheduler: SchedulerSettings;
  readonly delivery: DeliverySettings;
  /** ms an idle group key lives in Redis after its last alert ended (default 24h). */
  readonly retention: number;
  readonly tenants: readonly TenantConfig[];
  readonly defaultTenant: string;
  /**
   * Start even though a receiver has integration kinds Herald cannot deliver (default false: start-up
   * fails naming them). Every notification they would have sent is then logged and counted
   * (`herald_notifications_total{outcome="unsupported"}`), never silently dropped.
   */
  readonly allowUnsupportedReceivers: boolean;
  /** Silences (`herald.silences`): retention of expired ones and the default limits. */
  readonly silences: SilencesSettings;
  /**
   * Which label names are valid (`herald.label_names`): `utf8` (default; any non-empty UTF-8 name, as
   * Alertmanager ≥ 0.27 and Prometheus 3) or `classic` (`[a-zA-Z_][a-zA-Z0-9_]*`, Alertmanager ≤ 0.26).
   */
  readonly labelNames: 'utf8' | 'classic';
  /** `herald.history`: the notification history (every send attempt and its outcome). */
  readonly history: HistorySettings;
  /** `herald.events`: the live events behind `GET /api/v1/events`. */
  readonly events: EventsSettings;
}

/** `herald.history`. */
export interface HistorySettings {
  /** Entries kept per tenant (Redis Stream `MAXLEN ~`, or the memory ring); default 10 000. */
  readonly maxEntries: number;
}

/** `herald.events`. */
export interface EventsSettings {
  /** Events kept per tenant for `Last-Event-ID` resume (stream `MAXLEN ~`); default 10 000. */
  readonly maxEntries: number;
  /** SSE clients one node serves at once; one more is answered 503. Default 1 000. */
  readonly maxClients: number;
}

/** `herald.silences`. Per-tenant `limits.max_silences` / `max_silence_size_bytes` override the limits. */
export interface SilencesSettings {
  /** ms an expired silence is kept (listed as expired) before it is removed (default 120h, Alertmanager's `--data.retention`). */
  readonly retention: number;
  /** Silences a tenant may hold, expired ones included, as Alertmanager's `--silences.max-silences` (0: no limit). */
  readonly maxSilences: number;
  /** Largest silence in bytes (its JSON), as Alertmanager's `--silences.max-silence-size-bytes` (0: no limit). */
  readonly maxSilenceSizeBytes: number;
}

/** A part of Herald a node can run; see {@link HeraldSettings.roles}. */
export type NodeRole = 'api' | 'scheduler' | 'delivery';

/** Every role, in the order messages list them (also the default set). */
export const NODE_ROLES: readonly NodeRole[] = ['api', 'scheduler', 'delivery'];

/**
 * The group lock (`herald.locks`): `redis` takes it on the one Redis of `herald.redis`; `quorum` on a
 * majority of independent Redis masters (Redlock), each a `redis://` URL, at least three of them.
 */
export type LocksSettings =
  | { readonly mode: 'redis' }
  | { readonly mode: 'quorum'; readonly quorum: { readonly nodes: readonly string[] } };

/** The HTTP edge (`herald.http`). */
export interface HttpSettings {
  /**
   * Proxies whose `X-Forwarded-For` is believed, as CIDRs (default loopback: `127.0.0.0/8`, `::1/128`).
   * The client address (login limiter, audit, logs) is the rightmost address of the forwarded chain
   * that is not a trusted proxy, so a client cannot pick it by sending the header itself.
   */
  readonly trustedProxies: readonly string[];
}

/** Settings shared by every Redis mode. Durations in ms. */
export interface RedisCommonSettings {
  readonly keyPrefix: string;
  readonly commandTimeout: number;
  readonly connectTimeout: number;
  readonly reconnectCheckInterval: number;
  /**
   * Number of shards of the due index (so a Cluster can spread it). Default 16; 48 in cluster mode
   * (spread evenly over the slot space: 16 per master of a 3-master cluster).
   */
  readonly dueBuckets: number;
  /**
   * While Redis is unavailable, how long a node waits before it notifies from its memory fallback (ms):
   * other nodes may have notified the same groups, which this node cannot see while Redis is away, and a
   * failover usually ends sooner — then the memory state is merged and Redis' notification log decides.
   * Default 15s with Sentinel or a Cluster (Alertmanager's `--cluster.peer-timeout`), 0 on a single
   * master.
   */
  readonly fallbackNotifyDelay: number;
}

/** A `host:port` pair. */
export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/** Redis Sentinel connection settings. */
export interface SentinelSettings {
  readonly masterName: string;
  readonly sentinels: readonly HostPort[];
  readonly password?: string;
  readonly sentinelPassword?: string;
}

/**
 * TLS towards Redis Cluster nodes (`herald.redis.cluster.tls`); file paths are resolved against the
 * config file's directory. Present (even `{}`): every node connection uses TLS.
 */
export interface RedisTlsSettings {
  /** CA bundle to verify the nodes' certificates (default: the system's CAs). */
  readonly caFile?: string;
  /** Client certificate and key (mutual TLS); both or neither. */
  readonly certFile?: string;
  readonly keyFile?: string;
  /** Name checked against the nodes' certificates (nodes are reached by the IPs CLUSTER SLOTS gives). */
  readonly serverName?: string;
  readonly insecureSkipVerify: boolean;
}

/** Redis Cluster connection settings (`herald.redis.cluster`). */
export interface ClusterSettings {
  /** Seed nodes; the client discovers the others (and the slot map) from them. */
  readonly nodes: readonly HostPort[];
  readonly username?: string;
  /** From `password` or read from `password_file` at load. */
  readonly password?: string;
  readonly tls?: RedisTlsSettings;
}

/**
 * Redis connection: `memory` when nothing is configured (single node, state lost on restart),
 * `single` for one master by URL, `sentinel` for a Sentinel-managed master, `cluster` for a Redis
 * Cluster. A discriminated union so the connection factory can switch on `mode` exhaustively.
 */
export type RedisSettings = RedisCommonSettings &
  (
    | { readonly mode: 'memory' }
    | { readonly mode: 'single'; readonly url: string }
    | { readonly mode: 'sentinel'; readonly sentinel: SentinelSettings }
    | { readonly mode: 'cluster'; readonly cluster: ClusterSettings }
  );

/** Request bounds; each hit gets a clear 4xx. */
export interface LimitsSettings {
  readonly maxBodyBytes: number;
  readonly maxAlertsPerRequest: number;
  readonly maxLabelsPerAlert: number;
  readonly maxLabelNameLength: number;
  readonly maxLabelValueLength: number;
  readonly maxAnnotationValueLength: number;
  readonly maxAnnotationsPerAlert: number;
  /** Webhook ingest: length of the sender's `groupKey` (stored once per group, not per alert). */
  readonly maxGroupKeyLength: number;
}

/** Bounds of the in-memory store (used without Redis and as the fallback while Redis is down). */
export interface MemorySettings {
  readonly maxAlerts: number;
  readonly maxGroups: number;
}

/** The flush scheduler on each node. Durations in ms. */
export interface SchedulerSettings {
  /**
   * How soon a node looks again at a due group it could not claim or lock (another node had it), and
   * the first look after start (default 250ms). Due times this node sets (its ingest, its flushes) wake
   * its scheduler at that instant; due times it does not know of are found by the `poll`.
   */
  readonly tick: number;
  /**
   * How often a node reads the head of every due bucket for due times other nodes set (absent: one
   * `tick` per due bucket — 4 s for 16 buckets at 250 ms — so an idle node reads one key per tick on
   * average, 4 commands/s; the lease expiries of a crashed claimer are read every lease / 3, 1.6/s).
   */
  readonly poll?: number;
  /** How long a claimed group half is leased before another node may take it over (default 30s). */
  readonly lease: number;
  /** Due entries claimed per bucket per tick (default 200). */
  readonly claimBatch: number;
  /**
   * Flushes run at once by one node (default 16). 64 cut node CPU per notification ~15 % in
   * bench:notify, but every flush in flight when a Redis master dies may be sent again (same
   * Idempotency-Key): the Redis Cluster failover e2e saw 13–26 repeats at 64 against 4–6 at 16.
   */
  readonly concurrency: number;
}

/** Notification delivery (BullMQ workers, memory queue). */
export interface DeliverySettings {
  /** Sends in flight at once per node (default 8). */
  readonly concurrency: number;
  /** Attempts before a notification becomes a dead letter (default 10). */
  readonly attempts: number;
  /** A job whose worker died is handed to another worker after this long (ms, default 30s). */
  readonly stalledTimeout: number;
  /** Bound of the in-process queue used while Redis is down (default 10000). */
  readonly memoryMaxItems: number;
  /** How long a dead letter is kept for inspection and retry (ms, default 7 days). */
  readonly deadLetterRetention: number;
  /** Dead letters kept per tenant; beyond it the oldest go, counted and logged (default 10 000). */
  readonly deadLetterMax: number;
  /**
   * Per-receiver send rate (a token bucket shared by all nodes): receiver name → at most `max` sends per
   * `per` ms; the key `*` applies to receivers without their own entry. Empty: unlimited.
   */
  readonly rateLimits: Readonly<Record<string, { readonly max: number; readonly per: number }>>;
  /**
   * BullMQ queues delivery is sharded over (by group), each under its own hash tag, so a Redis Cluster
   * spreads the delivery load over its masters (1 … `MAX_DELIVERY_SHARDS`). Undefined: auto — 1 on a
   * single Redis or Sentinel, on a Cluster the number of masters the node sees when it connects.
   */
  readonly shards?: number;
}

/** Upper bound of `herald.delivery.shards`. */
export const MAX_DELIVERY_SHARDS = 64;

/**
 * A tenant. With no tenant configured Herald runs single-tenant (`defaultTenant`, ingest without a key);
 * once tenants exist, ingest needs one of a tenant's API keys and the admin API a user's session.
 */
export interface TenantConfig {
  readonly id: string;
  readonly name?: string;
  /**
   * The tenant's API keys: scrypt hashes (`heraldctl hash-secret`), never the keys themselves, each with
   * its role (`ingest` by default: post and read alerts; `viewer`: read only; `admin`: also silences).
   */
  readonly apiKeys: readonly ApiKeyConfig[];
  readonly users: readonly TenantUser[];
  readonly limits: TenantLimits;
}

/** What an API key may do: `ingest` posts and reads alerts, `viewer` only reads, `admin` also writes silences. */
export type ApiKeyRole = 'ingest' | 'viewer' | 'admin';

/** One API key of a tenant (`api_keys: [<hash>]` or `api_keys: [{hash: <hash>, role: admin}]`). */
export interface ApiKeyConfig {
  readonly hash: string;
  readonly role: ApiKeyRole;
}

/** A dashboard / admin API user of a tenant. */
export interface TenantUser {
  readonly username: string;
  /** scrypt hash of the password (`heraldctl hash-secret`). */
  readonly passwordHash: string;
  readonly role: 'admin' | 'viewer';
}

/**
 * Per-tenant bounds, enforced across nodes (counted in Redis); absent means unlimited. Each key also
 * has Mimir's name (`herald.tenants[].limits`): see {@link TENANT_LIMIT_KEYS}.
 */
export interface TenantLimits {
  /** Alerts held (firing and resolved not yet removed); new ones beyond it are refused, updates pass. */
  readonly maxAlerts?: number;
  /** Aggregation groups held; alerts of a new group beyond it are refused. */
  readonly maxGroups?: number;
  /** Alerts per second accepted at ingest (token bucket refill). */
  readonly ingestRate?: number;
  /** Token bucket size (alerts); default 60 × `ingestRate` (Prometheus re-sends every alert each minute). */
  readonly ingestBurst?: number;
  /** Silences the tenant may hold (expired ones included); overrides `herald.silences.max_silences`. */
  readonly maxSilences?: number;
  /** Largest silence in bytes; overrides `herald.silences.max_silence_size_bytes`. */
  readonly maxSilenceSizeBytes?: number;
  /** Config path of each limit as written (for messages), e.g. `herald.tenants[0].limits.max_alerts`. */
  readonly paths: Readonly<Record<TenantLimitKey, string>>;
}

export type TenantLimitKey =
  'maxAlerts' | 'maxGroups' | 'ingestRate' | 'ingestBurst' | 'maxSilences' | 'maxSilenceSizeBytes';

/** The YAML keys of each tenant limit: Herald's, and Mimir's name for the same limit. */
export const TENANT_LIMIT_KEYS: Readonly<Record<TenantLimitKey, readonly [string, string]>> = {
  maxAlerts: ['max_alerts', 'alertmanager_max_alerts_count'],
  maxGroups: ['max_groups', 'alertmanager_max_dispatcher_aggregation_groups'],
  ingestRate: ['ingest_rate', 'ingestion_rate'],
  ingestBurst: ['ingest_burst', 'ingestion_burst_size'],
  maxSilences: ['max_silences', 'alertmanager_max_silences_count'],
  maxSilenceSizeBytes: ['max_silence_size_bytes', 'alertmanager_max_silence_size_bytes'],
};

/** Defaults of the `herald:` section, in YAML terms; `deploy/examples/herald.yml` documents them. */
/** Upper bound of `herald.workers` (a process each; more is a sign of a typo, not of a bigger box). */
export const MAX_WORKERS = 64;

export const HERALD_DEFAULTS = {
  port: 9093,
  workers: 1,
  listenAddress: '0.0.0.0',
  logLevel: 'info' as LogLevel,
  trustedProxies: ['127.0.0.0/8', '::1/128'],
  keyPrefix: 'herald',
  commandTimeout: '1s',
  connectTimeout: '2s',
  reconnectCheckInterval: '1s',
  dueBuckets: 16,
  clusterDueBuckets: 48,
  failoverNotifyDelay: '15s',
  maxBodyBytes: 5 * 1024 * 1024,
  maxAlertsPerRequest: 1000,
  maxLabelsPerAlert: 64,
  maxLabelNameLength: 256,
  maxLabelValueLength: 4096,
  maxAnnotationValueLength: 16384,
  maxAnnotationsPerAlert: 64,
  maxGroupKeyLength: 16384,
  memoryMaxAlerts: 200_000,
  memoryMaxGroups: 50_000,
  schedulerTick: '250ms',
  schedulerLease: '30s',
  schedulerClaimBatch: 200,
  schedulerConcurrency: 16,
  deliveryConcurrency: 8,
  deliveryAttempts: 10,
  deliveryStalledTimeout: '30s',
  deliveryMemoryMaxItems: 10_000,
  deliveryDeadLetterRetention: '168h',
  deliveryDeadLetterMax: 10_000,
  retention: '24h',
  defaultTenant: 'default',
  resolveTimeout: '5m',
  silenceRetention: '120h',
  // Bounded by default (every count is): far above what a team keeps, low enough for one node's memory.
  maxSilences: 10_000,
  maxSilenceSizeBytes: 64 * 1024,
  labelNames: 'utf8',
  historyMaxEntries: 10_000,
  // ≈ 100 s of back-to-back 100 ms windows: enough to resume after a reconnect, bounded in memory
  // (a window's entry holds up to 500 events, ~35 KB; 10 000 such entries would be ~350 MB per tenant).
  eventsMaxEntries: 1000,
  eventsMaxClients: 1000,
} as const;
