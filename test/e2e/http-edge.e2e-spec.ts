/**
 * The HTTP edge (issue 10): which client address the login limiter and the logs see behind nginx
 * (`herald.http.trusted_proxies`), what is served without authentication (`/api/v2/status`, `/metrics`),
 * and how odd bodies and aborted requests are answered and logged. One node in memory mode behind a
 * real nginx; clients connect from other loopback addresses (127.0.0.2, ...) to be untrusted peers.
 */
import { connect, type AddressInfo } from 'node:net';
import { startNode, type TestNode } from '../harness/app';
import { defaultConfig } from '../harness/config';
import { NginxServer } from '../harness/nginx';
import { CapturingLogger, Client, RequestLogCapture, secret, tenantsYaml } from '../harness/tenants';
import { waitUntil } from '../harness/wait';

const S = { key: secret('key'), alice: secret('pw-alice'), bob: secret('pw-bob'), carol: secret('pw-carol') };

async function config(): Promise<string> {
  return defaultConfig(
    await tenantsYaml([
      {
        id: 'acme-prod',
        name: 'Acme Corporation',
        keys: [S.key],
        users: [
          { username: 'alice.smith', password: S.alice, role: 'admin' },
          { username: 'bob.jones', password: S.bob, role: 'viewer' },
          { username: 'carol.white', password: S.carol, role: 'viewer' },
        ],
      },
    ]),
  );
}

describe('the HTTP edge behind nginx (trusted proxies: nginx only)', () => {
  let node: TestNode;
  let nginx: NginxServer;
  const logs = new CapturingLogger();
  const reqLog = new RequestLogCapture();
  const http = new Client();
  const login = (base: string, from: string, username: string, password: string, xff?: string) =>
    http.login(base, 'acme-prod', username, password, { from, ip: xff });

  beforeAll(async () => {
    // nginx reaches the node from 127.0.0.1: the only trusted proxy. Clients use 127.0.0.2 and up.
    node = await startNode(
      await config(),
      { HERALD_TRUSTED_PROXIES: '127.0.0.1' },
      { logger: logs, requestLog: reqLog },
    );
    const port = Number(new URL(node.url).port);
    nginx = await NginxServer.start({ upstreams: [port] });
  });
  afterAll(async () => {
    await nginx?.stop();
    await node?.close();
  });

  it('a client cannot pick the limited address with X-Forwarded-For through nginx', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) {
      const r = await login(nginx.url, '127.0.0.2', 'alice.smith', `guess-${i}`, `198.51.100.${i}`);
      statuses.push(r.status);
    }
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    // The audit names the real peer nginx appended, never an address the client wrote.
    const audit = logs.lines.filter((l) => l.includes('login') && l.includes('alice.smith'));
    expect(audit.every((l) => l.includes('ip=127.0.0.2'))).toBe(true);
  });

  it('X-Forwarded-For cannot lock out someone else’s address', async () => {
    // 21 failures from 127.0.0.3 claiming to be 127.0.0.4: 127.0.0.3 is limited, 127.0.0.4 is not.
    for (let i = 0; i < 20; i++)
      expect((await login(nginx.url, '127.0.0.3', `nobody-${i}`, 'x', '127.0.0.4')).status).toBe(401);
    expect((await login(nginx.url, '127.0.0.3', 'nobody-x', 'x', '127.0.0.4')).status).toBe(429);
    expect((await login(nginx.url, '127.0.0.4', 'bob.jones', S.bob)).status).toBe(200);
  });

  it('five wrong passwords from one address do not lock the user out from another address', async () => {
    for (let i = 0; i < 5; i++)
      expect((await login(nginx.url, '127.0.0.5', 'carol.white', `guess-${i}`)).status).toBe(401);
    expect((await login(nginx.url, '127.0.0.5', 'carol.white', S.carol)).status).toBe(429);
    expect((await login(nginx.url, '127.0.0.6', 'carol.white', S.carol)).status).toBe(200);
  });

  it('X-Forwarded-For sent straight to a node by an untrusted peer is ignored', async () => {
    const r = await login(node.url, '127.0.0.7', 'bob.jones', S.bob, '203.0.113.99');
    expect(r.status).toBe(200);
    const list = await http.call('GET', `${node.url}/api/v1/sessions`, { token: r.body.token });
    expect(list.body.sessions.find((s: { current?: boolean }) => s.current).ip).toBe('127.0.0.7');
  });

  it('request log lines carry the path without the query string, the route and the trusted address', async () => {
    reqLog.lines.length = 0;
    const r = await http.call(
      'GET',
      `${nginx.url}/api/v2/alerts?filter=team%3D%22x%22&token=s3cr3t-in-query`,
      {
        from: '127.0.0.8',
        ip: '10.6.6.6',
        auth: `Bearer ${S.key}`,
      },
    );
    expect(r.status).toBe(200);
    const line = reqLog.lines.find((l) => l.msg === 'request completed' && l.route === '/api/v2/alerts');
    expect(line).toMatchObject({
      path: '/api/v2/alerts',
      route: '/api/v2/alerts',
      remoteAddress: '127.0.0.8',
    });
    expect(JSON.stringify(reqLog.lines)).not.toMatch(/s3cr3t-in-query|filter=/);
  });
});

describe('the HTTP edge: bodies, aborts and what is public', () => {
  let node: TestNode;
  const logs = new CapturingLogger();
  const reqLog = new RequestLogCapture();
  const http = new Client();
  const auth = () => `Bearer ${S.key}`;

  beforeAll(async () => {
    node = await startNode(await config(), {}, { logger: logs, requestLog: reqLog });
  });
  afterAll(async () => {
    await node?.close();
  });

  const alerts = async () => {
    const r = await http.call('GET', `${node.url}/api/v2/alerts`, { auth: auth() });
    expect(r.status).toBe(200);
    return r.body as { labels: Record<string, string>; annotations: Record<string, string> }[];
  };

  it('a __proto__ label keeps the rest of the batch', async () => {
    const body =
      '[{"labels":{"alertname":"proto-1","__proto__":"x"},"annotations":{"__proto__":"y"}},' +
      '{"labels":{"alertname":"proto-2","constructor":"c"}},' +
      '{"labels":{"alertname":"proto-3","__proto__":{"polluted":true}}},' +
      '{"labels":{"alertname":"proto-4"}},' +
      '{"labels":{"alertname":"proto-5","constructor":{"prototype":{"polluted":true}}}}]';
    const r = await http.call('POST', `${node.url}/api/v2/alerts`, {
      auth: auth(),
      headers: { 'content-type': 'application/json' },
      raw: body,
    });
    // Only the alerts whose __proto__ / constructor label is not a string are rejected (parsed as data
    // by JSON.parse, refused by validation); the others are stored.
    expect(r.status).toBe(400);
    expect(r.body.accepted).toBe(3);
    expect(r.body.rejected).toEqual([
      expect.objectContaining({ index: 2, field: '[2].labels.__proto__' }),
      expect.objectContaining({ index: 4, field: '[4].labels.constructor' }),
    ]);
    const stored = await alerts();
    const p1 = stored.find((a) => a.labels.alertname === 'proto-1')!;
    expect(Object.getOwnPropertyDescriptor(p1.labels, '__proto__')?.value).toBe('x');
    expect(Object.getOwnPropertyDescriptor(p1.annotations, '__proto__')?.value).toBe('y');
    expect(stored.find((a) => a.labels.alertname === 'proto-2')?.labels.constructor).toBe('c');
    expect(stored.some((a) => a.labels.alertname === 'proto-4')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('malformed HTTP and oversized headers get the {error, field} body too (found by the fuzzer)', async () => {
    const raw = (request: string) =>
      new Promise<string>((resolve, reject) => {
        const u = new URL(node.url);
        const sock = connect(Number(u.port), u.hostname, () => sock.write(request));
        let out = '';
        sock.on('data', (d) => (out += d.toString('utf8')));
        sock.on('end', () => resolve(out));
        sock.on('error', reject);
      });
    const bad = await raw('GET /api/v2/alerts HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n');
    expect(bad).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(bad.slice(bad.indexOf('\r\n\r\n') + 4))).toMatchObject({ field: 'request' });
    const url = await raw('GET /% HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    expect(url).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(url.slice(url.indexOf('\r\n\r\n') + 4))).toMatchObject({ field: 'url' });
    const big = await raw(`GET /api/v2/alerts HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(big).toMatch(/^HTTP\/1\.1 431 /);
    expect(JSON.parse(big.slice(big.indexOf('\r\n\r\n') + 4))).toEqual({
      error: 'request headers are too large',
      field: 'headers',
    });
  });

  it('a form-encoded body gets 415', async () => {
    for (const [path, ct, body] of [
      ['/api/v2/alerts', 'application/x-www-form-urlencoded', 'labels=x'],
      ['/api/v1/auth/login', 'application/x-www-form-urlencoded', 'tenant=acme-prod&username=a&password=b'],
      ['/api/v2/alerts', 'multipart/form-data; boundary=x', '--x--'],
      ['/api/v2/alerts', 'text/plain', '[]'],
    ]) {
      const r = await http.call('POST', `${node.url}${path}`, {
        auth: auth(),
        headers: { 'content-type': ct },
        raw: body,
      });
      expect([path, ct, r.status]).toEqual([path, ct, 415]);
      expect(r.body).toEqual({
        error: expect.stringMatching(/^Content-Type: must be application\/json/),
        field: 'Content-Type',
      });
    }
  });

  it('a client that aborts its request is logged at info without a stack trace, not as an error', async () => {
    const port = (node.app.getHttpServer().address() as AddressInfo).port;
    const errorsBefore = logs.lines.filter((l) => l.startsWith('error')).length;
    await new Promise<void>((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => {
        s.write(
          `POST /api/v2/alerts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${S.key}\r\n` +
            'Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"labels":',
        );
        setTimeout(() => s.destroy(), 100);
      });
      s.on('error', reject);
      s.on('close', () => resolve());
    });
    const aborted = await waitUntil(
      () => reqLog.lines.find((l) => l.msg === 'request aborted by the client'),
      { timeoutMs: 2000, intervalMs: 20, what: 'the aborted request logged' },
    );
    expect(aborted).toMatchObject({ level: 30, path: '/api/v2/alerts' });
    expect(logs.lines.filter((l) => l.startsWith('error'))).toHaveLength(errorsBefore);
    expect(logs.lines.join('\n')).not.toMatch(/at abortIncoming|Error: aborted/);
  });

  it('status config.original shows no usernames or tenant ids', async () => {
    const r = await http.call('GET', `${node.url}/api/v2/status`);
    expect(r.status).toBe(200);
    const original: string = r.body.config.original;
    for (const s of ['acme-prod', 'Acme Corporation', 'alice.smith', 'bob.jones', 'carol.white', 'scrypt'])
      expect(original).not.toContain(s);
    expect(original).not.toMatch(/role:/);
    expect(original).toContain('tenants: <1 tenant>');
    expect(original).toContain('receiver: default');
  });

  it('/metrics labels carry the opaque tenant id only, never a tenant name or a username', async () => {
    await http.call('POST', `${node.url}/api/v1/auth/login`, {
      body: { tenant: 'acme-prod', username: 'alice.smith', password: S.alice },
    });
    const r = await http.call('GET', `${node.url}/metrics`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('tenant="acme-prod"');
    for (const s of ['Acme Corporation', 'alice.smith', 'bob.jones', 'carol.white'])
      expect(r.text).not.toContain(s);
  });
});
