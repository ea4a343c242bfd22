import { createHash } from 'node:crypto';
import { Counter, Gauge, type Registry } from 'prom-client';

/** The config reload state the metrics read on scrape (kept by `HeraldNode`). */
export interface ReloadStats {
  /** Whether the last reload attempt (or the start-up load) succeeded. */
  successful: boolean;
  /** Epoch seconds of the last successful load. */
  successAt: number;
  /** `alertmanager_config_hash` of the config in force. */
  hash: number;
  /** Reload attempts by outcome. */
  counts: { reloaded: number; unchanged: number; failed: number };
}

/**
 * Alertmanager's config hash: the first 48 bits of the MD5 of the config text, little-endian, as a float
 * (a float64 holds 53 bits). Equal values on two nodes: the same file.
 */
export function configHash(text: string): number {
  const sum = createHash('md5').update(text).digest();
  let v = 0;
  for (let i = 5; i >= 0; i--) v = v * 256 + sum[i];
  return v;
}

/**
 * Registers the reload metrics on `registry` (once: the process keeps one registry over reloads):
 * Alertmanager's `alertmanager_config_hash`, `alertmanager_config_last_reload_successful` and
 * `alertmanager_config_last_reload_success_timestamp_seconds` (dashboards and alerts written for
 * Alertmanager work unchanged), and `herald_config_reloads_total{outcome}`.
 */
export function registerReloadMetrics(registry: Registry, stats: () => ReloadStats): void {
  if (registry.getSingleMetric('alertmanager_config_last_reload_successful')) return;
  new Gauge({
    name: 'alertmanager_config_hash',
    help: 'Hash of the loaded configuration (48 bits of its MD5; not cryptographically strong).',
    registers: [registry],
    collect() {
      this.set(stats().hash);
    },
  });
  new Gauge({
    name: 'alertmanager_config_last_reload_successful',
    help: 'Whether the last configuration reload attempt was successful (1) or not (0).',
    registers: [registry],
    collect() {
      this.set(stats().successful ? 1 : 0);
    },
  });
  new Gauge({
    name: 'alertmanager_config_last_reload_success_timestamp_seconds',
    help: 'Timestamp of the last successful configuration load (start-up or reload).',
    registers: [registry],
    collect() {
      this.set(stats().successAt);
    },
  });
  new Counter({
    name: 'herald_config_reloads_total',
    help: 'Config reload attempts (POST /-/reload, SIGHUP) by outcome: reloaded, unchanged, failed.',
    labelNames: ['outcome'] as const,
    registers: [registry],
    collect() {
      const c = stats().counts;
      this.reset();
      for (const outcome of ['reloaded', 'unchanged', 'failed'] as const) this.inc({ outcome }, c[outcome]);
    },
  });
}
