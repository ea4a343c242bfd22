import { ConfigError } from '@herald/domain';
import { loadConfig } from '@herald/config';
import { testAlert, testNotification, testReceiver } from '../../../../test/harness/notifications';
import { buildReceivers, receiverSendsResolved } from '../receiver-factory';
import { emailMessage } from './email';
import { slackMessage } from './slack';
import { alertmanagerTemplates } from '@herald/domain';

const load = (yaml: string) => loadConfig({ env: {}, fileText: yaml, hostname: 'test' });
const templates = alertmanagerTemplates();

describe('receivers on Alertmanager templates', () => {
  it('renders Slack fields written in Go template syntax (no fallback to defaults)', () => {
    const { message } = slackMessage(
      {
        api_url: 'http://x',
        channel: '#alerts-{{ .CommonLabels.team }}',
        title: '{{ .Status | toUpper }} {{ .GroupLabels.alertname }} ({{ len .Alerts }})',
        text: '{{ range .Alerts }}{{ .Annotations.summary }};{{ end }}',
        send_resolved: true,
      },
      templates,
      testNotification(),
    );
    expect(message!.channel).toBe('#alerts-db');
    expect(message!.attachments[0]).toMatchObject({
      title: 'FIRING HighCPU (3)',
      text: 'CPU high on a;CPU high on b;CPU high on c;',
      color: 'danger',
      mrkdwn_in: ['fallback', 'pretext', 'text'],
    });
    expect(message!.username).toBe('Alertmanager');
  });

  it("uses Alertmanager's default Slack title for a field left out", () => {
    const { message } = slackMessage({ api_url: 'http://x' }, templates, testNotification());
    expect(message!.attachments[0].title).toBe('[FIRING:3] HighCPU (db)');
    expect(message!.attachments[0].fallback).toBe(
      '[FIRING:3] HighCPU (db) | http://herald.example:9093/#/alerts?receiver=team-db',
    );
  });

  it('a template failing at send time gives up with the template error (a retry would fail again)', () => {
    const { message, failure } = slackMessage(
      { api_url: 'http://x', title: '{{ template "nope" . }}' },
      templates,
      testNotification(),
    );
    expect(message).toBeNull();
    expect(failure).toMatchObject({ kind: 'give-up', reason: 'other' });
    expect(failure && failure.kind === 'give-up' && failure.message).toMatch(/template "nope" not defined/);
  });

  it('applies Slack max_alerts (Herald extra) before the template data is built', () => {
    const { message } = slackMessage(
      { api_url: 'http://x', max_alerts: 1, text: '{{ len .Alerts }}' },
      templates,
      testNotification(),
    );
    expect(message!.attachments[0].text).toBe('1');
  });

  it('renders e-mail subject, to/from and headers from templates; headers override', () => {
    const { message } = emailMessage(
      {
        to: 'db@example.com',
        headers: { 'X-Team': '{{ .CommonLabels.team }}', subject: 'custom {{ .Status }}' },
        html: '',
        text: '{{ range .Alerts.Firing }}{{ .Annotations.summary }}\n{{ end }}',
        send_resolved: true,
      },
      'herald@example.com',
      templates,
      testNotification(),
    );
    expect(message).toMatchObject({
      to: 'db@example.com',
      from: 'herald@example.com',
      subject: 'custom firing',
    });
    expect(message!.headers['X-Team']).toBe('db');
    expect(message!.text).toContain('CPU high on b');
    expect(message!.html).toBeUndefined();
  });

  it('uses implicit TLS on port 465 unless force_implicit_tls says otherwise (Alertmanager 0.28)', () => {
    const secure = (entry: Record<string, unknown>): unknown => {
      const cfg = load(`
route: { receiver: a }
receivers:
  - name: a
    email_configs: [${JSON.stringify({ to: 'a@b.c', from: 'h@b.c', ...entry })}]
`);
      const built = buildReceivers(cfg.receivers, cfg.global, { userAgent: 'Herald/test' });
      // The SMTP transport's options (the transport itself is made at the first send).
      const notifier = built.byName.get('a')![0].receiver as unknown as {
        options: { secure?: boolean };
      };
      return notifier.options.secure;
    };
    expect(secure({ smarthost: 'smtp.example:465' })).toBe(true);
    expect(secure({ smarthost: 'smtp.example:587' })).toBe(false);
    expect(secure({ smarthost: 'smtp.example:2525', force_implicit_tls: true })).toBe(true);
    expect(secure({ smarthost: 'smtp.example:465', force_implicit_tls: false })).toBe(false);
    expect(() => secure({ smarthost: 'smtp.example:25', force_implicit_tls: 'yes' })).toThrow(
      /email_configs\[0\]\.force_implicit_tls: must be true or false/,
    );
  });

  it('sends no e-mail for a resolved notification without send_resolved (the default)', () => {
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true)],
    });
    expect(emailMessage({ to: 'a@b.c', send_resolved: false }, 'h@b.c', templates, n).message).toBeNull();
  });
});

describe('config: receivers and templates', () => {
  it('a syntax error in a templated field stops start-up naming the field and position', () => {
    expect(() =>
      load(`
route: { receiver: a }
receivers:
  - name: a
    slack_configs: [{ api_url: 'http://x', title: '{{ .Status ' }]
`),
    ).toThrow(/receivers\[0\]\.slack_configs\[0\]\.title: template: :1:/);
  });

  it('an unknown function in a field stops start-up', () => {
    expect(() =>
      load(`
route: { receiver: a }
receivers:
  - name: a
    slack_configs: [{ api_url: 'http://x', text: '{{ shout .Status }}' }]
`),
    ).toThrow(ConfigError);
  });

  it('send_resolved defaults per kind as in Alertmanager', () => {
    const cfg = load(`
route: { receiver: a }
receivers:
  - name: a
    slack_configs: [{ api_url: 'http://x' }]
  - name: b
    webhook_configs: [{ url: 'http://x' }]
`);
    expect(receiverSendsResolved(cfg.receivers[0])).toBe(false);
    expect(receiverSendsResolved(cfg.receivers[1])).toBe(true);
  });

  it('refuses an unknown integration field, naming it (Alertmanager refuses it too)', () => {
    expect(() =>
      load(`
route: { receiver: a }
receivers:
  - name: a
    webhook_configs: [{ url: 'http://x', urll: 'http://y' }]
`),
    ).toThrow(/webhook_configs\[0\]\.urll: unknown field/);
  });

  it('refuses a newer Alertmanager field Herald does not implement rather than ignore it', () => {
    expect(() =>
      load(`
route: { receiver: a }
receivers:
  - name: a
    slack_configs: [{ api_url: 'http://x', update_message: true }]
`),
    ).toThrow(/update_message: an Alertmanager field Herald does not implement yet/);
  });

  it('a typo in an http_config stops start-up naming the field (global and per integration)', () => {
    expect(() =>
      load(`
global: { http_config: { folow_redirects: true } }
route: { receiver: a }
receivers: [{ name: a }]
`),
    ).toThrow(/global\.http_config\.folow_redirects: unknown field/);
    expect(() =>
      load(`
route: { receiver: a }
receivers:
  - name: a
    webhook_configs: [{ url: 'http://x', http_config: { basic_auth: { username: u }, bearer_token: t } }]
`),
    ).toThrow(/receivers\[0\]\.webhook_configs\[0\]\.http_config/);
  });

  it('builds integrations named <kind>[i]', () => {
    const built = buildReceivers(
      [
        testReceiver({
          webhookConfigs: [{ url: 'http://a' }, { url: 'http://b' }],
          slackConfigs: [{ api_url: 'http://x' }],
        }),
      ],
      { resolveTimeout: 300_000, raw: {} },
      { userAgent: 'Herald/test' },
    );
    expect(built.byName.get('team-db')!.map((i) => i.name)).toEqual(['webhook[0]', 'webhook[1]', 'slack[0]']);
  });

  it('reports every send attempt with its kind and classified result (metrics of retries by reason)', async () => {
    const events: { kind: string; integration: string; result: string }[] = [];
    const built = buildReceivers(
      [testReceiver({ webhookConfigs: [{ url: 'http://127.0.0.1:1/refused', timeout: '2s' }] })],
      { resolveTimeout: 300_000, raw: {} },
      {
        userAgent: 'Herald/test',
        onSend: (e) => events.push({ kind: e.kind, integration: e.integration, result: e.result.kind }),
      },
    );
    const r = await built.byName
      .get('team-db')![0]
      .receiver.send(testNotification(), new AbortController().signal);
    expect(r).toMatchObject({ kind: 'retry', reason: 'other' });
    expect(events).toEqual([{ kind: 'webhook', integration: 'webhook[0]', result: 'retry' }]);
  });
});
