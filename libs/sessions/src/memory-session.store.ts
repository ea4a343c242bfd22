import type { SessionRecord, SessionStore } from './session.store';

/**
 * Sessions in this process (zero-config mode): lost on restart and invisible to other nodes, which is
 * why it reports `scope: 'node'` and the API says so.
 */
export class MemorySessionStore implements SessionStore {
  readonly scope = 'node' as const;
  private readonly byKey = new Map<string, SessionRecord>();

  private key(tenant: string, tokenHash: string): string {
    return `${tenant}\u0000${tokenHash}`;
  }

  create(tokenHash: string, rec: SessionRecord, now: number): Promise<void> {
    this.prune(now);
    this.byKey.set(this.key(rec.tenant, tokenHash), { ...rec });
    return Promise.resolve();
  }

  touch(tenant: string, tokenHash: string, now: number, idleMs: number): Promise<SessionRecord | null> {
    const k = this.key(tenant, tokenHash);
    const rec = this.byKey.get(k);
    if (!rec) return Promise.resolve(null);
    if (now >= rec.idleExpiresAt || now >= rec.absoluteExpiresAt) {
      this.byKey.delete(k);
      return Promise.resolve(null);
    }
    rec.lastSeenAt = now;
    rec.idleExpiresAt = Math.min(now + idleMs, rec.absoluteExpiresAt);
    return Promise.resolve({ ...rec });
  }

  deleteByToken(tenant: string, tokenHash: string): Promise<SessionRecord | null> {
    const k = this.key(tenant, tokenHash);
    const rec = this.byKey.get(k) ?? null;
    this.byKey.delete(k);
    return Promise.resolve(rec);
  }

  deleteById(tenant: string, id: string): Promise<boolean> {
    for (const [k, r] of this.byKey) {
      if (r.tenant === tenant && r.id === id) {
        this.byKey.delete(k);
        return Promise.resolve(true);
      }
    }
    return Promise.resolve(false);
  }

  list(tenant: string, now: number): Promise<SessionRecord[]> {
    this.prune(now);
    return Promise.resolve(
      [...this.byKey.values()].filter((r) => r.tenant === tenant).map((r) => ({ ...r })),
    );
  }

  private prune(now: number): void {
    for (const [k, r] of this.byKey) {
      if (now >= r.idleExpiresAt || now >= r.absoluteExpiresAt) this.byKey.delete(k);
    }
  }
}
