import { ConfigError } from '@herald/domain';
import { asString, at, duration, httpUrl, show, type RawObject } from '../fields';
import { checkFields, secretPair } from './common';
import type { ReceiverKindSpec } from './kind';

/** http_config fields that already authenticate (an alert source token would fight with them). */
const HTTP_AUTH = ['authorization', 'basic_auth', 'oauth2', 'bearer_token', 'bearer_token_file'];

/**
 * `incidentio_configs`: an incident.io HTTP alert source (Alertmanager 0.29+), authenticated by
 * `alert_source_token(_file)` (sent as a Bearer token) or by `http_config.authorization`.
 */
export const incidentio: ReceiverKindSpec = {
  kind: 'incidentio',
  key: 'incidentio_configs',
  sendResolved: true,
  since: '0.29',
  check(c, path) {
    checkFields(c, path, [
      'url',
      'url_file',
      'alert_source_token',
      'alert_source_token_file',
      'max_alerts',
      'timeout',
    ]);
    if (c.url == null && c.url_file == null)
      throw new ConfigError(path, 'one of url or url_file is required');
    if (c.url != null && c.url_file != null)
      throw new ConfigError(path, 'at most one of url and url_file may be set');
    if (c.url != null) httpUrl(c.url, at(path, 'url'));
    else asString(c.url_file, at(path, 'url_file'));
    const token = secretPair(c, 'alert_source_token', path);
    const http = c.http_config as RawObject | null | undefined;
    if (http != null && token !== 'none') {
      const clash = HTTP_AUTH.find((k) => http[k] != null);
      if (clash)
        throw new ConfigError(
          at(path, 'http_config'),
          `cannot set ${clash} together with alert_source_token or alert_source_token_file`,
        );
    }
    // As Alertmanager: an entry with its own http_config must authenticate somehow. (An entry without
    // http_config and without a token passes there too and is sent unauthenticated.)
    if (http != null && token === 'none' && http.authorization == null)
      throw new ConfigError(
        path,
        'at least one of alert_source_token, alert_source_token_file or http_config.authorization is required',
      );
    if (
      c.max_alerts != null &&
      !(typeof c.max_alerts === 'number' && Number.isSafeInteger(c.max_alerts) && c.max_alerts >= 0)
    )
      throw new ConfigError(
        at(path, 'max_alerts'),
        `must be a non-negative integer, got ${show(c.max_alerts)}`,
      );
    if (c.timeout != null) duration(c.timeout, at(path, 'timeout'), '0s');
    return c;
  },
};
