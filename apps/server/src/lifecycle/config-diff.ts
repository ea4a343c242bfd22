import type { HeraldConfig } from '@herald/config';
import { compatKey, stableJson } from './node-state';

/**
 * The settings a running node cannot change (a reload that changes one is refused, naming the field):
 * the socket it listens on, its Redis connection (the store, queue and locks live there, and the
 * carried store layer is bound to it), its identity, roles and processes (which modules run where), the lock backend
 * (two lock systems side by side during the swap would not exclude each other). Each entry: the YAML
 * path and how to read the value.
 */
const RESTART_ONLY: readonly [string, (c: HeraldConfig) => unknown][] = [
  ['herald.port', (c) => c.herald.port],
  ['herald.listen_address', (c) => c.herald.listenAddress],
  ['herald.node_id', (c) => c.herald.nodeId],
  ['herald.roles', (c) => [...c.herald.roles].sort()],
  ['herald.workers', (c) => c.herald.workers],
  ['herald.locks', (c) => c.herald.locks],
  ['herald.redis.url', (c) => (c.herald.redis.mode === 'single' ? c.herald.redis.url : c.herald.redis.mode)],
  ['herald.redis.sentinel', (c) => (c.herald.redis.mode === 'sentinel' ? c.herald.redis.sentinel : null)],
  ['herald.redis.cluster', (c) => (c.herald.redis.mode === 'cluster' ? c.herald.redis.cluster : null)],
  ['herald.redis.key_prefix', (c) => c.herald.redis.keyPrefix],
  ['herald.redis.command_timeout', (c) => c.herald.redis.commandTimeout],
  ['herald.redis.connect_timeout', (c) => c.herald.redis.connectTimeout],
  ['herald.redis.reconnect_check_interval', (c) => c.herald.redis.reconnectCheckInterval],
  ['herald.redis.due_buckets', (c) => c.herald.redis.dueBuckets],
];

/** The first restart-only setting that differs between two configs (its YAML path), or null. */
export function restartOnlyChange(current: HeraldConfig, next: HeraldConfig): string | null {
  for (const [field, read] of RESTART_ONLY) {
    if (stableJson(read(current)) !== stableJson(read(next))) return field;
  }
  return null;
}

/**
 * Identity of a loaded config: the file text, every resolved setting (so an environment override
 * counts too) and the template files' contents. Equal fingerprints: a reload has nothing to do.
 */
export function configFingerprint(c: HeraldConfig): string {
  // Template files count: editing one and reloading applies it, as Alertmanager's reload does.
  return compatKey(c.original, c.source, c.herald, c.templateFiles);
}

/** Top-level sections whose content differs (for the reload's log line), e.g. `route, receivers`. */
export function changedSections(current: HeraldConfig, next: HeraldConfig): string[] {
  const parts: [string, (c: HeraldConfig) => unknown][] = [
    ['global', (c) => c.global],
    ['route', (c) => c.route],
    ['receivers', (c) => c.receivers],
    ['inhibit_rules', (c) => c.inhibitRules],
    ['time_intervals', (c) => c.timeIntervals],
    ['templates', (c) => [c.templates, c.templateFiles]],
    ['herald', (c) => c.herald],
  ];
  return parts.filter(([, read]) => stableJson(read(current)) !== stableJson(read(next))).map(([n]) => n);
}
