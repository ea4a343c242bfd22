// The Alertmanager-format sections. Validation follows Alertmanager where it matters for Herald and
// stays lenient elsewhere, so that any alertmanager.yml Alertmanager accepts also loads here.
import { ConfigError, Matcher, parseMatchers, type LabelNameMode } from '@herald/domain';
import {
  asObject,
  asString,
  at,
  duration,
  idx,
  labelName,
  optBool,
  optList,
  optObject,
  show,
  stringList,
} from './fields';
import {
  HERALD_DEFAULTS,
  type GlobalConfig,
  type InhibitRuleConfig,
  type IntegrationEntry,
  type ReceiverConfig,
} from './herald-config';
import { RECEIVER_KIND_BY_KEY, type KindCheckContext, type ReceiverKind } from './receivers';
import { checkHttpConfig, resolveHttpConfigPaths } from './http-config';
import { checkTemplateField } from './templates';
import { ErrorSink } from './config-errors';

/** Parses `global`: only `resolve_timeout` is interpreted; every field is kept raw for the integrations. */
export function parseGlobal(value: unknown, opts: { baseDir?: string } = {}): GlobalConfig {
  const given = optObject(value, 'global');
  if (given.http_config != null) checkHttpConfig(given.http_config, 'global.http_config');
  // Relative credential/TLS file paths are the config file's directory's, as in Alertmanager.
  const raw =
    given.http_config != null && opts.baseDir
      ? { ...given, http_config: resolveHttpConfigPaths(given.http_config, opts.baseDir) }
      : given;
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

/**
 * Parses `receivers`: every `*_configs` entry is checked by its kind (receivers/<kind>.ts) and listed in
 * `integrations` with Alertmanager's defaults applied (`send_resolved`, `http_config` from global, global
 * URLs and keys). Kinds Herald cannot deliver are kept in `unsupportedKinds` and reported in `warnings`;
 * `loadConfig` refuses them unless `herald.allow_unsupported_receivers` is set.
 */
export function parseReceivers(
  value: unknown,
  global: GlobalConfig,
  warnings: string[],
  template: KindCheckContext['template'] = checkTemplateField,
  opts: { baseDir?: string; env?: Readonly<Record<string, string | undefined>> } = {},
): ReceiverConfig[] {
  const seen = new Map<string, number>();
  const ctx: KindCheckContext = { global, template, env: opts.env ?? {} };
  // Every receiver is checked, also after one failed; within one, every integration entry.
  const sink = new ErrorSink();
  const receivers = optList(value, 'receivers').map((v, i) => sink.run(() => parseReceiver(v, i), undefined));
  sink.throwIfAny();
  return receivers as ReceiverConfig[];

  function parseReceiver(v: unknown, i: number): ReceiverConfig {
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
    const integrations: IntegrationEntry[] = [];
    const own = new ErrorSink();
    for (const key of Object.keys(raw)) {
      if (key === 'name') continue;
      const spec = RECEIVER_KIND_BY_KEY.get(key);
      if (!spec && !key.endsWith('_configs')) {
        own.add(at(path, key), 'unknown field');
        continue;
      }
      const entries = own.run(
        () => optList(raw[key], at(path, key)).map((c, j) => asObject(c, idx(at(path, key), j))),
        [],
      );
      // A `*_configs` kind Herald does not know (a newer Alertmanager's, or a typo) or cannot send: kept
      // aside, so loadConfig refuses it by name unless herald.allow_unsupported_receivers.
      if (!spec?.check) {
        if (entries.length === 0) continue;
        unsupportedKinds.push(key);
        warnings.push(
          `${path} (${name}): ${key} is not supported by Herald yet; its notifications are not sent (each is logged and counted as outcome="unsupported")`,
        );
        continue;
      }
      entries.forEach((c, j) =>
        own.run(() => {
          const p = idx(at(path, key), j);
          const sendResolved = optBool(c.send_resolved, at(p, 'send_resolved')) ?? spec.sendResolved;
          if (c.http_config != null) checkHttpConfig(c.http_config, at(p, 'http_config'));
          // `timeout` (Alertmanager ≥ 0.28 on several kinds): a Prometheus duration; 0 = the default bound.
          if (c.timeout != null) duration(c.timeout, at(p, 'timeout'), '0s');
          const checked = spec.check!(c, p, ctx);
          const ownHttp =
            checked.http_config != null && opts.baseDir
              ? resolveHttpConfigPaths(checked.http_config, opts.baseDir)
              : checked.http_config;
          integrations.push({
            kind: spec.kind,
            key,
            index: j,
            path: p,
            config: {
              ...checked,
              send_resolved: sendResolved,
              // Alertmanager: an integration without http_config uses global.http_config.
              ...((ownHttp ?? global.raw.http_config)
                ? { http_config: ownHttp ?? global.raw.http_config }
                : {}),
            },
          });
        }, undefined),
      );
    }
    own.throwIfAny();
    const of = (kind: ReceiverKind) => integrations.filter((e) => e.kind === kind).map((e) => e.config);
    return {
      name,
      integrations,
      webhookConfigs: of('webhook'),
      slackConfigs: of('slack'),
      emailConfigs: of('email'),
      unsupportedKinds,
      raw,
    };
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
  // Every rule is checked, also after one failed.
  const sink = new ErrorSink();
  const rules = optList(value, 'inhibit_rules').map((v, i) => sink.run(() => parseRule(v, i), undefined));
  sink.throwIfAny();
  return rules as InhibitRuleConfig[];

  function parseRule(v: unknown, i: number): InhibitRuleConfig {
    const path = idx('inhibit_rules', i);
    const raw = asObject(v, path);
    const keys = new ErrorSink();
    for (const key of Object.keys(raw)) {
      if (!INHIBIT_KEYS.includes(key)) keys.add(at(path, key), 'unknown field');
    }
    keys.throwIfAny();
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
  }
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
  // Every dangling reference in the tree is reported, not only the first.
  const sink = new ErrorSink();
  const walk = (node: RawRoute, path: string, isRoot: boolean): void => {
    // An empty receiver inherits the parent's, as in Alertmanager.
    sink.run(() => {
      if (node.receiver != null && node.receiver !== '') {
        const name = asString(node.receiver, at(path, 'receiver'));
        if (!receivers.has(name)) sink.add(at(path, 'receiver'), `unknown receiver ${show(name)}`);
      } else if (isRoot) {
        sink.add(at(path, 'receiver'), 'the root route must name a receiver');
      }
    }, undefined);
    for (const key of ['mute_time_intervals', 'active_time_intervals'] as const) {
      const names = sink.run(() => stringList(node[key], at(path, key)), []);
      if (isRoot && names.length > 0) sink.add(at(path, key), 'not allowed on the root route');
      names.forEach((n, j) => {
        if (!intervals.has(n)) sink.add(idx(at(path, key), j), `unknown time interval ${show(n)}`);
      });
    }
    sink
      .run(() => optList(node.routes, at(path, 'routes')), [])
      .forEach((child, i) =>
        sink.run(
          () =>
            walk(asObject(child, idx(at(path, 'routes'), i)) as RawRoute, idx(at(path, 'routes'), i), false),
          undefined,
        ),
      );
  };
  walk(asObject(route, 'route') as RawRoute, 'route', true);
  sink.throwIfAny();
}
