import { parseMatcher, type LabelNameMode, type Matcher } from '@herald/domain';
import { badRequest } from './http-error';

/** A parsed query string: a parameter given twice arrives as an array. */
export type Query = Record<string, string | string[] | undefined>;

/** The last value of a parameter given once or more (the usual reading of `?a=1&a=2`). */
export function lastValue(q: Query, name: string): string | undefined {
  const v = q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

/**
 * The `filter` parameters (Alertmanager's matcher syntax, e.g. `severity=~"page|crit"`), one matcher
 * each; a bad one is a 400 naming it (`filter[1]` when there are several). `labelNames`: the node's
 * `herald.label_names` (classic refuses a quoted UTF-8 name, as Alertmanager's classic mode).
 */
export function filterMatchers(q: Query, labelNames: LabelNameMode = 'utf8'): Matcher[] {
  const raw = q.filter === undefined ? [] : Array.isArray(q.filter) ? q.filter : [q.filter];
  return raw.map((s, i) => {
    try {
      return parseMatcher(s, { labelNames });
    } catch (e) {
      // Alertmanager's text first ("bad matcher format: <filter>"), then where the parser stopped.
      const shown = s.length > 200 ? `${s.slice(0, 200)}…` : s;
      throw badRequest(
        raw.length > 1 ? `filter[${i}]` : 'filter',
        `bad matcher format: ${shown} (${(e as Error).message})`,
      );
    }
  });
}
