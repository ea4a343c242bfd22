// Builders shared by the receiver unit specs (libs/delivery/src/notify/*.spec.ts and
// libs/config/src/receivers/*.spec.ts) and the receiver harnesses: a one-receiver config read by the
// loader, a kind's config check with a plain context, a scripted HTTP client, vendor answers, and a
// notification carrying a given webhook payload.
import { stringify } from 'yaml';
import { idempotencyKey, type WebhookPayload } from '@herald/domain';
import {
  checkTemplateField,
  loadConfig,
  type HeraldConfig,
  type IntegrationConfig,
  type KindCheckContext,
  type ReceiverKindSpec,
} from '@herald/config';
import type { HttpClient, HttpRequest, HttpResult, Notification } from '@herald/delivery';
import { testAlert, testNotification } from './notifications';

export type Json = Record<string, unknown>;

export interface OneReceiverOptions {
  /** The config file's `global:` section (left out of the file when not given). */
  global?: Json;
  /** The config file's `herald:` section (left out of the file when not given). */
  herald?: Json;
  hostname?: string;
}

/** A config with one receiver `r` holding one `<kind>_configs` entry, as the loader reads it. */
export function oneReceiverConfig(kind: string, entry: Json, opts: OneReceiverOptions = {}): HeraldConfig {
  return loadConfig({
    env: {},
    fileText: stringify({
      ...(opts.global && { global: opts.global }),
      route: { receiver: 'r' },
      receivers: [{ name: 'r', [`${kind}_configs`]: [entry] }],
      ...(opts.herald && { herald: opts.herald }),
    }),
    hostname: opts.hostname ?? 'test',
  });
}

/** The one `<kind>_configs` entry as the loader checked it (defaults and globals applied). */
export const loadedEntry = (kind: string, entry: Json, global?: Json): IntegrationConfig =>
  oneReceiverConfig(kind, entry, { global, hostname: 'h' }).receivers[0].integrations[0].config;

/** The context a kind's check gets at load time, with `raw` as the global section and `env` the environment. */
export const checkContext = (
  raw: Json = {},
  env: Record<string, string | undefined> = {},
): KindCheckContext => ({
  global: { resolveTimeout: 300_000, raw },
  template: checkTemplateField,
  env,
});

/** `spec`'s check of one entry at `path`, with `raw` as the global section. */
export const checkerOf = (spec: ReceiverKindSpec, path: string) => (entry: Json, raw?: Json) =>
  spec.check!(entry, path, checkContext(raw));

/** An HTTP result with just a status (no body read). */
export const httpStatus = (status: number): HttpResult => ({
  outcome: { kind: 'http', status },
  message: `HTTP ${status}`,
});

/** An HTTP result with a body (JSON by default). */
export const httpAnswer = (status: number, body: string, contentType = 'application/json'): HttpResult => ({
  outcome: { kind: 'http', status },
  message: `HTTP ${status}`,
  response: { status, headers: { 'content-type': contentType }, body },
});

export type ScriptedHttp = HttpClient & { sent: HttpRequest[] };

/**
 * An HTTP client that records every request in `sent` and answers with `results` in order, then with
 * a fresh `fallback()` for every further request.
 */
export function scriptedHttpOr(fallback: () => HttpResult, results: HttpResult[]): ScriptedHttp {
  const sent: HttpRequest[] = [];
  return {
    sent,
    request: (req) => {
      sent.push(req);
      return Promise.resolve(results.shift() ?? fallback());
    },
  };
}

/** The group of one alert, resolved. */
export const oneResolved = () =>
  testNotification({ state: 'recovery', alerts: [testAlert({ alertname: 'HighCPU' }, {}, true)] });

/** A notification carrying `payload` as recorded (its group key; state and seq as given). */
export function payloadNotification(
  payload: WebhookPayload,
  seq: number,
  state: 'firing' | 'recovery' = 'firing',
): Notification {
  return {
    tenant: 'default',
    receiver: payload.receiver,
    groupKey: payload.groupKey,
    groupId: 'g',
    state,
    seq,
    payload,
    idempotencyKey: idempotencyKey(payload.groupKey, seq),
    log: { record: null, logTtl: 0, cleanup: null, groupInterval: 0, repeatInterval: 0 },
  } as unknown as Notification;
}
