import type { FlushAlerts, FlushContext } from './flush-context';
import { NOTHING, type FlushStage } from './flush-stage';

/**
 * Port: the time intervals of the group's route at the flush's `now` — `active_time_intervals` (outside
 * them the route sends nothing) and `mute_time_intervals` (inside them it sends nothing).
 */
export interface RouteTimeIntervals {
  /** False while the route has active intervals and `ctx.now` is in none of them. */
  isActive(ctx: FlushContext): boolean;
  /** True while `ctx.now` is in one of the route's mute intervals. */
  isMuted(ctx: FlushContext): boolean;
}

/** Always active, never muted: the default when no evaluator is wired (and for tests). */
export const ALWAYS_ACTIVE: RouteTimeIntervals = { isActive: () => true, isMuted: () => false };

/** Drops the whole notification outside the route's active intervals (Alertmanager's TimeActiveStage). */
export class TimeActiveStage implements FlushStage {
  readonly name = 'time-active';

  constructor(private readonly intervals: RouteTimeIntervals = ALWAYS_ACTIVE) {}

  apply(ctx: FlushContext, alerts: FlushAlerts): FlushAlerts {
    return this.intervals.isActive(ctx) ? alerts : NOTHING;
  }
}

/** Drops the whole notification inside the route's mute intervals (Alertmanager's TimeMuteStage). */
export class TimeMuteStage implements FlushStage {
  readonly name = 'time-mute';

  constructor(private readonly intervals: RouteTimeIntervals = ALWAYS_ACTIVE) {}

  apply(ctx: FlushContext, alerts: FlushAlerts): FlushAlerts {
    return this.intervals.isMuted(ctx) ? NOTHING : alerts;
  }
}
