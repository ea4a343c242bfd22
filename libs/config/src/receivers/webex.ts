import { ConfigError } from '@herald/domain';
import { asObject, asString, at, httpUrl, show } from '../fields';
import { checkFields, optStr } from './common';
import type { ReceiverKindSpec } from './kind';

/** Alertmanager's `global.webex_api_url` default. */
export const WEBEX_API_URL = 'https://webexapis.com/v1/messages';

/** `webex_configs`: a Markdown message to one room, authenticated by `http_config.authorization`. */
export const webex: ReceiverKindSpec = {
  kind: 'webex',
  key: 'webex_configs',
  sendResolved: true,
  since: '0.25',
  check(c, path, ctx) {
    checkFields(c, path, ['api_url', 'room_id', 'message']);
    asString(c.room_id, at(path, 'room_id'));
    optStr(c, 'message', path);
    // Alertmanager refuses a Webex entry without its own http_config.authorization (the global
    // http_config does not count: the check runs before the global default is applied).
    const hc = c.http_config == null ? undefined : asObject(c.http_config, at(path, 'http_config'));
    if (hc?.authorization == null)
      throw new ConfigError(
        at(path, 'http_config.authorization'),
        'required: Webex needs the bot token as authorization.credentials (or credentials_file)',
      );
    const auth = asObject(hc.authorization, at(path, 'http_config.authorization'));
    if (auth.credentials == null && auth.credentials_file == null)
      throw new ConfigError(
        at(path, 'http_config.authorization'),
        `credentials or credentials_file is required (the Webex bot token), got ${show(Object.keys(auth))}`,
      );
    // HEAD expands room_id as a template too.
    ctx.template(c.room_id, at(path, 'room_id'));
    ctx.template(c.message, at(path, 'message'));
    const apiUrl = c.api_url ?? ctx.global.raw.webex_api_url ?? WEBEX_API_URL;
    httpUrl(apiUrl, c.api_url != null ? at(path, 'api_url') : 'global.webex_api_url');
    return { ...c, api_url: apiUrl };
  },
};
