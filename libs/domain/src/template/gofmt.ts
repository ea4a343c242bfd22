// Go's fmt for template output: Sprint/Sprintln/Sprintf with the verbs templates use
// (%v %+v %s %q %d %x %X %o %b %c %f %F %e %E %g %t %T %%, flags - + # 0 space, width, precision, [n] not supported).
import { goQuote } from '../go-quote';
import { GoDuration, GoTime } from './gotime';
import { GO_TYPE, GoFloat, GoMap, GoStruct, sliceType } from './values';

/** Go type name of a template value, as in `wrong type for value; expected string; got int`. */
export function goTypeName(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (v instanceof GoFloat) return 'float64';
  if (Array.isArray(v)) return sliceType(v);
  if (v instanceof GoStruct || v instanceof GoMap) return v.goTypeName;
  if (typeof v === 'function') return 'func';
  return (v as Record<symbol, string>)[GO_TYPE] ?? 'interface {}';
}

/** The exact decimal expansion of a finite positive double: digits and the decimal point's position. */
function exactDecimal(v: number): { digits: string; point: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, v);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const bexp = (hi >>> 20) & 0x7ff;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (bexp === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = bexp - 1075;
  }
  if (e >= 0) {
    const d = (mant << BigInt(e)).toString();
    return { digits: d, point: d.length };
  }
  const d = (mant * 5n ** BigInt(-e)).toString();
  return { digits: d, point: d.length + e };
}

/** Rounds the exact value of v (> 0) to `n` significant digits, ties to even as strconv does. */
function roundDigits(v: number, n: number): { digits: string; point: number } {
  const { digits, point } = exactDecimal(v);
  if (n <= 0) {
    // Everything rounds away except possibly a carry into a new leading digit.
    const first = n === 0 ? digits : '';
    const up = n === 0 && (first[0] > '5' || (first[0] === '5' && /[1-9]/.test(first.slice(1))));
    return up ? { digits: '1', point: point + 1 } : { digits: '', point };
  }
  if (digits.length <= n) return { digits: digits.padEnd(n, '0'), point };
  const keep = digits.slice(0, n);
  const rest = digits.slice(n);
  const tieOrMore = rest[0] >= '5';
  const above = rest[0] > '5' || /[1-9]/.test(rest.slice(1));
  const odd = Number(keep[keep.length - 1]) % 2 === 1;
  if (!tieOrMore || (!above && !odd)) return { digits: keep, point };
  // Round up with carry.
  const arr = keep.split('').map(Number);
  let k = arr.length - 1;
  while (k >= 0 && arr[k] === 9) arr[k--] = 0;
  if (k < 0) return { digits: '1' + arr.join('').slice(0, n - 1), point: point + 1 };
  arr[k]++;
  return { digits: arr.join(''), point };
}

function fixedFrom(digits: string, point: number, prec: number): string {
  // digits are the significant digits starting at 10^(point-1).
  let intPart: string;
  let frac: string;
  if (point <= 0) {
    intPart = '0';
    frac = '0'.repeat(-point) + digits;
  } else {
    intPart = digits.slice(0, point).padEnd(point, '0');
    frac = digits.slice(point);
  }
  frac = frac.padEnd(prec, '0').slice(0, prec);
  return prec > 0 ? `${intPart}.${frac}` : intPart;
}

/** strconv.FormatFloat(v, fmt, prec, 64) for 'e', 'f', 'g' (prec -1 = shortest). */
export function formatFloat(v: number, fmt: 'e' | 'E' | 'f' | 'g' | 'G', prec: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? '+Inf' : '-Inf';
  const neg = v < 0 || Object.is(v, -0);
  const a = Math.abs(v);
  const upper = fmt === 'E' || fmt === 'G';
  const f = fmt.toLowerCase();
  const sign = neg ? '-' : '';
  const expStr = (x: number): string =>
    (upper ? 'E' : 'e') + (x < 0 ? '-' : '+') + String(Math.abs(x)).padStart(2, '0');
  // Significant digits: shortest round-trip (JS agrees with strconv's shortest) or exact rounding.
  const sig = (n: number): { digits: string; point: number } => {
    if (a === 0) return { digits: n < 0 ? '0' : '0'.repeat(Math.max(n, 1)), point: 1 };
    if (n < 0) {
      const m = /^(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(a.toExponential())!;
      return { digits: m[1] + (m[2] ?? ''), point: Number(m[3]) + 1 };
    }
    return roundDigits(a, n);
  };
  const eForm = (d: { digits: string; point: number }, p: number): string => {
    const ds = d.digits.padEnd(p + 1, '0');
    return sign + ds[0] + (p > 0 ? '.' + ds.slice(1, p + 1) : '') + expStr(a === 0 ? 0 : d.point - 1);
  };
  if (f === 'e') {
    const d = sig(prec < 0 ? -1 : prec + 1);
    return eForm(d, prec < 0 ? d.digits.length - 1 : prec);
  }
  if (f === 'f') {
    if (prec < 0) {
      const d = sig(-1);
      return sign + fixedFrom(d.digits, d.point, Math.max(0, d.digits.length - d.point));
    }
    if (a === 0) return sign + fixedFrom('0', 1, prec);
    const { point } = exactDecimal(a);
    const d = roundDigits(a, point + prec);
    return sign + fixedFrom(d.digits || '0', d.digits ? d.point : 1, prec);
  }
  // 'g'
  if (prec === 0) prec = 1;
  const shortest = prec < 0;
  const d = sig(shortest ? -1 : prec);
  const digits = shortest ? d.digits : d.digits.replace(/0+$/, '') || '0';
  let eprec = shortest ? 6 : prec;
  if (!shortest && eprec > digits.length && digits.length >= d.point) eprec = digits.length;
  const x = a === 0 ? 0 : d.point - 1;
  if (x < -4 || x >= eprec) return eForm({ digits, point: d.point }, digits.length - 1);
  return (
    sign + fixedFrom(digits, a === 0 ? 1 : d.point, Math.max(digits.length - (a === 0 ? 1 : d.point), 0))
  );
}

export interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  width: number;
  prec: number;
}
export const NOSPEC: Spec = {
  minus: false,
  plus: false,
  sharp: false,
  space: false,
  zero: false,
  width: -1,
  prec: -1,
};

function padTo(s: string, sp: Spec, allowZero = true): string {
  const n = [...s].length;
  if (sp.width < 0 || n >= sp.width) return s;
  const fill = sp.width - n;
  if (sp.minus) return s + ' '.repeat(fill);
  if (sp.zero && allowZero) {
    const sign = /^[+-]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

function bad(verb: string, v: unknown): string {
  if (v === null || v === undefined) return `%!${verb}(<nil>)`;
  return `%!${verb}(${goTypeName(v)}=${formatValue(v, 'v', NOSPEC, 0)})`;
}

function fmtInt(n: number, verb: string, sp: Spec): string {
  const neg = n < 0;
  const a = Math.abs(n);
  let s: string;
  switch (verb) {
    case 'v':
    case 'd':
      s = String(a);
      break;
    case 'x':
      s = (sp.sharp ? '0x' : '') + a.toString(16);
      break;
    case 'X':
      s = (sp.sharp ? '0X' : '') + a.toString(16).toUpperCase();
      break;
    case 'o':
      s = (sp.sharp ? '0' : '') + a.toString(8);
      break;
    case 'O':
      s = '0o' + a.toString(8);
      break;
    case 'b':
      s = a.toString(2);
      break;
    case 'c':
      return padTo(String.fromCodePoint(n), sp, false);
    case 'q':
      return padTo(quoteRune(n), sp, false);
    case 'U':
      return padTo('U+' + a.toString(16).toUpperCase().padStart(4, '0'), sp, false);
    default:
      return bad(verb, n);
  }
  if (sp.prec >= 0) s = s.padStart(sp.prec, '0');
  const sign = neg ? '-' : sp.plus ? '+' : sp.space ? ' ' : '';
  return padTo(sign + s, sp, sp.prec < 0);
}

function quoteRune(cp: number): string {
  if (cp === 0x27) return "'\\''";
  const q = goQuote(String.fromCodePoint(cp));
  return `'${q.slice(1, -1).replace(/\\"/g, '"')}'`;
}

function fmtFloat(v: number, verb: string, sp: Spec): string {
  let s: string;
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      s = formatFloat(v, verb === 'G' ? 'G' : 'g', sp.prec);
      break;
    case 'f':
    case 'F':
      s = formatFloat(v, 'f', sp.prec < 0 ? 6 : sp.prec);
      break;
    case 'e':
    case 'E':
      s = formatFloat(v, verb, sp.prec < 0 ? 6 : sp.prec);
      break;
    default:
      return bad(verb, new GoFloat(v));
  }
  if (!s.startsWith('-') && !s.startsWith('+')) s = (sp.plus ? '+' : sp.space ? ' ' : '') + s;
  return padTo(s, sp);
}

function fmtString(s: string, verb: string, sp: Spec): string {
  if (sp.prec >= 0 && verb !== 'x' && verb !== 'X') s = [...s].slice(0, sp.prec).join('');
  switch (verb) {
    case 'v':
    case 's':
      return padTo(s, sp);
    case 'q':
      return padTo(sp.sharp && !s.includes('`') ? '`' + s + '`' : goQuote(s), sp);
    case 'x':
    case 'X': {
      let bytes = [...Buffer.from(s, 'utf8')];
      if (sp.prec >= 0) bytes = bytes.slice(0, sp.prec);
      let h = bytes.map((b) => b.toString(16).padStart(2, '0')).join(sp.space ? ' ' : '');
      if (verb === 'X') h = h.toUpperCase();
      return padTo(h, sp);
    }
    default:
      return bad(verb, s);
  }
}

/** fmt's printing of one operand with a verb (depth > 0 is inside a slice, map or struct). */
export function formatValue(v: unknown, verb: string, sp: Spec, depth: number): string {
  if (verb === 'T') return padTo(goTypeName(v), sp);
  if (v === null || v === undefined) {
    return verb === 'v' ? padTo('<nil>', sp) : bad(verb, v);
  }
  if (typeof v === 'string') return fmtString(v, verb, sp);
  if (typeof v === 'number') return fmtInt(v, verb, sp);
  if (v instanceof GoFloat) return fmtFloat(v.value, verb, sp);
  if (typeof v === 'boolean') return verb === 'v' || verb === 't' ? padTo(String(v), sp) : bad(verb, v);
  // Stringers (time.Time, time.Duration) print via String() for %v %s %q.
  if (v instanceof GoTime || v instanceof GoDuration) {
    if (verb === 'v' || verb === 's' || verb === 'q' || verb === 'x' || verb === 'X')
      return fmtString(v.toString(), verb, sp);
    if (v instanceof GoDuration && verb === 'd') return padTo(String(v.ns), sp);
    return bad(verb, v);
  }
  if (Array.isArray(v)) {
    return '[' + v.map((e) => formatValue(e, verb, sp, depth + 1)).join(' ') + ']';
  }
  if (v instanceof GoMap) {
    const keys = [...v.entries.keys()].sort(cmpBytes);
    return (
      'map[' +
      keys
        .map(
          (k) =>
            `${formatValue(k, verb, sp, depth + 1)}:${formatValue(v.entries.get(k), verb, sp, depth + 1)}`,
        )
        .join(' ') +
      ']'
    );
  }
  if (v instanceof GoStruct) {
    return (
      '{' +
      v
        .goFields()
        .map(([k, f]) => (sp.plus ? `${k}:` : '') + formatValue(f, verb, sp, depth + 1))
        .join(' ') +
      '}'
    );
  }
  if (typeof v === 'function') return `0x${'0'.repeat(6)}`;
  // A value of a type fmt does not know here: %v prints its string form (bad() formats with %v, so
  // this is also what ends that recursion).
  if (verb === 'v') return padTo(String(v), sp);
  return bad(verb, v);
}

/** Go compares strings by bytes (UTF-8), not UTF-16 units. */
export function cmpBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((a, i) => {
    if (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(a, 'v', NOSPEC, 0);
  });
  return out;
}

/** fmt.Sprintln: always spaces, then a newline. */
export function sprintln(args: unknown[]): string {
  return args.map((a) => formatValue(a, 'v', NOSPEC, 0)).join(' ') + '\n';
}

/** fmt.Sprintf. */
export function sprintf(format: string, args: unknown[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    const sp: Spec = { ...NOSPEC };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') sp.minus = true;
      else if (f === '+') sp.plus = true;
      else if (f === '#') sp.sharp = true;
      else if (f === ' ') sp.space = true;
      else if (f === '0') sp.zero = !sp.minus;
      else break;
    }
    // Widths and precisions are bounded as Go's fmt does (|n| ≤ 1e6), so `%*d` cannot allocate gigabytes.
    const num = (what: 'WIDTH' | 'PREC'): number => {
      if (format[i] === '*') {
        i++;
        const a = args[argi++];
        if (typeof a !== 'number' || Math.abs(a) > 1e6) {
          out += `%!(BAD${what})`;
          return -1;
        }
        return what === 'PREC' && a < 0 ? -1 : a;
      }
      const m = /^\d+/.exec(format.slice(i));
      if (!m) return -1;
      i += m[0].length;
      return Math.min(Number(m[0]), 1e6);
    };
    sp.width = num('WIDTH');
    if (sp.width < -1) {
      sp.minus = true;
      sp.width = -sp.width;
    }
    if (format[i] === '.') {
      i++;
      const star = format[i] === '*';
      sp.prec = num('PREC');
      if (sp.prec < 0 && !star) sp.prec = 0;
    }
    if (sp.minus) sp.zero = false;
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const a = args[argi++];
    if (verb === 'v' && sp.sharp) out += formatValue(a, 'v', sp, 0);
    else out += formatValue(a, verb, sp, 0);
  }
  if (argi < args.length) {
    out +=
      '%!(EXTRA ' +
      args
        .slice(argi)
        .map((a) => `${goTypeName(a)}=${formatValue(a, 'v', NOSPEC, 0)}`)
        .join(', ') +
      ')';
  }
  return out;
}
