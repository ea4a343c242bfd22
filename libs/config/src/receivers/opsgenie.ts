import { ConfigError } from '@herald/domain';
import { asObject, at, httpUrl, idx, optBool, optList, show, type RawObject } from '../fields';
import { checkFields, optStr, secretPair } from './common';
import type { ReceiverKindSpec } from './kind';

/** Alertmanager's `global.opsgenie_api_url` default. */
export const OPSGENIE_DEFAULT_API_URL = 'https://api.opsgenie.com/';

const TEMPLATED = ['message', 'description', 'source', 'entity', 'actions', 'tags', 'note', 'priority'];
const RESPONDER_TYPES = ['team', 'teams', 'user', 'escalation', 'schedule'];
const PRIORITIES = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** `opsgenie_configs`: Opsgenie's Alert API v2 (create, close, and with `update_alerts` message/description). */
export const opsgenie: ReceiverKindSpec = {
  kind: 'opsgenie',
  key: 'opsgenie_configs',
  sendResolved: true,
  since: '0.1',
  check(c, path, ctx) {
    checkFields(c, path, [
      'api_key',
      'api_key_file',
      'api_url',
      ...TEMPLATED,
      'details',
      'responders',
      'update_alerts',
    ]);
    const g = ctx.global.raw;
    if (g.opsgenie_api_key != null && g.opsgenie_api_key_file != null)
      throw new ConfigError('global', 'at most one of opsgenie_api_key and opsgenie_api_key_file may be set');
    const own = secretPair(c, 'api_key', path);
    // Alertmanager expands the key as a template too.
    ctx.template(c.api_key, at(path, 'api_key'));
    if (c.api_url != null) httpUrl(c.api_url, at(path, 'api_url'));
    for (const k of TEMPLATED) {
      optStr(c, k, path);
      ctx.template(c[k], at(path, k));
    }
    // Opsgenie knows P1–P5 only; a literal anything else would be refused on every send.
    if (typeof c.priority === 'string' && c.priority !== '' && !c.priority.includes('{{'))
      if (!PRIORITIES.includes(c.priority))
        throw new ConfigError(
          at(path, 'priority'),
          `must be one of ${PRIORITIES.join(', ')} (or a template), got ${show(c.priority)}`,
        );
    if (c.details != null) {
      const d = asObject(c.details, at(path, 'details'));
      for (const [k, v] of Object.entries(d)) {
        if (typeof v !== 'string')
          throw new ConfigError(at(at(path, 'details'), k), `must be a string, got ${show(v)}`);
        ctx.template(v, at(at(path, 'details'), k));
      }
    }
    optList(c.responders, at(path, 'responders')).forEach((r, i) => {
      const p = idx(at(path, 'responders'), i);
      const o = asObject(r, p);
      for (const k of Object.keys(o))
        if (!['id', 'name', 'username', 'type'].includes(k))
          throw new ConfigError(at(p, k), 'unknown field (id, name, username, type)');
      for (const k of ['id', 'name', 'username', 'type']) {
        optStr(o, k, p);
        ctx.template(o[k], at(p, k));
      }
      if (!o.id && !o.name && !o.username)
        throw new ConfigError(p, 'at least one of id, name or username is required');
      const type = typeof o.type === 'string' ? o.type : '';
      if (!type.includes('{{') && !RESPONDER_TYPES.includes(type.toLowerCase()))
        throw new ConfigError(
          at(p, 'type'),
          `must be one of ${RESPONDER_TYPES.join(', ')} (or a template), got ${show(o.type)}`,
        );
    });
    optBool(c.update_alerts, at(path, 'update_alerts'));
    const out: RawObject = { ...c };
    if (out.api_url == null) {
      if (g.opsgenie_api_url != null) httpUrl(g.opsgenie_api_url, 'global.opsgenie_api_url');
      out.api_url = g.opsgenie_api_url ?? OPSGENIE_DEFAULT_API_URL;
    }
    // Alertmanager appends the API paths to api_url's path, which it makes end in "/".
    const u = new URL(String(out.api_url));
    if (!u.pathname.endsWith('/')) {
      u.pathname += '/';
      out.api_url = u.toString();
    }
    if (own === 'none') {
      if (g.opsgenie_api_key != null) out.api_key = g.opsgenie_api_key;
      else if (g.opsgenie_api_key_file != null) out.api_key_file = g.opsgenie_api_key_file;
      else
        throw new ConfigError(
          path,
          'one of api_key or api_key_file is required (or set global.opsgenie_api_key or global.opsgenie_api_key_file)',
        );
    }
    return out;
  },
};
