import type { Silence, SilenceInput, SilenceMatcherSpec, SilenceState } from '@herald/domain';
import { GO_ZERO_TIME_MS, parseRfc3339, silenceState } from '@herald/domain';
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

function bad(field: string, message: string): HeraldHttpError {
  return new HeraldHttpError(400, { error: `${field}: ${message}`, field });
}

/** An RFC 3339 time in epoch ms (go-openapi's DateTime: a space for `T` too); 0 for Go's zero time ("not set"). */
export function parseTime(v: unknown, field: string): number {
  if (typeof v !== 'string') throw bad(field, `must be an RFC 3339 date-time string, got ${typeOf(v)}`);
  const ms = parseRfc3339(v, { lenient: true });
  if (ms === undefined)
    throw bad(field, `must be an RFC 3339 date-time (a real date), got ${JSON.stringify(v.slice(0, 64))}`);
  return ms === GO_ZERO_TIME_MS ? 0 : ms;
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
