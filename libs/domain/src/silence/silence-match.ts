import type { LabelSet } from '../alert';
import { Matcher, type MatchType } from '../matchers';
import type { Silence, SilenceMatcherSpec } from './silence.store';

/** The operator of an API matcher (`isEqual` false: `!=` / `!~`). */
export function silenceMatchType(m: Pick<SilenceMatcherSpec, 'isRegex' | 'isEqual'>): MatchType {
  if (m.isRegex) return m.isEqual ? '=~' : '!~';
  return m.isEqual ? '=' : '!=';
}

/** A silence with its matchers compiled (regexes anchored, RE2 syntax, as Alertmanager's). */
export interface CompiledSilence {
  readonly silence: Silence;
  /** Whether every matcher matches; a missing label matches as the empty string. */
  matches(labels: LabelSet): boolean;
}

/** Compiles a silence's matchers. Throws on a regex RE2 rejects (validated silences never have one). */
export function compileSilence(s: Silence): CompiledSilence {
  const matchers = s.matchers.map((m) => new Matcher(m.name, silenceMatchType(m), m.value));
  return {
    silence: s,
    matches(labels: LabelSet): boolean {
      for (const m of matchers) if (!m.matches(labels)) return false;
      return true;
    },
  };
}

// RE2 metacharacters: a pattern without them, split on `|`, is a set of literal strings.
const REGEX_META = /[\\.+*?()[\]{}^$]/;

/**
 * The values `=~` can match if its pattern is an alternation of plain literals (`a|b|c`: anchored, it
 * matches exactly those), or undefined. An empty alternative would match the missing label too.
 */
function literalAlternatives(pattern: string): string[] | undefined {
  if (pattern === '') return undefined;
  const alts = pattern.split('|');
  for (const a of alts) if (a === '' || REGEX_META.test(a)) return undefined;
  return [...new Set(alts)];
}

/**
 * The (name, values) a silence is indexed by: only alerts with one of these values for the name can
 * match. An `=` with a non-empty value is best; else an `=~` whose pattern is a literal alternation.
 * (An empty value also matches alerts without the label, so it cannot narrow the candidates.)
 */
function indexKey(s: Silence): { name: string; values: string[] } | undefined {
  const eq = s.matchers.find((m) => m.isEqual && !m.isRegex && m.value !== '');
  if (eq) return { name: eq.name, values: [eq.value] };
  for (const m of s.matchers) {
    if (!m.isEqual || !m.isRegex) continue;
    const values = literalAlternatives(m.value);
    if (values) return { name: m.name, values };
  }
  return undefined;
}

function sameSilence(a: Silence, b: Silence): boolean {
  if (a.updatedAt !== b.updatedAt || a.startsAt !== b.startsAt || a.endsAt !== b.endsAt) return false;
  if (a.matchers.length !== b.matchers.length) return false;
  return a.matchers.every((m, i) => {
    const o = b.matchers[i];
    return m.name === o.name && m.value === o.value && m.isRegex === o.isRegex && m.isEqual === o.isEqual;
  });
}

// Alerts remembered per set (then forgotten all at once): far more than a tenant's active alerts.
const MATCH_MEMO_SIZE = 200_000;

/**
 * One snapshot of a tenant's silences, compiled for matching. Silences with an `=` matcher (or a
 * literal alternation `=~"a|b"`) are indexed by it, so an alert is only tried against the silences its
 * own label values select plus those without such a matcher; their state is judged at the `now` of
 * each question, so the set stays right while silences start and end.
 *
 * Compiling RE2 regexes is the expensive part (~0.2 ms each), so a set made from the `previous` one
 * reuses the compiled matchers of every silence that did not change.
 */
export class SilenceSet {
  readonly silences: readonly Silence[];
  /** Silences skipped because their matchers did not compile (stored by something that did not validate). */
  readonly invalid: readonly { id: string; error: string }[];
  private readonly byId = new Map<string, CompiledSilence>();
  private readonly index = new Map<string, Map<string, CompiledSilence[]>>();
  private readonly unindexed: CompiledSilence[] = [];
  /**
   * Per alert fingerprint: the silences whose matchers match it and that had not ended when it was
   * computed (a set never changes, and an ended silence never matters again). Alertmanager's marker
   * keeps the same per alert and silences version: a listing or flush asks each alert once per version.
   */
  private readonly matchMemo = new Map<string, CompiledSilence[]>();

  constructor(
    silences: readonly Silence[],
    readonly version = '',
    previous?: SilenceSet,
  ) {
    this.silences = silences;
    const invalid: { id: string; error: string }[] = [];
    for (const s of silences) {
      let c = previous?.byId.get(s.id);
      if (!c || !sameSilence(c.silence, s)) {
        try {
          c = compileSilence(s);
        } catch (e) {
          invalid.push({ id: s.id, error: (e as Error).message });
          continue;
        }
      }
      this.byId.set(s.id, c);
      const key = indexKey(s);
      if (!key) {
        this.unindexed.push(c);
        continue;
      }
      let byValue = this.index.get(key.name);
      if (!byValue) this.index.set(key.name, (byValue = new Map()));
      for (const v of key.values) {
        const list = byValue.get(v);
        if (list) list.push(c);
        else byValue.set(v, [c]);
      }
    }
    this.invalid = invalid;
  }

  /** Number of silences held (any state). */
  get size(): number {
    return this.silences.length;
  }

  get(id: string): Silence | undefined {
    return this.byId.get(id)?.silence;
  }

  /**
   * Ids of the silences active at `now` that match `labels`, sorted (Alertmanager's Silencer sorts the
   * ids it marks, which is the order of an alert's `status.silencedBy`).
   */
  silencedBy(labels: LabelSet, now: number, fingerprint?: string): string[] {
    let out: string[] | undefined;
    const active = (c: CompiledSilence): boolean => now >= c.silence.startsAt && now < c.silence.endsAt;
    if (fingerprint !== undefined) {
      let matching = this.matchMemo.get(fingerprint);
      if (!matching) {
        matching = [];
        // Active: startsAt <= now < endsAt (see silenceState); pending ones are kept for later questions.
        this.forCandidates(labels, (c) => {
          if (now < c.silence.endsAt && c.matches(labels)) matching!.push(c);
        });
        if (this.matchMemo.size >= MATCH_MEMO_SIZE) this.matchMemo.clear();
        this.matchMemo.set(fingerprint, matching);
      }
      for (const c of matching) if (active(c)) (out ??= []).push(c.silence.id);
    } else {
      this.forCandidates(labels, (c) => {
        if (active(c) && c.matches(labels)) (out ??= []).push(c.silence.id);
      });
    }
    if (!out) return [];
    // A silence sits under one label name and an alert has one value per name, so ids are distinct;
    // ids are ASCII (UUIDs), so UTF-16 order is Go's byte order.
    return out.length > 1 ? out.sort() : out;
  }

  /** The silences an alert with `labels` may match: those its label values select, and the unindexed. */
  private forCandidates(labels: LabelSet, fn: (c: CompiledSilence) => void): void {
    for (const [name, byValue] of this.index) {
      const v = labels[name];
      if (typeof v !== 'string') continue;
      const candidates = byValue.get(v);
      if (candidates) for (const c of candidates) fn(c);
    }
    for (const c of this.unindexed) fn(c);
  }

  /** Whether any silence active at `now` matches `labels`. */
  mutes(labels: LabelSet, now: number): boolean {
    return this.silencedBy(labels, now).length > 0;
  }
}

/** The empty set: no silences. */
export const NO_SILENCES = new SilenceSet([], '');
