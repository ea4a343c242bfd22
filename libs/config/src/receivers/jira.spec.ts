import { type Json, loadedEntry } from '../../../../test/harness/notify-specs';

const entry = (c: Json, global: Json = {}) => loadedEntry('jira', c, global);

const API = 'https://jira.example/rest/api/2';
const MIN = { api_url: API, project: 'OPS', issue_type: 'Bug' };

describe('jira_configs check', () => {
  it("applies Alertmanager's defaults (templates, api_type auto, send_resolved true)", () => {
    expect(entry(MIN)).toEqual({
      ...MIN,
      api_type: 'auto',
      summary: { template: '{{ template "jira.default.summary" . }}', enable_update: true },
      description: { template: '{{ template "jira.default.description" . }}', enable_update: true },
      priority: '{{ template "jira.default.priority" . }}',
      labels: [],
      send_resolved: true,
    });
  });

  it('takes api_url from global.jira_api_url, the entry api_url over it; one of them is required', () => {
    const g = { jira_api_url: 'https://x.atlassian.net/rest/api/3' };
    const { api_url: _, ...noUrl } = MIN;
    expect(entry(noUrl, g).api_url).toBe(g.jira_api_url);
    expect(entry(MIN, g).api_url).toBe(API);
    expect(() => entry(noUrl)).toThrow(
      /jira_configs\[0\]\.api_url: required: set api_url here or global\.jira_api_url/,
    );
    expect(() => entry({ ...MIN, api_url: 'nope' })).toThrow(/jira_configs\[0\]\.api_url/);
    expect(() => entry(noUrl, { jira_api_url: 'ftp://x' })).toThrow(/global\.jira_api_url/);
  });

  it('requires project and issue_type', () => {
    expect(() => entry({ api_url: API, issue_type: 'Bug' })).toThrow(
      /jira_configs\[0\]\.project: missing project/,
    );
    expect(() => entry({ api_url: API, project: 'OPS' })).toThrow(
      /jira_configs\[0\]\.issue_type: missing issue_type/,
    );
    expect(() => entry({ ...MIN, project: '' })).toThrow(/\.project: missing project/);
  });

  it('api_type is auto, cloud or datacenter', () => {
    expect(entry({ ...MIN, api_type: 'datacenter' }).api_type).toBe('datacenter');
    expect(() => entry({ ...MIN, api_type: 'server' })).toThrow(
      /jira_configs\[0\]\.api_type: unknown api_type "server", must be auto, cloud or datacenter/,
    );
  });

  it('summary/description take a string or {template, enable_update}; a missing template keeps the default', () => {
    const e = entry({ ...MIN, summary: 'S {{ .Status }}', description: { enable_update: false } });
    expect(e.summary).toEqual({ template: 'S {{ .Status }}', enable_update: true });
    expect(e.description).toEqual({
      template: '{{ template "jira.default.description" . }}',
      enable_update: false,
    });
    expect(() => entry({ ...MIN, summary: { template: 'x', enable: true } })).toThrow(
      /jira_configs\[0\]\.summary\.enable: unknown field/,
    );
    expect(() => entry({ ...MIN, summary: { enable_update: 'no' } })).toThrow(
      /summary\.enable_update: must be true or false/,
    );
  });

  it('keeps an explicit empty priority (no priority sent), labels, transitions and custom fields', () => {
    const e = entry({
      ...MIN,
      priority: '',
      labels: ['a', '{{ .CommonLabels.team }}'],
      reopen_transition: 'Reopen',
      resolve_transition: 'Done',
      wont_fix_resolution: "Won't Fix",
      reopen_duration: '1h',
      fields: { customfield_1: { value: '{{ .Status }}' }, customfield_2: [1, 'x'] },
    });
    expect(e).toMatchObject({
      priority: '',
      labels: ['a', '{{ .CommonLabels.team }}'],
      reopen_duration: '1h',
    });
    expect(() => entry({ ...MIN, reopen_duration: 'soon' })).toThrow(/jira_configs\[0\]\.reopen_duration/);
    expect(() => entry({ ...MIN, labels: ['a', 3] })).toThrow(
      /jira_configs\[0\]\.labels\[1\]: must be a string/,
    );
    expect(() => entry({ ...MIN, resolve_transition: 5 })).toThrow(/\.resolve_transition: must be a string/);
  });

  it('refuses unknown fields', () => {
    expect(() => entry({ ...MIN, custom_fields: {} })).toThrow(
      /jira_configs\[0\]\.custom_fields: unknown field/,
    );
  });

  it.each([
    ['project', { project: '{{ if }}' }, 'project'],
    ['issue_type', { issue_type: '{{ if }}' }, 'issue_type'],
    ['summary', { summary: '{{ if }}' }, 'summary'],
    ['description.template', { description: { template: '{{ if }}' } }, 'description\\.template'],
    ['priority', { priority: '{{ if }}' }, 'priority'],
    ['labels[0]', { labels: ['{{ if }}'] }, 'labels\\[0\\]'],
    [
      'fields.customfield_1.value',
      { fields: { customfield_1: { value: '{{ if }}' } } },
      'fields\\.customfield_1\\.value',
    ],
    [
      'a nested key of fields',
      { fields: { customfield_1: { '{{ if }}': 'x' } } },
      'fields\\.customfield_1\\.\\{\\{ if \\}\\}',
    ],
  ])('refuses a template syntax error in %s, naming it', (_name, patch, re) => {
    expect(() => entry({ ...MIN, ...patch })).toThrow(new RegExp(`jira_configs\\[0\\]\\.${re}: `));
  });
});
