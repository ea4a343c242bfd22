import { ConfigError } from '@herald/domain';
import { asObject, at, duration, httpUrl, idx, optList, show, type RawObject } from '../fields';
import { checkFields, optStr, secretPair } from './common';
import type { KindCheckContext, ReceiverKindSpec } from './kind';

/** Alertmanager's `global.pagerduty_url` default (Events API v2). */
export const PAGERDUTY_DEFAULT_URL = 'https://events.pagerduty.com/v2/enqueue';

const TEMPLATED = [
  'client',
  'client_url',
  'description',
  'source',
  'severity',
  'class',
  'component',
  'group',
];

/**
 * `details` values: Alertmanager ≥ 0.28 takes any YAML value (maps and lists nested), templating every
 * string key and value; 0.25 took strings only. Every string must parse as a template.
 */
function checkDetail(v: unknown, path: string, ctx: KindCheckContext): void {
  if (typeof v === 'string') ctx.template(v, path);
  else if (Array.isArray(v)) v.forEach((x, i) => checkDetail(x, idx(path, i), ctx));
  else if (v !== null && typeof v === 'object')
    for (const [k, x] of Object.entries(v)) {
      ctx.template(k, at(path, k));
      checkDetail(x, at(path, k), ctx);
    }
}

/**
 * `pagerduty_configs`: Events API v2 (`routing_key`, posted to `url`, default global.pagerduty_url) or
 * the v1 generic events API (`service_key`, a fixed URL), as Alertmanager picks (a service key wins).
 */
export const pagerduty: ReceiverKindSpec = {
  kind: 'pagerduty',
  key: 'pagerduty_configs',
  sendResolved: true,
  since: '0.1',
  check(c, path, ctx) {
    checkFields(c, path, [
      'service_key',
      'service_key_file',
      'routing_key',
      'routing_key_file',
      'url',
      ...TEMPLATED,
      'details',
      'images',
      'links',
      'timeout',
    ]);
    const service = secretPair(c, 'service_key', path);
    const routing = secretPair(c, 'routing_key', path);
    if (service === 'none' && routing === 'none')
      throw new ConfigError(
        path,
        'one of routing_key, routing_key_file (Events API v2), service_key or service_key_file (v1) is required',
      );
    // Both keys are templated at send time (Alertmanager expands them too).
    ctx.template(c.routing_key, at(path, 'routing_key'));
    ctx.template(c.service_key, at(path, 'service_key'));
    if (c.url != null) httpUrl(c.url, at(path, 'url'));
    for (const k of TEMPLATED) {
      optStr(c, k, path);
      ctx.template(c[k], at(path, k));
    }
    if (c.details != null) {
      const d = asObject(c.details, at(path, 'details'));
      for (const [k, v] of Object.entries(d)) {
        ctx.template(k, at(at(path, 'details'), k));
        checkDetail(v, at(at(path, 'details'), k), ctx);
      }
    }
    optList(c.images, at(path, 'images')).forEach((im, i) => {
      const p = idx(at(path, 'images'), i);
      const o = asObject(im, p);
      for (const k of Object.keys(o))
        if (!['src', 'alt', 'href'].includes(k))
          throw new ConfigError(at(p, k), 'unknown field (src, alt, href)');
      for (const k of ['src', 'alt', 'href']) {
        optStr(o, k, p);
        ctx.template(o[k], at(p, k));
      }
    });
    optList(c.links, at(path, 'links')).forEach((l, i) => {
      const p = idx(at(path, 'links'), i);
      const o = asObject(l, p);
      for (const k of Object.keys(o))
        if (!['href', 'text'].includes(k)) throw new ConfigError(at(p, k), 'unknown field (href, text)');
      for (const k of ['href', 'text']) {
        optStr(o, k, p);
        ctx.template(o[k], at(p, k));
      }
    });
    if (c.timeout != null) duration(c.timeout, at(path, 'timeout'), '0s');
    const out: RawObject = { ...c };
    if (out.url == null) {
      const g = ctx.global.raw.pagerduty_url;
      if (g != null) httpUrl(g, 'global.pagerduty_url');
      out.url = g ?? PAGERDUTY_DEFAULT_URL;
    }
    if (typeof out.url !== 'string')
      throw new ConfigError(at(path, 'url'), `must be a URL, got ${show(out.url)}`);
    return out;
  },
};
