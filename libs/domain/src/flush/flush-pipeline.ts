import { classifyAlerts, type FlushAlerts, type FlushContext } from './flush-context';
import { DedupStage, type FlushDecision } from './dedup.stage';
import type { FlushStage } from './flush-stage';
import { MuteStage, type Muter } from './mute.stage';
import { TimeActiveStage, TimeMuteStage, type RouteTimeIntervals } from './time-intervals.stage';

/** Alertmanager's `notifications_suppressed_total` reasons, by the stage that drops the alerts. */
export type SuppressionReason = 'inhibition' | 'active_time_interval' | 'mute_time_interval' | 'silence';
const SUPPRESSION_REASON: Record<string, SuppressionReason> = {
  inhibit: 'inhibition',
  'time-active': 'active_time_interval',
  'time-mute': 'mute_time_interval',
  silence: 'silence',
};
const count = (a: FlushAlerts): number => a.firing.length + a.resolved.length;

/** What the filtering stages consult; each defaults to muting nothing. */
export interface FlushPorts {
  inhibitor?: Muter;
  timeIntervals?: RouteTimeIntervals;
  silencer?: Muter;
}

/** The filtering stages in Alertmanager's order: inhibit → time active → time mute → silence. */
export function defaultStages(ports: FlushPorts = {}): FlushStage[] {
  return [
    new MuteStage('inhibit', ports.inhibitor),
    new TimeActiveStage(ports.timeIntervals),
    new TimeMuteStage(ports.timeIntervals),
    new MuteStage('silence', ports.silencer),
  ];
}

/**
 * The flush pipeline: classify the group at the context's `now`, run the filtering stages in order,
 * then the dedup stage. Writes nothing: the runner delivers, logs and reschedules per the decision.
 */
export class FlushPipeline {
  private readonly dedup = new DedupStage();

  constructor(private readonly stages: readonly FlushStage[] = defaultStages()) {}

  /** The stage names in the order they run (the dedup stage last). */
  get stageNames(): string[] {
    return [...this.stages.map((s) => s.name), this.dedup.name];
  }

  async run(ctx: FlushContext): Promise<FlushDecision> {
    const classified = classifyAlerts(ctx.group, ctx.now);
    let alerts = classified;
    let suppressed: Partial<Record<SuppressionReason, number>> | undefined;
    for (const stage of this.stages) {
      const before = count(alerts);
      alerts = await stage.apply(ctx, alerts);
      const dropped = before - count(alerts);
      const reason = SUPPRESSION_REASON[stage.name];
      if (dropped > 0 && reason) (suppressed ??= {})[reason] = (suppressed[reason] ?? 0) + dropped;
    }
    const d = this.dedup.decide(ctx, classified, alerts);
    return suppressed ? { ...d, suppressed } : d;
  }
}
