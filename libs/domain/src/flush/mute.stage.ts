import type { Alert } from '../alert';
import type { FlushAlerts, FlushContext } from './flush-context';
import { dropMuted, type FlushStage } from './flush-stage';

/**
 * Port (Alertmanager's `types.Muter`): whether something mutes an alert at the flush's `now` — the
 * inhibition rules (a firing source alert) or the silences. May be async (an index, a cache).
 */
export interface Muter {
  mutes(alert: Alert, ctx: FlushContext): boolean | Promise<boolean>;
}

/** Mutes nothing: the stand-in until inhibition and silences are applied. */
export const MUTES_NOTHING: Muter = { mutes: () => false };

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
    return dropMuted(alerts, (a) => this.muter.mutes(a, ctx));
  }
}
