import type {
  Silence,
  SilenceSnapshot,
  SilenceStore,
  SilenceWrite,
  SilenceWriteResult,
} from './silence.store';

interface Entry {
  silence: Silence;
  /** `endsAt + retention` as of the write that stored it (Alertmanager's `MeshSilence.ExpiresAt`). */
  expiresAt: number;
}

interface TenantSilences {
  entries: Map<string, Entry>;
  seq: number;
}

/** A deep copy, so callers never share objects with the store (matchers and annotations included). */
export function cloneSilence(s: Silence): Silence {
  const out: Silence = {
    id: s.id,
    matchers: s.matchers.map((m) => ({
      name: m.name,
      value: m.value,
      isRegex: m.isRegex,
      isEqual: m.isEqual,
    })),
    startsAt: s.startsAt,
    endsAt: s.endsAt,
    updatedAt: s.updatedAt,
    createdBy: s.createdBy,
    comment: s.comment,
  };
  if (s.annotations !== undefined) out.annotations = { ...s.annotations };
  return out;
}

/**
 * Silences in this process's memory: the store in memory mode, and the fallback while Redis is down.
 * Versions are `mem:<instance>:<n>` so they never equal a version of another store (or of another
 * instance) that a cache may have seen: equal versions must mean equal contents.
 *
 * A silence is dropped once `endsAt + retention <= now` (retention as given by the write that stored
 * it), which does not change the version (an expired silence mutes nothing).
 */
export class MemorySilenceStore implements SilenceStore {
  private readonly tenantsById = new Map<string, TenantSilences>();
  private readonly instance = Math.random().toString(36).slice(2, 10);

  snapshot(tenant: string, now: number): Promise<SilenceSnapshot> {
    const t = this.tenantsById.get(tenant);
    if (!t) return Promise.resolve({ version: this.versionOf(undefined), silences: [] });
    this.prune(t, now);
    return Promise.resolve({
      version: this.versionOf(t),
      silences: [...t.entries.values()].map((e) => cloneSilence(e.silence)),
    });
  }

  version(tenant: string): Promise<string> {
    return Promise.resolve(this.versionOf(this.tenantsById.get(tenant)));
  }

  get(tenant: string, id: string, now: number): Promise<Silence | null> {
    const e = this.tenantsById.get(tenant)?.entries.get(id);
    if (!e || e.expiresAt <= now) return Promise.resolve(null);
    return Promise.resolve(cloneSilence(e.silence));
  }

  write(tenant: string, w: SilenceWrite): Promise<SilenceWriteResult> {
    return Promise.resolve(this.writeSync(tenant, w));
  }

  /** Tenants holding at least one silence (retention not applied). */
  tenants(): string[] {
    return [...this.tenantsById.keys()].filter((t) => this.tenantsById.get(t)!.entries.size > 0);
  }

  /**
   * Every silence of the tenant still within retention at `now`, with its end of retention: what the
   * failover store copies into Redis when it returns.
   */
  all(tenant: string, now: number): { silence: Silence; expiresAt: number }[] {
    const t = this.tenantsById.get(tenant);
    if (!t) return [];
    this.prune(t, now);
    return [...t.entries.values()].map((e) => ({ silence: cloneSilence(e.silence), expiresAt: e.expiresAt }));
  }

  /**
   * Replaces the tenant's silences with `silences` (e.g. the last snapshot read from Redis, so that a
   * node keeps muting and listing while Redis is down). Bumps the version.
   */
  replaceFrom(tenant: string, silences: readonly Silence[], retention: number, now: number): void {
    const t = this.tenant(tenant);
    t.entries.clear();
    for (const s of silences) {
      if (s.endsAt + retention > now)
        t.entries.set(s.id, { silence: cloneSilence(s), expiresAt: s.endsAt + retention });
    }
    t.seq++;
  }

  /**
   * Alertmanager's state merge: each silence replaces the stored one with the same id only if its
   * `updatedAt` is later (last writer wins; absent ones are added). Bumps the version when anything
   * changed. Returns how many silences were added or replaced.
   */
  mergeFrom(tenant: string, silences: readonly Silence[], retention: number, now: number): number {
    const t = this.tenant(tenant);
    this.prune(t, now);
    let changed = 0;
    for (const s of silences) {
      if (s.endsAt + retention <= now) continue;
      const prev = t.entries.get(s.id);
      if (prev && prev.silence.updatedAt >= s.updatedAt) continue;
      t.entries.set(s.id, { silence: cloneSilence(s), expiresAt: s.endsAt + retention });
      changed++;
    }
    if (changed > 0) t.seq++;
    return changed;
  }

  /** Forgets the tenant's silences (bumps the version if any were held). */
  clear(tenant: string): void {
    const t = this.tenantsById.get(tenant);
    if (!t || t.entries.size === 0) return;
    t.entries.clear();
    t.seq++;
  }

  private writeSync(tenant: string, w: SilenceWrite): SilenceWriteResult {
    const t = this.tenant(tenant);
    this.prune(t, w.now);
    if (w.expect) {
      const cur = t.entries.get(w.expect.id);
      if (!cur || cur.silence.updatedAt !== w.expect.updatedAt) return { ok: false, reason: 'conflict' };
    }
    let adds = 0;
    for (const s of w.writes) {
      if (!t.entries.has(s.id)) adds++;
      // Only the expected silence may be changed: any other id must be new (a colliding id never
      // overwrites another silence).
      else if (s.id !== w.expect?.id) return { ok: false, reason: 'conflict' };
    }
    // Alertmanager's --silences.max-silences: refused when the stored count (expired ones within
    // retention included) plus the new one would exceed the limit.
    if (w.maxSilences > 0 && adds > 0 && t.entries.size + adds > w.maxSilences) {
      return { ok: false, reason: 'limit', limit: w.maxSilences };
    }
    for (const s of w.writes)
      t.entries.set(s.id, { silence: cloneSilence(s), expiresAt: s.endsAt + w.retention });
    t.seq++;
    return { ok: true, version: this.versionOf(t) };
  }

  private tenant(tenant: string): TenantSilences {
    let t = this.tenantsById.get(tenant);
    if (!t) {
      t = { entries: new Map(), seq: 0 };
      this.tenantsById.set(tenant, t);
    }
    return t;
  }

  private prune(t: TenantSilences, now: number): void {
    for (const [id, e] of t.entries) if (e.expiresAt <= now) t.entries.delete(id);
  }

  private versionOf(t: TenantSilences | undefined): string {
    return `mem:${this.instance}:${t?.seq ?? 0}`;
  }
}
