// Go's html/template contextual autoescaping (Go 1.19, what Alertmanager 0.25's Debian build uses) over
// Herald's parse trees: the escaper walks a template from the HTML text context, tracks the HTML/CSS/JS/URL
// context through text nodes, appends the context's escaping functions to every action's pipeline, strips
// comments from text, and gives templates called from a non-text context a derived copy named
// `name$htmltemplate_<context>`. Execution then runs the rewritten trees with the ordinary Executor.
//
// Written from the behaviour documented and implemented in Go's html/template (escape.go, transition.go,
// context.go, html.go, js.go, css.go, url.go, attr.go, content.go); checked against real Alertmanager
// 0.25 (html-conformance.spec.ts) and, while written, against Go 1.19's html/template over 13 000 random
// templates. Deliberate simplifications:
// - html.UnescapeString (applied to attribute values before tracking the URL/JS/CSS context inside them)
//   decodes numeric references as Go does but only the named references in ENTITIES (HTML5 has 2 000+);
//   a value spelled with another named reference may get a different, still escaped, URL part.
// - Actions inside JS template literals are refused, as Go 1.19.8 does by default (errJSTmplLit).
// - template.HTML (from safeHtml) is the only typed content: Alertmanager 0.25 has no safeJs/safeUrl.
//   Passing it to functions other than the escapers and string-typed ones may print differently.
import { GoFloat, GoMap, GoStruct, ParamType } from './values';
import { formatValue, sprint, sprintf } from './gofmt';
import { GoDuration, GoTime } from './gotime';
import { TemplateExecError, TemplateFunc } from './exec';
import { CommandNode, ListNode, Node, nodeString, ParsedTree, PipeNode } from './parser';

// ---------------------------------------------------------------------------------------------------
// Typed content (html/template's HTML type; Alertmanager's safeHtml returns it).

/**
 * html/template.HTML: trusted markup, not escaped in HTML text. A GoStruct only so that Herald's fmt
 * (which knows no string-kinded named types) prints it without failing, as `{markup}`; functions get
 * it as a plain string (htmlTemplateFuncs), so only range/field errors over it print that way.
 */
export class SafeHTML extends GoStruct {
  readonly goTypeName = 'template.HTML';
  constructor(readonly value: string) {
    super();
  }
  override goFields(): [string, unknown][] {
    return [['HTML', this.value]];
  }
  override toString(): string {
    return this.value;
  }
}

type ContentType = 'plain' | 'css' | 'html' | 'htmlattr' | 'js' | 'jsstr' | 'url' | 'srcset' | 'unsafe';

// ---------------------------------------------------------------------------------------------------
// Contexts (Go's context struct; the enum values are Go's names, which error messages and derived
// template names print).

type State =
  | 'stateText'
  | 'stateTag'
  | 'stateAttrName'
  | 'stateAfterName'
  | 'stateBeforeValue'
  | 'stateHTMLCmt'
  | 'stateRCDATA'
  | 'stateAttr'
  | 'stateURL'
  | 'stateSrcset'
  | 'stateJS'
  | 'stateJSDqStr'
  | 'stateJSSqStr'
  | 'stateJSBqStr'
  | 'stateJSRegexp'
  | 'stateJSBlockCmt'
  | 'stateJSLineCmt'
  | 'stateCSS'
  | 'stateCSSDqStr'
  | 'stateCSSSqStr'
  | 'stateCSSDqURL'
  | 'stateCSSSqURL'
  | 'stateCSSURL'
  | 'stateCSSBlockCmt'
  | 'stateCSSLineCmt'
  | 'stateError'
  | 'stateDead';
type Delim = 'delimNone' | 'delimDoubleQuote' | 'delimSingleQuote' | 'delimSpaceOrTagEnd';
type UrlPart = 'urlPartNone' | 'urlPartPreQuery' | 'urlPartQueryOrFrag' | 'urlPartUnknown';
type JsCtx = 'jsCtxRegexp' | 'jsCtxDivOp' | 'jsCtxUnknown';
type Attr = 'attrNone' | 'attrScript' | 'attrScriptType' | 'attrStyle' | 'attrURL' | 'attrSrcset';
type Element = 'elementNone' | 'elementScript' | 'elementStyle' | 'elementTextarea' | 'elementTitle';

/** An escaping failure; `message` is Go's Error() text (computed once the template name is known). */
class EscError {
  name = '';
  constructor(
    /** `parseName:line:col` of the node, or '' when the error has no node. */
    readonly loc: string,
    public line: number,
    public description: string,
  ) {}
  message(): string {
    if (this.loc) return `html/template:${this.loc}: ${this.description}`;
    if (this.line !== 0) return `html/template:${this.name}:${this.line}: ${this.description}`;
    if (this.name !== '') return `html/template:${this.name}: ${this.description}`;
    return `html/template: ${this.description}`;
  }
}

interface Ctx {
  state: State;
  delim: Delim;
  urlPart: UrlPart;
  jsCtx: JsCtx;
  attr: Attr;
  element: Element;
  err: EscError | null;
  /** The break/continue node a range context was recorded at. */
  n?: Node;
}

function ctx(p: Partial<Ctx> = {}): Ctx {
  return {
    state: 'stateText',
    delim: 'delimNone',
    urlPart: 'urlPartNone',
    jsCtx: 'jsCtxRegexp',
    attr: 'attrNone',
    element: 'elementNone',
    err: null,
    ...p,
  };
}

function errCtx(err: EscError): Ctx {
  return ctx({ state: 'stateError', err });
}

function ctxEq(a: Ctx, b: Ctx): boolean {
  return (
    a.state === b.state &&
    a.delim === b.delim &&
    a.urlPart === b.urlPart &&
    a.jsCtx === b.jsCtx &&
    a.attr === b.attr &&
    a.element === b.element &&
    a.err === b.err
  );
}

function ctxString(c: Ctx): string {
  const err = c.err ? c.err.message() : '<nil>';
  return `{${c.state} ${c.delim} ${c.urlPart} ${c.jsCtx} ${c.attr} ${c.element} ${err}}`;
}

/** The derived template name for calls from context c (Go's context.mangle). */
function mangle(c: Ctx, name: string): string {
  if (c.state === 'stateText') return name;
  let s = `${name}$htmltemplate_${c.state}`;
  if (c.delim !== 'delimNone') s += `_${c.delim}`;
  if (c.urlPart !== 'urlPartNone') s += `_${c.urlPart}`;
  if (c.jsCtx !== 'jsCtxRegexp') s += `_${c.jsCtx}`;
  if (c.attr !== 'attrNone') s += `_${c.attr}`;
  if (c.element !== 'elementNone') s += `_${c.element}`;
  return s;
}

const isComment = (s: State): boolean =>
  s === 'stateHTMLCmt' ||
  s === 'stateJSBlockCmt' ||
  s === 'stateJSLineCmt' ||
  s === 'stateCSSBlockCmt' ||
  s === 'stateCSSLineCmt';

const isInTag = (s: State): boolean =>
  s === 'stateTag' ||
  s === 'stateAttrName' ||
  s === 'stateAfterName' ||
  s === 'stateBeforeValue' ||
  s === 'stateAttr';

// ---------------------------------------------------------------------------------------------------
// Attribute content types (attr.go).

const ATTR_TYPES: Record<string, ContentType> = {};
for (const [t, names] of [
  [
    'plain',
    'accept alt autocomplete autofocus autoplay border checked class cols colspan contenteditable contextmenu controls coords datetime default dir dirname disabled draggable dropzone for formtarget headers height hidden high hreflang id ismap kind label lang list loop low max maxlength media mediagroup min multiple name open optimum placeholder preload pubdate radiogroup readonly required reversed rows rowspan spellcheck scope scoped seamless selected shape size sizes span srclang start step tabindex target title width wrap',
  ],
  [
    'unsafe',
    'accept-charset async challenge charset content crossorigin defer enctype form formenctype formmethod formnovalidate http-equiv keytype language method novalidate pattern rel sandbox type value',
  ],
  [
    'url',
    'action archive background cite classid codebase data formaction href icon longdesc manifest poster profile src usemap xmlns',
  ],
  ['html', 'srcdoc'],
  ['srcset', 'srcset'],
  ['css', 'style'],
] as const) {
  for (const n of names.split(' ')) ATTR_TYPES[n] = t;
}

function attrType(name: string): ContentType {
  if (name.startsWith('data-')) name = name.slice(5);
  else {
    const i = name.indexOf(':');
    if (i >= 0) {
      if (name.slice(0, i) === 'xmlns') return 'url';
      name = name.slice(i + 1);
    }
  }
  if (Object.prototype.hasOwnProperty.call(ATTR_TYPES, name)) return ATTR_TYPES[name];
  if (name.startsWith('on')) return 'js';
  if (name.includes('src') || name.includes('uri') || name.includes('url')) return 'url';
  return 'plain';
}

// ---------------------------------------------------------------------------------------------------
// Context transitions over template text (transition.go). Offsets are UTF-16 indices; every character
// the transitions look for is ASCII (or U+2028/9), so they match Go's byte-wise scan.

type Transition = (c: Ctx, s: string) => [Ctx, number];

const ELEMENT_NAMES: Record<string, Element> = {
  script: 'elementScript',
  style: 'elementStyle',
  textarea: 'elementTextarea',
  title: 'elementTitle',
};
const ELEMENT_CONTENT: Record<Element, State> = {
  elementNone: 'stateText',
  elementScript: 'stateJS',
  elementStyle: 'stateCSS',
  elementTextarea: 'stateRCDATA',
  elementTitle: 'stateRCDATA',
};
const ATTR_START: Record<Attr, State> = {
  attrNone: 'stateAttr',
  attrScript: 'stateJS',
  attrScriptType: 'stateAttr',
  attrStyle: 'stateCSS',
  attrURL: 'stateURL',
  attrSrcset: 'stateSrcset',
};
const SPECIAL_TAG_END: Record<Element, string> = {
  elementNone: '',
  elementScript: 'script',
  elementStyle: 'style',
  elementTextarea: 'textarea',
  elementTitle: 'title',
};

const asciiAlpha = (c: string): boolean => /^[A-Za-z]$/.test(c);
const asciiAlphaNum = (c: string): boolean => /^[A-Za-z0-9]$/.test(c);

function indexAny(s: string, chars: string, from = 0): number {
  for (let i = from; i < s.length; i++) if (chars.includes(s[i])) return i;
  return -1;
}

function eatWhiteSpace(s: string, i: number): number {
  for (let j = i; j < s.length; j++) if (!' \t\n\f\r'.includes(s[j])) return j;
  return s.length;
}

function eatTagName(s: string, i: number): [number, Element] {
  if (i === s.length || !asciiAlpha(s[i])) return [i, 'elementNone'];
  let j = i + 1;
  while (j < s.length) {
    const x = s[j];
    if (asciiAlphaNum(x)) {
      j++;
      continue;
    }
    if ((x === ':' || x === '-') && j + 1 < s.length && asciiAlphaNum(s[j + 1])) {
      j += 2;
      continue;
    }
    break;
  }
  return [j, ELEMENT_NAMES[s.slice(i, j).toLowerCase()] ?? 'elementNone'];
}

function eatAttrName(s: string, i: number): [number, EscError | null] {
  for (let j = i; j < s.length; j++) {
    const c = s[j];
    if (' \t\n\f\r=>'.includes(c)) return [j, null];
    if (c === "'" || c === '"' || c === '<')
      return [-1, new EscError('', 0, `${goQuote(c)} in attribute name: ${goQuote(s, 32)}`)];
  }
  return [s.length, null];
}

const tText: Transition = (c, s) => {
  let k = 0;
  for (;;) {
    const i = s.indexOf('<', k);
    if (i < 0 || i + 1 === s.length) return [c, s.length];
    if (s.startsWith('<!--', i)) return [ctx({ state: 'stateHTMLCmt' }), i + 4];
    let j = i + 1;
    let end = false;
    if (s[j] === '/') {
      if (j + 1 === s.length) return [c, s.length];
      end = true;
      j++;
    }
    const [j2, e] = eatTagName(s, j);
    if (j2 !== j) return [ctx({ state: 'stateTag', element: end ? 'elementNone' : e }), j2];
    k = j2;
  }
};

const tTag: Transition = (c, s) => {
  const i = eatWhiteSpace(s, 0);
  if (i === s.length) return [c, s.length];
  if (s[i] === '>') return [ctx({ state: ELEMENT_CONTENT[c.element], element: c.element }), i + 1];
  const [j, err] = eatAttrName(s, i);
  if (err) return [errCtx(err), s.length];
  if (i === j)
    return [
      errCtx(new EscError('', 0, `expected space, attr name, or end of tag, but got ${goQuote(s.slice(i))}`)),
      s.length,
    ];
  const name = s.slice(i, j).toLowerCase();
  let attr: Attr = 'attrNone';
  if (c.element === 'elementScript' && name === 'type') attr = 'attrScriptType';
  else {
    const t = attrType(name);
    if (t === 'url') attr = 'attrURL';
    else if (t === 'css') attr = 'attrStyle';
    else if (t === 'js') attr = 'attrScript';
    else if (t === 'srcset') attr = 'attrSrcset';
  }
  return [ctx({ state: j === s.length ? 'stateAttrName' : 'stateAfterName', element: c.element, attr }), j];
};

const tAttrName: Transition = (c, s) => {
  const [i, err] = eatAttrName(s, 0);
  if (err) return [errCtx(err), s.length];
  if (i !== s.length) c = { ...c, state: 'stateAfterName' };
  return [c, i];
};

const tAfterName: Transition = (c, s) => {
  const i = eatWhiteSpace(s, 0);
  if (i === s.length) return [c, s.length];
  if (s[i] !== '=') return [{ ...c, state: 'stateTag' }, i];
  return [{ ...c, state: 'stateBeforeValue' }, i + 1];
};

const tBeforeValue: Transition = (c, s) => {
  let i = eatWhiteSpace(s, 0);
  if (i === s.length) return [c, s.length];
  let delim: Delim = 'delimSpaceOrTagEnd';
  if (s[i] === "'") {
    delim = 'delimSingleQuote';
    i++;
  } else if (s[i] === '"') {
    delim = 'delimDoubleQuote';
    i++;
  }
  return [{ ...c, state: ATTR_START[c.attr], delim }, i];
};

const tHTMLCmt: Transition = (c, s) => {
  const i = s.indexOf('-->');
  if (i !== -1) return [ctx(), i + 3];
  return [c, s.length];
};

function indexTagEnd(s: string, tag: string): number {
  let res = 0;
  while (s.length > 0) {
    const i = s.indexOf('</');
    if (i === -1) return -1;
    s = s.slice(i + 2);
    if (tag.length <= s.length && s.slice(0, tag.length).toLowerCase() === tag) {
      s = s.slice(tag.length);
      if (s.length > 0 && '> \t\n\f/'.includes(s[0])) return res + i;
      res += tag.length;
    }
    res += i + 2;
  }
  return -1;
}

const tSpecialTagEnd: Transition = (c, s) => {
  if (c.element !== 'elementNone') {
    const i = indexTagEnd(s, SPECIAL_TAG_END[c.element]);
    if (i !== -1) return [ctx(), i];
  }
  return [c, s.length];
};

const tAttr: Transition = (c, s) => [c, s.length];

const tURL: Transition = (c, s) => {
  if (indexAny(s, '#?') >= 0) c = { ...c, urlPart: 'urlPartQueryOrFrag' };
  else if (s.length !== eatWhiteSpace(s, 0) && c.urlPart === 'urlPartNone')
    c = { ...c, urlPart: 'urlPartPreQuery' };
  return [c, s.length];
};

const tJS: Transition = (c, s) => {
  let i = indexAny(s, '"`\'/');
  if (i === -1) return [{ ...c, jsCtx: nextJSCtx(s, c.jsCtx) }, s.length];
  c = { ...c, jsCtx: nextJSCtx(s.slice(0, i), c.jsCtx) };
  switch (s[i]) {
    case '"':
      c = { ...c, state: 'stateJSDqStr', jsCtx: 'jsCtxRegexp' };
      break;
    case "'":
      c = { ...c, state: 'stateJSSqStr', jsCtx: 'jsCtxRegexp' };
      break;
    case '`':
      c = { ...c, state: 'stateJSBqStr', jsCtx: 'jsCtxRegexp' };
      break;
    default:
      if (i + 1 < s.length && s[i + 1] === '/') {
        c = { ...c, state: 'stateJSLineCmt' };
        i++;
      } else if (i + 1 < s.length && s[i + 1] === '*') {
        c = { ...c, state: 'stateJSBlockCmt' };
        i++;
      } else if (c.jsCtx === 'jsCtxRegexp') c = { ...c, state: 'stateJSRegexp' };
      else if (c.jsCtx === 'jsCtxDivOp') c = { ...c, jsCtx: 'jsCtxRegexp' };
      else
        return [
          errCtx(new EscError('', 0, `'/' could start a division or regexp: ${goQuote(s.slice(i), 32)}`)),
          s.length,
        ];
  }
  return [c, i + 1];
};

const tJSDelimited: Transition = (c, s) => {
  let specials = '\\"';
  if (c.state === 'stateJSSqStr') specials = "\\'";
  else if (c.state === 'stateJSBqStr') specials = '`\\';
  else if (c.state === 'stateJSRegexp') specials = '\\/[]';
  let k = 0;
  let inCharset = false;
  for (;;) {
    let i = indexAny(s, specials, k);
    if (i < 0) break;
    switch (s[i]) {
      case '\\':
        i++;
        if (i === s.length)
          return [
            errCtx(new EscError('', 0, `unfinished escape sequence in JS string: ${goQuote(s)}`)),
            s.length,
          ];
        break;
      case '[':
        inCharset = true;
        break;
      case ']':
        inCharset = false;
        break;
      default:
        if (!inCharset) return [{ ...c, state: 'stateJS', jsCtx: 'jsCtxDivOp' }, i + 1];
    }
    k = i + 1;
  }
  if (inCharset)
    return [errCtx(new EscError('', 0, `unfinished JS regexp charset: ${goQuote(s)}`)), s.length];
  return [c, s.length];
};

const tBlockCmt: Transition = (c, s) => {
  const i = s.indexOf('*/');
  if (i === -1) return [c, s.length];
  return [{ ...c, state: c.state === 'stateJSBlockCmt' ? 'stateJS' : 'stateCSS' }, i + 2];
};

const tLineCmt: Transition = (c, s) => {
  const js = c.state === 'stateJSLineCmt';
  const i = indexAny(s, js ? '\n\r\u2028\u2029' : '\n\f\r');
  if (i === -1) return [c, s.length];
  return [{ ...c, state: js ? 'stateJS' : 'stateCSS' }, i];
};

const tCSS: Transition = (c, s) => {
  let k = 0;
  for (;;) {
    const i = indexAny(s, '("\'/', k);
    if (i < 0) return [c, s.length];
    switch (s[i]) {
      case '(': {
        const p = s.slice(0, i).replace(/[\t\n\f\r ]+$/, '');
        if (endsWithCSSKeyword(p, 'url')) {
          let j = s.length - s.slice(i + 1).replace(/^[\t\n\f\r ]+/, '').length;
          let state: State = 'stateCSSURL';
          if (j !== s.length && s[j] === '"') {
            state = 'stateCSSDqURL';
            j++;
          } else if (j !== s.length && s[j] === "'") {
            state = 'stateCSSSqURL';
            j++;
          }
          return [{ ...c, state }, j];
        }
        break;
      }
      case '/':
        if (i + 1 < s.length) {
          if (s[i + 1] === '/') return [{ ...c, state: 'stateCSSLineCmt' }, i + 2];
          if (s[i + 1] === '*') return [{ ...c, state: 'stateCSSBlockCmt' }, i + 2];
        }
        break;
      case '"':
        return [{ ...c, state: 'stateCSSDqStr' }, i + 1];
      case "'":
        return [{ ...c, state: 'stateCSSSqStr' }, i + 1];
    }
    k = i + 1;
  }
};

const tCSSStr: Transition = (c, s) => {
  let endAndEsc = '\\"';
  if (c.state === 'stateCSSSqStr' || c.state === 'stateCSSSqURL') endAndEsc = "\\'";
  else if (c.state === 'stateCSSURL') endAndEsc = '\\\t\n\f\r )';
  let k = 0;
  for (;;) {
    let i = indexAny(s, endAndEsc, k);
    if (i < 0) {
      const [c1, nread] = tURL(c, decodeCSS(s.slice(k)));
      return [c1, k + nread];
    }
    if (s[i] === '\\') {
      i++;
      if (i === s.length)
        return [
          errCtx(new EscError('', 0, `unfinished escape sequence in CSS string: ${goQuote(s)}`)),
          s.length,
        ];
    } else return [{ ...c, state: 'stateCSS' }, i + 1];
    c = tURL(c, decodeCSS(s.slice(0, i + 1)))[0];
    k = i + 1;
  }
};

const tError: Transition = (c, s) => [c, s.length];

const TRANSITIONS: Record<State, Transition> = {
  stateText: tText,
  stateTag: tTag,
  stateAttrName: tAttrName,
  stateAfterName: tAfterName,
  stateBeforeValue: tBeforeValue,
  stateHTMLCmt: tHTMLCmt,
  stateRCDATA: tSpecialTagEnd,
  stateAttr: tAttr,
  stateURL: tURL,
  stateSrcset: tURL,
  stateJS: tJS,
  stateJSDqStr: tJSDelimited,
  stateJSSqStr: tJSDelimited,
  stateJSBqStr: tJSDelimited,
  stateJSRegexp: tJSDelimited,
  stateJSBlockCmt: tBlockCmt,
  stateJSLineCmt: tLineCmt,
  stateCSS: tCSS,
  stateCSSDqStr: tCSSStr,
  stateCSSSqStr: tCSSStr,
  stateCSSDqURL: tCSSStr,
  stateCSSSqURL: tCSSStr,
  stateCSSURL: tCSSStr,
  stateCSSBlockCmt: tBlockCmt,
  stateCSSLineCmt: tLineCmt,
  stateError: tError,
  stateDead: tError,
};

const REGEXP_PRECEDER_KEYWORDS = new Set([
  'break',
  'case',
  'continue',
  'delete',
  'do',
  'else',
  'finally',
  'in',
  'instanceof',
  'return',
  'throw',
  'try',
  'typeof',
  'void',
]);

const isJSIdentPart = (ch: string): boolean => /^[$0-9A-Z_a-z]$/.test(ch);

/** Whether a '/' after `s` starts a regexp or is a division (js.go's nextJSCtx). */
function nextJSCtx(s: string, preceding: JsCtx): JsCtx {
  s = s.replace(/[\t\n\f\r \u2028\u2029]+$/, '');
  const n = s.length;
  if (n === 0) return preceding;
  const c = s[n - 1];
  switch (c) {
    case '+':
    case '-': {
      let start = n - 1;
      while (start > 0 && s[start - 1] === c) start--;
      return (n - start) & 1 ? 'jsCtxRegexp' : 'jsCtxDivOp';
    }
    case '.':
      return n !== 1 && s[n - 2] >= '0' && s[n - 2] <= '9' ? 'jsCtxDivOp' : 'jsCtxRegexp';
    default:
      if (',<>=*%&|^?!~([:;{}'.includes(c)) return 'jsCtxRegexp';
  }
  let j = n;
  while (j > 0 && isJSIdentPart(s[j - 1])) j--;
  return REGEXP_PRECEDER_KEYWORDS.has(s.slice(j)) ? 'jsCtxRegexp' : 'jsCtxDivOp';
}

function isJSType(mime: string): boolean {
  const i = mime.indexOf(';');
  if (i >= 0) mime = mime.slice(0, i);
  return JS_TYPES.has(mime.toLowerCase().trim());
}
const JS_TYPES = new Set([
  'application/ecmascript',
  'application/javascript',
  'application/json',
  'application/ld+json',
  'application/x-ecmascript',
  'application/x-javascript',
  'module',
  'text/ecmascript',
  'text/javascript',
  'text/javascript1.0',
  'text/javascript1.1',
  'text/javascript1.2',
  'text/javascript1.3',
  'text/javascript1.4',
  'text/javascript1.5',
  'text/jscript',
  'text/livescript',
  'text/x-ecmascript',
  'text/x-javascript',
]);

function isCSSNmchar(cp: number): boolean {
  return (
    (cp >= 0x61 && cp <= 0x7a) ||
    (cp >= 0x41 && cp <= 0x5a) ||
    (cp >= 0x30 && cp <= 0x39) ||
    cp === 0x2d ||
    cp === 0x5f ||
    (cp >= 0x80 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function endsWithCSSKeyword(b: string, kw: string): boolean {
  const i = b.length - kw.length;
  if (i < 0) return false;
  if (i !== 0) {
    const before = [...b.slice(0, i)].pop()!;
    if (isCSSNmchar(before.codePointAt(0)!)) return false;
  }
  return b.slice(i).toLowerCase() === kw;
}

const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);

/** CSS escape decoding (`\22 ` → `"`, `\(` → `(`). */
function decodeCSS(s: string): string {
  if (!s.includes('\\')) return s;
  let out = '';
  while (s.length) {
    let i = s.indexOf('\\');
    if (i === -1) i = s.length;
    out += s.slice(0, i);
    s = s.slice(i);
    if (s.length < 2) break;
    if (isHex(s[1])) {
      let j = 2;
      while (j < s.length && j < 7 && isHex(s[j])) j++;
      let r = parseInt(s.slice(1, j), 16);
      if (r > 0x10ffff) {
        r = Math.floor(r / 16);
        j--;
      }
      // Go's utf8.EncodeRune writes U+FFFD for surrogates.
      out += r >= 0xd800 && r <= 0xdfff ? '\uFFFD' : String.fromCodePoint(r);
      s = s.slice(j);
      if (s.startsWith('\r\n')) s = s.slice(2);
      else if (s.length && '\t\n\f \r'.includes(s[0])) s = s.slice(1);
    } else {
      const ch = String.fromCodePoint(s.codePointAt(1)!);
      out += ch;
      s = s.slice(1 + ch.length);
    }
  }
  return out;
}

// Named references html.UnescapeString decodes here (see the header: a subset of HTML5's table).
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  num: '#',
  quest: '?',
  sol: '/',
  colon: ':',
  semi: ';',
  equals: '=',
  lpar: '(',
  rpar: ')',
  grave: '`',
  bsol: '\\',
  excl: '!',
  percnt: '%',
  plus: '+',
  comma: ',',
  period: '.',
  ast: '*',
  dollar: '$',
  lsqb: '[',
  rsqb: ']',
  lcub: '{',
  rcub: '}',
  Tab: '\t',
  NewLine: '\n',
};

// Named references that also decode without their ';' (HTML5's legacy ones, within ENTITIES).
const LEGACY_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'nbsp']);
// Windows-1252 meanings of numeric references &#x80;–&#x9F; (as html.UnescapeString maps them).
const CP1252 =
  '\u20AC\u0081\u201A\u0192\u201E\u2026\u2020\u2021\u02C6\u2030\u0160\u2039\u0152\u008D\u017D\u008F' +
  '\u0090\u2018\u2019\u201C\u201D\u2022\u2013\u2014\u02DC\u2122\u0161\u203A\u0153\u009D\u017E\u0178';

/** html.UnescapeString's decoding (numeric references exactly; named ones from ENTITIES). */
function htmlUnescape(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(
    /&(?:#([xX])([0-9a-fA-F]+);?|#([0-9]+);?|([A-Za-z0-9]+)(;?))/g,
    (m, x: string | undefined, hex: string, dec: string, name: string | undefined, semi: string) => {
      if (name === undefined) {
        let cp = x ? parseInt(hex, 16) : parseInt(dec, 10);
        if (cp >= 0x80 && cp <= 0x9f) cp = CP1252.codePointAt(cp - 0x80)!;
        else if (cp === 0 || (cp >= 0xd800 && cp <= 0xdfff) || !(cp <= 0x10ffff)) cp = 0xfffd;
        return String.fromCodePoint(cp);
      }
      if (semi && Object.prototype.hasOwnProperty.call(ENTITIES, name)) return ENTITIES[name];
      if (!semi && LEGACY_ENTITIES.has(name)) return ENTITIES[name];
      // A legacy name may prefix other text (`&ampx` is `&x`).
      const full = name + semi;
      for (let j = Math.min(full.length - 1, 6); j > 1; j--) {
        if (LEGACY_ENTITIES.has(full.slice(0, j))) return ENTITIES[full.slice(0, j)] + full.slice(j);
      }
      return m;
    },
  );
}

const DELIM_ENDS: Record<Delim, string> = {
  delimNone: '',
  delimDoubleQuote: '"',
  delimSingleQuote: "'",
  delimSpaceOrTagEnd: ' \t\n\f\r>',
};

/** The context after the longest prefix of `s` one transition handles, and that prefix's length. */
function contextAfterText(c: Ctx, s: string): [Ctx, number] {
  if (c.delim === 'delimNone') {
    const [c1, i] = tSpecialTagEnd(c, s);
    if (i === 0) return [c1, 0]; // a special end tag (`</script>`) right here
    return TRANSITIONS[c.state](c, s.slice(0, i));
  }
  let i = indexAny(s, DELIM_ENDS[c.delim]);
  if (i === -1) i = s.length;
  if (c.delim === 'delimSpaceOrTagEnd') {
    const j = indexAny(s.slice(0, i), '"\'<=`');
    if (j >= 0)
      return [
        errCtx(new EscError('', 0, `${goQuote(s[j])} in unquoted attr: ${goQuote(s.slice(0, i))}`)),
        s.length,
      ];
  }
  if (i === s.length) {
    // The value goes on past this text: decode entities and track the value's own context.
    let u = htmlUnescape(s);
    while (u.length) {
      const [c1, i1] = TRANSITIONS[c.state](c, u);
      c = c1;
      u = u.slice(i1);
    }
    return [c, s.length];
  }
  let element = c.element;
  // <script type="text/template">: the body is not JS.
  if (
    c.state === 'stateAttr' &&
    c.element === 'elementScript' &&
    c.attr === 'attrScriptType' &&
    !isJSType(s.slice(0, i))
  )
    element = 'elementNone';
  if (c.delim !== 'delimSpaceOrTagEnd') i++;
  return [ctx({ state: 'stateTag', element }), i];
}

/** Go's %q (or %.Nq: at most N runes) of a string. */
function goQuote(s: string, maxRunes?: number): string {
  if (maxRunes !== undefined) s = [...s].slice(0, maxRunes).join('');
  return sprintf('%q', [s]);
}

// ---------------------------------------------------------------------------------------------------
// The escaper (escape.go).

const FILTER_FAILSAFE = 'ZgotmplZ';

const PREDEFINED_ESCAPERS = new Set(['html', 'urlquery']);
const EQUIV_ESCAPERS: Record<string, string> = {
  _html_template_attrescaper: 'html',
  _html_template_htmlescaper: 'html',
  _html_template_rcdataescaper: 'html',
  _html_template_urlescaper: 'urlquery',
  _html_template_urlnormalizer: 'urlquery',
};
const normalizeEscFn = (e: string): string => EQUIV_ESCAPERS[e] ?? e;
// An escaper that makes the following one redundant (its output is already safe there).
const REDUNDANT: Record<string, Set<string>> = {
  _html_template_commentescaper: new Set([
    '_html_template_attrescaper',
    '_html_template_nospaceescaper',
    '_html_template_htmlescaper',
  ]),
  _html_template_cssescaper: new Set(['_html_template_attrescaper']),
  _html_template_jsregexpescaper: new Set(['_html_template_attrescaper']),
  _html_template_jsstrescaper: new Set(['_html_template_attrescaper']),
  _html_template_urlescaper: new Set(['_html_template_urlnormalizer']),
};

type ActionNode = Extract<Node, { kind: 'action' }>;
type TextNode = Extract<Node, { kind: 'text' }>;
type TemplateNode = Extract<Node, { kind: 'template' }>;
type BranchNode = Extract<Node, { kind: 'if' | 'range' | 'with' }>;

interface RangeContext {
  outer: RangeContext | null;
  breaks: Ctx[];
  continues: Ctx[];
}

/** `parseName:line:col` of a node in `tree` (Go's ErrorContext). */
function location(tree: ParsedTree, pos: number): string {
  const text = tree.text.slice(0, pos);
  const nl = text.lastIndexOf('\n');
  const col = Buffer.byteLength(text.slice(nl + 1), 'utf8');
  const line = 1 + (text.match(/\n/g)?.length ?? 0);
  return `${tree.parseName}:${line}:${col}`;
}

class Escaper {
  output = new Map<string, Ctx>();
  derived = new Map<string, ParsedTree>();
  called = new Set<string>();
  actionEdits = new Map<ActionNode, string[]>();
  templateEdits = new Map<TemplateNode, string>();
  textEdits = new Map<TextNode, string>();
  rangeContext: RangeContext | null = null;
  /** The tree whose nodes are being escaped (for error locations). */
  tree: ParsedTree | null = null;

  constructor(readonly ns: Map<string, ParsedTree>) {}

  private errorf(node: Node, line: number, description: string): EscError {
    return new EscError(this.tree ? location(this.tree, node.pos) : '', line, description);
  }

  escape(c: Ctx, n: Node): Ctx {
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- expression nodes are inside actions
    switch (n.kind) {
      case 'action':
        return this.escapeAction(c, n);
      case 'break':
        this.rangeContext!.breaks.push({ ...c, n });
        return ctx({ state: 'stateDead' });
      case 'continue':
        // Go 1.19 records a continue's context on top of the breaks (kept as Go behaves).
        this.rangeContext!.continues = [...this.rangeContext!.breaks, { ...c, n }];
        return ctx({ state: 'stateDead' });
      case 'if':
      case 'range':
      case 'with':
        return this.escapeBranch(c, n);
      case 'list':
        return this.escapeList(c, n);
      case 'template':
        return this.escapeTemplateNode(c, n);
      case 'text':
        return this.escapeText(c, n);
      default:
        throw new Error(`escaping ${nodeString(n)} is unimplemented`);
    }
  }

  private escapeAction(c: Ctx, n: ActionNode): Ctx {
    if (n.pipe.decl.length !== 0) return c; // a declaration prints nothing
    c = nudge(c);
    // html/urlquery are allowed only as the last command (and html not in an unquoted attribute).
    for (const [pos, cmd] of n.pipe.cmds.entries()) {
      const id = cmd.args[0];
      if (id.kind !== 'identifier' || !PREDEFINED_ESCAPERS.has(id.name)) continue;
      if (
        pos < n.pipe.cmds.length - 1 ||
        (c.state === 'stateAttr' && c.delim === 'delimSpaceOrTagEnd' && id.name === 'html')
      )
        return errCtx(
          this.errorf(n, n.line, `predefined escaper ${goQuote(id.name)} disallowed in template`),
        );
    }
    if (c.state === 'stateError') return c;
    const s: string[] = [];
    // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- comments and nudged states: default
    switch (c.state) {
      case 'stateURL':
      case 'stateCSSDqStr':
      case 'stateCSSSqStr':
      case 'stateCSSDqURL':
      case 'stateCSSSqURL':
      case 'stateCSSURL':
        switch (c.urlPart) {
          case 'urlPartNone':
          case 'urlPartPreQuery':
            if (c.urlPart === 'urlPartNone') s.push('_html_template_urlfilter');
            s.push(
              c.state === 'stateCSSDqStr' || c.state === 'stateCSSSqStr'
                ? '_html_template_cssescaper'
                : '_html_template_urlnormalizer',
            );
            break;
          case 'urlPartQueryOrFrag':
            s.push('_html_template_urlescaper');
            break;
          case 'urlPartUnknown':
            return errCtx(
              this.errorf(n, n.line, `${nodeString(n)} appears in an ambiguous context within a URL`),
            );
        }
        break;
      case 'stateJS':
        s.push('_html_template_jsvalescaper');
        c = { ...c, jsCtx: 'jsCtxDivOp' };
        break;
      case 'stateJSDqStr':
      case 'stateJSSqStr':
        s.push('_html_template_jsstrescaper');
        break;
      case 'stateJSBqStr':
        return errCtx(this.errorf(n, n.line, `${nodeString(n)} appears in a JS template literal`));
      case 'stateJSRegexp':
        s.push('_html_template_jsregexpescaper');
        break;
      case 'stateCSS':
        s.push('_html_template_cssvaluefilter');
        break;
      case 'stateText':
        s.push('_html_template_htmlescaper');
        break;
      case 'stateRCDATA':
        s.push('_html_template_rcdataescaper');
        break;
      case 'stateAttr':
        break;
      case 'stateAttrName':
      case 'stateTag':
        c = { ...c, state: 'stateAttrName' };
        s.push('_html_template_htmlnamefilter');
        break;
      case 'stateSrcset':
        s.push('_html_template_srcsetescaper');
        break;
      default:
        if (isComment(c.state)) s.push('_html_template_commentescaper');
        else throw new Error(`unexpected state ${c.state}`);
    }
    if (c.delim === 'delimSpaceOrTagEnd') s.push('_html_template_nospaceescaper');
    else if (c.delim !== 'delimNone') s.push('_html_template_attrescaper');
    this.actionEdits.set(n, s);
    return c;
  }

  private escapeBranch(c: Ctx, n: BranchNode): Ctx {
    const nodeName = n.kind;
    if (nodeName === 'range') this.rangeContext = { outer: this.rangeContext, breaks: [], continues: [] };
    let c0 = this.escapeList(c, n.list);
    if (nodeName === 'range') {
      if (c0.state !== 'stateError') c0 = this.joinRange(c0, this.rangeContext!);
      this.rangeContext = this.rangeContext!.outer;
      if (c0.state === 'stateError') return c0;
      // The loop body may run again: it must end in the context it started in.
      this.rangeContext = { outer: this.rangeContext, breaks: [], continues: [] };
      const [c1] = this.escapeListConditionally(c0, n.list, null);
      c0 = this.join(c0, c1, n, nodeName);
      if (c0.state === 'stateError') {
        this.rangeContext = this.rangeContext.outer;
        c0.err!.line = n.line;
        c0.err!.description = `on range loop re-entry: ${c0.err!.description}`;
        return c0;
      }
      c0 = this.joinRange(c0, this.rangeContext);
      this.rangeContext = this.rangeContext.outer;
      if (c0.state === 'stateError') return c0;
    }
    const c1 = this.escapeList(c, n.elseList);
    return this.join(c0, c1, n, nodeName);
  }

  private joinRange(c0: Ctx, rc: RangeContext): Ctx {
    for (const [list, what] of [
      [rc.breaks, 'break'],
      [rc.continues, 'continue'],
    ] as const) {
      for (const c of list) {
        c0 = this.join(c0, c, c.n!, 'range');
        if (c0.state === 'stateError') {
          c0.err!.line = (c.n as { line: number }).line;
          c0.err!.description = `at range loop ${what}: ${c0.err!.description}`;
          return c0;
        }
      }
    }
    return c0;
  }

  /** The context after either of two branches (Go's join): equal, or reconcilable, or an error. */
  join(a: Ctx, b: Ctx, node: Node, nodeName: string): Ctx {
    if (a.state === 'stateError') return a;
    if (b.state === 'stateError') return b;
    if (a.state === 'stateDead') return b;
    if (b.state === 'stateDead') return a;
    if (ctxEq(a, b)) return a;
    let c = { ...a, urlPart: b.urlPart };
    if (ctxEq(c, b)) return { ...c, urlPart: 'urlPartUnknown' };
    c = { ...a, jsCtx: b.jsCtx };
    if (ctxEq(c, b)) return { ...c, jsCtx: 'jsCtxUnknown' };
    const na = nudge(a);
    const nb = nudge(b);
    if (!(ctxEq(na, a) && ctxEq(nb, b))) {
      const e = this.join(na, nb, node, nodeName);
      if (e.state !== 'stateError') return e;
    }
    return errCtx(
      this.errorf(
        node,
        0,
        `{{${nodeName}}} branches end in different contexts: ${ctxString(a)}, ${ctxString(b)}`,
      ),
    );
  }

  escapeList(c: Ctx, n: ListNode | null): Ctx {
    if (!n) return c;
    for (const m of n.nodes) {
      c = this.escape(c, m);
      if (c.state === 'stateDead') break;
    }
    return c;
  }

  /** Escapes a list in a scratch escaper; keeps its edits only if `filter` accepts the result. */
  private escapeListConditionally(
    c: Ctx,
    n: ListNode,
    filter: ((e1: Escaper, c1: Ctx) => boolean) | null,
  ): [Ctx, boolean] {
    const e1 = new Escaper(this.ns);
    e1.rangeContext = this.rangeContext;
    e1.tree = this.tree;
    e1.derived = new Map(this.derived);
    for (const [k, v] of this.output) e1.output.set(k, v);
    c = e1.escapeList(c, n);
    const ok = filter !== null && filter(e1, c);
    if (ok) {
      for (const [k, v] of e1.output) this.output.set(k, v);
      for (const [k, v] of e1.derived) this.derived.set(k, v);
      for (const k of e1.called) this.called.add(k);
      for (const [k, v] of e1.actionEdits) this.actionEdits.set(k, v);
      for (const [k, v] of e1.templateEdits) this.templateEdits.set(k, v);
      for (const [k, v] of e1.textEdits) this.textEdits.set(k, v);
    }
    return [c, ok];
  }

  private escapeTemplateNode(c: Ctx, n: TemplateNode): Ctx {
    const [c1, name] = this.escapeTree(c, n, n.name, n.line);
    if (name !== n.name) this.templateEdits.set(n, name);
    return c1;
  }

  /** Escapes template `name` as called from context c; returns the output context and the callee's name. */
  escapeTree(c: Ctx, node: Node, name: string, line: number): [Ctx, string] {
    const dname = mangle(c, name);
    this.called.add(dname);
    const out = this.output.get(dname);
    if (out) return [out, dname];
    let t = this.lookup(name);
    if (!t) return [errCtx(this.errorf(node, line, `no such template ${goQuote(name)}`)), dname];
    if (dname !== name) {
      let dt = this.lookup(dname);
      if (!dt) {
        dt = { name: dname, parseName: t.parseName, text: t.text, root: structuredClone(t.root) };
        this.derived.set(dname, dt);
      }
      t = dt;
    }
    return [this.computeOutCtx(c, t), dname];
  }

  private lookup(name: string): ParsedTree | undefined {
    return this.ns.get(name) ?? this.derived.get(name);
  }

  private computeOutCtx(c: Ctx, t: ParsedTree): Ctx {
    // A recursive template: assume its output context, check the assumption.
    let [c1, ok] = this.escapeTemplateBody(c, t);
    if (!ok) {
      const [c2, ok2] = this.escapeTemplateBody(c1, t);
      if (ok2) {
        c1 = c2;
        ok = true;
      }
    }
    if (!ok && c1.state !== 'stateError') {
      const saved = this.tree;
      this.tree = t;
      const err = this.errorf(t.root, 0, `cannot compute output context for template ${t.name}`);
      this.tree = saved;
      return errCtx(err);
    }
    return c1;
  }

  private escapeTemplateBody(c: Ctx, t: ParsedTree): [Ctx, boolean] {
    const filter = (e1: Escaper, c1: Ctx): boolean => {
      if (c1.state === 'stateError') return false;
      if (!e1.called.has(t.name)) return true; // not recursive: its output context is c1
      return ctxEq(c, c1);
    };
    this.output.set(t.name, c);
    const saved = this.tree;
    this.tree = t;
    try {
      return this.escapeListConditionally(c, t.root, filter);
    } finally {
      this.tree = saved;
    }
  }

  private escapeText(c: Ctx, n: TextNode): Ctx {
    const s = n.text;
    let written = 0;
    let i = 0;
    let b = '';
    while (i !== s.length) {
      const [c1, nread] = contextAfterText(c, s.slice(i));
      const i1 = i + nread;
      if (c.state === 'stateText' || c.state === 'stateRCDATA') {
        let end = i1;
        if (c1.state !== c.state) {
          for (let j = end - 1; j >= i; j--) {
            if (s[j] === '<') {
              end = j;
              break;
            }
          }
        }
        // A '<' that starts no tag becomes &lt; (a <!DOCTYPE stays).
        for (let j = i; j < end; j++) {
          if (
            s[j] === '<' &&
            !s
              .slice(j, j + 9)
              .toUpperCase()
              .startsWith('<!DOCTYPE')
          ) {
            b += s.slice(written, j) + '&lt;';
            written = j + 1;
          }
        }
      } else if (isComment(c.state) && c.delim === 'delimNone') {
        // Comments are dropped; a JS block comment leaves a newline or space, a CSS one a space.
        if (c.state === 'stateJSBlockCmt') b += /[\n\r\u2028\u2029]/.test(s.slice(written, i1)) ? '\n' : ' ';
        else if (c.state === 'stateCSSBlockCmt') b += ' ';
        written = i1;
      }
      if (c.state !== c1.state && isComment(c1.state) && c1.delim === 'delimNone') {
        // Drop the comment opener too.
        let cs = i1 - 2;
        if (c1.state === 'stateHTMLCmt') cs -= 2;
        b += s.slice(written, cs);
        written = i1;
      }
      if (i === i1 && c.state === c1.state)
        throw new Error(`infinite loop from ${ctxString(c)} to ${ctxString(c1)}`);
      c = c1;
      i = i1;
    }
    if (written !== 0 && c.state !== 'stateError') {
      if (!isComment(c.state) || c.delim !== 'delimNone') b += s.slice(written);
      this.textEdits.set(n, b);
    }
    return c;
  }

  /** Applies the recorded edits to the (already copied) trees and adds the derived templates. */
  commit(): void {
    for (const [name, t] of this.derived) this.ns.set(name, t);
    for (const [n, s] of this.actionEdits) ensurePipelineContains(n.pipe, s);
    for (const [n, name] of this.templateEdits) n.name = name;
    for (const [n, text] of this.textEdits) n.text = text;
  }
}

function nudge(c: Ctx): Ctx {
  // eslint-disable-next-line @typescript-eslint/switch-exhaustiveness-check -- other states need no nudge
  switch (c.state) {
    case 'stateTag':
      return { ...c, state: 'stateAttrName' };
    case 'stateBeforeValue':
      return { ...c, state: ATTR_START[c.attr], delim: 'delimSpaceOrTagEnd', attr: 'attrNone' };
    case 'stateAfterName':
      return { ...c, state: 'stateAttrName', attr: 'attrNone' };
    default:
      return c;
  }
}

function identCmd(name: string, pos: number): CommandNode {
  return { kind: 'command', pos, args: [{ kind: 'identifier', pos, name }] };
}

function appendCmd(cmds: CommandNode[], cmd: CommandNode): void {
  const last = cmds[cmds.length - 1]?.args[0];
  const next = cmd.args[0];
  if (last?.kind === 'identifier' && next.kind === 'identifier' && REDUNDANT[last.name]?.has(next.name))
    return;
  cmds.push(cmd);
}

/** Appends escapers `s` to the pipeline, merging with a trailing predefined html/urlquery (escape.go). */
function ensurePipelineContains(p: PipeNode, s: string[]): void {
  if (s.length === 0) return;
  s = [...s];
  let len = p.cmds.length;
  if (len > 0) {
    const lastCmd = p.cmds[len - 1];
    const id = lastCmd.args[0];
    if (id.kind === 'identifier' && PREDEFINED_ESCAPERS.has(id.name)) {
      const esc = id.name;
      if (p.cmds.length === 1 && lastCmd.args.length > 1) {
        // `{{html .X .Y}}` → `{{_eval_args_ .X .Y | html}}`
        lastCmd.args[0] = { kind: 'identifier', pos: id.pos, name: '_eval_args_' };
        p.cmds.push(identCmd(esc, p.pos));
        len++;
      }
      let dup = false;
      s.forEach((e, i) => {
        if (normalizeEscFn(e) === normalizeEscFn(esc)) {
          s[i] = esc;
          dup = true;
        }
      });
      if (dup) len--;
    }
  }
  const cmds = p.cmds.slice(0, len);
  const inserted = new Set<string>();
  for (const cmd of cmds) {
    const id = cmd.args[0];
    if (id.kind === 'identifier') inserted.add(normalizeEscFn(id.name));
  }
  for (const name of s) if (!inserted.has(normalizeEscFn(name))) appendCmd(cmds, identCmd(name, p.pos));
  p.cmds = cmds;
}

/**
 * Escapes template `name` of `trees` (a private copy: it is edited in place and gains the derived
 * templates). Throws TemplateExecError with html/template's message when the template's contexts are
 * ambiguous or it ends outside HTML text.
 */
export function escapeTemplates(trees: Map<string, ParsedTree>, name: string): void {
  const root = trees.get(name);
  if (!root) throw new TemplateExecError(`html/template: ${goQuote(name)} is undefined`);
  const e = new Escaper(trees);
  const [c] = e.escapeTree(ctx(), root.root, name, 0);
  let err: EscError | null = null;
  if (c.err) {
    err = c.err;
    err.name = name;
  } else if (c.state !== 'stateText') {
    err = new EscError('', 0, `ends in a non-text context: ${ctxString(c)}`);
    err.name = name;
  }
  if (err) throw new TemplateExecError(err.message());
  e.commit();
}

/** A deep copy of a set of trees (escaping edits trees in place; the TemplateSet's stay untouched). */
export function copyTrees(trees: ReadonlyMap<string, ParsedTree>): Map<string, ParsedTree> {
  const out = new Map<string, ParsedTree>();
  for (const [n, t] of trees) out.set(n, { ...t, root: structuredClone(t.root) });
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Escaping functions (html.go, js.go, css.go, url.go, content.go).

/** html/template's stringify: a typed value keeps its type; nil arguments are skipped. */
function stringify(args: unknown[]): [string, ContentType] {
  if (args.length === 1) {
    const a = args[0];
    if (typeof a === 'string') return [a, 'plain'];
    if (a instanceof SafeHTML) return [a.value, 'html'];
  }
  const vals = args
    .filter((a) => a !== null && a !== undefined)
    .map((a) => (a instanceof SafeHTML ? a.value : a));
  return [sprint(vals), 'plain'];
}

type Table = Record<string, string>;
const HTML_TABLE: Table = {
  '\0': '\uFFFD',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};
const HTML_NORM_TABLE: Table = {
  '\0': '\uFFFD',
  '"': '&#34;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '>': '&gt;',
};
const HTML_NOSPACE_TABLE: Table = {
  '\0': '&#xfffd;',
  '\t': '&#9;',
  '\n': '&#10;',
  '\v': '&#11;',
  '\f': '&#12;',
  '\r': '&#13;',
  ' ': '&#32;',
  '"': '&#34;',
  '&': '&amp;',
  "'": '&#39;',
  '+': '&#43;',
  '<': '&lt;',
  '=': '&#61;',
  '>': '&gt;',
  '`': '&#96;',
};
const HTML_NOSPACE_NORM_TABLE: Table = { ...HTML_NOSPACE_TABLE };
delete HTML_NOSPACE_NORM_TABLE['&'];

function htmlReplacer(s: string, table: Table, badRunes: boolean): string {
  let out = '';
  for (const ch of s) {
    const r = table[ch];
    if (r !== undefined) out += r;
    else {
      const cp = ch.codePointAt(0)!;
      // Unquoted attributes: noncharacters are written as references.
      if (!badRunes && ((cp >= 0xfdd0 && cp <= 0xfdef) || (cp >= 0xfff0 && cp <= 0xffff)))
        out += `&#x${cp.toString(16)};`;
      else out += ch;
    }
  }
  return out;
}

/** The text of HTML markup with its tags removed (for HTML put into an attribute). */
function stripTags(html: string): string {
  let b = '';
  const s = html;
  let c = ctx();
  let i = 0;
  let allText = true;
  while (i !== s.length) {
    if (c.delim === 'delimNone') {
      let st = c.state;
      if (c.element !== 'elementNone' && !isInTag(st)) st = 'stateRCDATA';
      const [d, nread] = TRANSITIONS[st](c, s.slice(i));
      const i1 = i + nread;
      if (c.state === 'stateText' || c.state === 'stateRCDATA') {
        let j = i1;
        if (d.state !== c.state) {
          for (let j1 = j - 1; j1 >= i; j1--) {
            if (s[j1] === '<') {
              j = j1;
              break;
            }
          }
        }
        b += s.slice(i, j);
      } else allText = false;
      c = d;
      i = i1;
      continue;
    }
    let i1 = indexAny(s, DELIM_ENDS[c.delim], i);
    if (i1 < i) break;
    if (c.delim !== 'delimSpaceOrTagEnd') i1++;
    c = ctx({ state: 'stateTag', element: c.element });
    i = i1;
  }
  if (allText) return html;
  if (c.state === 'stateText' || c.state === 'stateRCDATA') b += s.slice(i);
  return b;
}

function htmlEscaper(...args: unknown[]): string {
  const [s, t] = stringify(args);
  return t === 'html' ? s : htmlReplacer(s, HTML_TABLE, true);
}
function rcdataEscaper(...args: unknown[]): string {
  const [s, t] = stringify(args);
  return htmlReplacer(s, t === 'html' ? HTML_NORM_TABLE : HTML_TABLE, true);
}
function attrEscaper(...args: unknown[]): string {
  const [s, t] = stringify(args);
  return t === 'html' ? htmlReplacer(stripTags(s), HTML_NORM_TABLE, true) : htmlReplacer(s, HTML_TABLE, true);
}
function htmlNospaceEscaper(...args: unknown[]): string {
  const [s, t] = stringify(args);
  return t === 'html'
    ? htmlReplacer(stripTags(s), HTML_NOSPACE_NORM_TABLE, false)
    : htmlReplacer(s, HTML_NOSPACE_TABLE, false);
}
function htmlNameFilter(...args: unknown[]): string {
  let [s] = stringify(args);
  if (s.length === 0) return FILTER_FAILSAFE;
  s = s.toLowerCase();
  if (attrType(s) !== 'plain') return FILTER_FAILSAFE;
  return /^[0-9a-z]+$/.test(s) ? s : FILTER_FAILSAFE;
}

const LOW_UNICODE: Table = {};
for (let i = 0; i < 0x20; i++) LOW_UNICODE[String.fromCharCode(i)] = `\\u${i.toString(16).padStart(4, '0')}`;
Object.assign(LOW_UNICODE, { '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', '\v': '\\u000b' });
const JS_STR_TABLE: Table = {
  '"': '\\u0022',
  '`': '\\u0060',
  '&': '\\u0026',
  "'": '\\u0027',
  '+': '\\u002b',
  '/': '\\/',
  '<': '\\u003c',
  '>': '\\u003e',
  '\\': '\\\\',
};
const JS_REGEXP_TABLE: Table = {
  '"': '\\u0022',
  $: '\\$',
  '&': '\\u0026',
  "'": '\\u0027',
  '(': '\\(',
  ')': '\\)',
  '*': '\\*',
  '+': '\\u002b',
  '-': '\\-',
  '.': '\\.',
  '/': '\\/',
  '<': '\\u003c',
  '>': '\\u003e',
  '?': '\\?',
  '[': '\\[',
  '\\': '\\\\',
  ']': '\\]',
  '^': '\\^',
  '{': '\\{',
  '|': '\\|',
  '}': '\\}',
};

function jsReplace(s: string, table: Table): string {
  let out = '';
  for (const ch of s) {
    const r = LOW_UNICODE[ch] ?? table[ch];
    if (r !== undefined) out += r;
    else if (ch === '\u2028') out += '\\u2028';
    else if (ch === '\u2029') out += '\\u2029';
    else out += ch;
  }
  return out;
}

function jsStrEscaper(...args: unknown[]): string {
  return jsReplace(stringify(args)[0], JS_STR_TABLE);
}
function jsRegexpEscaper(...args: unknown[]): string {
  const s = jsReplace(stringify(args)[0], JS_REGEXP_TABLE);
  return s === '' ? '(?:)' : s;
}

/** encoding/json's string encoding (HTML-safe: <, >, & as \u escapes). */
function jsonString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || ch === '<' || ch === '>' || ch === '&' || cp === 0x2028 || cp === 0x2029)
      out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

class JsonError extends Error {}

const JSON_LOWER_FIELDS = new Set(['template.Alert', 'template.Data']);

/** json.Marshal of a template value (Alertmanager's Data and Alert carry lower-case json tags). */
function jsonMarshal(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return jsonString(v);
  if (v instanceof SafeHTML) return jsonString(v.value);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return String(v);
  if (v instanceof GoFloat) {
    if (!Number.isFinite(v.value))
      throw new JsonError(
        `json: unsupported value: ${Number.isNaN(v.value) ? 'NaN' : v.value > 0 ? '+Inf' : '-Inf'}`,
      );
    return String(v.value);
  }
  if (v instanceof GoTime) return jsonString(v.format('2006-01-02T15:04:05.999999999Z07:00'));
  if (v instanceof GoDuration) return String(v.ns);
  if (Array.isArray(v)) return `[${v.map(jsonMarshal).join(',')}]`;
  if (v instanceof GoMap) {
    const keys = [...v.entries.keys()].sort();
    return `{${keys.map((k) => `${jsonString(k)}:${jsonMarshal(v.entries.get(k))}`).join(',')}}`;
  }
  if (v instanceof GoStruct) {
    const lower = JSON_LOWER_FIELDS.has(v.goTypeName);
    return `{${v
      .goFields()
      .map(([k, f]) => `${jsonString(lower ? k[0].toLowerCase() + k.slice(1) : k)}:${jsonMarshal(f)}`)
      .join(',')}}`;
  }
  return jsonString(formatValue(v, 'v', NOSPEC, 0));
}
const NOSPEC = { minus: false, plus: false, sharp: false, space: false, zero: false, width: -1, prec: -1 };

function jsValEscaper(...args: unknown[]): string {
  let a: unknown;
  if (args.length === 1) {
    a = args[0];
    // time.Duration is a fmt.Stringer (and no json.Marshaler): it goes in as its String().
    if (a instanceof GoDuration) a = a.toString();
  } else a = sprint(args.map((x) => (x instanceof SafeHTML ? x.value : x)));
  let b: string;
  try {
    b = jsonMarshal(a);
  } catch (e) {
    if (e instanceof JsonError) return ` /* ${e.message.split('*/').join('* /')} */null `;
    throw e;
  }
  const pad = isJSIdentPart(b[0]) || isJSIdentPart(b[b.length - 1]);
  b = b.replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
  return pad ? ` ${b} ` : b;
}

const CSS_TABLE: Table = {
  '\0': '\\0',
  '\t': '\\9',
  '\n': '\\a',
  '\f': '\\c',
  '\r': '\\d',
  '"': '\\22',
  '&': '\\26',
  "'": '\\27',
  '(': '\\28',
  ')': '\\29',
  '+': '\\2b',
  '/': '\\2f',
  ':': '\\3a',
  ';': '\\3b',
  '<': '\\3c',
  '>': '\\3e',
  '\\': '\\\\',
  '{': '\\7b',
  '}': '\\7d',
};

function cssEscaper(...args: unknown[]): string {
  const s = stringify(args)[0];
  let out = '';
  const chars = [...s];
  chars.forEach((ch, i) => {
    const r = CSS_TABLE[ch];
    if (r === undefined) {
      out += ch;
      return;
    }
    out += r;
    // A hex digit or space after a hex escape would be read as part of it.
    const next = chars[i + 1];
    if (r !== '\\\\' && (next === undefined || isHex(next) || ' \t\n\f\r'.includes(next))) out += ' ';
  });
  return out;
}

function cssValueFilter(...args: unknown[]): string {
  const s = stringify(args)[0];
  const b = Buffer.from(decodeCSS(s), 'utf8');
  let id = '';
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    const ch = String.fromCharCode(c);
    if (c === 0 || (c < 0x80 && '"\'()/;@[\\]`{}'.includes(ch))) return FILTER_FAILSAFE;
    if (ch === '-') {
      if (i !== 0 && b[i - 1] === 0x2d) return FILTER_FAILSAFE;
    } else if (c < 0x80 && isCSSNmchar(c)) id += ch;
  }
  const lid = id.toLowerCase();
  if (lid.includes('expression') || lid.includes('mozbinding')) return FILTER_FAILSAFE;
  return b.toString('utf8');
}

function isSafeURL(s: string): boolean {
  const i = s.indexOf(':');
  if (i >= 0) {
    const protocol = s.slice(0, i);
    if (!protocol.includes('/') && !/^(https?|mailto)$/i.test(protocol)) return false;
  }
  return true;
}

function urlFilter(...args: unknown[]): string {
  const s = stringify(args)[0];
  return isSafeURL(s) ? s : `#${FILTER_FAILSAFE}`;
}

/** Percent-encodes the bytes a URL (part) must not contain raw; `norm` keeps reserved chars and %XX. */
function processURL(s: string, norm: boolean): string {
  const b = Buffer.from(s, 'utf8');
  let out = '';
  let written = 0;
  let changed = false;
  for (let i = 0; i < b.length; i++) {
    const c = b[i];
    const ch = String.fromCharCode(c);
    if ('!#$&*+,/:;=?@[]'.includes(ch)) {
      if (norm) continue;
    } else if ('-._~'.includes(ch)) continue;
    else if (ch === '%') {
      if (
        norm &&
        i + 2 < b.length &&
        isHex(String.fromCharCode(b[i + 1])) &&
        isHex(String.fromCharCode(b[i + 2]))
      )
        continue;
    } else if (c < 0x80 && /^[a-zA-Z0-9]$/.test(ch)) continue;
    out += b.subarray(written, i).toString('latin1') + '%' + c.toString(16).padStart(2, '0');
    written = i + 1;
    changed = true;
  }
  if (!changed) return s;
  // Everything kept raw is ASCII, so latin1 round-trips it.
  return out + b.subarray(written).toString('latin1');
}

function urlEscaper(...args: unknown[]): string {
  return processURL(stringify(args)[0], false);
}
function urlNormalizer(...args: unknown[]): string {
  return processURL(stringify(args)[0], true);
}

const isHTMLSpace = (c: string): boolean => ' \t\n\f\r'.includes(c) && c !== '';
const isHTMLSpaceOrASCIIAlnum = (c: string): boolean => isHTMLSpace(c) || /^[A-Za-z0-9]$/.test(c);

function srcsetEscaper(...args: unknown[]): string {
  const s = stringify(args)[0];
  let out = '';
  let written = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === ',') {
      out += filterSrcsetElement(s, written, i) + ',';
      written = i + 1;
    }
  }
  return out + filterSrcsetElement(s, written, s.length);
}

function filterSrcsetElement(s: string, left: number, right: number): string {
  let start = left;
  while (start < right && isHTMLSpace(s[start])) start++;
  let end = right;
  for (let i = start; i < right; i++) {
    if (isHTMLSpace(s[i])) {
      end = i;
      break;
    }
  }
  const url = s.slice(start, end);
  if (isSafeURL(url)) {
    let metadataOk = true;
    for (let i = end; i < right; i++) if (!isHTMLSpaceOrASCIIAlnum(s[i])) metadataOk = false;
    if (metadataOk) return s.slice(left, start) + processURL(url, true) + s.slice(end, right);
  }
  return `#${FILTER_FAILSAFE}`;
}

const anyFn = (fn: (...args: unknown[]) => unknown): TemplateFunc => ({
  params: [] as ParamType[],
  variadic: 'any',
  fn,
});

/** The functions escaped pipelines call (names as Go's, which exec errors may print). */
export function htmlEscaperFuncs(): Map<string, TemplateFunc> {
  return new Map<string, TemplateFunc>([
    ['_html_template_attrescaper', anyFn(attrEscaper)],
    ['_html_template_commentescaper', anyFn(() => '')],
    ['_html_template_cssescaper', anyFn(cssEscaper)],
    ['_html_template_cssvaluefilter', anyFn(cssValueFilter)],
    ['_html_template_htmlnamefilter', anyFn(htmlNameFilter)],
    ['_html_template_htmlescaper', anyFn(htmlEscaper)],
    ['_html_template_jsregexpescaper', anyFn(jsRegexpEscaper)],
    ['_html_template_jsstrescaper', anyFn(jsStrEscaper)],
    ['_html_template_jsvalescaper', anyFn(jsValEscaper)],
    ['_html_template_nospaceescaper', anyFn(htmlNospaceEscaper)],
    ['_html_template_rcdataescaper', anyFn(rcdataEscaper)],
    ['_html_template_srcsetescaper', anyFn(srcsetEscaper)],
    ['_html_template_urlescaper', anyFn(urlEscaper)],
    ['_html_template_urlfilter', anyFn(urlFilter)],
    ['_html_template_urlnormalizer', anyFn(urlNormalizer)],
    [
      '_eval_args_',
      anyFn((...a) =>
        a.length === 1 && typeof a[0] === 'string'
          ? a[0]
          : sprint(a.map((x) => (x instanceof SafeHTML ? x.value : x))),
      ),
    ],
  ]);
}

/**
 * The function map html/template execution uses: `base` (builtins and Alertmanager's functions) with
 * safeHtml returning template.HTML, plus the escapers. Other functions get template.HTML arguments as
 * plain strings (in Go they are strings of another type: printed, compared and measured the same);
 * string-typed parameters still refuse them, as Go's call does.
 */
export function htmlTemplateFuncs(base: ReadonlyMap<string, TemplateFunc>): Map<string, TemplateFunc> {
  const out = new Map<string, TemplateFunc>();
  const plain = (a: unknown): unknown => (a instanceof SafeHTML ? a.value : a);
  for (const [name, f] of base) out.set(name, { ...f, fn: (...a) => f.fn(...a.map(plain)) });
  const safe = base.get('safeHtml');
  // An empty result stays a plain "": every escaper treats both alike, and Executor's truth test then
  // sees an empty string (Go: `{{ with safeHtml "" }}` is false), not an object.
  if (safe)
    out.set('safeHtml', {
      ...safe,
      fn: (...a) => {
        const r = safe.fn(...a) as string;
        return r === '' ? '' : new SafeHTML(r);
      },
    });
  for (const [n, f] of htmlEscaperFuncs()) out.set(n, f);
  return out;
}

/** Exposed for unit tests of the escaping functions. */
export const escapers = {
  htmlEscaper,
  attrEscaper,
  htmlNospaceEscaper,
  rcdataEscaper,
  jsValEscaper,
  jsStrEscaper,
  jsRegexpEscaper,
  cssEscaper,
  cssValueFilter,
  urlFilter,
  urlEscaper,
  urlNormalizer,
  srcsetEscaper,
  htmlNameFilter,
  stripTags,
};
