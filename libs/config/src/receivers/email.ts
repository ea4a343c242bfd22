import { ConfigError } from '@herald/domain';
import { asObject, asString, at, hostPort, optBool } from '../fields';
import { checkFields } from './common';
import type { ReceiverKindSpec } from './kind';

// Alertmanager refuses an email config without a recipient, sender or smarthost at load time; so do we.
/** `email_configs`, with the `global.smtp_*` defaults applied. */
export const email: ReceiverKindSpec = {
  kind: 'email',
  key: 'email_configs',
  sendResolved: false,
  since: '0.1',
  check(c, path, ctx) {
    checkFields(
      c,
      path,
      [
        'to',
        'from',
        'hello',
        'smarthost',
        'auth_username',
        'auth_password',
        'auth_password_file',
        'headers',
        'html',
        'text',
        'require_tls',
        'force_implicit_tls',
        'tls_config',
        'timeout',
      ],
      ['auth_secret', 'auth_secret_file', 'auth_identity', 'threading'],
    );
    const g = ctx.global.raw;
    asString(c.to, at(path, 'to'));
    if (c.from == null && g.smtp_from == null) {
      throw new ConfigError(at(path, 'from'), 'required (or set global.smtp_from)');
    }
    if (c.smarthost == null && g.smtp_smarthost == null) {
      throw new ConfigError(at(path, 'smarthost'), 'required (or set global.smtp_smarthost)');
    }
    if (c.smarthost != null) hostPort(c.smarthost, at(path, 'smarthost'));
    optBool(c.force_implicit_tls, at(path, 'force_implicit_tls'));
    optBool(c.require_tls, at(path, 'require_tls'));
    for (const k of ['to', 'from', 'html', 'text']) ctx.template(c[k], at(path, k));
    if (c.headers != null) {
      const h = asObject(c.headers, at(path, 'headers'));
      const seen = new Set<string>();
      for (const [k, v] of Object.entries(h)) {
        // Header names are case-insensitive: Alertmanager refuses duplicates that differ only in case.
        if (seen.has(k.toLowerCase()))
          throw new ConfigError(at(at(path, 'headers'), k), `duplicate header "${k}"`);
        seen.add(k.toLowerCase());
        ctx.template(v, at(at(path, 'headers'), k));
      }
    }
    return c;
  },
};
