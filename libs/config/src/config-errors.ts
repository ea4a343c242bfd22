// Every config problem at once: the parsers still throw ConfigError on what they find, and an
// ErrorSink around each section / list item / setting collects those so validation goes on; the
// loader then throws one ConfigErrors listing all of them, each located in its YAML file.
import { ConfigError } from '@herald/domain';
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** One config problem: the dotted path of the field, and where it is in which file (when known). */
export interface ConfigProblem {
  readonly path: string;
  readonly message: string;
  /** The file it is in (a path, `<inline>`); absent for environment variables. */
  readonly file?: string;
  /** 1-based line and column of the field (or of its nearest existing parent). */
  readonly line?: number;
  readonly col?: number;
}

/**
 * Several config problems as one ConfigError (so every `instanceof ConfigError` caller keeps working).
 * `path` and the first line of `message` are the first problem's, in ConfigError's `path: message`
 * form; the following lines list every problem with its `file:line:col`.
 */
export class ConfigErrors extends ConfigError {
  readonly errors: readonly ConfigProblem[];

  constructor(errors: readonly ConfigProblem[]) {
    if (errors.length === 0) throw new Error('ConfigErrors needs at least one problem');
    super(errors[0].path, errors[0].message);
    this.name = 'ConfigError';
    this.errors = errors;
    this.message = formatProblems(errors);
  }
}

/** `file:line:col` of a problem, or undefined when it has no location. */
export function problemLocation(p: ConfigProblem): string | undefined {
  return p.line === undefined || p.file === undefined ? undefined : `${p.file}:${p.line}:${p.col ?? 1}`;
}

/** One line for a problem: `file:line:col: path: message` (a YAML syntax error's path is its location). */
export function problemLine(p: ConfigProblem): string {
  const where = problemLocation(p);
  return where === undefined || p.path === where
    ? `${p.path}: ${p.message}`
    : `${where}: ${p.path}: ${p.message}`;
}

function formatProblems(errors: readonly ConfigProblem[]): string {
  const [first] = errors;
  const head = `${first.path}: ${first.message}`;
  if (errors.length === 1) {
    const where = problemLocation(first);
    return where === undefined || where === first.path ? head : `${head}\n  at ${where}`;
  }
  return [head, `${errors.length} errors in all:`, ...errors.map((p) => `  ${problemLine(p)}`)].join('\n');
}

/**
 * The problems in reading order — by file, then line and column (environment problems, which have no
 * location, first) — as an editor would walk them; detection order follows the sections instead.
 */
export function inFileOrder(problems: readonly ConfigProblem[]): ConfigProblem[] {
  const key = (p: ConfigProblem) => [p.file ?? '', p.line ?? 0, p.col ?? 0] as const;
  return [...problems].sort((a, b) => {
    const [fa, la, ca] = key(a);
    const [fb, lb, cb] = key(b);
    return fa < fb ? -1 : fa > fb ? 1 : la - lb || ca - cb;
  });
}

/** The problems a ConfigError stands for: its list when it is a ConfigErrors, else itself. */
export function problemsOf(e: ConfigError): ConfigProblem[] {
  if (e instanceof ConfigErrors) return [...e.errors];
  const prefix = `${e.path}: `;
  return [
    { path: e.path, message: e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message },
  ];
}

/** Collects ConfigErrors so that validation can go on after one; anything else still throws. */
export class ErrorSink {
  readonly problems: ConfigProblem[] = [];

  /** Runs `fn`; on a ConfigError records its problems and returns `fallback`. */
  run<T>(fn: () => T, fallback: T): T {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      this.problems.push(...problemsOf(e));
      return fallback;
    }
  }

  add(path: string, message: string): void {
    this.problems.push({ path, message });
  }

  /** Throws one ConfigErrors with everything collected (nothing when nothing was). */
  throwIfAny(): void {
    if (this.problems.length > 0) throw new ConfigErrors(this.problems);
  }
}

/** Checks one field: its value, or `fallback` after recording the field's problem. */
export type FieldCheck = <V>(fn: () => V, fallback: V) => V;

/**
 * Builds a settings object checking every field, also after one failed (`field(() => …, fallback)`
 * around each), and throws all their problems together at the end.
 */
export function eachField<T>(build: (field: FieldCheck) => T): T {
  const sink = new ErrorSink();
  const out = build((fn, fallback) => sink.run(fn, fallback));
  sink.throwIfAny();
  return out;
}

/**
 * Where a dotted path (`receivers[0].webhook_configs[1].url`, `route.match_re["a.b"]`) is in a parsed
 * YAML document: the key of the deepest mapping entry (or the sequence item) the path reaches, i.e. the
 * field itself, or its nearest existing parent when the field is absent. Undefined when not even the
 * first segment is in the document (an environment variable's path). Map keys may contain dots (label
 * names in utf8 mode): the longest key matching the rest of the path wins.
 */
export function locatePath(
  doc: Document,
  lineCounter: LineCounter,
  path: string,
): { line: number; col: number } | undefined {
  const pos = (offset: number) => lineCounter.linePos(offset);
  if (path === '' || path === '(top level)') {
    const r = doc.contents?.range;
    return r ? pos(r[0]) : undefined;
  }
  let node: unknown = doc.contents;
  let rest = path;
  let found: Node | undefined;
  while (rest !== '') {
    const index = /^\[(\d+)\]/.exec(rest);
    const quoted = /^\[("(?:[^"\\]|\\.)*")\]/.exec(rest);
    if (index && isSeq(node)) {
      const item = node.items[Number(index[1])] as Node | undefined;
      if (item == null || typeof item !== 'object') break;
      found = item;
      node = item;
      rest = rest.slice(index[0].length);
      continue;
    }
    let key: string | undefined;
    let after = '';
    if (quoted) {
      key = JSON.parse(quoted[1]) as string;
      after = rest.slice(quoted[0].length);
    }
    const s = rest.replace(/^\./, '');
    if (!isMap(node)) break;
    let best: { pair: (typeof node.items)[number]; len: number } | undefined;
    for (const pair of node.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : undefined;
      if (k === undefined) continue;
      if (key !== undefined) {
        if (k === key) best = { pair, len: -1 };
        continue;
      }
      const fits = s === k || s.startsWith(`${k}.`) || s.startsWith(`${k}[`);
      if (fits && (!best || k.length > best.len)) best = { pair, len: k.length };
    }
    if (!best) break;
    found = (best.pair.key as Node | null) ?? found;
    node = best.pair.value;
    rest = best.len === -1 ? after : s.slice(best.len);
  }
  const start = found?.range?.[0];
  return start === undefined ? undefined : pos(start);
}
