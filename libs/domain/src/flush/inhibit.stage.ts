import type { Alert } from '../alert';
import type { FlushAlerts, FlushContext } from './flush-context';
import { dropMuted, type FlushStage } from './flush-stage';

/** Port: inhibition rules (a target alert is muted while a matching source alert fires). */
export interface Inhibitor {
  isInhibited(alert: Alert, ctx: FlushContext): boolean | Promise<boolean>;
}

/** Inhibits nothing: the stand-in until inhibition rules are applied. */
export const NO_INHIBITION: Inhibitor = { isInhibited: () => false };

/** Drops inhibited alerts (Alertmanager's inhibit MuteStage), first in the pipeline. */
export class InhibitStage implements FlushStage {
  readonly name = 'inhibit';

  constructor(private readonly inhibitor: Inhibitor = NO_INHIBITION) {}

  apply(ctx: FlushContext, alerts: FlushAlerts): Promise<FlushAlerts> {
    return dropMuted(alerts, (a) => this.inhibitor.isInhibited(a, ctx));
  }
}
