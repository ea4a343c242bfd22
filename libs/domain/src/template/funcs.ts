// Go text/template's predefined functions (funcs.go semantics; `and`/`or` live in the executor
// because they short-circuit).
import { cmpBytes, formatValue, goTypeName, NOSPEC, sprint, sprintf, sprintln } from './gofmt';
import { GoTime } from './gotime';
import { isTrue, TemplateFunc } from './exec';
import { GoCallError, GoFloat, GoMap, GoStruct, sliceMethods, sliceType, tagSlice } from './values';

type Kind = 'bool' | 'int' | 'float' | 'string' | 'other' | 'nil';
function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'nil';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'int';
  if (v instanceof GoFloat) return 'float';
  if (typeof v === 'string') return 'string';
  return 'other';
}
const num = (v: unknown): number => (v instanceof GoFloat ? v.value : (v as number));

function eq(a: unknown, ...rest: unknown[]): boolean {
  if (rest.length === 0) throw new GoCallError('missing argument for comparison');
  const k1 = kindOf(a);
  for (const b of rest) {
    const k2 = kindOf(b);
    let truth = false;
    if (k1 !== k2) {
      if (k1 !== 'nil' && k2 !== 'nil') throw new GoCallError('incompatible types for comparison');
    } else if (k1 === 'float' || k1 === 'int') truth = num(a) === num(b);
    else if (k1 === 'nil') truth = true;
    else if (k1 === 'other') {
      if (goTypeName(a) !== goTypeName(b)) {
        throw new GoCallError(
          `non-comparable types ${formatValue(a, 's', NOSPEC, 0)}: ${goTypeName(a)}, ${goTypeName(b)}: ${formatValue(b, 'v', NOSPEC, 0)}`,
        );
      }
      const comparable = (x: unknown): boolean =>
        !(Array.isArray(x) || x instanceof GoMap || (x instanceof GoStruct && !x.goComparable));
      if (!comparable(b))
        throw new GoCallError(`non-comparable type ${formatValue(b, 's', NOSPEC, 0)}: ${goTypeName(b)}`);
      truth =
        a === b ||
        (a instanceof GoTime &&
          b instanceof GoTime &&
          a.ms === b.ms &&
          a.nsec === b.nsec &&
          a.offset === b.offset &&
          a.zone === b.zone);
    } else truth = a === b;
    if (truth) return true;
  }
  return false;
}

function lt(a: unknown, b: unknown): boolean {
  const k1 = kindOf(a);
  const k2 = kindOf(b);
  if (k1 === 'other' || k1 === 'nil' || k2 === 'other' || k2 === 'nil')
    throw new GoCallError('invalid type for comparison');
  if (k1 !== k2) throw new GoCallError('incompatible types for comparison');
  if (k1 === 'bool') throw new GoCallError('invalid type for comparison');
  if (k1 === 'string') return cmpBytes(a as string, b as string) < 0;
  return num(a) < num(b);
}

function length(v: unknown): number {
  if (typeof v === 'string') return Buffer.byteLength(v, 'utf8');
  if (Array.isArray(v)) return v.length;
  if (v instanceof GoMap) return v.entries.size;
  if (v === null || v === undefined)
    throw new GoCallError('reflect: call of reflect.Value.Type on zero Value');
  throw new GoCallError(`len of type ${goTypeName(v)}`);
}

function indexArg(i: unknown, cap: number): number {
  if (typeof i !== 'number') throw new GoCallError(`cannot index slice/array with type ${goTypeName(i)}`);
  if (i < 0 || i >= cap) throw new GoCallError(`index out of range: ${i}`);
  return i;
}

function index(item: unknown, ...idx: unknown[]): unknown {
  if (item === null || item === undefined) throw new GoCallError('index of untyped nil');
  let v: unknown = item;
  for (const i of idx) {
    if (typeof v === 'string') {
      const b = Buffer.from(v, 'utf8');
      v = b[indexArg(i, b.length)];
    } else if (Array.isArray(v)) v = v[indexArg(i, v.length)];
    else if (v instanceof GoMap) {
      if (typeof i !== 'string') throw new GoCallError(`value has type ${goTypeName(i)}; should be string`);
      v = v.entries.has(i) ? v.entries.get(i) : v.elemZero;
    } else if (v === null || v === undefined) throw new GoCallError('index of untyped nil');
    else throw new GoCallError(`can't index item of type ${goTypeName(v)}`);
  }
  return v;
}

function slice(item: unknown, ...idx: unknown[]): unknown {
  if (item === null || item === undefined) throw new GoCallError('slice of untyped nil');
  if (idx.length > 3) throw new GoCallError(`too many slice indexes: ${idx.length}`);
  const isStr = typeof item === 'string';
  if (!isStr && !Array.isArray(item)) throw new GoCallError(`can't slice item of type ${goTypeName(item)}`);
  if (isStr && idx.length === 3) throw new GoCallError('cannot 3-index slice a string');
  const bytes = isStr ? Buffer.from(item, 'utf8') : null;
  const len = bytes ? bytes.length : (item as unknown[]).length;
  const ix = idx.map((i) => {
    if (typeof i !== 'number') throw new GoCallError(`cannot index slice/array with type ${goTypeName(i)}`);
    if (i < 0 || i > len) throw new GoCallError(`index out of range: ${i}`);
    return i;
  });
  const lo = ix[0] ?? 0;
  const hi = ix[1] ?? len;
  if (lo > hi) throw new GoCallError(`invalid slice index: ${lo} > ${hi}`);
  if (ix.length === 3 && hi > ix[2]) throw new GoCallError(`invalid slice index: ${hi} > ${ix[2]}`);
  if (bytes) return bytes.subarray(lo, hi).toString('utf8');
  // A slice keeps its type (and methods): `slice .Alerts 1` is still template.Alerts.
  const arr = item as unknown[];
  return tagSlice(arr.slice(lo, hi), sliceType(arr), sliceMethods(arr));
}

/** Go's html/js/urlquery take one string, or fmt.Sprint of all arguments. */
const evalArgs = (args: unknown[]): string =>
  args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);

export function htmlEscape(s: string): string {
  return s.replace(
    /[\0"'&<>]/g,
    (c) => ({ '\0': '\uFFFD', '"': '&#34;', "'": '&#39;', '&': '&amp;', '<': '&lt;', '>': '&gt;' })[c]!,
  );
}

function jsEscape(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === '<') out += '\\u003C';
    else if (ch === '>') out += '\\u003E';
    else if (ch === '&') out += '\\u0026';
    else if (ch === '=') out += '\\u003D';
    else if (cp < 0x20) out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
    else if (cp < 0x80 || /^[\p{L}\p{M}\p{N}\p{P}\p{S}\p{Zs}]$/u.test(ch)) out += ch;
    else out += '\\u' + cp.toString(16).toUpperCase().padStart(4, '0');
  }
  return out;
}

/** Go's url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += '%' + b.toString(16).toUpperCase().padStart(2, '0');
  }
  return out;
}

function call(fn: unknown, ...args: unknown[]): unknown {
  if (typeof fn !== 'function') throw new GoCallError(`non-function of type ${goTypeName(fn)}`);
  return (fn as (...a: unknown[]) => unknown)(...args);
}

/** Go's predefined template functions except and/or. */
export function builtinFuncs(): Map<string, TemplateFunc> {
  const m = new Map<string, TemplateFunc>();
  const any = (n: number, fn: (...a: unknown[]) => unknown, variadic = false): TemplateFunc => ({
    params: Array<'any'>(n).fill('any'),
    variadic: variadic ? 'any' : undefined,
    fn,
  });
  m.set(
    'not',
    any(1, (a) => !isTrue(a)),
  );
  m.set('len', any(1, length));
  m.set('index', any(1, index, true));
  m.set('slice', any(1, slice, true));
  m.set(
    'print',
    any(0, (...a) => sprint(a), true),
  );
  m.set(
    'println',
    any(0, (...a) => sprintln(a), true),
  );
  m.set('printf', { params: ['string'], variadic: 'any', fn: (f, ...a) => sprintf(f as string, a) });
  m.set(
    'html',
    any(0, (...a) => htmlEscape(evalArgs(a)), true),
  );
  m.set(
    'js',
    any(0, (...a) => jsEscape(evalArgs(a)), true),
  );
  m.set(
    'urlquery',
    any(0, (...a) => queryEscape(evalArgs(a)), true),
  );
  m.set('call', any(1, call, true));
  m.set('eq', any(1, eq, true));
  m.set(
    'ne',
    any(2, (a, b) => !eq(a, b)),
  );
  m.set('lt', any(2, lt));
  m.set(
    'le',
    any(2, (a, b) => lt(a, b) || eq(a, b)),
  );
  m.set(
    'gt',
    any(2, (a, b) => !lt(a, b) && !eq(a, b)),
  );
  m.set(
    'ge',
    any(2, (a, b) => !lt(a, b)),
  );
  return m;
}
