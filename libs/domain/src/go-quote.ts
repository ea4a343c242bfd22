// Go's unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. Node's Unicode
// tables may be newer than the Go build's, which only matters for code points assigned since.
const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u;
const HEX = '0123456789abcdef';
const PLAIN_ASCII = /^[\x20\x21\x23-\x5b\x5d-\x7e]*$/;

function hex(n: number, width: number): string {
  let s = '';
  for (let i = width - 1; i >= 0; i--) s += HEX[(n >>> (i * 4)) & 0xf];
  return s;
}

/**
 * Go's `strconv.Quote`, needed because group keys embed `model.LabelSet.String()` and must be
 * byte-identical to Alertmanager's. A lone surrogate (invalid UTF-16) is treated as U+FFFD, which is
 * what Alertmanager sees after Go's JSON decoder replaced it, and U+FFFD is printable.
 */
export function goQuote(s: string): string {
  // Label values are nearly always plain printable ASCII: one native regex test instead of a char loop.
  if (PLAIN_ASCII.test(s)) return `"${s}"`;
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0x20 && cp < 0x7f) {
      // ASCII fast path: only the quote and the backslash need escaping.
      out += cp === 0x22 ? '\\"' : cp === 0x5c ? '\\\\' : s[i];
      continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
      const next = i + 1 < s.length ? s.charCodeAt(i + 1) : 0;
      if (cp <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (next - 0xdc00);
        i++;
      } else {
        cp = 0xfffd;
      }
    }
    out += escapeRune(cp);
  }
  return out + '"';
}

function escapeRune(cp: number): string {
  switch (cp) {
    case 0x07:
      return '\\a';
    case 0x08:
      return '\\b';
    case 0x0c:
      return '\\f';
    case 0x0a:
      return '\\n';
    case 0x0d:
      return '\\r';
    case 0x09:
      return '\\t';
    case 0x0b:
      return '\\v';
  }
  const ch = String.fromCodePoint(cp);
  if (cp >= 0x80 && PRINTABLE.test(ch)) return ch;
  if (cp < 0x20 || cp === 0x7f) return '\\x' + hex(cp, 2);
  if (cp < 0x10000) return '\\u' + hex(cp, 4);
  return '\\U' + hex(cp, 8);
}
