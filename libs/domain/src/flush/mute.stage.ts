import type { Alert } from '../alert';
import type { FlushAlerts, FlushContext } from './flush-context';
import { dropMuted, type FlushStage } from './flush-stage';

/**
 * Port (Alertmanager's `types.Muter`, asked for a whole notification at once): the fingerprints of the
 * alerts something mutes at the flush's `now` — the inhibition rules (a firing source alert) or the
 * silences. May be async (an index, a cache).
 */
export interface Muter {
  muted(alerts: readonly Alert[], ctx: FlushContext): ReadonlySet<string> | Promise<ReadonlySet<string>>;
}

/** Mutes nothing: no rules, no silences. */
export const MUTES_NOTHING: Muter = { muted: () => new Set() };

/**
 * Drops the alerts its muter mutes (Alertmanager's MuteStage), in both halves. The pipeline runs two:
 * `inhibit` first, `silence` after the time-interval stages.
 */
export class MuteStage implements FlushStage {
  constructor(
    readonly name: 'inhibit' | 'silence',
    private readonly muter: Muter = MUTES_NOTHING,
  ) {}

  apply(ctx: FlushContext, alerts: FlushAlerts): Promise<FlushAlerts> {
    return dropMuted(alerts, (all) => this.muter.muted(all, ctx));
  }
}
