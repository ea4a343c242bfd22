import type { Alert } from '../alert';
import type { FlushContext } from '../flush/flush-context';
import type { Muter } from '../flush/mute.stage';
import type { InhibitionIndex } from './inhibition-index';
import { MemoryInhibitionIndex } from './inhibition-index';
import type { InhibitionRules, InhibitRule, SourceQuery } from './inhibit-rule';

/** Why an alert is inhibited: the first rule (in config order) with a firing source, and that source. */
export interface Inhibition {
  /** Fingerprint of the firing source alert (the API's `inhibitedBy`). */
  source: string;
  rule: InhibitRule;
}

/**
 * Alertmanager's Inhibitor over an index: an alert is inhibited when, for some rule whose target side
 * it matches, a firing source with the same `equal` values exists (excluding sources that match both
 * sides when the alert does too). All lookups of a batch go to the index at once (one Redis round trip
 * per flush); alerts that match no target side cost nothing.
 */
export class Inhibitor implements Muter {
  constructor(
    readonly rules: InhibitionRules,
    private readonly index: InhibitionIndex,
  ) {}

  async inhibitions(tenant: string, alerts: readonly Alert[], now: number): Promise<Map<string, Inhibition>> {
    const out = new Map<string, Inhibition>();
    if (this.rules.empty || alerts.length === 0) return out;
    // Alerts of one group usually share their `equal` values (often the group's own labels), so the
    // same lookup is asked once for all of them.
    const asked: { fp: string; rule: InhibitRule; q: number }[] = [];
    const queries: SourceQuery[] = [];
    const queryIndex = new Map<string, number>();
    const seen = new Set<string>();
    for (const a of alerts) {
      if (seen.has(a.fingerprint)) continue;
      seen.add(a.fingerprint);
      for (const { rule, query } of this.rules.targetQueries(a.labels)) {
        const k = `${query.ruleId}:${query.eq}:${query.sourceOnly ? 1 : 0}`;
        let q = queryIndex.get(k);
        if (q === undefined) {
          queryIndex.set(k, (q = queries.length));
          queries.push(query);
        }
        asked.push({ fp: a.fingerprint, rule, q });
      }
    }
    if (queries.length === 0) return out;
    const found = await this.index.firingSources(tenant, queries, now);
    // Asked in alert order, then rule order: the first hit per alert is Alertmanager's answer.
    for (const { fp, rule, q } of asked) {
      const src = found[q];
      if (src !== null && !out.has(fp)) out.set(fp, { source: src, rule });
    }
    return out;
  }

  async muted(alerts: readonly Alert[], ctx: FlushContext): Promise<ReadonlySet<string>> {
    const m = await this.inhibitions(ctx.tenant, alerts, ctx.now);
    return new Set(m.keys());
  }
}

/**
 * Query-time inhibition (`GET /api/v2/alerts`, `/alerts/groups`, the dashboard): the sources are the
 * tenant's alerts being listed, so the index is built from them in memory — the same rules and the
 * same order of choice as the flush-time index, without a lookup per alert.
 */
export function inhibitionsOf(
  rules: InhibitionRules,
  tenant: string,
  alerts: readonly Alert[],
  now: number,
): Map<string, Inhibition> {
  const out = new Map<string, Inhibition>();
  if (rules.empty) return out;
  const index = new MemoryInhibitionIndex();
  for (const a of alerts) {
    const entries = rules.sourceEntries(a.labels);
    if (entries.length) index.record(tenant, a.fingerprint, a.endsAt, entries, now);
  }
  for (const a of alerts) {
    if (out.has(a.fingerprint)) continue;
    const asked = rules.targetQueries(a.labels);
    if (asked.length === 0) continue;
    const found = index.firingSourcesNow(
      tenant,
      asked.map((q) => q.query),
      now,
    );
    const i = found.findIndex((f) => f !== null);
    if (i >= 0) out.set(a.fingerprint, { source: found[i]!, rule: asked[i].rule });
  }
  return out;
}
