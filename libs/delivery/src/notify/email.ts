import { readFileSync } from 'node:fs';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import type { FailureReason, TemplateSet } from '@herald/domain';
import type { Receiver, SendResult } from '../receiver';
import {
  expanderFor,
  timeoutOf,
  type IntegrationFactory,
  type Notification,
  type RawConfig as Raw,
} from './context';
import { webhookBody } from './webhook';

/** Alertmanager's defaults: the HTML body and the Subject header (To/From default to `to`/`from`). */
const DEFAULT_HTML = '{{ template "email.default.html" . }}';
const DEFAULT_SUBJECT = '{{ template "email.default.subject" . }}';

/** A rendered e-mail (exported for tests and previews). */
export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  headers: Record<string, string>;
  html?: string;
  text?: string;
}

/** An entry's settings with the `global.smtp_*` fallbacks applied. */
interface EmailSettings {
  smarthost: string;
  hello: string;
  auth?: { user: string; pass: () => string };
  requireTls: boolean;
  /** `force_implicit_tls` (Alertmanager 0.28): TLS from the first byte; unset = only on port 465. */
  implicitTls?: boolean;
  insecureSkipVerify: boolean;
  timeoutMs: number;
}

/**
 * Renders the e-mail of a notification (null: nothing to send), or a give-up when a template fails.
 * Configured headers are templates; `Subject`, `To` and `From` among them override the defaults
 * (names compared case-insensitively, as in Alertmanager).
 */
export function emailMessage(
  c: Raw,
  from: string,
  templates: TemplateSet,
  n: Notification,
): { message: EmailMessage | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries((c.headers as Raw | undefined) ?? {})) headers[k] = x.text(v);
  const pick = (name: string, dflt: () => string): string => {
    const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
    if (!k) return dflt();
    const v = headers[k];
    delete headers[k];
    return v;
  };
  const message: EmailMessage = {
    from: pick('From', () => x.text(from)),
    to: pick('To', () => x.text(c.to)),
    subject: pick('Subject', () => x.text(DEFAULT_SUBJECT)),
    headers: { ...headers, 'X-Herald-Idempotency-Key': n.idempotencyKey },
  };
  const html = x.html(c.html === undefined ? DEFAULT_HTML : c.html);
  const text = x.text(c.text);
  if (html) message.html = html;
  if (text) message.text = text;
  const failure = x.failure();
  return failure ? { message: null, failure } : { message };
}

interface SmtpError {
  code?: string;
  responseCode?: number;
  message?: string;
}

/**
 * SMTP failures by the same rules as HTTP: authentication failures and permanent (5xx) rejections give
 * up, transient (4xx) replies and connection problems are retried.
 */
export function classifySmtpError(e: SmtpError): SendResult {
  const message = e.message ?? String(e);
  const status = e.responseCode;
  const giveUp = (reason: FailureReason): SendResult => ({ kind: 'give-up', reason, message, status });
  if (e.code === 'EAUTH' || status === 530 || status === 534 || status === 535) return giveUp('authError');
  if (status !== undefined && status >= 500) return giveUp('clientError');
  if (status !== undefined && status >= 400) return { kind: 'retry', reason: 'serverError', message, status };
  if (e.code === 'EENVELOPE' || e.code === 'EMESSAGE') return giveUp('clientError');
  const timeout = e.code === 'ETIMEDOUT' || /timeout/i.test(message);
  return { kind: 'retry', reason: timeout ? 'contextDeadlineExceeded' : 'other', message };
}

/** Alertmanager's e-mail integration over SMTP (nodemailer), HTML + text bodies from templates. */
export class EmailNotifier implements Receiver {
  readonly kind = 'email';
  private readonly options: SMTPTransport.Options;
  /**
   * Made at the first send: nodemailer is loaded only by a node that sends e-mail (its ~500 KB of
   * source stay out of every other node's heap; issue 16, node RSS).
   */
  private transport?: Promise<Transporter>;

  constructor(
    private readonly c: Raw,
    private readonly from: string,
    private readonly templates: TemplateSet,
    s: EmailSettings,
  ) {
    const i = s.smarthost.lastIndexOf(':');
    const host = s.smarthost.slice(0, i);
    const port = Number(s.smarthost.slice(i + 1));
    const implicit = s.implicitTls ?? port === 465;
    this.options = {
      host: host.replace(/^\[|\]$/g, ''),
      port,
      secure: implicit,
      requireTLS: s.requireTls && !implicit,
      // Alertmanager does not STARTTLS unless required; neither do we (a self-signed relay would fail).
      ignoreTLS: !s.requireTls && !implicit,
      name: s.hello,
      auth: s.auth ? { user: s.auth.user, pass: s.auth.pass() } : undefined,
      tls: { rejectUnauthorized: !s.insecureSkipVerify },
      connectionTimeout: s.timeoutMs,
      greetingTimeout: s.timeoutMs,
      socketTimeout: s.timeoutMs,
    };
  }

  private transporter(): Promise<Transporter> {
    return (this.transport ??= import('nodemailer').then((m) => m.createTransport(this.options)));
  }

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message: msg, failure } = emailMessage(this.c, this.from, this.templates, n);
    if (failure) return failure;
    if (!msg) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    let onAbort = () => {};
    const aborted = new Promise<SendResult>((resolve) => {
      onAbort = () => resolve({ kind: 'retry', reason: 'other', message: 'aborted (shutdown)' });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const sent = this.transporter()
      .then((t) => t.sendMail(msg))
      .then(
        (): SendResult => ({ kind: 'ok' }),
        (e: SmtpError) => classifySmtpError(e),
      );
    try {
      return await Promise.race([sent, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

export const email: IntegrationFactory = (entry, deps) => {
  const c = entry.config;
  const g = deps.global.raw;
  const user = str(c.auth_username) ?? str(g.smtp_auth_username);
  const pw = str(c.auth_password) ?? str(g.smtp_auth_password);
  const pwFile = str(c.auth_password_file) ?? str(g.smtp_auth_password_file);
  const requireTls =
    typeof c.require_tls === 'boolean'
      ? c.require_tls
      : typeof g.smtp_require_tls === 'boolean'
        ? g.smtp_require_tls
        : true;
  const tls = (c.tls_config ?? g.smtp_tls_config ?? {}) as Raw;
  return new EmailNotifier(c, String(c.from ?? g.smtp_from), deps.templates, {
    smarthost: String(c.smarthost ?? g.smtp_smarthost),
    hello: str(c.hello) ?? str(g.smtp_hello) ?? 'localhost',
    auth: user
      ? { user, pass: () => (pwFile ? readFileSync(pwFile, 'utf8').trim() : (pw ?? '')) }
      : undefined,
    requireTls,
    implicitTls: typeof c.force_implicit_tls === 'boolean' ? c.force_implicit_tls : undefined,
    insecureSkipVerify: tls.insecure_skip_verify === true,
    timeoutMs: timeoutOf(entry, deps),
  });
};
