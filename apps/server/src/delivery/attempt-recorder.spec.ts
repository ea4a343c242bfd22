import type { DeliveryAttempt } from '@herald/delivery';
import { MemoryNotificationHistory, type EventLog } from '@herald/domain';
import { HeraldMetrics } from '@herald/observability';
import { testNotification } from '../../../../test/harness/notifications';
import { attemptRecorder } from './attempt-recorder';

describe('attemptRecorder', () => {
  const events: EventLog = { publish: () => undefined } as unknown as EventLog;

  it('records a stalled attempt in the history and counts it by receiver', async () => {
    const history = new MemoryNotificationHistory({ maxEntries: 10 });
    const metrics = new HeraldMetrics({ nodeId: 'a', version: '1' });
    const record = attemptRecorder('node-a', history, events, metrics);
    const n = testNotification({ seq: 3 });
    const attempt = (outcome: DeliveryAttempt['outcome']): DeliveryAttempt => ({
      notification: n,
      attempt: 2,
      outcome,
      integrations: ['webhook[0]'],
      at: 1_700_000_000_000,
      ...(outcome === 'stalled'
        ? { error: { integration: 'webhook[0]', reason: 'other', message: 'stopped', at: 1_700_000_000_000 } }
        : {}),
    });
    record(attempt('stalled'));
    record(attempt('delivered'));
    const listed = await history.list(n.tenant, { limit: 10 });
    expect(listed.map((e) => [e.outcome, e.attempt, e.integration, e.node])).toEqual([
      ['delivered', 2, 'webhook', 'node-a'],
      ['stalled', 2, 'webhook', 'node-a'],
    ]);
    expect(listed[1].error).toBe('webhook[0]: other: stopped');
    const text = await metrics.registry.metrics();
    expect(text).toContain(`herald_delivery_jobs_stalled_total{receiver="${n.receiver}"} 1`);
  });
});
