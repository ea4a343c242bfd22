import {
  classifyDelivery,
  systemClock,
  type Clock,
  type DeliveryOutcome,
  type FailureReason,
} from '@herald/domain';
import type { DeliveryError, Notification } from './notification';

/** The outcome of one send: accepted, worth another try, or never going to work. */
export type SendResult =
  | { kind: 'ok'; /** Why nothing was sent, when nothing was (e.g. send_resolved off). */ skipped?: string }
  | { kind: 'retry'; reason: FailureReason; message: string; status?: number; retryAfterMs?: number }
  | { kind: 'give-up'; reason: FailureReason; message: string; status?: number };

/**
 * Port: one integration of a receiver (a webhook, a Slack channel, an e-mail address). Implementations
 * never throw for delivery failures: they classify them, so both queue adapters retry alike.
 */
export interface Receiver {
  /** `webhook` | `slack` | `email`. */
  readonly kind: string;
  send(n: Notification, signal: AbortSignal): Promise<SendResult>;
}

/** A receiver's integration with its stable name within the receiver, e.g. `webhook[0]`. */
export interface Integration {
  name: string;
  receiver: Receiver;
}

/** Finds the integrations of a tenant's receiver; undefined when the receiver is not configured. */
export type IntegrationResolver = (tenant: string, receiver: string) => readonly Integration[] | undefined;

/** Maps a classified outcome (domain rules) to a SendResult with a readable message. */
export function resultOf(outcome: DeliveryOutcome, message: string): SendResult {
  const v = classifyDelivery(outcome);
  const status = outcome.kind === 'http' ? outcome.status : undefined;
  switch (v.action) {
    case 'done':
      return { kind: 'ok' };
    case 'retry':
      return {
        kind: 'retry',
        reason: v.reason,
        message,
        status,
        retryAfterMs: outcome.kind === 'http' ? outcome.retryAfterMs : undefined,
      };
    case 'give-up':
      return { kind: 'give-up', reason: v.reason, message, status };
  }
}

/** The result of sending one notification to every integration of its receiver. */
export type DispatchResult =
  | { kind: 'ok'; done: string[] }
  | { kind: 'retry'; done: string[]; error: DeliveryError; retryAfterMs?: number }
  | { kind: 'give-up'; done: string[]; error: DeliveryError };

/**
 * Sends to the integrations not yet in `done`, in parallel (as Alertmanager does). Integrations that
 * accept join `done`, so a retry never re-sends to them. Any give-up makes the whole notification a
 * dead letter (retrying the others cannot make it complete); otherwise any failure means retry.
 */
export async function dispatch(
  n: Notification,
  integrations: readonly Integration[] | undefined,
  done: readonly string[],
  signal: AbortSignal,
  clock: Clock = systemClock,
): Promise<DispatchResult> {
  const now = () => clock.now();
  if (!integrations) {
    return {
      kind: 'give-up',
      done: [...done],
      error: { integration: '-', reason: 'other', message: `unknown receiver "${n.receiver}"`, at: now() },
    };
  }
  const todo = integrations.filter((i) => !done.includes(i.name));
  const results = await Promise.all(
    todo.map(async (i): Promise<[Integration, SendResult]> => {
      try {
        return [i, await i.receiver.send(n, signal)];
      } catch (err) {
        // A receiver bug or an unexpected throw: treat like a transport failure rather than lose it.
        return [i, { kind: 'retry', reason: 'other', message: String(err) }];
      }
    }),
  );
  const nowDone = [...done];
  let retry: { error: DeliveryError; retryAfterMs?: number } | undefined;
  let giveUp: DeliveryError | undefined;
  for (const [i, r] of results) {
    switch (r.kind) {
      case 'ok':
        nowDone.push(i.name);
        break;
      case 'retry': {
        const error = {
          integration: i.name,
          reason: r.reason,
          message: r.message,
          status: r.status,
          at: now(),
        };
        const retryAfterMs = Math.max(retry?.retryAfterMs ?? 0, r.retryAfterMs ?? 0) || undefined;
        retry = { error: retry?.error ?? error, retryAfterMs };
        break;
      }
      case 'give-up':
        giveUp ??= { integration: i.name, reason: r.reason, message: r.message, status: r.status, at: now() };
        break;
    }
  }
  if (giveUp) return { kind: 'give-up', done: nowDone, error: giveUp };
  if (retry) return { kind: 'retry', done: nowDone, ...retry };
  return { kind: 'ok', done: nowDone };
}
