import type { LabelSet } from './alert';
import { parseDuration } from './duration';
import { ConfigError } from './errors';
import { fnv1a64 } from './fingerprint';
import { goQuote } from './go-quote';
import { isClassicLabelName, labelNameProblem, setLabel, sortUtf8, type LabelNameMode } from './labels';
import { compareMatchers, Matcher, matchersFromLegacy, matchersToString, parseMatchers } from './matchers';

/** A route as written in Alertmanager's YAML (snake_case), before validation. */
export interface RouteConfig {
  receiver?: string;
  group_by?: string[];
  continue?: boolean;
  matchers?: string[];
  match?: Record<string, string>;
  match_re?: Record<string, string>;
  group_wait?: string;
  group_interval?: string;
  repeat_interval?: string;
  mute_time_intervals?: string[];
  active_time_intervals?: string[];
  routes?: RouteConfig[];
}

/** Options for {@link buildRouteTree}. */
export interface BuildRouteOptions {
  /** Config path of the root route, used in error messages. */
  path?: string;
  /**
   * herald.label_names (default `utf8`): which names `group_by` and `matchers` accept. `match` and
   * `match_re` keys stay classic in both modes, as in Alertmanager (it checks them with LabelNameRE).
   */
  labelNames?: LabelNameMode;
  /**
   * Called with the problem of each child route that fails, which is then left out so its siblings are
   * still checked (a config loader reports them all); the caller must not use the tree then. Without
   * it the first problem is thrown.
   */
  onChildError?: (e: ConfigError) => void;
}

/** Alertmanager's `DefaultRouteOpts` timers, applied at the root. */
export const ROUTE_DEFAULTS = {
  groupWait: 30_000,
  groupInterval: 300_000,
  repeatInterval: 14_400_000,
} as const;

const GROUP_BY_ALL = '...';
const ROUTE_KEYS = new Set([
  'receiver',
  'group_by',
  'continue',
  'matchers',
  'match',
  'match_re',
  'group_wait',
  'group_interval',
  'repeat_interval',
  'mute_time_intervals',
  'active_time_intervals',
  'routes',
]);

/** The resolved settings of one route; everything a {@link Route} holds except its tree links. */
interface RouteInit {
  id: string;
  key: string;
  receiver: string;
  groupBy: string[];
  groupByAll: boolean;
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  continue: boolean;
  matchers: Matcher[];
  muteTimeIntervals: string[];
  activeTimeIntervals: string[];
  parent?: Route;
}

/**
 * A node of the validated route tree, with inherited settings already resolved. Build it with
 * {@link buildRouteTree}. Times are milliseconds.
 */
export class Route {
  /** Unique per tree: Alertmanager's `Route.ID()` (key + `/` + sibling index) for ordinary routes. */
  readonly id: string;
  /** Alertmanager's `Route.Key()`, except that sibling collisions get a `/index` suffix (see buildRouteTree). */
  readonly key: string;
  readonly receiver: string;
  readonly groupBy: string[];
  /** `groupBy` sorted once here: grouping runs per alert on the ingest hot path. */
  readonly groupBySorted: readonly string[];
  readonly groupByAll: boolean;
  readonly groupWait: number;
  readonly groupInterval: number;
  readonly repeatInterval: number;
  readonly continue: boolean;
  /** Sorted as Alertmanager sorts them (name, value, type); the key is built from this order. */
  readonly matchers: Matcher[];
  readonly muteTimeIntervals: string[];
  readonly activeTimeIntervals: string[];
  readonly parent?: Route;
  readonly routes: Route[] = [];

  constructor(init: RouteInit) {
    this.id = init.id;
    this.key = init.key;
    this.receiver = init.receiver;
    this.groupBy = init.groupBy;
    this.groupBySorted = sortUtf8([...init.groupBy]);
    this.groupByAll = init.groupByAll;
    this.groupWait = init.groupWait;
    this.groupInterval = init.groupInterval;
    this.repeatInterval = init.repeatInterval;
    this.continue = init.continue;
    this.matchers = init.matchers;
    this.muteTimeIntervals = init.muteTimeIntervals;
    this.activeTimeIntervals = init.activeTimeIntervals;
    this.parent = init.parent;
  }

  /**
   * The routes an alert is dispatched to, as Alertmanager's `Route.Match`: depth-first, left to right; a
   * matching child stops its later siblings unless it has `continue`; a node whose children all miss is
   * itself the match. Empty when this node does not match. Runs per alert, so it avoids allocation.
   */
  match(labels: LabelSet): Route[] {
    const out: Route[] = [];
    this.collect(labels, out);
    return out;
  }

  private collect(labels: LabelSet, out: Route[]): boolean {
    const ms = this.matchers;
    for (let i = 0; i < ms.length; i++) if (!ms[i].matches(labels)) return false;
    const before = out.length;
    const rs = this.routes;
    for (let i = 0; i < rs.length; i++) {
      if (rs[i].collect(labels, out) && !rs[i].continue) break;
    }
    if (out.length === before) out.push(this);
    return true;
  }

  /** Visits this route and its descendants depth-first. */
  walk(visit: (route: Route) => void): void {
    visit(this);
    for (const r of this.routes) r.walk(visit);
  }
}

/** `base.key` for identifiers, `base["odd key"]` otherwise. */
function keyPath(base: string, key: string): string {
  return isClassicLabelName(key) ? `${base}.${key}` : `${base}[${JSON.stringify(key)}]`;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown, path: string): string[] {
  if (!Array.isArray(v)) throw new ConfigError(path, 'must be a list of strings');
  v.forEach((s, i) => {
    if (typeof s !== 'string') throw new ConfigError(`${path}[${i}]`, 'must be a string');
  });
  return v as string[];
}

function stringMap(v: unknown, path: string): Record<string, string> {
  if (!isPlainObject(v)) throw new ConfigError(path, 'must be a map of label names to strings');
  for (const [k, s] of Object.entries(v)) {
    if (!isClassicLabelName(k)) throw new ConfigError(keyPath(path, k), `invalid label name ${goQuote(k)}`);
    if (typeof s !== 'string') throw new ConfigError(keyPath(path, k), 'must be a string');
  }
  return v as Record<string, string>;
}

function duration(v: unknown, path: string): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw new ConfigError(path, 'must be a duration string such as 30s or 5m');
  try {
    return parseDuration(v);
  } catch (e) {
    throw new ConfigError(path, (e as Error).message);
  }
}

/**
 * Validates an Alertmanager `route:` block and builds the tree, throwing {@link ConfigError} with the
 * exact path of the first problem. Root defaults: group_wait 30s, group_interval 5m, repeat_interval 4h;
 * children inherit unset receiver, group_by and timers. Receiver existence is the config module's job.
 *
 * Deliberate difference from Alertmanager: when a route's matchers print the same as an earlier
 * sibling's, Alertmanager gives both the same key and their groups collide. Herald appends `/<index>`
 * to the later sibling's key (the same suffix Alertmanager's `Route.ID()` uses); all other keys stay
 * byte-identical to Alertmanager's.
 */
export function buildRouteTree(cfg: RouteConfig, opts: BuildRouteOptions = {}): Route {
  const path = opts.path ?? 'route';
  if (!isPlainObject(cfg)) throw new ConfigError(path, 'must be a map');
  if (typeof cfg.receiver !== 'string' || cfg.receiver === '') {
    throw new ConfigError(`${path}.receiver`, 'root route must specify a default receiver');
  }
  for (const field of ['matchers', 'match', 'match_re'] as const) {
    const v: unknown = cfg[field];
    if (typeof v === 'object' && v !== null && Object.keys(v).length > 0) {
      throw new ConfigError(`${path}.${field}`, 'root route must not have any matchers');
    }
  }
  if (cfg.continue === true) throw new ConfigError(`${path}.continue`, 'cannot have continue in root route');
  if (Array.isArray(cfg.mute_time_intervals) && cfg.mute_time_intervals.length > 0) {
    throw new ConfigError(`${path}.mute_time_intervals`, 'root route must not have any mute time intervals');
  }
  if (Array.isArray(cfg.active_time_intervals) && cfg.active_time_intervals.length > 0) {
    throw new ConfigError(
      `${path}.active_time_intervals`,
      'root route must not have any active time intervals',
    );
  }
  return buildRoute(cfg, path, undefined, 0, new Set(), opts.labelNames ?? 'utf8', opts.onChildError);
}

function buildRoute(
  raw: unknown,
  path: string,
  parent: Route | undefined,
  index: number,
  siblingSegments: Set<string>,
  labelNames: LabelNameMode,
  onChildError?: (e: ConfigError) => void,
): Route {
  if (!isPlainObject(raw)) throw new ConfigError(path, 'must be a map');
  for (const k of Object.keys(raw)) {
    if (!ROUTE_KEYS.has(k))
      throw new ConfigError(keyPath(path, k), `unknown field ${JSON.stringify(k)} in route`);
  }
  const cfg = raw as RouteConfig;

  let receiver = parent?.receiver ?? '';
  if (cfg.receiver !== undefined && cfg.receiver !== null) {
    if (typeof cfg.receiver !== 'string') throw new ConfigError(`${path}.receiver`, 'must be a string');
    if (cfg.receiver !== '') receiver = cfg.receiver;
  }

  // Alertmanager: `...` switches on group-by-all; other names replace the parent's list; an empty list
  // (or only `...`) keeps the parent's names.
  let groupBy = parent?.groupBy ?? [];
  let groupByAll = parent?.groupByAll ?? false;
  if (cfg.group_by !== undefined && cfg.group_by !== null) {
    const names = stringList(cfg.group_by, `${path}.group_by`);
    const seen = new Set<string>();
    let all = false;
    names.forEach((n, i) => {
      if (n === GROUP_BY_ALL) {
        all = true;
        return;
      }
      const problem = labelNameProblem(n, labelNames);
      if (problem) throw new ConfigError(`${path}.group_by[${i}]`, problem);
      if (seen.has(n))
        throw new ConfigError(`${path}.group_by[${i}]`, `duplicated label ${goQuote(n)} in group_by`);
      seen.add(n);
    });
    if (all && seen.size > 0) {
      throw new ConfigError(
        `${path}.group_by`,
        'cannot have wildcard group_by (`...`) and other labels at the same time',
      );
    }
    if (all) {
      groupByAll = true;
      groupBy = [];
    } else if (seen.size > 0) {
      groupByAll = false;
      groupBy = [...seen];
    }
  }

  const groupWait =
    duration(cfg.group_wait, `${path}.group_wait`) ?? parent?.groupWait ?? ROUTE_DEFAULTS.groupWait;
  const groupInterval =
    duration(cfg.group_interval, `${path}.group_interval`) ??
    parent?.groupInterval ??
    ROUTE_DEFAULTS.groupInterval;
  const repeatInterval =
    duration(cfg.repeat_interval, `${path}.repeat_interval`) ??
    parent?.repeatInterval ??
    ROUTE_DEFAULTS.repeatInterval;
  if (groupInterval === 0) throw new ConfigError(`${path}.group_interval`, 'group_interval cannot be zero');
  if (repeatInterval === 0)
    throw new ConfigError(`${path}.repeat_interval`, 'repeat_interval cannot be zero');

  let cont = false;
  if (cfg.continue !== undefined && cfg.continue !== null) {
    if (typeof cfg.continue !== 'boolean') throw new ConfigError(`${path}.continue`, 'must be true or false');
    cont = cfg.continue;
  }

  const match = cfg.match == null ? {} : stringMap(cfg.match, `${path}.match`);
  const matchRe = cfg.match_re == null ? {} : stringMap(cfg.match_re, `${path}.match_re`);
  for (const [k, v] of Object.entries(matchRe)) {
    try {
      new Matcher(k, '=~', v);
    } catch (e) {
      throw new ConfigError(keyPath(`${path}.match_re`, k), (e as Error).message);
    }
  }
  const matchers = matchersFromLegacy(match, matchRe);
  if (cfg.matchers !== undefined && cfg.matchers !== null) {
    stringList(cfg.matchers, `${path}.matchers`).forEach((line, i) => {
      try {
        matchers.push(...parseMatchers(line, { labelNames }));
      } catch (e) {
        throw new ConfigError(`${path}.matchers[${i}]`, (e as Error).message);
      }
    });
  }
  matchers.sort(compareMatchers);

  const muteTimeIntervals =
    cfg.mute_time_intervals == null ? [] : stringList(cfg.mute_time_intervals, `${path}.mute_time_intervals`);
  const activeTimeIntervals =
    cfg.active_time_intervals == null
      ? []
      : stringList(cfg.active_time_intervals, `${path}.active_time_intervals`);

  const segment = matchersToString(matchers);
  let key: string;
  let id: string;
  if (!parent) {
    key = id = segment;
  } else if (siblingSegments.has(segment)) {
    key = id = `${parent.key}/${segment}/${index}`;
  } else {
    key = `${parent.key}/${segment}`;
    id = `${key}/${index}`;
  }
  siblingSegments.add(segment);

  const route = new Route({
    id,
    key,
    receiver,
    groupBy,
    groupByAll,
    groupWait,
    groupInterval,
    repeatInterval,
    continue: cont,
    matchers,
    muteTimeIntervals: [...muteTimeIntervals],
    activeTimeIntervals: [...activeTimeIntervals],
    parent,
  });

  if (cfg.routes !== undefined && cfg.routes !== null) {
    if (!Array.isArray(cfg.routes)) throw new ConfigError(`${path}.routes`, 'must be a list of routes');
    const segments = new Set<string>();
    cfg.routes.forEach((child, i) => {
      const p = `${path}.routes[${i}]`;
      try {
        route.routes.push(buildRoute(child, p, route, i, segments, labelNames, onChildError));
      } catch (e) {
        if (!onChildError || !(e instanceof ConfigError)) throw e;
        onChildError(e);
      }
    });
  }
  return route;
}

/** Receiver names used anywhere in the tree, in depth-first order without duplicates. */
export function allReceivers(root: Route): string[] {
  const seen = new Set<string>();
  root.walk((r) => seen.add(r.receiver));
  return [...seen];
}

/** The labels an alert is grouped by on `route`: the `group_by` labels it has, or all of them with `...`. */
export function groupLabels(route: Route, labels: LabelSet): LabelSet {
  const out: LabelSet = {};
  if (route.groupByAll) {
    for (const name of sortUtf8(Object.keys(labels))) setLabel(out, name, labels[name]);
    return out;
  }
  for (const name of route.groupBySorted) {
    const v = labels[name];
    if (typeof v === 'string' && v !== '') setLabel(out, name, v);
  }
  return out;
}

/**
 * Prometheus `model.LabelSet.String()`: `{a="x", b="y"}`, names in Go's order, values Go-quoted.
 * Names are written as they are, UTF-8 ones included (`{service.name="api"}`): prometheus/common
 * v0.70.1 model/labelset_string.go, which Alertmanager 0.34 uses for the group key, quotes only values.
 */
export function labelSetString(labels: LabelSet): string {
  const names = sortUtf8(Object.keys(labels));
  let out = '{';
  for (let i = 0; i < names.length; i++) {
    if (i > 0) out += ', ';
    out += names[i] + '=' + goQuote(labels[names[i]]);
  }
  return out + '}';
}

/** Alertmanager's aggregation group key (`routeKey:groupLabels`), sent as `groupKey` in webhooks. */
export function groupKey(route: Route, groupLabelSet: LabelSet): string {
  return `${route.key}:${labelSetString(groupLabelSet)}`;
}

// Group ids of recent keys: every ingested alert asks for its group's id, and a node sees the same few
// thousand groups over and over. Bounded: emptied when full (the next lookups recompute).
const GROUP_ID_MEMO_MAX = 50_000;
const groupIds = new Map<string, string>();

/** A short, fixed-length id for a group key (FNV-1a 64 of its UTF-8 bytes), used in Redis key names. */
export function groupId(key: string): string {
  let id = groupIds.get(key);
  if (id === undefined) {
    id = fnv1a64(key);
    if (groupIds.size >= GROUP_ID_MEMO_MAX) groupIds.clear();
    groupIds.set(key, id);
  }
  return id;
}
