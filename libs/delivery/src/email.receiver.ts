import { createTransport, type Transporter } from 'nodemailer';
import type { FailureReason } from '@herald/domain';
import type { Notification } from './notification';
import type { Receiver, SendResult } from './receiver';
import { templateData, type TemplateData } from './templates';
import { webhookBody } from './webhook.receiver';

type Render = (d: TemplateData) => string;

/** A parsed `email_configs` entry (with `global.smtp_*` fallbacks applied). */
export interface EmailReceiverConfig {
  to: Render;
  from: Render;
  /** `host:port`; port 465 means implicit TLS. */
  smarthost: string;
  hello: string;
  auth?: { user: string; pass: () => string };
  /** STARTTLS required (Alertmanager's default true); false sends without TLS. */
  requireTls: boolean;
  insecureSkipVerify: boolean;
  /** Extra headers; `Subject`, `To`, `From` here override the defaults (as in Alertmanager). */
  headers: Record<string, Render>;
  subject: Render;
  html?: Render;
  text?: Render;
  /** Default false, as in Alertmanager. */
  sendResolved: boolean;
  timeoutMs: number;
}

/** A rendered e-mail (exported for tests and previews). */
export interface EmailMessage {
  from: string;
  to: string;
  subject: string;
  headers: Record<string, string>;
  html?: string;
  text?: string;
}

/** Renders the e-mail of a notification; null when nothing is to be sent. */
export function emailMessage(cfg: EmailReceiverConfig, n: Notification): EmailMessage | null {
  const payload = webhookBody(n.payload, cfg.sendResolved, 0);
  if (!payload) return null;
  const d = templateData(payload, n.receiver);
  const headers: Record<string, string> = {};
  for (const [k, r] of Object.entries(cfg.headers)) headers[k] = r(d).trim();
  const pick = (name: string, dflt: string): string => {
    const k = Object.keys(headers).find((h) => h.toLowerCase() === name.toLowerCase());
    if (!k) return dflt;
    const v = headers[k];
    delete headers[k];
    return v;
  };
  return {
    from: pick('From', cfg.from(d).trim()),
    to: pick('To', cfg.to(d).trim()),
    subject: pick('Subject', cfg.subject(d).trim()),
    headers: { ...headers, 'X-Herald-Idempotency-Key': n.idempotencyKey },
    html: cfg.html?.(d),
    text: cfg.text?.(d),
  };
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
export class EmailReceiver implements Receiver {
  readonly kind = 'email';
  private readonly transport: Transporter;

  constructor(private readonly cfg: EmailReceiverConfig) {
    const i = cfg.smarthost.lastIndexOf(':');
    const host = cfg.smarthost.slice(0, i);
    const port = Number(cfg.smarthost.slice(i + 1));
    this.transport = createTransport({
      host: host.replace(/^\[|\]$/g, ''),
      port,
      secure: port === 465,
      requireTLS: cfg.requireTls && port !== 465,
      // Alertmanager does not STARTTLS unless required; neither do we (a self-signed relay would fail).
      ignoreTLS: !cfg.requireTls && port !== 465,
      name: cfg.hello,
      auth: cfg.auth ? { user: cfg.auth.user, pass: cfg.auth.pass() } : undefined,
      tls: { rejectUnauthorized: !cfg.insecureSkipVerify },
      connectionTimeout: cfg.timeoutMs,
      greetingTimeout: cfg.timeoutMs,
      socketTimeout: cfg.timeoutMs,
    });
  }

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const msg = emailMessage(this.cfg, n);
    if (!msg) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    let onAbort = () => {};
    const aborted = new Promise<SendResult>((resolve) => {
      onAbort = () => resolve({ kind: 'retry', reason: 'other', message: 'aborted (shutdown)' });
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    });
    const sent = this.transport.sendMail(msg).then(
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
