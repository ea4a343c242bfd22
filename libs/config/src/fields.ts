// Small typed readers for untyped YAML values. Each throws ConfigError naming the full dotted path,
// so every config mistake points at the line to fix.
import { ConfigError, labelNameProblem, parseDuration, type LabelNameMode } from '@herald/domain';
import { ErrorSink } from './config-errors';

/** A YAML mapping as parsed. */
export type RawObject = Record<string, unknown>;

/** `a.b` / `a` when the base is empty. */
export function at(base: string, key: string): string {
  return base === '' ? key : `${base}.${key}`;
}

/** `a[3]`. */
export function idx(base: string, i: number): string {
  return `${base}[${i}]`;
}

/** Renders a value for an error message: strings quoted, everything else as JSON. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** Non-array object, or throws. */
export function asObject(value: unknown, path: string): RawObject {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(path, `must be a mapping, got ${show(value)}`);
  }
  return value as RawObject;
}

/** Absent/null → empty object; otherwise must be a mapping. */
export function optObject(value: unknown, path: string): RawObject {
  return value === undefined || value === null ? {} : asObject(value, path);
}

/** Absent/null → empty list; otherwise must be a sequence. */
export function optList(value: unknown, path: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ConfigError(path, `must be a list, got ${show(value)}`);
  return value;
}

/** Non-empty string, or throws. */
export function asString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(path, `must be a non-empty string, got ${show(value)}`);
  }
  return value;
}

/** Absent → undefined; otherwise a non-empty string. */
export function optString(value: unknown, path: string): string | undefined {
  return value === undefined || value === null ? undefined : asString(value, path);
}

/** Absent → undefined; otherwise a boolean. */
export function optBool(value: unknown, path: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw new ConfigError(path, `must be true or false, got ${show(value)}`);
  return value;
}

/** List of non-empty strings. */
export function stringList(value: unknown, path: string): string[] {
  return optList(value, path).map((v, i) => asString(v, idx(path, i)));
}

/** Absent → default; otherwise an integer > 0 (and ≤ max when given). Numeric strings are refused: YAML ints only. */
export function positiveInt(value: unknown, path: string, def: number, max?: number): number {
  if (value === undefined || value === null) return def;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new ConfigError(path, `must be a positive integer, got ${show(value)}`);
  }
  if (max !== undefined && value > max) {
    throw new ConfigError(path, `must be at most ${max}, got ${value}`);
  }
  return value;
}

/**
 * Absent → default (a duration string); otherwise a Prometheus duration (`30s`, `1h30m`) → ms.
 * A bare YAML `0` is accepted because Alertmanager (Go yaml) accepts it too.
 */
export function duration(
  value: unknown,
  path: string,
  def: string,
  opts: { positive?: boolean } = {},
): number {
  const text =
    value === undefined || value === null ? def : typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || text === '') {
    throw new ConfigError(path, `must be a duration like "30s" or "5m", got ${show(value)}`);
  }
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (e) {
    // The domain's message already quotes the input and lists the units.
    throw new ConfigError(path, (e as Error).message);
  }
  if (opts.positive && ms <= 0) throw new ConfigError(path, `must be greater than zero, got ${show(text)}`);
  return ms;
}

const BYTE_UNITS: Record<string, number> = {
  b: 1,
  kb: 1000,
  mb: 1000 ** 2,
  gb: 1000 ** 3,
  kib: 1024,
  mib: 1024 ** 2,
  gib: 1024 ** 3,
};

/**
 * Absent → default; an integer byte count or a size string (`512KB`, `5MiB`, `1.5 MB`).
 * KB/MB/GB are decimal and KiB/MiB/GiB binary (SI/IEC), so `5MiB` is exactly 5242880.
 */
export function byteSize(value: unknown, path: string, def: number): number {
  if (value === undefined || value === null) return def;
  if (typeof value === 'number') return positiveInt(value, path, def);
  const m = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*$/.exec(value) : null;
  const unit = m ? BYTE_UNITS[(m[2] || 'b').toLowerCase()] : undefined;
  const bytes = m && unit !== undefined ? Number(m[1]) * unit : NaN;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new ConfigError(
      path,
      `must be a positive size in bytes (e.g. 1048576, "512KB", "5MiB"), got ${show(value)}`,
    );
  }
  return bytes;
}

/**
 * Throws on keys not in `allowed` (all of them at once), each suggesting the closest known key (typos
 * must not pass silently).
 */
export function checkKeys(obj: RawObject, allowed: readonly string[], path: string): void {
  const sink = new ErrorSink();
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key)) continue;
    const hint = closest(key, allowed);
    sink.add(at(path, key), `unknown field${hint ? ` (did you mean "${hint}"?)` : ''}`);
  }
  sink.throwIfAny();
}

/** The candidate nearest to `word` by edit distance, when near enough to be a likely typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDist = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** Levenshtein distance. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}

/** Prometheus' classic label name syntax. */
export const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Label name, or throws. `classic` (the default: the legacy `*_match` maps keep it in Alertmanager
 * too) or `utf8` (herald.label_names: any non-empty valid UTF-8 name, e.g. `service.name`).
 */
export function labelName(value: unknown, path: string, mode: LabelNameMode = 'classic'): string {
  const s = asString(value, path);
  const problem = labelNameProblem(s, mode);
  if (problem) throw new ConfigError(path, problem);
  return s;
}

/** Parses `host:port` (IPv6 as `[::1]:26379`). */
export function hostPort(value: unknown, path: string): { host: string; port: number } {
  const s = asString(value, path);
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s);
  const port = m ? Number(m[3]) : 0;
  if (!m || port < 1 || port > 65535) throw new ConfigError(path, `must be "host:port", got ${show(s)}`);
  return { host: m[1] ?? m[2], port };
}

/** Absolute http(s) URL, or throws. */
export function httpUrl(value: unknown, path: string): string {
  const s = asString(value, path);
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(path, `must be an absolute http(s) URL, got ${show(s)}`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(path, `must be an http or https URL, got ${show(s)}`);
  }
  return s;
}

/** `redis://` or `rediss://` URL. */
export function redisUrl(value: unknown, path: string): string {
  const s = asString(value, path);
  let ok = false;
  try {
    const u = new URL(s);
    ok = (u.protocol === 'redis:' || u.protocol === 'rediss:') && u.hostname !== '';
  } catch {
    ok = false;
  }
  if (!ok)
    throw new ConfigError(path, `must be a redis:// or rediss:// URL with a host, got ${show(redact(s))}`);
  return s;
}

// Never echo a password from a URL into logs.
function redact(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//<secret>@');
}
