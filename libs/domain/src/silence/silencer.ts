import type { Alert } from '../alert';
import type { FlushContext } from '../flush/flush-context';
import type { Muter } from '../flush/mute.stage';
import type { SilenceCache } from './silence-cache';

/** What one `muted` call silenced: alert fingerprint → ids of the active silences matching it (sorted). */
export interface SilenceMuteReport {
  tenant: string;
  now: number;
  silencedBy: ReadonlyMap<string, readonly string[]>;
}

export interface SilencerOptions {
  /** Called after a call that muted at least one alert (logging, metrics). Must not throw. */
  onMuted?: (report: SilenceMuteReport) => void;
}

/**
 * Alertmanager's Silencer as a flush-time Muter: the alerts that a silence active at the flush's `now`
 * matches, from the per-node cache of the tenant's silences. Resolved alerts are muted too, as
 * Alertmanager's MuteStage drops any muted alert.
 */
export class Silencer implements Muter {
  constructor(
    private readonly cache: SilenceCache,
    private readonly opts: SilencerOptions = {},
  ) {}

  async muted(
    alerts: readonly Alert[],
    ctx: Pick<FlushContext, 'tenant' | 'now'>,
  ): Promise<ReadonlySet<string>> {
    if (alerts.length === 0) return new Set();
    const set = await this.cache.set(ctx.tenant, ctx.now);
    const out = new Set<string>();
    if (set.size === 0) return out;
    let report: Map<string, readonly string[]> | undefined;
    for (const a of alerts) {
      const ids = set.silencedBy(a.labels, ctx.now, a.fingerprint);
      if (ids.length === 0) continue;
      out.add(a.fingerprint);
      if (this.opts.onMuted) (report ??= new Map()).set(a.fingerprint, ids);
    }
    if (report) this.opts.onMuted!({ tenant: ctx.tenant, now: ctx.now, silencedBy: report });
    return out;
  }
}
