import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { buildRouteTree, ConfigError, type RouteConfig } from '@herald/domain';
import { LineCounter, parseDocument, stringify } from 'yaml';
import {
  checkRouteReferences,
  parseGlobal,
  parseInhibitRules,
  parseReceivers,
} from './alertmanager-sections';
import { parseRoles } from './cluster-settings';
import { asObject, checkKeys, hostPort, idx, optList, redisUrl, show, stringList } from './fields';
import type { HeraldConfig, HostPort, TimeIntervalConfig } from './herald-config';
import { logLevel, parseHerald, type HeraldOverrides } from './herald-section';
import { trustedProxiesFromEnv } from './http-settings';
import { redactYaml } from './redact';
import { loadTemplateFiles } from './templates';
import { parseNamedTimeInterval } from './time-intervals';

/** What `loadConfig` reads: the environment, and optionally the YAML text or a file path. */
export interface LoadConfigOptions {
  /** Environment variables; only the HERALD_* / REDIS_URL / REDIS_CLUSTER_NODES / PORT ones are read. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** YAML text; wins over `filePath` and `HERALD_CONFIG`. */
  readonly fileText?: string;
  /** A YAML file to read; wins over `HERALD_CONFIG`. With `fileText`, used only in messages. */
  readonly filePath?: string;
  /** Host name for the `node_id` / `external_url` defaults (tests pin it; default `os.hostname()`). */
  readonly hostname?: string;
}

const TOP_LEVEL_KEYS = [
  'global',
  'route',
  'receivers',
  'inhibit_rules',
  'time_intervals',
  'mute_time_intervals',
  'templates',
  'tracing',
  'herald',
];

/**
 * The zero-config Alertmanager sections. Alertmanager itself refuses to start without a config;
 * Herald starts with one receiver `default` (no integrations: alerts are grouped and visible in the
 * API, nothing is sent) and one route grouping by `alertname`, so `npm start` works out of the box.
 */
export const ZERO_CONFIG = {
  route: { receiver: 'default', group_by: ['alertname'] },
  receivers: [{ name: 'default' }],
} as const;

/**
 * Loads, validates and returns the configuration; throws `ConfigError` naming the dotted path of the
 * first problem. Source: `fileText`, else `filePath`, else the file named by `HERALD_CONFIG`, else the
 * zero-config default. Environment overrides (empty values count as unset, as docker-compose passes
 * them): `REDIS_URL` (replaces herald.redis.url/sentinel/cluster), `REDIS_CLUSTER_NODES`
 * (comma-separated `host:port` seeds; replaces the connection with a cluster one, keeping the file's
 * herald.redis.cluster credentials and TLS; not together with REDIS_URL), `PORT`, `HERALD_LISTEN_ADDRESS`,
 * `HERALD_NODE_ID`, `HERALD_LOG_LEVEL`,
 * `HERALD_TRUSTED_PROXIES` (comma-separated CIDRs, `none`; replaces herald.http.trusted_proxies),
 * `HERALD_ROLES` (comma-separated roles; replaces herald.roles).
 */
export function loadConfig(opts: LoadConfigOptions): HeraldConfig {
  const env = (name: string): string | undefined => {
    const v = opts.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const overrides = envOverrides(env);
  const hostname = opts.hostname ?? osHostname();

  let text: string | undefined = opts.fileText;
  let source = opts.filePath ?? (text !== undefined ? '<inline>' : undefined);
  if (text === undefined) {
    const path = opts.filePath ?? env('HERALD_CONFIG');
    if (path !== undefined) {
      text = readConfigFile(path, opts.filePath !== undefined ? path : 'HERALD_CONFIG');
      source = path;
    }
  }
  if (text === undefined) {
    const original = `# Herald zero-config default (no HERALD_CONFIG given)\n${stringify(ZERO_CONFIG)}`;
    return build(ZERO_CONFIG, original, '<default>', overrides, hostname, opts.env);
  }
  return build(
    parseYaml(text, source ?? '<inline>'),
    text,
    source ?? '<inline>',
    overrides,
    hostname,
    opts.env,
  );
}

/** Loads the configuration from `process.env`: the only place in Herald that reads the environment. */
export function loadConfigFromEnvironment(): HeraldConfig {
  return loadConfig({ env: process.env });
}

function envOverrides(env: (name: string) => string | undefined): HeraldOverrides {
  const overrides: HeraldOverrides = {};
  const port = env('PORT');
  if (port !== undefined) {
    const n = /^\d+$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= 65535))
      throw new ConfigError('PORT', `must be an integer port 1..65535, got ${show(port)}`);
    overrides.port = n;
  }
  const listenAddress = env('HERALD_LISTEN_ADDRESS');
  if (listenAddress !== undefined) overrides.listenAddress = listenAddress;
  const url = env('REDIS_URL');
  const clusterNodes = env('REDIS_CLUSTER_NODES');
  if (url !== undefined && clusterNodes !== undefined) {
    throw new ConfigError(
      'REDIS_CLUSTER_NODES',
      'REDIS_URL and REDIS_CLUSTER_NODES are mutually exclusive; set only one',
    );
  }
  if (url !== undefined) overrides.redisUrl = redisUrl(url, 'REDIS_URL');
  if (clusterNodes !== undefined) overrides.redisClusterNodes = clusterNodesFromEnv(clusterNodes);
  const nodeId = env('HERALD_NODE_ID');
  if (nodeId !== undefined) overrides.nodeId = nodeId;
  const level = env('HERALD_LOG_LEVEL');
  if (level !== undefined) overrides.logLevel = logLevel(level.toLowerCase(), 'HERALD_LOG_LEVEL');
  const proxies = env('HERALD_TRUSTED_PROXIES');
  if (proxies !== undefined)
    overrides.trustedProxies = trustedProxiesFromEnv(proxies, 'HERALD_TRUSTED_PROXIES');
  const roles = env('HERALD_ROLES');
  if (roles !== undefined) overrides.roles = parseRoles(roles, 'HERALD_ROLES');
  return overrides;
}

/** `REDIS_CLUSTER_NODES`: comma-separated `host:port` seeds (at least one). */
function clusterNodesFromEnv(value: string): HostPort[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0) {
    throw new ConfigError('REDIS_CLUSTER_NODES', 'must list at least one "host:port" (comma-separated)');
  }
  return items.map((s, i) => hostPort(s, idx('REDIS_CLUSTER_NODES', i)));
}

function readConfigFile(path: string, errorPath: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (e as Error).message;
    throw new ConfigError(errorPath, `cannot read config file ${show(path)}: ${why}`);
  }
}

// YAML 1.2 core schema: unquoted `17:00` stays a string (YAML 1.1 would read it as sexagesimal 1020).
function parseYaml(text: string, source: string): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  const err = doc.errors[0];
  if (err) {
    const pos = lineCounter.linePos(err.pos[0]);
    const where = `${source}:${pos.line}:${pos.col}`;
    throw new ConfigError(where, `YAML syntax error: ${err.message.split('\n')[0]}`);
  }
  return doc.toJS({ maxAliasCount: 1000 });
}

function build(
  parsed: unknown,
  original: string,
  source: string,
  overrides: HeraldOverrides,
  hostname: string,
  env: Readonly<Record<string, string | undefined>>,
): HeraldConfig {
  // An empty file is an empty mapping; a Herald-only file gets the zero-config routing.
  const raw = parsed === null || parsed === undefined ? {} : asObject(parsed, '(top level)');
  checkKeys(raw, TOP_LEVEL_KEYS, '');
  const am = raw.route === undefined && raw.receivers === undefined ? { ...raw, ...ZERO_CONFIG } : raw;
  if (am.route == null)
    throw new ConfigError('route', 'required (Alertmanager format: at least `receiver:`)');

  const warnings: string[] = [];
  // Relative paths (templates, http_config files) are the config file's directory's, as in Alertmanager.
  const baseDir = source.startsWith('<') ? undefined : dirname(resolve(source));
  const global = parseGlobal(am.global, { baseDir });
  const templates = stringList(am.templates, 'templates');
  const templateFiles = loadTemplateFiles(templates, source, warnings);
  const receivers = parseReceivers(am.receivers, global, warnings, undefined, { baseDir, env });
  const timeIntervals = parseTimeIntervals(am.time_intervals, am.mute_time_intervals);
  if (am.tracing != null) warnings.push('tracing: not used by Herald; ignored');

  // herald.label_names decides which names the route tree and inhibit rules accept, so it is read first.
  const herald = parseHerald(raw.herald, overrides, hostname, baseDir);
  const labelNames = herald.labelNames;

  // Structure first (the domain names typos in route fields), then references to the other sections.
  const route = am.route as RouteConfig;
  const routeTree = buildRouteTree(route, { path: 'route', labelNames });
  checkRouteReferences(
    route,
    new Set(receivers.map((r) => r.name)),
    new Set(timeIntervals.map((t) => t.name)),
  );

  if (!herald.allowUnsupportedReceivers) {
    // A page routed to an integration Herald cannot send must not vanish at 3 a.m.: refuse to start.
    receivers.forEach((r, i) => {
      if (r.unsupportedKinds.length === 0) return;
      throw new ConfigError(
        `receivers[${i}].${r.unsupportedKinds[0]}`,
        `receiver ${show(r.name)}: Herald cannot deliver ${r.unsupportedKinds.join(', ')} (not a receiver kind Herald knows: a newer Alertmanager's, or a typo); remove it, route elsewhere, or set herald.allow_unsupported_receivers: true to start anyway (its notifications are then logged and counted as unsupported, never sent)`,
      );
    });
  }

  return {
    global,
    route,
    routeTree,
    receivers,
    inhibitRules: parseInhibitRules(am.inhibit_rules, { labelNames }),
    timeIntervals,
    templates,
    templateFiles,
    herald,
    warnings,
    original,
    originalRedacted: redactYaml(original),
    source,
  };
}

// Both sections share one namespace, as in Alertmanager (a route may name either).
function parseTimeIntervals(current: unknown, legacy: unknown): TimeIntervalConfig[] {
  const seen = new Map<string, string>();
  const all: TimeIntervalConfig[] = [];
  for (const section of ['time_intervals', 'mute_time_intervals'] as const) {
    const list = optList(section === 'time_intervals' ? current : legacy, section);
    list.forEach((v, i) => {
      const path = idx(section, i);
      const ti = parseNamedTimeInterval(v, path);
      if (seen.has(ti.name)) {
        throw new ConfigError(
          `${path}.name`,
          `duplicate time interval name ${show(ti.name)} (first at ${seen.get(ti.name)})`,
        );
      }
      seen.set(ti.name, path);
      all.push(ti);
    });
  }
  return all;
}
