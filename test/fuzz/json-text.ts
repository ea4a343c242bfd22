/**
 * JSON text the fuzzer can bend: plain values serialize as JSON.stringify would, and two wrappers say
 * what JSON.stringify cannot — {@link RawJson} (a token as is: `1e400`, `-0`, `NaN`, a truncated literal)
 * and {@link Pairs} (an object written from a list of entries, so a key can repeat or be `__proto__`).
 */
export class RawJson {
  constructor(readonly text: string) {}
}

/** An object written entry by entry: duplicate keys and `__proto__` survive serialization. */
export class Pairs {
  constructor(readonly entries: [string, unknown][]) {}
}

/** A plain JSON object node: not null, an array, or a {@link RawJson} / {@link Pairs} wrapper. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return (
    !!v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Pairs) && !(v instanceof RawJson)
  );
}

/** A JSON string literal; `asciiOnly` escapes everything outside ASCII as `\uXXXX` (lone surrogates too). */
function str(s: string, asciiOnly: boolean): string {
  const j = JSON.stringify(s);
  if (!asciiOnly) return j;
  return j.replace(/[^\x20-\x7e]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export interface JsonTextOptions {
  /** Escape non-ASCII characters. */
  asciiOnly?: boolean;
  /** Whitespace between tokens (e.g. ' ', '\n\t'). */
  space?: string;
}

/** Serializes a value that may hold {@link RawJson} and {@link Pairs} nodes. Iterative: deep nesting is fine. */
export function jsonText(value: unknown, opts: JsonTextOptions = {}): string {
  const asciiOnly = opts.asciiOnly ?? false;
  const sp = opts.space ?? '';
  const out: string[] = [];
  // A work stack of values to write or literal text to emit.
  const stack: ({ v: unknown } | { t: string })[] = [{ v: value }];
  while (stack.length) {
    const item = stack.pop()!;
    if ('t' in item) {
      out.push(item.t);
      continue;
    }
    const v = item.v;
    if (v instanceof RawJson) out.push(v.text);
    else if (v === null || v === undefined) out.push('null');
    else if (typeof v === 'string') out.push(str(v, asciiOnly));
    else if (typeof v === 'number')
      out.push(Number.isFinite(v) ? (Object.is(v, -0) ? '-0' : String(v)) : 'null');
    else if (typeof v === 'boolean') out.push(String(v));
    else if (Array.isArray(v) || v instanceof Pairs || typeof v === 'object') {
      const isArr = Array.isArray(v);
      const entries: [string | null, unknown][] = isArr
        ? (v as unknown[]).map((x) => [null, x])
        : v instanceof Pairs
          ? v.entries
          : Object.keys(v as object).map((k) => [k, (v as Record<string, unknown>)[k]]);
      const todo: ({ v: unknown } | { t: string })[] = [{ t: isArr ? '[' : '{' }];
      entries.forEach(([k, x], i) => {
        if (i) todo.push({ t: ',' + sp });
        if (k !== null) todo.push({ t: str(k, asciiOnly) + ':' + sp });
        todo.push({ v: x });
      });
      todo.push({ t: isArr ? ']' : '}' });
      for (let i = todo.length - 1; i >= 0; i--) stack.push(todo[i]);
    } else out.push('null');
  }
  return out.join('');
}
