import { integerReply, type ScriptHost } from '@herald/lua';
import { lockScripts } from './lock-scripts';

/** A write that must only land if its writer's fencing token is not older than the last accepted one. */
export interface FencedSet {
  /** Holds the highest token accepted for the resource; same `{hash tag}` as `key`. */
  fenceKey: string;
  key: string;
  value: string;
  /** The writer's `HeldLock.fence`. */
  token: number;
  /** TTL of both keys (ms). */
  ttlMs: number;
}

/**
 * Downstream half of fencing: SET `key` only if `token` >= the highest token accepted before, in one
 * script. A holder that was paused past its TTL is refused once a newer holder has written. Real side
 * effects (the notification log) embed the same check in their own write script (see
 * `lua/fenced-set-2.lua`). Resolves true when written, false when refused.
 */
export async function fencedSet(client: ScriptHost, w: FencedSet): Promise<boolean> {
  const reply = await lockScripts(client).fencedSet([w.fenceKey, w.key], [String(w.token), w.value, w.ttlMs]);
  return integerReply('fenced-set', reply) === 1;
}
