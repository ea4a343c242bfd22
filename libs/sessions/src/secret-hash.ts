import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/** scrypt cost parameters of a secret hash. */
export interface ScryptParams {
  N: number;
  r: number;
  p: number;
}

/**
 * Cost used for new hashes: 16 MiB and ~50 ms per verification on a 2-core machine. Login pays it
 * once per attempt; ingest pays it once per distinct API key per node (see ApiKeyVerifier).
 */
export const DEFAULT_SCRYPT: ScryptParams = { N: 16384, r: 8, p: 1 };

const KEY_LEN = 32;
// Bounds a hash string may ask for, so a config typo cannot make every verification allocate gigabytes.
const MAX_N = 1 << 20;
const FORMAT = /^scrypt\$N=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

/** A parsed `scrypt$N=…,r=…,p=…$<salt b64>$<hash b64>` string. */
export interface ParsedSecretHash extends ScryptParams {
  salt: Buffer;
  hash: Buffer;
}

/**
 * Parses a self-describing secret hash; null when the string is not one (the parameters travel with
 * the hash so the cost can be raised later without invalidating stored hashes).
 */
export function parseSecretHash(encoded: string): ParsedSecretHash | null {
  const m = FORMAT.exec(encoded);
  if (!m) return null;
  const [N, r, p] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const powerOfTwo = N > 1 && (N & (N - 1)) === 0;
  if (!powerOfTwo || N > MAX_N || r < 1 || r > 32 || p < 1 || p > 16) return null;
  const salt = Buffer.from(m[4], 'base64');
  const hash = Buffer.from(m[5], 'base64');
  if (salt.length < 8 || hash.length < 16) return null;
  return { N, r, p, salt, hash };
}

function scryptAsync(secret: string, salt: Buffer, len: number, params: ScryptParams): Promise<Buffer> {
  const opts: ScryptOptions = { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r };
  return new Promise((resolve, reject) =>
    scrypt(secret, salt, len, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a secret (password or API key) with a fresh random salt, for the config file. */
export async function hashSecret(secret: string, params: ScryptParams = DEFAULT_SCRYPT): Promise<string> {
  const salt = randomBytes(16);
  const hash = await scryptAsync(secret, salt, KEY_LEN, params);
  return `scrypt$N=${params.N},r=${params.r},p=${params.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

/**
 * Whether `secret` matches `encoded`. Runs scrypt on the libuv thread pool (the event loop stays free)
 * and compares in constant time; an unparseable hash never matches.
 */
export async function verifySecret(secret: string, encoded: string): Promise<boolean> {
  const h = parseSecretHash(encoded);
  if (!h) return false;
  const got = await scryptAsync(secret, h.salt, h.hash.length, h);
  return timingSafeEqual(got, h.hash);
}

/**
 * A hash no secret matches in practice, verified for unknown users so that a login for a missing user
 * costs the same time as one with a wrong password (no username enumeration by timing).
 */
export const DECOY_HASH = `scrypt$N=${DEFAULT_SCRYPT.N},r=${DEFAULT_SCRYPT.r},p=${DEFAULT_SCRYPT.p}$${Buffer.alloc(16, 7).toString('base64')}$${Buffer.alloc(KEY_LEN, 9).toString('base64')}`;

/** Hex SHA-256: how tokens and presented keys are referred to in Redis, caches and counters. */
export function sha256Hex(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
