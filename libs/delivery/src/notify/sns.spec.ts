import { createHash } from 'node:crypto';
import { alertmanagerTemplates, FakeClock } from '@herald/domain';
import { testNotification } from '../../../../test/harness/notifications';
import type { HttpClient, HttpRequest, HttpResult } from '../http-client';
import {
  awsQueryError,
  SNS_MAX_MESSAGE_BYTES,
  SNS_MAX_SMS_BYTES,
  snsEndpoint,
  SnsNotifier,
  snsPublish,
} from './sns';

const templates = alertmanagerTemplates();
const SIG = { region: 'us-east-1', access_key: 'AKIDEXAMPLE', secret_key: 'sns-secret' };
const BASE = { topic_arn: 'arn:aws:sns:us-east-1:123456789012:alerts', sigv4: SIG, send_resolved: true };
const signal = new AbortController().signal;

const xml = (status: number, body: string, headers: Record<string, string> = {}): HttpResult => ({
  outcome: {
    kind: 'http',
    status,
    retryAfterMs: headers['retry-after'] ? Number(headers['retry-after']) * 1000 : undefined,
  },
  message: `HTTP ${status}`,
  response: { status, headers: { 'content-type': 'text/xml', ...headers }, body },
});
const OK = xml(
  200,
  '<PublishResponse><PublishResult><MessageId>m</MessageId></PublishResult></PublishResponse>',
);
const error = (status: number, code: string, message: string, headers?: Record<string, string>) =>
  xml(
    status,
    `<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>r</RequestId></ErrorResponse>`,
    headers,
  );

class ScriptedHttp implements HttpClient {
  readonly requests: HttpRequest[] = [];
  constructor(private readonly answer: HttpResult) {}
  request(req: HttpRequest): Promise<HttpResult> {
    this.requests.push(req);
    return Promise.resolve(this.answer);
  }
}
const send = async (answer: HttpResult, c: Record<string, unknown> = BASE) => {
  const http = new ScriptedHttp(answer);
  const clock = new FakeClock(Date.parse('2024-05-01T12:00:00Z'));
  const result = await new SnsNotifier(c, templates, http, 5000, 'Herald/test', clock).send(
    testNotification(),
    signal,
  );
  return { result, http };
};

describe('snsPublish', () => {
  it("builds Alertmanager's Publish: default subject/message, empty MessageAttributes, regional endpoint", () => {
    const { publish } = snsPublish(BASE, templates, testNotification());
    expect(publish!.url).toBe('https://sns.us-east-1.amazonaws.com/');
    expect(publish!.form).toMatchObject({
      Action: 'Publish',
      Version: '2010-03-31',
      TopicArn: BASE.topic_arn,
      Subject: '[FIRING:3] HighCPU (db)',
      MessageAttributes: '',
    });
    expect(publish!.form.Message).toContain('Alerts Firing:');
    expect(snsEndpoint('cn-north-1')).toBe('https://sns.cn-north-1.amazonaws.com.cn/');
  });

  it('api_url (templated) replaces the endpoint; the path gets a trailing slash as the SDK sends it', () => {
    const { publish } = snsPublish(
      { ...BASE, api_url: 'http://sns.{{ .CommonLabels.team }}.local:4566/base' },
      templates,
      testNotification(),
    );
    expect(publish!.url).toBe('http://sns.db.local:4566/base/');
    const bad = snsPublish({ ...BASE, api_url: '{{ .CommonLabels.team }}' }, templates, testNotification());
    expect(bad.failure).toMatchObject({
      kind: 'give-up',
      reason: 'clientError',
      message: expect.stringContaining('"db"'),
    });
  });

  it('attributes: templated names and values, sorted entries; no Subject when subject is empty', () => {
    const { publish } = snsPublish(
      { ...BASE, subject: '', attributes: { team: '{{ .CommonLabels.team }}', '{{ "a" }}k': 'v' } },
      templates,
      testNotification(),
    );
    expect(publish!.form).toMatchObject({
      'MessageAttributes.entry.1.Name': 'ak',
      'MessageAttributes.entry.1.Value.DataType': 'String',
      'MessageAttributes.entry.1.Value.StringValue': 'v',
      'MessageAttributes.entry.2.Name': 'team',
      'MessageAttributes.entry.2.Value.StringValue': 'db',
    });
    expect(publish!.form.Subject).toBeUndefined();
    expect(publish!.form.MessageAttributes).toBeUndefined();
  });

  it('truncates the message to 256 KiB (on a character boundary) and flags it with a truncated attribute', () => {
    const { publish } = snsPublish(
      { ...BASE, message: 'x' + 'é'.repeat(SNS_MAX_MESSAGE_BYTES) },
      templates,
      testNotification(),
    );
    expect(publish!.truncated).toBe(true);
    // 1 + 2k bytes: the last 'é' that would straddle the limit is dropped whole.
    expect(Buffer.byteLength(publish!.form.Message)).toBe(SNS_MAX_MESSAGE_BYTES - 1);
    expect(publish!.form.Message.endsWith('é')).toBe(true);
    expect(publish!.form).toMatchObject({
      'MessageAttributes.entry.1.Name': 'truncated',
      'MessageAttributes.entry.1.Value.StringValue': 'true',
    });
  });

  it('SMS (phone_number) messages are cut at 1600 bytes; short ones are left alone', () => {
    const sms = snsPublish(
      { phone_number: '+15555550100', sigv4: SIG, message: 'x'.repeat(2000) },
      templates,
      testNotification(),
    );
    expect(sms.publish!.form.PhoneNumber).toBe('+15555550100');
    expect(sms.publish!.form.Message).toHaveLength(SNS_MAX_SMS_BYTES);
    expect(snsPublish({ ...BASE, message: 'hi' }, templates, testNotification()).publish!.truncated).toBe(
      false,
    );
  });

  it('a FIFO topic gets the group key hash as dedup id and message group', () => {
    const n = testNotification();
    const { publish } = snsPublish(
      { ...BASE, topic_arn: 'arn:aws:sns:us-east-1:1:alerts.fifo' },
      templates,
      n,
    );
    const hash = createHash('sha256').update(n.groupKey).digest('hex');
    expect(publish!.form).toMatchObject({ MessageDeduplicationId: hash, MessageGroupId: hash });
  });

  it('gives up on a template failing at send time', () => {
    const { failure } = snsPublish(
      { ...BASE, message: '{{ template "nope" . }}' },
      templates,
      testNotification(),
    );
    expect(failure).toMatchObject({ kind: 'give-up', reason: 'other' });
  });
});

describe('SnsNotifier', () => {
  it('POSTs the form-encoded Publish, SigV4-signed for service sns', async () => {
    const { result, http } = await send(OK);
    expect(result).toEqual({ kind: 'ok' });
    const req = http.requests[0];
    expect(req.method).toBe('POST');
    expect(req.url).toBe('https://sns.us-east-1.amazonaws.com/');
    expect(String(req.body)).toMatch(
      /^Action=Publish&Message=.*&TopicArn=arn%3Aaws%3Asns%3A.*&Version=2010-03-31$/,
    );
    expect(req.headers).toMatchObject({
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'User-Agent': 'Herald/test',
      'X-Amz-Date': '20240501T120000Z',
    });
    expect(req.headers!.Authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20240501\/us-east-1\/sns\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.stringify(req.headers)).not.toContain('sns-secret');
  });

  it("gives up on a 4xx with AWS's Code and Message (authError for 403)", async () => {
    expect((await send(error(400, 'InvalidParameter', 'Invalid parameter: Subject'))).result).toEqual({
      kind: 'give-up',
      reason: 'clientError',
      message: 'sns: InvalidParameter: Invalid parameter: Subject (HTTP 400)',
      status: 400,
    });
    expect(
      (await send(error(403, 'InvalidClientTokenId', 'The security token &amp; key are invalid.'))).result,
    ).toEqual({
      kind: 'give-up',
      reason: 'authError',
      message: 'sns: InvalidClientTokenId: The security token & key are invalid. (HTTP 403)',
      status: 403,
    });
  });

  it('retries 5xx, 429 and throttling codes (even on 400), honouring Retry-After', async () => {
    expect((await send(error(500, 'InternalError', 'oops'))).result).toMatchObject({
      kind: 'retry',
      reason: 'serverError',
      message: 'sns: InternalError: oops (HTTP 500)',
    });
    expect((await send(error(400, 'Throttling', 'Rate exceeded'))).result).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
      status: 400,
    });
    expect((await send(error(429, 'Throttled', 'slow down', { 'retry-after': '3' }))).result).toMatchObject({
      kind: 'retry',
      reason: 'rateLimited',
      retryAfterMs: 3000,
    });
  });

  it('awsQueryError reads Code and Message (absent: undefined)', () => {
    expect(awsQueryError('<x><Code>A</Code><Message>b &lt;c&gt; &#38;</Message></x>')).toEqual({
      code: 'A',
      message: 'b <c> &',
    });
    expect(awsQueryError('not xml')).toEqual({ code: undefined, message: undefined });
  });
});
