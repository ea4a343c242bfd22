import { ConfigError } from '@herald/domain';
import { asObject, asString, at, duration, httpUrl, idx, optList, show, type RawObject } from '../fields';
import { checkFields, optStr } from './common';
import type { KindCheckContext, ReceiverKindSpec } from './kind';

/** The API flavours Alertmanager knows; they pick the search endpoint (Cloud's /search/jql or /search). */
export const JIRA_API_TYPES = ['auto', 'cloud', 'datacenter'] as const;

const FIELDS = [
  'api_url',
  'api_type',
  'project',
  'summary',
  'description',
  'labels',
  'priority',
  'issue_type',
  'reopen_transition',
  'resolve_transition',
  'wont_fix_resolution',
  'reopen_duration',
  'fields',
];

/**
 * `summary` / `description`: a template string, or `{template, enable_update}` (enable_update false
 * keeps the field out of updates of an existing issue). Normalised to the object form; a missing
 * template keeps the default, as Alertmanager unmarshals the object over its defaults.
 */
function fieldTemplate(c: RawObject, key: string, path: string, def: string, ctx: KindCheckContext) {
  const v = c[key];
  const p = at(path, key);
  let out: { template: string; enable_update: boolean };
  if (v == null) out = { template: def, enable_update: true };
  else if (typeof v === 'string') out = { template: v, enable_update: true };
  else {
    const o = asObject(v, p);
    for (const k of Object.keys(o))
      if (k !== 'template' && k !== 'enable_update') throw new ConfigError(at(p, k), 'unknown field');
    if (o.template != null && typeof o.template !== 'string')
      throw new ConfigError(at(p, 'template'), `must be a string, got ${show(o.template)}`);
    if (o.enable_update != null && typeof o.enable_update !== 'boolean')
      throw new ConfigError(at(p, 'enable_update'), `must be true or false, got ${show(o.enable_update)}`);
    out = {
      template: (o.template as string | undefined) ?? def,
      enable_update: (o.enable_update as boolean | undefined) ?? true,
    };
  }
  ctx.template(out.template, typeof v === 'string' ? p : at(p, 'template'));
  return out;
}

/**
 * Custom `fields`: every string anywhere in the value, and every key of a nested map, is a template
 * (Alertmanager deep-copies them expanded; the top-level field ids are kept as written).
 */
function checkDeepTemplates(v: unknown, path: string, ctx: KindCheckContext): void {
  if (typeof v === 'string') ctx.template(v, path);
  else if (Array.isArray(v)) v.forEach((e, i) => checkDeepTemplates(e, idx(path, i), ctx));
  else if (v !== null && typeof v === 'object')
    for (const [k, e] of Object.entries(v)) {
      ctx.template(k, at(path, k));
      checkDeepTemplates(e, at(path, k), ctx);
    }
}

/**
 * `jira_configs` (Alertmanager 0.28+): one Jira issue per alert group, found again by its
 * `ALERT{<sha256 of the group key>}` label; `api_url` defaults to `global.jira_api_url`.
 */
export const jira: ReceiverKindSpec = {
  kind: 'jira',
  key: 'jira_configs',
  sendResolved: true,
  since: '0.28',
  check(c, path, ctx) {
    checkFields(c, path, FIELDS);
    // Both are templates expanded per notification, and required non-empty as written.
    if (c.project == null || c.project === '') throw new ConfigError(at(path, 'project'), 'missing project');
    if (c.issue_type == null || c.issue_type === '')
      throw new ConfigError(at(path, 'issue_type'), 'missing issue_type');
    asString(c.project, at(path, 'project'));
    asString(c.issue_type, at(path, 'issue_type'));
    ctx.template(c.project, at(path, 'project'));
    ctx.template(c.issue_type, at(path, 'issue_type'));

    const apiType = c.api_type ?? 'auto';
    if (!(JIRA_API_TYPES as readonly unknown[]).includes(apiType))
      throw new ConfigError(
        at(path, 'api_type'),
        `unknown api_type ${show(apiType)}, must be auto, cloud or datacenter`,
      );

    const summary = fieldTemplate(c, 'summary', path, '{{ template "jira.default.summary" . }}', ctx);
    const description = fieldTemplate(
      c,
      'description',
      path,
      '{{ template "jira.default.description" . }}',
      ctx,
    );
    optStr(c, 'priority', path);
    const priority = c.priority ?? '{{ template "jira.default.priority" . }}';
    ctx.template(priority, at(path, 'priority'));

    const labels = optList(c.labels, at(path, 'labels')).map((l, i) => {
      const p = idx(at(path, 'labels'), i);
      if (typeof l !== 'string') throw new ConfigError(p, `must be a string, got ${show(l)}`);
      ctx.template(l, p);
      return l;
    });

    for (const k of ['reopen_transition', 'resolve_transition', 'wont_fix_resolution']) optStr(c, k, path);
    if (c.reopen_duration != null) duration(c.reopen_duration, at(path, 'reopen_duration'), '0s');

    if (c.fields != null) {
      const f = asObject(c.fields, at(path, 'fields'));
      for (const [k, v] of Object.entries(f)) checkDeepTemplates(v, at(at(path, 'fields'), k), ctx);
    }

    const apiUrl = c.api_url ?? ctx.global.raw.jira_api_url;
    if (apiUrl == null)
      throw new ConfigError(at(path, 'api_url'), 'required: set api_url here or global.jira_api_url');
    httpUrl(apiUrl, c.api_url != null ? at(path, 'api_url') : 'global.jira_api_url');

    return {
      ...c,
      api_url: apiUrl,
      api_type: apiType,
      summary,
      description,
      priority,
      labels,
    };
  },
};
