import type { TemplateSet } from '@herald/domain';

import type { SendResult } from '../receiver';
import {
  expanderFor,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { postTeams } from './msteams';
import { webhookBody } from './webhook';

/** Alertmanager's defaults for the templated fields the entry leaves out (notify/msteamsv2/config.go). */
const DEFAULTS: Record<string, string> = {
  title: '{{ template "msteamsv2.default.title" . }}',
  text: '{{ template "msteamsv2.default.text" . }}',
};

/** Adaptive Card colour names of the title by group status (Alertmanager's msteamsv2 notifier). */
export const MSTEAMSV2_COLORS = { firing: 'Attention', resolved: 'Good' } as const;

/** A TextBlock of the card; Alertmanager omits empty weight/size/style/color and a false wrap. */
export interface CardTextBlock {
  type: 'TextBlock';
  text: string;
  weight?: string;
  size?: string;
  wrap?: boolean;
  style?: string;
  color?: string;
}

/** The workflow message: one Adaptive Card attachment. */
export interface TeamsWorkflowMessage {
  type: 'message';
  attachments: {
    contentType: 'application/vnd.microsoft.card.adaptive';
    contentUrl: null;
    content: {
      $schema: string;
      type: 'AdaptiveCard';
      version: string;
      body: CardTextBlock[];
      msteams: { width: string };
    };
  }[];
}

/** Renders the workflow message of a notification (null: nothing to send), or a give-up on a template error. */
export function msteamsv2Message(
  c: Raw,
  templates: TemplateSet,
  n: Notification,
): { message: TeamsWorkflowMessage | null; failure?: SendResult } {
  const payload = webhookBody(n.payload, c.send_resolved === true, 0);
  if (!payload) return { message: null };
  const x = expanderFor(templates, payload);
  const t = (key: string) => x.text(c[key] === undefined ? DEFAULTS[key] : c[key]);
  const title = t('title');
  const text = t('text');
  const message: TeamsWorkflowMessage = {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.2',
          body: [
            {
              type: 'TextBlock',
              text: title,
              weight: 'Bolder',
              size: 'Medium',
              wrap: true,
              style: 'heading',
              color: MSTEAMSV2_COLORS[payload.status],
            },
            { type: 'TextBlock', text, wrap: true },
          ],
          // Full-width card in Teams (Alertmanager always asks for it).
          msteams: { width: 'full' },
        },
      },
    ],
  };
  const failure = x.failure();
  return failure ? { message: null, failure } : { message };
}

/** Alertmanager's msteamsv2 integration: a Power Automate workflow webhook with an Adaptive Card. */
export class MSTeamsV2Notifier extends HttpNotifier {
  override readonly kind = 'msteamsv2';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const { message, failure } = msteamsv2Message(this.c, this.templates, n);
    if (failure) return failure;
    if (!message) return { kind: 'ok', skipped: 'send_resolved is off: nothing new fires' };
    return postTeams(this.kind, this.c, this.http, this.timeoutMs, this.userAgent, message, signal);
  }
}

export const msteamsv2 = httpIntegration(MSTeamsV2Notifier);
