import type { Alert } from '../alert';
import type { FlushAlerts, FlushContext } from './flush-context';
import { filterAlerts, type FlushStage } from './flush-stage';

/** Port: silences active at the flush's `now`. */
export interface Silencer {
  isSilenced(alert: Alert, ctx: FlushContext): boolean | Promise<boolean>;
}

/** Silences nothing: the stand-in until silences are applied. */
export const NO_SILENCES: Silencer = { isSilenced: () => false };

/** Drops silenced alerts (Alertmanager's silence MuteStage), after the time-interval stages. */
export class SilenceStage implements FlushStage {
  readonly name = 'silence';

  constructor(private readonly silencer: Silencer = NO_SILENCES) {}

  async apply(ctx: FlushContext, alerts: FlushAlerts): Promise<FlushAlerts> {
    const muted = new Set<string>();
    for (const a of [...alerts.firing, ...alerts.resolved]) {
      if (await this.silencer.isSilenced(a, ctx)) muted.add(a.fingerprint);
    }
    return muted.size ? filterAlerts(alerts, (a) => muted.has(a.fingerprint)) : alerts;
  }
}
