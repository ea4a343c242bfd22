import { startNode, startTwoNodes, type TestNode, type TwoNodes } from '../harness/app';
import { defaultConfig } from '../harness/config';
import { CapturingLogger, Client, dumpRedis, twoTeams, twoTeamSecrets } from '../harness/tenants';

const S = twoTeamSecrets();

async function config(): Promise<string> {
  return defaultConfig(await twoTeams(S));
}

const alert = (labels: Record<string, string>) => ({ labels, annotations: { summary: 'x' } });
const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

describe('tenancy, sessions and the admin API (two nodes, one Redis)', () => {
  let env: TwoNodes;
  let redis: TwoNodes['redis'];
  let n1: TestNode;
  let n2: TestNode;
  const logs = new CapturingLogger();
  const http = new Client();
  const tokens: string[] = [];

  const login = async (
    node: TestNode,
    tenant: string,
    username: string,
    password: string,
    ip = '198.51.100.1',
  ) => {
    const r = await http.login(node.url, tenant, username, password, { ip });
    if (r.status === 200) tokens.push(r.body.token);
    return r;
  };
  const token = async (node: TestNode, tenant: string, username: string, password: string) => {
    const r = await login(node, tenant, username, password);
    expect(r.status).toBe(200);
    return r.body.token as string;
  };

  let alice: string;
  let victor: string;
  let bob: string;
  let groupsB: { id: string; groupKey: string; labels: Record<string, string> }[];
  let sharedA: string;

  beforeAll(async () => {
    env = await startTwoNodes(await config(), { logger: logs });
    ({ n1, n2, redis } = env);
    alice = await token(n1, 'team-a', 'alice', S.alice);
    victor = await token(n2, 'team-a', 'victor', S.victor);
    bob = await token(n2, 'team-b', 'bob', S.bob);
  });
  afterAll(() => env?.close());

  describe('ingest resolves the tenant from the API key', () => {
    it('refuses a missing or unknown key with 401 once tenants are configured', async () => {
      const body = [alert({ alertname: 'NoKey' })];
      expect((await http.call('POST', `${n1.url}/api/v2/alerts`, { body })).status).toBe(401);
      const r = await http.call('POST', `${n1.url}/api/v2/alerts`, { body, token: 'not-a-key' });
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ error: 'unknown API key', field: 'Authorization' });
      // A session token is not an API key.
      expect((await http.call('POST', `${n1.url}/api/v2/alerts`, { body, token: alice })).status).toBe(401);
    });

    it('stores alerts under the key’s tenant: Bearer (Prometheus) and basic auth (Alertmanager)', async () => {
      const a = [
        alert({ alertname: 'AOnly', instance: 'a1', team: 'a' }),
        alert({ alertname: 'AOnly', instance: 'a2', team: 'a' }),
        alert({ alertname: 'Shared', instance: 'a-shared', team: 'a' }),
      ];
      expect((await http.call('POST', `${n1.url}/api/v2/alerts`, { body: a, token: S.keyA })).status).toBe(
        200,
      );
      const b = [
        alert({ alertname: 'BOnly', instance: 'b1', team: 'b', secretlabel: 'b-private' }),
        alert({ alertname: 'Shared', instance: 'b-shared', team: 'b' }),
      ];
      const r = await http.call('POST', `${n2.url}/api/v2/alerts`, {
        body: b,
        auth: basic('alertmanager', S.keyB),
      });
      expect(r.status).toBe(200);
      const v2 = await http.call('GET', `${n2.url}/api/v2/alerts`, { token: S.keyA });
      expect(v2.body.map((x: any) => x.labels.instance).sort()).toEqual(['a-shared', 'a1', 'a2']);
      expect((await http.call('GET', `${n2.url}/api/v2/alerts/groups`)).status).toBe(401);
    });
  });

  describe('login', () => {
    it('answers every wrong credential with the same generic 401', async () => {
      const ip = '198.51.100.20';
      const bodies = await Promise.all([
        login(n1, 'team-a', 'alice', 'wrong', ip),
        login(n1, 'team-a', 'nobody', S.alice, ip),
        login(n1, 'team-z', 'alice', S.alice, ip),
        login(n1, 'team-b', 'alice', S.alice, ip), // right password, other tenant
      ]);
      for (const r of bodies) expect([r.status, r.body]).toEqual([401, { error: 'invalid credentials' }]);
    });

    it('returns an opaque token, its expiry and the session scope', async () => {
      const r = await login(n2, 'team-a', 'alice', S.alice, '198.51.100.21');
      expect(r.status).toBe(200);
      expect(r.body.token).toMatch(/^team-a\.[A-Za-z0-9_-]{43}$/);
      expect(Date.parse(r.body.expiresAt)).toBeGreaterThan(Date.now());
      expect(Date.parse(r.body.absoluteExpiresAt)).toBeGreaterThanOrEqual(Date.parse(r.body.expiresAt));
      expect(r.body.scope).toBe('cluster');
      expect((await http.call('GET', `${n1.url}/api/v1/sessions`, { token: r.body.token })).status).toBe(200);
    });
  });

  describe('cross-tenant matrix: team-a sessions addressing team-b objects', () => {
    beforeAll(async () => {
      const r = await http.call('GET', `${n1.url}/api/v1/groups`, { token: bob });
      expect(r.status).toBe(200);
      groupsB = r.body.groups;
      expect(groupsB.map((g) => g.labels.alertname).sort()).toEqual(['BOnly', 'Shared']);
      const a = await http.call('GET', `${n1.url}/api/v1/groups`, { token: alice });
      sharedA = a.body.groups.find((g: any) => g.labels.alertname === 'Shared').id;
    });
    const bOnly = () => groupsB.find((g) => g.labels.alertname === 'BOnly')!.id;
    // Anything of team-b that must never appear in a team-a answer.
    const leaks = (text: string) =>
      ['b1', 'b-shared', 'b-private', 'BOnly', bOnly()].filter((s) => text.includes(s));
    /** `url` with each of `queries` answers 200 and shows nothing of team-b. */
    const expectNoLeaks = async (url: string, token: string, queries: string[]) => {
      for (const q of queries) {
        const r = await http.call('GET', `${url}${q}`, { token });
        expect(r.status).toBe(200);
        expect(leaks(r.text)).toEqual([]);
      }
    };

    it('GET /api/v1/groups lists only the caller tenant, whatever the filter, receiver or cursor', async () => {
      for (const tok of [alice, victor]) {
        await expectNoLeaks(`${n2.url}/api/v1/groups`, tok, [
          '',
          '?filter=team%3D%22b%22',
          '?filter=alertname%3D%22BOnly%22',
          '?receiver=default&state=firing',
          '?limit=1000',
        ]);
      }
      const f = await http.call('GET', `${n1.url}/api/v1/groups?filter=alertname%3D%22BOnly%22`, {
        token: alice,
      });
      expect(f.body).toEqual({ groups: [], nextCursor: null });
      // A cursor forged from team-b's group id only pages through team-a's groups.
      const cursor = Buffer.from(`g:${'0'.repeat(16)}`).toString('base64url');
      const c = await http.call('GET', `${n1.url}/api/v1/groups?cursor=${cursor}&limit=1`, { token: alice });
      expect(c.status).toBe(200);
      expect(c.body.groups).toHaveLength(1);
      expect(leaks(c.text)).toEqual([]);
      const page2 = await http.call('GET', `${n1.url}/api/v1/groups?cursor=${c.body.nextCursor}&limit=1`, {
        token: alice,
      });
      expect(page2.body.groups).toHaveLength(1);
      expect(page2.body.groups[0].id).not.toBe(c.body.groups[0].id);
      expect(page2.body.nextCursor).toBeNull();
    });

    it('GET /api/v1/groups/:id is 404 for team-b ids and guessed keys, the same answer as a missing id', async () => {
      const missing = await http.call('GET', `${n1.url}/api/v1/groups/ffffffffffffffff`, { token: alice });
      expect(missing.status).toBe(404);
      const guesses = [
        bOnly(),
        encodeURIComponent(`team-b:${bOnly()}`),
        encodeURIComponent(`{${bOnly()}}`),
        encodeURIComponent(`herald:team-b:alert:group:meta:{${bOnly()}}`),
        '..%2Fteam-b%2F' + bOnly(),
        '*',
      ];
      for (const tok of [alice, victor]) {
        for (const id of guesses) {
          const r = await http.call('GET', `${n2.url}/api/v1/groups/${id}`, { token: tok });
          expect([id, r.status, r.body]).toEqual([id, 404, missing.body]);
        }
      }
    });

    it('a group id both tenants have shows the caller’s own alerts only', async () => {
      const sharedB = groupsB.find((g) => g.labels.alertname === 'Shared')!.id;
      expect(sharedA).toBe(sharedB); // the id is a hash of the group key, equal across tenants
      const r = await http.call('GET', `${n1.url}/api/v1/groups/${sharedA}`, { token: alice });
      expect(r.status).toBe(200);
      expect(r.body.firing.map((a: any) => a.labels.instance)).toEqual(['a-shared']);
      expect(r.body.timers).toEqual({
        groupWait: 30_000,
        groupInterval: 300_000,
        repeatInterval: 14_400_000,
      });
      expect(leaks(r.text)).toEqual([]);
    });

    it('DELETE /api/v1/groups/:id: 404 for team-b ids (team-b keeps them), 403 for viewers', async () => {
      for (const id of [bOnly(), encodeURIComponent(`team-b:${bOnly()}`)]) {
        const r = await http.call('DELETE', `${n1.url}/api/v1/groups/${id}`, { token: alice });
        expect(r.status).toBe(404);
      }
      expect((await http.call('GET', `${n2.url}/api/v1/groups/${bOnly()}`, { token: bob })).status).toBe(200);
      expect(
        (await http.call('DELETE', `${n1.url}/api/v1/groups/${sharedA}`, { token: victor })).status,
      ).toBe(403);
      expect(
        (await http.call('DELETE', `${n1.url}/api/v1/groups/${bOnly()}`, { token: victor })).status,
      ).toBe(403);
      // Deleting team-a's copy of the shared group leaves team-b's.
      expect((await http.call('DELETE', `${n1.url}/api/v1/groups/${sharedA}`, { token: alice })).status).toBe(
        204,
      );
      expect((await http.call('GET', `${n2.url}/api/v1/groups/${sharedA}`, { token: alice })).status).toBe(
        404,
      );
      const b = await http.call('GET', `${n2.url}/api/v1/groups/${sharedA}`, { token: bob });
      expect(b.body.firing.map((a: any) => a.labels.instance)).toEqual(['b-shared']);
    });

    it('GET /api/v1/alerts?filter= sees only the caller tenant', async () => {
      await expectNoLeaks(`${n1.url}/api/v1/alerts`, victor, [
        '',
        '?filter=team%3D%22b%22',
        '?filter=secretlabel%3D~%22.%2B%22',
        '?filter=instance%3D%22b1%22',
      ]);
      const all = await http.call('GET', `${n1.url}/api/v1/alerts`, { token: alice });
      expect(all.body.map((a: any) => a.labels.instance).sort()).toEqual(['a1', 'a2']);
    });

    it('sessions: list, stats and revoke never reach team-b; team-b sessions keep working', async () => {
      const bobSession = (await http.call('GET', `${n2.url}/api/v1/sessions`, { token: bob })).body
        .sessions[0].id;
      const list = await http.call('GET', `${n1.url}/api/v1/sessions`, { token: alice });
      expect(list.body.scope).toBe('cluster');
      expect(list.body.sessions.every((s: any) => s.username !== 'bob')).toBe(true);
      expect(list.text).not.toContain(bobSession);
      expect(list.body.sessions.filter((s: any) => s.current)).toHaveLength(1);
      const stats = await http.call('GET', `${n1.url}/api/v1/sessions/stats`, { token: victor });
      expect(Object.keys(stats.body.perUser).sort()).toEqual(['alice', 'victor']);
      expect(stats.body.active).toBe(stats.body.perUser.alice + stats.body.perUser.victor);
      expect(
        (await http.call('DELETE', `${n1.url}/api/v1/sessions/${bobSession}`, { token: alice })).status,
      ).toBe(404);
      expect(
        (await http.call('DELETE', `${n1.url}/api/v1/sessions/${bobSession}`, { token: victor })).status,
      ).toBe(403);
      expect((await http.call('GET', `${n1.url}/api/v1/sessions`, { token: bob })).status).toBe(200);
    });

    it('credentials of one kind or tenant do not open the other', async () => {
      const forged = alice.replace(/^team-a\./, 'team-b.');
      for (const [tok, path] of [
        [forged, 'groups'],
        [S.keyA, 'groups'], // an API key is not a session
        [S.keyB, 'alerts'],
        ['', 'sessions'],
      ]) {
        expect((await http.call('GET', `${n1.url}/api/v1/${path}`, { token: tok })).status).toBe(401);
      }
    });
  });

  it('a revoke or logout on one node is effective on every node at once', async () => {
    const target = await token(n1, 'team-a', 'victor', S.victor);
    const list = await http.call('GET', `${n1.url}/api/v1/sessions`, { token: target });
    const id = list.body.sessions.find((s: any) => s.current).id;
    for (const n of [n1, n2])
      expect((await http.call('GET', `${n.url}/api/v1/groups`, { token: target })).status).toBe(200);
    expect((await http.call('DELETE', `${n2.url}/api/v1/sessions/${id}`, { token: alice })).status).toBe(204);
    for (const n of [n1, n2])
      expect((await http.call('GET', `${n.url}/api/v1/groups`, { token: target })).status).toBe(401);
    expect((await http.call('DELETE', `${n1.url}/api/v1/sessions/${id}`, { token: alice })).status).toBe(404);

    const other = await token(n2, 'team-a', 'alice', S.alice);
    expect((await http.call('POST', `${n1.url}/api/v1/auth/logout`, { token: other })).status).toBe(204);
    for (const n of [n1, n2])
      expect((await http.call('GET', `${n.url}/api/v1/sessions`, { token: other })).status).toBe(401);
  });

  it('brute force: the 6th wrong attempt for a user from one address is refused on every node', async () => {
    const ip = '203.0.113.7';
    for (let i = 0; i < 5; i++) {
      const r = await login(i % 2 ? n2 : n1, 'team-b', 'bob', `guess-${i}`, ip);
      expect(r.status).toBe(401);
    }
    for (const n of [n1, n2]) {
      const r = await login(n, 'team-b', 'bob', 'guess-6', ip);
      expect(r.status).toBe(429);
      expect(r.body.error).toMatch(/too many failed login attempts/);
    }
    // Throttled means throttled: not even the right password is checked from that address in the window.
    expect((await login(n2, 'team-b', 'bob', S.bob, ip)).status).toBe(429);
    // Other users are not locked out by it.
    expect((await login(n1, 'team-a', 'victor', S.victor, ip)).status).toBe(200);
  });

  it('five wrong passwords from one address do not lock the user out from another address', async () => {
    // The lockout used to be per user alone: anyone could lock bob out with five wrong passwords.
    for (let i = 0; i < 5; i++)
      expect((await login(i % 2 ? n2 : n1, 'team-a', 'victor', `guess-${i}`, '203.0.113.66')).status).toBe(
        401,
      );
    expect((await login(n1, 'team-a', 'victor', S.victor, '203.0.113.66')).status).toBe(429);
    for (const n of [n1, n2])
      expect((await login(n, 'team-a', 'victor', S.victor, '203.0.113.67')).status).toBe(200);
  });

  it('brute force: an IP spraying usernames is refused after 20 failures on every node', async () => {
    const ip = '192.0.2.77';
    for (let i = 0; i < 20; i++)
      expect((await login(i % 2 ? n1 : n2, 'team-a', `spray-${i}`, 'x', ip)).status).toBe(401);
    expect((await login(n1, 'team-a', 'spray-x', 'x', ip)).status).toBe(429);
    expect((await login(n2, 'team-a', 'alice', S.alice, ip)).status).toBe(429);
  });

  it('serves the OpenAPI document generated from the controllers, and a UI', async () => {
    const doc = await http.call('GET', `${n1.url}/api/docs/openapi.json`);
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    for (const p of [
      '/api/v1/auth/login',
      '/api/v1/auth/logout',
      '/api/v1/sessions',
      '/api/v1/sessions/stats',
      '/api/v1/sessions/{id}',
      '/api/v1/groups',
      '/api/v1/groups/{id}',
      '/api/v1/alerts',
    ]) {
      expect(Object.keys(doc.body.paths)).toContain(p);
    }
    expect(doc.body.paths['/api/v1/groups/{id}'].delete).toBeDefined();
    expect(doc.body.components.schemas.LoginRequestDto.properties).toHaveProperty('password');
    const ui = await fetch(`${n1.url}/api/docs`);
    expect(ui.headers.get('content-type')).toMatch(/text\/html/);
    const js = await fetch(`${n1.url}/api/docs/assets/swagger-ui-bundle.js`);
    expect(js.status).toBe(200);
    await js.arrayBuffer();
    expect((await fetch(`${n1.url}/api/docs/assets/..%2Fpackage.json`)).status).toBe(404);
  });

  it('writes audit lines for login, logout, revoke and delete', () => {
    const audit = logs.lines.filter((l) => l.includes('[Audit]'));
    for (const what of [
      'login ok',
      'login failed',
      'login throttled',
      'logout',
      'session revoked',
      'group deleted',
    ]) {
      expect(audit.some((l) => l.includes(what))).toBe(true);
    }
  });

  it('no plain secret in Redis, in the logs or in any API response (tokens only in their login answer)', async () => {
    const dump = await dumpRedis(redis.url);
    expect(dump).toContain('session:{'); // the dump does hold the sessions
    const log = logs.lines.join('\n');
    const secrets = [...Object.values(S), ...tokens, ...tokens.map((t) => t.split('.')[1])];
    expect(tokens.length).toBeGreaterThanOrEqual(6);
    for (const s of secrets) {
      expect(dump.includes(s) ? s : null).toBeNull();
      expect(log.includes(s) ? s : null).toBeNull();
    }
    for (const s of Object.values(S)) expect(http.bodies.filter((b) => b.includes(s))).toEqual([]);
    for (const t of tokens) {
      const seen = http.bodies.filter((b) => b.includes(t.split('.')[1]));
      expect(seen).toHaveLength(1);
      expect(JSON.parse(seen[0]).token).toBe(t);
    }
  });
});

describe('memory mode', () => {
  it('zero-config: single default tenant, ingest without a key, no users to log in', async () => {
    const logs = new CapturingLogger();
    const http = new Client();
    const n = await startNode('route: { receiver: d }\nreceivers: [{ name: d }]\n', {}, { logger: logs });
    try {
      expect(
        (await http.call('POST', `${n.url}/api/v2/alerts`, { body: [alert({ alertname: 'Z' })] })).status,
      ).toBe(200);
      expect((await http.call('GET', `${n.url}/api/v2/alerts`)).body).toHaveLength(1);
      const r = await http.call('POST', `${n.url}/api/v1/auth/login`, {
        body: { tenant: 'default', username: 'a', password: 'b' },
      });
      expect(r.status).toBe(401);
    } finally {
      await n.close();
    }
  });

  it('with tenants: sessions are per node and the API says so', async () => {
    const logs = new CapturingLogger();
    const http = new Client();
    const n = await startNode(await config(), {}, { logger: logs });
    try {
      const r = await http.call('POST', `${n.url}/api/v1/auth/login`, {
        body: { tenant: 'team-a', username: 'alice', password: S.alice },
      });
      expect(r.body.scope).toBe('node');
      const stats = await http.call('GET', `${n.url}/api/v1/sessions/stats`, { token: r.body.token });
      expect(stats.body).toEqual({ scope: 'node', active: 1, perUser: { alice: 1 } });
      expect(
        (await http.call('POST', `${n.url}/api/v2/alerts`, { body: [alert({ alertname: 'Z' })] })).status,
      ).toBe(401);
    } finally {
      await n.close();
    }
  });
});
