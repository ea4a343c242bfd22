import type { SourceIndexEntry, SourceQuery } from './inhibit-rule';

/**
 * Port: the index of firing source alerts per rule and `equal` values, shared by every node (Redis) or
 * kept in process (memory mode, and the fallback while Redis is away). It is written by the group
 * store's upsert — the same script call that writes the alerts — and read by the inhibit stage, so a
 * source in any group, posted to any node, mutes its targets, and the index outlives restarts.
 */
export interface InhibitionIndex {
  /**
   * For each query, the fingerprint of a source that fires at `now` (endsAt after now), or null. When
   * several qualify, the one with the earliest endsAt (then the lowest fingerprint): any choice is
   * Alertmanager-correct (it iterates a map), a fixed one keeps API answers stable.
   */
  firingSources(tenant: string, queries: readonly SourceQuery[], now: number): Promise<(string | null)[]>;
}

/** No rules, or nothing indexed: inhibits nothing. */
export const EMPTY_INHIBITION_INDEX: InhibitionIndex = {
  firingSources: (_t, queries) => Promise.resolve(queries.map(() => null)),
};

/** Orders candidate sources as the Redis sorted sets do (score = endsAt, then member). */
function before(endsA: number, fpA: string, endsB: number, fpB: string): boolean {
  return endsA < endsB || (endsA === endsB && fpA < fpB);
}

/**
 * The in-process index: per tenant, rule, `equal` key and side, the firing sources with their endsAt.
 * Entries whose endsAt passed are dropped when met. Synchronous underneath, so the query-time view can
 * be built from a listing and read at once.
 */
export class MemoryInhibitionIndex implements InhibitionIndex {
  private readonly lists = new Map<string, Map<string, number>>();

  private static key(tenant: string, ruleId: string, eq: string, side: string): string {
    return `${tenant}\u0000${ruleId}\u0000${eq}\u0000${side}`;
  }

  /** Number of (list, source) entries held; for tests and status. */
  get size(): number {
    let n = 0;
    for (const l of this.lists.values()) n += l.size;
    return n;
  }

  /**
   * Records an alert's state as a source of each entry: listed while it fires (endsAt after `now`, or
   * 0: no end), taken out once it has resolved — a resolved source stops inhibiting at once.
   */
  record(
    tenant: string,
    fingerprint: string,
    endsAt: number,
    entries: readonly SourceIndexEntry[],
    now: number,
  ): void {
    const firing = endsAt === 0 || endsAt > now;
    for (const e of entries) {
      const k = MemoryInhibitionIndex.key(tenant, e.ruleId, e.eq, e.side);
      let l = this.lists.get(k);
      if (firing) {
        if (!l) this.lists.set(k, (l = new Map()));
        l.set(fingerprint, endsAt === 0 ? Infinity : endsAt);
      } else if (l) {
        l.delete(fingerprint);
        if (l.size === 0) this.lists.delete(k);
      }
    }
  }

  /** Forgets a tenant's entries (the fallback's copy once it was merged into Redis), or everything. */
  clear(tenant?: string): void {
    if (tenant === undefined) return this.lists.clear();
    const prefix = `${tenant}\u0000`;
    for (const k of [...this.lists.keys()]) if (k.startsWith(prefix)) this.lists.delete(k);
  }

  firingSources(tenant: string, queries: readonly SourceQuery[], now: number): Promise<(string | null)[]> {
    return Promise.resolve(this.firingSourcesNow(tenant, queries, now));
  }

  firingSourcesNow(tenant: string, queries: readonly SourceQuery[], now: number): (string | null)[] {
    return queries.map((q) => {
      let best: string | null = null;
      let bestEnds = Infinity;
      for (const side of q.sourceOnly ? ['s'] : ['s', 'b']) {
        const k = MemoryInhibitionIndex.key(tenant, q.ruleId, q.eq, side);
        const l = this.lists.get(k);
        if (!l) continue;
        for (const [fp, ends] of l) {
          if (ends <= now) {
            l.delete(fp); // resolved by time since it was written
            continue;
          }
          if (best === null || before(ends, fp, bestEnds, best)) {
            best = fp;
            bestEnds = ends;
          }
        }
        if (l.size === 0) this.lists.delete(k);
      }
      return best;
    });
  }
}
