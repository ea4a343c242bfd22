import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import { systemClock, type Clock, type DeliveryOutcome } from '@herald/domain';

/** Alertmanager's `http_config`, the parts Herald implements. */
export interface HttpClientConfig {
  /** Computes auth headers at send time (credential files are re-read, so rotation works). */
  authHeaders(): Record<string, string>;
  tls: https.AgentOptions;
}

const SUPPORTED_HTTP_KEYS = new Set([
  'basic_auth',
  'authorization',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'follow_redirects',
  'enable_http2',
]);

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' ? (v as Record<string, unknown>) : {};
const file = (p: string): string => readFileSync(p, 'utf8').trim();

/**
 * Parses `http_config` (Prometheus' common HTTP client config): basic auth, authorization/bearer
 * credentials (inline or file) and TLS. Fields Herald does not implement (proxy_url, oauth2, ...) are
 * returned in `warnings` for the start-up report.
 */
export function parseHttpConfig(
  raw: unknown,
  where: string,
): { config: HttpClientConfig; warnings: string[] } {
  const c = obj(raw);
  const warnings = Object.keys(c)
    .filter((k) => !SUPPORTED_HTTP_KEYS.has(k))
    .map((k) => `${where}.http_config.${k} is not supported by Herald yet and is ignored`);
  const basic = c.basic_auth ? obj(c.basic_auth) : undefined;
  const authz = c.authorization ? obj(c.authorization) : undefined;
  const tlsRaw = obj(c.tls_config);
  const tls: https.AgentOptions = {
    rejectUnauthorized: tlsRaw.insecure_skip_verify !== true,
    ca: str(tlsRaw.ca_file) ? readFileSync(String(tlsRaw.ca_file)) : str(tlsRaw.ca),
    cert: str(tlsRaw.cert_file) ? readFileSync(String(tlsRaw.cert_file)) : str(tlsRaw.cert),
    key: str(tlsRaw.key_file) ? readFileSync(String(tlsRaw.key_file)) : str(tlsRaw.key),
    servername: str(tlsRaw.server_name),
  };
  return {
    warnings,
    config: {
      tls,
      authHeaders(): Record<string, string> {
        if (basic) {
          const pw = str(basic.password_file)
            ? file(String(basic.password_file))
            : (str(basic.password) ?? '');
          const user = str(basic.username_file)
            ? file(String(basic.username_file))
            : (str(basic.username) ?? '');
          return { Authorization: `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}` };
        }
        if (authz) {
          const cred = str(authz.credentials_file)
            ? file(String(authz.credentials_file))
            : (str(authz.credentials) ?? '');
          return { Authorization: `${str(authz.type) ?? 'Bearer'} ${cred}` };
        }
        const bearer = str(c.bearer_token_file) ? file(String(c.bearer_token_file)) : str(c.bearer_token);
        return bearer ? { Authorization: `Bearer ${bearer}` } : {};
      },
    },
  };
}

/** What an HTTP POST came back with: the domain outcome plus a short message for the dead letter. */
export interface HttpResult {
  outcome: DeliveryOutcome;
  message: string;
}

/** `Retry-After` as ms: seconds, or an HTTP date. */
export function parseRetryAfter(v: string | undefined, now = systemClock.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/**
 * POSTs `body` and classifies nothing: it reports the status (with a snippet of the response body) or
 * the transport error, timeout included. Uses node:http(s) rather than fetch for per-receiver TLS options.
 */
export function postHttp(
  url: string,
  body: string,
  headers: Record<string, string>,
  /** `clock` reads the time for a `Retry-After` given as an HTTP date. */
  opts: { timeoutMs: number; signal: AbortSignal; tls?: https.AgentOptions; clock?: Clock },
): Promise<HttpResult> {
  return new Promise((resolve) => {
    let settled = false;
    const done = (r: HttpResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal.removeEventListener('abort', onAbort);
      resolve(r);
    };
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ outcome: { kind: 'http', status: 400 }, message: `invalid URL` });
      return;
    }
    const mod = u.protocol === 'https:' ? https : http;
    const req = mod.request(
      u,
      {
        method: 'POST',
        headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
        ...(u.protocol === 'https:' ? opts.tls : {}),
      },
      (res) => {
        let snippet = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          if (snippet.length < 512) snippet += d;
        });
        res.on('error', () => undefined);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const ra = res.headers['retry-after'];
          done({
            outcome: {
              kind: 'http',
              status,
              retryAfterMs: parseRetryAfter(
                Array.isArray(ra) ? ra[0] : ra,
                (opts.clock ?? systemClock).now(),
              ),
            },
            message: `HTTP ${status}${snippet ? `: ${snippet.slice(0, 200).trim()}` : ''}`,
          });
        });
      },
    );
    const fail = (timeout: boolean, message: string) => {
      req.destroy();
      done({ outcome: { kind: 'transport', timeout, message }, message });
    };
    const timer = setTimeout(() => fail(true, `timeout after ${opts.timeoutMs} ms`), opts.timeoutMs);
    const onAbort = () => fail(false, 'aborted (shutdown)');
    if (opts.signal.aborted) return onAbort();
    opts.signal.addEventListener('abort', onAbort, { once: true });
    req.on('error', (e) => fail(false, e.message));
    req.end(body);
  });
}
