// The signer against AWS's SigV4 test suite (credentials AKIDEXAMPLE / wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY,
// 2015-08-30T12:36:00Z, us-east-1, service "service"); the expected values are the suite's published
// ones, re-derived independently with Python's hmac/hashlib. The SNS-shaped case was derived the same way.
import { amzDate, awsUriEncode, goFormEncode, goQueryEscape, signV4, sigV4Parts } from './sigv4';

const SUITE = {
  region: 'us-east-1',
  service: 'service',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  now: Date.parse('2015-08-30T12:36:00Z'),
};
const SCOPE = 'AKIDEXAMPLE/20150830/us-east-1/service/aws4_request';

describe('SigV4 signer (AWS test suite)', () => {
  it('get-vanilla', () => {
    const h = signV4({ method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, body: '' }, SUITE);
    expect(h['X-Amz-Date']).toBe('20150830T123600Z');
    expect(h.Authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=host;x-amz-date, ` +
        'Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    );
  });

  it('get-vanilla-query (Param1=value1)', () => {
    const p = sigV4Parts(
      { method: 'GET', url: 'https://example.amazonaws.com/?Param1=value1', headers: {}, body: '' },
      SUITE,
    );
    expect(p.canonicalRequest.split('\n').slice(0, 3)).toEqual(['GET', '/', 'Param1=value1']);
    expect(p.signature).toBe('a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb');
  });

  it('post-x-www-form-urlencoded: canonical request, string to sign and signature', () => {
    const req = {
      method: 'POST',
      url: 'https://example.amazonaws.com/',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
    };
    const p = sigV4Parts(req, SUITE);
    expect(p.canonicalRequest).toBe(
      [
        'POST',
        '/',
        '',
        'content-type:application/x-www-form-urlencoded',
        'host:example.amazonaws.com',
        'x-amz-date:20150830T123600Z',
        '',
        'content-type;host;x-amz-date',
        '9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e',
      ].join('\n'),
    );
    expect(p.stringToSign).toBe(
      'AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\n' +
        '42a5e5bb34198acb3e84da4f085bb7927f2bc277ca766e6d19c73c2154021281',
    );
    expect(signV4(req, SUITE).Authorization).toBe(
      `AWS4-HMAC-SHA256 Credential=${SCOPE}, SignedHeaders=content-type;host;x-amz-date, ` +
        'Signature=ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    );
  });

  it('an SNS Publish as Herald sends it: content-length signed, User-Agent not, port in host', () => {
    const body = 'Action=Publish&Message=hi&TopicArn=arn%3Aaws%3Asns%3Aus-east-1%3A1%3At&Version=2010-03-31';
    const h = signV4(
      {
        method: 'POST',
        url: 'http://sns.local:9999/sns/',
        headers: {
          'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
          'User-Agent': 'Herald/x',
        },
        body,
      },
      {
        region: 'us-east-1',
        service: 'sns',
        credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'sns-secret' },
        now: Date.parse('2024-05-01T12:00:00Z'),
      },
      { 'content-length': String(body.length) },
    );
    expect(h.Authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20240501/us-east-1/sns/aws4_request, ' +
        'SignedHeaders=content-length;content-type;host;x-amz-date, ' +
        'Signature=dd3cc90352f8ff28b158abb7dd0f646b154ee21c4421f313b3bdb57811f8f422',
    );
    // Content-Length is the HTTP client's to set: signed, not returned.
    expect(h['content-length']).toBeUndefined();
    expect(h['User-Agent']).toBe('Herald/x');
  });

  it('signs and sends a session token of temporary credentials', () => {
    const h = signV4(
      { method: 'GET', url: 'https://example.amazonaws.com/', headers: {}, body: '' },
      { ...SUITE, credentials: { ...SUITE.credentials, sessionToken: 'tok' } },
    );
    expect(h['X-Amz-Security-Token']).toBe('tok');
    expect(h.Authorization).toContain('SignedHeaders=host;x-amz-date;x-amz-security-token,');
  });
});

describe('encodings', () => {
  it('amzDate is basic ISO 8601 in UTC', () => {
    expect(amzDate(Date.parse('2024-01-02T03:04:05.678Z'))).toBe('20240102T030405Z');
  });

  it("awsUriEncode keeps only RFC 3986 unreserved characters (and '/' when asked)", () => {
    expect(awsUriEncode('a b/c*~ä')).toBe('a%20b%2Fc%2A~%C3%A4');
    expect(awsUriEncode('/a b/', true)).toBe('/a%20b/');
  });

  it("goQueryEscape and goFormEncode behave as Go's url.QueryEscape / url.Values.Encode", () => {
    expect(goQueryEscape('a b*~!\n🔥')).toBe('a+b%2A~%21%0A%F0%9F%94%A5');
    expect(goFormEncode({ b: '2', a: 'x y', 'M.entry.1': '' })).toBe('M.entry.1=&a=x+y&b=2');
  });
});
