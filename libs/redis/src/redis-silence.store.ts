import type { RedisClient } from './redis-connection';
import type {
  Silence,
  SilenceMatcherSpec,
  SilenceSnapshot,
  SilenceStore,
  SilenceWrite,
  SilenceWriteResult,
} from '@herald/domain';
import { RedisKeys } from './keys';
import { cloneSilence } from '@herald/domain';
import { redisScripts } from './lua-scripts';

export interface RedisSilenceStoreOptions {
  /**
   * Most silences a snapshot reads for one tenant (those kept longest first). A tenant holds at most
   * its `max_silences`; this bounds a read when the limit is off or the set is corrupt. Default 100 000.
   */
  readLimit?: number;
  /**
   * Largest stored value (bytes of `<updatedAt>|<JSON>`) written or read; larger ones are refused on
   * write and skipped on read. The domain enforces `max_silence_size_bytes` first. Default 1 MiB.
   */
  maxValueBytes?: number;
  /** Where a truncated or skipped read is reported (once per snapshot). */
  warn?: (message: string) => void;
}

/** A silence with its end of retention (`endsAt + retention`): what a merge copies into Redis. */
export interface RetainedSilence {
  silence: Silence;
  expiresAt: number;
}

type WriteReply = [0] | [1, number] | [2];
type MergeReply = [number, number];
type SnapshotReply = [string, number, number, ...string[]];

/** Silences merged per script call: bounds one call's arguments and the time it holds Redis. */
const MERGE_CHUNK = 500;
/** Longest silence id looked up: ids are UUIDs; anything much longer cannot be stored. */
const MAX_ID_LENGTH = 200;

/**
 * The Redis adapter of the silence store, shared by every node. Each call is one round trip: a write,
 * a snapshot and a get are one EVALSHA each (silence-*.lua), the version one GET. The key schema is in
 * `RedisKeys` (per silence a string expiring at `endsAt + retention`, a per-tenant index scored by
 * that time, a per-tenant version counter; all tagged with the tenant, so one slot per tenant).
 * Retention is judged by the `now` of each call (as the memory store does); the keys' own expiry only
 * reclaims the memory. Versions are decimal counters, never equal to a memory store's `mem:…` ones.
 */
export class RedisSilenceStore implements SilenceStore {
  private readonly scripts;
  private readonly readLimit: number;
  private readonly maxValueBytes: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly opts: RedisSilenceStoreOptions = {},
  ) {
    this.scripts = redisScripts<{
      write: WriteReply;
      merge: MergeReply;
      snapshot: SnapshotReply;
      get: string | null;
    }>(redis, {
      write: 'silence-write-n',
      merge: 'silence-merge-n',
      snapshot: 'silence-snapshot-2',
      get: 'silence-get-2',
    });
    this.readLimit = opts.readLimit ?? 100_000;
    this.maxValueBytes = opts.maxValueBytes ?? 1 << 20;
  }

  async snapshot(tenant: string, now: number): Promise<SilenceSnapshot> {
    const k = this.keys;
    const reply = await this.scripts.snapshot(
      [k.silenceIndex(tenant), k.silenceVersion(tenant)],
      [ms(now), k.silenceKeyPrefix(tenant), this.readLimit, this.maxValueBytes],
    );
    const [version, total, oversized] = reply;
    const silences: Silence[] = [];
    let corrupt = 0;
    for (let i = 3; i < reply.length; i++) {
      const s = decodeSilence(reply[i] as string);
      if (s) silences.push(s);
      else corrupt++;
    }
    const left = Number(total) - this.readLimit;
    if ((left > 0 || Number(oversized) > 0 || corrupt > 0) && this.opts.warn) {
      this.opts.warn(
        `silences of tenant ${tenant}: ${left > 0 ? `${left} beyond the read limit of ${this.readLimit} left out, ` : ''}` +
          `${Number(oversized)} larger than ${this.maxValueBytes} bytes and ${corrupt} unreadable skipped`,
      );
    }
    return { version: String(version), silences };
  }

  async version(tenant: string): Promise<string> {
    return (await this.redis.get(this.keys.silenceVersion(tenant))) ?? '0';
  }

  async get(tenant: string, id: string, now: number): Promise<Silence | null> {
    if (!id || id.length > MAX_ID_LENGTH) return null;
    const k = this.keys;
    const v = await this.scripts.get([k.silenceIndex(tenant), k.silence(tenant, id)], [ms(now), id]);
    if (typeof v !== 'string' || v.length > this.maxValueBytes) return null;
    const s = decodeSilence(v);
    return s && s.id === id ? s : null;
  }

  async write(tenant: string, w: SilenceWrite): Promise<SilenceWriteResult> {
    if (w.writes.length === 0) throw new Error('silence write without silences');
    const k = this.keys;
    const keys = [k.silenceIndex(tenant), k.silenceVersion(tenant)];
    const argv: (string | number)[] = [ms(w.now), Math.max(0, Math.trunc(w.maxSilences)), 0, '', ''];
    for (const s of w.writes) {
      checkId(s.id);
      keys.push(k.silence(tenant, s.id));
      argv.push(s.id, ms(s.endsAt + w.retention), this.encode(s));
    }
    if (w.expect) {
      const at = w.writes.findIndex((s) => s.id === w.expect!.id);
      if (at < 0) {
        if (!w.expect.id || w.expect.id.length > MAX_ID_LENGTH) return { ok: false, reason: 'conflict' };
        keys.push(k.silence(tenant, w.expect.id));
      }
      argv[2] = at < 0 ? keys.length : at + 3; // 1-based KEYS index
      argv[3] = w.expect.id;
      argv[4] = String(w.expect.updatedAt);
    }
    const r = await this.scripts.write(keys, argv);
    switch (Number(r[0])) {
      case 1:
        return { ok: true, version: String(r[1]) };
      case 0:
        return { ok: false, reason: 'conflict' };
      case 2:
        return { ok: false, reason: 'limit', limit: w.maxSilences };
      default:
        throw new Error(`silence-write: unexpected reply ${JSON.stringify(r)}`);
    }
  }

  /**
   * Copies silences into the tenant's set unless Redis holds the same id with the same or a later
   * `updatedAt` (Alertmanager's merge: the newer copy wins); the limit is not applied (they were
   * accepted already). Atomic per chunk of 500. Returns how many were written.
   */
  async merge(tenant: string, silences: readonly RetainedSilence[], now: number): Promise<number> {
    let written = 0;
    for (let from = 0; from < silences.length; from += MERGE_CHUNK) {
      const k = this.keys;
      const keys = [k.silenceIndex(tenant), k.silenceVersion(tenant)];
      const argv: (string | number)[] = [ms(now)];
      for (const { silence: s, expiresAt } of silences.slice(from, from + MERGE_CHUNK)) {
        checkId(s.id);
        keys.push(k.silence(tenant, s.id));
        argv.push(s.id, String(s.updatedAt), ms(expiresAt), this.encode(s));
      }
      const [n] = await this.scripts.merge(keys, argv);
      written += Number(n);
    }
    return written;
  }

  private encode(s: Silence): string {
    const v = `${String(s.updatedAt)}|${JSON.stringify(cloneSilence(s)) /* only the stored shape's fields */}`;
    if (Buffer.byteLength(v) > this.maxValueBytes) {
      throw new Error(`silence ${s.id} is larger than ${this.maxValueBytes} bytes`);
    }
    return v;
  }
}

/** An epoch-ms time as the scripts take it (an integer string: Lua compares and PXAT needs integers). */
function ms(t: number): string {
  if (!Number.isFinite(t)) throw new Error(`silence store: time ${t} is not a number`);
  return String(Math.floor(t));
}

function checkId(id: string): void {
  if (!id || id.length > MAX_ID_LENGTH) throw new Error(`silence id must be 1-${MAX_ID_LENGTH} characters`);
}

const isStr = (v: unknown): v is string => typeof v === 'string';
const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Reads a stored value back; null when it is not one this store wrote (the caller skips it). */
export function decodeSilence(value: string): Silence | null {
  const bar = value.indexOf('|');
  if (bar < 0) return null;
  let o: unknown;
  try {
    o = JSON.parse(value.slice(bar + 1));
  } catch {
    return null;
  }
  if (!o || typeof o !== 'object') return null;
  const r = o as Record<string, unknown>;
  if (!isStr(r.id) || !isStr(r.createdBy) || !isStr(r.comment) || !Array.isArray(r.matchers)) return null;
  if (!isNum(r.startsAt) || !isNum(r.endsAt) || !isNum(r.updatedAt)) return null;
  const matchers: SilenceMatcherSpec[] = [];
  for (const m of r.matchers as unknown[]) {
    const x = m as Record<string, unknown> | null;
    if (!x || !isStr(x.name) || !isStr(x.value) || typeof x.isRegex !== 'boolean') return null;
    if (typeof x.isEqual !== 'boolean') return null;
    matchers.push({ name: x.name, value: x.value, isRegex: x.isRegex, isEqual: x.isEqual });
  }
  const s: Silence = {
    id: r.id,
    matchers,
    startsAt: r.startsAt,
    endsAt: r.endsAt,
    updatedAt: r.updatedAt,
    createdBy: r.createdBy,
    comment: r.comment,
  };
  if (r.annotations !== undefined) {
    if (!r.annotations || typeof r.annotations !== 'object' || Array.isArray(r.annotations)) return null;
    const entries = Object.entries(r.annotations as Record<string, unknown>);
    if (!entries.every((e): e is [string, string] => isStr(e[1]))) return null;
    // fromEntries defines own properties: an annotation named `__proto__` stays an annotation.
    s.annotations = Object.fromEntries(entries);
  }
  return s;
}
