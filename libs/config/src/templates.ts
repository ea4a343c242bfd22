// `templates:` — Alertmanager's template file globs, read and parsed at load time so that a broken
// template stops start-up (naming file and line) instead of failing the first page.
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import {
  alertmanagerTemplates,
  ConfigError,
  MAX_TEMPLATE_SOURCE,
  TemplateParseError,
  type TemplateSet,
} from '@herald/domain';
import fg from 'fast-glob';
import { idx, show } from './fields';

/** One template file as read at load time (the delivery builds its template set from these). */
export interface TemplateFile {
  /** Absolute path. */
  readonly path: string;
  /** Go's ParseGlob names each file's template by its base name; so does Herald. */
  readonly name: string;
  readonly text: string;
}

/** Most template files read (a glob is a bound on hostile input too). */
export const MAX_TEMPLATE_FILES = 1000;

/**
 * Expands the globs (relative ones against the config file's directory, as Alertmanager resolves
 * them), reads and parses every file. A glob that matches nothing is reported in `warnings`
 * (Alertmanager accepts it silently, which hides a typo until the first page looks wrong); a file that
 * does not parse throws ConfigError `templates[i]` with `file:line`.
 */
export function loadTemplateFiles(
  globs: readonly string[],
  configSource: string,
  warnings: string[],
): TemplateFile[] {
  const base = configSource.startsWith('<') ? process.cwd() : dirname(resolve(configSource));
  const files: TemplateFile[] = [];
  const set = alertmanagerTemplates();
  globs.forEach((g, i) => {
    const path = idx('templates', i);
    const pattern = isAbsolute(g) ? g : resolve(base, g);
    let matches: string[];
    try {
      // Go's filepath.Glob: `*` also matches a leading dot; no `**` needed (it is matched literally as `*`).
      matches = fg.sync(fg.convertPathToPattern(dirname(pattern)) + '/' + basename(pattern), {
        dot: true,
        onlyFiles: true,
        absolute: true,
        followSymbolicLinks: true,
      });
    } catch (e) {
      throw new ConfigError(path, `invalid glob ${show(g)}: ${(e as Error).message}`);
    }
    if (matches.length === 0) {
      warnings.push(
        `${path}: ${show(g)} matches no file (resolved to ${pattern}); no templates loaded from it`,
      );
      return;
    }
    for (const file of matches.sort()) {
      if (files.length >= MAX_TEMPLATE_FILES)
        throw new ConfigError(path, `more than ${MAX_TEMPLATE_FILES} template files`);
      let text: string;
      try {
        if (statSync(file).size > MAX_TEMPLATE_SOURCE)
          throw new Error(`larger than ${MAX_TEMPLATE_SOURCE} bytes`);
        text = readFileSync(file, 'utf8');
      } catch (e) {
        throw new ConfigError(path, `cannot read template file ${show(file)}: ${(e as Error).message}`);
      }
      const name = basename(file);
      parseInto(set, name, text, path, file);
      files.push({ path: file, name, text });
    }
  });
  return files;
}

/** The template set a delivery uses: Alertmanager's function set, the built-in defaults, then the files. */
export function templateSetOf(
  files: readonly TemplateFile[],
  opts: { now?: () => number } = {},
): TemplateSet {
  const set = alertmanagerTemplates(opts);
  for (const f of files) set.parse(f.name, f.text);
  return set;
}

function parseInto(set: TemplateSet, name: string, text: string, path: string, file: string): void {
  try {
    set.parse(name, text);
  } catch (e) {
    if (e instanceof TemplateParseError || e instanceof RangeError)
      throw new ConfigError(path, `${file}: ${e.message}`);
    throw e;
  }
}

/**
 * Checks one templated config field: it must be a string that parses (Go's parser reports unknown
 * functions and syntax errors at parse time; a missing `template "name"` is found only when run).
 */
export function checkTemplateField(value: unknown, path: string): void {
  if (value === undefined || value === null) return;
  if (typeof value !== 'string') throw new ConfigError(path, `must be a string, got ${show(value)}`);
  if (!value.includes('{{')) return;
  try {
    fieldChecker().parse('', value);
  } catch (e) {
    if (e instanceof TemplateParseError || e instanceof RangeError) throw new ConfigError(path, e.message);
    throw e;
  }
}

let checker: TemplateSet | undefined;
// Parsing only reads the function names, so one set serves every check (fields are parsed as "" and
// replace each other there; nothing is executed).
function fieldChecker(): TemplateSet {
  return (checker ??= alertmanagerTemplates());
}
