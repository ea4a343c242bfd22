// Parser for Go's text/template (structure and error messages of Go's text/template/parse/parse.go).
import { lex, Token } from './lexer';

export type Node =
  | { kind: 'list'; pos: number; nodes: Node[] }
  | { kind: 'text'; pos: number; text: string }
  | { kind: 'action'; pos: number; line: number; pipe: PipeNode }
  | PipeNode
  | CommandNode
  | { kind: 'identifier'; pos: number; name: string }
  | { kind: 'variable'; pos: number; ident: string[] }
  | { kind: 'dot'; pos: number }
  | { kind: 'nil'; pos: number }
  | { kind: 'field'; pos: number; ident: string[] }
  | { kind: 'chain'; pos: number; node: Node; field: string[] }
  | { kind: 'bool'; pos: number; value: boolean }
  | NumberNode
  | { kind: 'string'; pos: number; quoted: string; text: string }
  | {
      kind: 'if' | 'range' | 'with';
      pos: number;
      line: number;
      pipe: PipeNode;
      list: ListNode;
      elseList: ListNode | null;
    }
  | { kind: 'template'; pos: number; line: number; name: string; pipe: PipeNode | null }
  | { kind: 'break' | 'continue'; pos: number; line: number };

export type ListNode = Extract<Node, { kind: 'list' }>;
export interface PipeNode {
  kind: 'pipe';
  pos: number;
  line: number;
  isAssign: boolean;
  decl: string[];
  cmds: CommandNode[];
}
export interface CommandNode {
  kind: 'command';
  pos: number;
  args: Node[];
}
export interface NumberNode {
  kind: 'number';
  pos: number;
  text: string;
  isInt: boolean;
  isFloat: boolean;
  value: number;
}

/** One parsed template: its name, source text (for error positions) and root list. */
export interface ParsedTree {
  name: string;
  /** The name the source was parsed under (a file name): Go's ParseName, used in error locations. */
  parseName: string;
  text: string;
  root: ListNode;
}

export class TemplateParseError extends Error {}

/** Nesting of parentheses and if/range/with blocks accepted (Go allows 10 000; JS stacks are smaller). */
export const MAX_PARSE_DEPTH = 500;

/** Parses `text` as template `name`; returns the named tree plus every `define`/`block` in it. */
export function parseTemplate(
  name: string,
  text: string,
  funcs: ReadonlySet<string>,
): Map<string, ParsedTree> {
  return new Parser(name, text, funcs).parse();
}

function tokenString(t: Token): string {
  if (t.type === 'eof') return 'EOF';
  if (t.type === 'keyword') return `<${t.val}>`;
  const q = JSON.stringify(t.val);
  return t.val.length > 10 ? `${JSON.stringify(t.val.slice(0, 10))}...` : q;
}

class Parser {
  private toks: Token[] = [];
  private i = 0;
  private vars: string[] = ['$'];
  private rangeDepth = 0;
  private readonly trees = new Map<string, ParsedTree>();

  constructor(
    private readonly name: string,
    private readonly text: string,
    private readonly funcs: ReadonlySet<string>,
  ) {}

  private fail(msg: string, line?: number): never {
    const l = line ?? this.toks[Math.max(0, this.i - 1)]?.line ?? 1;
    throw new TemplateParseError(`template: ${this.name}:${l}: ${msg}`);
  }

  parse(): Map<string, ParsedTree> {
    this.toks = lex(this.text);
    const root: ListNode = { kind: 'list', pos: 0, nodes: [] };
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'left') {
        const save = this.i;
        this.next();
        const k = this.nextNonSpace();
        if (k.type === 'keyword' && k.val === 'define') {
          this.parseDefinition();
          continue;
        }
        this.i = save;
      }
      const n = this.textOrAction();
      if (n.kind !== 'node') this.fail(`unexpected ${n.kind === 'end' ? '{{end}}' : '{{else}}'}`);
      root.nodes.push(n.node);
    }
    this.add({ name: this.name, parseName: this.name, text: this.text, root });
    return this.trees;
  }

  private add(tree: ParsedTree): void {
    const prev = this.trees.get(tree.name);
    // Go keeps a non-empty earlier definition over an empty (whitespace-only) later one.
    if (prev && isEmptyTree(tree.root)) return;
    if (prev && !isEmptyTree(prev.root))
      this.fail(`template: multiple definition of template ${JSON.stringify(tree.name)}`);
    this.trees.set(tree.name, tree);
  }

  private parseDefinition(): void {
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== 'string' && nameTok.type !== 'raw')
      this.fail(`unexpected ${tokenString(nameTok)} in define clause`);
    const name = unquote(nameTok, (m) => this.fail(m));
    this.expect('right', 'define clause');
    const savedVars = this.vars;
    this.vars = ['$'];
    const { list, end } = this.itemList();
    this.vars = savedVars;
    if (end !== 'end') this.fail(`unexpected {{else}} in define clause`);
    this.add({ name, parseName: this.name, text: this.text, root: list });
  }

  private peek(): Token {
    const t = this.toks[this.i];
    if (t.type === 'error') this.fail(t.val, t.line);
    return t;
  }
  private next(): Token {
    const t = this.peek();
    this.i++;
    return t;
  }
  private nextNonSpace(): Token {
    let t = this.next();
    while (t.type === 'space') t = this.next();
    return t;
  }
  private peekNonSpace(): Token {
    const save = this.i;
    const t = this.nextNonSpace();
    this.i = save;
    return t;
  }
  private expect(type: Token['type'], context: string): Token {
    const t = this.nextNonSpace();
    if (t.type !== type) this.fail(`unexpected ${tokenString(t)} in ${context}`);
    return t;
  }

  private itemList(): { list: ListNode; end: 'end' | 'else' } {
    const list: ListNode = { kind: 'list', pos: this.peek().pos, nodes: [] };
    while (this.peekNonSpace().type !== 'eof') {
      const n = this.textOrAction();
      if (n.kind !== 'node') return { list, end: n.kind };
      list.nodes.push(n.node);
    }
    this.fail('unexpected EOF');
  }

  private textOrAction(): { kind: 'node'; node: Node } | { kind: 'end' | 'else' } {
    const t = this.next();
    if (t.type === 'text') return { kind: 'node', node: { kind: 'text', pos: t.pos, text: t.val } };
    if (t.type === 'left') return this.action();
    this.fail(`unexpected ${tokenString(t)} in input`);
  }

  private action(): { kind: 'node'; node: Node } | { kind: 'end' | 'else' } {
    const t = this.nextNonSpace();
    if (t.type === 'keyword') {
      switch (t.val) {
        case 'end':
          this.expect('right', 'end');
          return { kind: 'end' };
        case 'else':
          // `{{else if …}}` is kept for the caller to read as a nested if.
          if (this.peekNonSpace().type === 'keyword' && this.peekNonSpace().val === 'if')
            return { kind: 'else' };
          this.expect('right', 'else');
          return { kind: 'else' };
        case 'if':
        case 'range':
        case 'with':
          return { kind: 'node', node: this.control(t.val, t) };
        case 'template':
        case 'block':
          return { kind: 'node', node: this.templateControl(t.val, t) };
        case 'break':
        case 'continue': {
          if (this.rangeDepth === 0) this.fail(`{{${t.val}}} outside {{range}}`);
          const r = this.nextNonSpace();
          if (r.type !== 'right') this.fail(`unexpected ${tokenString(r)} in {{${t.val}}}`);
          return { kind: 'node', node: { kind: t.val, pos: t.pos, line: t.line } };
        }
        default:
          this.fail(`unexpected ${tokenString(t)} in command`);
      }
    }
    this.i--;
    const pipe = this.pipeline('command', 'right');
    return { kind: 'node', node: { kind: 'action', pos: t.pos, line: t.line, pipe } };
  }

  private control(kind: 'if' | 'range' | 'with', _t: Token): Node {
    if (this.depth + 1 > MAX_PARSE_DEPTH) this.fail('max expression depth exceeded');
    this.depth++;
    try {
      return this.controlInner(kind);
    } finally {
      this.depth--;
    }
  }

  private controlInner(kind: 'if' | 'range' | 'with'): Node {
    const mark = this.vars.length;
    const pipe = this.pipeline(kind, 'right');
    if (kind === 'range') this.rangeDepth++;
    const { list, end } = this.itemList();
    if (kind === 'range') this.rangeDepth--;
    let elseList: ListNode | null = null;
    if (end === 'else') {
      const p = this.peekNonSpace();
      if (kind === 'if' && p.type === 'keyword' && p.val === 'if') {
        const ifTok = this.nextNonSpace();
        // `{{else if x}}…{{end}}` is `{{else}}{{if x}}…{{end}}{{end}}`: the inner if eats the end.
        elseList = { kind: 'list', pos: ifTok.pos, nodes: [this.control('if', ifTok)] };
      } else {
        if (p.type === 'keyword' && p.val === 'if') this.fail(`unexpected ${tokenString(p)} in else`);
        const r = this.itemList();
        if (r.end !== 'end') this.fail('expected end; found {{else}}');
        elseList = r.list;
      }
    }
    this.vars.length = mark;
    return { kind, pos: pipe.pos, line: pipe.line, pipe, list, elseList };
  }

  private templateControl(kind: string, _t: Token): Node {
    const nameTok = this.nextNonSpace();
    if (nameTok.type !== 'string' && nameTok.type !== 'raw')
      this.fail(`unexpected ${tokenString(nameTok)} in ${kind} clause`);
    const name = unquote(nameTok, (m) => this.fail(m));
    let pipe: PipeNode | null = null;
    if (this.peekNonSpace().type !== 'right') pipe = this.pipeline(`${kind} clause`, 'right');
    else this.nextNonSpace();
    if (kind === 'block') {
      if (!pipe) this.fail('missing value for block clause');
      const savedVars = this.vars;
      this.vars = ['$'];
      const { list, end } = this.itemList();
      this.vars = savedVars;
      if (end !== 'end') this.fail('unexpected {{else}} in block clause');
      this.add({ name, parseName: this.name, text: this.text, root: list });
    }
    return { kind: 'template', pos: nameTok.pos, line: nameTok.line, name, pipe };
  }

  private depth = 0;

  private pipeline(context: string, end: 'right' | 'rparen'): PipeNode {
    // Nesting bound (Go has one too): deep parentheses or controls must not overflow the JS stack.
    if (++this.depth > MAX_PARSE_DEPTH) this.fail('max expression depth exceeded');
    try {
      return this.pipelineInner(context, end);
    } finally {
      this.depth--;
    }
  }

  private pipelineInner(context: string, end: 'right' | 'rparen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = {
      kind: 'pipe',
      pos: first.pos,
      line: first.line,
      isAssign: false,
      decl: [],
      cmds: [],
    };
    // Declarations: `$x :=`, `$x =`, or range's `$i, $e :=`.
    if (first.type === 'variable') {
      const save = this.i;
      const v = this.nextNonSpace();
      const n = this.peekNonSpace();
      if (n.type === 'declare' || n.type === 'assign') {
        this.nextNonSpace();
        pipe.isAssign = n.type === 'assign';
        pipe.decl.push(v.val);
        if (!pipe.isAssign) this.vars.push(v.val);
        else this.useVar(v.val);
      } else if (n.type === 'comma') {
        this.nextNonSpace();
        pipe.decl.push(v.val);
        this.vars.push(v.val);
        if (context !== 'range') this.fail(`too many declarations in ${context}`);
        const v2 = this.nextNonSpace();
        if (v2.type !== 'variable') this.fail('range can only initialize variables');
        const d = this.nextNonSpace();
        if (d.type !== 'declare' && d.type !== 'assign') this.fail(`too many declarations in ${context}`);
        pipe.isAssign = d.type === 'assign';
        pipe.decl.push(v2.val);
        this.vars.push(v2.val);
      } else {
        this.i = save;
      }
    }
    for (;;) {
      const t = this.nextNonSpace();
      if (t.type === end) {
        if (pipe.cmds.length === 0) this.fail(`missing value for ${context}`);
        pipe.cmds.slice(1).forEach((c, i) => {
          if (['bool', 'dot', 'nil', 'number', 'string'].includes(c.args[0].kind))
            this.fail(`non executable command in pipeline stage ${i + 2}`);
        });
        return pipe;
      }
      if (
        [
          'bool',
          'char',
          'dot',
          'field',
          'ident',
          'number',
          'nil',
          'raw',
          'string',
          'variable',
          'lparen',
        ].includes(t.type)
      ) {
        this.i--;
        pipe.cmds.push(this.command());
      } else {
        this.fail(`unexpected ${tokenString(t)} in ${context}`);
      }
    }
  }

  private command(): CommandNode {
    const cmd: CommandNode = { kind: 'command', pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      this.peekNonSpace();
      const op = this.operand();
      if (op) cmd.args.push(op);
      const t = this.next();
      if (t.type === 'space') {
        const n = this.peek();
        if (n.type === 'right' || n.type === 'rparen') break;
        if (n.type === 'pipe') {
          this.next();
          break;
        }
        continue;
      }
      if (t.type === 'right' || t.type === 'rparen') {
        this.i--;
        break;
      }
      if (t.type === 'pipe') break;
      this.fail(`unexpected ${tokenString(t)} in operand`);
    }
    if (cmd.args.length === 0) this.fail('empty command');
    return cmd;
  }

  private operand(): Node | null {
    const node = this.term();
    if (!node) return null;
    if (this.peek().type !== 'field') return node;
    const fields: string[] = [];
    // Go positions a chained field or variable at its first chained field (`.B` of `.A.B`).
    const pos = this.peek().pos;
    while (this.peek().type === 'field') fields.push(this.next().val.slice(1));
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- everything else chains
    switch (node.kind) {
      case 'field':
        return { kind: 'field', pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { kind: 'variable', pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        return this.fail(`unexpected . after term ${JSON.stringify(nodeString(node))}`);
      default:
        return { kind: 'chain', pos, node, field: fields };
    }
  }

  private useVar(name: string): void {
    if (!this.vars.includes(name)) this.fail(`undefined variable ${JSON.stringify(name)}`);
  }

  private term(): Node | null {
    const t = this.nextNonSpace();
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- other tokens end the operand
    switch (t.type) {
      case 'ident':
        if (!this.funcs.has(t.val)) this.fail(`function ${JSON.stringify(t.val)} not defined`);
        return { kind: 'identifier', pos: t.pos, name: t.val };
      case 'dot':
        return { kind: 'dot', pos: t.pos };
      case 'nil':
        return { kind: 'nil', pos: t.pos };
      case 'variable':
        this.useVar(t.val);
        return { kind: 'variable', pos: t.pos, ident: [t.val] };
      case 'field':
        return { kind: 'field', pos: t.pos, ident: [t.val.slice(1)] };
      case 'bool':
        return { kind: 'bool', pos: t.pos, value: t.val === 'true' };
      case 'char':
      case 'number':
        return parseNumber(t, (m) => this.fail(m));
      case 'lparen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rparen');
        return { ...pipe, pos: t.pos };
      }
      case 'string':
      case 'raw':
        return { kind: 'string', pos: t.pos, quoted: t.val, text: unquote(t, (m) => this.fail(m)) };
    }
    this.i--;
    return null;
  }
}

function isEmptyTree(n: Node): boolean {
  if (n.kind === 'list') return n.nodes.every(isEmptyTree);
  if (n.kind === 'text') return n.text.trim() === '';
  return false;
}

const ESC: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  "'": "'",
  '"': '"',
};

/** Go's strconv.Unquote for "…", `…` and '…' literals. */
export function unquote(t: Token, fail: (m: string) => never): string {
  const s = t.val;
  if (s[0] === '`') return s.slice(1, -1).replace(/\r/g, '');
  const body = s.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const e = body[++i];
    if (e in ESC) {
      if ((e === "'" && s[0] === '"') || (e === '"' && s[0] === "'")) fail(`invalid syntax`);
      out += ESC[e];
    } else if (e === 'x' || e === 'u' || e === 'U') {
      const n = e === 'x' ? 2 : e === 'u' ? 4 : 8;
      const hex = body.slice(i + 1, i + 1 + n);
      if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== n) fail('invalid syntax');
      const v = parseInt(hex, 16);
      // \x is a byte; bytes ≥ 0x80 alone are not valid UTF-8, so Go's output would differ — keep the code point.
      out += String.fromCodePoint(v);
      i += n;
    } else if (e >= '0' && e <= '7') {
      const oct = body.slice(i, i + 3);
      if (!/^[0-7]{3}$/.test(oct)) fail('invalid syntax');
      out += String.fromCodePoint(parseInt(oct, 8));
      i += 2;
    } else {
      fail(`invalid syntax`);
    }
  }
  return out;
}

function parseNumber(t: Token, fail: (m: string) => never): NumberNode {
  if (t.type === 'char') {
    const s = unquote(t, fail);
    const cp = s.codePointAt(0);
    if (cp === undefined || [...s].length !== 1) fail(`malformed character constant: ${t.val}`);
    return { kind: 'number', pos: t.pos, text: t.val, isInt: true, isFloat: true, value: cp };
  }
  const text = t.val;
  if (text.endsWith('i')) fail(`complex numbers are not supported: ${text}`);
  const clean = text.replace(/_/g, '');
  let sign = 1;
  let body = clean;
  if (body[0] === '+' || body[0] === '-') {
    if (body[0] === '-') sign = -1;
    body = body.slice(1);
  }
  let value: number;
  let isInt = false;
  if (/^0[xX][0-9a-fA-F]+$/.test(body)) {
    value = parseInt(body.slice(2), 16);
    isInt = true;
  } else if (/^0[bB][01]+$/.test(body)) {
    value = parseInt(body.slice(2), 2);
    isInt = true;
  } else if (/^0[oO]?[0-7]+$/.test(body)) {
    value = parseInt(body.replace(/^0[oO]?/, ''), 8);
    isInt = true;
  } else if (/^[0-9]+$/.test(body)) {
    value = parseInt(body, 10);
    isInt = true;
  } else if (/^([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/.test(body)) {
    value = parseFloat(body);
  } else {
    fail(`illegal number syntax: ${JSON.stringify(text)}`);
  }
  value *= sign;
  if (isInt && !Number.isSafeInteger(value)) fail(`illegal number syntax: ${JSON.stringify(text)}`);
  // Go: a float constant with an integral value is usable as an int too.
  const asInt = isInt || (Number.isInteger(value) && Math.abs(value) < 2 ** 53);
  return { kind: 'number', pos: t.pos, text, isInt: asInt, isFloat: !isInt, value };
}

/** Go's Node.String(): what exec errors print between `<` and `>`. */
export function nodeString(n: Node): string {
  switch (n.kind) {
    case 'list':
      return n.nodes.map(nodeString).join('');
    case 'text':
      return JSON.stringify(n.text);
    case 'action':
      return `{{${nodeString(n.pipe)}}}`;
    case 'pipe': {
      const d = n.decl.length ? `${n.decl.join(', ')} ${n.isAssign ? '=' : ':='} ` : '';
      return d + n.cmds.map(nodeString).join(' | ');
    }
    case 'command':
      return n.args.map((a) => (a.kind === 'pipe' ? `(${nodeString(a)})` : nodeString(a))).join(' ');
    case 'identifier':
      return n.name;
    case 'variable':
      return n.ident.join('.');
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'field':
      return n.ident.map((f) => `.${f}`).join('');
    case 'chain':
      return (
        (n.node.kind === 'pipe' ? `(${nodeString(n.node)})` : nodeString(n.node)) +
        n.field.map((f) => `.${f}`).join('')
      );
    case 'bool':
      return String(n.value);
    case 'number':
      return n.text;
    case 'string':
      return n.quoted;
    case 'if':
    case 'range':
    case 'with':
      return `{{${n.kind} ${nodeString(n.pipe)}}}${nodeString(n.list)}${n.elseList ? `{{else}}${nodeString(n.elseList)}` : ''}{{end}}`;
    case 'template':
      return `{{template ${JSON.stringify(n.name)}${n.pipe ? ` ${nodeString(n.pipe)}` : ''}}}`;
    case 'break':
    case 'continue':
      return `{{${n.kind}}}`;
  }
}
