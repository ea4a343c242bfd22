import type { Alert } from '../alert';
import type { FlushAlerts, FlushContext } from './flush-context';
import { dropMuted, type FlushStage } from './flush-stage';

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

  apply(ctx: FlushContext, alerts: FlushAlerts): Promise<FlushAlerts> {
    return dropMuted(alerts, (a) => this.silencer.isSilenced(a, ctx));
  }
}
