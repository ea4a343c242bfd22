import type { LabelSet } from './alert';
import { RE2JS } from 're2js';
import { goQuote } from './go-quote';
import { compareUtf8, type LabelNameMode } from './labels';

/** The four Alertmanager/PromQL match operators. */
export type MatchType = '=' | '!=' | '=~' | '!~';

// Alertmanager's MatchType enum order, used as the last sort key (see compareMatchers).
const TYPE_ORDER: Record<MatchType, number> = { '=': 0, '!=': 1, '=~': 2, '!~': 3 };

// Alertmanager's `isReserved` (pkg/labels/matcher.go, matcher/parse/lexer.go): Go's unicode.IsSpace
// (the White_Space property, which JS's \s is not: it lacks U+0085 and adds U+FEFF) or one of {}!=~,\"'`.
const RESERVED = /[\p{White_Space}{}!=~,\\"'`]/u;

/** A compiled, fully anchored Go (RE2) regular expression. */
export interface GoRegex {
  test(value: string): boolean;
}

/** Distinct values whose outcome a regex remembers: labels repeat (Prometheus re-sends every minute). */
const MEMO_SIZE = 1024;

/**
 * Compiles a pattern as Alertmanager does: RE2 syntax (Go's `regexp`), anchored as `^(?:pattern)$`,
 * with RE2's guarantee of matching in linear time. A V8 RegExp would accept other syntax (lookaround,
 * backreferences) and can backtrack for minutes on a pattern such as `(a+)+$` — a filter anyone can send.
 * RE2JS is slower per match than V8, so each regex remembers the outcome for recent values.
 */
export function compileGoRegex(pattern: string): GoRegex {
  const re = RE2JS.compile(`^(?:${pattern})$`); // always: it is what validates the pattern
  const literal = literalForm(pattern);
  if (literal) return { test: (value) => literal.has(value) };
  const prefix = literalPrefix(pattern);
  const memo = new Map<string, boolean>();
  return {
    test(value: string): boolean {
      // A value without the pattern's literal prefix cannot match: no RE2 run (~µs each) for it.
      if (prefix && !value.startsWith(prefix)) return false;
      const hit = memo.get(value);
      if (hit !== undefined) return hit;
      const m = re.matches(value);
      if (memo.size >= MEMO_SIZE) memo.delete(memo.keys().next().value as string);
      memo.set(value, m);
      return m;
    },
  };
}

// RE2 metacharacters: a pattern without any is a literal; a run of other characters is literal text.
const META = new Set(['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$']);

/**
 * The values a pattern made only of literal alternatives matches (`db|infra`, `api`), or null. Such a
 * regex is a set lookup, as common in routes and silences (`team=~"db|infra"`).
 */
export function literalForm(pattern: string): Set<string> | null {
  const alts = pattern.split('|');
  for (const a of alts) {
    if (a === '') return null;
    for (const c of a) if (META.has(c)) return null;
  }
  return new Set(alts);
}

/**
 * Literal text every match must start with (`host-1` for `host-1.*`), '' when unsure: a pattern with an
 * alternation anywhere has none; a quantified last character is not part of it (`ab*` → `a`).
 */
export function literalPrefix(pattern: string): string {
  if (pattern.includes('|')) return '';
  let i = 0;
  while (i < pattern.length && !META.has(pattern[i])) i++;
  // Code points, not UTF-16 units, are what a quantifier applies to.
  const lit = [...pattern.slice(0, i)];
  const next = pattern[i];
  if (next === '?' || next === '*' || next === '{') lit.pop();
  return lit.join('');
}

/**
 * One label matcher. A missing label matches as the empty string, as in Alertmanager: `foo=""` matches
 * an alert without `foo`, and `foo!=""` requires it. Regexes are anchored and compiled once.
 */
export class Matcher {
  private readonly re?: GoRegex;

  constructor(
    public readonly name: string,
    public readonly type: MatchType,
    public readonly value: string,
  ) {
    if (type === '=~' || type === '!~') {
      try {
        this.re = compileGoRegex(value);
      } catch (e) {
        throw new Error(`invalid regular expression ${goQuote(value)}: ${(e as Error).message}`, {
          cause: e,
        });
      }
    }
  }

  /** Whether the label set satisfies this matcher. */
  matches(labels: LabelSet): boolean {
    // typeof guards against inherited properties such as `constructor` on plain objects.
    const raw = labels[this.name];
    const v = typeof raw === 'string' ? raw : '';
    switch (this.type) {
      case '=':
        return v === this.value;
      case '!=':
        return v !== this.value;
      case '=~':
        return this.re!.test(v);
      case '!~':
        return !this.re!.test(v);
    }
  }

  /**
   * Alertmanager's `Matcher.String()`: `name="value"` with OpenMetrics escaping of the value (only
   * backslash, newline and double quote), which is what route keys and group keys are built from.
   */
  toString(): string {
    if (RESERVED.test(this.name)) return `${goQuote(this.name)}${this.type}${goQuote(this.value)}`;
    return `${this.name}${this.type}"${openMetricsEscape(this.value)}"`;
  }
}

function openMetricsEscape(s: string): string {
  return s.replace(/[\\\n"]/g, (c) => (c === '\n' ? '\\n' : '\\' + c));
}

/** Alertmanager's `Matchers.Less`: by name, then value (Go string order: UTF-8 bytes), then match type. */
export function compareMatchers(a: Matcher, b: Matcher): number {
  if (a.name !== b.name) return compareUtf8(a.name, b.name);
  if (a.value !== b.value) return compareUtf8(a.value, b.value);
  return TYPE_ORDER[a.type] - TYPE_ORDER[b.type];
}

/** Alertmanager's `Matchers.String()`: `{a="b",c=~"d"}` in the given order, comma-separated without spaces. */
export function matchersToString(matchers: readonly Matcher[]): string {
  return `{${matchers.map((m) => m.toString()).join(',')}}`;
}

/** A syntax error in matcher text; `position` is the 0-based character offset where the parser gave up. */
export class MatcherParseError extends Error {
  constructor(
    public readonly reason: string,
    public readonly position: number,
    public readonly detail?: string,
  ) {
    super(`${reason} at position ${position}${detail ? `, ${detail}` : ''}`);
    this.name = 'MatcherParseError';
  }
}

const NAME_START = /[a-zA-Z_]/;
const NAME_CHAR = /[a-zA-Z0-9_]/;
const WS = /\s/;
const SIMPLE_ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '\\': '\\',
  '"': '"',
};

/** Recursive-descent parser for the amtool/Alertmanager matcher syntax. */
class Parser {
  pos = 0;
  /** Set once a matcher's operator is read: a later error is about the value, not the name's syntax. */
  inValue = false;
  constructor(private readonly s: string) {}

  skipWs(): void {
    while (this.pos < this.s.length && WS.test(this.s[this.pos])) this.pos++;
  }

  peek(): string | undefined {
    return this.s[this.pos];
  }

  atEnd(): boolean {
    return this.pos >= this.s.length;
  }

  fail(expected: string, at = this.pos): never {
    const found = at < this.s.length ? `found ${JSON.stringify(this.s[at])}` : 'found end of input';
    throw new MatcherParseError(`expected ${expected}`, at, found);
  }

  /** Parses one matcher; `inList` makes `,` and `}` end an unquoted value. */
  matcher(inList: boolean): Matcher {
    this.inValue = false;
    this.skipWs();
    const nameStart = this.pos;
    if (this.atEnd() || !NAME_START.test(this.s[this.pos])) this.fail('a label name');
    while (!this.atEnd() && NAME_CHAR.test(this.s[this.pos])) this.pos++;
    const name = this.s.slice(nameStart, this.pos);
    this.skipWs();
    const two = this.s.slice(this.pos, this.pos + 2);
    let type: MatchType;
    if (two === '=~' || two === '!=' || two === '!~') {
      type = two;
      this.pos += 2;
    } else if (two[0] === '=') {
      type = '=';
      this.pos += 1;
    } else {
      this.fail(`one of '=', '!=', '=~', '!~'`);
    }
    this.inValue = true;
    this.skipWs();
    const valueStart = this.pos;
    const value = this.peek() === '"' ? this.quoted() : this.unquoted(inList);
    try {
      return new Matcher(name, type, value);
    } catch (e) {
      const cause = ((e as Error).cause ?? e) as Error;
      throw new MatcherParseError('expected a valid regular expression', valueStart, cause.message);
    }
  }

  /** Unquoted values run to the next `,`/`}` in a list (or end of input) and are trimmed. */
  unquoted(inList: boolean): string {
    const start = this.pos;
    while (!this.atEnd()) {
      const c = this.s[this.pos];
      if (inList && (c === ',' || c === '}')) break;
      if (c === '"') this.fail(inList ? "',', '}' or a value without '\"'" : "a value without '\"'");
      this.pos++;
    }
    return this.s.slice(start, this.pos).trimEnd();
  }

  unterminated(open: number): never {
    throw new MatcherParseError(`expected '"'`, this.pos, `unterminated string opened at position ${open}`);
  }

  /** A double-quoted string with Go escape rules (`strconv.Unquote`). */
  quoted(): string {
    const open = this.pos++;
    let out = '';
    let bytes: number[] = [];
    const flushBytes = (at: number) => {
      if (bytes.length === 0) return;
      try {
        out += new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes));
      } catch {
        throw new MatcherParseError('invalid UTF-8 produced by escape sequences', at);
      }
      bytes = [];
    };
    for (;;) {
      if (this.atEnd()) this.unterminated(open);
      const c = this.s[this.pos];
      if (c === '"') {
        flushBytes(this.pos);
        this.pos++;
        return out;
      }
      if (c === '\n') throw new MatcherParseError(`expected '\\n' or '"'`, this.pos, 'found a raw newline');
      if (c !== '\\') {
        flushBytes(this.pos);
        out += c;
        this.pos++;
        continue;
      }
      const escStart = this.pos;
      const e = this.s[this.pos + 1];
      if (e === undefined) {
        this.pos++;
        this.unterminated(open);
      }
      if (e in SIMPLE_ESCAPES) {
        flushBytes(escStart);
        out += SIMPLE_ESCAPES[e];
        this.pos += 2;
      } else if (e === 'x' || (e >= '0' && e <= '7')) {
        // Byte escapes may spell multi-byte UTF-8, so they are collected and decoded together.
        const digits =
          e === 'x' ? this.s.slice(this.pos + 2, this.pos + 4) : this.s.slice(this.pos + 1, this.pos + 4);
        const ok = e === 'x' ? /^[0-9a-fA-F]{2}$/.test(digits) : /^[0-7]{3}$/.test(digits);
        const byte = ok ? parseInt(digits, e === 'x' ? 16 : 8) : 256;
        if (byte > 255) throw new MatcherParseError(`invalid escape sequence '\\${e}'`, escStart);
        bytes.push(byte);
        this.pos += 4;
      } else if (e === 'u' || e === 'U') {
        const n = e === 'u' ? 4 : 8;
        const digits = this.s.slice(this.pos + 2, this.pos + 2 + n);
        const cp = new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits) ? parseInt(digits, 16) : -1;
        if (cp < 0 || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
          throw new MatcherParseError(`invalid escape sequence '\\${e}'`, escStart);
        }
        flushBytes(escStart);
        out += String.fromCodePoint(cp);
        this.pos += 2 + n;
      } else {
        throw new MatcherParseError(`invalid escape sequence '\\${e}'`, escStart);
      }
    }
  }
}

function classicMatcher(p: Parser): Matcher {
  const m = p.matcher(false);
  p.skipWs();
  if (!p.atEnd()) p.fail('end of input');
  return m;
}

function classicMatchers(p: Parser): Matcher[] {
  const out: Matcher[] = [];
  p.skipWs();
  const braced = p.peek() === '{';
  if (braced) p.pos++;
  p.skipWs();
  const close = () => {
    if (braced) {
      if (p.peek() !== '}') p.fail(`',' or '}'`);
      p.pos++;
      p.skipWs();
    }
    if (!p.atEnd()) p.fail('end of input');
    return out;
  };
  if (p.atEnd() || (braced && p.peek() === '}')) return close();
  for (;;) {
    out.push(p.matcher(true));
    p.skipWs();
    if (p.peek() !== ',') {
      if (!braced && !p.atEnd()) p.fail(`',' or end of input`);
      return close();
    }
    p.pos++;
    p.skipWs();
    if (p.atEnd() || p.peek() === '}') return close();
  }
}

/** How matcher text is read. */
export interface MatcherParseOptions {
  /**
   * `utf8` (default): Alertmanager ≥ 0.27's default "fallback" mode — the classic syntax, and where
   * that fails the UTF-8 syntax of `matcher/parse` (quoted names such as `"service.name"="api"`,
   * unquoted UTF-8 names such as `名前=x`). `classic`: the classic syntax only.
   */
  labelNames?: LabelNameMode;
}

/**
 * Alertmanager's fallback (matcher/compat/parse.go): the UTF-8 parser's result unless the classic
 * parser also accepts the input, in which case the classic result wins (they can disagree, e.g. on
 * spaces in unquoted values). When both fail, Alertmanager reports the classic error; Herald does too,
 * unless the classic parser stumbled before any value (the input reads as UTF-8 syntax) and the UTF-8
 * parser got further, whose error then points at the actual mistake.
 */
function withFallback<T>(s: string, classic: (p: Parser) => T, utf8: () => T): T {
  const p = new Parser(s);
  try {
    return classic(p);
  } catch (classicErr) {
    try {
      return utf8();
    } catch (utf8Err) {
      if (
        !p.inValue &&
        utf8Err instanceof MatcherParseError &&
        classicErr instanceof MatcherParseError &&
        utf8Err.position > classicErr.position
      ) {
        throw utf8Err;
      }
      throw classicErr;
    }
  }
}

/**
 * Parses a single matcher such as `name="value"`, `name=value` or `name=~"re"`; with UTF-8 names (the
 * default) also `"service.name"="api"`. As in Alertmanager ≥ 0.27, braces are refused in UTF-8 mode.
 */
export function parseMatcher(s: string, opts: MatcherParseOptions = {}): Matcher {
  if (opts.labelNames === 'classic') return classicMatcher(new Parser(s));
  // Alertmanager's single-matcher parsers refuse braces before parsing (`unexpected open or close brace`).
  if (s.startsWith('{')) throw new MatcherParseError('unexpected open brace', 0);
  if (s.endsWith('}')) throw new MatcherParseError('unexpected close brace', s.length - 1);
  return withFallback(s, classicMatcher, () => {
    const ms = parseUtf8Matchers(s);
    if (ms.length === 1) return ms[0];
    throw new MatcherParseError('expected exactly one matcher', s.length, `found ${ms.length}`);
  });
}

/**
 * Parses a matcher list as amtool and Alertmanager config accept it: `{a="b", c=~"d.*"}` or the same
 * without braces; a trailing comma is allowed and an empty list (`""`, `{}`) yields no matchers. With
 * UTF-8 names (the default) names may also be quoted: `{"service.name"="api", 名前="x"}`.
 */
export function parseMatchers(s: string, opts: MatcherParseOptions = {}): Matcher[] {
  if (opts.labelNames === 'classic') return classicMatchers(new Parser(s));
  return withFallback(s, classicMatchers, () => parseUtf8Matchers(s));
}

// ---- The UTF-8 matcher syntax (Alertmanager's matcher/parse) ----

type TokenKind = '{' | '}' | ',' | 'op' | 'quoted' | 'unquoted' | 'eof';

interface Token {
  kind: TokenKind;
  /** The token's text as written (quoted strings with their quotes and escapes). */
  text: string;
  start: number;
}

const GO_SPACE = /\p{White_Space}/u;

/** Tokenizer of matcher/parse/lexer.go: reserved characters end an unquoted token; spaces separate. */
class Utf8Lexer {
  private pos = 0;
  private peeked?: Token;
  constructor(private readonly s: string) {}

  peek(): Token {
    this.peeked ??= this.scan();
    return this.peeked;
  }

  next(): Token {
    const t = this.peek();
    this.peeked = undefined;
    return t;
  }

  private scan(): Token {
    const s = this.s;
    while (this.pos < s.length && GO_SPACE.test(s[this.pos])) this.pos++;
    const start = this.pos;
    if (start >= s.length) return { kind: 'eof', text: '', start };
    const c = s[start];
    if (c === '{' || c === '}' || c === ',') {
      this.pos++;
      return { kind: c, text: c, start };
    }
    if (c === '=' || c === '!') {
      const two = s.slice(start, start + 2);
      if (two === '=~' || two === '!=' || two === '!~') {
        this.pos += 2;
        return { kind: 'op', text: two, start };
      }
      if (c === '!') {
        throw new MatcherParseError(`expected '!=' or '!~'`, start, found(s, start + 1));
      }
      this.pos++;
      return { kind: 'op', text: '=', start };
    }
    if (c === '"') {
      let i = start + 1;
      while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
      if (i >= s.length) {
        throw new MatcherParseError(
          `expected '"'`,
          s.length,
          `unterminated string opened at position ${start}`,
        );
      }
      this.pos = i + 1;
      return { kind: 'quoted', text: s.slice(start, this.pos), start };
    }
    if (RESERVED.test(c)) throw new MatcherParseError('unexpected character', start, found(s, start));
    let i = start + 1;
    while (i < s.length && !RESERVED.test(s[i])) i++;
    this.pos = i;
    return { kind: 'unquoted', text: s.slice(start, i), start };
  }
}

function found(s: string, at: number): string {
  return at < s.length ? `found ${JSON.stringify(s[at])}` : 'found end of input';
}

function describeToken(t: Token): string {
  return t.kind === 'eof' ? 'found end of input' : `found ${JSON.stringify(t.text)}`;
}

/** A name or value token's text: quoted ones are unquoted with Go's rules and must be valid UTF-8. */
function tokenText(t: Token): string {
  if (t.kind === 'unquoted') return t.text;
  try {
    return new Parser(t.text).quoted();
  } catch (e) {
    // The lexer found the closing quote, so only escapes can fail: point at them in the whole input.
    const pe = e as MatcherParseError;
    throw new MatcherParseError(pe.reason, t.start + pe.position, pe.detail);
  }
}

/**
 * Parses matchers in Alertmanager's UTF-8 syntax only (matcher/parse): an optional `{…}`, matchers
 * `name op value` where name and value are double-quoted (Go escapes) or unquoted runs without
 * reserved characters (whitespace and {}!=~,\"'`), separated by commas, a trailing comma allowed.
 * {@link parseMatchers} is what callers want; this is its UTF-8 half.
 */
export function parseUtf8Matchers(s: string): Matcher[] {
  const lx = new Utf8Lexer(s);
  const out: Matcher[] = [];
  const expect = (what: string, t: Token): never => {
    throw new MatcherParseError(`expected ${what}`, t.start, describeToken(t));
  };
  const braced = lx.peek().kind === '{';
  if (braced) lx.next();
  let t = lx.peek();
  if (braced && t.kind === 'eof') expect(`'}'`, t);
  if (t.kind !== 'eof' && t.kind !== '}') {
    for (;;) {
      const nameTok = lx.next();
      if (nameTok.kind !== 'quoted' && nameTok.kind !== 'unquoted') expect('a label name', nameTok);
      const name = tokenText(nameTok);
      const opTok = lx.next();
      if (opTok.kind !== 'op') expect(`one of '=', '!=', '=~', '!~'`, opTok);
      const valueTok = lx.next();
      if (valueTok.kind !== 'quoted' && valueTok.kind !== 'unquoted') expect('a label value', valueTok);
      const value = tokenText(valueTok);
      try {
        out.push(new Matcher(name, opTok.text as MatchType, value));
      } catch (e) {
        const cause = ((e as Error).cause ?? e) as Error;
        throw new MatcherParseError('expected a valid regular expression', valueTok.start, cause.message);
      }
      t = lx.peek();
      if (t.kind === ',') {
        lx.next();
        t = lx.peek();
        if (t.kind === 'quoted' || t.kind === 'unquoted') continue;
        if (t.kind !== 'eof' && t.kind !== '}') expect(`a matcher or '}' after ','`, t);
        break;
      }
      if (t.kind !== 'eof' && t.kind !== '}') expect(braced ? `',' or '}'` : `',' or end of input`, t);
      break;
    }
  }
  t = lx.next();
  if (braced && t.kind !== '}') expect(`'}'`, t);
  if (!braced && t.kind === '}') throw new MatcherParseError(`unexpected '}' without '{'`, t.start);
  if (braced) t = lx.next();
  if (t.kind !== 'eof') expect('end of input', t);
  return out;
}

/**
 * Matchers for the deprecated fields `match` (equality) and `match_re` (regex). Alertmanager builds the
 * regex matcher from the compiled config regexp's source, so its value is the anchored `^(?:re)$`; that
 * value shows up in route keys (and so in group keys), hence Herald keeps it too. Matching is unchanged.
 */
export function matchersFromLegacy(
  match: Record<string, string> = {},
  matchRe: Record<string, string> = {},
): Matcher[] {
  const out: Matcher[] = [];
  for (const [name, value] of Object.entries(match)) out.push(new Matcher(name, '=', value));
  for (const [name, value] of Object.entries(matchRe)) out.push(new Matcher(name, '=~', `^(?:${value})$`));
  return out;
}

/** Whether every matcher in the list matches. */
export function matchesAll(matchers: readonly Matcher[], labels: LabelSet): boolean {
  for (const m of matchers) if (!m.matches(labels)) return false;
  return true;
}
