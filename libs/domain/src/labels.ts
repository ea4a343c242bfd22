import type { LabelSet } from './alert';

/** Prometheus label-name rule (no colons: those are for metric names only). */
export const LABEL_NAME_RE = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** Whether `name` is a valid Prometheus label name. Names starting with `__` are accepted, as Alertmanager does. */
export function isValidLabelName(name: string): boolean {
  return LABEL_NAME_RE.test(name);
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
}

/** Outcome of {@link validateLabelSet}: the cleaned labels, or the first problem with a field relative to the alert. */
export type LabelSetValidation = { labels: LabelSet } | { error: { field: string; message: string } };

/** `labels.foo` for plain names, `labels["odd name"]` otherwise, so the field is unambiguous. */
function labelField(name: string): string {
  return isValidLabelName(name) ? `labels.${name}` : `labels[${JSON.stringify(name)}]`;
}

/**
 * Validates untrusted JSON as a label set. Empty-string values are dropped before counting (Alertmanager
 * semantics: an empty label is the same as an absent one); an alert needs at least one label left.
 */
export function validateLabelSet(labels: unknown, opts: LabelLimits): LabelSetValidation {
  if (typeof labels !== 'object' || labels === null || Array.isArray(labels)) {
    return { error: { field: 'labels', message: 'must be an object of string values' } };
  }
  const out: LabelSet = {};
  let count = 0;
  for (const [name, value] of Object.entries(labels)) {
    if (typeof value !== 'string') {
      return { error: { field: labelField(name), message: 'value must be a string' } };
    }
    if (!isValidLabelName(name)) {
      return { error: { field: labelField(name), message: `invalid label name ${JSON.stringify(name)}` } };
    }
    if (opts.maxNameLength !== undefined && name.length > opts.maxNameLength) {
      return {
        error: {
          field: labelField(name),
          message: `label name longer than ${opts.maxNameLength} characters`,
        },
      };
    }
    if (value === '') continue;
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

/**
 * Label names in ascending order. Valid names are ASCII, so UTF-16 order equals Go's byte order.
 */
export function sortedLabelNames(labels: LabelSet): string[] {
  return Object.keys(labels).sort();
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
