import { ConfigError } from '@herald/domain';
import { asString, at, httpUrl } from '../fields';
import { checkFields, optStr } from './common';
import type { ReceiverKindSpec } from './kind';

/** Fields Alertmanager expands as templates (username and avatar_url are sent as written, as it does). */
const TEMPLATED = ['title', 'message', 'content'];

/**
 * `discord_configs` (Alertmanager 0.25, plus HEAD's `content`, `username`, `avatar_url` and
 * `webhook_url_file`): one webhook execution with a single embed.
 */
export const discord: ReceiverKindSpec = {
  kind: 'discord',
  key: 'discord_configs',
  sendResolved: true,
  since: '0.25',
  check(c, path, ctx) {
    checkFields(c, path, ['webhook_url', 'webhook_url_file', ...TEMPLATED, 'username', 'avatar_url']);
    if (c.webhook_url == null && c.webhook_url_file == null)
      throw new ConfigError(path, 'one of webhook_url or webhook_url_file is required');
    if (c.webhook_url != null && c.webhook_url_file != null)
      throw new ConfigError(path, 'at most one of webhook_url and webhook_url_file may be set');
    if (c.webhook_url != null) httpUrl(c.webhook_url, at(path, 'webhook_url'));
    else asString(c.webhook_url_file, at(path, 'webhook_url_file'));
    optStr(c, 'username', path);
    optStr(c, 'avatar_url', path);
    for (const k of TEMPLATED) {
      optStr(c, k, path);
      ctx.template(c[k], at(path, k));
    }
    return c;
  },
};
