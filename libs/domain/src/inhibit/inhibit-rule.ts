import type { LabelSet } from '../alert';
import { fnv1a64 } from '../fingerprint';
import { matchesAll, matchersToString, type Matcher } from '../matchers';

/** An inhibition rule as configured (`inhibit_rules[]`; legacy `*_match`/`*_match_re` already folded in). */
export interface InhibitRuleSpec {
  /** Optional rule name (Alertmanager 0.30); shown in logs and the dashboard. */
  readonly name?: string;
  readonly sourceMatchers: readonly Matcher[];
  readonly targetMatchers: readonly Matcher[];
  /** Label names whose values must be equal in source and target (missing counts as empty). */
  readonly equal: readonly string[];
}

/**
 * Which index list of a rule a source alert sits in: `s` (matches the source side only) or `b` (matches
 * both sides). Alertmanager's rule: a target that matches both sides is not inhibited by sources for
 * which that is also true, so such targets read the `s` list only.
 */
export type SourceSide = 's' | 'b';

/** Where a firing source alert is indexed: one rule, one tuple of `equal` values, one side. */
export interface SourceIndexEntry {
  readonly ruleId: string;
  /** Hash of the source's values of the rule's `equal` labels (see {@link InhibitRule.equalKey}). */
  readonly eq: string;
  readonly side: SourceSide;
}

/** A lookup of a target in a rule's index: any firing source under `eq`, or only those of side `s`. */
export interface SourceQuery {
  readonly ruleId: string;
  readonly eq: string;
  readonly sourceOnly: boolean;
}

/**
 * A compiled inhibition rule. Its id hashes its content (matchers and `equal`), not its position, so
 * an index written under one config is never read for a different rule after the config changes.
 */
export class InhibitRule {
  readonly id: string;
  readonly name: string;

  constructor(
    readonly spec: InhibitRuleSpec,
    /** Position in `inhibit_rules` (Alertmanager checks rules in order; the first that mutes names the source). */
    readonly index: number,
  ) {
    const canonical = [
      matchersToString(spec.sourceMatchers),
      matchersToString(spec.targetMatchers),
      JSON.stringify(spec.equal),
    ].join('\u0000');
    this.id = fnv1a64(canonical);
    this.name = spec.name ?? `inhibit_rules[${index}]`;
  }

  matchesSource(labels: LabelSet): boolean {
    return matchesAll(this.spec.sourceMatchers, labels);
  }

  matchesTarget(labels: LabelSet): boolean {
    return matchesAll(this.spec.targetMatchers, labels);
  }

  /**
   * The key of an alert's `equal` values: equal keys ⇔ equal values for every `equal` label (a label
   * missing on both sides counts as equal, as Alertmanager compares `labels[name]` with "" for missing).
   * Values are length-prefixed before hashing so no two tuples share a key by concatenation; the 64-bit
   * hash is the only collision risk, negligible next to label cardinalities.
   */
  equalKey(labels: LabelSet): string {
    if (this.spec.equal.length === 0) return '-';
    let s = '';
    for (const n of this.spec.equal) {
      const raw = labels[n];
      const v = typeof raw === 'string' ? raw : '';
      s += `${v.length}:${v}`;
    }
    return fnv1a64(s);
  }
}

const NONE: readonly SourceIndexEntry[] = Object.freeze([]);
const SOURCE_CACHE_MAX = 100_000;

/** The rules of a config, compiled once, with the per-alert questions ingest and flush ask. */
export class InhibitionRules {
  readonly rules: readonly InhibitRule[];

  constructor(specs: readonly InhibitRuleSpec[]) {
    this.rules = specs.map((s, i) => new InhibitRule(s, i));
  }

  get empty(): boolean {
    return this.rules.length === 0;
  }

  /** Names this set of rules (order-insensitive): the index backfill runs once per rule set. */
  get id(): string {
    return fnv1a64(
      this.rules
        .map((r) => r.id)
        .sort()
        .join(','),
    );
  }

  /**
   * `sourceEntries` by fingerprint (a fingerprint names one label set): Prometheus re-sends the same
   * alerts every minute, so ingest matches each label set against the rules once, not per request.
   * Bounded: cleared when full (cheap to refill).
   */
  sourceEntriesOf(fingerprint: string, labels: LabelSet): readonly SourceIndexEntry[] {
    if (this.rules.length === 0) return NONE;
    let e = this.cache.get(fingerprint);
    if (!e) {
      if (this.cache.size >= SOURCE_CACHE_MAX) this.cache.clear();
      e = this.sourceEntries(labels);
      this.cache.set(fingerprint, e.length ? e : NONE);
    }
    return e;
  }

  private readonly cache = new Map<string, readonly SourceIndexEntry[]>();

  /** The index entries of an alert as a source: one per rule whose source side it matches. */
  sourceEntries(labels: LabelSet): SourceIndexEntry[] {
    const out: SourceIndexEntry[] = [];
    for (const r of this.rules) {
      if (!r.matchesSource(labels)) continue;
      out.push({ ruleId: r.id, eq: r.equalKey(labels), side: r.matchesTarget(labels) ? 'b' : 's' });
    }
    return out;
  }

  /** The index lookups that decide whether an alert is inhibited, in rule order (one per rule it is a target of). */
  targetQueries(labels: LabelSet): { rule: InhibitRule; query: SourceQuery }[] {
    const out: { rule: InhibitRule; query: SourceQuery }[] = [];
    for (const r of this.rules) {
      if (!r.matchesTarget(labels)) continue;
      out.push({
        rule: r,
        query: { ruleId: r.id, eq: r.equalKey(labels), sourceOnly: r.matchesSource(labels) },
      });
    }
    return out;
  }
}
