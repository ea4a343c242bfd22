import { closest, loadConfig, type RedisSettings } from '@herald/config';
import { ConfigError, parseMatcher, systemClock, type Matcher } from '@herald/domain';
import { BullMqDeliveryQueue } from '@herald/delivery';
import { DELIVERY_QUEUE, redisConnection, redisConnectionOptions } from '@herald/redis';
import { hashSecret } from '@herald/sessions';
import {
  bool,
  hoistFlags,
  int,
  list,
  parseArgs,
  parseDuration,
  str,
  UsageError,
  type FlagKind,
  type ParsedArgs,
} from './args';
import { CHECK_CONFIG_FLAGS, CHECK_CONFIG_HELP, checkConfigCommand } from './check-config';
import { duration, iso, labelString, pairs, table } from './format';
import { IdNotFoundError, resolveIdPrefix } from './ids';
import {
  NODE_HELP,
  SILENCE_ADD_FLAGS,
  SILENCES_FLAGS,
  NODE_FLAGS,
  silenceAddCommand,
  silenceExpireCommand,
  silencesCommand,
} from './silences';
import {
  connect,
  deadLetters,
  deliveryPrefixes,
  hasHeraldKeys,
  shardQueueCounts,
  targetOptions,
  type QueueCounts,
  type RedisTarget,
  keyStats,
  listAlerts,
  listGroups,
  listLocks,
  listSessions,
  matchingKeys,
  queueCounts,
  serverStats,
  tenantCounts,
  tenants,
  unlinkMatching,
  type Conn,
  type StateFilter,
} from './inspect';
import { HISTORY_FLAGS, HISTORY_HELP, historyCommand } from './history';

/** Where a command reads and writes; injected so tests capture it. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The whole of standard input (for secrets that should not appear in shell history). */
  readStdin(): Promise<string>;
  /** Standard input is a terminal (a confirmation can be asked). Default false. */
  isTTY?: boolean;
  /** Asks one question on the terminal and resolves with the answer line. */
  prompt?(question: string): Promise<string>;
  /** Raw write to standard output (no newline added); `watch` uses it to redraw. Defaults to `out`. */
  write?(chunk: string): void;
  /** Aborted on Ctrl-C: `watch` stops and exits 0. */
  signal?: AbortSignal;
  /**
   * Environment (HERALD_URL, HERALD_API_KEY, USER; REDIS_URL, REDIS_CLUSTER_NODES, HERALD_CONFIG and
   * HERALD_SETTINGS for Redis commands and check-config); none when absent.
   */
  env?: Readonly<Record<string, string | undefined>>;
  /** Width to fit tables into (a terminal's columns); absent (a pipe, a file): nothing is cut. */
  columns?: number;
  /** Clock of the node commands (silence times); default Date.now. */
  now?: () => number;
}

export const EXIT_OK = 0;
export const EXIT_RUNTIME = 1;
export const EXIT_USAGE = 2;

const CONNECTION_HELP = `connection (every Redis command; first of: flags, REDIS_URL or REDIS_CLUSTER_NODES, the
herald.redis of the config in HERALD_CONFIG / HERALD_SETTINGS, redis://127.0.0.1:6379):
  --url URL              redis://[:password@]host:port[/db] (env REDIS_URL, as the server reads it)
  --host H --port P --db N --password PW [--username U]
                         the same in parts (not together with --url)
  --redis-cluster HOST:PORT,HOST:PORT...
                         a Redis Cluster by some of its nodes (env REDIS_CLUSTER_NODES, as the server
                         reads it, when no --url/--host/--port/--db is given); --password/--username
                         are the cluster's credentials; key walks scan every master
  --due-buckets N        with a cluster: herald.redis.due_buckets of the server (cluster keys depend on
                         it; default: read from the keys, 48 when nothing is stored)
  --prefix P             Herald's key prefix, herald.redis.key_prefix (default: the config's, else herald)
  --json                 machine-readable output (one JSON document; watch: one per line)`;

const USAGE = `usage: heraldctl <command> [flags]   (flags may come before or after the command)

commands:
  stats [--tenant T]                   keys (DBSIZE, Herald keys by kind), memory, groups and alerts per
                                       tenant, delivery queue counts, keyspace hits/misses
  groups [--tenant T] [--state firing|recovery]
                                       alert groups with their alert counts
  alerts [--tenant T] [--state firing|recovery] [--filter 'name=~"re"']...
                                       alerts; every --filter matcher must match (Alertmanager syntax)
  sessions [--tenant T]                open sessions: user, id, role, created / last seen, expiry (no tokens)
  locks [--tenant T]                   held locks with owner (truncated) and remaining TTL
  queue [--tenant T] [--limit N]       delivery queue counts (every shard) and dead letters
  queue retry <id> | --all             put one / every dead letter back in the queue (ids are printed
                                       in full; a unique prefix of one is taken too)
  clear PATTERN [--dry-run] [--yes]    delete the keys matching a Redis glob (full key name, e.g.
                                       'herald:acme:alert:*') with SCAN + UNLINK in batches; asks for
                                       confirmation on a terminal, refuses without --yes otherwise
  watch [--interval 2s] [--tenant T] [--iterations N]
                                       live stats, redrawn every interval until Ctrl-C
  hash-secret <secret>                 print the scrypt hash of a password or API key for herald.tenants
  hash-secret -                        the same, reading the secret from standard input
${CHECK_CONFIG_HELP}
  help                                 this text ('heraldctl <command> --help' works too)

${NODE_HELP}
${HISTORY_HELP}

${CONNECTION_HELP}
  --count N              SCAN COUNT hint for key walks (stats, clear; default 500)

Tables fit the terminal's width (ids and matchers are never cut); piped or redirected output is
never cut.

exit codes:
  0  success
  1  runtime error: Redis or the node unreachable or failing, an error answered by the node's API
     (printed as it says it), dead letter not found, nothing confirmed...
  2  usage error: unknown command or flag, bad flag value, missing argument, clear refused
     without --yes when standard input is not a terminal`;

const CONNECTION_FLAGS: Record<string, FlagKind> = {
  url: 'string',
  host: 'string',
  port: 'string',
  db: 'string',
  password: 'string',
  username: 'string',
  'redis-cluster': 'string',
  'due-buckets': 'string',
  prefix: 'string',
  json: 'bool',
  help: 'bool',
  h: 'bool',
};

const COMMAND_FLAGS: Record<string, Record<string, FlagKind>> = {
  stats: { tenant: 'string', count: 'string' },
  groups: { tenant: 'string', state: 'string' },
  alerts: { tenant: 'string', state: 'string', filter: 'list' },
  sessions: { tenant: 'string' },
  locks: { tenant: 'string' },
  queue: { tenant: 'string', limit: 'string', all: 'bool' },
  clear: { 'dry-run': 'bool', yes: 'bool', y: 'bool', count: 'string' },
  watch: { interval: 'string', tenant: 'string', iterations: 'string', count: 'string' },
};

/** One heraldctl command: its flags (which take a value) and what runs it with the rest of the line. */
export interface CommandEntry {
  readonly flags: Readonly<Record<string, FlagKind>>;
  run(rest: string[], io: CliIo): Promise<number>;
}

// A Redis command: connection flags plus its own, parsed, help answered, then run against Redis.
const redisEntry = (name: string, flags: Record<string, FlagKind>): CommandEntry => ({
  flags: { ...CONNECTION_FLAGS, ...flags },
  run: async (rest, io) => {
    const args = parseArgs(rest, { ...CONNECTION_FLAGS, ...flags });
    if (bool(args, 'help') || bool(args, 'h')) {
      io.out(USAGE);
      return EXIT_OK;
    }
    return redisCommand(name, args, io);
  },
});

/**
 * Every command by name. A new command is one line here (its flags and a runner, usually from its own
 * file); unknown-command suggestions and flags written before the command read this table.
 */
export const COMMANDS: Record<string, CommandEntry> = {
  ...Object.fromEntries(Object.entries(COMMAND_FLAGS).map(([name, f]) => [name, redisEntry(name, f)])),
  'hash-secret': { flags: {}, run: hashSecretCmd },
  silences: { flags: SILENCES_FLAGS, run: nodeCommand },
  silence: { flags: SILENCE_ADD_FLAGS, run: silenceCmd },
  history: { flags: HISTORY_FLAGS, run: historyCommand },
  'check-config': {
    flags: CHECK_CONFIG_FLAGS,
    run: (rest, io) => {
      const args = parseArgs(rest, CHECK_CONFIG_FLAGS);
      if (bool(args, 'help') || bool(args, 'h')) {
        io.out(USAGE);
        return Promise.resolve(EXIT_OK);
      }
      return Promise.resolve(checkConfigCommand(args, io));
    },
  },
};

/** Listing commands: on a Redis without any Herald key they say so on stderr. */
const READS_HERALD_KEYS = new Set(['stats', 'groups', 'alerts', 'sessions', 'locks', 'queue']);

/** Runs one heraldctl command line; returns the process exit code (0 ok, 1 runtime, 2 usage). */
export async function run(argv: string[], io: CliIo): Promise<number> {
  try {
    const allFlags = Object.assign({}, ...Object.values(COMMANDS).map((c) => c.flags)) as Record<
      string,
      FlagKind
    >;
    const [cmd, ...rest] = hoistFlags(argv, allFlags, Object.keys(COMMANDS));
    switch (cmd) {
      case undefined:
        io.err(USAGE);
        return EXIT_USAGE;
      case 'help':
      case '--help':
      case '-h':
        io.out(USAGE);
        return EXIT_OK;
    }
    const entry = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
    if (entry) return await entry.run(rest, io);
    if (cmd.startsWith('-')) throw new UsageError(`a command is missing (flags alone: ${argv.join(' ')})`);
    const hint = closest(cmd, [...Object.keys(COMMANDS), 'help']);
    throw new UsageError(`unknown command ${JSON.stringify(cmd)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
  } catch (e) {
    if (e instanceof UsageError || (e instanceof Error && e.name === 'MatcherParseError')) {
      io.err(`heraldctl: ${e.message}`);
      io.err(`run 'heraldctl --help' for usage`);
      return EXIT_USAGE;
    }
    io.err(`heraldctl: ${e instanceof Error ? e.message : String(e)}`);
    return EXIT_RUNTIME;
  }
}

/** `heraldctl silences …` (and `silence query …`): flags parsed, help answered, then the listing. */
async function nodeCommand(rest: string[], io: CliIo): Promise<number> {
  const args = parseArgs(rest, SILENCES_FLAGS);
  if (bool(args, 'help') || bool(args, 'h')) {
    io.out(USAGE);
    return EXIT_OK;
  }
  return silencesCommand(args, io);
}

/** `heraldctl silence add|expire|query …` */
async function silenceCmd(rest: string[], io: CliIo): Promise<number> {
  const [sub, ...more] = rest;
  switch (sub) {
    case 'query':
      return nodeCommand(more, io);
    case 'add':
    case 'expire': {
      const args = parseArgs(more, sub === 'add' ? SILENCE_ADD_FLAGS : NODE_FLAGS);
      if (bool(args, 'help') || bool(args, 'h')) {
        io.out(USAGE);
        return EXIT_OK;
      }
      return sub === 'add' ? silenceAddCommand(args, io) : silenceExpireCommand(args, io);
    }
    case undefined:
      throw new UsageError('silence needs a subcommand: add, expire or query');
    default:
      throw new UsageError(`silence: unknown subcommand ${JSON.stringify(sub)} (add, expire, query)`);
  }
}

async function hashSecretCmd(rest: string[], io: CliIo): Promise<number> {
  if (rest.length !== 1) {
    io.err('usage: heraldctl hash-secret <secret>   (or - to read it from standard input)');
    return EXIT_USAGE;
  }
  const secret = rest[0] === '-' ? (await io.readStdin()).replace(/\r?\n$/, '') : rest[0];
  if (!secret) {
    io.err('heraldctl: the secret must not be empty');
    return EXIT_USAGE;
  }
  io.out(await hashSecret(secret));
  return EXIT_OK;
}

/** The Redis URL from --url or --host/--port/--db/--password/--username. */
export function redisUrl(a: ParsedArgs): string {
  const url = str(a, 'url');
  const parts = ['host', 'port', 'db', 'password', 'username'].filter((f) => a.flags.has(f));
  if (url !== undefined) {
    if (parts.length) throw new UsageError(`--url cannot be combined with --${parts.join(', --')}`);
    if (!/^rediss?:\/\//.test(url)) throw new UsageError(`--url must start with redis:// or rediss://`);
    return url;
  }
  const host = str(a, 'host') ?? '127.0.0.1';
  if (!host) throw new UsageError('--host must not be empty');
  const port = int(a, 'port', 6379, 1, 65535);
  const db = int(a, 'db', 0, 0, 100_000);
  const pw = str(a, 'password');
  const user = str(a, 'username');
  const auth = pw || user ? `${encodeURIComponent(user ?? '')}:${encodeURIComponent(pw ?? '')}@` : '';
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `redis://${auth}${h}:${port}/${db}`;
}

/**
 * Where the Redis commands connect: `--redis-cluster` (or, when no URL flag is given, the
 * REDIS_CLUSTER_NODES environment variable the server reads too) names a Cluster by seed nodes;
 * otherwise the URL of `redisUrl`.
 */
export function redisTarget(
  a: ParsedArgs,
  env: Readonly<Record<string, string | undefined>> = {},
  fromConfig?: () => RedisTarget | undefined,
): RedisTarget {
  const flag = str(a, 'redis-cluster');
  const urlFlags = ['url', 'host', 'port', 'db'].filter((f) => a.flags.has(f));
  if (flag !== undefined && urlFlags.length) {
    throw new UsageError(`--redis-cluster cannot be combined with --${urlFlags.join(', --')}`);
  }
  const fromEnv = env.REDIS_CLUSTER_NODES?.trim();
  const urlEnv = env.REDIS_URL?.trim();
  const noFlags = flag === undefined && !urlFlags.length;
  if (noFlags && fromEnv && urlEnv) {
    throw new UsageError('REDIS_URL and REDIS_CLUSTER_NODES are both set; set only one (as for the server)');
  }
  const nodes =
    flag !== undefined
      ? clusterNodes(flag, '--redis-cluster')
      : noFlags && fromEnv
        ? clusterNodes(fromEnv, 'REDIS_CLUSTER_NODES')
        : undefined;
  if (!nodes) {
    if (a.flags.has('due-buckets'))
      throw new UsageError('--due-buckets goes with a Redis Cluster (--redis-cluster)');
    // REDIS_URL as the server reads it, unless a flag names the connection or its credentials.
    const credFlags = ['password', 'username'].filter((f) => a.flags.has(f));
    if (noFlags && urlEnv) {
      if (credFlags.length)
        throw new UsageError(`--${credFlags.join(', --')} cannot be combined with REDIS_URL`);
      if (!/^rediss?:\/\//.test(urlEnv))
        throw new UsageError('REDIS_URL must start with redis:// or rediss://');
      return { url: urlEnv };
    }
    if (noFlags && !credFlags.length) {
      const t = fromConfig?.();
      if (t) return t;
    }
    return { url: redisUrl(a) };
  }
  const password = str(a, 'password');
  const username = str(a, 'username');
  return {
    cluster: {
      nodes,
      ...(password !== undefined && { password }),
      ...(username !== undefined && { username }),
    },
  };
}

/** `host:port,host:port` (IPv6 as `[::1]:port`) → the seed list; a usage error naming `what`. */
function clusterNodes(raw: string, what: string): string[] {
  const nodes = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (nodes.length === 0) throw new UsageError(`${what} must list at least one host:port`);
  for (const n of nodes) {
    const m = /^(\[[0-9a-fA-F:.]+\]|[^:[\]\s]+):(\d{1,5})$/.exec(n);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535)
      throw new UsageError(`${what}: ${JSON.stringify(n)} is not host:port`);
  }
  return nodes;
}

function stateFlag(a: ParsedArgs): StateFilter {
  const s = str(a, 'state');
  if (s === undefined) return undefined;
  if (s === 'firing' || s === 'recovery') return s;
  if (s === 'resolved') return 'recovery';
  throw new UsageError(`--state must be firing or recovery, got ${JSON.stringify(s)}`);
}

function noPositionals(cmd: string, a: ParsedArgs): void {
  if (a.positionals.length)
    throw new UsageError(`${cmd}: unexpected argument ${JSON.stringify(a.positionals[0])}`);
}

/** How a listing command prints its rows: JSON (`--json`), a table, or one line when there are none. */
interface Listing<R> {
  empty: string;
  /** The JSON form of a row (default: the row as it is). */
  json?: (r: R) => unknown;
  header: readonly string[];
  /** A table row; `now` is read once per listing. */
  row: (r: R, now: number) => (string | number)[];
  /** Columns never cut to fit the terminal (ids a reader copies into another command). */
  keep?: readonly number[];
}

function printRows<R>(io: CliIo, json: boolean, rows: readonly R[], l: Listing<R>): number {
  if (json) io.out(JSON.stringify(l.json ? rows.map(l.json) : rows, null, 2));
  else if (rows.length === 0) io.out(l.empty);
  else {
    const now = systemClock.now();
    table(
      l.header,
      rows.map((r) => l.row(r, now)),
      { keep: l.keep, width: io.columns },
    ).forEach((line) => io.out(line));
  }
  return EXIT_OK;
}

/**
 * herald.redis of the config files the node reads (HERALD_CONFIG, HERALD_SETTINGS), loaded once and
 * only when a flag or REDIS_URL / REDIS_CLUSTER_NODES does not already say it; undefined without them.
 */
function configRedis(env: Readonly<Record<string, string | undefined>>): () => RedisSettings | undefined {
  let loaded: { redis?: RedisSettings } | undefined;
  return () => {
    if (loaded) return loaded.redis;
    const files = { HERALD_CONFIG: env.HERALD_CONFIG, HERALD_SETTINGS: env.HERALD_SETTINGS };
    if (!files.HERALD_CONFIG?.trim() && !files.HERALD_SETTINGS?.trim()) {
      loaded = {};
      return undefined;
    }
    try {
      loaded = { redis: loadConfig({ env: files }).herald.redis };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const first = e.message.split('\n')[0];
      throw new Error(
        `the config of HERALD_CONFIG / HERALD_SETTINGS is invalid (${first}); run 'heraldctl check-config' for every problem, or pass --url / --prefix`,
      );
    }
    return loaded.redis;
  };
}

/**
 * The connection herald.redis describes (a Cluster's credentials and TLS included, as the node connects);
 * undefined in memory mode (nothing to inspect in Redis).
 */
export function targetOf(r: RedisSettings): RedisTarget | undefined {
  switch (r.mode) {
    case 'single':
      return { url: r.url };
    case 'cluster': {
      // The node's own translation (seed nodes, credentials, TLS): heraldctl connects as a node does.
      const cluster = redisConnectionOptions(r, 'heraldctl')?.cluster;
      if (!cluster) throw new Error('herald.redis: a Cluster config without cluster connection options');
      return { cluster };
    }
    case 'sentinel':
      throw new UsageError(
        'the config connects through Redis Sentinel, which heraldctl does not: pass --url of the current master',
      );
    case 'memory':
      return undefined;
  }
}

async function redisCommand(cmd: string, a: ParsedArgs, io: CliIo): Promise<number> {
  // Validate everything before connecting: a usage error must not depend on Redis being up.
  const config = configRedis(io.env ?? {});
  let fromConfig = false;
  const target = redisTarget(a, io.env, () => {
    const r = config();
    const t = r && targetOf(r);
    fromConfig = t !== undefined;
    return t;
  });
  const dueBuckets = a.flags.has('due-buckets')
    ? int(a, 'due-buckets', 48, 1, 1024)
    : fromConfig && 'cluster' in target
      ? config()?.dueBuckets
      : undefined;
  const prefix = str(a, 'prefix') ?? config()?.keyPrefix ?? 'herald';
  if (!prefix || /[\s{}]/.test(prefix))
    throw new UsageError(`--prefix ${JSON.stringify(prefix)} is not valid`);
  const tenant = str(a, 'tenant');
  if (tenant !== undefined && (!tenant || /[\s:{}*?[\]]/.test(tenant))) {
    throw new UsageError(`--tenant ${JSON.stringify(tenant)} is not a tenant id`);
  }
  const json = bool(a, 'json');
  const count = int(a, 'count', 500, 1, 1_000_000);
  let run: (c: Conn) => Promise<number>;
  switch (cmd) {
    case 'stats':
      noPositionals(cmd, a);
      run = async (c) => {
        const s = await collectStats(c, tenant, count);
        if (json) io.out(JSON.stringify(s, null, 2));
        else renderStats(s, io.columns).forEach((l) => io.out(l));
        return EXIT_OK;
      };
      break;
    case 'groups': {
      noPositionals(cmd, a);
      const state = stateFlag(a);
      run = async (c) =>
        printRows(io, json, await listGroups(c, tenant ? [tenant] : await tenants(c, 'groups'), state), {
          empty: 'no groups',
          json: (r) => ({ ...r, createdAt: iso(r.createdAt) }),
          header: ['TENANT', 'GROUP', 'RECEIVER', 'FIRING', 'RESOLVED', 'AGE', 'LABELS'],
          keep: [1],
          row: (r, now) => [
            r.tenant,
            r.groupId,
            r.receiver,
            r.firing,
            r.resolved,
            duration(now - r.createdAt),
            labelString(r.labels),
          ],
        });
      break;
    }
    case 'alerts': {
      noPositionals(cmd, a);
      const state = stateFlag(a);
      const matchers: Matcher[] = list(a, 'filter').map((f) => {
        try {
          return parseMatcher(f);
        } catch (e) {
          throw new UsageError(
            `--filter ${JSON.stringify(f)}: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      });
      run = async (c) =>
        printRows(
          io,
          json,
          await listAlerts(c, tenant ? [tenant] : await tenants(c, 'groups'), matchers, state),
          {
            empty: 'no alerts',
            json: (r) => ({
              tenant: r.tenant,
              groupId: r.groupId,
              fingerprint: r.alert.fingerprint,
              state: r.state,
              labels: r.alert.labels,
              annotations: r.alert.annotations,
              startsAt: iso(r.alert.startsAt),
              endsAt: iso(r.alert.endsAt),
              updatedAt: iso(r.alert.updatedAt),
              generatorURL: r.alert.generatorURL,
            }),
            header: ['TENANT', 'GROUP', 'STATE', 'ALERTNAME', 'STARTS', 'ENDS', 'LABELS'],
            keep: [1],
            row: (r) => [
              r.tenant,
              r.groupId,
              r.state,
              r.alert.labels.alertname ?? '',
              iso(r.alert.startsAt),
              iso(r.alert.endsAt),
              labelString(r.alert.labels),
            ],
          },
        );
      break;
    }
    case 'sessions':
      noPositionals(cmd, a);
      run = async (c) =>
        printRows(io, json, await listSessions(c, tenant ? [tenant] : await tenants(c, 'sessions')), {
          empty: 'no sessions',
          json: (r) => ({
            ...r,
            createdAt: iso(r.createdAt),
            lastSeenAt: iso(r.lastSeenAt),
            idleExpiresAt: iso(r.idleExpiresAt),
            absoluteExpiresAt: iso(r.absoluteExpiresAt),
          }),
          header: [
            'TENANT',
            'USER',
            'ROLE',
            'SESSION ID',
            'CREATED',
            'LAST SEEN',
            'EXPIRES IN',
            'ABSOLUTE',
            'IP',
          ],
          keep: [3],
          row: (r, now) => [
            r.tenant,
            r.user,
            r.role,
            r.id,
            iso(r.createdAt),
            `${duration(now - r.lastSeenAt)} ago`,
            duration(r.ttlMs >= 0 ? r.ttlMs : r.idleExpiresAt - now),
            duration(r.absoluteExpiresAt - now),
            r.ip,
          ],
        });
      break;
    case 'locks':
      noPositionals(cmd, a);
      run = async (c) =>
        printRows(io, json, await listLocks(c, tenant), {
          empty: 'no locks held',
          header: ['TENANT', 'KIND', 'ID', 'OWNER', 'TTL', 'KEY'],
          keep: [2, 5],
          row: (r) => [r.tenant, r.kind, r.id, r.owner, r.ttlMs >= 0 ? duration(r.ttlMs) : 'none', r.key],
        });
      break;
    case 'queue':
      run = queueCommand(a, io, tenant, json);
      break;
    case 'clear':
      run = clearCommand(a, io, json, count);
      break;
    case 'watch':
      run = watchCommand(a, io, tenant, json, count);
      break;
    default:
      throw new UsageError(`unknown command ${JSON.stringify(cmd)}`);
  }
  const c = await connect(target, prefix, cmd === 'watch', dueBuckets);
  try {
    // 0 groups from the wrong Redis (or prefix) must not read as "nothing is firing".
    if (READS_HERALD_KEYS.has(cmd) && !(await hasHeraldKeys(c))) {
      io.err(
        `heraldctl: no Herald keys under prefix ${JSON.stringify(prefix)} on ${c.where}: is this the Redis the nodes use (--url, REDIS_URL, REDIS_CLUSTER_NODES, HERALD_CONFIG) and their key prefix (--prefix)?`,
      );
    }
    return await run(c);
  } finally {
    c.redis.disconnect();
  }
}

// ----------------------------------------------------------------------------------------------- stats

interface Stats {
  redis: {
    url: string;
    /** Masters added up (a Redis Cluster: every figure below is their sum). */
    masters: number;
    version: string;
    uptimeSec: number;
    clients: number;
    opsPerSec: number;
  };
  prefix: string;
  keys: { dbsize: number; herald: number; byKind: Record<string, number> };
  memory: { used: number; usedHuman: string; peakHuman: string; maxmemory: number; policy: string };
  keyspace: { hits: number; misses: number; hitRate: number | null };
  tenants: Awaited<ReturnType<typeof tenantCounts>>[];
  totals: { groups: number; firingAlerts: number; resolvedAlerts: number };
  queue: Awaited<ReturnType<typeof queueCounts>>;
}

async function collectStats(c: Conn, tenant: string | undefined, count: number): Promise<Stats> {
  const [server, keys, queue, names] = await Promise.all([
    serverStats(c),
    keyStats(c, count),
    queueCounts(c),
    tenant ? Promise.resolve([tenant]) : tenants(c, 'groups'),
  ]);
  const perTenant = await Promise.all(names.map((t) => tenantCounts(c, t)));
  return {
    redis: {
      url: c.where,
      masters: server.masters,
      version: server.redisVersion,
      uptimeSec: server.uptimeSec,
      clients: server.connectedClients,
      opsPerSec: server.opsPerSec,
    },
    prefix: c.prefix,
    keys,
    memory: server.memory,
    keyspace: server.keyspace,
    tenants: perTenant,
    totals: {
      groups: perTenant.reduce((n, t) => n + t.groups, 0),
      firingAlerts: perTenant.reduce((n, t) => n + t.firingAlerts, 0),
      resolvedAlerts: perTenant.reduce((n, t) => n + t.resolvedAlerts, 0),
    },
    queue,
  };
}

function renderStats(s: Stats, width?: number): string[] {
  const kinds = Object.keys(s.keys.byKind)
    .sort()
    .map((k) => `${k}=${s.keys.byKind[k]}`)
    .join(' ');
  const hit = s.keyspace.hitRate === null ? 'n/a' : `${(s.keyspace.hitRate * 100).toFixed(1)}%`;
  const out = pairs([
    [
      'redis',
      `${s.redis.url} (${s.redis.masters > 1 ? `${s.redis.masters} masters, ` : ''}v${s.redis.version}, up ${duration(s.redis.uptimeSec * 1000)}, ${s.redis.clients} clients, ${s.redis.opsPerSec} ops/s)`,
    ],
    ['keys', `${s.keys.dbsize} in db, ${s.keys.herald} under prefix ${JSON.stringify(s.prefix)}`],
    ['by kind', kinds || '-'],
    [
      'memory',
      `${s.memory.usedHuman} used (peak ${s.memory.peakHuman}), maxmemory ${s.memory.maxmemory || 'unlimited'}, policy ${s.memory.policy}`,
    ],
    ['hit/miss', `${s.keyspace.hits} / ${s.keyspace.misses} (hit rate ${hit})`],
    [
      'queue',
      `waiting ${s.queue.waiting}, active ${s.queue.active}, delayed ${s.queue.delayed}, dead ${s.queue.dead}, completed ${s.queue.completed}`,
    ],
    [
      'groups',
      `${s.totals.groups} (alerts: ${s.totals.firingAlerts} firing, ${s.totals.resolvedAlerts} resolved)`,
    ],
  ]);
  if (s.tenants.length) {
    out.push('');
    out.push(
      ...table(
        ['TENANT', 'GROUPS', 'FIRING GROUPS', 'RECOVERY GROUPS', 'FIRING ALERTS', 'RESOLVED ALERTS'],
        s.tenants.map((t) => [
          t.tenant,
          t.groups,
          t.firingGroups,
          t.recoveryGroups,
          t.firingAlerts,
          t.resolvedAlerts,
        ]),
        { width },
      ),
    );
  }
  return out;
}

// ----------------------------------------------------------------------------------------------- queue

function queueCommand(
  a: ParsedArgs,
  io: CliIo,
  tenant: string | undefined,
  json: boolean,
): (c: Conn) => Promise<number> {
  const [sub, id, ...extra] = a.positionals;
  const all = bool(a, 'all');
  const limit = int(a, 'limit', 100, 1, 100_000);
  if (sub !== undefined && sub !== 'retry')
    throw new UsageError(`queue: unknown subcommand ${JSON.stringify(sub)}`);
  if (sub === 'retry') {
    if (extra.length) throw new UsageError(`queue retry: unexpected argument ${JSON.stringify(extra[0])}`);
    if (all === (id !== undefined))
      throw new UsageError('queue retry needs a dead letter id or --all (not both)');
  } else if (all) throw new UsageError('--all goes with queue retry');

  return async (c) => {
    if (sub !== 'retry') {
      const shards = await shardQueueCounts(c);
      const counts = sumCounts(shards);
      const dead = (await deadLetters(c, limit)).filter((d) => !tenant || d.tenant === tenant);
      if (json) {
        const deadOut = dead.map((d) => ({ ...d, failedAt: iso(d.failedAt) }));
        // One queue: the shape of before sharding; several: each shard's counts too.
        const out =
          shards.length > 1 ? { counts, shards, deadLetters: deadOut } : { counts, deadLetters: deadOut };
        io.out(JSON.stringify(out, null, 2));
        return EXIT_OK;
      }
      const line = (q: QueueCounts) =>
        `waiting ${q.waiting}  active ${q.active}  delayed ${q.delayed}  dead ${q.dead}  completed ${q.completed}`;
      if (shards.length === 1) io.out(`queue ${shards[0].queue}  ${line(counts)}`);
      else {
        io.out(`queue ${c.keys.deliveryQueue()} over ${shards.length} shards  ${line(counts)}`);
        for (const s of shards) io.out(`  ${s.queue}  ${line(s)}`);
      }
      if (dead.length) {
        io.out('');
        table(
          ['ID', 'TENANT', 'RECEIVER', 'STATE', 'ATTEMPTS', 'FAILED AT', 'LAST ERROR'],
          dead.map((d) => [
            d.id,
            d.tenant,
            d.receiver,
            d.state,
            d.attempts,
            iso(d.failedAt),
            `${d.lastError.integration}: ${d.lastError.reason}: ${d.lastError.message}`,
          ]),
          { keep: [0], width: io.columns },
        ).forEach((l) => io.out(l));
      }
      return EXIT_OK;
    }
    // Which shard holds each dead letter to retry (a job id lives in one queue).
    const byPrefix = new Map<string, string[]>();
    if (all) {
      for (const d of await deadLetters(c, 1_000_000)) {
        if (tenant && d.tenant !== tenant) continue;
        const prefix = d.queue.slice(0, d.queue.length - DELIVERY_QUEUE.length - 1);
        byPrefix.set(prefix, [...(byPrefix.get(prefix) ?? []), d.id]);
      }
    } else {
      const prefixes = await deliveryPrefixes(c);
      const scores = await Promise.all(
        prefixes.map((p) => c.redis.zscore(c.keys.deliveryQueueKey('failed', DELIVERY_QUEUE, p), id)),
      );
      prefixes.forEach((p, i) => scores[i] !== null && byPrefix.set(p, [id]));
      if (byPrefix.size === 0) {
        // Not a whole id: the one dead letter whose id starts with it (ambiguous or none: an error).
        const dead = await deadLetters(c, 1_000_000);
        let full: string;
        try {
          full = resolveIdPrefix(
            id,
            dead.map((d) => d.id),
            'dead letter',
          );
        } catch (e) {
          if (!(e instanceof IdNotFoundError)) throw e;
          io.err(`heraldctl: ${e.message}`);
          return EXIT_RUNTIME;
        }
        for (const d of dead.filter((x) => x.id === full)) {
          byPrefix.set(d.queue.slice(0, d.queue.length - DELIVERY_QUEUE.length - 1), [full]);
        }
      }
    }
    const retried: string[] = [];
    // Retrying goes through BullMQ itself (job state moves atomically, attempts reset), in the shard's
    // queue; only shards holding one are opened (a BullMQ Queue writes its `meta` key).
    for (const [bullPrefix, ids] of byPrefix) {
      const q = new BullMqDeliveryQueue({
        connection: redisConnection(targetOptions(c.target)),
        name: 'heraldctl',
        resolve: () => undefined,
        bullPrefix,
        rateLimitPrefix: c.keys.rateLimitPrefix(),
        deadLetterIndex: (t) => c.keys.deadLetterIndex(t, DELIVERY_QUEUE, bullPrefix),
        checkEviction: false,
        worker: false,
      });
      try {
        await q.start();
        for (const i of ids) if (await q.retryDeadLetter(i)) retried.push(i);
      } finally {
        await q.close(2000);
      }
    }
    if (!all && retried.length === 0) {
      io.err(`heraldctl: no dead letter with id ${JSON.stringify(id)}`);
      return EXIT_RUNTIME;
    }
    if (json) io.out(JSON.stringify({ retried }, null, 2));
    else io.out(`retried ${retried.length} dead letter${retried.length === 1 ? '' : 's'}`);
    return EXIT_OK;
  };
}

function sumCounts(shards: readonly QueueCounts[]): QueueCounts {
  const sum: QueueCounts = { waiting: 0, active: 0, delayed: 0, dead: 0, completed: 0 };
  for (const s of shards) for (const k of Object.keys(sum) as (keyof QueueCounts)[]) sum[k] += s[k];
  return sum;
}

// ----------------------------------------------------------------------------------------------- clear

function clearCommand(a: ParsedArgs, io: CliIo, json: boolean, count: number): (c: Conn) => Promise<number> {
  if (a.positionals.length !== 1) throw new UsageError('clear needs exactly one PATTERN (a Redis glob)');
  const pattern = a.positionals[0];
  if (!pattern) throw new UsageError('clear: the pattern must not be empty');
  const dryRun = bool(a, 'dry-run');
  const yes = bool(a, 'yes') || bool(a, 'y');
  if (!dryRun && !yes && !(io.isTTY && io.prompt)) {
    throw new UsageError(
      `clear ${JSON.stringify(pattern)}: refusing to delete without --yes (standard input is not a terminal)`,
    );
  }
  return async (c) => {
    if (dryRun) {
      const keys = await matchingKeys(c, pattern, count);
      if (json) io.out(JSON.stringify({ pattern, dryRun: true, matched: keys.length, keys }, null, 2));
      else {
        keys.forEach((k) => io.out(k));
        io.out(`${keys.length} key${keys.length === 1 ? '' : 's'} would be deleted (dry run)`);
      }
      return EXIT_OK;
    }
    if (!yes && io.prompt) {
      const keys = await matchingKeys(c, pattern, count);
      if (keys.length === 0) {
        io.out(`no key matches ${JSON.stringify(pattern)}`);
        return EXIT_OK;
      }
      keys.slice(0, 10).forEach((k) => io.err(`  ${k}`));
      if (keys.length > 10) io.err(`  … and ${keys.length - 10} more`);
      const answer = await io.prompt(
        `Delete ${keys.length} keys matching ${JSON.stringify(pattern)} on ${c.where}? [y/N] `,
      );
      if (!/^y(es)?$/i.test(answer.trim())) {
        io.err('heraldctl: nothing deleted');
        return EXIT_RUNTIME;
      }
    }
    const deleted = await unlinkMatching(c, pattern, count);
    if (json) io.out(JSON.stringify({ pattern, dryRun: false, deleted }, null, 2));
    else io.out(`deleted ${deleted} key${deleted === 1 ? '' : 's'} matching ${JSON.stringify(pattern)}`);
    return EXIT_OK;
  };
}

// ----------------------------------------------------------------------------------------------- watch

const CLEAR_SCREEN = '\x1b[2J\x1b[H';

function watchCommand(
  a: ParsedArgs,
  io: CliIo,
  tenant: string | undefined,
  json: boolean,
  count: number,
): (c: Conn) => Promise<number> {
  noPositionals('watch', a);
  const raw = str(a, 'interval') ?? '2s';
  const interval = parseDuration(raw);
  if (interval === null || interval < 100 || interval > 3_600_000) {
    throw new UsageError(
      `--interval must be a duration between 100ms and 1h (e.g. 2s, 500ms), got ${JSON.stringify(raw)}`,
    );
  }
  const iterations = int(a, 'iterations', 0, 0, 1_000_000_000); // 0 = until Ctrl-C
  const write = io.write ?? ((s: string) => io.out(s.replace(/\n$/, '')));
  return async (c) => {
    for (let i = 0; !io.signal?.aborted && (iterations === 0 || i < iterations); i++) {
      let body: string[];
      try {
        const s = await collectStats(c, tenant, count);
        body = json ? [JSON.stringify({ at: new Date().toISOString(), ...s })] : renderStats(s, io.columns);
      } catch (e) {
        const msg = `error: ${e instanceof Error ? e.message : String(e)} (retrying)`;
        body = json ? [JSON.stringify({ at: new Date().toISOString(), error: msg })] : [msg];
      }
      if (json) write(`${body[0]}\n`);
      else {
        const head = `heraldctl watch  ${c.where}  every ${raw}  ${iso(systemClock.now())}  (Ctrl-C to quit)`;
        write(`${CLEAR_SCREEN}${head}\n\n${body.join('\n')}\n`);
      }
      if (iterations !== 0 && i + 1 >= iterations) break;
      await sleep(interval, io.signal);
    }
    return EXIT_OK;
  };
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
