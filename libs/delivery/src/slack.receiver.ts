import { readFileSync } from 'node:fs';
import type { Clock } from '@herald/domain';
import { postHttp, type HttpClientConfig } from './http-client';
import type { Notification } from './notification';
import { resultOf, type Receiver, type SendResult } from './receiver';
import { templateData, type TemplateData } from './templates';
import { webhookBody } from './webhook.receiver';

type Render = (d: TemplateData) => string;

/** A parsed `slack_configs` entry; text fields are compiled templates. */
export interface SlackReceiverConfig {
  /** `api_url` (or `global.slack_api_url`), or a file read at each send. */
  apiUrl: string | { file: string };
  channel?: Render;
  username: Render;
  iconEmoji?: Render;
  iconUrl?: Render;
  title: Render;
  titleLink: Render;
  text: Render;
  pretext?: Render;
  color: Render;
  fallback: Render;
  footer?: Render;
  linkNames: boolean;
  /** Default false, as in Alertmanager. */
  sendResolved: boolean;
  /** 0 = all alerts (Herald applies webhook-style truncation so huge groups stay readable). */
  maxAlerts: number;
  timeoutMs: number;
  http: HttpClientConfig;
  userAgent: string;
  /** Reads the time for an HTTP-date `Retry-After` (the system clock by default). */
  clock?: Clock;
}

/** The incoming-webhook JSON Slack receives (Alertmanager's attachment shape). */
export interface SlackMessage {
  channel?: string;
  username?: string;
  icon_emoji?: string;
  icon_url?: string;
  link_names?: boolean;
  text?: string;
  attachments: {
    title: string;
    title_link?: string;
    pretext?: string;
    text: string;
    fallback: string;
    color: string;
    footer?: string;
    mrkdwn_in: string[];
  }[];
}

const opt = (r: Render | undefined, d: TemplateData): string | undefined => {
  const v = r?.(d).trim();
  return v ? v : undefined;
};

/** Renders the Slack message of a notification (exported for tests and previews). */
export function slackMessage(cfg: SlackReceiverConfig, n: Notification): SlackMessage | null {
  const payload = webhookBody(n.payload, cfg.sendResolved, cfg.maxAlerts);
  if (!payload) return null;
  const d = templateData(payload, n.receiver);
  return {
    channel: opt(cfg.channel, d),
    username: opt(cfg.username, d),
    icon_emoji: opt(cfg.iconEmoji, d),
    icon_url: opt(cfg.iconUrl, d),
    link_names: cfg.linkNames || undefined,
    attachments: [
      {
        title: cfg.title(d).trim(),
        title_link: opt(cfg.titleLink, d),
        pretext: opt(cfg.pretext, d),
        text: cfg.text(d).trim(),
        fallback: cfg.fallback(d).trim(),
        color: cfg.color(d).trim(),
        footer: opt(cfg.footer, d),
        mrkdwn_in: ['fallback', 'pretext', 'text'],
      },
    ],
  };
}

/** Alertmanager's Slack integration through an incoming webhook (or `chat.postMessage` with a token URL). */
export class SlackReceiver implements Receiver {
  readonly kind = 'slack';

  constructor(private readonly cfg: SlackReceiverConfig) {}

  async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const msg = slackMessage(this.cfg, n);
    if (!msg) return { kind: 'ok', skipped: 'send_resolved is off and no alert fires' };
    const url =
      typeof this.cfg.apiUrl === 'string'
        ? this.cfg.apiUrl
        : readFileSync(this.cfg.apiUrl.file, 'utf8').trim();
    const r = await postHttp(
      url,
      JSON.stringify(msg),
      {
        'Content-Type': 'application/json',
        'User-Agent': this.cfg.userAgent,
        'Idempotency-Key': n.idempotencyKey,
        ...this.cfg.http.authHeaders(),
      },
      { timeoutMs: this.cfg.timeoutMs, signal, tls: this.cfg.http.tls, clock: this.cfg.clock },
    );
    return resultOf(r.outcome, r.message);
  }
}
