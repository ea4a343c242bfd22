import { ConfigError } from '@herald/domain';
import { asString, at, httpUrl, show } from '../fields';
import { checkFields } from './common';
import type { ReceiverKindSpec } from './kind';

/** `webhook_configs`: Alertmanager's fields plus Herald's `herald_secret` / `herald_secret_file`. */
export const webhook: ReceiverKindSpec = {
  kind: 'webhook',
  key: 'webhook_configs',
  sendResolved: true,
  since: '0.1',
  check(c, path) {
    checkFields(
      c,
      path,
      ['url', 'url_file', 'max_alerts', 'timeout', 'herald_secret', 'herald_secret_file'],
      ['payload'],
    );
    if (c.url == null && c.url_file == null)
      throw new ConfigError(path, 'one of url or url_file is required');
    if (c.url != null && c.url_file != null)
      throw new ConfigError(path, 'at most one of url and url_file may be set');
    if (c.url != null) httpUrl(c.url, at(path, 'url'));
    else asString(c.url_file, at(path, 'url_file'));
    if (c.max_alerts != null && !(Number.isSafeInteger(c.max_alerts) && (c.max_alerts as number) >= 0))
      throw new ConfigError(
        at(path, 'max_alerts'),
        `must be a non-negative integer, got ${show(c.max_alerts)}`,
      );
    return c;
  },
};
