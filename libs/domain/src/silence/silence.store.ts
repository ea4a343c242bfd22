/**
 * Silences (Alertmanager's `silence` package): the stored shape and the store port. Times are epoch ms.
 * The domain decides what a write means (validation, Alertmanager's update rules, states); the store
 * keeps silences per tenant, applies a planned write atomically and counts changes in a version.
 */

/** One silence matcher as Alertmanager's API v2 carries it (`isEqual` false: `!=` / `!~`). */
export interface SilenceMatcherSpec {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** A stored silence. `annotations` (Alertmanager 0.32) only when given. */
export interface Silence {
  id: string;
  matchers: SilenceMatcherSpec[];
  startsAt: number;
  endsAt: number;
  updatedAt: number;
  createdBy: string;
  comment: string;
  annotations?: Record<string, string>;
}

export type SilenceState = 'pending' | 'active' | 'expired';

/** A tenant's silences as of one version (expired ones kept until their retention ends). */
export interface SilenceSnapshot {
  /**
   * Changes whenever any silence of the tenant is written (and only then); equal versions mean equal
   * contents, except silences dropped at the end of their retention (they were expired, so they mute
   * nothing). Opaque: compare for equality only. Distinct stores (memory, Redis) never share a version.
   */
  version: string;
  silences: Silence[];
}

/**
 * One write planned by the domain: the silences to store (a new one, an updated one, or the expired
 * old one plus its replacement), applied only if `expect` still holds (optimistic concurrency: the
 * silence the plan was made from has not changed since it was read).
 */
export interface SilenceWrite {
  writes: Silence[];
  /** The silence read to make the plan, by id and `updatedAt`; null for a plain create. */
  expect: { id: string; updatedAt: number } | null;
  /**
   * Refuse the write if it adds a silence (a create or a replacement) while the tenant already holds
   * this many (expired ones within retention included, as Alertmanager's `--silences.max-silences`
   * counts); 0: no limit. An in-place update never counts.
   */
  maxSilences: number;
  /** The time the write is made at: states (for the limit) are judged at it. */
  now: number;
  /**
   * How long an expired silence is kept: each written silence is dropped once `endsAt + retention <=
   * now` (Alertmanager's `ExpiresAt`), judged at the `now` of later reads and writes.
   */
  retention: number;
}

export type SilenceWriteResult =
  | { ok: true; version: string }
  | { ok: false; reason: 'conflict' } // `expect` no longer holds: re-read, re-plan, retry
  | { ok: false; reason: 'limit'; limit: number };

/** The store port: Redis (shared by every node), memory (one node, and the fallback while Redis is down). */
export interface SilenceStore {
  /** The tenant's silences and the version they are at (expired ones past retention left out). */
  snapshot(tenant: string, now: number): Promise<SilenceSnapshot>;
  /** The tenant's current version, cheaply (a cache compares it before re-reading the silences). */
  version(tenant: string): Promise<string>;
  /** One silence by id, or null (unknown, another tenant's, or past retention). */
  get(tenant: string, id: string, now: number): Promise<Silence | null>;
  /**
   * Applies a planned write atomically: all of `writes` or nothing. Refused with `conflict` when
   * `expect` names a silence that is absent or has another `updatedAt`, or when a written silence other
   * than the expected one already exists (a create never overwrites); with `limit` when the write
   * adds silences (ids not stored yet) and the stored count (at `now`, retention applied) plus them
   * would exceed `maxSilences`. The contract every implementation passes is in
   * `silence-store.contract.ts` (`describeSilenceStoreContract`).
   */
  write(tenant: string, w: SilenceWrite): Promise<SilenceWriteResult>;
}
