// Checks shared by the receiver kinds: Alertmanager's `<secret>` / `<secret>_file` pairs and URLs.
import { ConfigError } from '@herald/domain';
import { asString, at, checkKeys, httpUrl, show, type RawObject } from '../fields';

/**
 * Alertmanager's "at most one of x and x_file" rule; returns which is set. `required` adds "one of them
 * is required", where `fallback` (e.g. the global value) also satisfies it.
 */
export function secretPair(
  c: RawObject,
  key: string,
  path: string,
  opts: { required?: boolean; fallback?: unknown } = {},
): 'inline' | 'file' | 'none' {
  const inline = c[key] != null;
  const file = c[`${key}_file`] != null;
  if (inline && file) throw new ConfigError(path, `at most one of ${key} and ${key}_file may be set`);
  if (inline) {
    asString(c[key], at(path, key));
    return 'inline';
  }
  if (file) {
    asString(c[`${key}_file`], at(path, `${key}_file`));
    return 'file';
  }
  if (opts.required && opts.fallback == null)
    throw new ConfigError(path, `one of ${key} or ${key}_file is required`);
  return 'none';
}

/** An optional absolute http(s) URL field. */
export function optUrl(c: RawObject, key: string, path: string): void {
  if (c[key] != null) httpUrl(c[key], at(path, key));
}

/** An optional string field (any string, empty allowed, as Go's string zero value). */
export function optStr(c: RawObject, key: string, path: string): void {
  if (c[key] != null && typeof c[key] !== 'string')
    throw new ConfigError(at(path, key), `must be a string, got ${show(c[key])}`);
}

/** Copies `key` from the global section when the entry does not set it (nor its `_file` twin). */
export function withGlobal(
  c: RawObject,
  global: Readonly<Record<string, unknown>>,
  pairs: Record<string, string>,
): RawObject {
  const out: RawObject = { ...c };
  for (const [own, g] of Object.entries(pairs)) {
    if (out[own] == null && out[`${own}_file`] == null) {
      if (global[g] != null) out[own] = global[g];
      else if (global[`${g}_file`] != null && !own.endsWith('_file'))
        out[`${own}_file`] = global[`${g}_file`];
    }
  }
  return out;
}

/**
 * Alertmanager refuses unknown fields (strict YAML); so does Herald, naming the field. `later` lists
 * fields of newer Alertmanager releases Herald does not implement yet: refused with that said, never
 * accepted and then ignored. `send_resolved` and `http_config` are every kind's.
 */
export function checkFields(
  c: RawObject,
  path: string,
  fields: readonly string[],
  later: readonly string[] = [],
): void {
  for (const key of Object.keys(c)) {
    if (later.includes(key))
      throw new ConfigError(
        at(path, key),
        'an Alertmanager field Herald does not implement yet; remove it (Herald would ignore it)',
      );
  }
  checkKeys(c, ['send_resolved', 'http_config', ...fields], path);
}
