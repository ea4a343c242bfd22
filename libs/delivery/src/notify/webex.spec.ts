import { alertmanagerTemplates } from '@herald/domain';
import { testAlert, testNotification } from '../../../../test/harness/notifications';
import type { HttpResult } from '../http-client';
import { httpStatus, scriptedHttpOr } from '../../../../test/harness/notify-specs';
import { WEBEX_MAX_MESSAGE_BYTES, WebexNotifier, webexMessage } from './webex';

const templates = alertmanagerTemplates();
const signal = new AbortController().signal;
const API = 'http://webex.example/v1/messages';

const scriptedHttp = (...results: HttpResult[]) => scriptedHttpOr(() => httpStatus(200), results);

describe('webex message', () => {
  it("defaults: Alertmanager's webex.default.message as markdown, roomId", () => {
    const { message } = webexMessage({ room_id: 'r1', send_resolved: true }, templates, testNotification());
    expect(Object.keys(message!)).toEqual(['markdown', 'roomId']);
    expect(message!.roomId).toBe('r1');
    expect(message!.markdown).toMatch(/^\n\nAlerts Firing:\nLabels:\n - alertname = HighCPU\n/);
  });

  it('room_id is expanded as a template (HEAD) and left out when it expands to ""', () => {
    const c = { room_id: 'room-{{ .CommonLabels.team }}', message: 'm', send_resolved: true };
    expect(webexMessage(c, templates, testNotification()).message).toEqual({
      markdown: 'm',
      roomId: 'room-db',
    });
    expect(
      webexMessage({ ...c, room_id: '{{ .CommonLabels.nope }}' }, templates, testNotification()).message,
    ).toEqual({ markdown: 'm' });
  });

  it('truncates the markdown to 7439 bytes on a rune boundary, ending in …', () => {
    const { message } = webexMessage(
      { room_id: 'r', message: '€'.repeat(3000), send_resolved: true },
      templates,
      testNotification(),
    );
    expect(Buffer.byteLength(message!.markdown)).toBeLessThanOrEqual(WEBEX_MAX_MESSAGE_BYTES);
    expect(Buffer.byteLength(message!.markdown)).toBeGreaterThan(WEBEX_MAX_MESSAGE_BYTES - 3);
    expect(message!.markdown.endsWith('€…')).toBe(true);
  });

  it('nothing to send for resolved alerts without send_resolved; template errors give up', () => {
    const n = testNotification({ state: 'recovery', alerts: [testAlert({ alertname: 'X' }, {}, true)] });
    expect(webexMessage({ room_id: 'r', send_resolved: false }, templates, n).message).toBeNull();
    expect(
      webexMessage({ room_id: 'r', message: '{{ template "x" . }}' }, templates, testNotification()).failure,
    ).toMatchObject({
      kind: 'give-up',
    });
  });
});

describe('WebexNotifier', () => {
  it('POSTs JSON to api_url', async () => {
    const http = scriptedHttp();
    const r = await new WebexNotifier(
      { api_url: API, room_id: 'r1', send_resolved: true },
      templates,
      http,
      1000,
      'UA',
    ).send(testNotification(), signal);
    expect(r).toEqual({ kind: 'ok' });
    expect(http.sent[0]).toMatchObject({ url: API, headers: { 'Content-Type': 'application/json' } });
    expect(JSON.parse(String(http.sent[0].body)).roomId).toBe('r1');
  });

  it('401 gives up as authError, 503 is retried', async () => {
    const http = scriptedHttp(
      {
        outcome: { kind: 'http', status: 401 },
        message: 'HTTP 401: {"message":"The request requires a valid access token"}',
      },
      { outcome: { kind: 'http', status: 503 }, message: 'HTTP 503' },
    );
    const n = new WebexNotifier(
      { api_url: API, room_id: 'r1', send_resolved: true },
      templates,
      http,
      1000,
      'UA',
    );
    expect(await n.send(testNotification(), signal)).toMatchObject({ kind: 'give-up', reason: 'authError' });
    expect(await n.send(testNotification(), signal)).toMatchObject({ kind: 'retry', reason: 'serverError' });
  });
});
