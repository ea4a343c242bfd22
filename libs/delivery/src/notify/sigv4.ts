// AWS Signature Version 4 (header form) with node:crypto, for the SNS integration. Written from AWS's
// published algorithm (canonical request → string to sign → HMAC chain of date/region/service) rather
// than pulling in the AWS SDK for one signature; checked against AWS's SigV4 test-suite vectors.
import { createHash, createHmac } from 'node:crypto';

export interface SigV4Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials' token, sent and signed as X-Amz-Security-Token. */
  sessionToken?: string;
}

export interface SigV4Request {
  method: string;
  url: string;
  /** Headers to send; all but the unsigned ones (User-Agent, Authorization) are signed. */
  headers: Record<string, string>;
  body: string | Buffer;
}

export interface SigV4Scope {
  region: string;
  service: string;
  credentials: SigV4Credentials;
  /** Signing time (epoch ms). */
  now: number;
}

/** Headers AWS's SDKs leave unsigned (proxies and clients may change them). */
const UNSIGNED = new Set(['authorization', 'user-agent', 'x-amzn-trace-id', 'expect', 'content-length']);

const sha256Hex = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string): Buffer => createHmac('sha256', key).update(data).digest();

/** RFC 3986 percent-encoding as AWS wants it: everything but A-Z a-z 0-9 - _ . ~ (and '/' when kept). */
export function awsUriEncode(s: string, keepSlash = false): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9\-_.~]/.test(c) || (keepSlash && c === '/')) out += c;
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * Go's url.QueryEscape (spaces as '+', everything but A-Z a-z 0-9 - _ . ~ escaped), which the AWS
 * SDK for Go's Query protocol and Alertmanager's WeChat integration use for form/query values.
 */
export function goQueryEscape(s: string): string {
  return awsUriEncode(s).replace(/%20/g, '+');
}

/** Go's url.Values.Encode: keys sorted, `k=v` joined by '&'. */
export function goFormEncode(values: Record<string, string>): string {
  return Object.keys(values)
    .sort()
    .map((k) => `${goQueryEscape(k)}=${goQueryEscape(values[k])}`)
    .join('&');
}

/** `20150830T123600Z`. */
export function amzDate(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

/** The signing key: HMAC chain over date, region, service and "aws4_request". */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

/** The canonical request, string to sign and signature of a request (exported for tests). */
export function sigV4Parts(
  req: SigV4Request,
  scope: SigV4Scope,
  extraSigned: Record<string, string> = {},
): {
  canonicalRequest: string;
  stringToSign: string;
  signature: string;
  signedHeaders: string;
  credentialScope: string;
  amzDate: string;
} {
  const u = new URL(req.url);
  const when = amzDate(scope.now);
  const date = when.slice(0, 8);
  const headers = new Map<string, string[]>();
  const add = (name: string, value: string) => {
    const k = name.toLowerCase();
    if (UNSIGNED.has(k) && !(k in extraSigned)) return;
    // Values trimmed and inner runs of spaces collapsed (AWS canonical headers).
    headers.set(k, [...(headers.get(k) ?? []), value.trim().replace(/\s+/g, ' ')]);
  };
  add('host', u.host);
  for (const [k, v] of Object.entries(req.headers)) if (k.toLowerCase() !== 'host') add(k, v);
  for (const [k, v] of Object.entries(extraSigned)) add(k, v);
  add('x-amz-date', when);
  if (scope.credentials.sessionToken) add('x-amz-security-token', scope.credentials.sessionToken);
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers.get(n)!.join(',')}\n`).join('');
  const signedHeaders = names.join(';');
  // The path as sent, encoded once more (AWS services other than S3 sign the double-encoded path).
  const canonicalUri = awsUriEncode(u.pathname || '/', true);
  const query = [...u.searchParams]
    .map(([k, v]) => [awsUriEncode(k), awsUriEncode(v)] as const)
    .sort(([ak, av], [bk, bv]) => (ak < bk ? -1 : ak > bk ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = [
    req.method.toUpperCase(),
    canonicalUri,
    query,
    canonicalHeaders,
    signedHeaders,
    sha256Hex(req.body),
  ].join('\n');
  const credentialScope = `${date}/${scope.region}/${scope.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', when, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const key = signingKey(scope.credentials.secretAccessKey, date, scope.region, scope.service);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return { canonicalRequest, stringToSign, signature, signedHeaders, credentialScope, amzDate: when };
}

/**
 * Signs a request: returns its headers plus X-Amz-Date, X-Amz-Security-Token (temporary credentials)
 * and Authorization. `extraSigned` are headers the HTTP client adds itself (Content-Length) that AWS's
 * SDK signs too; they are signed but not returned.
 */
export function signV4(
  req: SigV4Request,
  scope: SigV4Scope,
  extraSigned: Record<string, string> = {},
): Record<string, string> {
  const p = sigV4Parts(req, scope, extraSigned);
  const out: Record<string, string> = { ...req.headers, 'X-Amz-Date': p.amzDate };
  if (scope.credentials.sessionToken) out['X-Amz-Security-Token'] = scope.credentials.sessionToken;
  out.Authorization =
    `AWS4-HMAC-SHA256 Credential=${scope.credentials.accessKeyId}/${p.credentialScope}, ` +
    `SignedHeaders=${p.signedHeaders}, Signature=${p.signature}`;
  return out;
}
