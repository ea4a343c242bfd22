/** Plain-text output helpers: aligned tables, durations, timestamps (no dependency). */

/** A column is never cut narrower than this (or its header, when shorter). */
const MIN_COLUMN = 8;

/** How a table is laid out: columns never cut, and the width to fit (a terminal's columns). */
export interface TableOptions {
  /** Columns never cut: values a reader copies back into a command (ids, matchers). */
  keep?: readonly number[];
  /**
   * Fit the lines into this many characters by cutting the widest other columns (with an ellipsis);
   * absent (output is not a terminal: a pipe, a file) nothing is cut.
   */
  width?: number;
}

/**
 * Left-aligned columns separated by two spaces. With `width`, the widest columns not in `keep` are
 * narrowed (cells cut with an ellipsis) until a line fits; kept columns stay whole even when that
 * leaves a line too wide.
 */
export function table(
  header: readonly string[],
  rows: readonly (readonly (string | number)[])[],
  opts: TableOptions = {},
): string[] {
  const keep = new Set(opts.keep ?? []);
  const cells = [header, ...rows].map((r) => r.map((c) => String(c).replace(/[\r\n]+/g, ' ')));
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  if (opts.width !== undefined) {
    const floor = widths.map((w, i) =>
      keep.has(i) ? w : Math.min(w, Math.max(MIN_COLUMN, header[i].length)),
    );
    let excess = widths.reduce((a, b) => a + b, 0) + 2 * (widths.length - 1) - opts.width;
    while (excess > 0) {
      let widest = -1;
      widths.forEach((w, i) => {
        if (w > floor[i] && (widest < 0 || w > widths[widest])) widest = i;
      });
      if (widest < 0) break;
      // One character at a time from the widest: wide columns shrink together.
      widths[widest]--;
      excess--;
    }
  }
  return cells.map((r) =>
    r
      .map((c, i) => {
        const cell = keep.has(i) ? c : truncate(c, widths[i]);
        return i === r.length - 1 ? cell : cell.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd(),
  );
}

/** `key: value` lines aligned on the colon. */
export function pairs(rows: readonly [string, string | number][], indent = ''): string[] {
  const w = Math.max(0, ...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${indent}${`${k}:`.padEnd(w + 1)} ${v}`);
}

export function truncate(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** 93_000 → `1m33s`; negative → `-` . */
export function duration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d) return `${d}d${h}h`;
  if (h) return `${h}h${m}m`;
  if (m) return `${m}m${s}s`;
  return `${s}s`;
}

/** Epoch ms → ISO 8601 (seconds precision), or `-` when missing. */
export function iso(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return '-';
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `{a="1", b="2"}` */
export function labelString(labels: Readonly<Record<string, string>>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

/** `in 1h2m` / `3m4s ago` relative to now. */
export function relative(ms: number, now: number): string {
  return ms >= now ? `in ${duration(ms - now)}` : `${duration(now - ms)} ago`;
}

/** A silence matcher as the API returns it (`isEqual` absent in Alertmanager < 0.22 means true). */
export interface WireMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual?: boolean;
}

// A label name that needs no quotes in Alertmanager's classic matcher syntax.
const CLASSIC_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Matchers in the syntax `silence add` and `--filter` read back: `name="value"`, `name=~"re"`,
 * `name!="v"`, `name!~"re"`, space-separated; names outside the classic charset are quoted.
 */
export function matcherText(ms: readonly WireMatcher[]): string {
  return ms
    .map((m) => {
      const op = `${m.isEqual === false ? '!' : '='}${m.isRegex ? '~' : m.isEqual === false ? '=' : ''}`;
      const name = CLASSIC_NAME.test(m.name) ? m.name : JSON.stringify(m.name);
      return `${name}${op}${JSON.stringify(m.value)}`;
    })
    .join(' ');
}
