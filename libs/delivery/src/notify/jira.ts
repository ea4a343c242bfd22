import { createHash } from 'node:crypto';
import { parseDuration } from '@herald/domain';
import { parse as parseYaml } from 'yaml';
import type { HttpResult } from '../http-client';
import type { SendResult } from '../receiver';
import {
  expanderFor,
  httpSendResult,
  truncateRunes,
  type Expander,
  type Notification,
  type RawConfig as Raw,
  HttpNotifier,
  httpIntegration,
} from './context';
import { webhookBody } from './webhook';

/** Jira's limits (Alertmanager cuts to them in runes). */
export const JIRA_MAX_SUMMARY_RUNES = 255;
export const JIRA_MAX_DESCRIPTION_RUNES = 32767;

interface FieldTemplate {
  template: string;
  enable_update: boolean;
}

/** The label that finds a group's issue again: `ALERT{<hex sha256 of the group key>}`. */
export function jiraGroupLabel(groupKey: string): string {
  return `ALERT{${createHash('sha256').update(groupKey).digest('hex')}}`;
}

/** Go's `%q` of a string (JQL literals): backslash, quote and control characters escaped. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    if (ch === '"' || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** Go's `url.JoinPath` for the simple case used here: one element appended with a single slash. */
export function joinPath(base: string, elem: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${elem.replace(/^\/+/, '')}`;
  return u.toString();
}

/** The JQL that finds the group's issue (Alertmanager's query, clause for clause). */
export function jiraSearchJql(c: Raw, project: string, label: string, firing: boolean): string {
  let jql = '';
  const wontFix = typeof c.wont_fix_resolution === 'string' ? c.wont_fix_resolution : '';
  // `resolution != X` alone would drop unresolved issues (EMPTY), so they are kept explicitly.
  if (wontFix !== '') jql += `(resolution is EMPTY or resolution != ${goQuote(wontFix)}) and `;
  const reopenMinutes =
    typeof c.reopen_duration === 'string' && c.reopen_duration !== ''
      ? Math.trunc(parseDuration(c.reopen_duration) / 60_000)
      : 0;
  // A firing group may reopen an issue closed within reopen_duration; otherwise only open ones count.
  if (firing && c.reopen_transition && reopenMinutes > 0)
    jql += `(resolutiondate is EMPTY OR resolutiondate >= -${reopenMinutes}m) and `;
  else jql += 'statusCategory != Done and ';
  jql += `project=${goQuote(project)} and labels=${goQuote(label)} order by status ASC,resolutiondate DESC`;
  return jql;
}

/**
 * The search endpoint: Jira Cloud retired v2 `/search` for v3 `/search/jql`, which Data Center lacks.
 * `cloud` (or `auto` on an atlassian.net host) → v3 `/search/jql`; otherwise `<api_url>/search`.
 */
export function jiraSearchUrl(c: Raw): string {
  const api = String(c.api_url);
  const host = new URL(api).hostname;
  if (c.api_type === 'cloud' || ((c.api_type ?? 'auto') === 'auto' && host.endsWith('atlassian.net')))
    return joinPath(api, 'search/jql').replace('/rest/api/2/', '/rest/api/3/');
  return joinPath(api, 'search');
}

/** API v3 (api_url's path ends in /3) takes the description as ADF JSON; v2 as wiki text. */
export function isJiraV3(apiUrl: string): boolean {
  return new URL(apiUrl).pathname.replace(/\/+$/, '').endsWith('/3');
}

/**
 * Alertmanager's DeepCopyWithTemplate for custom `fields`: strings are expanded and the result read as
 * YAML (1.1, as Go's yaml.v2), so "3", "true" or "[a, b]" become a number, boolean or list while
 * plain text stays a string; lists and maps are walked, nested map keys expanded too.
 */
export function expandJiraField(v: unknown, x: Expander): unknown {
  if (typeof v === 'string') {
    const text = x.text(v);
    let parsed: unknown;
    try {
      parsed = parseYaml(text, {
        version: '1.1',
        mapAsMap: true,
        // yaml.v2 leaves timestamps as strings when decoding into an interface.
        customTags: (tags) =>
          tags.filter((t) => typeof t === 'string' || t.tag !== 'tag:yaml.org,2002:timestamp'),
      }) as unknown;
    } catch {
      return text;
    }
    return typeof parsed === 'string' ? text : yamlToJson(parsed);
  }
  if (Array.isArray(v)) return v.map((e) => expandJiraField(e, x));
  if (v !== null && typeof v === 'object')
    return Object.fromEntries(Object.entries(v).map(([k, e]) => [x.text(k), expandJiraField(e, x)]));
  return v;
}

/** A decoded YAML value as JSON data: maps keep their string keys only (as Alertmanager). */
function yamlToJson(v: unknown): unknown {
  if (v === undefined) return null;
  if (Array.isArray(v)) return v.map(yamlToJson);
  if (v instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, e] of v) if (typeof k === 'string') out[k] = yamlToJson(e);
    return out;
  }
  return v;
}

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

/**
 * The issue's `fields` (keys sorted, as Go marshals its map; custom `fields` override the standard
 * ones), or an error message. `update` leaves out summary/description whose enable_update is false.
 */
export function jiraIssueFields(
  c: Raw,
  x: Expander,
  label: string,
  update: boolean,
): { fields: Record<string, unknown> } | { error: string } {
  const summaryT = c.summary as FieldTemplate;
  const descriptionT = c.description as FieldTemplate;
  const summary = truncateRunes(x.text(summaryT.template), JIRA_MAX_SUMMARY_RUNES);
  const project = x.text(c.project);
  const issueType = x.text(c.issue_type);
  const custom = Object.entries((c.fields as Record<string, unknown> | undefined) ?? {}).map(
    ([k, v]) => [k, expandJiraField(v, x)] as const,
  );
  const description = truncateRunes(x.text(descriptionT.template), JIRA_MAX_DESCRIPTION_RUNES);
  const labels = ((c.labels as string[] | undefined) ?? []).map((l) => x.text(l));
  labels.push(label);
  labels.sort(byBytes);
  const priority = x.text(c.priority);
  if (x.error) return { error: `issue fields: ${x.error.message}` };

  const fields: Record<string, unknown> = {
    project: { key: project },
    issuetype: { name: issueType },
    labels,
  };
  if (!update || summaryT.enable_update) fields.summary = summary.value;
  if (!update || descriptionT.enable_update) {
    if (isJiraV3(String(c.api_url))) {
      const raw = description.value.trim();
      if (raw !== '') {
        try {
          fields.description = JSON.parse(raw) as unknown;
        } catch {
          return { error: 'description template: invalid JSON for API v3 (Atlassian Document Format)' };
        }
      }
    } else if (description.value !== '') fields.description = description.value;
  }
  if (priority !== '') fields.priority = { name: priority };
  for (const [k, v] of custom) fields[k] = v;
  const sorted = Object.fromEntries(
    Object.keys(fields)
      .sort(byBytes)
      .map((k) => [k, fields[k]]),
  );
  return { fields: sorted };
}

/** Jira's error answer (`errorMessages` and per-field `errors`) as one line; '' when there is none. */
export function jiraErrorDetails(text: string): string {
  let o: { errorMessages?: unknown; errors?: unknown };
  try {
    o = JSON.parse(text) as typeof o;
  } catch {
    return text.trim().slice(0, 512);
  }
  if (o === null || typeof o !== 'object') return text.trim().slice(0, 512);
  const parts: string[] = [];
  if (Array.isArray(o.errorMessages)) parts.push(...o.errorMessages.map(String));
  if (o.errors && typeof o.errors === 'object')
    for (const [k, v] of Object.entries(o.errors)) parts.push(`${k}: ${String(v)}`);
  return parts.length > 0 ? parts.join('; ') : text.trim().slice(0, 512);
}

interface FoundIssue {
  key: string;
  /** `statusCategory.key` ('done' once resolved); undefined when Jira did not say. */
  category: string | undefined;
}

type Step<T> = { ok: true; value: T } | { ok: false; result: SendResult };

/**
 * Alertmanager's Jira integration (0.28+): one issue per alert group, labelled
 * `ALERT{sha256(group key)}`. Each notification searches the issue; none → create (not for a resolved
 * group); found → update, then transition: `resolve_transition` when the whole group resolved and the
 * issue is open, `reopen_transition` when it fires again and the issue (closed within
 * `reopen_duration`) is done. 429 and 5xx are retried; other 4xx give up with Jira's error text.
 */
export class JiraNotifier extends HttpNotifier {
  override readonly kind = 'jira';

  override async send(n: Notification, signal: AbortSignal): Promise<SendResult> {
    const payload = webhookBody(n.payload, this.c.send_resolved === true, 0);
    if (!payload) return { kind: 'ok', skipped: 'send_resolved is off: nothing new fires' };
    // Herald's payload status is 'resolved' only when no alert of the group fires.
    const firing = payload.status === 'firing';
    const x = expanderFor(this.templates, payload);
    const label = jiraGroupLabel(n.groupKey);
    const project = x.text(this.c.project);
    if (x.error) return { kind: 'give-up', reason: 'other', message: `project template: ${x.error.message}` };

    const found = await this.search(project, label, firing, signal);
    if (!found.ok) return found.result;
    const issue = found.value;
    if (!issue && !firing) return { kind: 'ok', skipped: 'group resolved and no open issue to update' };

    const built = jiraIssueFields(this.c, x, label, issue !== null);
    if ('error' in built) return { kind: 'give-up', reason: 'other', message: built.error };
    const api = String(this.c.api_url);
    const written = issue
      ? await this.call(
          'update issue',
          'PUT',
          joinPath(api, `issue/${issue.key}`),
          { fields: built.fields },
          signal,
        )
      : await this.call('create issue', 'POST', joinPath(api, 'issue'), { fields: built.fields }, signal);
    if (!written.ok) return written.result;
    return issue ? this.transition(issue, firing, signal) : { kind: 'ok' };
  }

  private async search(
    project: string,
    label: string,
    firing: boolean,
    signal: AbortSignal,
  ): Promise<Step<FoundIssue | null>> {
    const jql = jiraSearchJql(this.c, project, label, firing);
    const r = await this.call(
      'search issues',
      'POST',
      jiraSearchUrl(this.c),
      { fields: ['status'], jql, maxResults: 2 },
      signal,
    );
    if (!r.ok) return r;
    const issues = (r.value as { issues?: unknown } | null)?.issues;
    if (issues !== undefined && issues !== null && !Array.isArray(issues))
      return this.bad('search issues', 'issues is not a list');
    const first = (issues ?? [])[0] as
      { key?: unknown; fields?: { status?: { statusCategory?: { key?: unknown } } } } | undefined;
    if (!first) return { ok: true, value: null };
    // Several matches (Alertmanager logs it): the first, by the query's order, is the one kept.
    const category = first.fields?.status?.statusCategory?.key;
    return {
      ok: true,
      value: {
        key: typeof first.key === 'string' ? first.key : '',
        // No status → no transition (as Alertmanager).
        category: first.fields?.status ? String(category ?? '') : undefined,
      },
    };
  }

  private async transition(issue: FoundIssue, firing: boolean, signal: AbortSignal): Promise<SendResult> {
    if (issue.key === '' || issue.category === undefined) return { kind: 'ok' };
    const done = issue.category === 'done';
    // Firing reopens a done issue; a resolved group resolves an open one; anything else stays.
    if (firing !== done) return { kind: 'ok' };
    const name = String((firing ? this.c.reopen_transition : this.c.resolve_transition) ?? '');
    if (name === '') return { kind: 'ok' };
    const url = joinPath(String(this.c.api_url), `issue/${issue.key}/transitions`);
    const list = await this.call('list transitions', 'GET', url, undefined, signal);
    if (!list.ok) return list.result;
    const all = (list.value as { transitions?: unknown } | null)?.transitions;
    const t = (Array.isArray(all) ? (all as { id?: unknown; name?: unknown }[]) : []).find(
      (e) => e?.name === name,
    );
    if (!t)
      return {
        kind: 'give-up',
        reason: 'other',
        message: `can't find transition ${name} for issue ${issue.key}`,
      };
    const done2 = await this.call(
      'transition issue',
      'POST',
      url,
      { transition: { id: typeof t.id === 'string' ? t.id : String(t.id ?? '') } },
      signal,
    );
    return done2.ok ? { kind: 'ok' } : done2.result;
  }

  private bad(what: string, why: string): Step<never> {
    return { ok: false, result: { kind: 'give-up', reason: 'other', message: `${what}: ${why}` } };
  }

  /** One Jira API call; the parsed JSON answer ('' bodies → null), or the send result of its failure. */
  private async call(
    what: string,
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    body: unknown,
    signal: AbortSignal,
  ): Promise<Step<unknown>> {
    const r: HttpResult = await this.http.request({
      method,
      url,
      headers: {
        'Content-Type': 'application/json',
        'Accept-Language': 'en',
        'User-Agent': this.userAgent,
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
      timeoutMs: this.timeoutMs,
      signal,
    });
    const result = httpSendResult(r);
    if (result.kind !== 'ok') {
      const details = r.response ? jiraErrorDetails(r.response.body) : '';
      const status = r.response ? `unexpected status code ${r.response.status}` : result.message;
      return {
        ok: false,
        result: { ...result, message: `${what}: ${status}${details ? `: ${details}` : ''}` },
      };
    }
    const text = r.response?.body ?? '';
    if (text.trim() === '') return { ok: true, value: null };
    try {
      return { ok: true, value: JSON.parse(text) as unknown };
    } catch {
      // Only the search and transition list are read; a non-JSON answer there cannot be acted on.
      if (method === 'PUT' || what === 'create issue' || what === 'transition issue')
        return { ok: true, value: null };
      return this.bad(what, 'answer is not JSON');
    }
  }
}

export const jira = httpIntegration(JiraNotifier);
