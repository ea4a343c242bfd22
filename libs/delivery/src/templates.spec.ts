import type { GlobalConfig } from '@herald/config';
import { testAlert, testNotification, testReceiver } from '../../../test/harness/notifications';
import { buildReceivers, receiverSendsResolved } from './receiver-factory';
import { slackMessage, type SlackReceiverConfig } from './slack.receiver';
import { emailMessage, type EmailReceiverConfig } from './email.receiver';
import {
  compileTemplate,
  DEFAULT_EMAIL_HTML,
  DEFAULT_EMAIL_TEXT,
  DEFAULT_TITLE,
  templateData,
} from './templates';

const global: GlobalConfig = { resolveTimeout: 300_000, raw: {} };

describe('templates', () => {
  it("renders Alertmanager's default title: [FIRING:3] HighCPU (db)", () => {
    const n = testNotification();
    expect(compileTemplate(DEFAULT_TITLE)(templateData(n.payload, n.receiver))).toBe(
      '[FIRING:3] HighCPU (db)',
    );
  });

  it('renders [RESOLVED] without a count', () => {
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU', instance: 'a', team: 'db' }, {}, true)],
    });
    expect(compileTemplate(DEFAULT_TITLE)(templateData(n.payload, n.receiver))).toBe(
      '[RESOLVED] HighCPU (a db)',
    );
  });

  it('gives custom templates the Alertmanager field names', () => {
    const t = compileTemplate(
      '{{Receiver}} {{Status}} {{CommonLabels.team}} {{Alerts.length}}/{{Alerts.Firing.length}} {{ExternalURL}}',
    );
    const n = testNotification();
    expect(t(templateData(n.payload, n.receiver))).toBe('team-db firing db 3/3 http://herald.example:9093');
  });

  it('escapes HTML in HTML templates only', () => {
    const n = testNotification({ alerts: [testAlert({ alertname: 'X' }, { summary: '<b>hi</b>' })] });
    const d = templateData(n.payload, n.receiver);
    expect(compileTemplate(DEFAULT_EMAIL_HTML, { html: true })(d)).toContain('&lt;b&gt;hi&lt;/b&gt;');
    expect(compileTemplate(DEFAULT_EMAIL_TEXT)(d)).toContain('<b>hi</b>');
  });

  it('rejects a template with a syntax error at compile time', () => {
    expect(() => compileTemplate('{{#if Status}}unclosed')).toThrow();
  });
});

describe('buildReceivers', () => {
  it('falls back to the default and warns for Go templates', () => {
    const built = buildReceivers(
      [
        testReceiver({
          slackConfigs: [
            { api_url: 'http://127.0.0.1:1/slack', title: '{{ template "slack.default.title" . }}' },
          ],
        }),
      ],
      global,
      { userAgent: 'Herald/test' },
    );
    expect(built.warnings.join('\n')).toMatch(
      /slack_configs\[0\]\.title: Go template syntax is not supported/,
    );
    expect(built.byName.get('team-db')?.map((i) => i.name)).toEqual(['slack[0]']);
  });

  it('reports unsupported kinds and http_config fields', () => {
    const built = buildReceivers(
      [
        testReceiver({
          unsupportedKinds: ['pagerduty_configs'],
          webhookConfigs: [{ url: 'http://127.0.0.1:1/', http_config: { proxy_url: 'http://proxy' } }],
        }),
      ],
      global,
      { userAgent: 'Herald/test' },
    );
    expect(built.warnings).toEqual([
      'receiver team-db: pagerduty_configs is not supported by Herald yet',
      'receivers.team-db.webhook_configs[0].http_config.proxy_url is not supported by Herald yet and is ignored',
    ]);
  });

  it('derives send_resolved per receiver with Alertmanager defaults', () => {
    expect(receiverSendsResolved(testReceiver({ webhookConfigs: [{ url: 'http://x' }] }))).toBe(true);
    expect(receiverSendsResolved(testReceiver({ slackConfigs: [{ api_url: 'http://x' }] }))).toBe(false);
    expect(receiverSendsResolved(testReceiver({ emailConfigs: [{ to: 'a@b', send_resolved: true }] }))).toBe(
      true,
    );
  });
});

describe('slack message', () => {
  it('has the incoming-webhook attachment shape with a readable default text', () => {
    const built = buildReceivers(
      [
        testReceiver({
          slackConfigs: [
            { api_url: 'http://x', channel: '#alerts-{{CommonLabels.team}}', send_resolved: true },
          ],
        }),
      ],
      global,
      { userAgent: 'Herald/test' },
    );
    const cfg = (built.byName.get('team-db')![0].receiver as unknown as { cfg: SlackReceiverConfig }).cfg;
    const msg = slackMessage(cfg, testNotification())!;
    expect(msg.channel).toBe('#alerts-db');
    expect(msg.username).toBe('Herald');
    expect(msg.attachments[0]).toMatchObject({
      title: '[FIRING:3] HighCPU (db)',
      title_link: 'http://herald.example:9093',
      color: 'danger',
      mrkdwn_in: ['fallback', 'pretext', 'text'],
    });
    expect(msg.attachments[0].text.split('\n')[0]).toBe('*[FIRING]* CPU high on a');
    expect(msg.attachments[0].text).toContain('`alertname=HighCPU` `instance=a` `team=db`');
  });
  it('applies its own max_alerts: the notification carries every alert', () => {
    const built = buildReceivers(
      [
        testReceiver({
          slackConfigs: [
            { api_url: 'http://x', max_alerts: 1, text: '{{len Alerts}}+{{TruncatedAlerts}}' },
            { api_url: 'http://y', text: '{{len Alerts}}+{{TruncatedAlerts}}' },
          ],
        }),
      ],
      global,
      { userAgent: 'Herald/test' },
    );
    const [one, all] = built.byName
      .get('team-db')!
      .map((i) =>
        slackMessage((i.receiver as unknown as { cfg: SlackReceiverConfig }).cfg, testNotification())!,
      );
    expect(one.attachments[0].text).toBe('1+2');
    expect(all.attachments[0].text).toBe('3+0');
  });
});

describe('email message', () => {
  it('renders subject, to/from, HTML and text, and lets headers override', () => {
    const built = buildReceivers(
      [
        testReceiver({
          emailConfigs: [
            {
              to: 'db@example.com',
              from: 'herald@example.com',
              smarthost: '127.0.0.1:25',
              headers: { 'X-Team': '{{CommonLabels.team}}' },
            },
          ],
        }),
      ],
      global,
      { userAgent: 'Herald/test' },
    );
    const cfg = (built.byName.get('team-db')![0].receiver as unknown as { cfg: EmailReceiverConfig }).cfg;
    const m = emailMessage(cfg, testNotification())!;
    expect(m).toMatchObject({
      to: 'db@example.com',
      from: 'herald@example.com',
      subject: '[FIRING:3] HighCPU (db)',
    });
    expect(m.headers['X-Team']).toBe('db');
    expect(m.html).toContain('[3] Firing');
    expect(m.text).toContain('CPU high on b');
  });

  it('sends nothing for a resolved notification without send_resolved (the default)', () => {
    const built = buildReceivers(
      [
        testReceiver({
          emailConfigs: [{ to: 'db@example.com', from: 'h@example.com', smarthost: '127.0.0.1:25' }],
        }),
      ],
      global,
      { userAgent: 'Herald/test' },
    );
    const cfg = (built.byName.get('team-db')![0].receiver as unknown as { cfg: EmailReceiverConfig }).cfg;
    const n = testNotification({
      state: 'recovery',
      alerts: [testAlert({ alertname: 'HighCPU' }, {}, true)],
    });
    expect(emailMessage(cfg, n)).toBeNull();
  });
});
