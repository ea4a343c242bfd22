import { at, type RawObject } from '../fields';
import { checkFields } from './common';
import type { ReceiverKindSpec } from './kind';
import { checkTeamsWebhook } from './msteams';

/** `msteamsv2_configs`: a Power Automate workflow webhook (Adaptive Card), Alertmanager 0.28+. */
export const msteamsv2: ReceiverKindSpec = {
  kind: 'msteamsv2',
  key: 'msteamsv2_configs',
  sendResolved: true,
  since: '0.28',
  check(c, path, ctx) {
    checkFields(c, path, ['webhook_url', 'webhook_url_file', 'title', 'text']);
    checkTeamsWebhook(c, path);
    for (const k of ['title', 'text']) ctx.template(c[k], at(path, k));
    // Alertmanager (config.go, msteamsv2 only): an entry with its own http_config but no proxy_url
    // still goes through global.http_config's proxy_url (Power Automate is often reached via a proxy).
    const own = c.http_config as RawObject | null | undefined;
    const global = ctx.global.raw.http_config as RawObject | null | undefined;
    if (
      own != null &&
      own.proxy_url == null &&
      own.proxy_from_environment !== true &&
      global != null &&
      typeof global === 'object' &&
      global.proxy_url != null
    )
      return { ...c, http_config: { ...own, proxy_url: global.proxy_url } };
    return c;
  },
};
