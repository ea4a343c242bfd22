// Lexer for Go's text/template action language (semantics of Go's text/template/parse/lex.go:
// `{{`/`}}`, trim markers `{{- `/` -}}`, comments, raw/interpreted strings, chars, numbers).
// Positions are JS string offsets; errors convert them to Go's byte columns.

export type TokenType =
  | 'text'
  | 'left'
  | 'right'
  | 'ident'
  | 'field'
  | 'variable'
  | 'dot'
  | 'string'
  | 'raw'
  | 'char'
  | 'number'
  | 'bool'
  | 'nil'
  | 'pipe'
  | 'lparen'
  | 'rparen'
  | 'declare'
  | 'assign'
  | 'space'
  | 'keyword'
  | 'comma'
  | 'char1'
  | 'error'
  | 'eof';

export interface Token {
  type: TokenType;
  val: string;
  pos: number;
  line: number;
}

export class TemplateLexError extends Error {
  constructor(
    message: string,
    readonly line: number,
  ) {
    super(message);
  }
}

const KEYWORDS = new Set([
  'block',
  'break',
  'continue',
  'define',
  'else',
  'end',
  'if',
  'range',
  'template',
  'with',
]);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';
const isAlnum = (c: string): boolean => c === '_' || /[\p{L}\p{Nd}]/u.test(c);

/**
 * Splits template text into tokens. A lexical error becomes a final `error` token, as Go's lexer emits
 * an error item after the tokens before it (the parser may fail earlier on those, with its own message).
 */
export function lex(input: string): Token[] {
  const out: Token[] = [];
  try {
    lexInto(input, out);
  } catch (e) {
    if (!(e instanceof TemplateLexError)) throw e;
    out.push({ type: 'error', val: e.message, pos: input.length, line: e.line });
  }
  return out;
}

function lexInto(input: string, out: Token[]): void {
  let pos = 0;
  let line = 1;
  // Line of a position, counted on from the last one asked (positions mostly only grow): a rescan from
  // the start for every token made parsing quadratic in the template size.
  let atPos = 0;
  let atLine = 1;
  const lineAt = (p: number): number => {
    if (p < atPos) {
      atPos = 0;
      atLine = 1;
    }
    for (let i = atPos; i < p; i++) if (input.charCodeAt(i) === 10) atLine++;
    atPos = p;
    return atLine;
  };
  let trimNext = false;
  while (pos < input.length) {
    const open = input.indexOf('{{', pos);
    const textEnd = open < 0 ? input.length : open;
    let trimLeft = false;
    if (open >= 0 && input[open + 2] === '-' && isSpace(input[open + 3] ?? '')) trimLeft = true;
    let text = input.slice(pos, textEnd);
    if (trimNext) {
      const t = text.replace(/^[ \t\r\n]+/, '');
      text = t;
    }
    trimNext = false;
    if (trimLeft) text = text.replace(/[ \t\r\n]+$/, '');
    if (text.length > 0)
      out.push({ type: 'text', val: text, pos: textEnd - text.length, line: lineAt(textEnd - text.length) });
    if (open < 0) break;
    line = lineAt(open);
    out.push({ type: 'left', val: '{{', pos: open, line });
    pos = open + 2 + (trimLeft ? 2 : 0);
    // Comment: must start right after the delimiter (and trim marker) and end right before it.
    if (input.startsWith('/*', pos)) {
      const end = input.indexOf('*/', pos + 2);
      if (end < 0) throw new TemplateLexError('unclosed comment', line);
      let p = end + 2;
      let trimR = false;
      if (input[p] === ' ' || input[p] === '\t' || input[p] === '\r' || input[p] === '\n') {
        if (input.startsWith('-}}', p + 1) && isSpace(input[p])) {
          trimR = true;
          p += 1;
        }
      }
      if (trimR) p += 1;
      if (!input.startsWith('}}', p))
        throw new TemplateLexError('comment ends before closing delimiter', line);
      out.pop();
      trimNext = trimR;
      pos = p + 2;
      continue;
    }
    // Inside an action.
    let parenDepth = 0;
    for (;;) {
      const c = input[pos];
      if (c === undefined) throw new TemplateLexError('unclosed action', line);
      if (isSpace(c)) {
        const start = pos;
        while (pos < input.length && isSpace(input[pos])) pos++;
        if (input.startsWith('-}}', pos) && pos > start) {
          out.push({ type: 'right', val: '}}', pos: pos + 1, line: lineAt(pos) });
          pos += 3;
          trimNext = true;
          break;
        }
        out.push({ type: 'space', val: input.slice(start, pos), pos: start, line: lineAt(start) });
        continue;
      }
      const tl = lineAt(pos);
      if (input.startsWith('}}', pos)) {
        if (parenDepth > 0) throw new TemplateLexError('unclosed left paren', tl);
        out.push({ type: 'right', val: '}}', pos, line: tl });
        pos += 2;
        break;
      }
      if (c === '\n') throw new TemplateLexError('unclosed action', tl);
      if (c === '=') {
        out.push({ type: 'assign', val: '=', pos, line: tl });
        pos++;
      } else if (c === ':') {
        if (input[pos + 1] !== '=') throw new TemplateLexError('expected :=', tl);
        out.push({ type: 'declare', val: ':=', pos, line: tl });
        pos += 2;
      } else if (c === '|') {
        out.push({ type: 'pipe', val: '|', pos, line: tl });
        pos++;
      } else if (c === '"') {
        let p = pos + 1;
        for (;;) {
          const d = input[p];
          if (d === undefined || d === '\n') throw new TemplateLexError('unterminated quoted string', tl);
          if (d === '\\') {
            p += 2;
            continue;
          }
          if (d === '"') break;
          p++;
        }
        out.push({ type: 'string', val: input.slice(pos, p + 1), pos, line: tl });
        pos = p + 1;
      } else if (c === '`') {
        const end = input.indexOf('`', pos + 1);
        if (end < 0) throw new TemplateLexError('unterminated raw quoted string', tl);
        out.push({ type: 'raw', val: input.slice(pos, end + 1), pos, line: tl });
        pos = end + 1;
      } else if (c === "'") {
        let p = pos + 1;
        for (;;) {
          const d = input[p];
          if (d === undefined || d === '\n')
            throw new TemplateLexError('unterminated character constant', tl);
          if (d === '\\') {
            p += 2;
            continue;
          }
          if (d === "'") break;
          p++;
        }
        out.push({ type: 'char', val: input.slice(pos, p + 1), pos, line: tl });
        pos = p + 1;
      } else if (c === '$') {
        let p = pos + 1;
        while (p < input.length && isAlnum(input[p])) p++;
        out.push({ type: 'variable', val: input.slice(pos, p), pos, line: tl });
        pos = p;
      } else if (c === '.') {
        const n = input[pos + 1];
        if (n !== undefined && n >= '0' && n <= '9') {
          pos = lexNumber(input, pos, tl, out);
        } else if (n !== undefined && isAlnum(n)) {
          let p = pos + 1;
          while (p < input.length && isAlnum(input[p])) p++;
          out.push({ type: 'field', val: input.slice(pos, p), pos, line: tl });
          pos = p;
        } else {
          out.push({ type: 'dot', val: '.', pos, line: tl });
          pos++;
        }
      } else if (c === '+' || c === '-' || (c >= '0' && c <= '9')) {
        pos = lexNumber(input, pos, tl, out);
      } else if (isAlnum(c)) {
        let p = pos;
        while (p < input.length && isAlnum(input[p])) p++;
        const word = input.slice(pos, p);
        const type: TokenType = KEYWORDS.has(word)
          ? 'keyword'
          : word === 'true' || word === 'false'
            ? 'bool'
            : word === 'nil'
              ? 'nil'
              : 'ident';
        out.push({ type, val: word, pos, line: tl });
        pos = p;
      } else if (c === ',') {
        out.push({ type: 'comma', val: ',', pos, line: tl });
        pos++;
      } else if (c === '(') {
        parenDepth++;
        out.push({ type: 'lparen', val: '(', pos, line: tl });
        pos++;
      } else if (c === ')') {
        parenDepth--;
        out.push({ type: 'rparen', val: ')', pos, line: tl });
        pos++;
        if (parenDepth < 0) throw new TemplateLexError(`unexpected right paren U+0029 ')'`, tl);
      } else if (c >= ' ' && c <= '~') {
        // Go emits any other printable ASCII character as a token for the parser to reject.
        out.push({ type: 'char1', val: c, pos, line: tl });
        pos++;
      } else {
        throw new TemplateLexError(
          `unrecognized character in action: ${goRune(input.codePointAt(pos)!)}`,
          tl,
        );
      }
      // An identifier, field or literal must be followed by a separator (Go's atTerminator).
      const prev = out[out.length - 1];
      if (['field', 'variable', 'ident', 'number', 'bool', 'nil', 'keyword'].includes(prev.type)) {
        const n = input[pos];
        if (
          n !== undefined &&
          !isSpace(n) &&
          !'.|()=,'.includes(n) &&
          !input.startsWith('}}', pos) &&
          !(n === ':' && input[pos + 1] === '=')
        ) {
          throw new TemplateLexError(`bad character ${goRune(input.codePointAt(pos)!)}`, tl);
        }
      }
    }
  }
  out.push({ type: 'eof', val: '', pos: input.length, line: lineAt(input.length) });
}

const NUMBER =
  /[+-]?(0[xX][0-9a-fA-F_]*(\.[0-9a-fA-F_]*)?([pP][+-]?[0-9_]+)?|0[bB][01_]+|0[oO][0-7_]+|[0-9_]*\.?[0-9_]*([eE][+-]?[0-9_]+)?)i?/y;

function lexNumber(input: string, pos: number, line: number, out: Token[]): number {
  // Sticky match at `pos` (no copy of the rest of the input per number).
  NUMBER.lastIndex = pos;
  const m = NUMBER.exec(input);
  const text = m ? m[0] : '';
  const next = input[pos + text.length];
  if (text === '' || text === '+' || text === '-' || (next !== undefined && isAlnum(next))) {
    throw new TemplateLexError(
      `bad number syntax: ${JSON.stringify(input.slice(pos, pos + text.length + 1))}`,
      line,
    );
  }
  out.push({ type: 'number', val: text, pos, line });
  return pos + text.length;
}

/** Go's %#U: `U+0023 '#'`. */
function goRune(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')} '${String.fromCodePoint(cp)}'`;
}
