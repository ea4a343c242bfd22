/**
 * Alertmanager's template language: Go's text/template as a plain-TypeScript interpreter.
 *
 * Why not an npm package: the registry was searched (2026-11): `go-text-template` 0.2.2 (defang-io,
 * single release, no typed function calls, Go's error formats or exec bounds), `go-template` (an
 * AsyncAPI code generator, unrelated), `gotpl` (a JS template engine with a different syntax),
 * `text-template` (string interpolation); `gotemplate`, `golang-template`, `@gotemplate/core` do not
 * exist. None implements Go's semantics (typed calls, missingkey, fmt verbs, error positions), so
 * Herald has its own: lexer.ts, parser.ts, exec.ts (+ funcs.ts, gofmt.ts, gotime.ts), the
 * Alertmanager data model and functions in alertmanager.ts, and Herald's own default templates under
 * Alertmanager's names in defaults.ts, checked against Alertmanager 0.25 by conformance.spec.ts.
 */
import { alertmanagerFuncs, TemplateData, TemplateDataInput } from './alertmanager';
import { HERALD_DEFAULT_TEMPLATES } from './defaults';
import { BUILTINS, DEFAULT_EXEC_LIMITS, ExecLimits, Executor, TemplateFunc } from './exec';
import { builtinFuncs } from './funcs';
import { copyTrees, escapeTemplates, htmlTemplateFuncs } from './html-escape';
import { parseTemplate, ParsedTree } from './parser';

export { TemplateParseError } from './parser';
export { TemplateExecError, DEFAULT_EXEC_LIMITS } from './exec';
export type { ExecLimits, TemplateFunc } from './exec';
export { KV, Pair, TemplateAlert, TemplateData, alertmanagerFuncs, humanizeDuration } from './alertmanager';
export type { TemplateAlertInput, TemplateDataInput } from './alertmanager';
export { GoTime, GoDuration } from './gotime';
export { HERALD_DEFAULT_TEMPLATES, DEFAULT_TEMPLATE_NAMES } from './defaults';
export { sprintf as goSprintf } from './gofmt';
export { SafeHTML } from './html-escape';

/** Most bytes of template source accepted per parse (a bound on hostile config). */
export const MAX_TEMPLATE_SOURCE = 1 << 20;

/** A set of named templates sharing functions, like Go's *template.Template with its associates. */
export class TemplateSet {
  private readonly trees = new Map<string, ParsedTree>();
  private readonly funcs: Map<string, TemplateFunc>;
  private readonly names: Set<string>;
  readonly limits: ExecLimits;
  /**
   * Field texts already prepared for executeText / executeHtml (parsed beside this set's trees; for HTML
   * also escaped): a notifier expands the same config fields for every notification, and preparing one
   * costs far more than running it (an e-mail's default HTML: ~3 ms). Cleared by parse().
   */
  private readonly prepared = new Map<string, Map<string, ParsedTree>>();
  private readonly preparedHtml = new Map<string, Map<string, ParsedTree>>();
  private htmlFuncs: Map<string, TemplateFunc> | undefined;

  constructor(opts: { funcs?: ReadonlyMap<string, TemplateFunc>; limits?: Partial<ExecLimits> } = {}) {
    this.funcs = builtinFuncs();
    for (const [k, v] of opts.funcs ?? []) this.funcs.set(k, v);
    this.names = new Set([...BUILTINS, ...this.funcs.keys()]);
    this.limits = { ...DEFAULT_EXEC_LIMITS, ...opts.limits };
  }

  /** Parses `text` as template `name`, adding it and its `define`s to the set. Throws TemplateParseError (`template: name:line: …`). */
  parse(name: string, text: string): this {
    if (text.length > MAX_TEMPLATE_SOURCE)
      throw new RangeError(`template ${name}: source exceeds ${MAX_TEMPLATE_SOURCE} bytes`);
    const parsed = parseTemplate(name, text, this.names);
    this.prepared.clear();
    this.preparedHtml.clear();
    for (const [n, t] of parsed) {
      // Later definitions replace earlier ones unless the later one is empty (Go's AddParseTree rule).
      if (this.trees.has(n) && isEmpty(t)) continue;
      this.trees.set(n, t);
    }
    return this;
  }

  has(name: string): boolean {
    return this.trees.has(name);
  }

  templateNames(): string[] {
    return [...this.trees.keys()];
  }

  /** Executes the named template. Throws TemplateExecError (`template: name:line:col: executing …`). */
  execute(name: string, data: unknown): string {
    return new Executor(this.trees, this.funcs, this.limits).execute(name, data);
  }

  /**
   * Alertmanager's ExecuteHTMLString: `text` parsed as template "" beside this set's definitions, escaped
   * with Go's html/template contextual autoescaping (html-escape.ts), then run; `safeHtml` results are
   * trusted markup. Throws TemplateParseError, or TemplateExecError (`html/template:…` when escaping fails).
   */
  executeHtml(text: string, data: unknown): string {
    if (text === '') return '';
    let trees = this.preparedHtml.get(text);
    if (!trees) {
      // Escaping rewrites trees in place: work on copies so this set stays usable for text.
      trees = copyTrees(this.textTrees(text));
      escapeTemplates(trees, '');
      remember(this.preparedHtml, text, trees);
    }
    this.htmlFuncs ??= htmlTemplateFuncs(this.funcs);
    return new Executor(trees, this.htmlFuncs, this.limits).execute('', data);
  }

  /** Alertmanager's ExecuteTextString: `text` parsed as template "" beside this set's definitions, then run. */
  executeText(text: string, data: unknown): string {
    if (text === '') return '';
    return new Executor(this.textTrees(text), this.funcs, this.limits).execute('', data);
  }

  /** This set's trees plus `text` parsed as template "" (and its defines), prepared once per text. */
  private textTrees(text: string): Map<string, ParsedTree> {
    let trees = this.prepared.get(text);
    if (!trees) {
      const clone = new TemplateSet({ funcs: this.funcs, limits: this.limits });
      for (const [n, t] of this.trees) clone.trees.set(n, t);
      clone.parse('', text);
      trees = clone.trees;
      remember(this.prepared, text, trees);
    }
    return trees;
  }
}

/** Most prepared field texts kept per set (config fields are few; a bound all the same). */
const MAX_PREPARED = 1000;

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_PREPARED) cache.clear();
  cache.set(key, value);
}

function isEmpty(t: ParsedTree): boolean {
  return t.root.nodes.every((n) => n.kind === 'text' && n.text.trim() === '');
}

/** A TemplateSet with Alertmanager's functions and Herald's built-in default templates. */
export function alertmanagerTemplates(
  opts: { now?: () => number; limits?: Partial<ExecLimits> } = {},
): TemplateSet {
  return new TemplateSet({ funcs: alertmanagerFuncs(opts.now), limits: opts.limits }).parse(
    'default.tmpl',
    HERALD_DEFAULT_TEMPLATES,
  );
}

/** Template data from the webhook-payload JSON shape (what amtool's --template.data reads). */
export function templateData(input: TemplateDataInput): TemplateData {
  return new TemplateData(input);
}
