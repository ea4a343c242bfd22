import { silenceState } from './silence-state';
import type { SilenceInput } from './silence-validation';
import type { Silence, SilenceMatcherSpec, SilenceWrite } from './silence.store';

/** What a write is planned with: the tenant's `max_silences` (0: none) and the retention of expired ones. */
export interface SilencePlanOptions {
  maxSilences: number;
  retention: number;
}

/** An update names a silence that does not exist (or no longer: past retention). HTTP 404. */
export class SilenceNotFoundError extends Error {
  constructor(public readonly id: string) {
    // Alertmanager's `silence.ErrNotFound` text, which its 404 body carries.
    super('silence not found');
    this.name = 'SilenceNotFoundError';
  }
}

/**
 * The write would exceed the tenant's `max_silences` (the store answered `limit`). HTTP 429.
 * Alertmanager answers 400 with "exceeded maximum number of silences: N (limit: M)"; Herald names the
 * setting instead of the count, which the store does not report.
 */
export class SilenceLimitError extends Error {
  readonly field = 'max_silences';
  constructor(public readonly limit: number) {
    super(`exceeded maximum number of silences (max_silences: ${limit})`);
    this.name = 'SilenceLimitError';
  }
}

/** A planned `POST /api/v2/silences`: the id answered, the write to apply, and what it does. */
export interface SilencePlan {
  id: string;
  write: SilenceWrite;
  /** `create`: new id; `update`: in place, same id; `replace`: new id, the old one expired (or already expired). */
  kind: 'create' | 'update' | 'replace';
  /** The silence as stored by this write. */
  silence: Silence;
  /** The previous silence as this write expires it (only for a replacement of a not yet expired one). */
  expired?: Silence;
}

function sameMatchers(a: readonly SilenceMatcherSpec[], b: readonly SilenceMatcherSpec[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (x.name !== y.name || x.value !== y.value || x.isRegex !== y.isRegex || x.isEqual !== y.isEqual)
      return false;
  }
  return true;
}

/** Go's `time.Unix()` of an epoch-ms time: whole seconds, rounded down. */
const unixSeconds = (ms: number): number => Math.floor(ms / 1000);

/**
 * Alertmanager's `canUpdate`: whether `prev` can become `next` in place without rewriting what it
 * silenced so far. The matchers must be equal (same order); an active silence keeps its start (to the
 * second) and may not end in the past; a pending one may not start in the past; an expired one never.
 */
export function canUpdateSilence(
  prev: Silence,
  next: { matchers: readonly SilenceMatcherSpec[]; startsAt: number; endsAt: number },
  now: number,
): boolean {
  if (!sameMatchers(prev.matchers, next.matchers)) return false;
  switch (silenceState(prev, now)) {
    case 'active':
      return unixSeconds(prev.startsAt) === unixSeconds(next.startsAt) && !(next.endsAt < now);
    case 'pending':
      return !(next.startsAt < now);
    case 'expired':
      return false;
  }
}

/**
 * The `updatedAt` of a change to `prev`: now, but always after the previous one. The store's
 * optimistic check compares `updatedAt`, so two changes in one millisecond (or a node whose clock is
 * behind the writer of `prev`) must still give a new value.
 */
function nextUpdatedAt(prev: Silence, now: number): number {
  return Math.max(now, prev.updatedAt + 1);
}

/**
 * Alertmanager's `expire` applied to one silence: an active one ends now, a pending one starts and
 * ends now; an expired one is returned as is (null: nothing to write).
 */
export function expireSilence(prev: Silence, now: number): Silence | null {
  switch (silenceState(prev, now)) {
    case 'expired':
      return null;
    case 'active':
      return { ...prev, endsAt: now, updatedAt: nextUpdatedAt(prev, now) };
    case 'pending':
      return { ...prev, startsAt: now, endsAt: now, updatedAt: nextUpdatedAt(prev, now) };
  }
}

/**
 * Plans Alertmanager's `Silences.Set` for a validated input (see validateSilence; `matchers` are the
 * normalised ones it returns). `prev` is the silence `input.id` names as read from the store (null
 * when absent; ignored without an id).
 *
 * - An id that names no silence: SilenceNotFoundError.
 * - canUpdate: the silence is rewritten in place, same id, `updatedAt` now.
 * - Otherwise a new silence with a new id (from `newId`), its start moved up to now if in the past;
 *   the previous one, unless already expired, is expired now in the same write.
 *
 * The write expects `prev` unchanged (a concurrent change makes the store answer `conflict`: read
 * again and re-plan). The limit applies to the creation of a silence, not to an update in place.
 */
export function planSilenceSet(
  prev: Silence | null,
  input: SilenceInput,
  now: number,
  newId: () => string,
  opts: SilencePlanOptions,
  matchers: SilenceMatcherSpec[] = input.matchers,
): SilencePlan {
  const wantsId = input.id !== undefined && input.id !== '';
  if (wantsId && (prev === null || prev.id !== input.id)) throw new SilenceNotFoundError(input.id!);
  const base = wantsId ? prev : null;
  // A zero or absent start means now (Alertmanager ≥ 0.28 fills it in before deciding on an update).
  const startsAt = input.startsAt ? input.startsAt : now;
  const fields = (): Omit<Silence, 'id' | 'startsAt' | 'updatedAt'> => {
    const out: Omit<Silence, 'id' | 'startsAt' | 'updatedAt'> = {
      matchers: matchers.map((m) => ({ ...m })),
      endsAt: input.endsAt,
      createdBy: input.createdBy,
      comment: input.comment,
    };
    if (input.annotations !== undefined) out.annotations = { ...input.annotations };
    return out;
  };
  const common = { maxSilences: opts.maxSilences, now, retention: opts.retention };

  if (base && canUpdateSilence(base, { matchers, startsAt, endsAt: input.endsAt }, now)) {
    const silence: Silence = { id: base.id, startsAt, updatedAt: nextUpdatedAt(base, now), ...fields() };
    return {
      id: base.id,
      kind: 'update',
      silence,
      write: { writes: [silence], expect: { id: base.id, updatedAt: base.updatedAt }, ...common },
    };
  }

  const silence: Silence = { id: newId(), startsAt: Math.max(startsAt, now), updatedAt: now, ...fields() };
  if (!base)
    return { id: silence.id, kind: 'create', silence, write: { writes: [silence], expect: null, ...common } };
  const expired = expireSilence(base, now) ?? undefined;
  return {
    id: silence.id,
    kind: 'replace',
    silence,
    expired,
    write: {
      writes: expired ? [expired, silence] : [silence],
      expect: { id: base.id, updatedAt: base.updatedAt },
      ...common,
    },
  };
}

/**
 * Plans `DELETE /api/v2/silence/{id}` (Alertmanager's `Expire`): SilenceNotFoundError when `prev` is
 * null (Alertmanager ≥ 0.26 answers 404; 0.25 answered 500 with the same text); null when it is
 * already expired (idempotent: 200 without a write); otherwise the write that expires it now.
 */
export function planSilenceExpire(
  prev: Silence | null,
  now: number,
  opts: Pick<SilencePlanOptions, 'retention'>,
  id: string = prev?.id ?? '',
): { write: SilenceWrite; silence: Silence } | null {
  if (prev === null) throw new SilenceNotFoundError(id);
  const expired = expireSilence(prev, now);
  if (!expired) return null;
  return {
    silence: expired,
    write: {
      writes: [expired],
      expect: { id: prev.id, updatedAt: prev.updatedAt },
      maxSilences: 0,
      now,
      retention: opts.retention,
    },
  };
}
