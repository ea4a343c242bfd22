// Executor for parsed Go templates: Go's text/template exec.go semantics (truthiness, field and method
// lookup on the data model, pipelines, variables, range/with/if, break/continue, missingkey=zero as
// Alertmanager sets it) with output-size, step and depth bounds against hostile templates.
import { cmpBytes, formatValue, goTypeName } from './gofmt';
import { GoDuration, GoTime } from './gotime';
import { CommandNode, Node, nodeString, ParsedTree, PipeNode } from './parser';
import { GoCallError, GoFloat, GoMap, GoMethod, GoStruct, ParamType, sliceMethods } from './values';

/** A template function: typed parameters (checked like Go's reflect call) and a body. Throw GoCallError for Go's error return. */
export interface TemplateFunc {
  params: ParamType[];
  variadic?: ParamType;
  fn: (...args: unknown[]) => unknown;
}

export interface ExecLimits {
  /** Output bytes (UTF-16 units) before execution stops. */
  maxOutput: number;
  /** Evaluation steps (nodes visited) before execution stops. */
  maxSteps: number;
  /** Nested {{template}} calls. */
  maxDepth: number;
  /** Total UTF-16 units of strings returned by function and method calls (printf, join…), output or not. */
  maxWork: number;
}

export const DEFAULT_EXEC_LIMITS: ExecLimits = {
  maxOutput: 1 << 20,
  maxSteps: 1_000_000,
  maxDepth: 200,
  maxWork: 16 << 20,
};

export class TemplateExecError extends Error {}

const MISSING = Symbol('missing');
class BreakSignal {}
class ContinueSignal {}

const BUILTIN_NAMES = [
  'and',
  'or',
  'not',
  'len',
  'index',
  'slice',
  'print',
  'printf',
  'println',
  'html',
  'js',
  'urlquery',
  'call',
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
];
export const BUILTINS: ReadonlySet<string> = new Set(BUILTIN_NAMES);

interface Frame {
  name: string;
  value: unknown;
}

/** Go's isTrue: false for zero values, nil and empty collections; structs are always true. */
export function isTrue(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (v instanceof GoFloat) return v.value !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof GoMap) return v.entries.size > 0;
  if (v instanceof GoDuration) return v.ns !== 0n;
  return true;
}

export class Executor {
  private out = '';
  private steps = 0;
  private depth = 0;
  private work = 0;
  private tree!: ParsedTree;
  private node: Node | null = null;
  private vars: Frame[] = [];

  constructor(
    private readonly trees: ReadonlyMap<string, ParsedTree>,
    private readonly funcs: ReadonlyMap<string, TemplateFunc>,
    private readonly limits: ExecLimits,
  ) {}

  execute(name: string, data: unknown): string {
    const tree = this.trees.get(name);
    if (!tree)
      throw new TemplateExecError(
        `template: no template ${JSON.stringify(name)} associated with template ${JSON.stringify(name)}`,
      );
    this.tree = tree;
    this.vars = [{ name: '$', value: data }];
    this.walk(data, tree.root);
    return this.out;
  }

  private errorf(msg: string): never {
    const name = this.tree.name;
    if (!this.node) throw new TemplateExecError(`template: ${name}: ${msg}`);
    const where = this.tree.parseName;
    const text = this.tree.text.slice(0, this.node.pos);
    const nl = text.lastIndexOf('\n');
    const col = Buffer.byteLength(text.slice(nl + 1), 'utf8');
    const line = 1 + (text.match(/\n/g)?.length ?? 0);
    throw new TemplateExecError(
      `template: ${where}:${line}:${col}: executing ${JSON.stringify(name)} at <${nodeString(this.node)}>: ${msg}`,
    );
  }

  private at(n: Node): void {
    this.node = n;
    if (++this.steps > this.limits.maxSteps)
      this.errorf(`exceeded the limit of ${this.limits.maxSteps} evaluation steps`);
  }

  private write(s: string): void {
    if (this.out.length + s.length > this.limits.maxOutput)
      this.errorf(`output exceeds the limit of ${this.limits.maxOutput} bytes`);
    this.out += s;
  }

  private walk(dot: unknown, n: Node): void {
    this.at(n);
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- expression nodes never reach walk
    switch (n.kind) {
      case 'list':
        for (const c of n.nodes) this.walk(dot, c);
        return;
      case 'text':
        this.write(n.text);
        return;
      case 'action': {
        const v = this.evalPipeline(dot, n.pipe);
        if (n.pipe.decl.length === 0) this.printValue(n, v);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.vars.length;
        const v = this.evalPipeline(dot, n.pipe);
        if (isTrue(v)) this.walk(n.kind === 'with' ? v : dot, n.list);
        else if (n.elseList) this.walk(dot, n.elseList);
        this.vars.length = mark;
        return;
      }
      case 'range':
        return this.walkRange(dot, n);
      case 'template':
        return this.walkTemplate(dot, n);
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
      default:
        this.errorf(`unknown node: ${nodeString(n)}`);
    }
  }

  private walkRange(dot: unknown, n: Extract<Node, { kind: 'if' | 'range' | 'with' }>): void {
    const mark = this.vars.length;
    const val = this.evalPipeline(dot, n.pipe, true);
    const items: [unknown, unknown][] = [];
    if (Array.isArray(val)) val.forEach((e, i) => items.push([i, e]));
    else if (val instanceof GoMap)
      [...val.entries.keys()].sort(cmpBytes).forEach((k) => items.push([k, val.entries.get(k)]));
    else if (val !== null && val !== undefined) {
      this.errorf(
        `range can't iterate over ${formatValue(val, 'v', { minus: false, plus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 }, 0)}`,
      );
    }
    const decl = n.pipe.decl;
    for (const [k, e] of items) {
      // One variable takes the element; two take key/index and element.
      if (decl.length === 1) this.setTop(decl[0], e, mark);
      else if (decl.length === 2) {
        this.setTop(decl[0], k, mark);
        this.setTop(decl[1], e, mark);
      }
      const inner = this.vars.length;
      try {
        this.walk(e, n.list);
      } catch (sig) {
        if (sig instanceof BreakSignal) {
          this.vars.length = inner;
          break;
        }
        if (!(sig instanceof ContinueSignal)) throw sig;
      }
      this.vars.length = inner;
    }
    if (items.length === 0 && n.elseList) this.walk(dot, n.elseList);
    this.vars.length = mark;
  }

  private setTop(name: string, value: unknown, mark: number): void {
    for (let i = this.vars.length - 1; i >= mark; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.vars.push({ name, value });
  }

  private walkTemplate(dot: unknown, n: Extract<Node, { kind: 'template' }>): void {
    const tree = this.trees.get(n.name);
    if (!tree) this.errorf(`template ${JSON.stringify(n.name)} not defined`);
    if (this.depth >= this.limits.maxDepth)
      this.errorf(`exceeded maximum template depth (${this.limits.maxDepth})`);
    const newDot = n.pipe ? this.evalPipeline(dot, n.pipe) : null;
    const saved = { tree: this.tree, vars: this.vars };
    this.tree = tree;
    this.vars = [{ name: '$', value: newDot }];
    this.depth++;
    try {
      this.walk(newDot, tree.root);
    } finally {
      this.depth--;
      this.tree = saved.tree;
      this.vars = saved.vars;
    }
  }

  private printValue(n: Node, v: unknown): void {
    this.at(n);
    if (v === null || v === undefined) return this.write('<no value>');
    this.write(
      formatValue(
        v,
        'v',
        { minus: false, plus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 },
        0,
      ),
    );
  }

  private evalPipeline(dot: unknown, pipe: PipeNode, isRange = false): unknown {
    this.at(pipe);
    let value: unknown = MISSING;
    for (const cmd of pipe.cmds) value = this.evalCommand(dot, cmd, value);
    if (!isRange || pipe.decl.length === 0) {
      for (const name of pipe.decl) {
        if (pipe.isAssign) this.setVar(name, value);
        else this.vars.push({ name, value });
      }
    }
    return value;
  }

  private setVar(name: string, value: unknown): void {
    for (let i = this.vars.length - 1; i >= 0; i--) {
      if (this.vars[i].name === name) {
        this.vars[i].value = value;
        return;
      }
    }
    this.errorf(`undefined variable: ${name}`);
  }

  private varValue(name: string): unknown {
    for (let i = this.vars.length - 1; i >= 0; i--) if (this.vars[i].name === name) return this.vars[i].value;
    this.errorf(`undefined variable: ${name}`);
  }

  private evalCommand(dot: unknown, cmd: CommandNode, final: unknown): unknown {
    const first = cmd.args[0];
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- literals are handled below
    switch (first.kind) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.ident, cmd.args, final);
      case 'chain': {
        const recv = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, recv, first, first.field, cmd.args, final);
      }
      case 'identifier':
        return this.evalFunction(dot, first.name, first, cmd.args, final, cmd);
      case 'pipe':
        this.notAFunction(cmd.args, final);
        return this.evalPipeline(dot, first);
      case 'variable': {
        this.at(first);
        const v = this.varValue(first.ident[0]);
        if (first.ident.length === 1) {
          this.notAFunction(cmd.args, final);
          return v;
        }
        return this.evalFieldChain(dot, v, first, first.ident.slice(1), cmd.args, final);
      }
    }
    this.at(first);
    this.notAFunction(cmd.args, final);
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- anything else is not a command
    switch (first.kind) {
      case 'bool':
        return first.value;
      case 'dot':
        return dot;
      case 'nil':
        return this.errorf('nil is not a command');
      case 'number':
        return numberValue(first);
      case 'string':
        return first.text;
    }
    this.errorf(`can't evaluate command ${JSON.stringify(nodeString(first))}`);
  }

  private notAFunction(args: Node[], final: unknown): void {
    if (args.length > 1 || final !== MISSING)
      this.errorf(`can't give argument to non-function ${nodeString(args[0])}`);
  }

  private evalFieldChain(
    dot: unknown,
    recv: unknown,
    node: Node,
    ident: string[],
    args: Node[],
    final: unknown,
  ): unknown {
    for (let i = 0; i < ident.length - 1; i++) recv = this.evalField(dot, ident[i], node, [], MISSING, recv);
    return this.evalField(dot, ident[ident.length - 1], node, args, final, recv);
  }

  private evalField(
    dot: unknown,
    name: string,
    node: Node,
    args: Node[],
    final: unknown,
    recv: unknown,
  ): unknown {
    this.at(node);
    if (recv === null || recv === undefined) return null;
    const hasArgs = args.length > 1 || final !== MISSING;
    let method: GoMethod | undefined;
    if (recv instanceof GoStruct || recv instanceof GoMap) method = recv.goMethod(name);
    else if (Array.isArray(recv)) method = sliceMethods(recv)?.[name];
    if (method) return this.evalCall(dot, method, node, name, args, final);
    if (recv instanceof GoStruct) {
      const f = recv.goFields().find(([k]) => k === name);
      if (f) {
        if (hasArgs) this.errorf(`${name} has arguments but cannot be invoked as function`);
        return f[1];
      }
    }
    if (recv instanceof GoMap) {
      if (hasArgs) this.errorf(`${name} is not a method but has arguments`);
      return recv.entries.has(name) ? recv.entries.get(name) : recv.elemZero;
    }
    this.errorf(`can't evaluate field ${name} in type ${goTypeName(recv)}`);
  }

  private evalFunction(
    dot: unknown,
    name: string,
    node: Node,
    args: Node[],
    final: unknown,
    callNode: Node = node,
  ): unknown {
    this.at(node);
    switch (name) {
      case 'and':
      case 'or': {
        // Short-circuit (Go ≥ 1.18): stop at the first false (and) / true (or) argument.
        const ops = args.slice(1);
        if (ops.length === 0 && final === MISSING)
          this.errorf(`wrong number of args for ${name}: want at least 1 got 0`);
        let v: unknown = MISSING;
        for (const a of ops) {
          v = this.evalArg(dot, a);
          if (isTrue(v) === (name === 'or')) return v;
        }
        if (final !== MISSING) v = final;
        return v;
      }
    }
    const f = this.funcs.get(name);
    if (!f) this.errorf(`${JSON.stringify(name)} is not a defined function`);
    return this.evalCall(dot, f, callNode, name, args, final);
  }

  private evalCall(
    dot: unknown,
    f: TemplateFunc | GoMethod,
    node: Node,
    name: string,
    args: Node[],
    final: unknown,
  ): unknown {
    const argNodes = args.slice(1);
    const n = argNodes.length + (final !== MISSING ? 1 : 0);
    const want = f.params.length;
    if (f.variadic !== undefined ? n < want : n !== want) {
      this.errorf(
        `wrong number of args for ${name}: want ${f.variadic !== undefined ? 'at least ' : ''}${want} got ${n}`,
      );
    }
    const vals: unknown[] = [];
    argNodes.forEach((a, i) => {
      const t = i < want ? f.params[i] : f.variadic!;
      this.checkLiteral(a, t);
      vals.push(this.checkType(this.evalArg(dot, a), t, a));
    });
    if (final !== MISSING)
      vals.push(this.checkType(final, n - 1 < want ? f.params[n - 1] : f.variadic!, null));
    this.at(node);
    try {
      const r = f.fn(...vals);
      if (typeof r === 'string') {
        this.work += r.length;
        if (this.work > this.limits.maxWork)
          this.errorf(`function results exceed the limit of ${this.limits.maxWork} bytes`);
      }
      return r;
    } catch (e) {
      if (e instanceof GoCallError) this.errorf(`error calling ${name}: ${e.message}`);
      if (e instanceof TemplateExecError || e instanceof BreakSignal || e instanceof ContinueSignal) throw e;
      if (e instanceof RangeError) this.errorf(`error calling ${name}: ${e.message}`);
      throw e;
    }
  }

  /** Go's evalArg rejects a literal of the wrong kind before evaluating it. */
  private checkLiteral(n: Node, t: ParamType): void {
    if (t === 'any') return;
    const lit = n.kind === 'number' || n.kind === 'bool' || n.kind === 'string' || n.kind === 'nil';
    if (!lit) return;
    this.at(n);
    if (n.kind === 'nil') this.errorf(`cannot assign nil to ${goParamName(t)}`);
    const ok =
      (n.kind === 'string' && t === 'string') ||
      (n.kind === 'bool' && t === 'bool') ||
      (n.kind === 'number' && (t === 'int' || t === 'float'));
    if (ok) return;
    if (t === 'string' || t === 'bool' || t === 'int' || t === 'float') {
      const want = t === 'int' ? 'integer' : t === 'float' ? 'float' : t;
      this.errorf(`expected ${want}; found ${nodeString(n)}`);
    }
    this.errorf(`can't handle ${nodeString(n)} for arg of type ${goParamName(t)}`);
  }

  private checkType(v: unknown, t: ParamType, n: Node | null): unknown {
    const got = (): never => {
      if (n) this.at(n);
      this.errorf(`wrong type for value; expected ${goParamName(t)}; got ${goTypeName(v)}`);
    };
    switch (t) {
      case 'any':
        return v;
      case 'string':
        return typeof v === 'string' ? v : got();
      case 'int':
        return typeof v === 'number' ? v : got();
      case 'float':
        return v instanceof GoFloat ? v.value : typeof v === 'number' ? v : got();
      case 'bool':
        return typeof v === 'boolean' ? v : got();
      case 'strings':
        return Array.isArray(v) && /^(\[\]string|template\.Strings)$/.test(goTypeName(v)) ? v : got();
      case 'time':
        return v instanceof GoTime ? v : got();
      case 'duration':
        return v instanceof GoDuration ? v : typeof v === 'number' || v instanceof GoFloat ? v : got();
    }
  }

  private evalArg(dot: unknown, n: Node): unknown {
    this.at(n);
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- statements are not arguments
    switch (n.kind) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot, n, n.ident, [n], MISSING);
      case 'variable': {
        const v = this.varValue(n.ident[0]);
        return n.ident.length === 1 ? v : this.evalFieldChain(dot, v, n, n.ident.slice(1), [n], MISSING);
      }
      case 'pipe':
        return this.evalPipeline(dot, n);
      case 'identifier':
        return this.evalFunction(dot, n.name, n, [n], MISSING);
      case 'chain': {
        const recv = this.evalArg(dot, n.node);
        return this.evalFieldChain(dot, recv, n, n.field, [n], MISSING);
      }
      case 'bool':
        return n.value;
      case 'number':
        return numberValue(n);
      case 'string':
        return n.text;
    }
    this.errorf(`can't handle ${nodeString(n)} for arg`);
  }
}

function numberValue(n: Extract<Node, { kind: 'number' }>): unknown {
  // Go's idealConstant: text with . e p (not a hex int, not a char) is a float64; else an int.
  if (
    n.isFloat &&
    !n.text.startsWith("'") &&
    /[.eEpP]/.test(n.text) &&
    !/^[+-]?0[xX][0-9a-fA-F_]+$/.test(n.text)
  )
    return new GoFloat(n.value);
  return n.value;
}

function goParamName(t: ParamType): string {
  return {
    any: 'interface {}',
    string: 'string',
    int: 'int',
    float: 'float64',
    bool: 'bool',
    strings: '[]string',
    time: 'time.Time',
    duration: 'time.Duration',
  }[t];
}
