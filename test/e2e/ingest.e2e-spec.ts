import { Redis } from 'ioredis';
import {
  getJson,
  post,
  startNode,
  startNodeWithRedis,
  type TestNode,
  type TestNodeWithRedis,
} from '../harness/app';

const CONFIG = `
global:
  resolve_timeout: 5m
route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 30s
  routes:
    - matchers: ['team=~"db|infra"']
      receiver: dbteam
      group_by: [alertname]
receivers:
  - name: default
  - name: dbteam
herald:
  limits:
    max_body_bytes: 64KiB
    max_alerts_per_request: 100
    max_labels_per_alert: 8
    max_label_value_length: 100
    max_annotation_value_length: 200
`;

const alert = (i: number, extra: Record<string, string> = {}) => ({
  labels: { alertname: `Alert${i % 5}`, cluster: `c${i % 2}`, instance: `host-${i}`, ...extra },
  annotations: { summary: `alert ${i}` },
  startsAt: new Date(Date.now() - 1000).toISOString(),
  generatorURL: 'http://prometheus:9090/graph',
});

describe('ingest over HTTP, Redis mode', () => {
  let env: TestNodeWithRedis;
  let node: TestNode;
  beforeAll(async () => {
    env = await startNodeWithRedis(CONFIG);
    node = env.node;
  });
  afterAll(() => env.close());

  it('accepts a Prometheus batch with an empty 200 and reads the groups back in Alertmanager shape', async () => {
    const batch = Array.from({ length: 20 }, (_, i) => alert(i));
    batch.push(alert(100, { team: 'db' }));
    const r = await post(`${node.url}/api/v2/alerts`, batch);
    expect(r).toEqual({ status: 200, body: '' });

    const groups = await getJson(`${node.url}/api/v2/alerts/groups`);
    expect(groups.status).toBe(200);
    // Alert0..4 x c0/c1 has 10 default groups (i%5 and i%2 are linked: 5 x 2 = 10 combos over 20 alerts) + 1 db.
    expect(groups.body.length).toBe(11);
    const db = groups.body.find((g: any) => g.receiver.name === 'dbteam');
    expect(db.labels).toEqual({ alertname: 'Alert0' });
    expect(db.alerts[0].labels.instance).toBe('host-100');
    expect(db.alerts[0].status).toEqual({ state: 'active', silencedBy: [], inhibitedBy: [], mutedBy: [] });

    const alerts = await getJson(`${node.url}/api/v2/alerts?filter=instance%3D~%22host-1.%22`);
    expect(alerts.body.map((a: any) => a.labels.instance).sort()).toEqual(
      Array.from({ length: 10 }, (_, i) => `host-1${i}`),
    );
    const fps = alerts.body.map((a: any) => a.fingerprint);
    expect([...fps].sort()).toEqual(fps);
  });

  it('filter and receiver answer what filtering the whole listing gives (groups ruled out by their labels unread)', async () => {
    const all = (await getJson(`${node.url}/api/v2/alerts`)).body as any[];
    const allGroups = (await getJson(`${node.url}/api/v2/alerts/groups`)).body as any[];
    const cases: [string, (a: any, receiver: string) => boolean][] = [
      ['filter=alertname%3D%22Alert0%22', (a) => a.labels.alertname === 'Alert0'],
      [
        'filter=alertname%3D%22Alert0%22&receiver=default',
        (a, r) => a.labels.alertname === 'Alert0' && r === 'default',
      ],
      ['receiver=dbteam', (_a, r) => r === 'dbteam'],
      ['filter=cluster%3D%22c1%22', (a) => a.labels.cluster === 'c1'],
      ['filter=alertname%21~%22Alert%5B0-2%5D%22', (a) => !/^Alert[0-2]$/.test(a.labels.alertname)],
      [
        'filter=alertname%3D%22Alert0%22&filter=instance%3D%22host-100%22',
        (a) => a.labels.instance === 'host-100',
      ],
      ['filter=alertname%3D%22Nope%22', () => false],
    ];
    for (const [q, keep] of cases) {
      const got = (await getJson(`${node.url}/api/v2/alerts?${q}`)).body as any[];
      const want = all.filter((a) => a.receivers.some((r: any) => keep(a, r.name)));
      expect([q, got.map((a) => a.fingerprint)]).toEqual([q, want.map((a) => a.fingerprint)]);
      const groups = (await getJson(`${node.url}/api/v2/alerts/groups?${q}`)).body as any[];
      const wantGroups = allGroups
        .map((g) => ({ ...g, alerts: g.alerts.filter((a: any) => keep(a, g.receiver.name)) }))
        .filter((g) => g.alerts.length > 0);
      expect([q, groups]).toEqual([q, wantGroups]);
    }
    expect(all.length).toBe(21);
  });

  it('ingests an Alertmanager webhook: status decides firing vs resolved, groupKey kept', async () => {
    const now = Date.now();
    const payload = {
      version: '4',
      groupKey: '{}:{alertname="Forwarded"}',
      receiver: 'upstream',
      status: 'firing',
      alerts: [
        {
          status: 'firing',
          labels: { alertname: 'Forwarded', instance: 'a' },
          annotations: {},
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: '0001-01-01T00:00:00Z',
          fingerprint: 'x',
        },
        {
          status: 'resolved',
          labels: { alertname: 'Forwarded', instance: 'b' },
          annotations: {},
          startsAt: new Date(now - 60_000).toISOString(),
          endsAt: new Date(now - 1000).toISOString(),
        },
      ],
    };
    expect(await post(`${node.url}/api/v1/webhooks/alertmanager`, payload)).toEqual({
      status: 200,
      body: '',
    });
    const alerts = await getJson(`${node.url}/api/v2/alerts?filter=alertname%3DForwarded`);
    expect(alerts.body.map((a: any) => a.labels.instance)).toEqual(['a']);
  });
});

describe('ingest hardening, Redis mode with the default limits (issue 10)', () => {
  let env: TestNodeWithRedis;
  let node: TestNode;
  let redis: Redis;
  beforeAll(async () => {
    env = await startNodeWithRedis(
      'route:\n  receiver: default\n  group_by: [alertname]\nreceivers:\n  - name: default\n',
    );
    node = env.node;
    redis = new Redis(env.redis.url);
  });
  afterAll(async () => {
    redis.disconnect();
    await env.close();
  });
  const W = '/api/v1/webhooks/alertmanager';
  const webhookAlert = (i: number, extra: Record<string, unknown> = {}) => ({
    status: 'firing',
    labels: { alertname: `W${i % 10}`, instance: `host-${i}`, pad: 'p'.repeat(900) },
    annotations: {},
    startsAt: new Date(Date.now() - 1000).toISOString(),
    endsAt: '0001-01-01T00:00:00Z',
    ...extra,
  });
  const usedMemory = async () => Number(/used_memory:(\d+)/.exec(await redis.info('memory'))![1]);
  async function keysWithoutTtl(): Promise<string[]> {
    const out: string[] = [];
    for (const k of await redis.keys('herald:*')) if ((await redis.pttl(k)) < 0) out.push(k);
    return out;
  }

  it('rejects a 4 MB groupKey with 400 naming groupKey and the node stays up', async () => {
    const body = {
      version: '4',
      groupKey: 'k'.repeat(4 * 1024 * 1024),
      receiver: 'upstream',
      status: 'firing',
      alerts: Array.from({ length: 1000 }, (_, i) => ({
        status: 'firing',
        labels: { alertname: 'Big', i: `${i}` },
      })),
    };
    const heapBefore = process.memoryUsage().heapUsed;
    const r = await post(`${node.url}${W}`, body);
    expect(r.status).toBe(400);
    expect(r.body.field).toBe('groupKey');
    expect(r.body.error).toMatch(/max_group_key_length/);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(256 * 1024 * 1024);
    expect((await getJson(`${node.url}/health/ready`)).body.status).toBe('ok');
    expect(await post(`${node.url}${W}`, { ...body, groupKey: '{}:{alertname="Big"}' })).toEqual({
      status: 200,
      body: '',
    });
  });

  it('bounds receiver and externalURL too, naming the field', async () => {
    const base = { version: '4', status: 'firing', alerts: [webhookAlert(1)] };
    for (const [extra, field] of [
      [{ receiver: 'r'.repeat(5000) }, 'receiver'],
      [{ externalURL: 'u'.repeat(20_000) }, 'externalURL'],
      [{ commonAnnotations: { s: 'a'.repeat(20_000) } }, 'commonAnnotations["s"]'],
      [{ truncatedAlerts: -3 }, 'truncatedAlerts'],
    ] as const) {
      const r = await post(`${node.url}${W}`, { ...base, ...extra });
      expect([field, r.status, r.body.field]).toEqual([field, 400, field]);
    }
  });

  it('a pre-1970 startsAt is rejected per alert in Redis mode; the rest of the batch is stored with TTLs', async () => {
    const batch = Array.from({ length: 5 }, (_, i) => ({ labels: { alertname: 'Epoch', i: `${i}` } }));
    (batch[3] as Record<string, unknown>).startsAt = '1969-12-31T23:59:59Z';
    (batch[4] as Record<string, unknown>).endsAt = '1900-01-01T00:00:00Z';
    const r = await post(`${node.url}/api/v2/alerts`, batch);
    expect(r.status).toBe(400);
    expect(r.body.accepted).toBe(3);
    expect(r.body.rejected.map((x: any) => x.field)).toEqual(['[3].startsAt', '[4].endsAt']);
    const stored = await getJson(`${node.url}/api/v2/alerts?filter=alertname%3DEpoch`);
    expect(stored.body.map((a: any) => a.labels.i).sort()).toEqual(['0', '1', '2']);
    expect(await keysWithoutTtl()).toEqual([]);
    // The webhook names the field under alerts[]; a time after 9999 is refused the same way.
    const w = await post(`${node.url}${W}`, {
      version: '4',
      status: 'firing',
      alerts: [webhookAlert(1), webhookAlert(2, { endsAt: '9999-12-31T23:59:59-05:00' })],
    });
    expect([w.status, w.body.accepted, w.body.field]).toEqual([400, 1, 'alerts[1].endsAt']);
    expect((await getJson(`${node.url}/health/ready`)).body.status).toBe('ok');
  });

  it('stores a webhook groupKey once per group: a 1 MB body with the longest groupKey adds under 4 MiB to Redis', async () => {
    const body = JSON.stringify({
      version: '4',
      groupKey: 'g'.repeat(16_384),
      receiver: 'upstream',
      status: 'firing',
      alerts: Array.from({ length: 1000 }, (_, i) => webhookAlert(i)),
    });
    expect(body.length).toBeGreaterThan(1_000_000);
    const before = await usedMemory();
    expect(await post(`${node.url}${W}`, body)).toEqual({ status: 200, body: '' });
    // Measured: +1.6 MiB (one copy of the groupKey per group); with a copy per alert it was +19.6 MiB.
    expect((await usedMemory()) - before).toBeLessThan(4 * 1024 * 1024);
    expect(await keysWithoutTtl()).toEqual([]);
  });
});

describe('bad input gets a 4xx naming the field, never a 5xx (memory mode)', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startNode(CONFIG);
  });
  afterAll(() => node.close());

  it('a mixed batch stores the valid alerts and answers 400 naming index and field of the bad ones', async () => {
    const batch = [
      alert(1, { alertname: 'Mixed' }),
      { labels: { '': 'x' } }, // `1bad` is a valid name since UTF-8 names (Alertmanager ≥ 0.27)
      alert(2, { alertname: 'Mixed' }),
      { labels: { alertname: 'Mixed' }, startsAt: 'yesterday' },
    ];
    const r = await post(`${node.url}/api/v2/alerts`, batch);
    expect(r.status).toBe(400);
    expect(r.body.accepted).toBe(2);
    expect(r.body.rejected.map((x: any) => [x.index, x.field])).toEqual([
      [1, '[1].labels[""]'],
      [3, '[3].startsAt'],
    ]);
    const stored = await getJson(`${node.url}/api/v2/alerts?filter=alertname%3DMixed`);
    expect(stored.body.length).toBe(2);
  });

  const big = 'x'.repeat(70 * 1024);
  const A = `${'/api/v2/alerts'}`;
  const W = '/api/v1/webhooks/alertmanager';
  const ok = { labels: { alertname: 'X' } };
  const cases: [string, string, unknown, RegExp, Record<string, string> | null][] = [
    ['malformed JSON', A, '[{"labels":', /body/, null],
    ['empty body with JSON content type', A, '', /body/, null],
    ['body is an object', A, { labels: {} }, /body/, null],
    ['body is a number', A, '42', /body/, null],
    ['body is null', A, 'null', /body/, null],
    ['alert is a string', A, ['x'], /\[0\]/, null],
    ['alert is null', A, [null], /\[0\]/, null],
    ['labels missing', A, [{}], /\[0\]\.labels/, null],
    ['labels is an array', A, [{ labels: ['a'] }], /\[0\]\.labels/, null],
    ['only empty label values', A, [{ labels: { a: '' } }], /\[0\]\.labels/, null],
    ['label value is a number', A, [{ labels: { a: 1 } }], /labels\.a/, null],
    // Any non-empty valid UTF-8 name is valid (herald.label_names: utf8, Alertmanager ≥ 0.27).
    ['empty label name', A, [{ labels: { '': 'x' } }], /labels\[""\]/, null],
    [
      'label name with a lone surrogate',
      A,
      '[{"labels":{"a\\ud800":"x"}}]',
      /labels\[.*not valid UTF-8/,
      null,
    ],
    [
      'too many labels',
      A,
      [{ labels: Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`l${i}`, 'v'])) }],
      /\[0\]\.labels/,
      null,
    ],
    ['label value too long', A, [{ labels: { a: 'v'.repeat(101) } }], /labels\.a/, null],
    ['annotations not an object', A, [{ ...ok, annotations: 'x' }], /annotations/, null],
    ['annotation value not a string', A, [{ ...ok, annotations: { s: 1 } }], /annotations\.s/, null],
    [
      'annotation value too long',
      A,
      [{ ...ok, annotations: { s: 'v'.repeat(201) } }],
      /annotations\.s/,
      null,
    ],
    ['startsAt not a time', A, [{ ...ok, startsAt: 'yesterday' }], /startsAt/, null],
    ['startsAt a number', A, [{ ...ok, startsAt: 12 }], /startsAt/, null],
    ['startsAt before 1970', A, [{ ...ok, startsAt: '1969-07-20T20:17:00Z' }], /\[0\]\.startsAt/, null],
    ['endsAt after 9999', A, [{ ...ok, endsAt: '9999-12-31T23:59:59-01:00' }], /\[0\]\.endsAt/, null],
    [
      'endsAt before startsAt',
      A,
      [{ ...ok, startsAt: '2026-01-02T00:00:00Z', endsAt: '2026-01-01T00:00:00Z' }],
      /endsAt/,
      null,
    ],
    ['endsAt without a zone', A, [{ ...ok, endsAt: '2026-01-01T00:00:00' }], /endsAt/, null],
    ['generatorURL not a string', A, [{ ...ok, generatorURL: {} }], /generatorURL/, null],
    ['too many alerts', A, Array.from({ length: 101 }, () => ok), /body/, null],
    ['body too large', A, `[{"labels":{"a":"${big}"}}]`, /body/, null],
    ['wrong content type', A, '[]', /Content-Type/, { 'content-type': 'text/plain' }],
    ['webhook: not an object', W, '[]', /body/, null],
    ['webhook: wrong version', W, { version: '3', alerts: [] }, /version/, null],
    ['webhook: alerts missing', W, { version: '4' }, /alerts/, null],
    [
      'webhook: bad alert status',
      W,
      { version: '4', alerts: [{ ...ok, status: 'ok' }] },
      /alerts\[0\]\.status/,
      null,
    ],
    ['webhook: groupKey not a string', W, { version: '4', groupKey: 1, alerts: [] }, /groupKey/, null],
    [
      'webhook: receiver too long',
      W,
      { version: '4', receiver: 'r'.repeat(101), alerts: [] },
      /receiver/,
      null,
    ],
    ['webhook: unknown envelope status', W, { version: '4', status: 'exploded', alerts: [] }, /status/, null],
    [
      'webhook: bad labels',
      W,
      { version: '4', alerts: [{ status: 'firing', labels: 'x' }] },
      /alerts\[0\]\.labels/,
      null,
    ],
    ['GET filter that does not parse', '/api/v2/alerts?filter=a%3D%3D%22', undefined, /filter/, null],
    ['GET receiver regex that does not compile', '/api/v2/alerts?receiver=(', undefined, /receiver/, null],
    ['GET active not a boolean', '/api/v2/alerts?active=maybe', undefined, /active/, null],
  ];

  it.each(cases)('%s → 4xx naming the field', async (_name, path, body, field, headers) => {
    const r =
      body === undefined
        ? await getJson(`${node.url}${path}`)
        : await post(`${node.url}${path}`, body, headers ?? { 'content-type': 'application/json' });
    expect(r.status).toBeGreaterThanOrEqual(400);
    expect(r.status).toBeLessThan(500);
    expect(typeof r.body.error).toBe('string');
    expect(r.body.error).toMatch(field);
  });

  it('is still healthy after all of that', async () => {
    expect((await getJson(`${node.url}/health/ready`)).body.status).toBe('ok');
  });
});
