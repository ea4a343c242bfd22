import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { httpStatus, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import { MSTeamsV2Notifier, msteamsv2Message } from './msteamsv2';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;

const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => httpStatus(200), results);

describe('msteamsv2 Adaptive Card', () => {
  it('one adaptive card: heading TextBlock (title, Attention when firing) and a wrapped text block', () => {
    const { message } = msteamsv2Message(
      { webhook_url: 'http://x', send_resolved: true },
      templates,
      testNotification(),
    );
    const card = message!.attachments[0];
    expect(message!.type).toBe('message');
    expect(card.contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(card.contentUrl).toBeNull();
    expect(card.content).toMatchObject({
      $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
      type: 'AdaptiveCard',
      version: '1.2',
      msteams: { width: 'full' },
    });
    expect(card.content.body[0]).toEqual({
      type: 'TextBlock',
      text: '[FIRING:3] HighCPU (db)',
      weight: 'Bolder',
      size: 'Medium',
      wrap: true,
      style: 'heading',
      color: 'Attention',
    });
    expect(Object.keys(card.content.body[1])).toEqual(['type', 'text', 'wrap']);
    expect(card.content.body[1].text).toMatch(/# Alerts Firing:/);
    // contentUrl is sent as null (Alertmanager's *string), not left out.
    expect(JSON.stringify(message)).toContain('"contentUrl":null');
  });

  it('resolved group: title colour Good; custom title and text', () => {
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true)],
    });
    const { message } = msteamsv2Message(
      { send_resolved: true, title: 'T {{ .Status }}', text: '{{ len .Alerts }}' },
      templates,
      n,
    );
    expect(message!.attachments[0].content.body).toEqual([
      {
        type: 'TextBlock',
        text: 'T resolved',
        weight: 'Bolder',
        size: 'Medium',
        wrap: true,
        style: 'heading',
        color: 'Good',
      },
      { type: 'TextBlock', text: '1', wrap: true },
    ]);
  });

  it('a failing template gives up', () => {
    expect(
      msteamsv2Message({ title: '{{ template "x" . }}' }, templates, testNotification()).failure,
    ).toMatchObject({
      kind: 'give-up',
    });
  });

  it('POSTs the card as JSON; a 400 is given up with the vendor message', async () => {
    const http = scriptedHttp({
      outcome: { kind: 'http', status: 400 },
      message: 'HTTP 400: InvalidRequestContent',
    });
    const r = await new MSTeamsV2Notifier(
      { webhook_url: 'http://flow.example/x' },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: 'HTTP 400: InvalidRequestContent',
    });
    expect(http.sent[0]).toMatchObject({
      url: 'http://flow.example/x',
      headers: { 'Content-Type': 'application/json' },
    });
  });
});
