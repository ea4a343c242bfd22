import type { Alert, LabelSet } from './alert';
import type { StoredGroup } from './group.store';
import type { InhibitionRules } from './inhibit/inhibit-rule';
import { inhibitionsOf, type Inhibition } from './inhibit/inhibitor';

/** Alertmanager's alert states in API v2 (`unprocessed` is never reported: Herald routes at ingest). */
export type AlertState = 'active' | 'suppressed' | 'unprocessed';

/** Alertmanager's API v2 `alertStatus` (with 0.28's `mutedBy`). */
export interface AlertStatus {
  state: AlertState;
  /** Ids of the silences that mute the alert. */
  silencedBy: string[];
  /** Fingerprint of the firing source alert that inhibits it (Alertmanager reports one). */
  inhibitedBy: string[];
  /** Names of the time intervals that mute the alert's group now (`/alerts/groups` only, as Alertmanager). */
  mutedBy: string[];
}

/** The status of an alert from what mutes it: suppressed when anything does, else active. */
export function alertStatus(parts: {
  silencedBy?: readonly string[];
  inhibitedBy?: readonly string[];
  mutedBy?: readonly string[];
}): AlertStatus {
  const silencedBy = [...(parts.silencedBy ?? [])];
  const inhibitedBy = [...(parts.inhibitedBy ?? [])];
  const mutedBy = [...(parts.mutedBy ?? [])];
  const quiet = silencedBy.length > 0 || inhibitedBy.length > 0 || mutedBy.length > 0;
  return { state: quiet ? 'suppressed' : 'active', silencedBy, inhibitedBy, mutedBy };
}

/** Why an alert is quiet, as the dashboard explains it. */
export interface QuietReasons {
  /** The inhibiting source (fingerprint and labels) and the rule's name. */
  inhibitedBy: { source: string; sourceLabels: LabelSet; rule: string } | null;
  /** Silence ids. */
  silencedBy: string[];
  /** Time intervals muting the alert's group(s) now. */
  mutedBy: string[];
}

/**
 * The query-time view of a tenant's alerts: who inhibits whom (sources are the listed alerts, as
 * Alertmanager's inhibitor sees every alert it holds) and which time intervals mute which group now.
 * Built once per request from the tenant's groups, then asked per alert and group.
 */
export class StatusView {
  private inhibited: Map<string, Inhibition>;
  private readonly labelsOf = new Map<string, LabelSet>();

  constructor(
    groups: readonly Pick<StoredGroup, 'firing' | 'recovery'>[],
    private readonly now: number,
    private readonly opts: {
      tenant: string;
      rules?: InhibitionRules;
      /** Names of the time intervals muting a route's groups at `now` (none when absent). */
      groupMutedBy?: (routeId: string, now: number) => string[];
      /** Ids of the active silences matching the alert at `now` (none when absent). */
      silencedBy?: (a: Pick<Alert, 'fingerprint' | 'labels'>) => string[];
    },
  ) {
    this.inhibited = new Map();
    if (!opts.rules || opts.rules.empty) return; // nothing to learn from the other alerts
    const alerts: Alert[] = [];
    for (const g of groups) alerts.push(...g.firing, ...g.recovery);
    for (const a of alerts) this.labelsOf.set(a.fingerprint, a.labels);
    this.inhibited = inhibitionsOf(opts.rules, opts.tenant, alerts, now);
  }

  /** `/api/v2/alerts` status: inhibition and silences (time intervals are per group, not per alert). */
  alert(a: Pick<Alert, 'fingerprint' | 'labels'>): AlertStatus {
    const inh = this.inhibited.get(a.fingerprint);
    return alertStatus({ inhibitedBy: inh ? [inh.source] : [], silencedBy: this.silencesOf(a) });
  }

  /** `/api/v2/alerts/groups` status of an alert in a group: the group's time-interval mutes count too. */
  alertInGroup(a: Pick<Alert, 'fingerprint' | 'labels'>, mutedBy: readonly string[]): AlertStatus {
    const inh = this.inhibited.get(a.fingerprint);
    return alertStatus({ inhibitedBy: inh ? [inh.source] : [], silencedBy: this.silencesOf(a), mutedBy });
  }

  private silencesOf(a: Pick<Alert, 'fingerprint' | 'labels'>): string[] {
    return this.opts.silencedBy?.(a) ?? [];
  }

  /** The time intervals muting a group's route now (mute intervals in force, or outside its active ones). */
  groupMutedBy(g: Pick<StoredGroup, 'routeId'>): string[] {
    return this.opts.groupMutedBy?.(g.routeId, this.now) ?? [];
  }

  /** Why an alert is quiet (null: it is not), `mutedBy` being its groups' time intervals. */
  reasons(a: Pick<Alert, 'fingerprint' | 'labels'>, mutedBy: readonly string[] = []): QuietReasons | null {
    const inh = this.inhibited.get(a.fingerprint);
    const silencedBy = this.silencesOf(a);
    if (!inh && mutedBy.length === 0 && silencedBy.length === 0) return null;
    return {
      inhibitedBy: inh
        ? { source: inh.source, sourceLabels: this.labelsOf.get(inh.source) ?? {}, rule: inh.rule.name }
        : null,
      silencedBy,
      mutedBy: [...mutedBy],
    };
  }
}
