// Prometheus' common `http_config` (config/http_config.go), as Alertmanager reads it for every receiver
// and for `global.http_config`. Checked here at load time so the delivery client can trust its input:
// every field is either implemented by Herald's client (libs/delivery http-client.ts) or refused here,
// never accepted and then ignored. Credential files (`*_file`) are read lazily at request time, as
// Prometheus does, so only their type is checked here.
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '@herald/domain';
import { asObject, at, checkKeys, idx, show, type RawObject } from './fields';

const PROXY_KEYS = ['proxy_url', 'no_proxy', 'proxy_from_environment', 'proxy_connect_header'] as const;

const HTTP_KEYS = [
  'basic_auth',
  'authorization',
  'oauth2',
  'bearer_token',
  'bearer_token_file',
  'tls_config',
  'follow_redirects',
  'enable_http2',
  'http_headers',
  ...PROXY_KEYS,
] as const;

const TLS_KEYS = [
  'ca',
  'ca_file',
  'cert',
  'cert_file',
  'key',
  'key_file',
  'server_name',
  'insecure_skip_verify',
  'min_version',
  'max_version',
] as const;

const OAUTH2_KEYS = [
  'client_id',
  'client_secret',
  'client_secret_file',
  'scopes',
  'token_url',
  'endpoint_params',
  'tls_config',
  'grant_type',
  ...PROXY_KEYS,
] as const;

/** Prometheus' names for TLS versions, in order. */
export const TLS_VERSIONS = ['TLS10', 'TLS11', 'TLS12', 'TLS13'] as const;
export type TlsVersionName = (typeof TLS_VERSIONS)[number];

// Newer Prometheus fields that read secrets from a secret manager: Alertmanager configures none, so
// its client fails on them ("cannot use secret ref without manager"). Refused with that said.
const REF_KEYS = [
  'username_ref',
  'password_ref',
  'credentials_ref',
  'client_secret_ref',
  'ca_ref',
  'cert_ref',
  'key_ref',
];

// Only the RFC 7523 jwt-bearer grant uses these; Herald implements client_credentials only.
const JWT_KEYS = [
  'client_certificate_key_id',
  'client_certificate_key',
  'client_certificate_key_file',
  'client_certificate_key_ref',
  'signature_algorithm',
  'iss',
  'audience',
  'claims',
];

// Prometheus' ReservedHeaders: what `http_headers` may not set (auth and framing belong to the client).
const RESERVED_HEADERS = new Set(
  [
    'Authorization',
    'Host',
    'Content-Encoding',
    'Content-Length',
    'Content-Type',
    'User-Agent',
    'Connection',
    'Keep-Alive',
    'Proxy-Authenticate',
    'Proxy-Authorization',
    'Www-Authenticate',
    'Accept-Encoding',
    'X-Prometheus-Remote-Write-Version',
    'X-Prometheus-Remote-Read-Version',
    'X-Prometheus-Scrape-Timeout-Seconds',
    'X-Amz-Date',
    'X-Amz-Security-Token',
    'X-Amz-Content-Sha256',
  ].map((h) => h.toLowerCase()),
);

/** An HTTP header name token (RFC 9110). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks an `http_config` mapping (absent/null is fine: the defaults). Throws ConfigError naming the
 * field for unknown keys, wrong types, conflicting auth methods, bad URLs and TLS versions. Mirrors
 * Prometheus' HTTPClientConfig.Validate rules, field by field.
 */
export function checkHttpConfig(raw: unknown, path: string): void {
  if (raw === undefined || raw === null) return;
  const c = asObject(raw, path);
  refuseExtras(c, path);
  checkKeys(c, HTTP_KEYS, path);

  const bearer = setText(c, 'bearer_token', path);
  const bearerFile = setText(c, 'bearer_token_file', path);
  if (bearer && bearerFile)
    throw new ConfigError(path, 'at most one of bearer_token & bearer_token_file must be configured');

  const basic = optMapping(c, 'basic_auth', path);
  const authz = optMapping(c, 'authorization', path);
  const oauth2 = optMapping(c, 'oauth2', path);

  if ((basic || oauth2) && (bearer || bearerFile))
    throw new ConfigError(
      at(path, bearer ? 'bearer_token' : 'bearer_token_file'),
      'at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured',
    );
  if (basic) checkBasicAuth(basic, at(path, 'basic_auth'));
  if (authz) {
    const p = at(path, 'authorization');
    if (bearer || bearerFile)
      throw new ConfigError(p, 'authorization is not compatible with bearer_token & bearer_token_file');
    if (basic || oauth2)
      throw new ConfigError(p, 'at most one of basic_auth, oauth2 & authorization must be configured');
    refuseExtras(authz, p);
    checkKeys(authz, ['type', 'credentials', 'credentials_file'], p);
    const type = (setText(authz, 'type', p) ?? '').trim();
    if (type.toLowerCase() === 'basic')
      throw new ConfigError(at(p, 'type'), 'cannot be set to "basic", use "basic_auth" instead');
    if (/\s/.test(type)) throw new ConfigError(at(p, 'type'), `must be a single word, got ${show(type)}`);
    onlyOne(authz, p, 'credentials', 'credentials_file');
  }
  if (oauth2) {
    const p = at(path, 'oauth2');
    if (basic)
      throw new ConfigError(p, 'at most one of basic_auth, oauth2 & authorization must be configured');
    checkOAuth2(oauth2, p);
  }

  const tls = optMapping(c, 'tls_config', path);
  if (tls) checkTlsConfig(tls, at(path, 'tls_config'));
  optBoolean(c, 'follow_redirects', path);
  optBoolean(c, 'enable_http2', path);
  checkProxy(c, path);
  const headers = optMapping(c, 'http_headers', path);
  if (headers) checkHeaders(headers, at(path, 'http_headers'));
}

function checkBasicAuth(b: RawObject, p: string): void {
  refuseExtras(b, p);
  checkKeys(b, ['username', 'username_file', 'password', 'password_file'], p);
  onlyOne(b, p, 'username', 'username_file');
  onlyOne(b, p, 'password', 'password_file');
}

function checkOAuth2(o: RawObject, p: string): void {
  refuseExtras(o, p);
  for (const k of JWT_KEYS)
    if (k in o)
      throw new ConfigError(
        at(p, k),
        'belongs to the jwt-bearer grant, which Herald does not implement (only grant_type client_credentials)',
      );
  checkKeys(o, OAUTH2_KEYS, p);
  const grant = setText(o, 'grant_type', p);
  if (grant && grant !== 'client_credentials')
    throw new ConfigError(
      at(p, 'grant_type'),
      `Herald implements only "client_credentials", got ${show(grant)}`,
    );
  if (!setText(o, 'client_id', p))
    throw new ConfigError(at(p, 'client_id'), 'oauth2 client_id must be configured');
  onlyOne(o, p, 'client_secret', 'client_secret_file');
  const tokenUrl = setText(o, 'token_url', p);
  if (!tokenUrl) throw new ConfigError(at(p, 'token_url'), 'oauth2 token_url must be configured');
  absoluteHttpUrl(tokenUrl, at(p, 'token_url'));
  const scopes = o.scopes == null ? [] : listOfText(o.scopes, at(p, 'scopes'));
  const params = optMapping(o, 'endpoint_params', p);
  if (params) {
    for (const [k, v] of Object.entries(params)) {
      text(v, at(at(p, 'endpoint_params'), k));
      // golang.org/x/oauth2 refuses to overwrite a parameter it sets itself (grant_type excepted).
      if (k === 'scope' && scopes.length > 0)
        throw new ConfigError(at(at(p, 'endpoint_params'), k), 'cannot overwrite the scope set by scopes');
    }
  }
  const tls = optMapping(o, 'tls_config', p);
  if (tls) checkTlsConfig(tls, at(p, 'tls_config'));
  checkProxy(o, p);
}

function checkTlsConfig(t: RawObject, p: string): void {
  refuseExtras(t, p);
  checkKeys(t, TLS_KEYS, p);
  onlyOne(t, p, 'ca', 'ca_file');
  onlyOne(t, p, 'cert', 'cert_file');
  onlyOne(t, p, 'key', 'key_file');
  setText(t, 'server_name', p);
  optBoolean(t, 'insecure_skip_verify', p);
  const usingCert = !!(setText(t, 'cert', p) || setText(t, 'cert_file', p));
  const usingKey = !!(setText(t, 'key', p) || setText(t, 'key_file', p));
  if (usingCert && !usingKey)
    throw new ConfigError(
      p,
      'exactly one of key or key_file must be configured when a client certificate is configured',
    );
  if (usingKey && !usingCert)
    throw new ConfigError(
      p,
      'exactly one of cert or cert_file must be configured when a client key is configured',
    );
  // Inline PEM is checked now (Alertmanager fails building the client on it); files are read per request.
  const ca = setText(t, 'ca', p);
  if (ca) pemCertificates(ca, at(p, 'ca'));
  const cert = setText(t, 'cert', p);
  if (cert) pemCertificates(cert, at(p, 'cert'));
  const key = setText(t, 'key', p);
  if (key) {
    try {
      createPrivateKey(key);
    } catch (e) {
      throw new ConfigError(at(p, 'key'), `is not a usable PEM private key (${(e as Error).message})`);
    }
  }
  const min = tlsVersion(t, 'min_version', p);
  const max = tlsVersion(t, 'max_version', p);
  if (min !== undefined && max !== undefined && max < min)
    throw new ConfigError(
      at(p, 'max_version'),
      'must be greater than or equal to tls_config.min_version if both are specified',
    );
}

function tlsVersion(t: RawObject, key: string, p: string): number | undefined {
  const v = setText(t, key, p);
  if (!v) return undefined;
  const i = (TLS_VERSIONS as readonly string[]).indexOf(v);
  if (i < 0)
    throw new ConfigError(at(p, key), `unknown TLS version: ${show(v)} (one of ${TLS_VERSIONS.join(', ')})`);
  return i;
}

function pemCertificates(pem: string, p: string): void {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g);
  if (!blocks) throw new ConfigError(p, 'must hold PEM certificates ("-----BEGIN CERTIFICATE-----")');
  for (const b of blocks) {
    try {
      new X509Certificate(b);
    } catch (e) {
      throw new ConfigError(p, `holds an unusable certificate (${(e as Error).message})`);
    }
  }
}

/** Proxy fields (inline in http_config and in oauth2), with ProxyConfig.Validate's rules. */
function checkProxy(c: RawObject, p: string): void {
  const url = setText(c, 'proxy_url', p);
  if (url) {
    const u = absoluteHttpUrl(url, at(p, 'proxy_url'), 'socks5 proxies are not implemented by Herald');
    if (u.pathname !== '/' && u.pathname !== '')
      throw new ConfigError(at(p, 'proxy_url'), `must not have a path, got ${show(url)}`);
  }
  const noProxy = setText(c, 'no_proxy', p);
  const fromEnv = optBoolean(c, 'proxy_from_environment', p) === true;
  const connect = optMapping(c, 'proxy_connect_header', p);
  if (connect) {
    const cp = at(p, 'proxy_connect_header');
    for (const [name, values] of Object.entries(connect)) {
      if (!HEADER_NAME.test(name)) throw new ConfigError(at(cp, name), 'is not a valid header name');
      listOfText(values, at(cp, name));
    }
  }
  if (connect && Object.keys(connect).length > 0 && !fromEnv && !url)
    throw new ConfigError(
      at(p, 'proxy_connect_header'),
      'if proxy_connect_header is configured, proxy_url or proxy_from_environment must also be configured',
    );
  if (fromEnv && url)
    throw new ConfigError(
      at(p, 'proxy_url'),
      'if proxy_from_environment is configured, proxy_url must not be configured',
    );
  if (fromEnv && noProxy)
    throw new ConfigError(
      at(p, 'no_proxy'),
      'if proxy_from_environment is configured, no_proxy must not be configured',
    );
  if (noProxy && !url)
    throw new ConfigError(at(p, 'no_proxy'), 'if no_proxy is configured, proxy_url must also be configured');
}

function checkHeaders(h: RawObject, p: string): void {
  for (const [name, v] of Object.entries(h)) {
    const hp = at(p, name);
    if (!HEADER_NAME.test(name)) throw new ConfigError(hp, 'is not a valid header name');
    if (RESERVED_HEADERS.has(name.toLowerCase()))
      throw new ConfigError(hp, `setting header ${show(name)} is not allowed`);
    const o = asObject(v, hp);
    checkKeys(o, ['values', 'secrets', 'files'], hp);
    for (const k of ['values', 'secrets', 'files']) if (o[k] != null) listOfText(o[k], at(hp, k));
  }
}

function refuseExtras(o: RawObject, p: string): void {
  for (const k of REF_KEYS)
    if (k in o)
      throw new ConfigError(
        at(p, k),
        'secret references need a secret manager, which Alertmanager and Herald do not have; use the inline or _file field',
      );
}

/** A scalar as Go's yaml.v2 decodes it into a string field (numbers and booleans become their text). */
function text(v: unknown, p: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw new ConfigError(p, `must be a string, got ${show(v)}`);
}

/** The field's text when set and non-empty (Go's "is configured"), else undefined. */
function setText(o: RawObject, key: string, p: string): string | undefined {
  if (o[key] === undefined || o[key] === null) return undefined;
  const s = text(o[key], at(p, key));
  return s === '' ? undefined : s;
}

function onlyOne(o: RawObject, p: string, a: string, b: string): void {
  if (setText(o, a, p) && setText(o, b, p))
    throw new ConfigError(at(p, b), `at most one of ${a} & ${b} must be configured`);
}

function optMapping(o: RawObject, key: string, p: string): RawObject | undefined {
  return o[key] === undefined || o[key] === null ? undefined : asObject(o[key], at(p, key));
}

function optBoolean(o: RawObject, key: string, p: string): boolean | undefined {
  const v = o[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw new ConfigError(at(p, key), `must be true or false, got ${show(v)}`);
  return v;
}

function listOfText(v: unknown, p: string): string[] {
  if (!Array.isArray(v)) throw new ConfigError(p, `must be a list of strings, got ${show(v)}`);
  return v.map((x, i) => text(x, idx(p, i)));
}

function absoluteHttpUrl(s: string, p: string, socks?: string): URL {
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    throw new ConfigError(p, `must be an absolute http(s) URL, got ${show(s)}`);
  }
  if (socks && /^socks5h?:$/.test(u.protocol)) throw new ConfigError(p, socks);
  if (u.protocol !== 'http:' && u.protocol !== 'https:')
    throw new ConfigError(p, `must be an http or https URL, got ${show(s)}`);
  if (u.hostname === '') throw new ConfigError(p, `must have a host, got ${show(s)}`);
  return u;
}

/**
 * A copy of a (checked) `http_config` whose relative file paths are joined to `dir`, the directory of
 * the config file, as Alertmanager's resolveFilepaths does (Prometheus' SetDirectory): tls_config and
 * oauth2.tls_config ca/cert/key files, basic_auth and authorization files, bearer_token_file,
 * oauth2.client_secret_file and http_headers files. Absolute and empty paths are kept.
 */
export function resolveHttpConfigPaths(raw: unknown, dir: string): unknown {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return raw;
  const join = (v: unknown) => (typeof v === 'string' && v !== '' && !isAbsolute(v) ? resolve(dir, v) : v);
  const fields = (o: unknown, keys: string[]): unknown => {
    if (o === null || typeof o !== 'object' || Array.isArray(o)) return o;
    const out: RawObject = { ...(o as RawObject) };
    for (const k of keys) if (k in out) out[k] = join(out[k]);
    return out;
  };
  const tlsFiles = ['ca_file', 'cert_file', 'key_file'];
  const c = fields(raw, ['bearer_token_file']) as RawObject;
  if ('tls_config' in c) c.tls_config = fields(c.tls_config, tlsFiles);
  if ('basic_auth' in c) c.basic_auth = fields(c.basic_auth, ['username_file', 'password_file']);
  if ('authorization' in c) c.authorization = fields(c.authorization, ['credentials_file']);
  if (c.oauth2 && typeof c.oauth2 === 'object') {
    const o = fields(c.oauth2, ['client_secret_file']) as RawObject;
    if ('tls_config' in o) o.tls_config = fields(o.tls_config, tlsFiles);
    c.oauth2 = o;
  }
  if (c.http_headers && typeof c.http_headers === 'object' && !Array.isArray(c.http_headers)) {
    c.http_headers = Object.fromEntries(
      Object.entries(c.http_headers as RawObject).map(([name, h]) => {
        const files = (h as RawObject | null)?.files;
        return [name, Array.isArray(files) ? { ...(h as RawObject), files: files.map(join) } : h];
      }),
    );
  }
  return c;
}
