import { mattermost } from './mattermost';
import { checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].mattermost_configs[0]';
const check = checkerOf(mattermost, P);
const URL = 'https://chat.example/hooks/abc';

describe('mattermost_configs check', () => {
  it('accepts every Alertmanager field', () => {
    const c = {
      webhook_url: URL,
      channel: 'town-square',
      username: 'am',
      icon_url: 'https://i/x.png',
      icon_emoji: ':fire:',
      type: 'custom_alert',
      text: 't',
      fallback: 'f',
      color: '#f00',
      pretext: 'p',
      author_name: 'a',
      author_link: 'https://a',
      author_icon: 'https://a/i',
      title: 'T',
      title_link: 'https://t',
      thumb_url: 'https://th',
      footer: 'ft',
      footer_icon: 'https://fi',
      image_url: 'https://im',
      fields: [{ title: 'Sev', value: '{{ .CommonLabels.severity }}', short: true }],
      attachments: [{ title: 'A', text: 'x', fields: [{ title: 'a', value: 'b' }] }],
      props: { card: '{{ .Status }}' },
      priority: { priority: 'urgent', requested_ack: true, persistent_notifications: true },
    };
    expect(check(c)).toEqual(c);
  });

  it('takes global.mattermost_webhook_url (or _file) when the entry sets neither', () => {
    expect(check({}, { mattermost_webhook_url: URL })).toEqual({ webhook_url: URL });
    expect(check({}, { mattermost_webhook_url_file: '/s/mm' })).toEqual({ webhook_url_file: '/s/mm' });
    expect(check({ webhook_url_file: '/own' }, { mattermost_webhook_url: URL })).toEqual({
      webhook_url_file: '/own',
    });
  });

  it('requires a webhook URL somewhere; at most one of the pair', () => {
    expect(() => check({})).toThrow(`${P}: one of webhook_url or webhook_url_file is required`);
    expect(() => check({ webhook_url: URL, webhook_url_file: '/f' })).toThrow(
      'at most one of webhook_url and webhook_url_file',
    );
    expect(() => check({}, { mattermost_webhook_url: URL, mattermost_webhook_url_file: '/f' })).toThrow(
      'global: at most one of mattermost_webhook_url and mattermost_webhook_url_file',
    );
    expect(() => check({ webhook_url: 'chat.example/hooks' })).toThrow(`${P}.webhook_url:`);
  });

  it('fields need a title and a value (Alertmanager MattermostField)', () => {
    expect(() => check({ webhook_url: URL, fields: [{ title: 'x' }] })).toThrow(
      `${P}.fields[0].value: must be a non-empty string`,
    );
    expect(() => check({ webhook_url: URL, attachments: [{ fields: [{ value: 'x' }] }] })).toThrow(
      `${P}.attachments[0].fields[0].title:`,
    );
    expect(() => check({ webhook_url: URL, fields: [{ title: 'x', value: 'y', short: 'yes' }] })).toThrow(
      `${P}.fields[0].short: must be true or false`,
    );
  });

  it('refuses unknown fields at every level, naming them', () => {
    expect(() => check({ webhook_url: URL, icon: 'x' })).toThrow(`${P}.icon: unknown field`);
    expect(() => check({ webhook_url: URL, attachments: [{ titel: 'x' }] })).toThrow(
      `${P}.attachments[0].titel: unknown field`,
    );
    expect(() => check({ webhook_url: URL, props: { from_webhook: 'true' } })).toThrow(
      `${P}.props.from_webhook: unknown field`,
    );
    expect(() => check({ webhook_url: URL, priority: { level: 'urgent' } })).toThrow(
      `${P}.priority.level: unknown field`,
    );
  });

  it('checks every templated field, naming it', () => {
    expect(() => check({ webhook_url: URL, channel: '{{ .Status ' })).toThrow(`${P}.channel: template:`);
    expect(() => check({ webhook_url: URL, attachments: [{ footer: '{{ end }}' }] })).toThrow(
      `${P}.attachments[0].footer:`,
    );
    expect(() => check({ webhook_url: URL, props: { card: '{{ nope }}' } })).toThrow(`${P}.props.card:`);
    expect(() => check({ webhook_url: URL, priority: { priority: '{{' } })).toThrow(
      `${P}.priority.priority:`,
    );
  });
});
