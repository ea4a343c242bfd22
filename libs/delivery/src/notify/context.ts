// What every integration sender (notify/<kind>.ts) is built from and uses per notification: the
// template set, template data and Alertmanager's "first error wins" expansion, the HTTP client, and
// the mapping of HTTP results to send results.
import { readFileSync } from 'node:fs';
import {
  GO_ZERO_TIME,
  parseDuration,
  systemClock,
  templateData,
  type Clock,
  type TemplateData,
  type TemplateSet,
  type WebhookPayload,
} from '@herald/domain';
import type { GlobalConfig, IntegrationEntry } from '@herald/config';
import { createHttpClient, type HttpClient, type HttpRequest, type HttpResult } from '../http-client';
import type { Notification } from '../notification';
import { resultOf, type Receiver, type SendResult } from '../receiver';

/** An integration's checked config entry as the senders read it. */
export type RawConfig = Readonly<Record<string, unknown>>;

/** What building an integration needs besides its config entry. */
export interface NotifyDeps {
  /** Alertmanager's functions, the built-in default templates and the `templates:` files. */
  readonly templates: TemplateSet;
  readonly global: GlobalConfig;
  /** `User-Agent` of HTTP integrations, e.g. `Herald/0.1.0`. */
  readonly userAgent: string;
  readonly clock: Clock;
  /** Request timeout when the entry sets no `timeout` (ms). */
  readonly defaultTimeoutMs: number;
  /** The receiver's name as configured. */
  readonly receiver: string;
  /** Non-fatal findings for the start-up report. */
  readonly warnings: string[];
}

/** Builds one integration from its checked config entry (`entry.config` has the defaults applied). */
export type IntegrationFactory = (entry: IntegrationEntry, deps: NotifyDeps) => Receiver;

/**
 * What an HTTP integration's sender holds — its config entry, the template set, its client (the entry's
 * `http_config`), timeout, User-Agent and clock — and how it sends: `request` sets the timeout, the
 * abort signal and the User-Agent, so a sender only says what it posts.
 */
export abstract class HttpNotifier implements Receiver {
  abstract readonly kind: string;

  constructor(
    protected readonly c: RawConfig,
    protected readonly templates: TemplateSet,
    protected readonly http: HttpClient,
    protected readonly timeoutMs: number,
    protected readonly userAgent: string,
    protected readonly clock: Clock = systemClock,
  ) {}

  abstract send(n: Notification, signal: AbortSignal): Promise<SendResult>;

  /** One request of this integration: `Content-Type` and User-Agent set, `headers` added on top. */
  protected request(
    r: Pick<HttpRequest, 'url' | 'method'> & {
      body: string;
      contentType: string;
      headers?: Record<string, string>;
    },
    signal: AbortSignal,
  ): Promise<HttpResult> {
    return this.http.request({
      ...(r.method !== undefined && { method: r.method }),
      url: r.url,
      body: r.body,
      headers: { 'Content-Type': r.contentType, 'User-Agent': this.userAgent, ...r.headers },
      timeoutMs: this.timeoutMs,
      signal,
    });
  }
}

/** The factory of an `HttpNotifier` kind: its entry's HTTP client and timeout, the shared deps. */
export function httpIntegration(
  Notifier: new (
    c: RawConfig,
    templates: TemplateSet,
    http: HttpClient,
    timeoutMs: number,
    userAgent: string,
    clock: Clock,
  ) => Receiver,
): IntegrationFactory {
  return (entry, deps) => {
    const { http, timeoutMs } = integrationHttp(entry, deps);
    return new Notifier(entry.config, deps.templates, http, timeoutMs, deps.userAgent, deps.clock);
  };
}

/** Alertmanager's template data of a notification's (integration-filtered) payload. */
export function templateDataOf(p: WebhookPayload): TemplateData {
  return templateData({
    receiver: p.receiver,
    status: p.status,
    alerts: p.alerts.map((a) => ({ ...a, endsAt: a.endsAt || GO_ZERO_TIME })),
    groupLabels: p.groupLabels,
    commonLabels: p.commonLabels,
    commonAnnotations: p.commonAnnotations,
    externalURL: p.externalURL,
  });
}

/**
 * Alertmanager's `tmplText` / `tmplHTML`: expands fields of one notification; after the first error
 * every further expansion returns "" and `error` keeps that first error, which the sender turns into a
 * give-up (a template that fails now fails on every retry).
 */
export class Expander {
  error: Error | undefined;

  constructor(
    readonly templates: TemplateSet,
    readonly data: TemplateData,
  ) {}

  /** Expands `text` (text/template); undefined/empty → "". */
  text(text: unknown): string {
    if (this.error || typeof text !== 'string' || text === '') return '';
    try {
      return this.templates.executeText(text, this.data);
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
      return '';
    }
  }

  /** Expands `text` with html/template's contextual escaping (e-mail HTML bodies). */
  html(text: unknown): string {
    if (this.error || typeof text !== 'string' || text === '') return '';
    try {
      return this.templates.executeHtml(text, this.data);
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(String(e));
      return '';
    }
  }

  /** The give-up result for a failed expansion (null when every expansion succeeded). */
  failure(): SendResult | null {
    if (!this.error) return null;
    // Go's messages start with "template: <name>:<line>:<col>: …" already.
    return { kind: 'give-up', reason: 'other', message: this.error.message };
  }
}

/** The expander of a notification's payload. */
export function expanderFor(templates: TemplateSet, p: WebhookPayload): Expander {
  return new Expander(templates, templateDataOf(p));
}

/** The shared parts of one integration: its HTTP client and timeout. */
export function integrationHttp(
  entry: IntegrationEntry,
  deps: NotifyDeps,
): { http: HttpClient; timeoutMs: number } {
  const { client, warnings } = createHttpClient(entry.config.http_config, entry.path, { clock: deps.clock });
  deps.warnings.push(...warnings);
  return { http: client, timeoutMs: timeoutOf(entry, deps) };
}

/** `timeout` of the entry (Alertmanager ≥ 0.28 on some kinds), else the default; 0 keeps the default bound. */
export function timeoutOf(entry: IntegrationEntry, deps: NotifyDeps): number {
  const t = entry.config.timeout;
  if (typeof t !== 'string' || t === '') return deps.defaultTimeoutMs;
  let ms: number;
  try {
    ms = parseDuration(t);
  } catch {
    return deps.defaultTimeoutMs; // the config check refused bad durations already
  }
  // Alertmanager's 0 means "no timeout"; Herald keeps a bound so a hung receiver cannot hold a worker.
  return ms > 0 ? ms : deps.defaultTimeoutMs;
}

/**
 * The send result of an HTTP result by the common rule (2xx done; 429, 5xx and transport errors
 * retried; 401/403 and other 4xx given up, each with Alertmanager's reason label). The integration's
 * name is on the delivery error already, so the message is the HTTP one.
 */
export function httpSendResult(r: HttpResult): SendResult {
  return resultOf(r.outcome, r.message);
}

/** Reads a secret given inline or as `<key>_file` (re-read at each send so rotation works). */
export function secretOf(c: Readonly<Record<string, unknown>>, key: string): string | undefined {
  const inline = c[key];
  if (typeof inline === 'string' && inline !== '') return inline;
  const file = c[`${key}_file`];
  if (typeof file === 'string' && file !== '') return readSecretFile(file);
  return undefined;
}

function readSecretFile(path: string): string {
  return readFileSync(path, 'utf8').trim();
}

/** Go's `notify.Truncate(s, n)` in runes: cut to n runes, the last one replaced by "…" when cut. */
export function truncateRunes(s: string, n: number): { value: string; truncated: boolean } {
  const runes = [...s];
  if (runes.length <= n) return { value: s, truncated: false };
  if (n <= 3) return { value: runes.slice(0, n).join(''), truncated: true };
  return { value: runes.slice(0, n - 1).join('') + '…', truncated: true };
}

/** Go's `notify.TruncateInBytes(s, n)`: cut to at most n bytes on a rune boundary, ending in "…". */
export function truncateBytes(s: string, n: number): { value: string; truncated: boolean } {
  if (Buffer.byteLength(s) <= n) return { value: s, truncated: false };
  if (n <= 3) return { value: n === 3 ? '…' : '.'.repeat(Math.max(0, n)), truncated: true };
  const ell = '…';
  const budget = n - Buffer.byteLength(ell);
  let out = '';
  let size = 0;
  for (const r of s) {
    const b = Buffer.byteLength(r);
    if (size + b > budget) break;
    out += r;
    size += b;
  }
  return { value: out + ell, truncated: true };
}

export type { Receiver, SendResult, Notification };
