import { Inject, Injectable } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  RouteTimeIntervalEvaluator,
  StatusView,
  type InhibitionRules,
  type SilenceCache,
  type StoredGroup,
} from '@herald/domain';
import { INHIBITION_RULES } from '../store/group-store.module';
import { SILENCE_CACHE } from '../silences/silences.tokens';

/**
 * Builds the query-time status view of a tenant's alerts (API v2, the admin API and the dashboard):
 * inhibition by the config's rules over the listed alerts, time intervals of each group's route now, and
 * the tenant's silences active now (from the per-node cache: one version read when nothing changed).
 */
@Injectable()
export class StatusViews {
  private readonly intervals: RouteTimeIntervalEvaluator;

  constructor(
    @Inject(INHIBITION_RULES) private readonly rules: InhibitionRules,
    @Inject(HERALD_CONFIG) cfg: HeraldConfig,
    @Inject(SILENCE_CACHE) private readonly silences: SilenceCache,
  ) {
    this.intervals = new RouteTimeIntervalEvaluator(cfg.routeTree, cfg.timeIntervals);
  }

  /** Whether a status needs the tenant's other alerts (inhibition sources may sit in any group). */
  get needsAllGroups(): boolean {
    return !this.rules.empty;
  }

  async of(tenant: string, groups: readonly StoredGroup[], now: number): Promise<StatusView> {
    const silences = await this.silences.set(tenant, now);
    return new StatusView(groups, now, {
      tenant,
      rules: this.rules,
      groupMutedBy: (routeId, at) => this.intervals.mutedBy(routeId, at),
      silencedBy: silences.size ? (a) => silences.silencedBy(a.labels, now, a.fingerprint) : undefined,
    });
  }
}
