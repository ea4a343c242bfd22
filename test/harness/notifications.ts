import {
  buildWebhookPayload,
  fingerprint,
  idempotencyKey,
  type Alert,
  type GroupState,
  type LabelSet,
} from '@herald/domain';
import {
  RECEIVER_KINDS,
  type IntegrationConfig,
  type IntegrationEntry,
  type ReceiverConfig,
} from '@herald/config';
import type { Notification } from '@herald/delivery';

const NOW = Date.parse('2024-05-01T12:00:00Z');

/**
 * Receiver `team-db` as the config loader builds it, with only the given integrations. Entries given as
 * `webhookConfigs` / `slackConfigs` / `emailConfigs` are listed in `integrations` too, with the kind's
 * `send_resolved` default applied as the loader does.
 */
export function testReceiver(fields: Partial<ReceiverConfig> = {}): ReceiverConfig {
  const base = { webhookConfigs: [], slackConfigs: [], emailConfigs: [], ...fields };
  const entries = (kind: 'webhook' | 'slack' | 'email', list: readonly IntegrationConfig[]) =>
    list.map((c, index): IntegrationEntry => ({
      kind,
      key: RECEIVER_KINDS[kind].key,
      index,
      path: `receivers[0].${RECEIVER_KINDS[kind].key}[${index}]`,
      config: { ...c, send_resolved: c.send_resolved ?? RECEIVER_KINDS[kind].sendResolved },
    }));
  return {
    name: 'team-db',
    unsupportedKinds: [],
    raw: {},
    ...base,
    integrations: fields.integrations ?? [
      ...entries('webhook', base.webhookConfigs),
      ...entries('slack', base.slackConfigs),
      ...entries('email', base.emailConfigs),
    ],
  };
}

/** An alert at a fixed time: firing unless `resolved`. */
export function testAlert(labels: LabelSet, annotations: LabelSet = {}, resolved = false): Alert {
  return {
    fingerprint: fingerprint(labels),
    labels,
    annotations,
    startsAt: NOW - 60_000,
    endsAt: resolved ? NOW - 1000 : NOW + 300_000,
    updatedAt: NOW - 1000,
    timeout: false,
    generatorURL: 'http://prometheus:9090/graph',
  };
}

/**
 * A notification as the scheduler would enqueue it: group `{alertname="HighCPU"}` of route `{}`, three
 * firing alerts of team db (or the given alerts), with a real webhook v4 payload.
 */
export function testNotification(
  o: {
    group?: string;
    seq?: number;
    receiver?: string;
    tenant?: string;
    state?: GroupState;
    alerts?: Alert[];
  } = {},
): Notification {
  const group = o.group ?? 'HighCPU';
  const groupKey = `{}:{alertname="${group}"}`;
  const seq = o.seq ?? 1;
  const state = o.state ?? 'firing';
  const receiver = o.receiver ?? 'team-db';
  const alerts = o.alerts ?? [
    testAlert({ alertname: group, instance: 'a', team: 'db' }, { summary: 'CPU high on a' }),
    testAlert({ alertname: group, instance: 'b', team: 'db' }, { summary: 'CPU high on b' }),
    testAlert({ alertname: group, instance: 'c', team: 'db' }, { summary: 'CPU high on c' }),
  ];
  const tenant = o.tenant ?? 'default';
  const groupId = fingerprint({ g: groupKey });
  const fps = (firing: boolean) => alerts.filter((a) => a.endsAt > NOW === firing).map((a) => a.fingerprint);
  return {
    tenant,
    receiver,
    groupKey,
    groupId,
    state,
    seq,
    payload: buildWebhookPayload({
      receiver,
      groupKey,
      groupLabels: { alertname: group },
      alerts,
      reason: state === 'firing' ? 'first notification' : 'all alerts resolved',
      externalURL: 'http://herald.example:9093',
      maxAlerts: 0,
      now: NOW,
    }),
    idempotencyKey: idempotencyKey(groupKey, seq, state),
    // What the flush would record on delivery (Alertmanager's default intervals).
    log: {
      record: {
        tenant,
        groupId,
        receiver,
        state,
        firing: fps(true),
        resolved: fps(false),
        timestamp: NOW,
        seq,
      },
      logTtl: 8 * 3600_000,
      cleanup: null,
      groupInterval: 300_000,
      repeatInterval: 4 * 3600_000,
    },
  };
}
