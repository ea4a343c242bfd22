import { readFileSync } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { buildRouteTree, ConfigError, type RouteConfig } from '@herald/domain';
import { LineCounter, parseDocument, stringify, type Document } from 'yaml';
import {
  checkRouteReferences,
  parseGlobal,
  parseInhibitRules,
  parseReceivers,
} from './alertmanager-sections';
import { parseRoles } from './cluster-settings';
import { ConfigErrors, ErrorSink, locatePath, problemsOf, type ConfigProblem } from './config-errors';
import { asObject, checkKeys, hostPort, idx, optList, redisUrl, show, stringList } from './fields';
import { MAX_WORKERS, type HeraldConfig, type HostPort, type TimeIntervalConfig } from './herald-config';
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
  /** Herald's settings file (the `herald:` section's contents at its top level); wins over `HERALD_SETTINGS`. */
  readonly settingsPath?: string;
  /** The settings file's text; wins over `settingsPath` (then used only in messages). */
  readonly settingsText?: string;
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

/** A YAML file as parsed, kept to locate problems by their dotted paths. */
interface ParsedFile {
  readonly source: string;
  readonly doc: Document;
  readonly lineCounter: LineCounter;
  readonly value: unknown;
  readonly text: string;
}

/**
 * Loads, validates and returns the configuration. On problems it throws one `ConfigError` (a
 * `ConfigErrors`) listing every problem found, each with its dotted path and `file:line:col`; its
 * `path` and first message line are the first problem's. Source: `fileText`, else `filePath`, else the
 * file named by `HERALD_CONFIG`, else the zero-config default; an empty file is an error. Herald's own
 * settings may come from a separate file (`settingsText` / `settingsPath` / `HERALD_SETTINGS`) whose top
 * level is the `herald:` section's contents, beside an untouched alertmanager.yml (a `herald:` section
 * in both is an error). Environment overrides (empty values count as unset, as docker-compose passes
 * them): `REDIS_URL` (replaces herald.redis.url/sentinel/cluster), `REDIS_CLUSTER_NODES`
 * (comma-separated `host:port` seeds; replaces the connection with a cluster one, keeping the file's
 * herald.redis.cluster credentials and TLS; not together with REDIS_URL), `PORT`, `HERALD_LISTEN_ADDRESS`,
 * `HERALD_NODE_ID`, `HERALD_LOG_LEVEL`,
 * `HERALD_TRUSTED_PROXIES` (comma-separated CIDRs, `none`; replaces herald.http.trusted_proxies),
 * `HERALD_ROLES` (comma-separated roles; replaces herald.roles), `HERALD_WORKERS` (replaces herald.workers).
 */
export function loadConfig(opts: LoadConfigOptions): HeraldConfig {
  const env = (name: string): string | undefined => {
    const v = opts.env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };
  const sink = new ErrorSink();
  const overrides = envOverrides(env, sink);
  const envProblems = sink.problems.length;
  const hostname = opts.hostname ?? osHostname();

  // The Alertmanager file (or the one combined file).
  let text: string | undefined = opts.fileText;
  let source = opts.filePath ?? (text !== undefined ? '<inline>' : undefined);
  let errorPath = opts.filePath ?? '(top level)';
  if (text === undefined) {
    const path = opts.filePath ?? env('HERALD_CONFIG');
    if (path !== undefined) {
      errorPath = opts.filePath !== undefined ? path : 'HERALD_CONFIG';
      text = sink.run(() => readConfigFile(path, errorPath), '');
      source = path;
    }
  }
  // Herald's settings file, when separate.
  let settingsText = opts.settingsText;
  const settingsPath = opts.settingsPath ?? env('HERALD_SETTINGS');
  const settingsErrorPath = opts.settingsPath ?? 'HERALD_SETTINGS';
  if (settingsText === undefined && settingsPath !== undefined) {
    settingsText = sink.run(() => readConfigFile(settingsPath, settingsErrorPath), '');
  }
  const settingsSource = settingsPath ?? (settingsText !== undefined ? '<settings>' : undefined);
  const unread = sink.problems.length - envProblems;
  const main =
    text !== undefined && unread === 0 ? parseFile(text, source ?? '<inline>', errorPath, sink) : undefined;
  const settings =
    settingsText !== undefined && unread === 0
      ? parseFile(settingsText, settingsSource ?? '<settings>', settingsErrorPath, sink)
      : undefined;
  // Unreadable, empty or not YAML: nothing further can be checked.
  if (sink.problems.length > envProblems) throw new ConfigErrors(sink.problems);

  if (main === undefined) {
    const original = `# Herald zero-config default (no HERALD_CONFIG given)\n${stringify(ZERO_CONFIG)}`;
    return build(ZERO_CONFIG, original, '<default>', settings, overrides, hostname, opts.env, sink);
  }
  return build(main.value, main.text, main.source, settings, overrides, hostname, opts.env, sink, main);
}

/** Loads the configuration from `process.env`: the only place in Herald that reads the environment. */
export function loadConfigFromEnvironment(): HeraldConfig {
  return loadConfig({ env: process.env });
}

// Each variable is checked on its own: every bad one is reported (with the file's problems).
function envOverrides(env: (name: string) => string | undefined, sink: ErrorSink): HeraldOverrides {
  const overrides: HeraldOverrides = {};
  const port = env('PORT');
  if (port !== undefined) {
    const n = /^\d+$/.test(port) ? Number(port) : NaN;
    if (!(n >= 1 && n <= 65535)) sink.add('PORT', `must be an integer port 1..65535, got ${show(port)}`);
    else overrides.port = n;
  }
  const listenAddress = env('HERALD_LISTEN_ADDRESS');
  if (listenAddress !== undefined) overrides.listenAddress = listenAddress;
  const url = env('REDIS_URL');
  const clusterNodes = env('REDIS_CLUSTER_NODES');
  if (url !== undefined && clusterNodes !== undefined) {
    sink.add('REDIS_CLUSTER_NODES', 'REDIS_URL and REDIS_CLUSTER_NODES are mutually exclusive; set only one');
  } else {
    if (url !== undefined) overrides.redisUrl = sink.run(() => redisUrl(url, 'REDIS_URL'), undefined);
    if (clusterNodes !== undefined)
      overrides.redisClusterNodes = sink.run(() => clusterNodesFromEnv(clusterNodes), undefined);
  }
  const nodeId = env('HERALD_NODE_ID');
  if (nodeId !== undefined) overrides.nodeId = nodeId;
  const level = env('HERALD_LOG_LEVEL');
  if (level !== undefined)
    overrides.logLevel = sink.run(() => logLevel(level.toLowerCase(), 'HERALD_LOG_LEVEL'), undefined);
  const proxies = env('HERALD_TRUSTED_PROXIES');
  if (proxies !== undefined)
    overrides.trustedProxies = sink.run(
      () => trustedProxiesFromEnv(proxies, 'HERALD_TRUSTED_PROXIES'),
      undefined,
    );
  const roles = env('HERALD_ROLES');
  if (roles !== undefined) overrides.roles = sink.run(() => parseRoles(roles, 'HERALD_ROLES'), undefined);
  const workers = env('HERALD_WORKERS');
  if (workers !== undefined) {
    const n = /^\d+$/.test(workers) ? Number(workers) : NaN;
    if (!(n >= 1 && n <= MAX_WORKERS))
      sink.add('HERALD_WORKERS', `must be an integer 1..${MAX_WORKERS}, got ${show(workers)}`);
    else overrides.workers = n;
  }
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
// Problems (every syntax error, or an empty file) go to the sink; undefined then.
function parseFile(text: string, source: string, errorPath: string, sink: ErrorSink): ParsedFile | undefined {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, lineCounter });
  if (doc.errors.length > 0) {
    for (const err of doc.errors) {
      const { line, col } = lineCounter.linePos(err.pos[0]);
      sink.problems.push({
        path: `${source}:${line}:${col}`,
        message: `YAML syntax error: ${err.message.split('\n')[0]}`,
        file: source,
        line,
        col,
      });
    }
    return undefined;
  }
  const value: unknown = doc.toJS({ maxAliasCount: 1000 });
  // Nothing but blanks or comments: a file that lost its content (a bad mount, a truncated deploy)
  // must not start a node with the zero-config default.
  if (value === null || value === undefined) {
    sink.add(
      errorPath,
      `config file ${show(source)} is empty${errorPath === 'HERALD_CONFIG' ? ' (for the zero-config default, leave HERALD_CONFIG unset)' : ''}`,
    );
    return undefined;
  }
  return { source, doc, lineCounter, value, text };
}

/** Names of a raw list's `name:` entries (the references a failed section still lets the route check). */
function rawNames(value: unknown): Set<string> {
  const names = new Set<string>();
  if (Array.isArray(value)) {
    for (const v of value) {
      const n = (v as { name?: unknown } | null)?.name;
      if (typeof n === 'string') names.add(n);
    }
  }
  return names;
}

function build(
  parsed: unknown,
  original: string,
  source: string,
  settings: ParsedFile | undefined,
  overrides: HeraldOverrides,
  hostname: string,
  env: Readonly<Record<string, string | undefined>>,
  sink: ErrorSink,
  file?: ParsedFile,
): HeraldConfig {
  // Every section is checked even when another failed; the problems are thrown together at the end.
  const check = <T>(fn: () => T, fallback: T): T => sink.run(fn, fallback);
  const raw = check(() => asObject(parsed, '(top level)'), undefined);
  if (raw === undefined) throw located(sink, file, settings);
  check(() => checkKeys(raw, TOP_LEVEL_KEYS, ''), undefined);
  const am = raw.route === undefined && raw.receivers === undefined ? { ...raw, ...ZERO_CONFIG } : raw;
  if (am.route == null) sink.add('route', 'required (Alertmanager format: at least `receiver:`)');

  // Herald's settings: the combined file's `herald:` section, or the separate settings file.
  let heraldRaw: unknown = raw.herald;
  // Relative paths (templates, http_config files) are the config file's directory's, as in Alertmanager.
  const baseDir = source.startsWith('<') ? undefined : dirname(resolve(source));
  let heraldBaseDir = baseDir;
  if (settings) {
    if (raw.herald !== undefined) {
      sink.add(
        'herald',
        `set in both ${show(source)} and the settings file ${show(settings.source)} (HERALD_SETTINGS); keep one`,
      );
    } else if (isRecord(settings.value) && 'herald' in settings.value) {
      sink.add(
        'herald.herald',
        `the settings file ${show(settings.source)} holds the herald: section's contents at its top level (node_id:, redis:, tenants: …), without a herald: key`,
      );
    } else {
      heraldRaw = check(() => asObject(settings.value, 'herald'), undefined);
      heraldBaseDir = settings.source.startsWith('<') ? undefined : dirname(resolve(settings.source));
    }
  }

  const warnings: string[] = [];
  const global = check(() => parseGlobal(am.global, { baseDir }), {
    resolveTimeout: 0,
    raw: isRecord(am.global) ? am.global : {},
  });
  const templates = check(() => stringList(am.templates, 'templates'), []);
  const templateFiles = check(() => loadTemplateFiles(templates, source, warnings), []);
  const receivers = check(
    () => parseReceivers(am.receivers, global, warnings, undefined, { baseDir, env }),
    undefined,
  );
  const timeIntervals = check(() => parseTimeIntervals(am.time_intervals, am.mute_time_intervals), undefined);
  if (am.tracing != null) warnings.push('tracing: not used by Herald; ignored');

  // herald.label_names decides which names the route tree and inhibit rules accept, so it is read first.
  const herald = check(() => parseHerald(heraldRaw, overrides, hostname, heraldBaseDir), undefined);
  const labelNames = herald?.labelNames ?? fallbackLabelNames(heraldRaw);

  // Structure first (the domain names typos in route fields), then references to the other sections.
  const route = am.route as RouteConfig;
  // Every failing route of the tree is reported (each child route is checked on its own).
  let routeProblems = 0;
  const routeTree =
    am.route == null
      ? undefined
      : check(
          () =>
            buildRouteTree(route, {
              path: 'route',
              labelNames,
              onChildError: (e) => {
                routeProblems++;
                sink.problems.push(...problemsOf(e));
              },
            }),
          undefined,
        );
  if (am.route != null) {
    check(
      () =>
        checkRouteReferences(
          route,
          receivers ? new Set(receivers.map((r) => r.name)) : rawNames(am.receivers),
          timeIntervals
            ? new Set(timeIntervals.map((t) => t.name))
            : new Set([...rawNames(am.time_intervals), ...rawNames(am.mute_time_intervals)]),
        ),
      undefined,
    );
  }

  const allowUnsupported = herald
    ? herald.allowUnsupportedReceivers
    : isRecord(heraldRaw) && heraldRaw.allow_unsupported_receivers === true;
  if (!allowUnsupported) {
    // A page routed to an integration Herald cannot send must not vanish at 3 a.m.: refuse to start.
    (receivers ?? []).forEach((r, i) => {
      if (r.unsupportedKinds.length === 0) return;
      sink.add(
        `receivers[${i}].${r.unsupportedKinds[0]}`,
        `receiver ${show(r.name)}: Herald cannot deliver ${r.unsupportedKinds.join(', ')} (not a receiver kind Herald knows: a newer Alertmanager's, or a typo); remove it, route elsewhere, or set herald.allow_unsupported_receivers: true to start anyway (its notifications are then logged and counted as unsupported, never sent)`,
      );
    });
  }
  const inhibitRules = check(() => parseInhibitRules(am.inhibit_rules, { labelNames }), undefined);

  if (
    sink.problems.length > 0 ||
    routeProblems > 0 ||
    !receivers ||
    !timeIntervals ||
    !herald ||
    !routeTree ||
    !inhibitRules
  ) {
    throw located(sink, file, settings);
  }
  return {
    global,
    route,
    routeTree,
    receivers,
    inhibitRules,
    timeIntervals,
    templates,
    templateFiles,
    herald,
    warnings,
    original,
    originalRedacted: redactYaml(original),
    source,
    ...(settings && { settingsSource: settings.source }),
  };
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

// herald.label_names as written, for checking the other sections when the herald section failed.
function fallbackLabelNames(heraldRaw: unknown): 'utf8' | 'classic' {
  return isRecord(heraldRaw) && heraldRaw.label_names === 'classic' ? 'classic' : 'utf8';
}

/**
 * The collected problems, each given its file, line and column: `herald…` paths are the settings
 * file's when there is one (but `herald` itself, in both files, is the combined file's section).
 */
function located(
  sink: ErrorSink,
  file: ParsedFile | undefined,
  settings: ParsedFile | undefined,
): ConfigErrors {
  const at = (where: ParsedFile | undefined, path: string): Partial<ConfigProblem> | undefined => {
    const pos = where && locatePath(where.doc, where.lineCounter, path);
    return pos && { file: where.source, line: pos.line, col: pos.col };
  };
  const problems = sink.problems.map((p): ConfigProblem => {
    if (p.line !== undefined) return p;
    const herald = p.path === 'herald' || p.path.startsWith('herald.') || p.path.startsWith('herald[');
    const inSettings = settings !== undefined && herald && p.path !== 'herald';
    const where = inSettings
      ? at(settings, p.path.replace(/^herald\.?/, ''))
      : (at(file, p.path) ?? (p.path === 'herald' ? at(settings, '') : undefined));
    return where ? { ...p, ...where } : p;
  });
  return new ConfigErrors(problems);
}

// Both sections share one namespace, as in Alertmanager (a route may name either). Every entry is
// checked, also after one failed.
function parseTimeIntervals(current: unknown, legacy: unknown): TimeIntervalConfig[] {
  const sink = new ErrorSink();
  const seen = new Map<string, string>();
  const all: TimeIntervalConfig[] = [];
  for (const section of ['time_intervals', 'mute_time_intervals'] as const) {
    const list = sink.run(() => optList(section === 'time_intervals' ? current : legacy, section), []);
    list.forEach((v, i) => {
      const path = idx(section, i);
      const ti = sink.run(() => parseNamedTimeInterval(v, path), undefined);
      if (!ti) return;
      if (seen.has(ti.name)) {
        sink.add(
          `${path}.name`,
          `duplicate time interval name ${show(ti.name)} (first at ${seen.get(ti.name)})`,
        );
        return;
      }
      seen.set(ti.name, path);
      all.push(ti);
    });
  }
  sink.throwIfAny();
  return all;
}
