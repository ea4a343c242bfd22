import {
  SilenceLimitError,
  planSilenceExpire,
  planSilenceSet,
  type SilencePlan,
  type SilencePlanOptions,
} from './silence-plan';
import {
  DEFAULT_SILENCE_LIMITS,
  validateSilence,
  type SilenceInput,
  type SilenceLimits,
} from './silence-validation';
import type { Silence, SilenceStore, SilenceWriteResult } from './silence.store';

/** A write kept conflicting with concurrent writes to the same silence (HTTP 409; rare). */
export class SilenceConflictError extends Error {
  constructor(public readonly id: string) {
    super(`silence ${id} kept changing concurrently; try again`);
    this.name = 'SilenceConflictError';
  }
}

export interface SilenceOpsOptions extends SilencePlanOptions {
  limits?: SilenceLimits;
  /** Plans tried before giving up on conflicts. Default 5. */
  maxAttempts?: number;
}

function refused(r: SilenceWriteResult, id: string): Error | null {
  if (r.ok) return null;
  if (r.reason === 'limit') return new SilenceLimitError(r.limit);
  return new SilenceConflictError(id);
}

/**
 * `POST /api/v2/silences` against a store: validate, read the silence the id names, plan, write; on a
 * conflict (another writer changed it meanwhile) read and plan again. `now` is read per attempt.
 * Throws SilenceValidationError (400), SilenceNotFoundError (404), SilenceLimitError (429) or
 * SilenceConflictError (409). Returns the applied plan (its `version` is the store's after the write).
 */
export async function setSilenceIn(
  store: SilenceStore,
  tenant: string,
  input: SilenceInput,
  now: () => number,
  newId: () => string,
  opts: SilenceOpsOptions,
): Promise<SilencePlan & { version: string }> {
  const matchers = validateSilence(input, now(), opts.limits ?? DEFAULT_SILENCE_LIMITS);
  const attempts = Math.max(1, opts.maxAttempts ?? 5);
  const wantsId = input.id !== undefined && input.id !== '';
  for (let i = 1; ; i++) {
    const t = now();
    const prev = wantsId ? await store.get(tenant, input.id!, t) : null;
    const plan = planSilenceSet(prev, input, t, newId, opts, matchers);
    const r = await store.write(tenant, plan.write);
    if (r.ok) return { ...plan, version: r.version };
    if (r.reason === 'limit' || i >= attempts) throw refused(r, input.id ?? plan.id)!;
  }
}

/**
 * `DELETE /api/v2/silence/{id}` against a store: expires the silence now. Returns the expired silence,
 * or null when it already was expired (no write). Throws SilenceNotFoundError (404) or
 * SilenceConflictError (409).
 */
export async function expireSilenceIn(
  store: SilenceStore,
  tenant: string,
  id: string,
  now: () => number,
  opts: Pick<SilenceOpsOptions, 'retention' | 'maxAttempts'>,
): Promise<{ silence: Silence; version: string } | null> {
  const attempts = Math.max(1, opts.maxAttempts ?? 5);
  for (let i = 1; ; i++) {
    const t = now();
    const plan = planSilenceExpire(await store.get(tenant, id, t), t, opts, id);
    if (!plan) return null;
    const r = await store.write(tenant, plan.write);
    if (r.ok) return { silence: plan.silence, version: r.version };
    if (i >= attempts) throw refused(r, id)!;
  }
}
