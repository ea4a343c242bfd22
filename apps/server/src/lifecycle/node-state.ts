import { createHash } from 'node:crypto';
import { Logger } from '@nestjs/common';

/**
 * Injection token of the process's `NodeState` (optional everywhere: an application built without one,
 * as in most tests, builds and closes everything itself).
 */
export const NODE_STATE = Symbol('NODE_STATE');

interface Kept {
  readonly key: string;
  readonly compat: string;
  readonly value: unknown;
  readonly release?: (value: unknown) => unknown;
}

/**
 * A stable fingerprint of config parts (objects by sorted keys, Sets and Maps as sorted entries) for
 * {@link NodeState.keep}'s `compat`: equal parts ⇔ equal keys.
 */
export function compatKey(...parts: unknown[]): string {
  return createHash('sha256').update(stableJson(parts)).digest('hex').slice(0, 32);
}

export function stableJson(v: unknown): string {
  return JSON.stringify(normalize(v));
}

function normalize(v: unknown): unknown {
  if (v instanceof Set)
    return {
      $set: [...v]
        .map(normalize)
        .map((x) => JSON.stringify(x))
        .sort(),
    };
  if (v instanceof Map)
    return { $map: [...v].map(([k, x]) => [JSON.stringify(normalize(k)), normalize(x)]).sort() };
  if (Array.isArray(v)) return v.map(normalize);
  if (v instanceof RegExp) return { $re: v.source, flags: v.flags };
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) out[k] = normalize((v as Record<string, unknown>)[k]);
    return out;
  }
  if (typeof v === 'function') return '<fn>';
  return v;
}

/**
 * What outlives one Nest application in a Herald process. A config reload builds a new application
 * while the old one still serves; state that must survive the swap (memory stores, the Redis store
 * layer and its connection, metrics) is kept here rather than in the application:
 *
 * - `keep(key, compat, build, release)` during an application's construction returns the object the
 *   live application keeps under `key` when it was built for equal `compat` (the config parts it
 *   depends on), else builds a new one. Objects the new application does not keep again are released
 *   once the old application has closed; a build that fails releases only what it built itself.
 * - `onLive(fn)` defers a side effect on shared objects (a new setting, a new metrics source) until the
 *   new application becomes the live one, so a failed reload leaves the old one untouched.
 *
 * The process (main's `HeraldNode`) drives it: `begin()` → build → `commit()` or `abort()`; `close()`
 * at exit. Without `begin()` (no build in progress) `keep` works on the live set directly.
 */
export class NodeState {
  readonly startedAt: number;
  private live = new Map<string, Kept>();
  private staged: Map<string, Kept> | null = null;
  private hooks: (() => void)[] = [];
  private readonly log = new Logger('NodeState');

  constructor(now: number = Date.now()) {
    this.startedAt = now;
  }

  /** True while a new application is being built (between `begin` and `commit`/`abort`). */
  get building(): boolean {
    return this.staged !== null;
  }

  /** The keys the live application keeps (for logs and tests). */
  keys(): string[] {
    return [...this.live.keys()];
  }

  keep<T>(key: string, compat: string, build: () => T, release?: (value: Awaited<T>) => unknown): T {
    const gen = this.staged ?? this.live;
    const mine = gen.get(key);
    if (mine) {
      if (mine.compat !== compat)
        throw new Error(`NodeState: "${key}" kept twice for one application with different settings`);
      return mine.value as T;
    }
    const cur = this.live.get(key);
    if (cur && cur.compat === compat) {
      gen.set(key, cur);
      return cur.value as T;
    }
    const made: Kept = { key, compat, value: build(), release: release as Kept['release'] };
    gen.set(key, made);
    if (!this.staged && cur) void this.releaseAll([cur]); // replaced outside a build: nothing uses it
    return made.value as T;
  }

  onLive(fn: () => void): void {
    if (this.staged) this.hooks.push(fn);
    else fn();
  }

  begin(): void {
    if (this.staged) throw new Error('NodeState: an application is already being built');
    this.staged = new Map();
    this.hooks = [];
  }

  /**
   * Makes the staged set live and runs the `onLive` hooks. Returns what the new application no longer
   * keeps; release it (`release()`) once the old application has closed.
   */
  commit(): { release: () => Promise<void>; retired: string[] } {
    const gen = this.staged;
    if (!gen) throw new Error('NodeState: commit without begin');
    const retired = [...this.live.values()].filter((k) => gen.get(k.key) !== k);
    this.live = gen;
    this.staged = null;
    const hooks = this.hooks;
    this.hooks = [];
    for (const h of hooks) h();
    return { release: () => this.releaseAll(retired), retired: retired.map((k) => k.key) };
  }

  /** Drops the staged set: releases what was built for it (never what it shares with the live one). */
  async abort(): Promise<void> {
    const gen = this.staged;
    this.staged = null;
    this.hooks = [];
    if (!gen) return;
    const liveValues = new Set([...this.live.values()]);
    await this.releaseAll([...gen.values()].filter((k) => !liveValues.has(k)));
  }

  /** Releases everything (process exit), the last kept first. */
  async close(): Promise<void> {
    const all = [...this.live.values()];
    this.live = new Map();
    await this.releaseAll(all);
  }

  private async releaseAll(list: Kept[]): Promise<void> {
    for (const k of [...list].reverse()) {
      if (!k.release) continue;
      try {
        await k.release(await k.value);
      } catch (e) {
        this.log.warn(`releasing ${k.key} failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
