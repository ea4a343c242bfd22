import { MAX_HISTORY_LIMIT, parseRfc3339, type HistoryQuery, type StoredHistoryEntry } from '@herald/domain';
import { badRequest } from '../http/http-error';
import { lastValue as one, type Query } from '../http/query';

const GROUP_ID = /^[0-9a-f]{16}$/;
const MAX_RECEIVER = 256;

/**
 * The query of `GET /api/v1/notifications`: `group` (a group id), `receiver` (exact name), `since`
 * (RFC 3339), `limit` (1..1000, default 100). Anything else wrong is a 400 naming the parameter.
 */
export function parseHistoryQuery(q: Query): HistoryQuery {
  const out: HistoryQuery = { limit: 100 };
  const group = one(q, 'group');
  if (group !== undefined) {
    if (!GROUP_ID.test(group)) throw badRequest('group', 'must be a group id (16 hex digits)');
    out.groupId = group;
  }
  const receiver = one(q, 'receiver');
  if (receiver !== undefined) {
    if (receiver.length === 0 || receiver.length > MAX_RECEIVER)
      throw badRequest('receiver', `must be a receiver name of 1..${MAX_RECEIVER} characters`);
    out.receiver = receiver;
  }
  const since = one(q, 'since');
  if (since !== undefined) {
    // An unencoded `+01:00` offset arrives as ` 01:00` (a query's `+` is a space): read it as meant.
    const t = parseRfc3339(since.replace(/ (\d{2}:\d{2})$/, '+$1'));
    if (t === undefined) throw badRequest('since', 'must be an RFC 3339 time, e.g. 2026-01-02T15:04:05Z');
    out.since = t;
  }
  const limit = one(q, 'limit');
  if (limit !== undefined) {
    const n = /^\d{1,7}$/.test(limit) ? Number(limit) : NaN;
    if (!Number.isInteger(n) || n < 1 || n > MAX_HISTORY_LIMIT)
      throw badRequest('limit', `must be an integer 1..${MAX_HISTORY_LIMIT}`);
    out.limit = n;
  }
  return out;
}

/** One history entry as the API answers it (`at` in RFC 3339). */
export interface NotificationWire {
  id: string;
  at: string;
  groupId: string;
  groupKey: string;
  receiver: string;
  integration: string;
  reason: string;
  alerts: number;
  attempt: number;
  outcome: StoredHistoryEntry['outcome'];
  statusCode?: number;
  error?: string;
  idempotencyKey: string;
  node: string;
}

export function notificationWire(e: StoredHistoryEntry): NotificationWire {
  const w: NotificationWire = {
    id: e.id,
    at: new Date(e.at).toISOString(),
    groupId: e.groupId,
    groupKey: e.groupKey,
    receiver: e.receiver,
    integration: e.integration,
    reason: e.reason,
    alerts: e.alerts,
    attempt: e.attempt,
    outcome: e.outcome,
    idempotencyKey: e.idempotencyKey,
    node: e.node,
  };
  if (e.statusCode !== undefined) w.statusCode = e.statusCode;
  if (e.error !== undefined) w.error = e.error;
  return w;
}
