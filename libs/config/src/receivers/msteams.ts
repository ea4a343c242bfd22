import { ConfigError } from '@herald/domain';
import { asString, at, httpUrl } from '../fields';
import { checkFields } from './common';
import type { ReceiverKindSpec } from './kind';

/** The templated text fields (Alertmanager's defaults are applied by the sender when left out). */
export const MSTEAMS_TEMPLATED = ['title', 'summary', 'text'] as const;

/**
 * Shared by `msteams_configs` and `msteamsv2_configs` (Alertmanager's two Teams configs have the same
 * URL rule): exactly one of `webhook_url` (an http(s) URL) and `webhook_url_file`.
 */
export function checkTeamsWebhook(c: Record<string, unknown>, path: string): void {
  if (c.webhook_url == null && c.webhook_url_file == null)
    throw new ConfigError(path, 'one of webhook_url or webhook_url_file is required');
  if (c.webhook_url != null && c.webhook_url_file != null)
    throw new ConfigError(path, 'at most one of webhook_url and webhook_url_file may be set');
  if (c.webhook_url != null) httpUrl(c.webhook_url, at(path, 'webhook_url'));
  else asString(c.webhook_url_file, at(path, 'webhook_url_file'));
}

/** `msteams_configs`: an Office 365 connector incoming webhook (MessageCard), Alertmanager 0.26+. */
export const msteams: ReceiverKindSpec = {
  kind: 'msteams',
  key: 'msteams_configs',
  sendResolved: true,
  since: '0.26',
  check(c, path, ctx) {
    checkFields(c, path, ['webhook_url', 'webhook_url_file', ...MSTEAMS_TEMPLATED]);
    checkTeamsWebhook(c, path);
    for (const k of MSTEAMS_TEMPLATED) ctx.template(c[k], at(path, k));
    return c;
  },
};
