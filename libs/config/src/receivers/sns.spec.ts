import { ConfigError } from '@herald/domain';
import { loadConfig } from '../load-config';
import { sns } from './sns';
import { checkContext, checkerOf } from '../../../../test/harness/notify-specs';

const P = 'receivers[0].sns_configs[0]';
const check = checkerOf(sns, P);
const esc = (s: string) => s.replace(/[[\]]/g, '\\$&');
const SIG = { region: 'us-east-1', access_key: 'AKID', secret_key: 'secret' };
const MIN = { topic_arn: 'arn:aws:sns:us-east-1:123456789012:alerts', sigv4: SIG };

describe('sns_configs check', () => {
  it('accepts exactly one target, returning the entry unchanged', () => {
    expect(check(MIN)).toEqual(MIN);
    expect(check({ phone_number: '+15555550100', sigv4: SIG })).toEqual({
      phone_number: '+15555550100',
      sigv4: SIG,
    });
    expect(check({ target_arn: 'arn:aws:sns:us-east-1:1:endpoint/APNS/a/b', sigv4: SIG }).target_arn).toBe(
      'arn:aws:sns:us-east-1:1:endpoint/APNS/a/b',
    );
  });

  it('requires one target and refuses two or three (Alertmanager lets all three through; SNS does not)', () => {
    expect(() => check({ sigv4: SIG })).toThrow(
      `${P}: one of topic_arn, phone_number or target_arn is required`,
    );
    expect(() => check({ ...MIN, phone_number: '+1' })).toThrow(
      'only one of topic_arn, phone_number and target_arn may be set, got topic_arn, phone_number',
    );
    expect(() => check({ ...MIN, phone_number: '+1', target_arn: 'arn:x' })).toThrow('only one of');
  });

  it('requires static keys and a region, naming the field', () => {
    expect(() => check({ topic_arn: 't' })).toThrow(`${P}.sigv4: access_key and secret_key are required`);
    expect(() => check({ topic_arn: 't', sigv4: { region: 'us-east-1', access_key: 'a' } })).toThrow(
      `${P}.sigv4: access_key and secret_key must be given together`,
    );
    expect(() => check({ topic_arn: 't', sigv4: { access_key: 'a', secret_key: 'b' } })).toThrow(
      `${P}.sigv4.region: is required`,
    );
    expect(() => check({ topic_arn: 't', sigv4: { ...SIG, region: 'US East' } })).toThrow(
      `${P}.sigv4.region: must be an AWS region`,
    );
  });

  it.each(['profile', 'role_arn', 'external_id', 'use_fips_sts_endpoint', 'service_name'])(
    'refuses sigv4.%s as not implemented (never accepted and ignored)',
    (key) => {
      expect(() => check({ ...MIN, sigv4: { ...SIG, [key]: 'x' } })).toThrow(
        `${P}.sigv4.${key}: an Alertmanager field Herald does not implement yet`,
      );
    },
  );

  it("takes the keys, session token and region from the environment when sigv4 has no keys (the SDK chain's first source)", () => {
    const env = {
      AWS_ACCESS_KEY_ID: 'AKIDENV',
      AWS_SECRET_ACCESS_KEY: 'env-secret',
      AWS_SESSION_TOKEN: 'env-token',
      AWS_REGION: 'eu-west-1',
    };
    const out = sns.check!({ topic_arn: 't' }, P, checkContext({}, env));
    expect(out.sigv4).toEqual({
      access_key: 'AKIDENV',
      secret_key: 'env-secret',
      session_token: 'env-token',
      region: 'eu-west-1',
    });
    // Static keys win over the environment; a configured region too.
    const own = sns.check!(
      { topic_arn: 't', sigv4: { access_key: 'A', secret_key: 'S', region: 'us-east-1' } },
      P,
      checkContext({}, env),
    );
    expect(own.sigv4).toEqual({ access_key: 'A', secret_key: 'S', region: 'us-east-1' });
    expect(() => sns.check!({ topic_arn: 't' }, P, checkContext({}, { AWS_ACCESS_KEY_ID: 'x' }))).toThrow(
      /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY in the environment/,
    );
  });

  it('refuses use_aws_http_client as not implemented, and unknown fields', () => {
    expect(() => check({ ...MIN, use_aws_http_client: true })).toThrow(
      `${P}.use_aws_http_client: an Alertmanager field Herald does not implement yet`,
    );
    expect(() => check({ ...MIN, topic: 'x' })).toThrow(`${P}.topic: unknown field`);
    expect(() => check({ ...MIN, sigv4: { ...SIG, regoin: 'x' } })).toThrow(
      `${P}.sigv4.regoin: unknown field`,
    );
  });

  it('checks a literal api_url and leaves a templated one to send time', () => {
    expect(() => check({ ...MIN, api_url: 'sns.local' })).toThrow(
      `${P}.api_url: must be an absolute http(s) URL`,
    );
    expect(check({ ...MIN, api_url: 'https://sns.{{ .CommonLabels.region }}.amazonaws.com' }).api_url).toBe(
      'https://sns.{{ .CommonLabels.region }}.amazonaws.com',
    );
  });

  it('refuses attributes that are not a map of strings', () => {
    expect(() => check({ ...MIN, attributes: ['a'] })).toThrow(`${P}.attributes: must be a mapping`);
    expect(() => check({ ...MIN, attributes: { n: 1 } })).toThrow(`${P}.attributes.n: must be a string`);
  });

  it('refuses a template syntax error, naming the field', () => {
    expect(() => check({ ...MIN, subject: '{{ .Status ' })).toThrow(
      new RegExp(`^${esc(P)}\\.subject: template: `),
    );
    expect(() => check({ ...MIN, message: '{{ nosuchfunc }}' })).toThrow(ConfigError);
    expect(() => check({ ...MIN, attributes: { env: '{{ .Nope ' } })).toThrow(`${P}.attributes.env`);
    expect(() => check({ ...MIN, topic_arn: '{{ end }}' })).toThrow(`${P}.topic_arn`);
  });

  it('is wired into loadConfig with send_resolved defaulting to true', () => {
    const cfg = loadConfig({
      env: {},
      hostname: 't',
      fileText: `
route: { receiver: s }
receivers:
  - name: s
    sns_configs: [{ topic_arn: 'arn:aws:sns:us-east-1:1:t', sigv4: { region: us-east-1, access_key: a, secret_key: b } }]
`,
    });
    expect(cfg.receivers[0].integrations[0].config).toMatchObject({
      send_resolved: true,
      topic_arn: 'arn:aws:sns:us-east-1:1:t',
    });
  });
});
