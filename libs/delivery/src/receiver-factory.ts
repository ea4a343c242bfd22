import { readFileSync } from 'node:fs';
import { parseDuration, type Clock } from '@herald/domain';
import type { GlobalConfig, IntegrationConfig, ReceiverConfig } from '@herald/config';
import { EmailReceiver } from './email.receiver';
import { parseHttpConfig } from './http-client';
import type { Integration, IntegrationResolver } from './receiver';
import { SlackReceiver } from './slack.receiver';
import {
  compileTemplate,
  DEFAULT_EMAIL_HTML,
  DEFAULT_EMAIL_TEXT,
  DEFAULT_SLACK_TEXT,
  DEFAULT_TITLE,
  type TemplateData,
} from './templates';
import { WebhookReceiver } from './webhook.receiver';

/** Settings of the receivers that are not in the Alertmanager config. */
export interface ReceiverFactoryOptions {
  /** `User-Agent` of HTTP integrations, e.g. `Herald/0.1.0`. */
  userAgent: string;
  /** Used when an integration sets no `timeout` (ms, default 10 000). */
  defaultTimeoutMs?: number;
  /** The node's clock (an HTTP-date `Retry-After` is read against it); the system clock by default. */
  clock?: Clock;
}

/** The integrations built from a config, and what was found wrong without being fatal. */
export interface BuiltReceivers {
  /** Receiver name → integrations (`webhook[0]`, `slack[0]`, `email[0]`, ...). */
  byName: ReadonlyMap<string, readonly Integration[]>;
  /** Looks up a receiver (the config is not per tenant yet: every tenant shares it). */
  resolve: IntegrationResolver;
  /** For the start-up report: unsupported kinds and fields, templates that fell back to defaults. */
  warnings: string[];
}

type Render = (d: TemplateData) => string;

const GO_TEMPLATE = /\{\{-?\s*(\.|template\b|range\b|end\b|define\b|if\s+\.|with\s+\.|len\s+\.)/;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * Whether a receiver reports resolutions: true when any of its integrations has `send_resolved`
 * (webhooks default true, Slack and e-mail false). The flush pipeline asks this per receiver.
 */
export function receiverSendsResolved(r: ReceiverConfig): boolean {
  const on = (c: IntegrationConfig, dflt: boolean) =>
    typeof c.send_resolved === 'boolean' ? c.send_resolved : dflt;
  return (
    r.webhookConfigs.some((c) => on(c, true)) ||
    r.slackConfigs.some((c) => on(c, false)) ||
    r.emailConfigs.some((c) => on(c, false))
  );
}

/**
 * Builds the integrations of every receiver. Templates are Handlebars (not Go templates): a value that
 * looks like a Go template, or does not compile, is reported and replaced by Herald's default, so an
 * existing alertmanager.yml still delivers readable messages.
 */
export function buildReceivers(
  receivers: readonly ReceiverConfig[],
  global: GlobalConfig,
  opts: ReceiverFactoryOptions,
): BuiltReceivers {
  const warnings: string[] = [];
  const byName = new Map<string, Integration[]>();
  const g = global.raw;
  const timeoutOf = (c: IntegrationConfig, where: string): number => {
    const t = str(c.timeout);
    if (!t) return opts.defaultTimeoutMs ?? 10_000;
    try {
      // Alertmanager's 0 means "no timeout"; Herald keeps a bound so a hung receiver cannot hold a worker.
      return parseDuration(t) || (opts.defaultTimeoutMs ?? 10_000);
    } catch (e) {
      warnings.push(`${where}.timeout: ${(e as Error).message}; using the default`);
      return opts.defaultTimeoutMs ?? 10_000;
    }
  };
  const tpl = (v: unknown, dflt: string | undefined, where: string, html = false): Render | undefined => {
    const src = str(v);
    if (src !== undefined) {
      if (GO_TEMPLATE.test(src)) {
        warnings.push(
          `${where}: Go template syntax is not supported (Herald templates use Handlebars); using the default`,
        );
      } else {
        try {
          return compileTemplate(src, { html });
        } catch (e) {
          warnings.push(
            `${where}: template does not compile (${(e as Error).message.split('\n')[0]}); using the default`,
          );
        }
      }
    }
    return dflt === undefined ? undefined : compileTemplate(dflt, { html });
  };

  for (const r of receivers) {
    const list: Integration[] = [];
    for (const kind of r.unsupportedKinds)
      warnings.push(`receiver ${r.name}: ${kind} is not supported by Herald yet`);
    r.webhookConfigs.forEach((c, i) => {
      const where = `receivers.${r.name}.webhook_configs[${i}]`;
      const http = parseHttpConfig(c.http_config ?? g.http_config, where);
      warnings.push(...http.warnings);
      const secretFile = str(c.herald_secret_file);
      list.push({
        name: `webhook[${i}]`,
        receiver: new WebhookReceiver({
          url: str(c.url) ?? { file: String(c.url_file) },
          sendResolved: typeof c.send_resolved === 'boolean' ? c.send_resolved : true,
          maxAlerts: typeof c.max_alerts === 'number' ? c.max_alerts : 0,
          timeoutMs: timeoutOf(c, where),
          http: http.config,
          secret: str(c.herald_secret) ?? (secretFile ? { file: secretFile } : undefined),
          userAgent: opts.userAgent,
          clock: opts.clock,
        }),
      });
    });
    r.slackConfigs.forEach((c, i) => {
      const where = `receivers.${r.name}.slack_configs[${i}]`;
      const http = parseHttpConfig(c.http_config ?? g.http_config, where);
      warnings.push(...http.warnings);
      const apiUrlFile = str(c.api_url_file) ?? str(g.slack_api_url_file);
      const apiUrl = str(c.api_url) ?? (str(c.api_url_file) ? undefined : str(g.slack_api_url));
      const isFiring = '{{#if (eq Status "firing")}}';
      list.push({
        name: `slack[${i}]`,
        receiver: new SlackReceiver({
          apiUrl: apiUrl ?? { file: String(apiUrlFile) },
          channel: tpl(c.channel, undefined, `${where}.channel`),
          username: tpl(c.username, 'Herald', `${where}.username`)!,
          iconEmoji: tpl(c.icon_emoji, undefined, `${where}.icon_emoji`),
          iconUrl: tpl(c.icon_url, undefined, `${where}.icon_url`),
          title: tpl(c.title, DEFAULT_TITLE, `${where}.title`)!,
          titleLink: tpl(c.title_link, '{{ExternalURL}}', `${where}.title_link`)!,
          text: tpl(c.text, DEFAULT_SLACK_TEXT, `${where}.text`)!,
          pretext: tpl(c.pretext, undefined, `${where}.pretext`),
          color: tpl(c.color, `${isFiring}danger{{else}}good{{/if}}`, `${where}.color`)!,
          fallback: tpl(c.fallback, DEFAULT_TITLE, `${where}.fallback`)!,
          footer: tpl(c.footer, undefined, `${where}.footer`),
          linkNames: c.link_names === true,
          sendResolved: c.send_resolved === true,
          maxAlerts: typeof c.max_alerts === 'number' ? c.max_alerts : 0,
          timeoutMs: timeoutOf(c, where),
          http: http.config,
          userAgent: opts.userAgent,
          clock: opts.clock,
        }),
      });
    });
    r.emailConfigs.forEach((c, i) => {
      const where = `receivers.${r.name}.email_configs[${i}]`;
      const user = str(c.auth_username) ?? str(g.smtp_auth_username);
      const pw = str(c.auth_password) ?? str(g.smtp_auth_password);
      const pwFile = str(c.auth_password_file) ?? str(g.smtp_auth_password_file);
      const requireTls =
        typeof c.require_tls === 'boolean'
          ? c.require_tls
          : typeof g.smtp_require_tls === 'boolean'
            ? g.smtp_require_tls
            : true;
      const headers: Record<string, Render> = {};
      for (const [k, v] of Object.entries((c.headers as Record<string, unknown>) ?? {})) {
        const h = tpl(v, '', `${where}.headers.${k}`);
        if (h) headers[k] = h;
      }
      const tls = (c.tls_config ?? g.smtp_tls_config ?? {}) as Record<string, unknown>;
      list.push({
        name: `email[${i}]`,
        receiver: new EmailReceiver({
          to: tpl(c.to, '', `${where}.to`)!,
          from: tpl(c.from ?? g.smtp_from, '', `${where}.from`)!,
          smarthost: String(c.smarthost ?? g.smtp_smarthost),
          hello: str(c.hello) ?? str(g.smtp_hello) ?? 'localhost',
          auth: user
            ? { user, pass: () => (pwFile ? readFileSync(pwFile, 'utf8').trim() : (pw ?? '')) }
            : undefined,
          requireTls,
          insecureSkipVerify: tls.insecure_skip_verify === true,
          headers,
          subject: headers.Subject ?? compileTemplate(DEFAULT_TITLE),
          html: tpl(c.html, DEFAULT_EMAIL_HTML, `${where}.html`, true),
          text: tpl(c.text, DEFAULT_EMAIL_TEXT, `${where}.text`),
          sendResolved: c.send_resolved === true,
          timeoutMs: timeoutOf(c, where),
        }),
      });
    });
    byName.set(r.name, list);
  }
  return { byName, resolve: (_tenant, name) => byName.get(name), warnings };
}
