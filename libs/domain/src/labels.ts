import type { LabelSet } from './alert';

/**
 * Which label names are valid (`herald.label_names`). `utf8` is Alertmanager ≥ 0.27's default: any
 * non-empty valid UTF-8 name (matcher/compat `isValidUTF8LabelName`); `classic` is the Prometheus rule
 * Alertmanager ≤ 0.26 applied (and ≥ 0.27 with `--enable-feature=classic-mode`).
 */
export type LabelNameMode = 'utf8' | 'classic';

/** Prometheus' classic label-name rule (no colons: those are for metric names only). */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

// In a `u` regex a well-formed surrogate pair is one code point, so this finds only lone surrogates:
// the UTF-16 form of invalid UTF-8 (JSON can carry them as `\ud800` escapes).
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `name` follows the classic rule `[a-zA-Z_][a-zA-Z0-9_]*`. Names starting with `__` are accepted, as Alertmanager does. */
export function isClassicLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
}

/**
 * Whether `name` is a valid label name under `mode` (default `utf8`: non-empty and valid UTF-8, i.e.
 * no lone surrogate; `classic`: {@link isClassicLabelName}).
 */
export function isValidLabelName(name: string, mode: LabelNameMode = 'utf8'): boolean {
  if (mode === 'classic') return LABEL_NAME_RE.test(name);
  return name.length > 0 && !LONE_SURROGATE.test(name);
}

/** Why `name` is not a valid label name under `mode` (`invalid label name "x": …`), or undefined when it is. */
export function labelNameProblem(name: string, mode: LabelNameMode = 'utf8'): string | undefined {
  if (isValidLabelName(name, mode)) return undefined;
  const why =
    name === ''
      ? 'must not be empty'
      : mode === 'classic'
        ? 'herald.label_names is classic: [a-zA-Z_][a-zA-Z0-9_]* only'
        : 'not valid UTF-8 (lone surrogate)';
  return `invalid label name ${showName(name)}: ${why}`;
}

/**
 * Go's string order (UTF-8 bytes) for well-formed strings: `<` compares UTF-16 code units, which
 * differs when a surrogate (U+10000 and up) meets a unit from U+E000 to U+FFFF. Alertmanager sorts
 * label names (fingerprints, group keys) and matchers this way.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    // Move surrogates above U+E000..U+FFFF: code point order, which is UTF-8 byte order.
    if (x >= 0xd800) x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
    if (y >= 0xd800) y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    return x - y;
  }
  return a.length - b.length;
}

// Only names with a surrogate can sort differently under compareUtf8 than under the default sort.
const HAS_SURROGATE = /[\ud800-\udfff]/;

/** Sorts `names` in place in Go's order; the native sort is used unless a name has a surrogate. */
export function sortUtf8(names: string[]): string[] {
  // Prometheus sends labels sorted: names already in order without a surrogate need no sort (which
  // allocates a work array per call, for every ingested alert's fingerprint and group key).
  let sorted = true;
  for (let i = 0; i < names.length; i++) {
    if ((i > 0 && names[i - 1] > names[i]) || HAS_SURROGATE.test(names[i])) {
      sorted = false;
      break;
    }
  }
  if (sorted) return names;
  names.sort();
  for (const n of names) if (HAS_SURROGATE.test(n)) return names.sort(compareUtf8);
  return names;
}

/**
 * Sets `name` on a label set as an own property. `__proto__` is a valid label name; plain assignment
 * would set the object's prototype instead and silently drop the label.
 */
export function setLabel(out: LabelSet, name: string, value: string): void {
  if (name === '__proto__')
    Object.defineProperty(out, name, { value, enumerable: true, writable: true, configurable: true });
  else out[name] = value;
}

/** Limits applied when validating an incoming label set. */
export interface LabelLimits {
  maxLabels: number;
  maxNameLength?: number;
  maxValueLength: number;
  /** Which names are valid (herald.label_names); default `utf8`. */
  labelNames?: LabelNameMode;
}

/** Outcome of {@link validateLabelSet}: the cleaned labels, or the first problem with a field relative to the alert. */
export type LabelSetValidation = { labels: LabelSet } | { error: { field: string; message: string } };

/** Longest name echoed in an error, so an oversized one cannot blow up the response or the log. */
const SHOWN_NAME = 64;

/** `name` for an error message: JSON-quoted, cut to {@link SHOWN_NAME} characters. */
function showName(name: string): string {
  return JSON.stringify(name.length > SHOWN_NAME ? name.slice(0, SHOWN_NAME) + '…' : name);
}

/** `labels.foo` for classic names, `labels["service.name"]` otherwise, so the field is unambiguous. */
function labelField(name: string): string {
  return isClassicLabelName(name) && name.length <= SHOWN_NAME
    ? `labels.${name}`
    : `labels[${showName(name)}]`;
}

/**
 * Validates untrusted JSON as a label set. Empty-string values are dropped first (Alertmanager
 * semantics: an empty label is the same as an absent one); an alert needs at least one label left.
 * Names are judged by `opts.labelNames` (default `utf8`: any non-empty valid UTF-8 name).
 */
export function validateLabelSet(labels: unknown, opts: LabelLimits): LabelSetValidation {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    return { error: { field: 'labels', message: 'must be an object of string values' } };
  }
  const out: LabelSet = {};
  let count = 0;
  const src = labels as Record<string, unknown>;
  // Object.keys, not Object.entries: no [name, value] array per label (this runs for every ingested alert).
  for (const name of Object.keys(src)) {
    const value = src[name];
    if (typeof value !== 'string') {
      return { error: { field: labelField(name), message: 'value must be a string' } };
    }
    // Dropped before the name is judged: Alertmanager runs removeEmptyLabels before Validate.
    if (value === '') continue;
    const problem = labelNameProblem(name, opts.labelNames);
    if (problem) return { error: { field: labelField(name), message: problem } };
    if (opts.maxNameLength !== undefined && name.length > opts.maxNameLength) {
      return {
        error: {
          field: labelField(name),
          message: `label name longer than ${opts.maxNameLength} characters`,
        },
      };
    }
    if (value.length > opts.maxValueLength) {
      return {
        error: {
          field: labelField(name),
          message: `label value longer than ${opts.maxValueLength} characters`,
        },
      };
    }
    setLabel(out, name, value);
    count++;
  }
  if (count === 0) return { error: { field: 'labels', message: 'at least one non-empty label is required' } };
  if (count > opts.maxLabels) {
    return { error: { field: 'labels', message: `too many labels: ${count} > ${opts.maxLabels}` } };
  }
  return { labels: out };
}

/** Label names in ascending order, as Go sorts them (UTF-8 bytes; see {@link compareUtf8}). */
export function sortedLabelNames(labels: LabelSet): string[] {
  return sortUtf8(Object.keys(labels));
}

/** Whether two label sets hold exactly the same pairs. */
export function labelSetEquals(a: LabelSet, b: LabelSet): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || a[k] !== b[k]) return false;
  }
  return true;
}
