import { sha256Hex, verifySecret } from './secret-hash';

/** A tenant's configured API key hashes, and each key's role (same index; `ingest` when absent). */
export interface TenantKeys {
  tenant: string;
  apiKeyHashes: readonly string[];
  apiKeyRoles?: readonly ApiKeyRole[];
}

/** What an API key may do: `ingest` posts and reads alerts, `viewer` only reads, `admin` also writes silences. */
export type ApiKeyRole = 'ingest' | 'viewer' | 'admin';

/** Whom a verified API key belongs to, and what it may do. */
export interface ApiKeyIdentity {
  tenant: string;
  role: ApiKeyRole;
}

/** Thrown when too many unknown keys wait for verification; answer 429 and let the client retry. */
export class VerifierBusyError extends Error {
  constructor() {
    super('too many API keys waiting for verification');
    this.name = 'VerifierBusyError';
  }
}

export interface ApiKeyVerifierOptions {
  /** scrypt verifications running at once (each takes a libuv thread and ~16 MiB). */
  concurrency?: number;
  /** Keys allowed to wait for a verification slot before new ones are refused. */
  maxQueue?: number;
  /** Remembered unknown keys (by hash), so a misconfigured sender does not pay scrypt per request. */
  maxNegative?: number;
  /** The hash check (the scrypt verifier by default; tests count calls through it). */
  verify?: (secret: string, hash: string) => Promise<boolean>;
}

/**
 * Resolves a presented API key to its tenant. scrypt costs tens of ms per comparison, far too much per
 * ingest request, so each verified key is cached in memory under sha256(key): a known sender pays one
 * hash and one Map lookup per request. Unknown keys are cached too (bounded), concurrent requests with
 * the same new key share one verification, and cold verifications are bounded so a flood of random
 * keys cannot eat the thread pool that ingest needs.
 */
export class ApiKeyVerifier {
  private readonly known = new Map<string, ApiKeyIdentity>();
  private readonly unknown = new Map<string, true>();
  private readonly pending = new Map<string, Promise<ApiKeyIdentity | null>>();
  private running = 0;
  private readonly queue: (() => void)[] = [];
  private readonly concurrency: number;
  private readonly maxQueue: number;
  private readonly maxNegative: number;
  private readonly verifyHash: (secret: string, hash: string) => Promise<boolean>;

  constructor(
    private readonly tenants: readonly TenantKeys[],
    opts: ApiKeyVerifierOptions = {},
  ) {
    this.concurrency = opts.concurrency ?? 2;
    this.maxQueue = opts.maxQueue ?? 64;
    this.maxNegative = opts.maxNegative ?? 10_000;
    this.verifyHash = opts.verify ?? verifySecret;
  }

  /** The tenant owning `key` and the key's role, or null. Rejects with VerifierBusyError when saturated. */
  resolve(key: string): Promise<ApiKeyIdentity | null> {
    const h = sha256Hex(key);
    const hit = this.known.get(h);
    if (hit !== undefined) return Promise.resolve(hit);
    if (this.unknown.has(h)) return Promise.resolve(null);
    let p = this.pending.get(h);
    if (!p) {
      p = this.verify(key, h).finally(() => this.pending.delete(h));
      this.pending.set(h, p);
    }
    return p;
  }

  private async verify(key: string, h: string): Promise<ApiKeyIdentity | null> {
    await this.slot();
    try {
      for (const t of this.tenants) {
        for (const [i, hash] of t.apiKeyHashes.entries()) {
          if (await this.verifyHash(key, hash)) {
            const id: ApiKeyIdentity = { tenant: t.tenant, role: t.apiKeyRoles?.[i] ?? 'ingest' };
            this.known.set(h, id);
            return id;
          }
        }
      }
      if (this.unknown.size >= this.maxNegative) this.unknown.delete(this.unknown.keys().next().value!);
      this.unknown.set(h, true);
      return null;
    } finally {
      this.release();
    }
  }

  private slot(): Promise<void> {
    if (this.running < this.concurrency) {
      this.running++;
      return Promise.resolve();
    }
    if (this.queue.length >= this.maxQueue) return Promise.reject(new VerifierBusyError());
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next) next();
    else this.running--;
  }
}
