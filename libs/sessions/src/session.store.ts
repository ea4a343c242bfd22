/** A session as stored (never contains the token; the store key is sha256(token)). */
export interface SessionRecord {
  /** Public, non-secret id used to list and revoke a session (not derived from the token). */
  id: string;
  tenant: string;
  username: string;
  role: 'admin' | 'viewer';
  createdAt: number;
  lastSeenAt: number;
  /** Sliding expiry: moved to `lastSeenAt + idle timeout` on every use, capped by `absoluteExpiresAt`. */
  idleExpiresAt: number;
  /** Hard end of the session whatever its use. */
  absoluteExpiresAt: number;
  ip: string;
  userAgent: string;
}

/**
 * Where sessions live. Adapters: Redis (shared by every node, survives node restarts) and memory
 * (zero-config mode: per node). Semantics both keep: a record is found only by the hash of its token
 * within its tenant; `touch` refuses (and forgets) a record past either expiry at `now`, else slides it.
 */
export interface SessionStore {
  /** `cluster`: every node sees the same sessions; `node`: sessions are local to this process. */
  readonly scope: 'cluster' | 'node';
  create(tokenHash: string, rec: SessionRecord, now: number): Promise<void>;
  /** Validates and renews in one step (atomic in Redis), returning the renewed record or null. */
  touch(tenant: string, tokenHash: string, now: number, idleMs: number): Promise<SessionRecord | null>;
  /** Deletes the session of a token; returns what was deleted. */
  deleteByToken(tenant: string, tokenHash: string): Promise<SessionRecord | null>;
  /** Deletes a tenant's session by its public id; false when the tenant has no such session. */
  deleteById(tenant: string, id: string): Promise<boolean>;
  /** The tenant's sessions alive at `now`. */
  list(tenant: string, now: number): Promise<SessionRecord[]>;
}
