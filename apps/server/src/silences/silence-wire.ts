import type { Silence, SilenceInput, SilenceMatcherSpec, SilenceState } from '@herald/domain';
import { silenceState } from '@herald/domain';
import { HeraldHttpError } from '../http/http-error';

/** Alertmanager API v2 `gettableSilence` (with 0.32's `annotations`, `{}` when none, as 0.32 answers). */
export interface GettableSilence {
  id: string;
  status: { state: SilenceState };
  updatedAt: string;
  matchers: SilenceMatcherSpec[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  annotations: Record<string, string>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function gettableSilence(s: Silence, now: number): GettableSilence {
  const out: GettableSilence = {
    id: s.id,
    status: { state: silenceState(s, now) },
    updatedAt: iso(s.updatedAt),
    matchers: s.matchers.map((m) => ({
      name: m.name,
      value: m.value,
      isRegex: m.isRegex,
      isEqual: m.isEqual,
    })),
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    createdBy: s.createdBy,
    comment: s.comment,
    annotations: { ...(s.annotations ?? {}) },
  };
  return out;
}

// RFC 3339 as Go's strfmt.DateTime reads it: a date, `T` (or `t`/space), a time with optional fraction, a zone.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?([Zz]|[+-]\d{2}:\d{2})$/;
// Go's zero time, which amtool and some clients send for "unset".
const GO_ZERO = /^0001-01-01[Tt ]00:00:00(\.0+)?([Zz]|[+-]00:00)$/;

// Days in a month of the proleptic Gregorian calendar, as Go's time.Parse checks them.
function daysIn(year: number, month: number): number {
  if (month === 2) return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

function bad(field: string, message: string): HeraldHttpError {
  return new HeraldHttpError(400, { error: `${field}: ${message}`, field });
}

/** An RFC 3339 time in epoch ms; 0 for Go's zero time (`0001-01-01T00:00:00Z`: "not set"). */
export function parseTime(v: unknown, field: string): number {
  if (typeof v !== 'string') throw bad(field, `must be an RFC 3339 date-time string, got ${typeOf(v)}`);
  const m = RFC3339.exec(v);
  if (!m) throw bad(field, `must be an RFC 3339 date-time, got ${JSON.stringify(v.slice(0, 64))}`);
  // Date.parse rolls 2024-02-30 over into March and reads 24:00 as the next midnight; Go refuses both.
  const [year, month, day, hour] = m.slice(1, 5).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23)
    throw bad(field, `is not a valid date-time: ${JSON.stringify(v.slice(0, 64))}`);
  if (GO_ZERO.test(v)) return 0;
  const ms = Date.parse(v.replace(' ', 'T'));
  if (!Number.isFinite(ms)) throw bad(field, `is not a valid date-time: ${JSON.stringify(v.slice(0, 64))}`);
  return ms;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/**
 * A `postableSilence` body → the domain's SilenceInput. Shapes are checked here as Alertmanager's
 * generated validator does — a missing required field or an empty `matchers` is 422
 * (`createdBy in body is required`, `matchers in body should have at least 1 items`), a value of the
 * wrong type (or a body that is not an object) 400 — each naming the field; meaning (times, matchers,
 * limits) by the domain's `validateSilence`. Unknown fields are ignored, as Alertmanager does.
 */
export function parsePostableSilence(body: unknown): SilenceInput {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw bad('body', `must be a JSON object (postableSilence), got ${typeOf(body)}`);
  const b = body as Record<string, unknown>;
  const missing = (v: unknown) => v === undefined || v === null;
  for (const f of ['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment'] as const)
    if (missing(b[f])) throw new HeraldHttpError(422, { error: `${f} in body is required`, field: f });
  if (!missing(b.id) && typeof b.id !== 'string') throw bad('id', `must be a string, got ${typeOf(b.id)}`);
  if (!Array.isArray(b.matchers)) throw bad('matchers', `must be an array, got ${typeOf(b.matchers)}`);
  if (b.matchers.length === 0)
    throw new HeraldHttpError(422, {
      error: 'matchers in body should have at least 1 items',
      field: 'matchers',
    });
  b.matchers.forEach((m, i) => {
    const f = `matchers[${i}]`;
    if (m === null || typeof m !== 'object' || Array.isArray(m))
      throw bad(f, `must be an object, got ${typeOf(m)}`);
    const o = m as Record<string, unknown>;
    for (const k of ['name', 'value', 'isRegex'] as const)
      if (missing(o[k]))
        throw new HeraldHttpError(422, {
          error: `matchers.${i}.${k} in body is required`,
          field: `${f}.${k}`,
        });
    if (typeof o.name !== 'string') throw bad(`${f}.name`, `must be a string, got ${typeOf(o.name)}`);
    if (typeof o.value !== 'string') throw bad(`${f}.value`, `must be a string, got ${typeOf(o.value)}`);
    if (typeof o.isRegex !== 'boolean')
      throw bad(`${f}.isRegex`, `must be a boolean, got ${typeOf(o.isRegex)}`);
    if (!missing(o.isEqual) && typeof o.isEqual !== 'boolean')
      throw bad(`${f}.isEqual`, `must be a boolean, got ${typeOf(o.isEqual)}`);
  });
  if (typeof b.createdBy !== 'string') throw bad('createdBy', `must be a string, got ${typeOf(b.createdBy)}`);
  if (typeof b.comment !== 'string') throw bad('comment', `must be a string, got ${typeOf(b.comment)}`);
  if (!missing(b.annotations)) {
    const a = b.annotations;
    if (typeof a !== 'object' || Array.isArray(a)) throw bad('annotations', 'must be an object of strings');
    for (const [k, v] of Object.entries(a as Record<string, unknown>))
      if (typeof v !== 'string') throw bad(`annotations.${k}`, `must be a string, got ${typeOf(v)}`);
  }
  const input: SilenceInput = {
    matchers: (b.matchers as Record<string, unknown>[]).map((m) => ({
      name: m.name as string,
      value: m.value as string,
      isRegex: m.isRegex as boolean,
      isEqual: typeof m.isEqual === 'boolean' ? m.isEqual : true,
    })),
    startsAt: parseTime(b.startsAt, 'startsAt'),
    endsAt: parseTime(b.endsAt, 'endsAt'),
    createdBy: b.createdBy,
    comment: b.comment,
  };
  if (typeof b.id === 'string' && b.id !== '') input.id = b.id;
  if (!missing(b.annotations)) input.annotations = { ...(b.annotations as Record<string, string>) };
  return input;
}
