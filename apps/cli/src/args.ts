import { closest } from '@herald/config';
import { parseRfc3339 as parseGoTime } from '@herald/domain';

/** A bad command line: heraldctl exits with code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** A flag a command accepts: `bool` takes no value, `string` one, `list` may repeat. */
export type FlagKind = 'bool' | 'string' | 'list';

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | boolean | string[]>;
}

/**
 * Parses `--flag value`, `--flag=value` and boolean `--flag`; `--` ends the flags. An unknown flag,
 * a missing value or a repeated single-valued flag is a UsageError.
 */
export function parseArgs(argv: readonly string[], spec: Readonly<Record<string, FlagKind>>): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string | boolean | string[]>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    const eq = a.indexOf('=');
    const name = (eq > 0 ? a.slice(0, eq) : a).replace(/^--?/, '');
    const kind = spec[name];
    if (!kind) {
      const hint = closest(name, Object.keys(spec));
      const dashes = (n: string) => (n.length === 1 ? `-${n}` : `--${n}`);
      throw new UsageError(
        `unknown flag ${a.slice(0, eq > 0 ? eq : undefined)}${hint ? ` (did you mean ${dashes(hint)}?)` : ''}`,
      );
    }
    if (kind === 'bool') {
      if (eq > 0) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
      continue;
    }
    let value: string;
    if (eq > 0) value = a.slice(eq + 1);
    else {
      if (i + 1 >= argv.length) throw new UsageError(`--${name} needs a value`);
      value = argv[++i];
    }
    if (kind === 'list') {
      const prev = flags.get(name);
      flags.set(name, [...(Array.isArray(prev) ? prev : []), value]);
    } else {
      if (flags.has(name)) throw new UsageError(`--${name} given twice`);
      flags.set(name, value);
    }
  }
  return { positionals, flags };
}

/**
 * Moves the flags written before the command behind it, so `heraldctl --url X stats` reads as
 * `heraldctl stats --url X`. `spec` says which flags take a value (`--url X`: X is not the command);
 * an unknown leading flag is moved as it is, for the command's own parse to report. Flags go before a
 * `--`, so they stay flags.
 */
export function hoistFlags(
  argv: readonly string[],
  spec: Readonly<Record<string, FlagKind>>,
  commands: readonly string[] = [],
): string[] {
  const leading: string[] = [];
  let i = 0;
  for (; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--' || !a.startsWith('-') || a === '-') break;
    leading.push(a);
    if (a.includes('=') || i + 1 >= argv.length) continue;
    const kind = spec[a.replace(/^--?/, '')];
    const next = argv[i + 1];
    // A misspelt flag (`--prefx P stats`) most likely takes a value too when a command still follows.
    const unknownWithValue = kind === undefined && !next.startsWith('-') && !commands.includes(next);
    if (kind === 'string' || kind === 'list' || unknownWithValue) leading.push(argv[++i]);
  }
  if (leading.length === 0 || i >= argv.length || argv[i] === '--') return [...argv];
  const [cmd, ...rest] = argv.slice(i);
  const dd = rest.indexOf('--');
  return dd < 0 ? [cmd, ...rest, ...leading] : [cmd, ...rest.slice(0, dd), ...leading, ...rest.slice(dd)];
}

export function str(a: ParsedArgs, name: string): string | undefined {
  const v = a.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

export function bool(a: ParsedArgs, name: string): boolean {
  return a.flags.get(name) === true;
}

export function list(a: ParsedArgs, name: string): string[] {
  const v = a.flags.get(name);
  return Array.isArray(v) ? v : [];
}

/** A non-negative integer flag within bounds (UsageError otherwise). */
export function int(a: ParsedArgs, name: string, dflt: number, min: number, max: number): number {
  const v = str(a, name);
  if (v === undefined) return dflt;
  if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new UsageError(`--${name} must be an integer between ${min} and ${max}, got ${JSON.stringify(v)}`);
  }
  return Number(v);
}

/** `2s`, `500ms`, `1m`, or a bare number of seconds → milliseconds. */
export function parseDuration(s: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(s.trim());
  if (!m) return null;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}

const PROM_UNITS: readonly [string, number][] = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];
// Prometheus' model.ParseDuration (what amtool's `--duration` reads): units largest first, each at most once.
const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/** `1h`, `90m`, `1d12h`, `2w` (Prometheus duration syntax) → milliseconds; null when not one, or > 100 y. */
export function parsePromDuration(s: string): number | null {
  if (s === '0') return 0;
  const m = PROM_DURATION.exec(s);
  if (!m || s === '') return null;
  let ms = 0;
  PROM_UNITS.forEach(([, unit], i) => {
    if (m[i + 1] !== undefined) ms += Number(m[i + 1]) * unit;
  });
  return ms <= 100 * 365 * 86_400_000 ? ms : null;
}

/** An RFC 3339 time as amtool's `--start`/`--end` take it (`2006-01-02T15:04:05Z`, `…+02:00`) → epoch ms, or null. */
export function parseRfc3339(s: string): number | null {
  return parseGoTime(s) ?? null;
}
