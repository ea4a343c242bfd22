import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@herald/domain';
import { checkHttpConfig, resolveHttpConfigPaths } from './http-config';

const P = 'receivers[0].webhook_configs[0].http_config';

function err(raw: unknown): ConfigError {
  try {
    checkHttpConfig(raw, P);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('checkHttpConfig', () => {
  let dir: string;
  let certPem: string;
  let keyPem: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'herald-httpcfg-'));
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=t',
        '-keyout',
        join(dir, 'k.pem'),
        '-out',
        join(dir, 'c.pem'),
      ],
      { stdio: 'ignore' },
    );
    certPem = readFileSync(join(dir, 'c.pem'), 'utf8');
    keyPem = readFileSync(join(dir, 'k.pem'), 'utf8');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts every field Herald implements', () => {
    expect(() =>
      checkHttpConfig(
        {
          authorization: { type: 'Token', credentials_file: '/run/secret' },
          tls_config: {
            ca: certPem,
            cert: certPem,
            key: keyPem,
            server_name: 'x',
            insecure_skip_verify: false,
            min_version: 'TLS12',
            max_version: 'TLS13',
          },
          follow_redirects: false,
          enable_http2: true,
          proxy_url: 'http://user:pw@proxy:3128',
          no_proxy: 'localhost,.internal,10.0.0.0/8',
          proxy_connect_header: { 'X-Proxy-Key': ['a', 'b'] },
          http_headers: { 'X-Tenant': { values: ['a'], secrets: ['b'], files: ['/f'] } },
        },
        P,
      ),
    ).not.toThrow();
    expect(() =>
      checkHttpConfig(
        {
          oauth2: {
            client_id: 'id',
            client_secret_file: '/s',
            scopes: ['a', 'b'],
            token_url: 'https://idp/token',
            endpoint_params: { audience: 'x' },
            tls_config: { insecure_skip_verify: true },
            proxy_from_environment: true,
          },
        },
        P,
      ),
    ).not.toThrow();
    expect(() => checkHttpConfig({ basic_auth: { username: 'u', password_file: '/p' } }, P)).not.toThrow();
    expect(() => checkHttpConfig({ bearer_token: 'x' }, P)).not.toThrow();
    expect(() => checkHttpConfig(undefined, P)).not.toThrow();
    // Go's yaml decodes a number into a string field.
    expect(() => checkHttpConfig({ basic_auth: { username: 'u', password: 1234 } }, P)).not.toThrow();
  });

  it('refuses unknown fields naming them, with a suggestion', () => {
    expect(err({ folow_redirects: true }).message).toBe(
      `${P}.folow_redirects: unknown field (did you mean "follow_redirects"?)`,
    );
    expect(err({ tls_config: { insecure_skip_verfy: true } }).path).toBe(
      `${P}.tls_config.insecure_skip_verfy`,
    );
    expect(err({ basic_auth: { user: 'x' } }).path).toBe(`${P}.basic_auth.user`);
    expect(err({ oauth2: { client_id: 'a', token_url: 'http://t', scope: ['x'] } }).message).toMatch(
      /oauth2\.scope: unknown field \(did you mean "scopes"\?\)/,
    );
    expect(err({ basic_auth: { password_ref: 'x' } }).message).toMatch(
      /password_ref: secret references need/,
    );
    expect(err({ oauth2: { client_id: 'a', token_url: 'http://t', claims: {} } }).message).toMatch(
      /oauth2\.claims: belongs to the jwt-bearer grant/,
    );
    expect(err({ oauth2: { client_id: 'a', token_url: 'http://t', grant_type: 'password' } }).path).toBe(
      `${P}.oauth2.grant_type`,
    );
  });

  it('refuses wrong types', () => {
    expect(err('x').message).toBe(`${P}: must be a mapping, got "x"`);
    expect(err({ follow_redirects: 'yes' }).path).toBe(`${P}.follow_redirects`);
    expect(err({ enable_http2: 1 }).path).toBe(`${P}.enable_http2`);
    expect(err({ basic_auth: 'u:p' }).path).toBe(`${P}.basic_auth`);
    expect(err({ basic_auth: { username: ['u'] } }).path).toBe(`${P}.basic_auth.username`);
    expect(err({ tls_config: { insecure_skip_verify: 'true' } }).path).toBe(
      `${P}.tls_config.insecure_skip_verify`,
    );
    expect(err({ oauth2: { client_id: 'a', token_url: 'http://t', scopes: 'a b' } }).path).toBe(
      `${P}.oauth2.scopes`,
    );
    expect(err({ proxy_url: 'http://p', proxy_connect_header: { X: 'v' } }).path).toBe(
      `${P}.proxy_connect_header.X`,
    );
    expect(err({ http_headers: { 'X-A': { values: 'a' } } }).path).toBe(`${P}.http_headers.X-A.values`);
  });

  it('refuses conflicting auth methods as Prometheus does', () => {
    expect(err({ bearer_token: 'a', bearer_token_file: '/f' }).message).toMatch(
      /at most one of bearer_token & bearer_token_file/,
    );
    expect(err({ basic_auth: { username: 'u' }, bearer_token: 'a' }).message).toMatch(
      /bearer_token: at most one of basic_auth, oauth2, bearer_token & bearer_token_file/,
    );
    expect(err({ authorization: { credentials: 'a' }, bearer_token_file: '/f' }).message).toMatch(
      /authorization: authorization is not compatible with bearer_token/,
    );
    expect(err({ authorization: { credentials: 'a' }, basic_auth: { username: 'u' } }).message).toMatch(
      /at most one of basic_auth, oauth2 & authorization/,
    );
    expect(
      err({ oauth2: { client_id: 'a', token_url: 'http://t' }, basic_auth: { username: 'u' } }).path,
    ).toBe(`${P}.oauth2`);
    expect(err({ authorization: { type: 'Basic', credentials: 'x' } }).message).toMatch(
      /authorization\.type: cannot be set to "basic", use "basic_auth" instead/,
    );
    expect(err({ basic_auth: { password: 'a', password_file: '/f' } }).path).toBe(
      `${P}.basic_auth.password_file`,
    );
    expect(err({ authorization: { credentials: 'a', credentials_file: '/f' } }).path).toBe(
      `${P}.authorization.credentials_file`,
    );
    expect(
      err({ oauth2: { client_id: 'a', token_url: 'http://t', client_secret: 'x', client_secret_file: '/f' } })
        .path,
    ).toBe(`${P}.oauth2.client_secret_file`);
  });

  it('requires oauth2 client_id and a usable token_url', () => {
    expect(err({ oauth2: { token_url: 'http://t' } }).path).toBe(`${P}.oauth2.client_id`);
    expect(err({ oauth2: { client_id: 'a' } }).path).toBe(`${P}.oauth2.token_url`);
    expect(err({ oauth2: { client_id: 'a', token_url: 'not a url' } }).message).toMatch(/absolute http/);
    expect(
      err({
        oauth2: { client_id: 'a', token_url: 'http://t', scopes: ['a'], endpoint_params: { scope: 'b' } },
      }).path,
    ).toBe(`${P}.oauth2.endpoint_params.scope`);
  });

  it('checks the proxy fields and their combinations', () => {
    expect(err({ proxy_url: 'not a url' }).path).toBe(`${P}.proxy_url`);
    expect(err({ proxy_url: 'ftp://p' }).message).toMatch(/http or https/);
    expect(err({ proxy_url: 'socks5://p:1080' }).message).toMatch(/socks5 proxies are not implemented/);
    expect(err({ no_proxy: 'x' }).message).toMatch(
      /if no_proxy is configured, proxy_url must also be configured/,
    );
    expect(err({ proxy_from_environment: true, proxy_url: 'http://p' }).path).toBe(`${P}.proxy_url`);
    expect(err({ proxy_from_environment: true, no_proxy: 'x' }).path).toBe(`${P}.no_proxy`);
    expect(err({ proxy_connect_header: { X: ['v'] } }).path).toBe(`${P}.proxy_connect_header`);
    expect(err({ oauth2: { client_id: 'a', token_url: 'http://t', no_proxy: 'x' } }).path).toBe(
      `${P}.oauth2.no_proxy`,
    );
  });

  it('checks tls_config', () => {
    expect(err({ tls_config: { min_version: 'TLS14' } }).message).toMatch(
      /tls_config\.min_version: unknown TLS version: "TLS14"/,
    );
    expect(err({ tls_config: { min_version: 'TLS13', max_version: 'TLS12' } }).path).toBe(
      `${P}.tls_config.max_version`,
    );
    expect(err({ tls_config: { ca: 'x', ca_file: '/f' } }).path).toBe(`${P}.tls_config.ca_file`);
    expect(err({ tls_config: { cert_file: '/c' } }).message).toMatch(/exactly one of key or key_file/);
    expect(err({ tls_config: { key_file: '/k' } }).message).toMatch(/exactly one of cert or cert_file/);
    expect(err({ tls_config: { ca: 'not pem' } }).path).toBe(`${P}.tls_config.ca`);
    expect(err({ tls_config: { cert: certPem, key: 'not a key' } }).path).toBe(`${P}.tls_config.key`);
  });

  it('refuses reserved and malformed http_headers', () => {
    expect(err({ http_headers: { authorization: { values: ['x'] } } }).message).toMatch(
      /http_headers\.authorization: setting header "authorization" is not allowed/,
    );
    expect(err({ http_headers: { 'User-Agent': { values: ['x'] } } }).path).toBe(
      `${P}.http_headers.User-Agent`,
    );
    expect(err({ http_headers: { 'bad header': { values: ['x'] } } }).message).toMatch(
      /not a valid header name/,
    );
    expect(err({ http_headers: { X: { value: ['x'] } } }).path).toBe(`${P}.http_headers.X.value`);
  });
});

describe('resolveHttpConfigPaths', () => {
  it('joins relative file paths to the config directory, as Alertmanager does', () => {
    expect(
      resolveHttpConfigPaths(
        {
          bearer_token_file: 'tok',
          tls_config: { ca_file: 'certs/ca.pem', cert_file: '/abs/c.pem', key_file: '' },
          basic_auth: { username: 'u', password_file: 'pw' },
          authorization: { credentials_file: './cred' },
          oauth2: { client_id: 'a', client_secret_file: 's', tls_config: { ca_file: 'oca' } },
          http_headers: { 'X-A': { values: ['v'], files: ['h', '/h2'] } },
          proxy_url: 'http://p',
        },
        '/etc/am',
      ),
    ).toEqual({
      bearer_token_file: '/etc/am/tok',
      tls_config: { ca_file: '/etc/am/certs/ca.pem', cert_file: '/abs/c.pem', key_file: '' },
      basic_auth: { username: 'u', password_file: '/etc/am/pw' },
      authorization: { credentials_file: '/etc/am/cred' },
      oauth2: { client_id: 'a', client_secret_file: '/etc/am/s', tls_config: { ca_file: '/etc/am/oca' } },
      http_headers: { 'X-A': { values: ['v'], files: ['/etc/am/h', '/h2'] } },
      proxy_url: 'http://p',
    });
    expect(resolveHttpConfigPaths(undefined, '/etc/am')).toBeUndefined();
  });
});
