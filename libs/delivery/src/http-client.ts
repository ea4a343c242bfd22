import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { systemClock, type Clock, type DeliveryOutcome } from '@herald/domain';

// Prometheus' common `http_config` (config/http_config.go), as Alertmanager applies it to every
// receiver: basic_auth / authorization / bearer_token(_file) / oauth2 (client credentials),
// tls_config, proxy_url / no_proxy / proxy_from_environment / proxy_connect_header, http_headers,
// follow_redirects and enable_http2.
//
// The config is checked at load time by @herald/config's checkHttpConfig (unknown fields, wrong
// types, conflicting auth methods are refused there); this module reads the checked mapping as is.
//
// Files: credential files (basic_auth username/password_file, authorization credentials_file,
// bearer_token_file, oauth2 client_secret_file, http_headers files) AND tls_config ca_file /
// cert_file / key_file are read on every request, as Prometheus' client does, so rotated secrets and
// certificates take effect without a reload. A changed TLS file builds a new connection pool.
//
// enable_http2 is accepted but HTTP/1.1 is always used: node:http has no HTTP/2 client that fits
// here, and Prometheus treats it as a transport preference (it falls back to HTTP/1.1 too).

/** Where a secret comes from: inline text, or a file read (and trimmed) on every use. */
type SecretSource = { value: string } | { file: string };

interface TlsSettings {
  ca?: SecretSource;
  cert?: SecretSource;
  key?: SecretSource;
  serverName?: string;
  insecureSkipVerify: boolean;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
}

export interface ProxySettings {
  url?: URL;
  noProxy?: string;
  fromEnvironment: boolean;
  connectHeader: Record<string, string[]>;
}

interface OAuth2Settings {
  clientId: string;
  clientSecret?: SecretSource;
  scopes: string[];
  tokenUrl: string;
  endpointParams: Record<string, string>;
  tls: TlsSettings;
  proxy: ProxySettings;
}

/** A checked `http_config`, typed. */
interface HttpSettings {
  basicAuth?: { username?: SecretSource; password?: SecretSource };
  /** `authorization`, or the legacy `bearer_token(_file)` as Prometheus converts it. */
  authorization?: { type: string; credentials?: SecretSource };
  oauth2?: OAuth2Settings;
  headers: { name: string; values: string[]; files: string[] }[];
  tls: TlsSettings;
  proxy: ProxySettings;
  followRedirects: boolean;
}

const TLS_VERSION: Record<string, tls.SecureVersion> = {
  TLS10: 'TLSv1',
  TLS11: 'TLSv1.1',
  TLS12: 'TLSv1.2',
  TLS13: 'TLSv1.3',
};

const obj = (v: unknown): Record<string, unknown> =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
// Scalars as Go's yaml decodes them into string fields; empty means "not configured".
const text = (v: unknown): string | undefined =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
    ? String(v) || undefined
    : undefined;
const texts = (v: unknown): string[] => (Array.isArray(v) ? v.map((x) => text(x) ?? '') : []);

function secretOf(c: Record<string, unknown>, key: string): SecretSource | undefined {
  const inline = text(c[key]);
  if (inline !== undefined) return { value: inline };
  const file = text(c[`${key}_file`]);
  return file !== undefined ? { file } : undefined;
}

function tlsOf(raw: unknown): TlsSettings {
  const t = obj(raw);
  return {
    ca: secretOf(t, 'ca'),
    cert: secretOf(t, 'cert'),
    key: secretOf(t, 'key'),
    serverName: text(t.server_name),
    insecureSkipVerify: t.insecure_skip_verify === true,
    minVersion: TLS_VERSION[text(t.min_version) ?? ''],
    maxVersion: TLS_VERSION[text(t.max_version) ?? ''],
  };
}

function proxyOf(c: Record<string, unknown>): ProxySettings {
  const url = text(c.proxy_url);
  const connect = obj(c.proxy_connect_header);
  return {
    url: url ? new URL(url) : undefined,
    noProxy: text(c.no_proxy),
    fromEnvironment: c.proxy_from_environment === true,
    connectHeader: Object.fromEntries(Object.entries(connect).map(([k, v]) => [k, texts(v)])),
  };
}

/** Reads a checked `http_config` (absent → Prometheus' defaults: no auth, follow redirects). */
function settingsOf(raw: unknown): HttpSettings {
  const c = obj(raw);
  const basic = c.basic_auth ? obj(c.basic_auth) : undefined;
  const authz = c.authorization ? obj(c.authorization) : undefined;
  const bearer = secretOf(c, 'bearer_token');
  const o = c.oauth2 ? obj(c.oauth2) : undefined;
  return {
    basicAuth: basic && { username: secretOf(basic, 'username'), password: secretOf(basic, 'password') },
    authorization: authz
      ? { type: text(authz.type)?.trim() || 'Bearer', credentials: secretOf(authz, 'credentials') }
      : bearer
        ? { type: 'Bearer', credentials: bearer }
        : undefined,
    oauth2: o && {
      clientId: text(o.client_id) ?? '',
      clientSecret: secretOf(o, 'client_secret'),
      scopes: texts(o.scopes),
      tokenUrl: text(o.token_url) ?? '',
      endpointParams: Object.fromEntries(
        Object.entries(obj(o.endpoint_params)).map(([k, v]) => [k, text(v) ?? '']),
      ),
      tls: tlsOf(o.tls_config),
      proxy: proxyOf(o),
    },
    headers: Object.entries(obj(c.http_headers)).map(([name, h]) => ({
      name,
      values: [...texts(obj(h).values), ...texts(obj(h).secrets)],
      files: texts(obj(h).files),
    })),
    tls: tlsOf(c.tls_config),
    proxy: proxyOf(c),
    followRedirects: c.follow_redirects !== false,
  };
}

async function readSecret(s: SecretSource | undefined, what: string): Promise<string> {
  if (!s) return '';
  if ('value' in s) return s.value;
  try {
    return (await readFile(s.file, 'utf8')).trim();
  } catch (e) {
    throw new Error(`unable to read ${what} file ${s.file}: ${(e as Error).message}`);
  }
}

/** What an HTTP request came back with: the domain outcome plus a short message for the dead letter. */
export interface HttpResult {
  outcome: DeliveryOutcome;
  message: string;
  /** The response, when there was one (vendors that answer 200 with an error body are read from it). */
  response?: HttpResponse;
}

/** A response as read: status, headers (lower-case names) and the body's first `MAX_RESPONSE_BODY` bytes. */
export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Most response bytes kept (vendors' error bodies are small; a huge body must not fill memory). */
export const MAX_RESPONSE_BODY = 64 * 1024;

/** One request of an integration. */
export interface HttpRequest {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
  timeoutMs: number;
  signal: AbortSignal;
}

/**
 * An integration's HTTP client, built from its `http_config`: applies auth, http_headers, TLS, proxy,
 * redirects and OAuth2 to every request. Never throws: failures are results.
 */
export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResult>;
}

/**
 * The client for one integration: its `http_config` (already checked by checkHttpConfig and defaulted
 * to global's by the config loader). `warnings` stays for the API's sake: every field is applied.
 */
export function createHttpClient(
  raw: unknown,
  where: string,
  opts: { clock?: Clock } = {},
): { client: HttpClient; warnings: string[] } {
  const s = settingsOf(raw);
  const clock = opts.clock ?? systemClock;
  const route: Route = { tls: new TlsSource(s.tls), proxy: s.proxy };
  const oauth2 = s.oauth2 ? new OAuth2Tokens(s.oauth2, clock) : undefined;

  const authorization = async (signal: Cancellation, userAgent?: string): Promise<string | undefined> => {
    if (s.basicAuth) {
      const user = await readSecret(s.basicAuth.username, 'basic_auth username');
      const pw = await readSecret(s.basicAuth.password, 'basic_auth password');
      return `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;
    }
    if (s.authorization)
      return `${s.authorization.type} ${await readSecret(s.authorization.credentials, 'authorization credentials')}`;
    if (oauth2) return oauth2.authorization(signal, userAgent);
    return undefined;
  };

  const perform = async (req: HttpRequest, signal: Cancellation): Promise<HttpResponse> => {
    const sent = new Set<string>();
    const res = await exchangeFollowing(
      {
        url: req.url,
        method: req.method ?? 'POST',
        headers: req.headers ?? {},
        body: req.body,
        followRedirects: s.followRedirects,
        route,
        signal,
      },
      async (h, crossHost) => {
        for (const hd of s.headers) {
          const vals = [...hd.values];
          for (const f of hd.files) vals.push(await readSecret({ file: f }, `http_headers ${hd.name}`));
          addHeader(h, hd.name, vals);
        }
        // As Prometheus: a sender's own Authorization wins, and no credentials follow a redirect
        // off the original host.
        if (crossHost || hasHeader(h, 'authorization')) return;
        const auth = await authorization(signal, headerValue(h, 'user-agent'));
        if (auth !== undefined) {
          h.Authorization = auth;
          sent.add(auth);
        }
      },
    );
    // A target that refuses the token makes the next attempt fetch a new one.
    if (oauth2 && res.status === 401) for (const a of sent) oauth2.invalidate(a);
    return res;
  };

  return {
    warnings: [],
    client: {
      request: (req) => {
        if (!isHttpUrl(req.url))
          return Promise.resolve({ outcome: { kind: 'http', status: 400 }, message: 'invalid URL' });
        return bounded(req, (signal) => perform(req, signal), clock);
      },
    },
  };
}

function isHttpUrl(s: string): boolean {
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * A request's cancellation inside the client: AbortSignal's part the client uses, without its cost — an
 * AbortController, its EventTarget listeners and the Event its abort() dispatches were ~4 % of a delivery
 * process' CPU per notification (`npm run bench:notify`). The caller's shutdown signal stays an AbortSignal.
 */
interface Cancellation {
  readonly aborted: boolean;
  /** Calls `fn` once on cancellation; returns what stops that (idempotent). */
  onAbort(fn: () => void): () => void;
}

class Cancel implements Cancellation {
  aborted = false;
  private fns: (() => void)[] = [];

  onAbort(fn: () => void): () => void {
    if (this.aborted) {
      fn();
      return () => undefined;
    }
    this.fns.push(fn);
    return () => {
      const i = this.fns.indexOf(fn);
      if (i >= 0) this.fns.splice(i, 1);
    };
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    const fns = this.fns;
    this.fns = [];
    for (const fn of fns) fn();
  }
}

/** Runs `work` under the request's timeout and shutdown signal; every failure becomes a result. */
async function bounded(
  req: { timeoutMs: number; signal: AbortSignal },
  work: (signal: Cancellation) => Promise<HttpResponse>,
  clock: Clock,
): Promise<HttpResult> {
  const cancel = new Cancel();
  let stopped: HttpResult | undefined;
  let settle: (r: HttpResult) => void = () => undefined;
  const stoppedP = new Promise<HttpResult>((resolve) => (settle = resolve));
  const stop = (timeout: boolean, message: string) => {
    if (stopped) return;
    stopped = { outcome: { kind: 'transport', timeout, message }, message };
    cancel.abort();
    settle(stopped);
  };
  const timer = setTimeout(() => stop(true, `timeout after ${req.timeoutMs} ms`), req.timeoutMs);
  const onAbort = () => stop(false, 'aborted (shutdown)');
  if (req.signal.aborted) onAbort();
  else req.signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (stopped) return stopped;
    return await Promise.race([
      work(cancel).then(
        (res) => resultOfResponse(res, clock),
        (e: Error): HttpResult =>
          stopped ?? {
            outcome: { kind: 'transport', timeout: false, message: e.message },
            message: e.message,
          },
      ),
      stoppedP,
    ]);
  } finally {
    clearTimeout(timer);
    req.signal.removeEventListener('abort', onAbort);
  }
}

function resultOfResponse(res: HttpResponse, clock: Clock): HttpResult {
  const ra = res.headers['retry-after'];
  return {
    outcome: {
      kind: 'http',
      status: res.status,
      retryAfterMs: parseRetryAfter(Array.isArray(ra) ? ra[0] : ra, clock.now()),
    },
    message: `HTTP ${res.status}${res.body ? `: ${res.body.slice(0, 200).trim()}` : ''}`,
    response: res,
  };
}

// ---------------------------------------------------------------------------------------------------
// Redirects

type OutHeaders = Record<string, string | string[]>;

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Go's http.Client limit: the 10th redirect response is an error. */
const MAX_REQUESTS = 10;
// net/http's list of headers not forwarded to another host on a redirect.
const SENSITIVE = [
  'authorization',
  'www-authenticate',
  'cookie',
  'cookie2',
  'proxy-authorization',
  'proxy-authenticate',
];

function hasHeader(h: OutHeaders, name: string): boolean {
  return Object.keys(h).some((k) => k.toLowerCase() === name);
}

function headerValue(h: OutHeaders, name: string): string | undefined {
  const k = Object.keys(h).find((x) => x.toLowerCase() === name);
  const v = k === undefined ? undefined : h[k];
  return Array.isArray(v) ? v[0] : v;
}

function addHeader(h: OutHeaders, name: string, values: string[]): void {
  if (values.length === 0) return;
  const k = Object.keys(h).find((x) => x.toLowerCase() === name.toLowerCase()) ?? name;
  const prev = h[k];
  const all = [...(prev === undefined ? [] : Array.isArray(prev) ? prev : [prev]), ...values];
  h[k] = all.length === 1 ? all[0] : all;
}

/** net/http's isDomainOrSubdomain: `sub` is `parent` or one of its subdomains (never for IPv6). */
export function isDomainOrSubdomain(sub: string, parent: string): boolean {
  sub = sub.toLowerCase().replace(/^\[|\]$/g, '');
  parent = parent.toLowerCase().replace(/^\[|\]$/g, '');
  if (parent === '') return false;
  if (sub === parent) return true;
  if (/[:%]/.test(sub)) return false;
  return sub.endsWith(`.${parent}`);
}

interface Exchange {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: string | Buffer;
  followRedirects: boolean;
  route: Route;
  signal: Cancellation;
}

/**
 * One request with Go's http.Client redirect rules: 301/302/303 continue as GET without a body (HEAD
 * stays HEAD), 307/308 repeat method and body; a 3xx without Location is the answer; sensitive headers
 * are dropped once the chain leaves the original host (or its subdomains). `decorate` adds the
 * per-hop headers (auth, http_headers); `crossHost` tells it not to add credentials.
 */
async function exchangeFollowing(
  x: Exchange,
  decorate: (h: OutHeaders, crossHost: boolean) => Promise<void> = async () => undefined,
): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(x.url);
  } catch {
    throw new Error(`invalid URL ${JSON.stringify(x.url)}`);
  }
  const origin = url.hostname;
  let method = x.method;
  let body = x.body === undefined ? undefined : Buffer.from(x.body);
  const base: OutHeaders = { ...x.headers };
  let crossHost = false;
  for (let n = 1; ; n++) {
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(
        `unsupported protocol scheme ${JSON.stringify(url.protocol.replace(/:$/, ''))} in ${url.href}`,
      );
    const h: OutHeaders = { ...base };
    await decorate(h, crossHost);
    if (crossHost) for (const k of Object.keys(h)) if (SENSITIVE.includes(k.toLowerCase())) delete h[k];
    const res = await exchange(url, method, h, body, x.route, x.signal);
    const loc = res.headers.location;
    if (!x.followRedirects || !REDIRECTS.has(res.status) || !loc) return res;
    if (n >= MAX_REQUESTS) throw new Error(`stopped after ${MAX_REQUESTS} redirects (last to ${loc})`);
    let next: URL;
    try {
      next = new URL(Array.isArray(loc) ? loc[0] : loc, url);
    } catch {
      throw new Error(`failed to parse Location header ${JSON.stringify(loc)}`);
    }
    if (res.status === 301 || res.status === 302 || res.status === 303) {
      if (method !== 'GET' && method !== 'HEAD') method = 'GET';
      body = undefined;
    }
    if (!isDomainOrSubdomain(next.hostname, origin)) crossHost = true;
    if (crossHost) for (const k of Object.keys(base)) if (SENSITIVE.includes(k.toLowerCase())) delete base[k];
    url = next;
  }
}

// ---------------------------------------------------------------------------------------------------
// Transport: TLS, proxies, one request

interface Route {
  tls: TlsSource;
  proxy: ProxySettings;
}

/**
 * TLS options read per request (files included) and a keep-alive pool per distinct content, so a
 * rotated CA/cert/key takes effect on the next request, as Prometheus' TLS round tripper does.
 */
class TlsSource {
  private current?: { key: string; agent: https.Agent; opts: tls.ConnectionOptions };

  constructor(private readonly s: TlsSettings) {}

  async get(): Promise<{ agent: https.Agent; opts: tls.ConnectionOptions }> {
    const [ca, cert, key] = await Promise.all([
      this.s.ca && readSecret(this.s.ca, 'tls_config ca'),
      this.s.cert && readSecret(this.s.cert, 'tls_config cert'),
      this.s.key && readSecret(this.s.key, 'tls_config key'),
    ]);
    const id = createHash('sha256')
      .update(JSON.stringify([ca, cert, key]))
      .digest('hex');
    if (this.current?.key === id) return this.current;
    const opts: tls.ConnectionOptions = {
      rejectUnauthorized: !this.s.insecureSkipVerify,
      ...(ca ? { ca } : {}),
      ...(cert && key ? { cert, key } : {}),
      ...(this.s.serverName ? { servername: this.s.serverName } : {}),
      ...(this.s.minVersion ? { minVersion: this.s.minVersion } : {}),
      ...(this.s.maxVersion ? { maxVersion: this.s.maxVersion } : {}),
    };
    try {
      tls.createSecureContext(opts);
    } catch (e) {
      throw new Error(`tls_config: unable to use the CA, client certificate or key: ${(e as Error).message}`);
    }
    // Like Go's CloseIdleConnections: requests in flight on the old pool finish; its idle sockets go now
    // (those still busy close after IDLE_TIMEOUT_MS once free).
    const old = this.current?.agent;
    if (old) for (const list of Object.values(old.freeSockets)) for (const sock of list ?? []) sock.destroy();
    this.current = {
      key: id,
      agent: new https.Agent({ keepAlive: true, timeout: IDLE_TIMEOUT_MS, ...opts }),
      opts,
    };
    return this.current;
  }
}

/** Idle keep-alive connections are closed after this long (Prometheus' client: 5 minutes). */
const IDLE_TIMEOUT_MS = 5 * 60_000;

const defaultPort = (u: URL): string => u.port || (u.protocol === 'https:' ? '443' : '80');
const bareHost = (h: string): string => h.replace(/^\[|\]$/g, '').toLowerCase();

/** golang.org/x/net/http/httpproxy's rule: is `u` to be proxied given a NO_PROXY list? */
export function useProxy(u: URL, noProxy: string | undefined): boolean {
  const host = bareHost(u.hostname);
  const port = defaultPort(u);
  if (host === 'localhost') return false;
  const ipType = net.isIP(host);
  if (ipType && isLoopback(host)) return false;
  for (const raw of (noProxy ?? '').split(',')) {
    let p = raw.trim().toLowerCase();
    if (p === '') continue;
    if (p === '*') return false;
    if (p.includes('/')) {
      const [addr, bits] = p.split('/');
      const t = net.isIP(addr);
      if (t && ipType === t) {
        const bl = new net.BlockList();
        try {
          bl.addSubnet(addr, Number(bits), t === 4 ? 'ipv4' : 'ipv6');
          if (bl.check(host, t === 4 ? 'ipv4' : 'ipv6')) return false;
        } catch {
          // Not a CIDR after all: ignored, as httpproxy ignores entries it cannot parse.
        }
      }
      continue;
    }
    let pport = '';
    const m = /^(\[[^\]]+\]|[^:]+):(\d+)$/.exec(p);
    if (m) {
      p = m[1];
      pport = m[2];
    }
    p = bareHost(p);
    if (net.isIP(p)) {
      if (ipType && p === host && (pport === '' || pport === port)) return false;
      continue;
    }
    if (ipType) continue;
    // "example.com" matches it and its subdomains; ".example.com" / "*.example.com" only subdomains.
    const matchHost = !p.startsWith('.') && !p.startsWith('*.');
    const suffix = p.startsWith('*.') ? p.slice(1) : p.startsWith('.') ? p : `.${p}`;
    if (host.endsWith(suffix) || (matchHost && host === suffix.slice(1)))
      if (pport === '' || pport === port) return false;
  }
  return true;
}

function isLoopback(ip: string): boolean {
  if (net.isIPv4(ip)) return ip.startsWith('127.');
  return ip === '::1' || /^::ffff:127\./.test(ip);
}

/**
 * The proxy for `u`, if any, with Go's rules: proxy_url alone proxies everything (http.ProxyURL);
 * with no_proxy, or from the environment (HTTP_PROXY/HTTPS_PROXY/NO_PROXY, read here because
 * proxy_from_environment asks for exactly that), localhost and loopback targets go direct.
 */
export function proxyFor(
  p: ProxySettings,
  u: URL,
  // eslint-disable-next-line no-restricted-properties
  env: NodeJS.ProcessEnv = process.env,
): URL | undefined {
  if (p.fromEnvironment) {
    const https = u.protocol === 'https:';
    // CGI: HTTP_PROXY may come from a request header, so Go ignores it there.
    const raw = https
      ? (env.HTTPS_PROXY ?? env.https_proxy)
      : env.REQUEST_METHOD
        ? undefined
        : (env.HTTP_PROXY ?? env.http_proxy);
    if (!raw || !useProxy(u, env.NO_PROXY ?? env.no_proxy)) return undefined;
    try {
      const pu = new URL(raw);
      if (pu.protocol === 'http:' || pu.protocol === 'https:') return pu;
    } catch {
      // fall through: a bare "host:port" means http://host:port
    }
    return new URL(`http://${raw}`);
  }
  if (!p.url) return undefined;
  // Without no_proxy Go uses http.ProxyURL, which proxies everything (loopback too).
  if (p.noProxy === undefined) return p.url;
  return useProxy(u, p.noProxy) ? p.url : undefined;
}

function proxyAuth(proxy: URL): Record<string, string> {
  if (!proxy.username && !proxy.password) return {};
  const cred = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return { 'Proxy-Authorization': `Basic ${Buffer.from(cred).toString('base64')}` };
}

/** One request/response, through the proxy when one applies; rejects on transport errors. */
async function exchange(
  u: URL,
  method: string,
  headers: OutHeaders,
  body: Buffer | undefined,
  route: Route,
  signal: Cancellation,
): Promise<HttpResponse> {
  const h: OutHeaders = { ...headers };
  if (body !== undefined) h['Content-Length'] = String(body.length);
  const proxy = proxyFor(route.proxy, u);
  const secure = u.protocol === 'https:';
  // The proxy connection of an https proxy uses the same tls_config, as Go's transport does.
  const t = secure || proxy?.protocol === 'https:' ? await route.tls.get() : undefined;
  const path = `${u.pathname}${u.search}`;
  if (!proxy) {
    return send(
      (secure ? https : http).request,
      {
        protocol: u.protocol,
        hostname: bareHost(u.hostname),
        port: defaultPort(u),
        path,
        method,
        headers: h,
        ...(secure ? { agent: t!.agent, ...t!.opts } : {}),
      },
      body,
      signal,
    );
  }
  const viaTls = proxy.protocol === 'https:';
  const toProxy = {
    protocol: proxy.protocol,
    hostname: bareHost(proxy.hostname),
    port: defaultPort(proxy),
    ...(viaTls
      ? { ...t!.opts, servername: net.isIP(bareHost(proxy.hostname)) ? undefined : proxy.hostname }
      : {}),
  };
  if (!secure) {
    // Plain http through a proxy: the absolute URL as request target.
    return send(
      (viaTls ? https : http).request,
      {
        ...toProxy,
        agent: false,
        path: u.href,
        method,
        headers: { ...h, Host: u.host, ...proxyAuth(proxy) },
      },
      body,
      signal,
    );
  }
  const authority = `${u.hostname}:${defaultPort(u)}`;
  const socket = await connectTunnel(
    viaTls ? https.request : http.request,
    {
      ...toProxy,
      agent: false,
      method: 'CONNECT',
      path: authority,
      headers: { Host: authority, ...route.proxy.connectHeader, ...proxyAuth(proxy) },
    },
    authority,
    signal,
  );
  const host = bareHost(u.hostname);
  return send(
    https.request,
    {
      protocol: 'https:',
      hostname: host,
      port: defaultPort(u),
      path,
      method,
      headers: h,
      // No agent: the request runs on the tunnel (an agent would open its own connection).
      createConnection: () =>
        tls.connect({
          ...t!.opts,
          socket,
          host,
          servername: t!.opts.servername ?? (net.isIP(host) ? undefined : host),
        }),
    },
    body,
    signal,
  );
}

type RequestFn = (opts: https.RequestOptions, cb?: (res: http.IncomingMessage) => void) => http.ClientRequest;

/** Opens a CONNECT tunnel through the proxy; the raw socket on a 2xx answer. */
function connectTunnel(
  request: RequestFn,
  opts: https.RequestOptions,
  authority: string,
  signal: Cancellation,
): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    const req = request(opts);
    const done = signal.onAbort(() => req.destroy(new Error('aborted')));
    req.on('connect', (res: http.IncomingMessage, socket: net.Socket) => {
      done();
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) {
        socket.destroy();
        return reject(
          new Error(`proxy refused CONNECT to ${authority}: ${status} ${res.statusMessage ?? ''}`.trim()),
        );
      }
      // Abort while the tunnelled request runs destroys this socket through that request.
      resolve(socket);
    });
    req.on('response', (res: http.IncomingMessage) => {
      done();
      res.resume();
      reject(new Error(`proxy answered CONNECT to ${authority} with HTTP ${res.statusCode}`));
    });
    req.on('error', (e) => {
      done();
      reject(new Error(`proxy CONNECT to ${authority}: ${e.message}`));
    });
    req.end();
  });
}

/** Sends one request and reads the response, keeping the body's first MAX_RESPONSE_BODY bytes. */
function send(
  request: RequestFn,
  opts: https.RequestOptions,
  body: Buffer | undefined,
  signal: Cancellation,
): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new Error('aborted'));
    let req: http.ClientRequest | undefined;
    const done = signal.onAbort(() => req?.destroy(new Error('aborted')));
    const fail = (e: Error) => {
      done();
      reject(e);
    };
    try {
      req = request(opts, (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (d: Buffer) => {
          if (size < MAX_RESPONSE_BODY) chunks.push(d.subarray(0, MAX_RESPONSE_BODY - size));
          size += d.length;
        });
        res.on('error', fail);
        res.on('aborted', () => fail(new Error('connection closed while reading the response')));
        res.on('end', () => {
          done();
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
      });
    } catch (e) {
      return fail(e as Error);
    }
    req.on('error', fail);
    req.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------
// OAuth2 client credentials

interface Token {
  authorization: string;
  /** Epoch ms, or undefined: the token does not expire. */
  expiresAt?: number;
  secret: string;
}

/** golang.org/x/oauth2: a token counts as expired this long before its expiry. */
const EXPIRY_DELTA_MS = 10_000;

/**
 * golang.org/x/oauth2/clientcredentials as Prometheus uses it: one token shared by the integration's
 * requests, fetched once at a time, reused until 10 s before `expires_in`; a changed client secret
 * (file rotation) or a 401 from the target drops it. The client authenticates with HTTP Basic first
 * and, if the endpoint refuses that, with form parameters; the style that worked is remembered.
 */
class OAuth2Tokens {
  private token?: Token;
  private pending?: Promise<Token>;
  private style?: 'header' | 'params';
  private readonly route: Route;

  constructor(
    private readonly s: OAuth2Settings,
    private readonly clock: Clock,
  ) {
    this.route = { tls: new TlsSource(s.tls), proxy: s.proxy };
  }

  /** The Authorization value; a token request carries the integration's User-Agent, as in Prometheus. */
  async authorization(signal: Cancellation, userAgent?: string): Promise<string> {
    const secret = await readSecret(this.s.clientSecret, 'oauth2 client_secret');
    const t = this.token;
    if (
      t &&
      t.secret === secret &&
      (t.expiresAt === undefined || this.clock.now() < t.expiresAt - EXPIRY_DELTA_MS)
    )
      return t.authorization;
    this.pending ??= this.fetch(secret, signal, userAgent).finally(() => (this.pending = undefined));
    const fresh = await this.pending;
    this.token = fresh;
    return fresh.authorization;
  }

  invalidate(authorization: string): void {
    if (this.token?.authorization === authorization) this.token = undefined;
  }

  private async fetch(secret: string, signal: Cancellation, userAgent?: string): Promise<Token> {
    const styles = this.style ? [this.style] : (['header', 'params'] as const);
    let lastError = '';
    for (const style of styles) {
      const form = new URLSearchParams({ grant_type: 'client_credentials' });
      if (this.s.scopes.length > 0) form.set('scope', this.s.scopes.join(' '));
      for (const [k, v] of Object.entries(this.s.endpointParams)) form.set(k, v);
      const headers: Record<string, string> = {
        'Content-Type': 'application/x-www-form-urlencoded',
        ...(userAgent ? { 'User-Agent': userAgent } : {}),
      };
      if (style === 'header') {
        const cred = `${queryEscape(this.s.clientId)}:${queryEscape(secret)}`;
        headers.Authorization = `Basic ${Buffer.from(cred).toString('base64')}`;
      } else {
        form.set('client_id', this.s.clientId);
        if (secret !== '') form.set('client_secret', secret);
      }
      let res: HttpResponse;
      try {
        res = await exchangeFollowing({
          url: this.s.tokenUrl,
          method: 'POST',
          headers,
          body: form.toString(),
          followRedirects: true,
          route: this.route,
          signal,
        });
      } catch (e) {
        throw new Error(`oauth2: cannot fetch token from ${this.s.tokenUrl}: ${(e as Error).message}`);
      }
      if (res.status >= 200 && res.status < 300) {
        const token = this.parse(res, secret);
        this.style = style;
        return token;
      }
      lastError = `oauth2: cannot fetch token from ${this.s.tokenUrl}: HTTP ${res.status}${
        res.body ? `: ${res.body.slice(0, 200).trim()}` : ''
      }`;
    }
    throw new Error(lastError);
  }

  private parse(res: HttpResponse, secret: string): Token {
    const type = String(res.headers['content-type'] ?? '')
      .split(';')[0]
      .trim()
      .toLowerCase();
    let f: Record<string, unknown>;
    if (type === 'application/x-www-form-urlencoded' || type === 'text/plain') {
      f = Object.fromEntries(new URLSearchParams(res.body));
    } else {
      try {
        f = obj(JSON.parse(res.body));
      } catch {
        throw new Error(`oauth2: cannot parse token response from ${this.s.tokenUrl}: not JSON`);
      }
    }
    const access = typeof f.access_token === 'string' ? f.access_token : '';
    if (access === '')
      throw new Error(`oauth2: server response from ${this.s.tokenUrl} missing access_token`);
    const expiresIn = Number(f.expires_in ?? 0);
    return {
      authorization: `${tokenType(typeof f.token_type === 'string' ? f.token_type : '')} ${access}`,
      expiresAt:
        Number.isFinite(expiresIn) && expiresIn > 0 ? this.clock.now() + expiresIn * 1000 : undefined,
      secret,
    };
  }
}

/** oauth2.Token.Type: the canonical casing of the well-known types, Bearer when empty. */
function tokenType(t: string): string {
  const l = t.toLowerCase();
  if (l === '' || l === 'bearer') return 'Bearer';
  if (l === 'mac') return 'MAC';
  if (l === 'basic') return 'Basic';
  return t;
}

/** Go's url.QueryEscape (the client id and secret are escaped before HTTP Basic, per RFC 6749 2.3.1). */
function queryEscape(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

// ---------------------------------------------------------------------------------------------------
// Legacy helpers (webhook and Slack senders call these directly)

/** `Retry-After` as ms: seconds, or an HTTP date. */
export function parseRetryAfter(v: string | undefined, now = systemClock.now()): number | undefined {
  if (!v) return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim()) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** One request over node:http(s), no redirects or proxy; the body is kept up to MAX_RESPONSE_BODY bytes. */
export function sendHttp(
  url: string,
  opts: {
    method: string;
    body?: string | Buffer;
    headers: Record<string, string>;
    timeoutMs: number;
    signal: AbortSignal;
    tls?: https.AgentOptions;
    clock?: Clock;
  },
): Promise<HttpResult> {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return Promise.resolve({ outcome: { kind: 'http', status: 400 }, message: `invalid URL` });
  }
  const secure = u.protocol === 'https:';
  return bounded(
    opts,
    (signal) =>
      send(
        secure ? https.request : http.request,
        {
          protocol: u.protocol,
          hostname: bareHost(u.hostname),
          port: defaultPort(u),
          path: `${u.pathname}${u.search}`,
          method: opts.method,
          headers: {
            ...opts.headers,
            ...(opts.body !== undefined ? { 'Content-Length': String(Buffer.byteLength(opts.body)) } : {}),
          },
          ...(secure ? opts.tls : {}),
        },
        opts.body === undefined ? undefined : Buffer.from(opts.body),
        signal,
      ),
    opts.clock ?? systemClock,
  );
}
