import type { Alert, AlertSource, LabelSet } from './alert';
import { fingerprint } from './fingerprint';
import { setLabel, validateLabelSet, type LabelNameMode } from './labels';
import { GO_ZERO_TIME_MS, parseRfc3339 } from './rfc3339';

/** Per-alert limits (herald.limits); the request-level ones (body size, count) are enforced by the HTTP layer. */
export interface AlertLimits {
  maxLabelsPerAlert: number;
  maxLabelNameLength: number;
  maxLabelValueLength: number;
  maxAnnotationsPerAlert: number;
  maxAnnotationValueLength: number;
  /** Webhook `groupKey` (herald.limits.max_group_key_length); default {@link DEFAULT_MAX_GROUP_KEY_LENGTH}. */
  maxGroupKeyLength?: number;
}

/** Default bound of a webhook's `groupKey`: Alertmanager's keys are the route path plus the group labels. */
export const DEFAULT_MAX_GROUP_KEY_LENGTH = 16384;

export interface IngestContext {
  now: number;
  /** global.resolve_timeout: endsAt of an alert sent without one (ms). */
  resolveTimeout: number;
  limits: AlertLimits;
  /** herald.label_names: `utf8` (default, Alertmanager ≥ 0.27) or `classic` (`[a-zA-Z_][a-zA-Z0-9_]*`). */
  labelNames?: LabelNameMode;
}

/** One rejected alert of a batch: its index and the field at fault (`labels.instance`, `endsAt`, ...). */
export interface AlertError {
  index: number;
  field: string;
  message: string;
}

export interface NormalizeResult {
  alerts: Alert[];
  errors: AlertError[];
}

/** Go's zero time (what amtool and Alertmanager send for "unset"): it and anything before mean unset. */
const ZERO_LIMIT = GO_ZERO_TIME_MS;
/**
 * The accepted time range: 1970-01-01T00:00:00Z to 9999-12-31T23:59:59.999Z. Earlier times (other than
 * Go's zero time, which means unset) and later ones are rejected per alert: nothing real is that old,
 * stores encode times as unsigned decimal milliseconds, and RFC 3339 has four-digit years.
 */
export const MIN_TIME_MS = 0;
export const MAX_TIME_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

type TimeField = { ok: true; ms: number } | { ok: false; message: string };

/** Parses an RFC 3339 time; absent, null, "" and Go's zero time mean unset (0). */
function parseTime(v: unknown): TimeField {
  if (v === undefined || v === null || v === '') return { ok: true, ms: 0 };
  if (typeof v !== 'string') {
    return { ok: false, message: 'must be an RFC 3339 time such as 2026-01-02T15:04:05Z' };
  }
  const ms = parseRfc3339(v);
  if (ms === undefined) {
    return { ok: false, message: 'must be an RFC 3339 time such as 2026-01-02T15:04:05Z (a real date)' };
  }
  if (ms <= ZERO_LIMIT) return { ok: true, ms: 0 };
  if (ms < MIN_TIME_MS) return { ok: false, message: 'must not be before 1970-01-01T00:00:00Z' };
  if (ms > MAX_TIME_MS) return { ok: false, message: 'must not be after 9999-12-31T23:59:59Z' };
  return { ok: true, ms };
}

function validateAnnotations(
  v: unknown,
  limits: AlertLimits,
): { annotations: LabelSet } | { field: string; message: string } {
  if (v === undefined || v === null) return { annotations: {} };
  if (typeof v !== 'object' || Array.isArray(v))
    return { field: 'annotations', message: 'must be an object of string values' };
  const out: LabelSet = {};
  let n = 0;
  const src = v as Record<string, unknown>;
  for (const k of Object.keys(src)) {
    const val = src[k];
    if (typeof val !== 'string') return { field: `annotations.${k}`, message: 'value must be a string' };
    if (k.length > limits.maxLabelNameLength) {
      return {
        field: `annotations.${k}`,
        message: `annotation name longer than ${limits.maxLabelNameLength} characters`,
      };
    }
    if (val.length > limits.maxAnnotationValueLength) {
      return {
        field: `annotations.${k}`,
        message: `annotation value longer than ${limits.maxAnnotationValueLength} characters`,
      };
    }
    setLabel(out, k, val);
    n++;
  }
  if (n > limits.maxAnnotationsPerAlert) {
    return { field: 'annotations', message: `too many annotations: ${n} > ${limits.maxAnnotationsPerAlert}` };
  }
  return { annotations: out };
}

interface RawTimes {
  startsAt: number;
  endsAt: number;
}

/**
 * Validates one alert object and returns the parts common to both ingest formats, or the first error.
 * `resolveTimes` applies the format's rules for missing times.
 */
function normalizeOne(
  raw: unknown,
  ctx: IngestContext,
  resolveTimes: (t: RawTimes) => { startsAt: number; endsAt: number; timeout: boolean },
  source?: AlertSource,
): Alert | { field: string; message: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { field: '', message: 'each alert must be a JSON object' };
  }
  const r = raw as Record<string, unknown>;
  const lv = validateLabelSet(r.labels, {
    maxLabels: ctx.limits.maxLabelsPerAlert,
    maxNameLength: ctx.limits.maxLabelNameLength,
    maxValueLength: ctx.limits.maxLabelValueLength,
    labelNames: ctx.labelNames,
  });
  if ('error' in lv) return lv.error;
  const av = validateAnnotations(r.annotations, ctx.limits);
  if ('field' in av) return av;
  const s = parseTime(r.startsAt);
  if (!s.ok) return { field: 'startsAt', message: s.message };
  const e = parseTime(r.endsAt);
  if (!e.ok) return { field: 'endsAt', message: e.message };
  if (r.generatorURL !== undefined && r.generatorURL !== null && typeof r.generatorURL !== 'string') {
    return { field: 'generatorURL', message: 'must be a string' };
  }
  const gen = (r.generatorURL as string | undefined) ?? '';
  if (gen.length > ctx.limits.maxAnnotationValueLength) {
    return {
      field: 'generatorURL',
      message: `longer than ${ctx.limits.maxAnnotationValueLength} characters`,
    };
  }
  const t = resolveTimes({ startsAt: s.ms, endsAt: e.ms });
  if (t.endsAt < t.startsAt) return { field: 'endsAt', message: 'endsAt must not be before startsAt' };
  const alert: Alert = {
    fingerprint: fingerprint(lv.labels),
    labels: lv.labels,
    annotations: av.annotations,
    startsAt: t.startsAt,
    endsAt: t.endsAt,
    updatedAt: ctx.now,
    timeout: t.timeout,
    generatorURL: gen,
  };
  if (source) alert.source = source;
  return alert;
}

function collect(
  items: unknown[],
  one: (raw: unknown) => Alert | { field: string; message: string },
): NormalizeResult {
  const alerts: Alert[] = [];
  const errors: AlertError[] = [];
  for (let i = 0; i < items.length; i++) {
    const r = one(items[i]);
    if ('fingerprint' in r) alerts.push(r);
    else errors.push({ index: i, field: r.field, message: r.message });
  }
  return { alerts, errors };
}

/**
 * `POST /api/v2/alerts` (Prometheus' format) with Alertmanager's semantics: empty-valued labels dropped;
 * startsAt unset → endsAt if set, else now; endsAt unset → now + resolve_timeout (a "timeout" end);
 * endsAt before startsAt is an error. Valid alerts are returned even when others fail.
 */
export function normalizePostableAlerts(items: unknown[], ctx: IngestContext): NormalizeResult {
  const times = ({ startsAt, endsAt }: RawTimes) => {
    let timeout = false;
    if (startsAt === 0) startsAt = endsAt === 0 ? ctx.now : endsAt;
    if (endsAt === 0) {
      endsAt = ctx.now + ctx.resolveTimeout;
      timeout = true;
    }
    return { startsAt, endsAt, timeout };
  };
  return collect(items, (raw) => normalizeOne(raw, ctx, times));
}

/** The envelope of an Alertmanager webhook (version 4) that Herald needs. */
export interface WebhookEnvelope {
  groupKey?: string;
  receiver?: string;
  alerts: unknown[];
}

type FieldError = { field: string; message: string };

/** A bounded optional string field of the envelope. */
function checkString(
  b: Record<string, unknown>,
  field: string,
  max: number,
  limit: string,
): FieldError | null {
  const v = b[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') return { field, message: 'must be a string' };
  if (v.length > max) return { field, message: `longer than ${max} characters (${limit})` };
  return null;
}

/** `groupLabels` / `commonLabels` / `commonAnnotations`: not kept, but bounded like an alert's own. */
function checkStringMap(
  b: Record<string, unknown>,
  field: string,
  max: { count: number; name: number; value: number },
): FieldError | null {
  const v = b[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v))
    return { field, message: 'must be an object of string values' };
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > max.count)
    return { field, message: `too many entries: ${entries.length} > ${max.count}` };
  for (const [k, val] of entries) {
    const f = `${field}[${JSON.stringify(k.length > 64 ? k.slice(0, 64) + '…' : k)}]`;
    if (typeof val !== 'string') return { field: f, message: 'value must be a string' };
    if (k.length > max.name) return { field: f, message: `name longer than ${max.name} characters` };
    if (val.length > max.value) return { field: f, message: `value longer than ${max.value} characters` };
  }
  return null;
}

/**
 * Validates the envelope of an Alertmanager webhook payload; returns the alerts array or the field at
 * fault. Every field is bounded, read or not: `groupKey` (max_group_key_length), `receiver` (as a label
 * value), `externalURL` (as a generatorURL), `status` (firing|resolved), the label/annotation maps (as
 * an alert's), `truncatedAlerts` (a non-negative integer). Unknown fields are ignored, as Alertmanager does.
 */
export function parseWebhookEnvelope(body: unknown, limits: AlertLimits): WebhookEnvelope | FieldError {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { field: 'body', message: 'must be an Alertmanager webhook payload (a JSON object)' };
  }
  const b = body as Record<string, unknown>;
  if (b.version !== '4') {
    const shown = typeof b.version === 'string' ? JSON.stringify(b.version.slice(0, 32)) : typeof b.version;
    return { field: 'version', message: `unsupported webhook payload version ${shown}; expected "4"` };
  }
  if (!Array.isArray(b.alerts)) return { field: 'alerts', message: 'must be an array' };
  const maxKey = limits.maxGroupKeyLength ?? DEFAULT_MAX_GROUP_KEY_LENGTH;
  const labels = {
    count: limits.maxLabelsPerAlert,
    name: limits.maxLabelNameLength,
    value: limits.maxLabelValueLength,
  };
  const annotations = {
    count: limits.maxAnnotationsPerAlert,
    name: limits.maxLabelNameLength,
    value: limits.maxAnnotationValueLength,
  };
  const err =
    checkString(b, 'groupKey', maxKey, 'herald.limits.max_group_key_length') ??
    checkString(b, 'receiver', limits.maxLabelValueLength, 'herald.limits.max_label_value_length') ??
    checkString(
      b,
      'externalURL',
      limits.maxAnnotationValueLength,
      'herald.limits.max_annotation_value_length',
    ) ??
    checkString(b, 'status', 8, 'firing or resolved') ??
    checkStringMap(b, 'groupLabels', labels) ??
    checkStringMap(b, 'commonLabels', labels) ??
    checkStringMap(b, 'commonAnnotations', annotations);
  if (err) return err;
  if (b.status !== undefined && b.status !== null && b.status !== 'firing' && b.status !== 'resolved') {
    return { field: 'status', message: 'must be "firing" or "resolved"' };
  }
  const t = b.truncatedAlerts;
  if (t !== undefined && t !== null && !(typeof t === 'number' && Number.isSafeInteger(t) && t >= 0)) {
    return { field: 'truncatedAlerts', message: 'must be a non-negative integer' };
  }
  return {
    alerts: b.alerts,
    groupKey: b.groupKey as string | undefined,
    receiver: b.receiver as string | undefined,
  };
}

/**
 * Alerts of an Alertmanager webhook: `status` decides firing vs resolved. A firing alert carries Go's
 * zero `endsAt`, so it gets now + resolve_timeout (re-sent by the forwarding Alertmanager every
 * repeat_interval); a resolved alert without a past `endsAt` ends now. The sender's group key is kept.
 */
export function normalizeWebhookAlerts(env: WebhookEnvelope, ctx: IngestContext): NormalizeResult {
  const source: AlertSource = {};
  if (env.groupKey) source.groupKey = env.groupKey;
  if (env.receiver) source.receiver = env.receiver;
  return collect(env.alerts, (raw) => {
    const status =
      typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).status : undefined;
    if (status !== 'firing' && status !== 'resolved') {
      return { field: 'status', message: 'must be "firing" or "resolved"' };
    }
    const times = ({ startsAt, endsAt }: RawTimes) => {
      if (status === 'resolved') {
        if (endsAt === 0 || endsAt > ctx.now) endsAt = ctx.now;
        if (startsAt === 0 || startsAt > endsAt) startsAt = endsAt;
        return { startsAt, endsAt, timeout: false };
      }
      if (startsAt === 0) startsAt = ctx.now;
      if (endsAt === 0 || endsAt <= ctx.now)
        return { startsAt, endsAt: ctx.now + ctx.resolveTimeout, timeout: true };
      return { startsAt, endsAt, timeout: false };
    };
    return normalizeOne(raw, ctx, times, Object.keys(source).length ? source : undefined);
  });
}
