import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  RouteTimeIntervalEvaluator,
  StatusView,
  type InhibitionRules,
  type StoredGroup,
} from '@herald/domain';
import { INHIBITION_RULES } from '../store/group-store.module';

/**
 * Builds the query-time status view of a tenant's alerts (API v2, the admin API and the dashboard):
 * inhibition by the config's rules over the listed alerts, time intervals of each group's route now.
 */
@Injectable()
export class StatusViews {
  private readonly intervals: RouteTimeIntervalEvaluator;

  constructor(
    @Inject(INHIBITION_RULES) private readonly rules: InhibitionRules,
    @Inject(HERALD_CONFIG) cfg: HeraldConfig,
  ) {
    this.intervals = new RouteTimeIntervalEvaluator(cfg.routeTree, cfg.timeIntervals);
  }

  /** Whether a status needs the tenant's other alerts (inhibition sources may sit in any group). */
  get needsAllGroups(): boolean {
    return !this.rules.empty;
  }

  of(tenant: string, groups: readonly StoredGroup[], now: number): StatusView {
    return new StatusView(groups, now, {
      tenant,
      rules: this.rules,
      groupMutedBy: (routeId, at) => this.intervals.mutedBy(routeId, at),
    });
  }
}
