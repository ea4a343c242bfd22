// The `herald:` section: Herald's own settings, strictly checked (unknown keys are errors, so a typo
// such as `max_alert_per_request` cannot silently fall back to a default).
import { accessSync, constants, readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '@herald/domain';
import {
  asObject,
  asString,
  at,
  byteSize,
  checkKeys,
  duration,
  hostPort,
  httpUrl,
  idx,
  optBool,
  optList,
  optObject,
  optString,
  positiveInt,
  redisUrl,
  show,
  type RawObject,
} from './fields';
import {
  HERALD_DEFAULTS as D,
  type HeraldSettings,
  type LimitsSettings,
  type LogLevel,
  type MemorySettings,
  type NodeRole,
  type SchedulerSettings,
  type DeliverySettings,
  MAX_DELIVERY_SHARDS,
  MAX_WORKERS,
  type RedisSettings,
  type SentinelSettings,
  type ClusterSettings,
  type HostPort,
  type RedisTlsSettings,
  type SilencesSettings,
  type HistorySettings,
  type EventsSettings,
  type ApiKeyConfig,
  type TenantConfig,
  type TenantLimitKey,
  type TenantUser,
  TENANT_LIMIT_KEYS,
} from './herald-config';
import { checkRolesFitRedis, checkWorkersFit, parseLocks, parseRoles } from './cluster-settings';
import { parseHttp } from './http-settings';
import { eachField, ErrorSink } from './config-errors';

/** Pino levels accepted by `herald.log_level` and `HERALD_LOG_LEVEL`. */
export const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

const TENANT_ID = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const KEY_PREFIX = /^[A-Za-z0-9_.-]+$/;

/** Overrides taken from the environment; already validated, each wins over the file. */
export interface HeraldOverrides {
  port?: number;
  /** `HERALD_LISTEN_ADDRESS` (e.g. `127.0.0.1` for `npm run cluster`'s loopback nodes). */
  listenAddress?: string;
  redisUrl?: string;
  /** `REDIS_CLUSTER_NODES`, already parsed; never set together with `redisUrl`. */
  redisClusterNodes?: HostPort[];
  nodeId?: string;
  logLevel?: LogLevel;
  /** `HERALD_TRUSTED_PROXIES`, already validated as CIDRs. */
  trustedProxies?: string[];
  /** `HERALD_ROLES`, already parsed. */
  roles?: ReadonlySet<NodeRole>;
  /** `HERALD_WORKERS`, already validated. */
  workers?: number;
}

/**
 * Parses the `herald:` section, applying environment overrides and host-dependent defaults. `baseDir`
 * (the config file's directory) resolves relative file paths (herald.redis.cluster files).
 */
export function parseHerald(
  value: unknown,
  overrides: HeraldOverrides,
  hostname: string,
  baseDir?: string,
): HeraldSettings {
  const raw = optObject(value, 'herald');
  // Each setting is checked even when another failed, so one start-up names every mistake.
  const sink = new ErrorSink();
  const check = <T>(fn: () => T, fallback: T): T => sink.run(fn, fallback);
  check(
    () =>
      checkKeys(
        raw,
        [
          'node_id',
          'port',
          'listen_address',
          'external_url',
          'log_level',
          'roles',
          'workers',
          'locks',
          'http',
          'redis',
          'limits',
          'memory',
          'scheduler',
          'delivery',
          'retention',
          'tenants',
          'default_tenant',
          'allow_unsupported_receivers',
          'silences',
          'label_names',
          'history',
          'events',
        ],
        'herald',
      ),
    undefined,
  );
  const port = overrides.port ?? check(() => portNumber(raw.port, 'herald.port'), D.port);
  const nodeId =
    overrides.nodeId ??
    check(() => optString(raw.node_id, 'herald.node_id'), undefined) ??
    `${hostname}:${port}`;
  const externalUrl =
    raw.external_url != null
      ? check(() => httpUrl(raw.external_url, 'herald.external_url').replace(/\/+$/, ''), '')
      : `http://${hostname}:${port}`;
  const tenants = check(() => parseTenants(raw.tenants), []);
  const defaultTenant = check(() => {
    const t = optString(raw.default_tenant, 'herald.default_tenant') ?? D.defaultTenant;
    if (!TENANT_ID.test(t)) {
      throw new ConfigError('herald.default_tenant', `must match ${TENANT_ID.source}, got ${show(t)}`);
    }
    return t;
  }, D.defaultTenant);
  const redis = check(() => parseRedis(raw.redis, overrides, baseDir), undefined);
  // The file's roles are checked even when HERALD_ROLES replaces them, as trusted_proxies are.
  const fileRoles = check(() => parseRoles(raw.roles, 'herald.roles'), undefined);
  const roles = overrides.roles ?? fileRoles;
  if (roles && redis) {
    check(
      () => checkRolesFitRedis(roles, redis, overrides.roles ? 'HERALD_ROLES' : 'herald.roles'),
      undefined,
    );
  }
  const workers =
    overrides.workers ?? check(() => positiveInt(raw.workers, 'herald.workers', D.workers, MAX_WORKERS), 1);
  if (roles && redis) {
    check(
      () => checkWorkersFit(workers, roles, redis, overrides.workers ? 'HERALD_WORKERS' : 'herald.workers'),
      undefined,
    );
  }
  const settings = {
    nodeId,
    port,
    listenAddress:
      overrides.listenAddress ??
      check(() => optString(raw.listen_address, 'herald.listen_address'), undefined) ??
      D.listenAddress,
    externalUrl,
    logLevel:
      overrides.logLevel ?? check(() => logLevel(raw.log_level, 'herald.log_level'), undefined) ?? D.logLevel,
    roles,
    workers,
    locks: redis && check(() => parseLocks(raw.locks, redis), undefined),
    http: check(() => parseHttp(raw.http, overrides.trustedProxies), undefined),
    redis,
    limits: check(() => parseLimits(raw.limits), undefined),
    memory: check(() => parseMemory(raw.memory), undefined),
    scheduler: check(() => parseScheduler(raw.scheduler), undefined),
    delivery: check(() => parseDelivery(raw.delivery), undefined),
    retention: check(() => duration(raw.retention, 'herald.retention', D.retention, { positive: true }), 0),
    tenants,
    defaultTenant,
    allowUnsupportedReceivers:
      check(
        () => optBool(raw.allow_unsupported_receivers, 'herald.allow_unsupported_receivers'),
        undefined,
      ) ?? false,
    silences: check(() => parseSilences(raw.silences), undefined),
    labelNames: check(() => parseLabelNames(raw.label_names), D.labelNames),
    history: check(() => parseHistory(raw.history), undefined),
    events: check(() => parseEvents(raw.events), undefined),
  };
  sink.throwIfAny();
  // Every part parsed (throwIfAny returned), so none of the fallbacks above is left.
  return settings as HeraldSettings;
}

function parseHistory(value: unknown): HistorySettings {
  const path = 'herald.history';
  const raw = optObject(value, path);
  checkKeys(raw, ['max_entries'], path);
  return {
    maxEntries: positiveInt(raw.max_entries, at(path, 'max_entries'), D.historyMaxEntries, 1_000_000),
  };
}

function parseEvents(value: unknown): EventsSettings {
  const path = 'herald.events';
  const raw = optObject(value, path);
  checkKeys(raw, ['max_entries', 'max_clients'], path);
  return {
    maxEntries: positiveInt(raw.max_entries, at(path, 'max_entries'), D.eventsMaxEntries, 1_000_000),
    maxClients: positiveInt(raw.max_clients, at(path, 'max_clients'), D.eventsMaxClients, 100_000),
  };
}

function parseSilences(value: unknown): SilencesSettings {
  const path = 'herald.silences';
  const raw = optObject(value, path);
  return eachField((f) => {
    f(() => checkKeys(raw, ['retention', 'max_silences', 'max_silence_size_bytes'], path), undefined);
    return {
      retention: f(
        () => duration(raw.retention, at(path, 'retention'), D.silenceRetention, { positive: true }),
        0,
      ),
      maxSilences: f(() => nonNegativeInt(raw.max_silences, at(path, 'max_silences'), D.maxSilences), 0),
      maxSilenceSizeBytes: f(
        () =>
          nonNegativeInt(
            raw.max_silence_size_bytes,
            at(path, 'max_silence_size_bytes'),
            D.maxSilenceSizeBytes,
          ),
        0,
      ),
    };
  });
}

/** A non-negative integer (0: no limit), default when absent. */
function nonNegativeInt(value: unknown, path: string, dflt: number): number {
  if (value === undefined || value === null) return dflt;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new ConfigError(path, `must be a non-negative integer (0: no limit), got ${show(value)}`);
  }
  return value;
}

function parseLabelNames(value: unknown): 'utf8' | 'classic' {
  if (value === undefined || value === null) return D.labelNames;
  if (value !== 'utf8' && value !== 'classic') {
    throw new ConfigError('herald.label_names', `must be "utf8" or "classic", got ${show(value)}`);
  }
  return value;
}

/** A TCP port 1..65535; YAML integers only. */
export function portNumber(value: unknown, path: string): number {
  if (value === undefined || value === null) return D.port;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535) {
    throw new ConfigError(path, `must be an integer port 1..65535, got ${show(value)}`);
  }
  return value;
}

/** A pino level name, or undefined when absent. */
export function logLevel(value: unknown, path: string): LogLevel | undefined {
  if (value === undefined || value === null) return undefined;
  if (!LOG_LEVELS.includes(value as LogLevel)) {
    throw new ConfigError(path, `must be one of ${LOG_LEVELS.join(', ')}, got ${show(value)}`);
  }
  return value as LogLevel;
}

function parseRedis(value: unknown, overrides: HeraldOverrides, baseDir: string | undefined): RedisSettings {
  const path = 'herald.redis';
  const raw = optObject(value, path);
  checkKeys(
    raw,
    [
      'url',
      'sentinel',
      'cluster',
      'key_prefix',
      'command_timeout',
      'connect_timeout',
      'reconnect_check_interval',
      'due_buckets',
      'fallback_notify_delay',
    ],
    path,
  );
  const keyPrefix = optString(raw.key_prefix, at(path, 'key_prefix')) ?? D.keyPrefix;
  if (!KEY_PREFIX.test(keyPrefix)) {
    throw new ConfigError(at(path, 'key_prefix'), `must match ${KEY_PREFIX.source}, got ${show(keyPrefix)}`);
  }
  const common = (cluster: boolean, failsOver = cluster) => ({
    keyPrefix,
    commandTimeout: duration(raw.command_timeout, at(path, 'command_timeout'), D.commandTimeout, {
      positive: true,
    }),
    connectTimeout: duration(raw.connect_timeout, at(path, 'connect_timeout'), D.connectTimeout, {
      positive: true,
    }),
    reconnectCheckInterval: duration(
      raw.reconnect_check_interval,
      at(path, 'reconnect_check_interval'),
      D.reconnectCheckInterval,
      { positive: true },
    ),
    // On a Cluster the buckets are spread over the slot space: more of them, so every master has some.
    dueBuckets: positiveInt(
      raw.due_buckets,
      at(path, 'due_buckets'),
      cluster ? D.clusterDueBuckets : D.dueBuckets,
      1024,
    ),
    // A Cluster or Sentinel fails over within seconds: wait that out before paging from memory (another
    // node may have paged the same groups); a single master's outage lasts until someone restarts it.
    fallbackNotifyDelay: duration(
      raw.fallback_notify_delay,
      at(path, 'fallback_notify_delay'),
      failsOver ? D.failoverNotifyDelay : '0s',
    ),
  });
  // REDIS_URL / REDIS_CLUSTER_NODES replace whatever connection the file describes (the usual container
  // override). REDIS_CLUSTER_NODES keeps the file's cluster credentials and TLS, when it has a cluster.
  if (overrides.redisUrl !== undefined) return { ...common(false), mode: 'single', url: overrides.redisUrl };
  if (overrides.redisClusterNodes !== undefined) {
    const fromFile = raw.cluster != null ? parseCluster(raw.cluster, baseDir, true) : undefined;
    return {
      ...common(true),
      mode: 'cluster',
      cluster: { ...fromFile, nodes: overrides.redisClusterNodes },
    };
  }
  const modes = (['url', 'sentinel', 'cluster'] as const).filter((k) => raw[k] != null);
  if (modes.length > 1) {
    throw new ConfigError(at(path, modes[1]), `${modes.join(' and ')} are mutually exclusive; set only one`);
  }
  if (raw.url != null) return { ...common(false), mode: 'single', url: redisUrl(raw.url, at(path, 'url')) };
  if (raw.sentinel != null)
    return { ...common(false, true), mode: 'sentinel', sentinel: parseSentinel(raw.sentinel) };
  if (raw.cluster != null)
    return { ...common(true), mode: 'cluster', cluster: parseCluster(raw.cluster, baseDir, false) };
  return { ...common(false), mode: 'memory' };
}

function parseSentinel(value: unknown): SentinelSettings {
  const path = 'herald.redis.sentinel';
  const raw = asObject(value, path);
  checkKeys(raw, ['master_name', 'sentinels', 'password', 'sentinel_password'], path);
  const sentinels = optList(raw.sentinels, at(path, 'sentinels')).map((s, i) =>
    hostPort(s, idx(at(path, 'sentinels'), i)),
  );
  if (sentinels.length === 0)
    throw new ConfigError(at(path, 'sentinels'), 'at least one "host:port" is required');
  return {
    masterName: asString(raw.master_name, at(path, 'master_name')),
    sentinels,
    password: optString(raw.password, at(path, 'password')),
    sentinelPassword: optString(raw.sentinel_password, at(path, 'sentinel_password')),
  };
}

/**
 * `herald.redis.cluster`. `nodesOverridden`: REDIS_CLUSTER_NODES gives the seeds, so `nodes` may be
 * absent (when present it is still checked). `password_file` is read now: a missing file stops the start.
 */
function parseCluster(
  value: unknown,
  baseDir: string | undefined,
  nodesOverridden: boolean,
): ClusterSettings {
  const path = 'herald.redis.cluster';
  const raw = asObject(value, path);
  checkKeys(raw, ['nodes', 'username', 'password', 'password_file', 'tls'], path);
  const nodes = optList(raw.nodes, at(path, 'nodes')).map((s, i) => hostPort(s, idx(at(path, 'nodes'), i)));
  if (nodes.length === 0 && !nodesOverridden)
    throw new ConfigError(at(path, 'nodes'), 'at least one "host:port" is required');
  if (raw.password != null && raw.password_file != null) {
    throw new ConfigError(at(path, 'password_file'), 'password and password_file are mutually exclusive');
  }
  const passwordFile = optString(raw.password_file, at(path, 'password_file'));
  const password =
    passwordFile !== undefined
      ? readSecretFile(resolvePath(passwordFile, baseDir), at(path, 'password_file'))
      : optString(raw.password, at(path, 'password'));
  const tls = raw.tls != null ? parseRedisTls(raw.tls, at(path, 'tls'), baseDir) : undefined;
  return {
    nodes,
    ...(raw.username != null && { username: asString(raw.username, at(path, 'username')) }),
    ...(password !== undefined && { password }),
    ...(tls && { tls }),
  };
}

/** `tls:` of a Redis connection: Prometheus' tls_config names, files only (paths kept, checked readable). */
function parseRedisTls(value: unknown, path: string, baseDir: string | undefined): RedisTlsSettings {
  const raw = asObject(value, path);
  checkKeys(raw, ['ca_file', 'cert_file', 'key_file', 'server_name', 'insecure_skip_verify'], path);
  const file = (key: string): string | undefined => {
    const f = optString(raw[key], at(path, key));
    if (f === undefined) return undefined;
    const full = resolvePath(f, baseDir);
    checkReadable(full, at(path, key));
    return full;
  };
  const caFile = file('ca_file');
  const certFile = file('cert_file');
  const keyFile = file('key_file');
  if (certFile !== undefined && keyFile === undefined)
    throw new ConfigError(at(path, 'key_file'), 'is required when cert_file is set');
  if (keyFile !== undefined && certFile === undefined)
    throw new ConfigError(at(path, 'cert_file'), 'is required when key_file is set');
  const serverName = optString(raw.server_name, at(path, 'server_name'));
  return {
    ...(caFile !== undefined && { caFile }),
    ...(certFile !== undefined && { certFile }),
    ...(keyFile !== undefined && { keyFile }),
    ...(serverName !== undefined && { serverName }),
    insecureSkipVerify: optBool(raw.insecure_skip_verify, at(path, 'insecure_skip_verify')) ?? false,
  };
}

function resolvePath(file: string, baseDir: string | undefined): string {
  return baseDir !== undefined && !isAbsolute(file) ? resolve(baseDir, file) : file;
}

function checkReadable(file: string, path: string): void {
  try {
    accessSync(file, constants.R_OK);
  } catch (e) {
    throw new ConfigError(path, `cannot read ${show(file)}: ${fileProblem(e)}`);
  }
}

/** A secret file's content without the trailing newline (never echoed in a message). */
function readSecretFile(file: string, path: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new ConfigError(path, `cannot read ${show(file)}: ${fileProblem(e)}`);
  }
  const secret = text.replace(/\r?\n$/, '');
  if (secret === '') throw new ConfigError(path, `${show(file)} is empty`);
  return secret;
}

function fileProblem(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
}

function parseLimits(value: unknown): LimitsSettings {
  const path = 'herald.limits';
  const raw = optObject(value, path);
  const fields = {
    max_alerts_per_request: D.maxAlertsPerRequest,
    max_labels_per_alert: D.maxLabelsPerAlert,
    max_label_name_length: D.maxLabelNameLength,
    max_label_value_length: D.maxLabelValueLength,
    max_annotation_value_length: D.maxAnnotationValueLength,
    max_annotations_per_alert: D.maxAnnotationsPerAlert,
    max_group_key_length: D.maxGroupKeyLength,
  };
  return eachField((f) => {
    f(() => checkKeys(raw, ['max_body_bytes', ...Object.keys(fields)], path), undefined);
    const int = (k: keyof typeof fields): number =>
      f(() => positiveInt(raw[k], at(path, k), fields[k]), fields[k]);
    return {
      maxBodyBytes: f(() => byteSize(raw.max_body_bytes, at(path, 'max_body_bytes'), D.maxBodyBytes), 0),
      maxAlertsPerRequest: int('max_alerts_per_request'),
      maxLabelsPerAlert: int('max_labels_per_alert'),
      maxLabelNameLength: int('max_label_name_length'),
      maxLabelValueLength: int('max_label_value_length'),
      maxAnnotationValueLength: int('max_annotation_value_length'),
      maxAnnotationsPerAlert: int('max_annotations_per_alert'),
      maxGroupKeyLength: int('max_group_key_length'),
    };
  });
}

function parseMemory(value: unknown): MemorySettings {
  const path = 'herald.memory';
  const raw = optObject(value, path);
  return eachField((f) => {
    f(() => checkKeys(raw, ['max_alerts', 'max_groups'], path), undefined);
    return {
      maxAlerts: f(() => positiveInt(raw.max_alerts, at(path, 'max_alerts'), D.memoryMaxAlerts), 0),
      maxGroups: f(() => positiveInt(raw.max_groups, at(path, 'max_groups'), D.memoryMaxGroups), 0),
    };
  });
}

function parseScheduler(value: unknown): SchedulerSettings {
  const path = 'herald.scheduler';
  const raw = optObject(value, path);
  return eachField((f) => {
    f(() => checkKeys(raw, ['tick', 'poll', 'lease', 'claim_batch', 'concurrency'], path), undefined);
    const ms = (key: string, def: string) =>
      f(() => duration(raw[key], at(path, key), def, { positive: true }), 0);
    return {
      tick: ms('tick', D.schedulerTick),
      ...(raw.poll === undefined ? {} : { poll: ms('poll', '') }),
      lease: ms('lease', D.schedulerLease),
      claimBatch: f(() => positiveInt(raw.claim_batch, at(path, 'claim_batch'), D.schedulerClaimBatch), 0),
      concurrency: f(() => positiveInt(raw.concurrency, at(path, 'concurrency'), D.schedulerConcurrency), 0),
    };
  });
}

function parseDelivery(value: unknown): DeliverySettings {
  const path = 'herald.delivery';
  const raw = optObject(value, path);
  return eachField((f) => {
    f(
      () =>
        checkKeys(
          raw,
          [
            'concurrency',
            'attempts',
            'stalled_timeout',
            'memory_max_items',
            'rate_limits',
            'dead_letter_retention',
            'dead_letter_max',
            'shards',
          ],
          path,
        ),
      undefined,
    );
    const limitsPath = at(path, 'rate_limits');
    const rateLimits: Record<string, { max: number; per: number }> = {};
    for (const [name, v] of Object.entries(f(() => optObject(raw.rate_limits, limitsPath), {}))) {
      f(() => {
        const p = at(limitsPath, name);
        const o = optObject(v, p);
        checkKeys(o, ['max', 'per'], p);
        if (o.max === undefined) throw new ConfigError(at(p, 'max'), 'is required (sends per `per`)');
        rateLimits[name] = {
          max: positiveInt(o.max, at(p, 'max'), 1),
          per: duration(o.per, at(p, 'per'), '1m', { positive: true }),
        };
      }, undefined);
    }
    const int = (key: string, def: number, max?: number) =>
      f(() => positiveInt(raw[key], at(path, key), def, max), def);
    const ms = (key: string, def: string) =>
      f(() => duration(raw[key], at(path, key), def, { positive: true }), 0);
    return {
      rateLimits,
      concurrency: int('concurrency', D.deliveryConcurrency),
      attempts: int('attempts', D.deliveryAttempts),
      stalledTimeout: ms('stalled_timeout', D.deliveryStalledTimeout),
      memoryMaxItems: int('memory_max_items', D.deliveryMemoryMaxItems),
      deadLetterRetention: ms('dead_letter_retention', D.deliveryDeadLetterRetention),
      deadLetterMax: int('dead_letter_max', D.deliveryDeadLetterMax),
      // Absent: auto (1, or on a Cluster the masters the node sees at start).
      shards:
        raw.shards === undefined || raw.shards === null ? undefined : int('shards', 1, MAX_DELIVERY_SHARDS),
    };
  });
}

function parseTenants(value: unknown): TenantConfig[] {
  const ids = new Map<string, string>();
  // An API key identifies its tenant, so it must be unique across all tenants.
  const keys = new Map<string, string>();
  // Every tenant is checked, also after one failed.
  const sink = new ErrorSink();
  const tenants = optList(value, 'herald.tenants').map((v, i) =>
    sink.run(() => parseTenant(v, i), undefined),
  );
  sink.throwIfAny();
  return tenants as TenantConfig[];

  function parseTenant(v: unknown, i: number): TenantConfig {
    const path = idx('herald.tenants', i);
    const raw = asObject(v, path);
    checkKeys(raw, ['id', 'name', 'api_keys', 'users', 'limits'], path);
    const id = asString(raw.id, at(path, 'id'));
    if (!TENANT_ID.test(id))
      throw new ConfigError(at(path, 'id'), `must match ${TENANT_ID.source}, got ${show(id)}`);
    if (ids.has(id))
      throw new ConfigError(at(path, 'id'), `duplicate tenant id ${show(id)} (first at ${ids.get(id)})`);
    ids.set(id, path);
    const apiKeys = optList(raw.api_keys, at(path, 'api_keys')).map((v, j): ApiKeyConfig => {
      const p = idx(at(path, 'api_keys'), j);
      let key: ApiKeyConfig;
      if (typeof v === 'string') {
        key = { hash: secretHash(v, p), role: 'ingest' };
      } else {
        const o = asObject(v, p);
        checkKeys(o, ['hash', 'role'], p);
        const role = o.role ?? 'ingest';
        if (role !== 'ingest' && role !== 'viewer' && role !== 'admin') {
          throw new ConfigError(at(p, 'role'), `must be "ingest", "viewer" or "admin", got ${show(role)}`);
        }
        key = { hash: secretHash(asString(o.hash, at(p, 'hash')), at(p, 'hash')), role };
      }
      // The key itself is a secret: name where it clashes, never what it is.
      if (keys.has(key.hash)) throw new ConfigError(p, `API key already used at ${keys.get(key.hash)}`);
      keys.set(key.hash, p);
      return key;
    });
    return {
      id,
      name: optString(raw.name, at(path, 'name')),
      apiKeys,
      users: parseUsers(raw.users, at(path, 'users')),
      limits: parseTenantLimits(raw.limits, at(path, 'limits')),
    };
  }
}

function parseUsers(value: unknown, path: string): TenantUser[] {
  const names = new Set<string>();
  return optList(value, path).map((v, i) => {
    const p = idx(path, i);
    const raw = asObject(v, p);
    checkKeys(raw, ['username', 'password_hash', 'role'], p);
    const username = asString(raw.username, at(p, 'username'));
    if (names.has(username)) throw new ConfigError(at(p, 'username'), `duplicate username ${show(username)}`);
    names.add(username);
    if (raw.role !== 'admin' && raw.role !== 'viewer') {
      throw new ConfigError(at(p, 'role'), `must be "admin" or "viewer", got ${show(raw.role)}`);
    }
    const passwordHash = secretHash(
      asString(raw.password_hash, at(p, 'password_hash')),
      at(p, 'password_hash'),
    );
    return { username, passwordHash, role: raw.role };
  });
}

// `heraldctl hash-secret` output: scrypt with its parameters (N a power of two <= 2^20, r <= 32, p <= 16),
// salt and hash in base64. Checked at load so a pasted plain secret fails start-up instead of every login.
const SECRET_HASH = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$[A-Za-z0-9+/]{11,}={0,2}\$[A-Za-z0-9+/]{22,}={0,2}$/;

/** Validates a secret hash string; the message never repeats the value (it may be a pasted secret). */
function secretHash(value: string, path: string): string {
  const m = SECRET_HASH.exec(value);
  const [n, r, p] = m ? [Number(m[1]), Number(m[2]), Number(m[3])] : [0, 0, 0];
  if (!m || n < 2 || n > 1 << 20 || (n & (n - 1)) !== 0 || r < 1 || r > 32 || p < 1 || p > 16) {
    throw new ConfigError(
      path,
      'must be a secret hash "scrypt$N=…,r=…,p=…$<salt>$<hash>" (print one with `npx heraldctl hash-secret <secret>`), not the secret itself',
    );
  }
  return value;
}

function parseTenantLimits(value: unknown, path: string): TenantConfig['limits'] {
  const raw: RawObject = optObject(value, path);
  const entries = Object.entries(TENANT_LIMIT_KEYS) as [TenantLimitKey, readonly [string, string]][];
  checkKeys(
    raw,
    entries.flatMap(([, names]) => names),
    path,
  );
  const paths = {} as Record<TenantLimitKey, string>;
  const given = {} as Partial<Record<TenantLimitKey, unknown>>;
  for (const [k, [own, mimir]] of entries) {
    if (raw[own] != null && raw[mimir] != null) {
      throw new ConfigError(at(path, mimir), `is the same limit as ${own}: set one of them`);
    }
    const key = raw[mimir] != null ? mimir : own;
    paths[k] = at(path, key);
    given[k] = raw[key];
  }
  const int = (k: TenantLimitKey): number | undefined =>
    given[k] == null ? undefined : positiveInt(given[k], paths[k], 0);
  let ingestRate: number | undefined;
  if (given.ingestRate != null) {
    const r = given.ingestRate;
    if (typeof r !== 'number' || !(r > 0) || !Number.isFinite(r)) {
      throw new ConfigError(paths.ingestRate, `must be a positive number (alerts/s), got ${show(r)}`);
    }
    ingestRate = r;
  }
  let ingestBurst = int('ingestBurst');
  if (ingestBurst !== undefined && ingestRate === undefined) {
    throw new ConfigError(paths.ingestBurst, 'needs ingest_rate (the rate the bucket refills at)');
  }
  if (ingestRate !== undefined) ingestBurst ??= Math.max(1, Math.ceil(ingestRate * 60));
  const nonNeg = (k: TenantLimitKey): number | undefined =>
    given[k] == null ? undefined : nonNegativeInt(given[k], paths[k], 0);
  return {
    maxAlerts: int('maxAlerts'),
    maxGroups: int('maxGroups'),
    ingestRate,
    ingestBurst,
    maxSilences: nonNeg('maxSilences'),
    maxSilenceSizeBytes: nonNeg('maxSilenceSizeBytes'),
    paths,
  };
}
