import { createHash } from 'node:crypto';
import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import { httpAnswer, httpStatus, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import type { HttpResult } from '../http-client';
import {
  JiraNotifier,
  goQuote,
  isJiraV3,
  jiraErrorDetails,
  jiraGroupLabel,
  jiraSearchJql,
  jiraSearchUrl,
} from './jira';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const API = 'https://jira.example/rest/api/2';

/** An entry as the config check returns it (defaults applied). */
const C = {
  api_url: API,
  api_type: 'auto',
  project: 'OPS',
  issue_type: 'Bug',
  summary: { template: '{{ template "jira.default.summary" . }}', enable_update: true },
  description: { template: '{{ template "jira.default.description" . }}', enable_update: true },
  priority: '{{ template "jira.default.priority" . }}',
  labels: [] as string[],
  send_resolved: true,
};

const LABEL = `ALERT{${createHash('sha256').update('{}:{alertname="HighCPU"}').digest('hex')}}`;
const json = (status: number, body: unknown) => httpAnswer(status, JSON.stringify(body));
const found = (key: string, category: string) =>
  json(200, { issues: [{ key, fields: { status: { name: 'x', statusCategory: { key: category } } } }] });
const none = () => json(200, { issues: [] });
const resolvedAll = () =>
  testNotification({
    state: 'recovery',
    alerts: [testAlert({ alertname: 'HighCPU', instance: 'a' }, {}, true)],
  });

function notifier(c: Record<string, unknown>, ...results: HttpResult[]) {
  const http = scriptedHttpOr(() => httpStatus(204), results);
  return { http, n: new JiraNotifier(c, templates, http, 1000, 'UA') };
}
const body = (b: unknown) => JSON.parse(String(b)) as Record<string, any>;

describe('jira', () => {
  it('labels the group ALERT{hex sha256 of the group key}', () => {
    expect(jiraGroupLabel('{}:{alertname="HighCPU"}')).toBe(LABEL);
  });

  it("builds Alertmanager's JQL: open issues, or closed within reopen_duration when reopening", () => {
    expect(jiraSearchJql(C, 'OPS', 'L', true)).toBe(
      'statusCategory != Done and project="OPS" and labels="L" order by status ASC,resolutiondate DESC',
    );
    const reopen = {
      ...C,
      reopen_transition: 'Reopen',
      reopen_duration: '1h30m',
      wont_fix_resolution: "Won't Fix",
    };
    expect(jiraSearchJql(reopen, 'OPS', 'L', true)).toBe(
      `(resolution is EMPTY or resolution != "Won't Fix") and (resolutiondate is EMPTY OR resolutiondate >= -90m) and project="OPS" and labels="L" order by status ASC,resolutiondate DESC`,
    );
    // A resolved group only ever looks at open issues.
    expect(jiraSearchJql(reopen, 'OPS', 'L', false)).toContain(') and statusCategory != Done and project=');
    expect(goQuote('a"b\\c\nd\u0001é')).toBe('"a\\"b\\\\c\\nd\\x01é"');
  });

  it('searches v3 /search/jql on Cloud (api_type cloud, or auto on atlassian.net), else <api_url>/search', () => {
    expect(jiraSearchUrl({ ...C })).toBe(`${API}/search`);
    expect(jiraSearchUrl({ ...C, api_type: 'cloud' })).toBe('https://jira.example/rest/api/3/search/jql');
    expect(jiraSearchUrl({ ...C, api_url: 'https://x.atlassian.net/rest/api/2/' })).toBe(
      'https://x.atlassian.net/rest/api/3/search/jql',
    );
    expect(
      jiraSearchUrl({ ...C, api_type: 'datacenter', api_url: 'https://x.atlassian.net/rest/api/2' }),
    ).toBe('https://x.atlassian.net/rest/api/2/search');
    expect(isJiraV3('https://x/rest/api/3/')).toBe(true);
    expect(isJiraV3(API)).toBe(false);
  });

  it('first firing: searches, then creates the issue with the default templates and the group label', async () => {
    const { http, n } = notifier(C, none(), json(201, { key: 'OPS-1' }));
    expect(await n.send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(http.sent.map((r) => `${r.method} ${r.url}`)).toEqual([`POST ${API}/search`, `POST ${API}/issue`]);
    expect(http.sent[0].headers).toMatchObject({
      'Content-Type': 'application/json',
      'Accept-Language': 'en',
      'User-Agent': 'UA',
    });
    const search = body(http.sent[0].body);
    expect(search).toEqual({
      fields: ['status'],
      jql: expect.stringContaining(`labels="${LABEL}"`),
      maxResults: 2,
    });
    const f = body(http.sent[1].body).fields;
    // No severity label: the default priority is empty, so no priority is sent.
    expect(Object.keys(f)).toEqual(['description', 'issuetype', 'labels', 'project', 'summary']);
    expect(f.project).toEqual({ key: 'OPS' });
    expect(f.issuetype).toEqual({ name: 'Bug' });
    expect(f.labels).toEqual([LABEL]);
    expect(f.summary).toMatch(/^\[FIRING:3\] HighCPU/);
    expect(typeof f.description).toBe('string');
  });

  it('the default priority follows the highest severity (critical → High)', async () => {
    const alerts = [
      testAlert({ alertname: 'HighCPU', instance: 'a', severity: 'warning' }),
      testAlert({ alertname: 'HighCPU', instance: 'b', severity: 'critical' }),
    ];
    const { http, n } = notifier(C, none(), json(201, {}));
    await n.send(testNotification({ alerts }), signal);
    expect(body(http.sent[1].body).fields.priority).toEqual({ name: 'High' });
  });

  it('templated labels are sorted with the group label; custom fields are expanded deeply and override', async () => {
    const c = {
      ...C,
      priority: '',
      labels: ['{{ .CommonLabels.team }}', 'alertmanager'],
      fields: {
        customfield_1: { value: '{{ .Status }}' },
        customfield_2: [1, '{{ .GroupLabels.alertname }}'],
        summary: 'S',
      },
    };
    const { http, n } = notifier(c, none(), json(201, {}));
    expect(await n.send(testNotification(), signal)).toEqual({ kind: 'ok' });
    const f = body(http.sent[1].body).fields;
    expect(f.labels).toEqual([LABEL, 'alertmanager', 'db'].sort());
    expect(f.customfield_1).toEqual({ value: 'firing' });
    expect(f.customfield_2).toEqual([1, 'HighCPU']);
    expect(f.summary).toBe('S');
    expect(f).not.toHaveProperty('priority');
  });

  it('custom field values are read as YAML after expansion (as Alertmanager): numbers, lists, maps; text stays text', async () => {
    const c = {
      ...C,
      fields: {
        customfield_n: '{{ len .Alerts }}',
        customfield_l: '[a, "{{ .Status }}"]',
        customfield_m: { '{{ .Status }}_key': 'k: v' },
        customfield_t: 'CPU high on {{ .CommonLabels.team }}, and more',
        customfield_s: '{{ .Status }}',
        customfield_d: '2024-01-02',
        customfield_e: '{{ "" }}',
      },
    };
    const { http, n } = notifier(c, none(), json(201, {}));
    await n.send(testNotification(), signal);
    const f = body(http.sent[1].body).fields;
    expect(f.customfield_n).toBe(3);
    expect(f.customfield_l).toEqual(['a', 'firing']);
    expect(f.customfield_m).toEqual({ firing_key: { k: 'v' } });
    expect(f.customfield_t).toBe('CPU high on db, and more');
    expect(f.customfield_s).toBe('firing');
    expect(f.customfield_d).toBe('2024-01-02');
    expect(f.customfield_e).toBeNull();
  });

  it('cuts the summary to 255 runes and the description to 32767', async () => {
    const c = {
      ...C,
      summary: {
        template:
          '{{ range .Alerts }}ééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé{{ end }}',
        enable_update: true,
      },
      description: { template: `{{ "${'x'.repeat(40000)}" }}`, enable_update: true },
    };
    const { http, n } = notifier(c, none(), json(201, {}));
    await n.send(testNotification(), signal);
    const f = body(http.sent[1].body).fields;
    expect([...f.summary]).toHaveLength(255);
    expect(f.summary.endsWith('…')).toBe(true);
    expect([...f.description]).toHaveLength(32767);
  });

  it('API v3: the description is ADF JSON sent as an object; invalid JSON gives up', async () => {
    const v3 = { ...C, api_url: 'https://jira.example/rest/api/3' };
    const adf = '{"type":"doc","version":1,"content":[]}';
    const ok = notifier(
      { ...v3, description: { template: ` ${adf}\n`, enable_update: true } },
      none(),
      json(201, {}),
    );
    await ok.n.send(testNotification(), signal);
    expect(body(ok.http.sent[1].body).fields.description).toEqual(JSON.parse(adf));
    const bad = notifier({ ...v3, description: { template: 'not json', enable_update: true } }, none());
    expect(await bad.n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      message: expect.stringMatching(/invalid JSON for API v3/),
    });
    expect(bad.http.sent).toHaveLength(1);
  });

  it('refire of an open issue: PUT update, no transition; enable_update false keeps summary/description out', async () => {
    const c = { ...C, summary: { ...C.summary, enable_update: false }, resolve_transition: 'Done' };
    const { http, n } = notifier(c, found('OPS-7', 'indeterminate'), httpStatus(204));
    expect(await n.send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(http.sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${API}/search`,
      `PUT ${API}/issue/OPS-7`,
    ]);
    const f = body(http.sent[1].body).fields;
    expect(f).not.toHaveProperty('summary');
    expect(f).toHaveProperty('description');
  });

  it('resolved group: update, then the resolve transition found by name', async () => {
    const c = { ...C, resolve_transition: 'Done' };
    const transitions = json(200, {
      transitions: [
        { id: '11', name: 'Start' },
        { id: '31', name: 'Done' },
      ],
    });
    const { http, n } = notifier(c, found('OPS-7', 'new'), httpStatus(204), transitions, httpStatus(204));
    expect(await n.send(resolvedAll(), signal)).toEqual({ kind: 'ok' });
    expect(http.sent.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST ${API}/search`,
      `PUT ${API}/issue/OPS-7`,
      `GET ${API}/issue/OPS-7/transitions`,
      `POST ${API}/issue/OPS-7/transitions`,
    ]);
    expect(http.sent[2].body).toBeUndefined();
    expect(body(http.sent[3].body)).toEqual({ transition: { id: '31' } });
  });

  it('resolved group without an open issue: nothing created', async () => {
    const { http, n } = notifier(C, none());
    expect(await n.send(resolvedAll(), signal)).toMatchObject({ kind: 'ok', skipped: expect.any(String) });
    expect(http.sent).toHaveLength(1);
  });

  it('without send_resolved a resolved group sends nothing at all', async () => {
    const { http, n } = notifier({ ...C, send_resolved: false });
    expect(await n.send(resolvedAll(), signal)).toMatchObject({ kind: 'ok', skipped: expect.any(String) });
    expect(http.sent).toHaveLength(0);
  });

  it('firing again on a done issue: reopen transition; an unknown transition name gives up', async () => {
    const c = { ...C, reopen_transition: 'Reopen', reopen_duration: '1h' };
    const list = () => json(200, { transitions: [{ id: '21', name: 'Reopen' }] });
    const a = notifier(c, found('OPS-7', 'done'), httpStatus(204), list(), httpStatus(204));
    expect(await a.n.send(testNotification(), signal)).toEqual({ kind: 'ok' });
    expect(body(a.http.sent[3].body)).toEqual({ transition: { id: '21' } });
    expect(body(a.http.sent[0].body).jql).toContain('resolutiondate >= -60m');
    const b = notifier(
      { ...c, reopen_transition: 'Open again' },
      found('OPS-7', 'done'),
      httpStatus(204),
      list(),
    );
    expect(await b.n.send(testNotification(), signal)).toEqual({
      kind: 'give-up',
      reason: 'other',
      message: "can't find transition Open again for issue OPS-7",
    });
  });

  it('429 and 5xx are retried (Retry-After kept); 400 gives up with Jira errorMessages and errors', async () => {
    const r429: HttpResult = {
      outcome: { kind: 'http', status: 429, retryAfterMs: 3000 },
      message: 'HTTP 429',
      response: { status: 429, headers: {}, body: '' },
    };
    expect(await notifier(C, r429).n.send(testNotification(), signal)).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
      retryAfterMs: 3000,
    });
    expect(
      await notifier(C, none(), httpAnswer(503, 'busy')).n.send(testNotification(), signal),
    ).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
      message: 'create issue: unexpected status code 503: busy',
    });
    const err = json(400, { errorMessages: ['Bad JQL'], errors: { issuetype: 'issue type is required' } });
    expect(await notifier(C, none(), err).n.send(testNotification(), signal)).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      status: 400,
      message: 'create issue: unexpected status code 400: Bad JQL; issuetype: issue type is required',
    });
    expect(await notifier(C, json(401, {})).n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      reason: 'authError',
    });
    expect(jiraErrorDetails('<html>oops</html>')).toBe('<html>oops</html>');
  });

  it('a search answer that is not JSON gives up; a template error gives up naming it', async () => {
    expect(await notifier(C, httpAnswer(200, 'nope')).n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      message: 'search issues: answer is not JSON',
    });
    const bad = notifier({ ...C, project: '{{ template "nope" . }}' });
    expect(await bad.n.send(testNotification(), signal)).toMatchObject({
      kind: 'give-up',
      message: expect.stringMatching(/^project template: /),
    });
    expect(bad.http.sent).toHaveLength(0);
  });
});
