import type { Alert, GroupState, LabelSet } from './alert';
import type { InhibitionIndex } from './inhibit/inhibition-index';
import type { Matcher } from './matchers';

/** Where an alert goes: one aggregation group of one route, as computed by the route tree. */
export interface GroupTarget {
  /** 16-hex id of the group key; Redis keys carry it as their hash tag. */
  groupId: string;
  /** Alertmanager-format group key, e.g. `{}/{team="db"}:{alertname="HighCPU"}`. */
  groupKey: string;
  receiver: string;
  routeId: string;
  groupLabels: LabelSet;
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
}

/** One group's share of an ingest request. */
export interface GroupUpsert {
  target: GroupTarget;
  alerts: Alert[];
}

/** Everything one ingest request writes, for one tenant, evaluated at one `now`. */
export interface UpsertBatch {
  tenant: string;
  now: number;
  groups: GroupUpsert[];
  /** The tenant's limits, enforced by the store (across nodes in Redis). Absent: unlimited, no cost. */
  limits?: TenantIngestLimits;
  /** Alerts of the request, the token bucket's cost (default: the alert writes of `groups`). */
  received?: number;
  /** Ask for `UpsertResult.changedGroups` (live events: only what changed, not every re-send). */
  reportChanges?: boolean;
}

/**
 * Per-tenant limits the store enforces atomically with the write (config: `herald.tenants[].limits`).
 * Counts are alert writes: an alert routed to two groups holds two (as `UpsertResult.written`).
 */
export interface TenantIngestLimits {
  /** Alerts held (firing + resolved not yet removed). New alerts beyond it are refused; updates pass. */
  maxAlerts?: number;
  /** Aggregation groups held. Alerts of a new group beyond it are refused; existing groups take alerts. */
  maxGroups?: number;
  /** Token bucket: refill in alerts/s... */
  ingestRate?: number;
  /** ...and size. A request passes when the bucket holds min(its alerts, burst) tokens (it may go below 0). */
  ingestBurst?: number;
}

/** Names of the enforced limits as the metric label and errors carry them (Mimir's names). */
export type TenantLimitName =
  'alertmanager_max_alerts_count' | 'alertmanager_max_dispatcher_aggregation_groups' | 'ingestion_rate';

export interface UpsertResult {
  /** Alert writes (an alert routed to two groups counts twice). */
  written: number;
  /** Groups that did not exist before this batch. */
  createdGroups: number;
  /**
   * The earliest time (ms) this batch put or moved a group half on the due index, if it did: a scheduler
   * on the same node wakes for it instead of waiting for its next tick (absent: nothing was scheduled).
   */
  nextDueAt?: number;
  /**
   * With `UpsertBatch.reportChanges`: the ids of the groups where an alert joined the firing half (new,
   * back from the recovery half, firing again after its endsAt) or resolved — not those a re-send only
   * kept firing (a later endsAt, the steady state).
   */
  changedGroups?: string[];
}

/** A group as read back: its metadata plus the firing and recovery halves. */
/** What to do to a stored group once a resolved notification went out (or was not needed). */
export interface ResolvedCleanup {
  /** Fingerprints to delete from the group (recovery half, or firing half when stale there). */
  remove: string[];
  /** True when nothing is left afterwards: delete the group's keys and its due entries. */
  deleteGroup: boolean;
}

export interface StoredGroup {
  tenant: string;
  groupId: string;
  groupKey: string;
  receiver: string;
  routeId: string;
  labels: LabelSet;
  groupWait: number;
  groupInterval: number;
  repeatInterval: number;
  createdAt: number;
  firing: Alert[];
  recovery: Alert[];
}

/**
 * A tenant's stored alerts and groups counted by half (`herald_alerts`, `herald_groups`): the alerts held
 * in firing halves (`alerts.firing`; an alert whose endsAt passed stays there until it moves or is
 * removed) and in recovery halves (`alerts.resolved`); the groups with at least one alert in their firing
 * half (`groups.firing`) and the others with at least one in their recovery half (`groups.recovery`).
 * Exactly what counting `listGroups(tenant)` by `firing.length` / `recovery.length` gives, read without
 * alert bodies.
 */
export interface GroupStateCounts {
  alerts: { firing: number; resolved: number };
  groups: { firing: number; recovery: number };
}

/** Adds one group with `firing` alerts in its firing half and `recovery` in its recovery half to `out`. */
export function countGroupHalves(out: GroupStateCounts, firing: number, recovery: number): void {
  out.alerts.firing += firing;
  out.alerts.resolved += recovery;
  if (firing > 0) out.groups.firing++;
  else if (recovery > 0) out.groups.recovery++;
}

/** What `GroupStore.listGroups` may use to read less. */
export interface ListGroupsOptions {
  /**
   * False when no alert of a group with these group labels and this receiver can be wanted (see
   * `groupMayHoldMatch`).
   */
  mayHold?: (groupLabels: LabelSet, receiver: string) => boolean;
}

/**
 * Whether a group with `groupLabels` may hold an alert every matcher accepts. Every alert of a group
 * carries its group labels with the same values (the grouping derives them from the alert's labels), so
 * a matcher on a name among them decides for the whole group; matchers on other names cannot rule it
 * out.
 */
export function groupMayHoldMatch(matchers: readonly Matcher[], groupLabels: LabelSet): boolean {
  for (const m of matchers) {
    if (Object.prototype.hasOwnProperty.call(groupLabels, m.name) && !m.matches(groupLabels)) return false;
  }
  return true;
}

/** An entry of the due index: a group half that should be flushed at `dueAt`. */
export interface DueEntry {
  tenant: string;
  groupId: string;
  state: GroupState;
  dueAt: number;
}

/**
 * The group store port. Adapters: Redis (shared by every node, one round trip per request) and memory
 * (fallback and zero-config mode). Both pass the same contract suite (`group-store.contract.ts`).
 *
 * Semantics every adapter keeps:
 * - an alert with the fingerprint of a stored one is merged Alertmanager-style (earliest startsAt; an
 *   explicit endsAt beats a timeout-derived one; the younger update's content wins);
 * - an alert whose endsAt is not after `now` lives in the group's recovery half, otherwise in its firing half;
 * - a new group is put on the due index at `now + groupWait` (or `now` when an alert started more than
 *   `groupWait` ago and the group never flushed); an existing schedule is not pushed back;
 * - with inhibition rules, every written alert that matches a rule's source side is indexed as a source
 *   (listed while it fires, taken out when it resolves) by the same write: the store is the
 *   inhibition index (`firingSources`).
 */
export interface GroupStore extends InhibitionIndex {
  upsert(batch: UpsertBatch): Promise<UpsertResult>;
  /**
   * The tenant's groups. With `mayHold`, a store may leave out the groups whose group labels and receiver it rejects
   * (`groupMayHoldMatch`) without reading their alerts: a hint — callers still filter the alerts.
   */
  listGroups(tenant: string, opts?: ListGroupsOptions): Promise<StoredGroup[]>;
  /**
   * Counts the tenant's alerts and groups by half (`GroupStateCounts`) at a cost independent of alert
   * bodies (metrics scrapes: nothing is decoded).
   */
  countStates(tenant: string): Promise<GroupStateCounts>;
  getGroup(tenant: string, groupId: string): Promise<StoredGroup | null>;
  /**
   * The receiver this node last wrote the group for (its ingest routed an alert to it), if it still
   * knows, without a read: the flush then reads the group's notification log in the same round trip as
   * the group. A hint — a group keeps the receiver it was created with, so a config reload may make it
   * wrong — which callers check against the group they read. Stores whose reads are synchronous need not
   * implement it.
   */
  receiverHint?(tenant: string, groupId: string): string | undefined;
  /**
   * Forgets a group of a tenant (both halves, metadata, index and due entries); false when the tenant
   * has no such group. Alerts that arrive later for it create it anew.
   */
  deleteGroup(tenant: string, groupId: string): Promise<boolean>;
  /**
   * Removes resolved alerts after their notification (`cleanup.remove`: the recovery half; a firing-half
   * copy only if it has resolved by `now`, so an alert that fires again is kept), and the whole group
   * with its due entries when `cleanup.deleteGroup` and nothing is left. Returns the alerts removed.
   */
  removeAlerts(tenant: string, groupId: string, cleanup: ResolvedCleanup, now: number): Promise<number>;
}

/** Thrown by a bounded store that cannot take more; ingest answers 429 with the message. */
export class StoreCapacityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StoreCapacityError';
  }
}

/**
 * Thrown by `upsert` when a tenant limit refused part or all of a batch; ingest answers 429 with
 * `Retry-After`. Over `ingestion_rate` nothing was written. Over a count limit the alerts that fit were
 * written (updates of stored alerts always are) and `refused` alert writes were dropped.
 */
export class TenantLimitError extends Error {
  constructor(
    readonly tenant: string,
    readonly limit: TenantLimitName,
    /** The configured value of that limit. */
    readonly value: number,
    /** When a retry may pass (the bucket holds enough tokens; for counts, a resend interval). */
    readonly retryAfterMs: number,
    /** Alert writes stored anyway. */
    readonly written: number,
    /** Alert writes refused. */
    readonly refused: number,
  ) {
    super(`tenant ${tenant} over ${limit} (${value}): ${refused} alert write(s) refused`);
    this.name = 'TenantLimitError';
  }
}

/** Retry-After of a count limit: Prometheus re-sends active alerts every minute anyway. */
export const COUNT_LIMIT_RETRY_MS = 60_000;

/** The token-bucket cost of a batch: `received`, else its alert writes. */
export function batchCost(batch: UpsertBatch): number {
  if (batch.received !== undefined) return batch.received;
  let n = 0;
  for (const g of batch.groups) n += g.alerts.length;
  return n;
}
