// The integration HTTP client (libs/delivery http-client.ts) against real local servers: every
// `http_config` part Prometheus' client implements — auth methods, OAuth2 client credentials, TLS,
// proxies (absolute-URL and CONNECT), redirects — plus timeouts and how responses are kept.
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { FakeClock } from '@herald/domain';
import { createHttpClient, MAX_RESPONSE_BODY, type HttpRequest, type HttpResult } from '@herald/delivery';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  socket: net.Socket;
}

type Handler = (req: Seen, res: http.ServerResponse) => void;

interface Served {
  url: string;
  port: number;
  seen: Seen[];
  /** Resolves with the next request the server receives. */
  next(): Promise<Seen>;
  server: http.Server;
}

const servers: http.Server[] = [];

async function serve(handler: Handler, tlsOpts?: https.ServerOptions): Promise<Served> {
  const seen: Seen[] = [];
  const waiting: ((s: Seen) => void)[] = [];
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      const s: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        socket: req.socket,
      };
      seen.push(s);
      waiting.splice(0).forEach((w) => w(s));
      handler(s, res);
    });
  };
  const server = tlsOpts ? https.createServer(tlsOpts, onRequest) : http.createServer(onRequest);
  servers.push(server);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `${tlsOpts ? 'https' : 'http'}://127.0.0.1:${port}`,
    port,
    seen,
    server,
    next: () => new Promise((resolve) => waiting.push(resolve)),
  };
}

const ok: Handler = (_req, res) => res.end('ok');
const never = new AbortController().signal;

function send(
  raw: unknown,
  req: Partial<HttpRequest> & { url: string },
  clock?: FakeClock,
): Promise<HttpResult> {
  return createHttpClient(raw, 'test', { clock }).client.request({
    timeoutMs: 5000,
    signal: never,
    body: '{"a":1}',
    headers: { 'Content-Type': 'application/json' },
    ...req,
  });
}

const statusOf = (r: HttpResult) => (r.outcome.kind === 'http' ? r.outcome.status : r.outcome.message);
const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

let dir: string;
const pem: Record<string, string> = {};

function openssl(args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
}

/** A CA, a server certificate for 127.0.0.1 / localhost / herald.test, a client certificate, a second CA. */
function makeCerts(): void {
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=herald-test-ca',
  ]);
  openssl([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    'other.key',
    '-out',
    'other.crt',
    '-days',
    '2',
    '-subj',
    '/CN=other-ca',
  ]);
  writeFileSync(join(dir, 'srv.ext'), 'subjectAltName=DNS:localhost,DNS:herald.test,IP:127.0.0.1\n');
  writeFileSync(join(dir, 'cli.ext'), 'extendedKeyUsage=clientAuth\n');
  for (const [name, cn, ext] of [
    ['srv', 'localhost', 'srv.ext'],
    ['cli', 'herald-client', 'cli.ext'],
  ]) {
    openssl(['req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
    openssl([
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.crt`,
      '-days',
      '2',
      '-extfile',
      ext,
    ]);
  }
  for (const f of ['ca.crt', 'other.crt', 'srv.crt', 'srv.key', 'cli.crt', 'cli.key'])
    pem[f] = readFileSync(join(dir, f), 'utf8');
}

const file = (name: string, content: string): string => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'herald-http-int-'));
  makeCerts();
});

afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('authentication', () => {
  it('basic_auth inline and from files re-read on every request', async () => {
    const t = await serve(ok);
    expect(statusOf(await send({ basic_auth: { username: 'u', password: 'p' } }, { url: t.url }))).toBe(200);
    expect(t.seen[0].headers.authorization).toBe(basic('u', 'p'));

    const userFile = file('user', 'alice\n');
    const pwFile = file('pw', 's3cret\n');
    const { client } = createHttpClient(
      { basic_auth: { username_file: userFile, password_file: pwFile } },
      't',
    );
    const req = { url: t.url, timeoutMs: 5000, signal: never };
    await client.request(req);
    writeFileSync(pwFile, 'rotated');
    await client.request(req);
    expect(t.seen.slice(1).map((s) => s.headers.authorization)).toEqual([
      basic('alice', 's3cret'),
      basic('alice', 'rotated'),
    ]);
  });

  it('authorization (type + credentials / credentials_file) and legacy bearer_token(_file)', async () => {
    const t = await serve(ok);
    const tok = file('tok', ' tok-from-file \n');
    await send({ authorization: { credentials: 'abc' } }, { url: t.url });
    await send({ authorization: { type: 'Token', credentials_file: tok } }, { url: t.url });
    await send({ bearer_token: 'legacy' }, { url: t.url });
    await send({ bearer_token_file: tok }, { url: t.url });
    expect(t.seen.map((s) => s.headers.authorization)).toEqual([
      'Bearer abc',
      'Token tok-from-file',
      'Bearer legacy',
      'Bearer tok-from-file',
    ]);
  });

  it("a sender's own Authorization header wins (as Prometheus' round trippers)", async () => {
    const t = await serve(ok);
    await send({ bearer_token: 'x' }, { url: t.url, headers: { Authorization: 'GenieKey k' } });
    expect(t.seen[0].headers.authorization).toBe('GenieKey k');
  });

  it('an unreadable credentials file is a retryable transport result naming the file', async () => {
    const t = await serve(ok);
    const r = await send({ authorization: { credentials_file: join(dir, 'missing') } }, { url: t.url });
    expect(r.outcome).toMatchObject({ kind: 'transport', timeout: false });
    expect(r.message).toMatch(/unable to read authorization credentials file .*missing/);
    expect(t.seen).toHaveLength(0);
  });

  it('http_headers: values, secrets and files (read per request)', async () => {
    const t = await serve(ok);
    const f = file('hdr', 'from-file\n');
    await send(
      {
        http_headers: {
          'X-Tenant': { values: ['a'], secrets: ['b'], files: [f] },
          'X-One': { values: ['1'] },
        },
      },
      { url: t.url },
    );
    expect(t.seen[0].headers['x-tenant']).toBe('a, b, from-file');
    expect(t.seen[0].headers['x-one']).toBe('1');
  });
});

describe('oauth2 client credentials', () => {
  interface TokenServer extends Served {
    tokens: number;
  }
  async function tokenServer(
    opts: { refuseBasic?: boolean; status?: number; expiresIn?: number; form?: boolean } = {},
  ): Promise<TokenServer> {
    const ts = (await serve((req, res) => {
      const auth = req.headers.authorization;
      if (opts.status) return res.writeHead(opts.status).end('{"error":"invalid_client"}');
      if (opts.refuseBasic && auth) return res.writeHead(401).end('{"error":"invalid_client"}');
      ts.tokens++;
      if (opts.form) {
        res.setHeader('Content-Type', 'application/x-www-form-urlencoded');
        return res.end(`access_token=form-${ts.tokens}&token_type=bearer`);
      }
      res.setHeader('Content-Type', 'application/json');
      res.end(
        JSON.stringify({
          access_token: `tok-${ts.tokens}`,
          token_type: 'bearer',
          expires_in: opts.expiresIn ?? 60,
        }),
      );
    })) as TokenServer;
    ts.tokens = 0;
    return ts;
  }

  it('fetches a token (Basic client auth, form, scopes, endpoint_params), caches it until shortly before expiry', async () => {
    const ts = await tokenServer();
    const t = await serve(ok);
    const clock = new FakeClock(1_000_000);
    const { client } = createHttpClient(
      {
        oauth2: {
          client_id: 'my id',
          client_secret: 's&cret',
          scopes: ['alerts:write', 'read'],
          token_url: `${ts.url}/oauth/token`,
          endpoint_params: { audience: 'herald' },
        },
      },
      't',
      { clock },
    );
    const req = {
      url: t.url,
      timeoutMs: 5000,
      signal: never,
      headers: { 'User-Agent': 'Alertmanager/0.25.0' },
    };
    await client.request(req);
    await client.request(req);
    clock.advance(49_000); // 60 s token, counted expired 10 s early: still valid at 49 s
    await client.request(req);
    clock.advance(2_000);
    await client.request(req);
    expect(t.seen.map((s) => s.headers.authorization)).toEqual([
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-1',
      'Bearer tok-2',
    ]);
    expect(ts.seen).toHaveLength(2);
    const first = ts.seen[0];
    expect(first.method).toBe('POST');
    expect(first.url).toBe('/oauth/token');
    expect(first.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(first.headers['user-agent']).toBe('Alertmanager/0.25.0');
    // Go's url.QueryEscape on id and secret, then HTTP Basic.
    expect(first.headers.authorization).toBe(basic('my+id', 's%26cret'));
    expect(Object.fromEntries(new URLSearchParams(first.body))).toEqual({
      grant_type: 'client_credentials',
      scope: 'alerts:write read',
      audience: 'herald',
    });
  });

  it('a 401 from the target drops the token: the next attempt fetches a new one', async () => {
    const ts = await tokenServer({ expiresIn: 3600 });
    let refuse = true;
    const t = await serve((_req, res) => {
      if (refuse) {
        refuse = false;
        return res.writeHead(401).end('expired');
      }
      res.end('ok');
    });
    const { client } = createHttpClient(
      { oauth2: { client_id: 'a', client_secret: 'b', token_url: ts.url } },
      't',
    );
    const req = { url: t.url, timeoutMs: 5000, signal: never };
    expect(statusOf(await client.request(req))).toBe(401);
    expect(statusOf(await client.request(req))).toBe(200);
    expect(t.seen.map((s) => s.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('falls back to client_id/client_secret in the form when Basic is refused, and remembers that', async () => {
    const ts = await tokenServer({ refuseBasic: true, expiresIn: 1, form: true });
    const t = await serve(ok);
    const clock = new FakeClock(0);
    const { client } = createHttpClient(
      { oauth2: { client_id: 'a', client_secret: 'b', token_url: ts.url } },
      't',
      {
        clock,
      },
    );
    const req = { url: t.url, timeoutMs: 5000, signal: never };
    expect(statusOf(await client.request(req))).toBe(200);
    await client.request(req); // form tokens carry no expires_in: reused
    expect(
      ts.seen.map((s) => [
        s.headers.authorization !== undefined,
        new URLSearchParams(s.body).get('client_id'),
      ]),
    ).toEqual([
      [true, null],
      [false, 'a'],
    ]);
    expect(new URLSearchParams(ts.seen[1].body).get('client_secret')).toBe('b');
    expect(t.seen.map((s) => s.headers.authorization)).toEqual(['Bearer form-1', 'Bearer form-1']);
  });

  it('a rotated client_secret_file fetches a new token', async () => {
    const ts = await tokenServer({ expiresIn: 3600 });
    const t = await serve(ok);
    const secret = file('client-secret', 'one');
    const { client } = createHttpClient(
      { oauth2: { client_id: 'a', client_secret_file: secret, token_url: ts.url } },
      't',
    );
    const req = { url: t.url, timeoutMs: 5000, signal: never };
    await client.request(req);
    writeFileSync(secret, 'two');
    await client.request(req);
    expect(ts.seen.map((s) => s.headers.authorization)).toEqual([basic('a', 'one'), basic('a', 'two')]);
  });

  it('concurrent requests share one token fetch', async () => {
    const ts = await tokenServer();
    const t = await serve(ok);
    const { client } = createHttpClient({ oauth2: { client_id: 'a', token_url: ts.url } }, 't');
    const req = { url: t.url, timeoutMs: 5000, signal: never };
    await Promise.all([client.request(req), client.request(req), client.request(req)]);
    expect(ts.tokens).toBe(1);
    expect(t.seen).toHaveLength(3);
  });

  it('a failing token endpoint is a retryable transport result; the target is not called', async () => {
    const ts = await tokenServer({ status: 500 });
    const t = await serve(ok);
    const r = await send(
      { oauth2: { client_id: 'a', client_secret: 'b', token_url: ts.url } },
      { url: t.url },
    );
    expect(r.outcome).toMatchObject({ kind: 'transport', timeout: false });
    expect(r.message).toBe(`oauth2: cannot fetch token from ${ts.url}: HTTP 500: {"error":"invalid_client"}`);
    expect(t.seen).toHaveLength(0);
    const down = await send(
      { oauth2: { client_id: 'a', token_url: 'http://127.0.0.1:1/token' } },
      { url: t.url },
    );
    expect(down.message).toMatch(
      /^oauth2: cannot fetch token from http:\/\/127\.0\.0\.1:1\/token: .*ECONNREFUSED/,
    );
  });

  it('the token endpoint uses oauth2.tls_config', async () => {
    const ts = await serve(
      (_req, res) => res.setHeader('Content-Type', 'application/json').end('{"access_token":"secure"}'),
      { cert: pem['srv.crt'], key: pem['srv.key'] },
    );
    const t = await serve(ok);
    const r = await send(
      { oauth2: { client_id: 'a', token_url: ts.url, tls_config: { ca: pem['ca.crt'] } } },
      { url: t.url },
    );
    expect(statusOf(r)).toBe(200);
    expect(t.seen[0].headers.authorization).toBe('Bearer secure');
  });
});

describe('tls_config', () => {
  let t: Served;
  beforeAll(async () => {
    t = await serve((req, res) => res.end((req.socket as TLSSocket).getProtocol() ?? ''), {
      cert: pem['srv.crt'],
      key: pem['srv.key'],
    });
  });

  it('verifies the server against ca / ca_file; an unknown CA fails', async () => {
    const unknown = await send(undefined, { url: t.url });
    expect(unknown.outcome).toMatchObject({ kind: 'transport' });
    expect(unknown.message).toMatch(/self.signed|unable to (get|verify)/i);
    expect(statusOf(await send({ tls_config: { ca: pem['ca.crt'] } }, { url: t.url }))).toBe(200);
    expect(statusOf(await send({ tls_config: { ca_file: join(dir, 'ca.crt') } }, { url: t.url }))).toBe(200);
    const other = await send({ tls_config: { ca: pem['other.crt'] } }, { url: t.url });
    expect(other.outcome.kind).toBe('transport');
  });

  it('insecure_skip_verify accepts any certificate', async () => {
    expect(statusOf(await send({ tls_config: { insecure_skip_verify: true } }, { url: t.url }))).toBe(200);
  });

  it('server_name is the name verified (and sent as SNI)', async () => {
    const good = await send(
      { tls_config: { ca: pem['ca.crt'], server_name: 'herald.test' } },
      { url: t.url },
    );
    expect(statusOf(good)).toBe(200);
    const bad = await send(
      { tls_config: { ca: pem['ca.crt'], server_name: 'wrong.example' } },
      { url: t.url },
    );
    expect(bad.outcome.kind).toBe('transport');
    expect(bad.message).toMatch(/wrong\.example/);
  });

  it('a rotated ca_file is used on the next request', async () => {
    const ca = file('rotating-ca.crt', pem['other.crt']);
    const { client } = createHttpClient({ tls_config: { ca_file: ca } }, 't');
    const req = { url: t.url, timeoutMs: 5000, signal: never };
    expect((await client.request(req)).outcome.kind).toBe('transport');
    writeFileSync(ca, pem['ca.crt']);
    expect(statusOf(await client.request(req))).toBe(200);
  });

  it('min_version / max_version bound the protocol', async () => {
    const tls12 = await send({ tls_config: { ca: pem['ca.crt'], max_version: 'TLS12' } }, { url: t.url });
    expect(tls12.response?.body).toBe('TLSv1.2');
    const tls13 = await send({ tls_config: { ca: pem['ca.crt'], min_version: 'TLS13' } }, { url: t.url });
    expect(tls13.response?.body).toBe('TLSv1.3');
    const old = await serve(ok, { cert: pem['srv.crt'], key: pem['srv.key'], maxVersion: 'TLSv1.2' });
    const refused = await send({ tls_config: { ca: pem['ca.crt'], min_version: 'TLS13' } }, { url: old.url });
    expect(refused.outcome.kind).toBe('transport');
  });

  it('client certificate (cert_file/key_file, or inline) for a server that requires one', async () => {
    const mtls = await serve(
      (req, res) => res.end((req.socket as TLSSocket).getPeerCertificate().subject?.CN ?? ''),
      {
        cert: pem['srv.crt'],
        key: pem['srv.key'],
        ca: pem['ca.crt'],
        requestCert: true,
        rejectUnauthorized: true,
      },
    );
    const without = await send({ tls_config: { ca: pem['ca.crt'] } }, { url: mtls.url });
    expect(without.outcome.kind).toBe('transport');
    const fromFiles = await send(
      { tls_config: { ca: pem['ca.crt'], cert_file: join(dir, 'cli.crt'), key_file: join(dir, 'cli.key') } },
      { url: mtls.url },
    );
    expect(fromFiles.response?.body).toBe('herald-client');
    const inline = await send(
      { tls_config: { ca: pem['ca.crt'], cert: pem['cli.crt'], key: pem['cli.key'] } },
      { url: mtls.url },
    );
    expect(inline.response?.body).toBe('herald-client');
  });
});

describe('proxies', () => {
  interface ProxySeen {
    kind: 'absolute' | 'connect';
    target: string;
    headers: http.IncomingHttpHeaders;
  }
  interface Proxy {
    url: string;
    seen: ProxySeen[];
    refuse: boolean;
  }
  let proxy: Proxy;
  let tlsProxy: Proxy;
  /** Names the proxy resolves to a loopback port (so non-loopback names can be "proxied"). */
  const hosts = new Map<string, number>();

  /** A forward proxy (absolute-URL requests and CONNECT), over TLS when given a certificate. */
  async function startProxy(tlsOpts?: https.ServerOptions): Promise<Proxy> {
    const seen: ProxySeen[] = [];
    const me: Proxy = { url: '', seen, refuse: false };
    const resolve = (host: string, port: string) => {
      const mapped = hosts.get(host);
      return { host: '127.0.0.1', port: mapped ?? Number(port) };
    };
    const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
      const target = new URL(req.url ?? '');
      seen.push({ kind: 'absolute', target: req.url ?? '', headers: req.headers });
      const to = resolve(target.hostname, target.port || '80');
      const { 'proxy-authorization': _pa, ...headers } = req.headers;
      const up = http.request(
        {
          host: to.host,
          port: to.port,
          method: req.method,
          path: `${target.pathname}${target.search}`,
          headers,
        },
        (upRes) => {
          res.writeHead(upRes.statusCode ?? 502, upRes.headers);
          upRes.pipe(res);
        },
      );
      up.on('error', () => res.writeHead(502).end());
      req.pipe(up);
    };
    const server = tlsOpts ? https.createServer(tlsOpts, onRequest) : http.createServer(onRequest);
    server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      seen.push({ kind: 'connect', target: req.url ?? '', headers: req.headers });
      if (me.refuse) return socket.end('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n');
      const [h, p] = (req.url ?? '').split(/:(?=\d+$)/);
      const to = resolve(h, p);
      const up = net.connect(to.port, to.host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(socket);
        socket.pipe(up);
      });
      up.on('error', () => socket.destroy());
      socket.on('error', () => up.destroy());
    });
    servers.push(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    me.url = `${tlsOpts ? 'https' : 'http'}://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
    return me;
  }
  beforeAll(async () => {
    proxy = await startProxy();
    tlsProxy = await startProxy({ cert: pem['srv.crt'], key: pem['srv.key'] });
  });
  beforeEach(() => {
    for (const p of [proxy, tlsProxy]) {
      p.seen.length = 0;
      p.refuse = false;
    }
  });

  it('http targets: absolute-URL request to proxy_url, with Proxy-Authorization from its userinfo', async () => {
    const t = await serve(ok);
    const pu = proxy.url.replace('http://', 'http://pu:p%40ss@');
    const r = await send({ proxy_url: pu, bearer_token: 'x' }, { url: `${t.url}/hook?a=1` });
    expect(statusOf(r)).toBe(200);
    expect(proxy.seen).toEqual([expect.objectContaining({ kind: 'absolute', target: `${t.url}/hook?a=1` })]);
    expect(proxy.seen[0].headers['proxy-authorization']).toBe(basic('pu', 'p@ss'));
    expect(t.seen[0]).toMatchObject({ url: '/hook?a=1', body: '{"a":1}' });
    expect(t.seen[0].headers.authorization).toBe('Bearer x');
  });

  it('https targets: a CONNECT tunnel with proxy_connect_header, TLS verified end to end', async () => {
    const t = await serve(ok, { cert: pem['srv.crt'], key: pem['srv.key'] });
    hosts.set('herald.test', t.port);
    const r = await send(
      {
        proxy_url: proxy.url.replace('http://', 'http://pu:pw@'),
        proxy_connect_header: { 'X-Proxy-Key': ['k1', 'k2'] },
        tls_config: { ca: pem['ca.crt'] },
      },
      { url: `https://herald.test:${t.port}/x` },
    );
    expect(statusOf(r)).toBe(200);
    expect(proxy.seen).toHaveLength(1);
    expect(proxy.seen[0]).toMatchObject({ kind: 'connect', target: `herald.test:${t.port}` });
    expect(proxy.seen[0].headers['x-proxy-key']).toBe('k1, k2');
    expect(proxy.seen[0].headers['proxy-authorization']).toBe(basic('pu', 'pw'));
    // SNI and verification used the target's name through the tunnel.
    expect((t.seen[0].socket as TLSSocket).servername).toBe('herald.test');
    expect(t.seen[0].headers['proxy-authorization']).toBeUndefined();
  });

  it('an https proxy_url is reached over TLS with the tls_config (as Go), then tunnels', async () => {
    const t = await serve(ok, { cert: pem['srv.crt'], key: pem['srv.key'] });
    hosts.set('herald.test', t.port);
    const r = await send(
      { proxy_url: tlsProxy.url, tls_config: { ca: pem['ca.crt'] } },
      { url: `https://herald.test:${t.port}/x` },
    );
    expect(statusOf(r)).toBe(200);
    expect(tlsProxy.seen.map((s) => s.kind)).toEqual(['connect']);
    const plain = await serve(ok);
    expect(
      statusOf(
        await send({ proxy_url: tlsProxy.url, tls_config: { ca: pem['ca.crt'] } }, { url: plain.url }),
      ),
    ).toBe(200);
    expect(tlsProxy.seen.map((s) => s.kind)).toEqual(['connect', 'absolute']);
    const untrusted = await send({ proxy_url: tlsProxy.url }, { url: plain.url });
    expect(untrusted.outcome.kind).toBe('transport');
  });

  it('a refused CONNECT is a transport result naming the proxy answer', async () => {
    proxy.refuse = true;
    const r = await send({ proxy_url: proxy.url }, { url: 'https://herald.test:1/' });
    expect(r.outcome).toMatchObject({ kind: 'transport' });
    expect(r.message).toBe('proxy refused CONNECT to herald.test:1: 403 Forbidden');
  });

  it('no_proxy: listed and loopback targets go direct', async () => {
    const t = await serve(ok);
    hosts.set('vendor.example', t.port);
    expect(statusOf(await send({ proxy_url: proxy.url, no_proxy: 'internal' }, { url: t.url }))).toBe(200);
    expect(proxy.seen).toHaveLength(0);
    expect(
      statusOf(
        await send(
          { proxy_url: proxy.url, no_proxy: 'internal' },
          { url: `http://vendor.example:${t.port}/` },
        ),
      ),
    ).toBe(200);
    expect(proxy.seen.map((s) => s.kind)).toEqual(['absolute']);
  });

  it('proxy_from_environment reads HTTP_PROXY / HTTPS_PROXY / NO_PROXY', async () => {
    const t = await serve(ok);
    hosts.set('env.example', t.port);
    const env = process.env;
    const saved = { HTTP_PROXY: env.HTTP_PROXY, NO_PROXY: env.NO_PROXY };
    env.HTTP_PROXY = proxy.url;
    env.NO_PROXY = 'skipped.example';
    try {
      expect(
        statusOf(await send({ proxy_from_environment: true }, { url: `http://env.example:${t.port}/` })),
      ).toBe(200);
      const direct = await send(
        { proxy_from_environment: true },
        { url: `http://skipped.example:${t.port}/` },
      );
      expect(direct.outcome.kind).toBe('transport'); // not proxied: the name does not resolve
      expect(proxy.seen.map((s) => s.target)).toEqual([`http://env.example:${t.port}/`]);
    } finally {
      for (const [k, v] of Object.entries(saved))
        if (v === undefined) delete env[k];
        else env[k] = v;
    }
  });
});

describe('redirects', () => {
  it.each([301, 302, 303])('%i: continues as GET without the body', async (code) => {
    const t = await serve((req, res) =>
      req.url === '/start' ? res.writeHead(code, { Location: '/end' }).end() : res.end('landed'),
    );
    const r = await send(undefined, { url: `${t.url}/start` });
    expect(r.response).toMatchObject({ status: 200, body: 'landed' });
    expect(t.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['POST', '/start', '{"a":1}'],
      ['GET', '/end', ''],
    ]);
  });

  it.each([307, 308])('%i: repeats method and body', async (code) => {
    const t = await serve((req, res) =>
      req.url === '/start' ? res.writeHead(code, { Location: `${t.url}/end` }).end() : res.end('landed'),
    );
    const r = await send(undefined, { url: `${t.url}/start`, method: 'PUT' });
    expect(statusOf(r)).toBe(200);
    expect(t.seen.map((s) => [s.method, s.url, s.body])).toEqual([
      ['PUT', '/start', '{"a":1}'],
      ['PUT', '/end', '{"a":1}'],
    ]);
  });

  it('follow_redirects: false returns the 3xx itself', async () => {
    const t = await serve((_req, res) => res.writeHead(302, { Location: '/elsewhere' }).end('moved'));
    const r = await send({ follow_redirects: false }, { url: t.url });
    expect(r.outcome).toEqual({ kind: 'http', status: 302, retryAfterMs: undefined });
    expect(r.response?.headers.location).toBe('/elsewhere');
    expect(t.seen).toHaveLength(1);
  });

  it('a 3xx without Location is the answer', async () => {
    const t = await serve((_req, res) => res.writeHead(307).end());
    expect(statusOf(await send(undefined, { url: t.url }))).toBe(307);
  });

  it("stops after 10 redirects as Go's client does; 9 then an answer is fine", async () => {
    const t = await serve((req, res) => {
      const m = /^\/(loop)?(\d+)$/.exec(req.url ?? '')!;
      const n = Number(m[2]);
      if (!m[1] && n === 9) return res.end('done');
      res.writeHead(302, { Location: `/${m[1] ?? ''}${n + 1}` }).end();
    });
    const fine = await send(undefined, { url: `${t.url}/0` });
    expect(statusOf(fine)).toBe(200);
    expect(t.seen).toHaveLength(10);
    t.seen.length = 0;
    const looped = await send(undefined, { url: `${t.url}/loop0` });
    expect(looped.outcome).toMatchObject({ kind: 'transport', timeout: false });
    expect(looped.message).toMatch(/^stopped after 10 redirects/);
    expect(t.seen).toHaveLength(10);
  });

  it('keeps credentials on the same host, drops them (and no auth is re-added) on another host', async () => {
    const other = await serve(ok);
    const t = await serve((req, res) => {
      if (req.url === '/same') return res.writeHead(307, { Location: '/same-end' }).end();
      if (req.url === '/away')
        return res.writeHead(307, { Location: `http://localhost:${other.port}/end` }).end();
      res.end('ok');
    });
    const cfg = { basic_auth: { username: 'u', password: 'p' } };
    await send(cfg, { url: `${t.url}/same`, headers: { Cookie: 'c=1', 'X-Keep': 'k' } });
    expect(t.seen.map((s) => s.headers.authorization)).toEqual([basic('u', 'p'), basic('u', 'p')]);
    expect(t.seen[1].headers.cookie).toBe('c=1');
    const r = await send(cfg, { url: `${t.url}/away`, headers: { Cookie: 'c=1', 'X-Keep': 'k' } });
    expect(statusOf(r)).toBe(200);
    expect(other.seen).toHaveLength(1);
    expect(other.seen[0].headers.authorization).toBeUndefined();
    expect(other.seen[0].headers.cookie).toBeUndefined();
    expect(other.seen[0].headers['x-keep']).toBe('k');
    expect(other.seen[0].body).toBe('{"a":1}');
  });
});

describe('timeouts, shutdown and responses', () => {
  it('a server that never answers is a timeout result', async () => {
    const t = await serve(() => undefined);
    const r = await send(undefined, { url: t.url, timeoutMs: 150 });
    expect(r.outcome).toEqual({ kind: 'transport', timeout: true, message: 'timeout after 150 ms' });
  });

  it('the shutdown signal ends a request in flight', async () => {
    const t = await serve(() => undefined);
    const ctl = new AbortController();
    const p = send(undefined, { url: t.url, signal: ctl.signal });
    await t.next();
    ctl.abort();
    expect((await p).outcome).toEqual({ kind: 'transport', timeout: false, message: 'aborted (shutdown)' });
  });

  it('keeps status, headers, Retry-After and the body up to MAX_RESPONSE_BODY', async () => {
    const big = 'x'.repeat(MAX_RESPONSE_BODY + 1000);
    const t = await serve((req, res) =>
      req.url === '/big'
        ? res.writeHead(200, { 'Content-Type': 'text/plain' }).end(big)
        : res.writeHead(429, { 'Retry-After': '7', 'X-Vendor': 'v' }).end('{"error":"slow down"}'),
    );
    const limited = await send(undefined, { url: `${t.url}/limited` });
    expect(limited.outcome).toEqual({ kind: 'http', status: 429, retryAfterMs: 7000 });
    expect(limited.message).toBe('HTTP 429: {"error":"slow down"}');
    expect(limited.response).toMatchObject({ status: 429, body: '{"error":"slow down"}' });
    expect(limited.response?.headers['x-vendor']).toBe('v');
    const large = await send(undefined, { url: `${t.url}/big` });
    expect(large.response?.body).toHaveLength(MAX_RESPONSE_BODY);
  });

  it('a refused connection is a transport result', async () => {
    const r = await send(undefined, { url: 'http://127.0.0.1:1/' });
    expect(r.outcome).toMatchObject({ kind: 'transport', timeout: false });
    expect(r.message).toMatch(/ECONNREFUSED/);
  });
});
