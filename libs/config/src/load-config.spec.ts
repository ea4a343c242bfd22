import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@herald/domain';
import { INTEGRATIONS } from '@herald/delivery';
import { loadConfig, type LoadConfigOptions } from './load-config';
import { RECEIVER_KINDS } from './receivers';

const EXAMPLES = join(__dirname, '../../../deploy/examples');
const HOST = 'node-a';
// Well-formed scrypt hashes (the format `heraldctl hash-secret` prints); the values are arbitrary.
const fakeHash = (fill: number) =>
  `scrypt$N=16384,r=8,p=1$${Buffer.alloc(16, fill).toString('base64')}$${Buffer.alloc(32, fill).toString('base64')}`;
const [H1, H2, H3] = [fakeHash(1), fakeHash(2), fakeHash(3)];

function load(
  fileText?: string,
  env: Record<string, string | undefined> = {},
  extra: Partial<LoadConfigOptions> = {},
) {
  return loadConfig({ env, fileText, hostname: HOST, ...extra });
}

function loadError(fileText: string, env: Record<string, string | undefined> = {}): ConfigError {
  try {
    load(fileText, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

// A minimal valid Alertmanager part; the invalid cases below each break one thing.
const BASE = `
route:
  receiver: ops
receivers:
  - name: ops
`;

describe('loadConfig: examples', () => {
  it('loads an existing alertmanager.yml unchanged, without warnings', () => {
    const cfg = loadConfig({ env: {}, filePath: join(EXAMPLES, 'alertmanager.yml'), hostname: HOST });
    expect(cfg.warnings).toEqual([]);
    expect(cfg.global.resolveTimeout).toBe(300_000);
    expect(cfg.global.raw.smtp_smarthost).toBe('smtp.example.org:587');
    expect(cfg.receivers.map((r) => r.name)).toEqual([
      'team-default',
      'archive',
      'team-frontend',
      'team-frontend-email',
      'team-db-mails',
      'database-pager',
    ]);
    expect(cfg.receivers[5].unsupportedKinds).toEqual([]);
    expect(cfg.receivers[5].webhookConfigs).toEqual([
      // global.http_config applies to every integration that has none, as in Alertmanager.
      {
        url: 'http://incident-bridge.example.org/alertmanager',
        send_resolved: true,
        http_config: { follow_redirects: true },
      },
    ]);
    expect(cfg.routeTree.receiver).toBe('team-default');
    expect(cfg.routeTree.routes).toHaveLength(4);
    expect(cfg.routeTree.routes[0].continue).toBe(true);
    expect(cfg.inhibitRules).toHaveLength(2);
    expect(cfg.inhibitRules[1].sourceMatchers.map((m) => `${m.name}${m.type}${m.value}`)).toEqual([
      'alertname=ClusterDown',
      'cluster=~prod-.*',
    ]);
    expect(cfg.inhibitRules[1].targetMatchers.map((m) => m.type)).toEqual(['=~']);
    expect(cfg.inhibitRules[0].equal).toEqual(['alertname', 'cluster', 'service']);
    expect(cfg.timeIntervals.map((t) => t.name)).toEqual(['business-hours', 'holidays', 'weekends']);
    expect(cfg.timeIntervals[0].timeIntervals[0]).toEqual({
      times: [{ start: 540, end: 1020 }],
      weekdays: [{ start: 1, end: 5 }],
      location: 'Europe/Berlin',
    });
    expect(cfg.timeIntervals[1].timeIntervals[0]).toEqual({
      daysOfMonth: [
        { start: 24, end: 26 },
        { start: -1, end: -1 },
      ],
      months: [{ start: 12, end: 12 }],
      years: [{ start: 2024, end: 2030 }],
    });
    expect(cfg.templates).toEqual(['templates/*.tmpl']);
    expect(cfg.templateFiles.map((f) => f.name)).toEqual(['team.tmpl']);
    expect(cfg.herald.redis.mode).toBe('memory');
    expect(cfg.original).toBe(readFileSync(join(EXAMPLES, 'alertmanager.yml'), 'utf8'));
    expect(cfg.source).toBe(join(EXAMPLES, 'alertmanager.yml'));
  });

  it('masks secrets in originalRedacted and keeps the rest', () => {
    const cfg = loadConfig({ env: {}, filePath: join(EXAMPLES, 'alertmanager.yml'), hostname: HOST });
    expect(cfg.originalRedacted).not.toMatch(/change-me|hooks\.slack\.com|archive-token|pd-routing-key/);
    expect(cfg.originalRedacted).toContain('smtp_auth_password: <secret>');
    expect(cfg.originalRedacted).toContain('smtp.example.org:587');
    expect(cfg.originalRedacted).toContain('# New syntax.');
  });

  it('loads deploy/examples/herald.yml, whose values are the defaults', () => {
    const file = loadConfig({ env: {}, filePath: join(EXAMPLES, 'herald.yml'), hostname: HOST });
    const zero = load(undefined);
    expect(file.herald).toEqual(zero.herald);
    expect(file.warnings).toEqual([]);
    expect(file.receivers.map((r) => r.name)).toEqual(['default']);
  });
});

describe('loadConfig: herald section', () => {
  it('applies every default', () => {
    const h = load(BASE).herald;
    expect(h).toEqual({
      nodeId: 'node-a:9093',
      port: 9093,
      listenAddress: '0.0.0.0',
      externalUrl: 'http://node-a:9093',
      logLevel: 'info',
      roles: new Set(['api', 'scheduler', 'delivery']),
      workers: 1,
      locks: { mode: 'redis' },
      http: { trustedProxies: ['127.0.0.0/8', '::1/128'] },
      redis: {
        mode: 'memory',
        keyPrefix: 'herald',
        commandTimeout: 1000,
        connectTimeout: 2000,
        reconnectCheckInterval: 1000,
        dueBuckets: 16,
        fallbackNotifyDelay: 0,
      },
      limits: {
        maxBodyBytes: 5 * 1024 * 1024,
        maxAlertsPerRequest: 1000,
        maxLabelsPerAlert: 64,
        maxLabelNameLength: 256,
        maxLabelValueLength: 4096,
        maxAnnotationValueLength: 16384,
        maxAnnotationsPerAlert: 64,
        maxGroupKeyLength: 16384,
      },
      memory: { maxAlerts: 200000, maxGroups: 50000 },
      scheduler: { tick: 250, lease: 30_000, claimBatch: 200, concurrency: 16 },
      delivery: {
        concurrency: 8,
        attempts: 10,
        stalledTimeout: 30_000,
        memoryMaxItems: 10_000,
        deadLetterRetention: 7 * 24 * 3600_000,
        deadLetterMax: 10_000,
        rateLimits: {},
      },
      retention: 86_400_000,
      tenants: [],
      defaultTenant: 'default',
      allowUnsupportedReceivers: false,
      silences: { retention: 120 * 3_600_000, maxSilences: 10_000, maxSilenceSizeBytes: 65_536 },
      labelNames: 'utf8',
      history: { maxEntries: 10_000 },
      events: { maxEntries: 1000, maxClients: 1000 },
    });
  });

  it('reads herald.history and herald.events, naming a bad field', () => {
    const h = load(
      `${BASE}herald:\n  history:\n    max_entries: 500\n  events:\n    max_entries: 200\n    max_clients: 7\n`,
    ).herald;
    expect(h.history).toEqual({ maxEntries: 500 });
    expect(h.events).toEqual({ maxEntries: 200, maxClients: 7 });
    expect(() => load(`${BASE}herald:\n  history:\n    max_entries: 0\n`)).toThrow(
      'herald.history.max_entries',
    );
    expect(() => load(`${BASE}herald:\n  events:\n    max_clients: -1\n`)).toThrow(
      'herald.events.max_clients',
    );
    expect(() => load(`${BASE}herald:\n  events:\n    heartbeat: 1s\n`)).toThrow('herald.events');
  });

  it('reads every option', () => {
    const h = load(`${BASE}
herald:
  node_id: n1
  port: 8080
  listen_address: 127.0.0.1
  external_url: https://alerts.example.org/
  log_level: debug
  redis:
    sentinel:
      master_name: mymaster
      sentinels: ['s1:26379', '[::1]:26380']
      password: p
    key_prefix: hx.1
    command_timeout: 500ms
    due_buckets: 64
  limits:
    max_body_bytes: 512KB
    max_alerts_per_request: 10
  memory: { max_alerts: 5, max_groups: 2 }
  retention: 1h
  silences: { retention: 24h, max_silences: 0, max_silence_size_bytes: 1000 }
  label_names: classic
  default_tenant: team-a
  tenants:
    - id: team-a
      name: Team A
      api_keys: ['${H1}', { hash: '${H2}', role: admin }]
      users:
        - { username: alice, password_hash: '${H3}', role: admin }
      limits: { max_alerts: 10, ingest_rate: 2.5, alertmanager_max_silences_count: 7 }
    - id: team-b
`).herald;
    expect(h.nodeId).toBe('n1');
    expect(h.port).toBe(8080);
    expect(h.externalUrl).toBe('https://alerts.example.org');
    expect(h.logLevel).toBe('debug');
    expect(h.redis).toMatchObject({
      mode: 'sentinel',
      keyPrefix: 'hx.1',
      commandTimeout: 500,
      dueBuckets: 64,
      sentinel: {
        masterName: 'mymaster',
        sentinels: [
          { host: 's1', port: 26379 },
          { host: '::1', port: 26380 },
        ],
        password: 'p',
      },
    });
    expect(h.limits.maxBodyBytes).toBe(512_000);
    expect(h.limits.maxAlertsPerRequest).toBe(10);
    expect(h.memory).toEqual({ maxAlerts: 5, maxGroups: 2 });
    expect(h.retention).toBe(3_600_000);
    expect(h.silences).toEqual({ retention: 86_400_000, maxSilences: 0, maxSilenceSizeBytes: 1000 });
    expect(h.labelNames).toBe('classic');
    expect(h.tenants[0]).toEqual({
      id: 'team-a',
      name: 'Team A',
      apiKeys: [
        { hash: H1, role: 'ingest' },
        { hash: H2, role: 'admin' },
      ],
      users: [{ username: 'alice', passwordHash: H3, role: 'admin' }],
      limits: {
        maxAlerts: 10,
        maxGroups: undefined,
        ingestRate: 2.5,
        ingestBurst: 150, // default: a minute of the rate
        maxSilences: 7,
        maxSilenceSizeBytes: undefined,
        paths: {
          maxAlerts: 'herald.tenants[0].limits.max_alerts',
          maxGroups: 'herald.tenants[0].limits.max_groups',
          ingestRate: 'herald.tenants[0].limits.ingest_rate',
          ingestBurst: 'herald.tenants[0].limits.ingest_burst',
          maxSilences: 'herald.tenants[0].limits.alertmanager_max_silences_count',
          maxSilenceSizeBytes: 'herald.tenants[0].limits.max_silence_size_bytes',
        },
      },
    });
    expect(h.tenants[1]).toMatchObject({ id: 'team-b', apiKeys: [], users: [] });
  });

  it.each([
    [1048576, 1048576],
    ['5MiB', 5 * 1024 * 1024],
    ['512KB', 512_000],
    ['1.5 MB', 1_500_000],
    ['2048', 2048],
  ])('max_body_bytes %p → %p', (input, bytes) => {
    const cfg = load(`${BASE}\nherald: { limits: { max_body_bytes: ${JSON.stringify(input)} } }\n`);
    expect(cfg.herald.limits.maxBodyBytes).toBe(bytes);
  });

  it('takes a single Redis URL', () => {
    const cfg = load(`${BASE}\nherald: { redis: { url: 'rediss://u:p@redis:6380/2' } }\n`);
    expect(cfg.herald.redis).toMatchObject({ mode: 'single', url: 'rediss://u:p@redis:6380/2' });
  });
});

describe('loadConfig: herald.redis.cluster', () => {
  const tmp = () => mkdtempSync(join(tmpdir(), 'herald-cluster-'));

  it('takes seed nodes, credentials and TLS; due_buckets defaults to 48', () => {
    const dir = tmp();
    for (const f of ['ca.pem', 'cert.pem', 'key.pem']) writeFileSync(join(dir, f), 'x');
    const cfg = load(
      `${BASE}
herald:
  redis:
    cluster:
      nodes: ['r1:7000', '10.0.0.2:7001', '[::1]:7002']
      username: herald
      password: s3cret
      tls:
        ca_file: ${join(dir, 'ca.pem')}
        cert_file: ${join(dir, 'cert.pem')}
        key_file: ${join(dir, 'key.pem')}
        server_name: redis.internal
        insecure_skip_verify: false
`,
    );
    expect(cfg.herald.redis).toEqual({
      mode: 'cluster',
      keyPrefix: 'herald',
      commandTimeout: 1000,
      connectTimeout: 2000,
      reconnectCheckInterval: 1000,
      dueBuckets: 48,
      fallbackNotifyDelay: 15_000,
      cluster: {
        nodes: [
          { host: 'r1', port: 7000 },
          { host: '10.0.0.2', port: 7001 },
          { host: '::1', port: 7002 },
        ],
        username: 'herald',
        password: 's3cret',
        tls: {
          caFile: join(dir, 'ca.pem'),
          certFile: join(dir, 'cert.pem'),
          keyFile: join(dir, 'key.pem'),
          serverName: 'redis.internal',
          insecureSkipVerify: false,
        },
      },
    });
  });

  it('keeps an explicit due_buckets; single and Sentinel keep 16 by default', () => {
    const cluster = (extra: string) =>
      load(`${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'] }${extra} } }\n`).herald.redis;
    expect(cluster(', due_buckets: 16').dueBuckets).toBe(16);
    expect(cluster(', due_buckets: 96').dueBuckets).toBe(96);
    expect(cluster('').dueBuckets).toBe(48);
    expect(load(`${BASE}\nherald: { redis: { url: 'redis://a' } }\n`).herald.redis.dueBuckets).toBe(16);
    expect(
      load(`${BASE}\nherald: { redis: { sentinel: { master_name: m, sentinels: ['s:1'] } } }\n`).herald.redis
        .dueBuckets,
    ).toBe(16);
    expect(load(BASE).herald.redis.dueBuckets).toBe(16);
  });

  it('fallback_notify_delay: 15s with Sentinel or a Cluster (they fail over), 0 on a single master; settable', () => {
    const redis = (yaml: string) => load(`${BASE}\nherald: { redis: ${yaml} }\n`).herald.redis;
    expect(redis(`{ cluster: { nodes: ['a:7000'] } }`).fallbackNotifyDelay).toBe(15_000);
    expect(redis(`{ sentinel: { master_name: m, sentinels: ['s:1'] } }`).fallbackNotifyDelay).toBe(15_000);
    expect(redis(`{ url: 'redis://a' }`).fallbackNotifyDelay).toBe(0);
    expect(redis(`{ url: 'redis://a', fallback_notify_delay: 5s }`).fallbackNotifyDelay).toBe(5000);
    expect(redis(`{ cluster: { nodes: ['a:7000'] }, fallback_notify_delay: 0s }`).fallbackNotifyDelay).toBe(
      0,
    );
    expect(() => redis(`{ url: 'redis://a', fallback_notify_delay: soon }`)).toThrow(
      /herald\.redis\.fallback_notify_delay/,
    );
  });

  it('tls: {} turns TLS on with the defaults', () => {
    const r = load(`${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], tls: {} } } }\n`).herald.redis;
    expect(r.mode === 'cluster' && r.cluster.tls).toEqual({ insecureSkipVerify: false });
  });

  it('reads password_file (trailing newline dropped) and resolves relative paths against the config file', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'redis-pw'), 'from-file\n');
    writeFileSync(join(dir, 'ca.pem'), 'x');
    const path = join(dir, 'herald.yml');
    writeFileSync(
      path,
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], password_file: redis-pw, tls: { ca_file: ca.pem } } } }\n`,
    );
    const r = loadConfig({ env: {}, filePath: path, hostname: HOST }).herald.redis;
    expect(r.mode === 'cluster' && r.cluster).toEqual({
      nodes: [{ host: 'a', port: 7000 }],
      password: 'from-file',
      tls: { caFile: join(dir, 'ca.pem'), insecureSkipVerify: false },
    });
  });

  it('refuses cert_file without key_file and the reverse', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'c.pem'), 'x');
    const f = join(dir, 'c.pem');
    expect(
      loadError(`${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], tls: { cert_file: ${f} } } } }\n`)
        .message,
    ).toContain('herald.redis.cluster.tls.key_file: is required when cert_file is set');
    expect(
      loadError(`${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], tls: { key_file: ${f} } } } }\n`)
        .message,
    ).toContain('herald.redis.cluster.tls.cert_file: is required when key_file is set');
  });

  it('never puts a password in a message, and the redacted YAML masks it', () => {
    const text = `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000', 'bad'], password: hunter2 } } }\n`;
    expect(loadError(text).message).not.toContain('hunter2');
    const ok = load(`${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], password: hunter2 } } }\n`);
    expect(ok.originalRedacted).not.toContain('hunter2');
  });

  it('a cluster is a shared Redis: a node may run only some roles, and quorum locks are allowed', () => {
    const h = load(
      `${BASE}\nherald:\n  roles: [api]\n  redis: { cluster: { nodes: ['a:7000'] } }\n  locks: { mode: quorum, quorum: { nodes: ['redis://l1', 'redis://l2', 'redis://l3'] } }\n`,
    ).herald;
    expect([...h.roles]).toEqual(['api']);
    expect(h.locks.mode).toBe('quorum');
  });

  it('REDIS_CLUSTER_NODES replaces the file connection (url, sentinel), comma-separated', () => {
    const r = load(`${BASE}\nherald: { redis: { url: 'redis://file:6379', due_buckets: 8 } }\n`, {
      REDIS_CLUSTER_NODES: 'r1:7000, r2:7001,,[::1]:7002',
    }).herald.redis;
    expect(r).toMatchObject({
      mode: 'cluster',
      dueBuckets: 8,
      cluster: {
        nodes: [
          { host: 'r1', port: 7000 },
          { host: 'r2', port: 7001 },
          { host: '::1', port: 7002 },
        ],
      },
    });
    expect(r).not.toHaveProperty('url');
    expect(load(BASE, { REDIS_CLUSTER_NODES: 'a:1' }).herald.redis).toMatchObject({
      mode: 'cluster',
      dueBuckets: 48,
      cluster: { nodes: [{ host: 'a', port: 1 }] },
    });
  });

  it("REDIS_CLUSTER_NODES keeps the file's cluster credentials and TLS (nodes may then be left out)", () => {
    const r = load(`${BASE}\nherald: { redis: { cluster: { username: u, password: p, tls: {} } } }\n`, {
      REDIS_CLUSTER_NODES: 'env:7000',
    }).herald.redis;
    expect(r.mode === 'cluster' && r.cluster).toEqual({
      nodes: [{ host: 'env', port: 7000 }],
      username: 'u',
      password: 'p',
      tls: { insecureSkipVerify: false },
    });
  });

  it('REDIS_URL replaces a cluster from the file', () => {
    const r = load(`${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'] } } }\n`, {
      REDIS_URL: 'redis://env:6379',
    }).herald.redis;
    expect(r).toMatchObject({ mode: 'single', url: 'redis://env:6379', dueBuckets: 16 });
  });

  it.each([
    [{ REDIS_CLUSTER_NODES: 'nohost' }, 'REDIS_CLUSTER_NODES[0]: must be "host:port", got "nohost"'],
    [{ REDIS_CLUSTER_NODES: 'a:1,b:99999' }, 'REDIS_CLUSTER_NODES[1]: must be "host:port"'],
    [{ REDIS_CLUSTER_NODES: ' , ' }, 'REDIS_CLUSTER_NODES: must list at least one "host:port"'],
    [
      { REDIS_CLUSTER_NODES: 'a:1', REDIS_URL: 'redis://a' },
      'REDIS_CLUSTER_NODES: REDIS_URL and REDIS_CLUSTER_NODES are mutually exclusive',
    ],
  ])('rejects %p', (env, message) => {
    expect(loadError(BASE, env).message).toContain(message);
  });

  it('an empty REDIS_CLUSTER_NODES counts as unset', () => {
    expect(load(BASE, { REDIS_CLUSTER_NODES: '' }).herald.redis.mode).toBe('memory');
  });
});

describe('loadConfig: environment overrides', () => {
  const FILE = `${BASE}
herald:
  port: 8000
  node_id: from-file
  log_level: warn
  redis:
    sentinel: { master_name: m, sentinels: ['s1:26379'] }
`;

  it('PORT, REDIS_URL, HERALD_NODE_ID and HERALD_LOG_LEVEL win over the file', () => {
    const h = load(FILE, {
      PORT: '9999',
      REDIS_URL: 'redis://redis:6379',
      HERALD_NODE_ID: 'env-node',
      HERALD_LOG_LEVEL: 'DEBUG',
    }).herald;
    expect(h.port).toBe(9999);
    expect(h.redis).toEqual(expect.objectContaining({ mode: 'single', url: 'redis://redis:6379' }));
    expect(h.redis).not.toHaveProperty('sentinel');
    expect(h.nodeId).toBe('env-node');
    expect(h.logLevel).toBe('debug');
  });

  it('HERALD_LISTEN_ADDRESS wins over herald.listen_address (npm run cluster binds its nodes to loopback)', () => {
    expect(load(BASE, {}).herald.listenAddress).toBe('0.0.0.0');
    expect(load(BASE, { HERALD_LISTEN_ADDRESS: '127.0.0.1' }).herald.listenAddress).toBe('127.0.0.1');
    const file = `${BASE}herald:\n  listen_address: 10.0.0.5\n`;
    expect(load(file, {}).herald.listenAddress).toBe('10.0.0.5');
    expect(load(file, { HERALD_LISTEN_ADDRESS: '::1' }).herald.listenAddress).toBe('::1');
  });

  it('PORT also moves the node_id and external_url defaults', () => {
    const h = load(BASE, { PORT: '7000' }).herald;
    expect(h.nodeId).toBe('node-a:7000');
    expect(h.externalUrl).toBe('http://node-a:7000');
  });

  it('treats empty variables as unset', () => {
    const h = load(FILE, { PORT: '', REDIS_URL: ' ', HERALD_NODE_ID: '' }).herald;
    expect(h.port).toBe(8000);
    expect(h.redis.mode).toBe('sentinel');
    expect(h.nodeId).toBe('from-file');
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT: must be an integer port 1..65535, got "abc"'],
    [{ PORT: '0' }, 'PORT: '],
    [{ PORT: '70000' }, 'PORT: '],
    [{ PORT: '80.5' }, 'PORT: '],
    [{ REDIS_URL: 'http://redis:6379' }, 'REDIS_URL: must be a redis:// or rediss:// URL'],
    [{ HERALD_LOG_LEVEL: 'loud' }, 'HERALD_LOG_LEVEL: must be one of'],
  ])('rejects %p', (env, message) => {
    expect(loadError(BASE, env).message).toContain(message);
  });

  it('does not echo a password from a bad REDIS_URL', () => {
    expect(loadError(BASE, { REDIS_URL: 'http://user:hunter2@redis' }).message).not.toContain('hunter2');
  });

  it('reads the file named by HERALD_CONFIG', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-config-'));
    const path = join(dir, 'herald.yml');
    writeFileSync(path, `${BASE}\nherald: { port: 1234 }\n`);
    const cfg = loadConfig({ env: { HERALD_CONFIG: path }, hostname: HOST });
    expect(cfg.herald.port).toBe(1234);
    expect(cfg.source).toBe(path);
  });

  it('names HERALD_CONFIG and the path when the file is missing', () => {
    expect(() => loadConfig({ env: { HERALD_CONFIG: '/nonexistent/herald.yml' } })).toThrow(
      'HERALD_CONFIG: cannot read config file "/nonexistent/herald.yml": no such file',
    );
  });
});

describe('loadConfig: zero config and YAML', () => {
  it('without a file: receiver "default", grouped by alertname', () => {
    const cfg = load(undefined);
    expect(cfg.receivers).toEqual([
      {
        name: 'default',
        integrations: [],
        webhookConfigs: [],
        slackConfigs: [],
        emailConfigs: [],
        unsupportedKinds: [],
        raw: { name: 'default' },
      },
    ]);
    expect(cfg.routeTree.receiver).toBe('default');
    expect(cfg.routeTree.groupBy).toEqual(['alertname']);
    expect(cfg.source).toBe('<default>');
    expect(cfg.original).toContain('group_by:');
    expect(cfg.herald.redis.mode).toBe('memory');
  });

  it('a herald-only file gets the zero-config routing; an empty file is an error (issue 17)', () => {
    expect(load('herald: { port: 1 }').routeTree.receiver).toBe('default');
    for (const text of ['', '  \n', '# only a comment\n', '~\n']) {
      expect(loadError(text).message).toContain('config file "<inline>" is empty');
    }
  });

  it('reports YAML syntax errors with line and column', () => {
    const err = loadError('route:\n  receiver: ops\n  group_by: [alertname\nreceivers: []\n');
    expect(err.message).toMatch(/^<inline>:\d+:\d+: YAML syntax error: /);
  });

  it('names the file in YAML errors', () => {
    expect(() =>
      loadConfig({ env: {}, fileText: 'route:\n\treceiver: x\n', filePath: 'conf/herald.yml' }),
    ).toThrow(/^conf\/herald\.yml:2:1: YAML syntax error/);
  });

  it('refuses duplicate keys (YAML would otherwise keep the last one silently)', () => {
    expect(loadError(`${BASE}\nherald: { port: 1, port: 2 }\n`).message).toMatch(
      /^<inline>:\d+:\d+: YAML syntax error/,
    );
  });

  it('keeps unquoted HH:MM times as strings (YAML 1.2, not sexagesimal)', () => {
    const cfg = load(`${BASE}
time_intervals:
  - name: night
    time_intervals: [{ times: [{ start_time: 00:00, end_time: 06:30 }] }]
`);
    expect(cfg.timeIntervals[0].timeIntervals[0].times).toEqual([{ start: 0, end: 390 }]);
  });
});

describe('loadConfig: invalid configs name the path', () => {
  // Each case: a YAML snippet appended to (or replacing) BASE, and the start of the expected message.
  const cases: Array<[string, string, string]> = [
    [
      'unknown top-level key',
      `${BASE}\nrecievers: []\n`,
      'recievers: unknown field (did you mean "receivers"?)',
    ],
    [
      'unknown herald key',
      `${BASE}\nherald: { prot: 1 }\n`,
      'herald.prot: unknown field (did you mean "port"?)',
    ],
    [
      'unknown herald.limits key',
      `${BASE}\nherald: { limits: { max_alert_per_request: 5 } }\n`,
      'herald.limits.max_alert_per_request: unknown field (did you mean "max_alerts_per_request"?)',
    ],
    [
      'unknown herald.redis key',
      `${BASE}\nherald: { redis: { host: x } }\n`,
      'herald.redis.host: unknown field',
    ],
    [
      'limit not an integer',
      `${BASE}\nherald: { limits: { max_alerts_per_request: abc } }\n`,
      'herald.limits.max_alerts_per_request: must be a positive integer, got "abc"',
    ],
    [
      'limit zero',
      `${BASE}\nherald: { limits: { max_labels_per_alert: 0 } }\n`,
      'herald.limits.max_labels_per_alert: must be a positive integer, got 0',
    ],
    [
      'bad body size',
      `${BASE}\nherald: { limits: { max_body_bytes: 5 potatoes } }\n`,
      'herald.limits.max_body_bytes: must be a positive size',
    ],
    [
      'port out of range',
      `${BASE}\nherald: { port: 70000 }\n`,
      'herald.port: must be an integer port 1..65535',
    ],
    ['bad log level', `${BASE}\nherald: { log_level: loud }\n`, 'herald.log_level: must be one of'],
    [
      'bad external_url',
      `${BASE}\nherald: { external_url: 'ftp://x' }\n`,
      'herald.external_url: must be an http',
    ],
    [
      'bad redis url',
      `${BASE}\nherald: { redis: { url: 'localhost:6379' } }\n`,
      'herald.redis.url: must be a redis://',
    ],
    [
      'url and sentinel together',
      `${BASE}\nherald: { redis: { url: 'redis://a', sentinel: { master_name: m, sentinels: ['a:1'] } } }\n`,
      'herald.redis.sentinel: url and sentinel are mutually exclusive',
    ],
    [
      'url and cluster together',
      `${BASE}\nherald: { redis: { url: 'redis://a', cluster: { nodes: ['a:7000'] } } }\n`,
      'herald.redis.cluster: url and cluster are mutually exclusive',
    ],
    [
      'sentinel and cluster together',
      `${BASE}\nherald: { redis: { sentinel: { master_name: m, sentinels: ['a:1'] }, cluster: { nodes: ['a:7000'] } } }\n`,
      'herald.redis.cluster: sentinel and cluster are mutually exclusive',
    ],
    [
      'cluster without nodes',
      `${BASE}\nherald: { redis: { cluster: { password: x } } }\n`,
      'herald.redis.cluster.nodes: at least one "host:port" is required',
    ],
    [
      'cluster node address',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000', 'b'] } } }\n`,
      'herald.redis.cluster.nodes[1]: must be "host:port"',
    ],
    [
      'cluster unknown field',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], pasword: x } } }\n`,
      'herald.redis.cluster.pasword: unknown field (did you mean "password"?)',
    ],
    [
      'cluster tls unknown field',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], tls: { ca: x } } } }\n`,
      'herald.redis.cluster.tls.ca: unknown field',
    ],
    [
      'cluster tls not a mapping',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], tls: true } } }\n`,
      'herald.redis.cluster.tls: must be a mapping',
    ],
    [
      'cluster password and password_file',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], password: x, password_file: /x } } }\n`,
      'herald.redis.cluster.password_file: password and password_file are mutually exclusive',
    ],
    [
      'cluster password_file missing',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], password_file: /nonexistent/herald-pw } } }\n`,
      'herald.redis.cluster.password_file: cannot read "/nonexistent/herald-pw": no such file',
    ],
    [
      'cluster tls file missing',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'], tls: { ca_file: /nonexistent/ca.pem } } } }\n`,
      'herald.redis.cluster.tls.ca_file: cannot read "/nonexistent/ca.pem": no such file',
    ],
    [
      'cluster due buckets',
      `${BASE}\nherald: { redis: { cluster: { nodes: ['a:7000'] }, due_buckets: 0 } }\n`,
      'herald.redis.due_buckets: must be a positive integer',
    ],
    [
      'sentinel address',
      `${BASE}\nherald: { redis: { sentinel: { master_name: m, sentinels: ['nohost'] } } }\n`,
      'herald.redis.sentinel.sentinels[0]: must be "host:port"',
    ],
    [
      'sentinel without master',
      `${BASE}\nherald: { redis: { sentinel: { sentinels: ['a:1'] } } }\n`,
      'herald.redis.sentinel.master_name: must be a non-empty string',
    ],
    [
      'key prefix',
      `${BASE}\nherald: { redis: { key_prefix: 'a b' } }\n`,
      'herald.redis.key_prefix: must match',
    ],
    [
      'due buckets',
      `${BASE}\nherald: { redis: { due_buckets: 2048 } }\n`,
      'herald.redis.due_buckets: must be at most 1024',
    ],
    [
      'bad duration',
      `${BASE}\nherald: { redis: { command_timeout: 1 second } }\n`,
      'herald.redis.command_timeout: not a valid duration string: "1 second"',
    ],
    ['zero retention', `${BASE}\nherald: { retention: 0 }\n`, 'herald.retention: must be greater than zero'],
    ['tenant id', `${BASE}\nherald: { tenants: [{ id: 'Team A' }] }\n`, 'herald.tenants[0].id: must match'],
    [
      'duplicate tenant',
      `${BASE}\nherald: { tenants: [{ id: a }, { id: a }] }\n`,
      'herald.tenants[1].id: duplicate tenant id "a"',
    ],
    [
      'shared API key',
      `${BASE}\nherald: { tenants: [{ id: a, api_keys: ['${H1}'] }, { id: b, api_keys: ['${H1}'] }] }\n`,
      'herald.tenants[1].api_keys[0]: API key already used at herald.tenants[0].api_keys[0]',
    ],
    [
      'plain API key instead of a hash',
      `${BASE}\nherald: { tenants: [{ id: a, api_keys: [my-plain-key] }] }\n`,
      'herald.tenants[0].api_keys[0]: must be a secret hash',
    ],
    [
      'password hash of another format',
      `${BASE}\nherald: { tenants: [{ id: a, users: [{ username: u, password_hash: '$2b$12$abc', role: admin }] }] }\n`,
      'herald.tenants[0].users[0].password_hash: must be a secret hash',
    ],
    [
      'scrypt cost out of bounds',
      `${BASE}\nherald: { tenants: [{ id: a, api_keys: ['${H1.replace('N=16384', 'N=1000')}'] }] }\n`,
      'herald.tenants[0].api_keys[0]: must be a secret hash',
    ],
    [
      'user role',
      `${BASE}\nherald: { tenants: [{ id: a, users: [{ username: u, password_hash: h, role: root }] }] }\n`,
      'herald.tenants[0].users[0].role: must be "admin" or "viewer"',
    ],
    [
      'unknown tenant key',
      `${BASE}\nherald: { tenants: [{ id: a, apikeys: [k] }] }\n`,
      'herald.tenants[0].apikeys: unknown field (did you mean "api_keys"?)',
    ],
    [
      'duplicate receiver',
      `route: { receiver: a }\nreceivers: [{ name: a }, { name: b }, { name: a }]\n`,
      'receivers[2].name: duplicate receiver name "a"',
    ],
    [
      'receiver without name',
      `route: { receiver: a }\nreceivers: [{ webhook_configs: [] }]\n`,
      'receivers[0].name: must be a non-empty string',
    ],
    [
      'webhook without url',
      `route: { receiver: a }\nreceivers: [{ name: a, webhook_configs: [{ send_resolved: true }] }]\n`,
      'receivers[0].webhook_configs[0]: one of url or url_file is required',
    ],
    [
      'slack without api_url',
      `route: { receiver: a }\nreceivers: [{ name: a, slack_configs: [{ channel: '#x' }] }]\n`,
      'receivers[0].slack_configs[0]: api_url or api_url_file is required',
    ],
    [
      'email without to',
      `global: { smtp_from: a@b, smtp_smarthost: 'h:25' }\nroute: { receiver: a }\nreceivers: [{ name: a, email_configs: [{ from: x@y }] }]\n`,
      'receivers[0].email_configs[0].to: must be a non-empty string',
    ],
    [
      'receiver typo',
      `route: { receiver: a }\nreceivers: [{ name: a, webhook_config: [] }]\n`,
      'receivers[0].webhook_config: unknown field',
    ],
    [
      'unknown receiver in a child route',
      `route: { receiver: ops, routes: [{ receiver: pager }] }\nreceivers: [{ name: ops }]\n`,
      'route.routes[0].receiver: unknown receiver "pager"',
    ],
    [
      'unknown root receiver',
      `route: { receiver: nobody }\nreceivers: [{ name: ops }]\n`,
      'route.receiver: unknown receiver "nobody"',
    ],
    ['route without receivers', `route: { receiver: ops }\n`, 'route.receiver: unknown receiver "ops"'],
    ['receivers without route', `receivers: [{ name: ops }]\n`, 'route: required'],
    [
      'route field typo (domain)',
      `route: { receiver: ops, routes: [{ recevier: ops }] }\nreceivers: [{ name: ops }]\n`,
      'route.routes[0].recevier: unknown field',
    ],
    [
      'unknown time interval',
      `${BASE.replace('receiver: ops', 'receiver: ops\n  routes: [{ mute_time_intervals: [nights] }]')}`,
      'route.routes[0].mute_time_intervals[0]: unknown time interval "nights"',
    ],
    [
      'duplicate time interval across both sections',
      `${BASE}\ntime_intervals: [{ name: x }]\nmute_time_intervals: [{ name: x }]\n`,
      'mute_time_intervals[0].name: duplicate time interval name "x"',
    ],
    [
      'bad time',
      `${BASE}\ntime_intervals: [{ name: x, time_intervals: [{ times: [{ start_time: '25:00', end_time: '26:00' }] }] }]\n`,
      'time_intervals[0].time_intervals[0].times[0].start_time: must be a time "HH:MM"',
    ],
    [
      'time range backwards',
      `${BASE}\ntime_intervals: [{ name: x, time_intervals: [{ times: [{ start_time: '18:00', end_time: '09:00' }] }] }]\n`,
      'time_intervals[0].time_intervals[0].times[0]: start_time must be before end_time',
    ],
    [
      'bad weekday',
      `${BASE}\ntime_intervals: [{ name: x, time_intervals: [{ weekdays: ['monday:fryday'] }] }]\n`,
      'time_intervals[0].time_intervals[0].weekdays[0]: invalid weekday "fryday"',
    ],
    [
      'weekday range backwards',
      `${BASE}\ntime_intervals: [{ name: x, time_intervals: [{ weekdays: ['friday:monday'] }] }]\n`,
      'time_intervals[0].time_intervals[0].weekdays[0]: start of range "friday:monday" is after its end',
    ],
    [
      'day zero',
      `${BASE}\ntime_intervals: [{ name: x, time_intervals: [{ days_of_month: ['0:5'] }] }]\n`,
      'time_intervals[0].time_intervals[0].days_of_month[0]: invalid day of month "0"',
    ],
    [
      'bad month',
      `${BASE}\ntime_intervals: [{ name: x, time_intervals: [{ months: ['13'] }] }]\n`,
      'time_intervals[0].time_intervals[0].months[0]: invalid month "13"',
    ],
    [
      'years backwards',
      `${BASE}\ntime_intervals: [{ name: x, time_intervals: [{ years: ['2022:2020'] }] }]\n`,
      'time_intervals[0].time_intervals[0].years[0]: start of range "2022:2020" is after its end',
    ],
    [
      'bad location',
      `${BASE}\nmute_time_intervals: [{ name: x, time_intervals: [{ location: 'Mars/Olympus' }] }]\n`,
      'mute_time_intervals[0].time_intervals[0].location: unknown time zone "Mars/Olympus"',
    ],
    [
      'bad inhibit matcher',
      `${BASE}\ninhibit_rules: [{ source_matchers: ['severity=~"("'] }]\n`,
      'inhibit_rules[0].source_matchers[0]: invalid matcher',
    ],
    [
      'bad legacy inhibit regex',
      `${BASE}\ninhibit_rules: [{ target_match_re: { severity: '(' } }]\n`,
      'inhibit_rules[0].target_match_re.severity: invalid regex "("',
    ],
    [
      'bad equal label (classic label names)',
      `${BASE}\nherald: { label_names: classic }\ninhibit_rules: [{ equal: ['not-a-label'] }]\n`,
      'inhibit_rules[0].equal[0]: invalid label name "not-a-label": herald.label_names is classic',
    ],
    [
      'UTF-8 group_by name with classic label names',
      `${BASE.replace('receiver: ops', 'receiver: ops\n  group_by: [service.name]')}\nherald: { label_names: classic }\n`,
      'route.group_by[0]: invalid label name "service.name": herald.label_names is classic',
    ],
    [
      'quoted UTF-8 matcher name with classic label names',
      `${BASE}\nherald: { label_names: classic }\ninhibit_rules: [{ source_matchers: ['"service.name"="api"'] }]\n`,
      'inhibit_rules[0].source_matchers[0]: invalid matcher',
    ],
    [
      'bad resolve_timeout',
      `${BASE}\nglobal: { resolve_timeout: 5 minutes }\n`,
      'global.resolve_timeout: not a valid duration string',
    ],
    ['templates not a list', `${BASE}\ntemplates: '*.tmpl'\n`, 'templates: must be a list'],
    ['top level not a mapping', `- a\n- b\n`, '(top level): must be a mapping'],
  ];

  it.each(cases)('%s', (_name, yaml, expected) => {
    expect(loadError(yaml).message).toContain(expected);
  });
});

describe('loadConfig: receivers', () => {
  it('accepts slack without api_url when global.slack_api_url is set, and webhook url_file', () => {
    const cfg = load(`
global: { slack_api_url: 'https://hooks.slack.com/x' }
route: { receiver: a }
receivers:
  - name: a
    slack_configs: [{ channel: '#x' }]
    webhook_configs: [{ url_file: /run/secrets/hook }]
`);
    // Alertmanager's defaults applied: the global URL and the kind's send_resolved.
    expect(cfg.receivers[0].slackConfigs).toEqual([
      { channel: '#x', api_url: 'https://hooks.slack.com/x', send_resolved: false },
    ]);
    expect(cfg.receivers[0].webhookConfigs).toEqual([{ url_file: '/run/secrets/hook', send_resolved: true }]);
    expect(cfg.warnings).toEqual([]);
  });

  it('every Alertmanager receiver kind has a config check and a sender (none is refused as unsupported)', () => {
    // The start-up refusal of unsupported kinds (named, unless herald.allow_unsupported_receivers)
    // stays for kinds later Alertmanager releases add; today it has nothing left to refuse.
    const missing = Object.values(RECEIVER_KINDS)
      .filter((k) => !k.check || !INTEGRATIONS[k.kind])
      .map((k) => k.key);
    expect(missing).toEqual([]);
  });

  it('a *_configs kind Herald does not know stops start-up naming it (a page must not vanish)', () => {
    expect(() =>
      load(`${BASE}
  - name: x
    pager_configs: [{ a: 1 }]
`),
    ).toThrow(
      /receivers\[1\]\.pager_configs: receiver "x": Herald cannot deliver pager_configs \(not a receiver kind Herald knows: a newer Alertmanager's, or a typo\); .*herald\.allow_unsupported_receivers: true/,
    );
  });

  it('with herald.allow_unsupported_receivers an unknown kind is kept aside and warned about; known kinds load', () => {
    const cfg = load(`
route: { receiver: a }
receivers:
  - name: a
    jira_configs: [{ api_url: 'https://jira.example/rest/api/2', project: OPS, issue_type: Bug }]
    zendesk_configs: [{ url: 'https://x' }]
herald:
  allow_unsupported_receivers: true
`);
    expect(cfg.herald.allowUnsupportedReceivers).toBe(true);
    expect(cfg.receivers[0].unsupportedKinds).toEqual(['zendesk_configs']);
    expect(cfg.receivers[0].integrations.map((i) => i.key)).toEqual(['jira_configs']);
    expect(cfg.warnings).toEqual([
      'receivers[0] (a): zendesk_configs is not supported by Herald yet; its notifications are not sent (each is logged and counted as outcome="unsupported")',
    ]);
  });

  it('accepts braced multi-matcher lines in inhibit rules', () => {
    const cfg = load(
      `${BASE}\ninhibit_rules: [{ source_matchers: ['{a="1", b!="2"}'], target_matchers: [c=3] }]\n`,
    );
    expect(cfg.inhibitRules[0].sourceMatchers).toHaveLength(2);
    expect(cfg.inhibitRules[0].targetMatchers[0].value).toBe('3');
  });

  it('keeps an inhibit rule name (Alertmanager 0.30) and refuses an empty one', () => {
    const cfg = load(
      `${BASE}\ninhibit_rules: [{ name: crit-mutes-warn, source_matchers: [a=1], target_matchers: [b=2] }]\n`,
    );
    expect(cfg.inhibitRules[0].name).toBe('crit-mutes-warn');
    expect(() => load(`${BASE}\ninhibit_rules: [{ name: '', source_matchers: [a=1] }]\n`)).toThrow(
      'inhibit_rules[0].name',
    );
  });
});

describe('loadConfig: UTF-8 label names (herald.label_names)', () => {
  const YAML = `
route:
  receiver: ops
  group_by: [service.name, 名前]
  routes:
    - matchers: ['"service.name"="api"', '{名前=~"a|b"}']
      receiver: ops
inhibit_rules:
  - source_matchers: ['"service.name"="db"', severity="critical"]
    target_matchers: ['"service.name"=~"api|web"']
    equal: [cluster.id, 名前]
receivers:
  - name: ops
`;

  it('accepts UTF-8 names in group_by, route matchers, inhibit matchers and equal by default', () => {
    const cfg = load(YAML);
    expect(cfg.herald.labelNames).toBe('utf8');
    expect(cfg.routeTree.groupBy).toEqual(['service.name', '名前']);
    expect(cfg.routeTree.routes[0].key).toBe('{}/{service.name="api",名前=~"a|b"}');
    const [rule] = cfg.inhibitRules;
    expect(rule.sourceMatchers.map(String)).toEqual(['service.name="db"', 'severity="critical"']);
    expect(rule.targetMatchers.map(String)).toEqual(['service.name=~"api|web"']);
    expect(rule.equal).toEqual(['cluster.id', '名前']);
  });

  it.each([
    ['group_by', 'route: { receiver: ops, group_by: [service.name] }', 'route.group_by[0]'],
    [
      'a route matcher',
      `route: { receiver: ops, routes: [{ matchers: ['"service.name"="api"'] }] }`,
      'route.routes[0].matchers[0]',
    ],
    [
      'an inhibit matcher',
      `route: { receiver: ops }\ninhibit_rules: [{ target_matchers: ['名前="x"'] }]`,
      'inhibit_rules[0].target_matchers[0]',
    ],
    [
      'an equal name',
      'route: { receiver: ops }\ninhibit_rules: [{ equal: [cluster.id] }]',
      'inhibit_rules[0].equal[0]',
    ],
  ])('classic names refuse a UTF-8 name in %s, naming the field', (_what, yaml, path) => {
    const text = `${yaml}\nreceivers: [{ name: ops }]\nherald: { label_names: classic }\n`;
    expect(loadError(text).path).toBe(path);
    expect(() => load(text.replace('label_names: classic', 'label_names: utf8'))).not.toThrow();
  });

  it('keeps the legacy *_match keys classic in both modes, as Alertmanager does', () => {
    const e = loadError(`${BASE}\ninhibit_rules: [{ source_match: { service.name: api } }]\n`);
    expect(e.path).toBe('inhibit_rules[0].source_match.service.name');
  });
});

describe('loadConfig: herald.delivery.shards', () => {
  const shards = (v: string) =>
    load(`${BASE}\nherald:\n  delivery:\n    shards: ${v}\n`).herald.delivery.shards;

  it('is auto (undefined) when absent, else the count given', () => {
    expect(load(BASE).herald.delivery.shards).toBeUndefined();
    expect(shards('~')).toBeUndefined();
    expect(shards('1')).toBe(1);
    expect(shards('64')).toBe(64);
  });

  it.each([
    ['0', 'must be a positive integer, got 0'],
    ['-2', 'must be a positive integer, got -2'],
    ['1.5', 'must be a positive integer, got 1.5'],
    ["'3'", 'must be a positive integer, got "3"'],
    ['65', 'must be at most 64, got 65'],
  ])('refuses %s naming the field', (v, msg) => {
    const e = loadError(`${BASE}\nherald:\n  delivery:\n    shards: ${v}\n`);
    expect(e.message).toContain(`herald.delivery.shards: ${msg}`);
  });
});
