import { classifyAlerts, type FlushContext } from './flush-context';
import { DedupStage, type FlushDecision } from './dedup.stage';
import type { FlushStage } from './flush-stage';
import { MuteStage, type Muter } from './mute.stage';
import { TimeActiveStage, TimeMuteStage, type RouteTimeIntervals } from './time-intervals.stage';

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
    for (const stage of this.stages) alerts = await stage.apply(ctx, alerts);
    return this.dedup.decide(ctx, classified, alerts);
  }
}
