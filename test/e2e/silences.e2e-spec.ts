import { HttpSink } from '../harness/http-sink';
import { metricSample, post, startNode, type TestNode } from '../harness/app';
import { secret, tenantsYaml } from '../harness/tenants';
import { waitUntil } from '../harness/wait';

/**
 * Silences on one running node (memory mode): applied at query time (`/api/v2/alerts` state,
 * `silencedBy`, the `silenced` filter) and at flush time (a silenced group is flushed and not sent;
 * once the silence is expired the next flush sends it), the API's validation and limits, and who may
 * write them (API key roles, tenant isolation).
 */
const hour = 3_600_000;
const iso = (ms: number) => new Date(ms).toISOString();

function silenceBody(
  matchers: { name: string; value: string; isRegex?: boolean; isEqual?: boolean }[],
  o: { endsAt?: number; startsAt?: number } = {},
) {
  const now = Date.now();
  return {
    matchers: matchers.map((m) => ({ isRegex: false, isEqual: true, ...m })),
    startsAt: iso(o.startsAt ?? now),
    endsAt: iso(o.endsAt ?? now + hour),
    createdBy: 'e2e',
    comment: 'maintenance',
  };
}

async function call(method: string, url: string, key?: string, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(key ? { authorization: `Bearer ${key}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

type Payload = {
  groupKey: string;
  alerts: { labels: Record<string, string> }[];
  notification_reason?: string;
};

describe('silences on a running node', () => {
  let node: TestNode | undefined;
  let sink: HttpSink | undefined;
  afterEach(async () => {
    await node?.close();
    await sink?.stop();
    node = sink = undefined;
  });

  it('a silenced group is flushed but not sent, shows as suppressed, and is sent once the silence expires', async () => {
    sink = await HttpSink.start();
    node = await startNode(`
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: hook
    webhook_configs: [{ url: ${sink.url}/hook }]
herald:
  scheduler: { tick: 100ms }
`);
    const url = node.url;
    const created = await call(
      'POST',
      `${url}/api/v2/silences`,
      undefined,
      silenceBody([{ name: 'team', value: 'db' }]),
    );
    expect(created.status).toBe(200);
    const id = created.body.silenceID as string;
    expect(id).toMatch(/^[0-9a-f-]{36}$/);

    expect(
      (
        await post(`${url}/api/v2/alerts`, [
          { labels: { alertname: 'Quiet', team: 'db' } },
          { labels: { alertname: 'Loud', team: 'web' } },
        ])
      ).status,
    ).toBe(200);
    const sent = (name: string) =>
      sink!.accepted.filter((r) => (r.json as Payload).groupKey.includes(`alertname="${name}"`));
    await sink.waitFor(() => sent('Loud').length === 1, 10_000, 'the unsilenced group notified');
    const suppressed = () => metricSample(url, 'herald_notifications_suppressed_total{reason="silence"}');
    await waitUntil(async () => (await suppressed()) >= 3, { timeoutMs: 10_000, what: 'silenced flushes' });
    expect(sent('Quiet')).toEqual([]);

    const alerts = (await call('GET', `${url}/api/v2/alerts`)).body as {
      labels: Record<string, string>;
      status: unknown;
    }[];
    const quiet = alerts.find((a) => a.labels.alertname === 'Quiet')!;
    expect(quiet.status).toEqual({ state: 'suppressed', silencedBy: [id], inhibitedBy: [], mutedBy: [] });
    const unsilenced = (await call('GET', `${url}/api/v2/alerts?silenced=false`)).body as {
      labels: Record<string, string>;
    }[];
    expect(unsilenced.map((a) => a.labels.alertname)).toEqual(['Loud']);
    const groups = (await call('GET', `${url}/api/v2/alerts/groups`)).body as {
      alerts: { labels: Record<string, string>; status: { silencedBy: string[] } }[];
    }[];
    const quietInGroup = groups.flatMap((g) => g.alerts).find((a) => a.labels.alertname === 'Quiet')!;
    expect(quietInGroup.status.silencedBy).toEqual([id]);

    expect((await call('DELETE', `${url}/api/v2/silence/${id}`)).status).toBe(200);
    const got = await call('GET', `${url}/api/v2/silence/${id}`);
    expect(got.body.status.state).toBe('expired');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    expect(metrics).toContain('herald_silences{state="expired"} 1');
    expect(metrics).toContain('herald_silences{state="active"} 0');
    await sink.waitFor(
      () => sent('Quiet').length === 1,
      10_000,
      'the group notified after the silence expired',
    );
    expect((sent('Quiet')[0].json as Payload).notification_reason).toBe('first notification');
    expect(sent('Loud')).toHaveLength(1);
  }, 60_000);

  it('validates like Alertmanager (400 bad value, 422 missing field, naming it), updates in place or replaces, and enforces max_silences (429)', async () => {
    node = await startNode(`
route: { receiver: r }
receivers: [{ name: r }]
herald:
  silences: { max_silences: 2 }
`);
    const url = `${node.url}/api/v2`;
    const now = Date.now();
    const past = await call(
      'POST',
      `${url}/silences`,
      undefined,
      silenceBody([{ name: 'a', value: 'b' }], { startsAt: now - 2 * hour, endsAt: now - hour }),
    );
    expect(past.status).toBe(400);
    // Alertmanager's spec declares these bodies as strings (amtool decodes them so): the field is named in
    // the text and in a header.
    expect(past.body).toBe("Failed to create silence: end time can't be in the past (field: endsAt)");
    const backwards = await call(
      'POST',
      `${url}/silences`,
      undefined,
      silenceBody([{ name: 'a', value: 'b' }], { startsAt: now + 2 * hour, endsAt: now + hour }),
    );
    expect(backwards.status).toBe(400);
    expect(backwards.body).toMatch(/\(field: startsAt\)$/);
    const empty = await call(
      'POST',
      `${url}/silences`,
      undefined,
      silenceBody([{ name: 'a', value: '.*', isRegex: true }]),
    );
    expect(empty.status).toBe(400);
    expect(empty.body).toMatch(/\(field: matchers\)$/);
    const badRegex = await call(
      'POST',
      `${url}/silences`,
      undefined,
      silenceBody([{ name: 'a', value: '(', isRegex: true }]),
    );
    expect(badRegex.status).toBe(400);
    expect(badRegex.body).toMatch(/\(field: matchers\[0\][^)]*\)$/);
    // Alertmanager's validator: a wrong type is 400, a missing field 422; both name the field.
    const shape = await call('POST', `${url}/silences`, undefined, { ...silenceBody([]), matchers: 'a=b' });
    expect(shape.status).toBe(400);
    expect(shape.body.field).toBe('matchers');
    const { createdBy: _drop, ...anonymous } = silenceBody([{ name: 'a', value: 'b' }]);
    const missing = await call('POST', `${url}/silences`, undefined, anonymous);
    expect(missing.status).toBe(422);
    expect(missing.body).toEqual({ error: 'createdBy in body is required', field: 'createdBy' });
    expect((await call('GET', `${url}/silence/not-a-uuid`)).status).toBe(422);

    const first = (await call('POST', `${url}/silences`, undefined, silenceBody([{ name: 'a', value: 'b' }])))
      .body.silenceID;
    // Only endsAt and comment change on an active silence: updated in place, same id.
    const sameBody = {
      ...silenceBody([{ name: 'a', value: 'b' }], { endsAt: now + 2 * hour }),
      id: first,
      comment: 'longer',
    };
    const current = (await call('GET', `${url}/silence/${first}`)).body;
    sameBody.startsAt = current.startsAt;
    expect((await call('POST', `${url}/silences`, undefined, sameBody)).body.silenceID).toBe(first);
    // Changing matchers replaces it: a new id, the old one expired.
    const second = (
      await call('POST', `${url}/silences`, undefined, {
        ...silenceBody([{ name: 'a', value: 'c' }]),
        id: first,
      })
    ).body.silenceID;
    expect(second).not.toBe(first);
    expect((await call('GET', `${url}/silence/${first}`)).body.status.state).toBe('expired');
    // Two silences held (one expired): the limit counts expired ones, as Alertmanager's does.
    const third = await call('POST', `${url}/silences`, undefined, silenceBody([{ name: 'x', value: 'y' }]));
    expect(third.status).toBe(429);
    expect(third.body).toMatch(/\(field: max_silences\)$/);
    const list = (await call('GET', `${url}/silences`)).body as { id: string; status: { state: string } }[];
    expect(list.map((s) => [s.id, s.status.state])).toEqual([
      [second, 'active'],
      [first, 'expired'],
    ]);
    expect((await call('GET', `${url}/silences?filter=a="c"`)).body.map((s: { id: string }) => s.id)).toEqual(
      [second],
    );
    expect((await call('GET', `${url}/silence/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
    expect((await call('DELETE', `${url}/silence/00000000-0000-0000-0000-000000000000`)).status).toBe(404);
  }, 30_000);

  it('writes need an admin key or session; reads any key of the tenant; tenants never see each other', async () => {
    const ingest = secret('ingest');
    const viewer = secret('viewer');
    const admin = secret('admin');
    const other = secret('other');
    node = await startNode(`
route: { receiver: r }
receivers: [{ name: r }]
herald:
${await tenantsYaml([
  { id: 'team-a', keys: [ingest, viewer, admin], keyRoles: { [viewer]: 'viewer', [admin]: 'admin' } },
  { id: 'team-b', keys: [other], keyRoles: { [other]: 'admin' } },
])}`);
    const url = `${node.url}/api/v2`;
    const body = silenceBody([{ name: 'a', value: 'b' }]);
    expect((await call('POST', `${url}/silences`, undefined, body)).status).toBe(401);
    const byIngest = await call('POST', `${url}/silences`, ingest, body);
    expect(byIngest.status).toBe(403);
    expect(byIngest.body.field).toBe('Authorization');
    expect((await call('POST', `${url}/silences`, viewer, body)).status).toBe(403);
    const id = (await call('POST', `${url}/silences`, admin, body)).body.silenceID as string;
    expect(id).toBeTruthy();
    for (const key of [ingest, viewer, admin])
      expect((await call('GET', `${url}/silences`, key)).body.map((s: { id: string }) => s.id)).toEqual([id]);
    expect((await call('GET', `${url}/silences`, other)).body).toEqual([]);
    expect((await call('GET', `${url}/silence/${id}`, other)).status).toBe(404);
    expect((await call('DELETE', `${url}/silence/${id}`, other)).status).toBe(404);
    expect((await call('DELETE', `${url}/silence/${id}`, viewer)).status).toBe(403);
    expect((await call('GET', `${url}/silence/${id}`, viewer)).body.status.state).toBe('active');
    // A viewer key reads alerts but may not post them.
    expect((await call('POST', `${url}/alerts`, viewer, [{ labels: { alertname: 'x' } }])).status).toBe(403);
    expect((await call('POST', `${url}/alerts`, ingest, [{ labels: { alertname: 'x' } }])).status).toBe(200);
  }, 30_000);
});
