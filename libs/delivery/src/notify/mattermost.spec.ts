import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { httpStatus, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import {
  MATTERMOST_MAX_TEXT_RUNES,
  MattermostNotifier,
  mattermostMessage,
  shadowedByAttachments,
} from './mattermost';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;

const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => httpStatus(200), results);

const URL = 'http://mm.example/hooks/x';

describe('mattermost request', () => {
  it("defaults: username, one attachment with Alertmanager's title/link/fallback/colour/text; no top-level text", () => {
    const { message } = mattermostMessage(
      { webhook_url: URL, send_resolved: true },
      templates,
      testNotification(),
    );
    expect(Object.keys(message!)).toEqual(['username', 'attachments']);
    expect(message!.username).toBe('Alertmanager');
    const a = message!.attachments![0];
    expect(a).toMatchObject({
      title: '[FIRING:3] HighCPU (db)',
      title_link: 'http://herald.example:9093/#/alerts?receiver=team-db',
      fallback: '[FIRING:3] HighCPU (db) | http://herald.example:9093/#/alerts?receiver=team-db',
      color: 'danger',
    });
    expect(a.text).toMatch(/^\n\n# Alerts Firing:\n/);
    expect(Object.keys(a)).toEqual(['fallback', 'color', 'text', 'title', 'title_link']);
  });

  it('resolved: colour good', () => {
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true)],
    });
    const { message } = mattermostMessage({ send_resolved: true }, templates, n);
    expect(message!.attachments![0].color).toBe('good');
  });

  it('fields: title/value templated, short only when configured', () => {
    const { message } = mattermostMessage(
      {
        send_resolved: true,
        fields: [
          { title: 'Team', value: '{{ .CommonLabels.team }}', short: false },
          { title: 'N', value: '{{ len .Alerts }}' },
        ],
      },
      templates,
      testNotification(),
    );
    expect(message!.attachments![0].fields).toEqual([
      { title: 'Team', value: 'db', short: false },
      { title: 'N', value: '3' },
    ]);
  });

  it('own attachments: rendered as written (no defaults), text moves to the post', () => {
    const { message } = mattermostMessage(
      {
        send_resolved: true,
        channel: 'ops-{{ .CommonLabels.team }}',
        text: 'post {{ .Status }}',
        color: 'ignored-here',
        attachments: [{ title: 'A {{ .Status }}', color: '#ff0000' }, { pretext: 'p' }],
      },
      templates,
      testNotification(),
    );
    expect(message).toEqual({
      channel: 'ops-db',
      username: 'Alertmanager',
      text: 'post firing',
      attachments: [{ title: 'A firing', color: '#ff0000' }, { pretext: 'p' }],
    });
  });

  it('props.card, type, icons, and priority normalised as Alertmanager does', () => {
    const base = { send_resolved: true, attachments: [{ text: 'x' }], text: '' };
    const m = (priority: Record<string, unknown>) =>
      mattermostMessage(
        {
          ...base,
          priority,
          props: { card: 'card {{ .Status }}' },
          type: 'custom_x',
          icon_emoji: ':a:',
          icon_url: 'https://i',
        },
        templates,
        testNotification(),
      ).message!;
    expect(m({ priority: 'URGENT', requested_ack: true, persistent_notifications: true })).toMatchObject({
      type: 'custom_x',
      icon_emoji: ':a:',
      icon_url: 'https://i',
      props: { card: 'card firing' },
      priority: { priority: 'urgent', requested_ack: true, persistent_notifications: true },
    });
    expect(
      m({ priority: 'important', requested_ack: true, persistent_notifications: true }).priority,
    ).toEqual({
      priority: 'important',
      requested_ack: true,
    });
    expect(m({ priority: 'whatever', requested_ack: true }).priority).toEqual({ priority: 'standard' });
    expect(m({ priority: '' }).priority).toBeUndefined();
  });

  it(`truncates the post text to ${MATTERMOST_MAX_TEXT_RUNES} runes`, () => {
    const { message, truncated } = mattermostMessage(
      {
        send_resolved: true,
        attachments: [{ text: 'a' }],
        text: '{{ range $i := .Alerts }}' + 'é'.repeat(6000) + '{{ end }}',
      },
      templates,
      testNotification(),
    );
    expect(truncated).toBe(true);
    expect([...message!.text!]).toHaveLength(MATTERMOST_MAX_TEXT_RUNES);
    expect(message!.text!.endsWith('…')).toBe(true);
  });

  it('sends JSON; an error names the channel; a missing URL file gives up', async () => {
    const http = scriptedHttp({
      outcome: { kind: 'http', status: 400 },
      message: 'HTTP 400: No text specified',
    });
    const r = await new MattermostNotifier(
      { webhook_url: URL, channel: 'c1' },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: 'channel "c1": HTTP 400: No text specified',
    });
    expect(http.sent[0]).toMatchObject({
      url: URL,
      headers: { 'Content-Type': 'application/json', 'User-Agent': 'UA' },
    });
    const missing = await new MattermostNotifier(
      { webhook_url_file: '/nonexistent/mm' },
      templates,
      scriptedHttp(),
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(missing).toMatchObject({ kind: 'give-up', message: expect.stringMatching(/webhook_url_file/) });
  });

  it('names the entry-level attachment fields that own attachments make ineffective (start-up warning)', () => {
    expect(
      shadowedByAttachments({ title: 't', color: 'c', text: 'x', fields: [], attachments: [{}] }),
    ).toEqual(['color', 'title', 'fields']);
    expect(shadowedByAttachments({ title: 't' })).toEqual([]);
  });
});
