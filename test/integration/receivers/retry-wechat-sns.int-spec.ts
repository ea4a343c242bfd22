// WeChat and SNS against the vendor fakes (test/harness/vendor-fakes.ts): accepted requests pass the
// vendor's documented checks; 429 and 5xx are retried (Retry-After honoured), other failures given up
// with the vendor's own error (WeChat: errcode/errmsg in a 200 answer; SNS: the XML Code/Message).
import {
  allResolved,
  firing,
  givenUp,
  receiverOf,
  retried,
  signal,
  withVendorFake,
  type Json,
} from '../../harness/receiver-retry';
import { FAKE_WECHAT_TOKEN } from '../../harness/vendor-fakes';

describe('wechat against its vendor fake', () => {
  const vendor = withVendorFake('wechat');
  const wechat = () =>
    receiverOf('wechat', {
      send_resolved: true,
      api_url: vendor.fake.endpoint(),
      api_secret: 'wc-secret',
      corp_id: 'corp-1',
      agent_id: '1000002',
      to_user: '@all',
    });

  it('gets a token once, then firing and resolved messages are accepted as WeChat documents', async () => {
    const r = wechat();
    expect(await r.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(await r.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(vendor.fake.refused).toEqual([]);
    expect(vendor.fake.requests.map((q) => `${q.method} ${q.path}`)).toEqual([
      'GET /cgi-bin/gettoken',
      'POST /cgi-bin/message/send',
      'POST /cgi-bin/message/send',
    ]);
    expect(vendor.fake.requests[1].query.access_token).toBe(FAKE_WECHAT_TOKEN);
    expect(vendor.fake.requests[2].json).toMatchObject({
      msgtype: 'text',
      touser: '@all',
      agentid: '1000002',
    });
  });

  it('5xx and 429 on message/send are retried (Retry-After honoured); the token is kept', async () => {
    const r = wechat();
    await r.send(firing(), signal());
    vendor.fake.failNext([503]);
    expect(await r.send(firing(), signal())).toMatchObject(retried('serverError', { status: 503 }));
    vendor.fake.retryAfterSeconds = 2;
    vendor.fake.failNext([429]);
    expect(await r.send(firing(), signal())).toMatchObject(retried('rateLimited', { retryAfterMs: 2000 }));
    expect(await r.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(vendor.fake.requests.filter((q) => q.path.endsWith('/gettoken'))).toHaveLength(1);
  });

  it('an errcode in a 200 answer gives up with errmsg', async () => {
    const r = wechat();
    await r.send(firing(), signal());
    vendor.fake.failNext([400]);
    expect(await r.send(firing(), signal())).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      message: 'wechat: message/send errcode 40003: injected 400',
      status: 200,
    });
  });

  it('a token error (errcode 40014) is retried and the next attempt fetches a new token', async () => {
    const r = wechat();
    await r.send(firing(), signal());
    vendor.fake.failNext([401]);
    expect(await r.send(firing(), signal())).toMatchObject(retried('authError'));
    expect(await r.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(vendor.fake.requests.map((q) => `${q.method} ${q.path} ${q.status}`)).toEqual([
      'GET /cgi-bin/gettoken 200',
      'POST /cgi-bin/message/send 200',
      'POST /cgi-bin/message/send 200',
      'GET /cgi-bin/gettoken 200',
      'POST /cgi-bin/message/send 200',
    ]);
  });

  it('gettoken: 5xx retried, a refusal (no access_token) given up', async () => {
    vendor.fake.failNext([502]);
    const r = wechat();
    expect(await r.send(firing(), signal())).toMatchObject(retried('serverError', { status: 502 }));
    expect(await r.send(firing(), signal())).toEqual({ kind: 'ok' });
    vendor.fake.failNext([400]);
    expect(await wechat().send(firing(), signal())).toEqual({
      kind: 'give-up',
      reason: 'authError',
      message: 'wechat: invalid api_secret for corp_id "corp-1" (errcode 40003: injected 400)',
      status: 200,
    });
  });
});

describe('sns against its vendor fake', () => {
  const vendor = withVendorFake('sns');
  const sns = (extra: Json = {}) =>
    receiverOf('sns', {
      api_url: vendor.fake.endpoint(),
      topic_arn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      sigv4: { region: 'us-east-1', access_key: 'AKIDEXAMPLE', secret_key: 'sns-secret' },
      attributes: { team: '{{ .CommonLabels.team }}' },
      ...extra,
    });

  it('firing and resolved Publish requests are accepted as SNS documents', async () => {
    const r = sns();
    expect(await r.send(firing(), signal())).toEqual({ kind: 'ok' });
    expect(await r.send(allResolved(), signal())).toEqual({ kind: 'ok' });
    expect(vendor.fake.refused).toEqual([]);
    expect(vendor.fake.accepted).toHaveLength(2);
    expect(vendor.fake.accepted[0].form).toMatchObject({
      Action: 'Publish',
      TopicArn: 'arn:aws:sns:us-east-1:123456789012:alerts',
      Subject: '[FIRING:3] HighCPU (db)',
      'MessageAttributes.entry.1.Name': 'team',
      'MessageAttributes.entry.1.Value.StringValue': 'db',
    });
    expect(vendor.fake.accepted[1].form.Subject).toBe('[RESOLVED] HighCPU ');
  });

  it('5xx and 429 are retried (Retry-After honoured)', async () => {
    const r = sns();
    vendor.fake.failNext([500]);
    expect(await r.send(firing(), signal())).toMatchObject(retried('serverError', { status: 500 }));
    vendor.fake.retryAfterSeconds = 3;
    vendor.fake.failNext([429]);
    expect(await r.send(firing(), signal())).toEqual({
      kind: 'retry',
      reason: 'rateLimited',
      message: 'sns: Throttling: injected 429 (HTTP 429)',
      status: 429,
      retryAfterMs: 3000,
    });
    expect(await r.send(firing(), signal())).toEqual({ kind: 'ok' });
  });

  it("other 4xx are given up with SNS's Code and Message (403: authError)", async () => {
    const r = sns();
    vendor.fake.failNext([400]);
    expect(await r.send(firing(), signal())).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      message: 'sns: InvalidParameter: injected 400 (HTTP 400)',
      status: 400,
    });
    vendor.fake.failNext([403]);
    expect(await r.send(firing(), signal())).toMatchObject(
      givenUp('authError', { message: 'sns: InvalidClientTokenId: injected 403 (HTTP 403)' }),
    );
  });

  it('a subject over 100 characters is sent as Alertmanager sends it, and SNS refuses it', async () => {
    const r = sns({ subject: 'x'.repeat(101) });
    expect(await r.send(firing(), signal())).toMatchObject(
      givenUp('clientError', { message: expect.stringContaining('Subject: longer than 100 characters') }),
    );
  });
});
