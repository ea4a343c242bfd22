import type { FlushContext } from '../flush/flush-context';
import type { RouteTimeIntervals } from '../flush/time-intervals.stage';
import type { Route } from '../route';
import { namedIntervalContains, type NamedTimeInterval } from './time-interval';

interface RouteIntervals {
  readonly mute: readonly NamedTimeInterval[];
  readonly active: readonly NamedTimeInterval[];
}

const NONE: RouteIntervals = { mute: [], active: [] };

/**
 * The routes' `mute_time_intervals` / `active_time_intervals` evaluated at an instant (Alertmanager's
 * Intervener with the route lookup done once). Each route has only the names written on it: a child
 * inherits neither list, as in Alertmanager (buildRouteTree does not copy them).
 */
export class RouteTimeIntervalEvaluator implements RouteTimeIntervals {
  private readonly byRoute = new Map<string, RouteIntervals>();

  /** Throws when a route names an interval that is not defined (the config loader reports it first). */
  constructor(root: Route, intervals: readonly NamedTimeInterval[]) {
    const byName = new Map(intervals.map((ti) => [ti.name, ti]));
    const resolve = (route: Route, names: readonly string[]): NamedTimeInterval[] =>
      names.map((n) => {
        const ti = byName.get(n);
        if (!ti) throw new Error(`route ${route.id}: time interval ${JSON.stringify(n)} is not defined`);
        return ti;
      });
    root.walk((r) => {
      if (r.muteTimeIntervals.length === 0 && r.activeTimeIntervals.length === 0) return;
      this.byRoute.set(r.id, {
        mute: resolve(r, r.muteTimeIntervals),
        active: resolve(r, r.activeTimeIntervals),
      });
    });
  }

  // A group stored under a route id this config does not have was built by an earlier config (the id
  // changes when the route's matchers or position change). Its intervals are unknown, so it is treated
  // as having none: a notification sent at a muted hour beats a page silently lost to a guess.
  private of(routeId: string): RouteIntervals {
    return this.byRoute.get(routeId) ?? NONE;
  }

  isActive(ctx: FlushContext): boolean {
    return this.routeIsActive(ctx.group.routeId, ctx.now);
  }

  isMuted(ctx: FlushContext): boolean {
    return this.mutingIntervals(ctx.group.routeId, ctx.now).length > 0;
  }

  /** True when the route has no active intervals or `now` is in one of them. */
  routeIsActive(routeId: string, now: number): boolean {
    const { active } = this.of(routeId);
    return active.length === 0 || active.some((ti) => namedIntervalContains(ti, now));
  }

  /** The names of the route's mute intervals that contain `now`, in the route's order. */
  mutingIntervals(routeId: string, now: number): string[] {
    return this.of(routeId)
      .mute.filter((ti) => namedIntervalContains(ti, now))
      .map((ti) => ti.name);
  }

  /**
   * Alertmanager 0.28's `mutedBy` for a group of this route at `now`: outside all its active intervals,
   * every active interval name (Alertmanager's TimeActiveStage records the whole list, and its mute
   * stage does not run then); otherwise the names of the mute intervals containing `now`. Empty: not
   * muted by time. Differences, on purpose: Alertmanager stores this at the group's last flush, Herald
   * computes it for the instant asked; Alertmanager repeats a name once per matching spec, Herald lists
   * each name once.
   */
  mutedBy(routeId: string, now: number): string[] {
    const { active } = this.of(routeId);
    if (!this.routeIsActive(routeId, now)) return active.map((ti) => ti.name);
    return this.mutingIntervals(routeId, now);
  }
}
