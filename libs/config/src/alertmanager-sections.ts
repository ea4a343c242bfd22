// The Alertmanager-format sections. Validation follows Alertmanager where it matters for Herald and
// stays lenient elsewhere, so that any alertmanager.yml Alertmanager accepts also loads here.
import { ConfigError, Matcher, parseMatchers, type LabelNameMode } from '@herald/domain';
import {
  asObject,
  asString,
  at,
  duration,
  httpUrl,
  idx,
  labelName,
  optList,
  optObject,
  show,
  stringList,
  type RawObject,
} from './fields';
import {
  HERALD_DEFAULTS,
  type GlobalConfig,
  type InhibitRuleConfig,
  type IntegrationConfig,
  type ReceiverConfig,
} from './herald-config';

/** Parses `global`: only `resolve_timeout` is interpreted; every field is kept raw for the integrations. */
export function parseGlobal(value: unknown): GlobalConfig {
  const raw = optObject(value, 'global');
  const resolveTimeout = duration(
    raw.resolve_timeout,
    'global.resolve_timeout',
    HERALD_DEFAULTS.resolveTimeout,
    {
      positive: true,
    },
  );
  return { resolveTimeout, raw };
}

const SUPPORTED_KINDS = ['webhook_configs', 'slack_configs', 'email_configs'] as const;

/**
 * Parses `receivers`. Kinds Herald cannot deliver yet are kept in `unsupportedKinds` and reported in
 * `warnings`; `loadConfig` refuses them unless `herald.allow_unsupported_receivers` is set.
 */
export function parseReceivers(value: unknown, global: GlobalConfig, warnings: string[]): ReceiverConfig[] {
  const seen = new Map<string, number>();
  return optList(value, 'receivers').map((v, i) => {
    const path = idx('receivers', i);
    const raw = asObject(v, path);
    const name = asString(raw.name, at(path, 'name'));
    if (seen.has(name)) {
      throw new ConfigError(
        at(path, 'name'),
        `duplicate receiver name ${show(name)} (first at receivers[${seen.get(name)}])`,
      );
    }
    seen.set(name, i);
    const unsupportedKinds: string[] = [];
    for (const key of Object.keys(raw)) {
      if (key === 'name' || (SUPPORTED_KINDS as readonly string[]).includes(key)) continue;
      if (!key.endsWith('_configs')) throw new ConfigError(at(path, key), 'unknown field');
      optList(raw[key], at(path, key)).forEach((c, j) => asObject(c, idx(at(path, key), j)));
      unsupportedKinds.push(key);
      warnings.push(
        `${path} (${name}): ${key} is not supported by Herald yet; its notifications are not sent (each is logged and counted as outcome="unsupported")`,
      );
    }
    const list = (kind: string, check: (c: RawObject, p: string) => void): IntegrationConfig[] =>
      optList(raw[kind], at(path, kind)).map((c, j) => {
        const p = idx(at(path, kind), j);
        const obj = asObject(c, p);
        check(obj, p);
        return obj;
      });
    return {
      name,
      webhookConfigs: list('webhook_configs', checkWebhook),
      slackConfigs: list('slack_configs', (c, p) => checkSlack(c, p, global)),
      emailConfigs: list('email_configs', (c, p) => checkEmail(c, p, global)),
      unsupportedKinds,
      raw,
    };
  });
}

function checkWebhook(c: RawObject, path: string): void {
  if (c.url == null && c.url_file == null) throw new ConfigError(path, 'one of url or url_file is required');
  if (c.url != null && c.url_file != null)
    throw new ConfigError(path, 'at most one of url and url_file may be set');
  if (c.url != null) httpUrl(c.url, at(path, 'url'));
  else asString(c.url_file, at(path, 'url_file'));
}

function checkSlack(c: RawObject, path: string, global: GlobalConfig): void {
  const hasOwn = c.api_url != null || c.api_url_file != null;
  const hasGlobal = global.raw.slack_api_url != null || global.raw.slack_api_url_file != null;
  if (!hasOwn && !hasGlobal) {
    throw new ConfigError(path, 'api_url or api_url_file is required (or set global.slack_api_url)');
  }
  if (c.api_url != null) httpUrl(c.api_url, at(path, 'api_url'));
  if (c.channel != null) asString(c.channel, at(path, 'channel'));
}

// Alertmanager refuses an email config without a recipient, sender or smarthost at load time; so do we.
function checkEmail(c: RawObject, path: string, global: GlobalConfig): void {
  asString(c.to, at(path, 'to'));
  if (c.from == null && global.raw.smtp_from == null) {
    throw new ConfigError(at(path, 'from'), 'required (or set global.smtp_from)');
  }
  if (c.smarthost == null && global.raw.smtp_smarthost == null) {
    throw new ConfigError(at(path, 'smarthost'), 'required (or set global.smtp_smarthost)');
  }
}

const INHIBIT_KEYS = [
  'name',
  'source_matchers',
  'target_matchers',
  'source_match',
  'source_match_re',
  'target_match',
  'target_match_re',
  'equal',
];

/** Options of the matcher-bearing sections. */
export interface MatcherSectionOptions {
  /** herald.label_names (default `utf8`): names in `*_matchers` and `equal`; legacy maps stay classic. */
  labelNames?: LabelNameMode;
}

/** Parses `inhibit_rules`, folding the legacy `*_match` / `*_match_re` maps into matchers. */
export function parseInhibitRules(value: unknown, opts: MatcherSectionOptions = {}): InhibitRuleConfig[] {
  const labelNames = opts.labelNames ?? 'utf8';
  return optList(value, 'inhibit_rules').map((v, i) => {
    const path = idx('inhibit_rules', i);
    const raw = asObject(v, path);
    for (const key of Object.keys(raw)) {
      if (!INHIBIT_KEYS.includes(key)) throw new ConfigError(at(path, key), 'unknown field');
    }
    const side = (prefix: 'source' | 'target'): Matcher[] => [
      ...matcherLines(raw[`${prefix}_matchers`], at(path, `${prefix}_matchers`), { labelNames }),
      ...legacyMatchers(raw[`${prefix}_match`], at(path, `${prefix}_match`), '='),
      ...legacyMatchers(raw[`${prefix}_match_re`], at(path, `${prefix}_match_re`), '=~'),
    ];
    const equal = optList(raw.equal, at(path, 'equal')).map((n, j) =>
      labelName(n, idx(at(path, 'equal'), j), labelNames),
    );
    const name = raw.name == null ? undefined : asString(raw.name, at(path, 'name'));
    if (name !== undefined && (name === '' || name.length > 256)) {
      throw new ConfigError(at(path, 'name'), 'must be a non-empty string of at most 256 characters');
    }
    return {
      ...(name ? { name } : {}),
      sourceMatchers: side('source'),
      targetMatchers: side('target'),
      equal,
    };
  });
}

/**
 * Parses a matcher list as Alertmanager does: each entry is one matcher (`severity="critical"`) or
 * several (`{a="1", b=~"x|y"}`, braces optional), as Alertmanager runs its list parser on every entry.
 */
export function matcherLines(value: unknown, path: string, opts: MatcherSectionOptions = {}): Matcher[] {
  return stringList(value, path).flatMap((line, j) => {
    const p = idx(path, j);
    try {
      return parseMatchers(line, opts);
    } catch (e) {
      throw new ConfigError(p, `invalid matcher ${show(line)}: ${reason(e)}`);
    }
  });
}

// Legacy maps (`source_match: {severity: critical}`) become equality / regex matchers. Their keys keep
// the classic rule in both modes, as in Alertmanager (config/common/inhibitrule.go checks LabelNameRE).
function legacyMatchers(value: unknown, path: string, op: '=' | '=~'): Matcher[] {
  const obj = optObject(value, path);
  return Object.entries(obj).map(([name, v]) => {
    const p = at(path, name);
    labelName(name, p);
    if (typeof v !== 'string') throw new ConfigError(p, `must be a string, got ${show(v)}`);
    try {
      // Built directly: the values are raw strings, not matcher syntax that would need quoting.
      return new Matcher(name, op, v);
    } catch (e) {
      throw new ConfigError(p, `invalid ${op === '=~' ? 'regex' : 'value'} ${show(v)}: ${reason(e)}`);
    }
  });
}

function reason(e: unknown): string {
  return e instanceof ConfigError ? e.message.replace(/^[^:]*: /, '') : (e as Error).message;
}

/** Alertmanager's `route` fields; used only to walk the raw tree for cross-references with paths. */
interface RawRoute {
  receiver?: unknown;
  routes?: unknown;
  mute_time_intervals?: unknown;
  active_time_intervals?: unknown;
}

/**
 * Cross-checks the raw route tree against the other sections: every receiver and every time interval
 * a route names must exist. Done on the raw tree so the error names the exact route path.
 */
export function checkRouteReferences(
  route: unknown,
  receivers: ReadonlySet<string>,
  intervals: ReadonlySet<string>,
): void {
  const walk = (node: RawRoute, path: string, isRoot: boolean): void => {
    // An empty receiver inherits the parent's, as in Alertmanager.
    if (node.receiver != null && node.receiver !== '') {
      const name = asString(node.receiver, at(path, 'receiver'));
      if (!receivers.has(name)) throw new ConfigError(at(path, 'receiver'), `unknown receiver ${show(name)}`);
    } else if (isRoot) {
      throw new ConfigError(at(path, 'receiver'), 'the root route must name a receiver');
    }
    for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
      const names = stringList(node[key], at(path, key));
      if (isRoot && names.length > 0) throw new ConfigError(at(path, key), 'not allowed on the root route');
      names.forEach((n, j) => {
        if (!intervals.has(n))
          throw new ConfigError(idx(at(path, key), j), `unknown time interval ${show(n)}`);
      });
    }
    optList(node.routes, at(path, 'routes')).forEach((child, i) =>
      walk(asObject(child, idx(at(path, 'routes'), i)) as RawRoute, idx(at(path, 'routes'), i), false),
    );
  };
  walk(asObject(route, 'route') as RawRoute, 'route', true);
}
