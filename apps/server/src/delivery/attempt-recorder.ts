import type { DeliveryAttempt } from '@herald/delivery';
import type { EventLog, NotificationHistory } from '@herald/domain';
import type { HeraldMetrics } from '@herald/observability';

/**
 * Every send attempt into the notification history and the live events (issue 17); a stalled one is
 * counted too (`herald_delivery_jobs_stalled_total`). All only take the entry in memory and write it
 * later: a send is never held or failed by them.
 */
export function attemptRecorder(
  nodeId: string,
  history: NotificationHistory,
  events: EventLog,
  metrics?: HeraldMetrics,
): (a: DeliveryAttempt) => void {
  return (a) => {
    const n = a.notification;
    if (a.outcome === 'stalled') metrics?.deliveryStalled.inc({ receiver: n.receiver });
    const e = a.error;
    history.record(n.tenant, {
      at: a.at,
      groupId: n.groupId,
      groupKey: n.groupKey,
      receiver: n.receiver,
      integration: [...new Set(a.integrations.map((i) => i.replace(/\[\d+\]$/, '')))].join(','),
      reason: n.reason ?? '',
      alerts: n.payload?.alerts?.length ?? 0,
      attempt: a.attempt,
      outcome: a.outcome,
      ...(e?.status !== undefined ? { statusCode: e.status } : {}),
      ...(e ? { error: `${e.integration}: ${e.reason}: ${e.message}` } : {}),
      idempotencyKey: n.idempotencyKey,
      node: nodeId,
    });
    events.publish(n.tenant, [{ kind: 'notification', groupId: n.groupId, receiver: n.receiver, at: a.at }]);
  };
}
