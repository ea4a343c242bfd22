// The `herald:` subsections, each read through loadConfig as a deployment writes them.
import { ConfigError } from '@herald/domain';
import { cidr } from './http-settings';
import { loadConfig } from './load-config';

const BASE = 'route: { receiver: d }\nreceivers: [{ name: d }]\n';
const REDIS = '  redis: { url: redis://redis:6379 }\n';
const HASH = `scrypt$N=16384,r=8,p=1$${Buffer.alloc(16, 1).toString('base64')}$${Buffer.alloc(32, 1).toString('base64')}`;

/** The `herald` settings of a file whose `herald:` body is `herald`. */
const load = (herald: string, env: Record<string, string> = {}) =>
  loadConfig({ env, fileText: `${BASE}herald:\n${herald}`, hostname: 'h' }).herald;

/** The message of the ConfigError that `load(herald, env)` throws. */
const error = (herald: string, env: Record<string, string> = {}): string => {
  try {
    load(herald, env);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('herald.http.trusted_proxies', () => {
  it('defaults to loopback only', () => {
    expect(load('  log_level: info\n').http.trustedProxies).toEqual(['127.0.0.0/8', '::1/128']);
  });

  it('takes addresses and CIDRs, written out with their prefix', () => {
    const h = load('  http:\n    trusted_proxies: [10.0.0.0/8, 192.0.2.7, "fd00::/8", "::1"]\n');
    expect(h.http.trustedProxies).toEqual(['10.0.0.0/8', '192.0.2.7/32', 'fd00::/8', '::1/128']);
  });

  it('an empty list trusts nobody', () => {
    expect(load('  http: { trusted_proxies: [] }\n').http.trustedProxies).toEqual([]);
  });

  it.each([
    ['[10.0.0.0/33]', 'herald.http.trusted_proxies[0]: must be an IP address or CIDR'],
    ['[127.0.0.1, nginx]', 'herald.http.trusted_proxies[1]: must be an IP address or CIDR'],
    ['["fd00::/129"]', 'prefix must be 0..128'],
    ['[10.0.0.0/x]', 'prefix must be 0..32'],
    ['10.0.0.0/8', 'herald.http.trusted_proxies: must be a list'],
  ])('rejects trusted_proxies %s naming the field', (v, msg) => {
    expect(error(`  http:\n    trusted_proxies: ${v}\n`)).toContain(msg);
  });

  it('rejects unknown keys under herald.http', () => {
    expect(error('  http: { trust_proxy: true }\n')).toContain('herald.http.trust_proxy: unknown field');
  });

  it('HERALD_TRUSTED_PROXIES replaces the file (comma-separated; none = nobody)', () => {
    const file = '  http: { trusted_proxies: [10.0.0.0/8] }\n';
    expect(load(file, { HERALD_TRUSTED_PROXIES: '172.29.93.10, ::1' }).http.trustedProxies).toEqual([
      '172.29.93.10/32',
      '::1/128',
    ]);
    expect(load(file, { HERALD_TRUSTED_PROXIES: 'none' }).http.trustedProxies).toEqual([]);
    expect(error(file, { HERALD_TRUSTED_PROXIES: '10.0.0.1,bad' })).toContain('HERALD_TRUSTED_PROXIES[1]');
  });

  it('cidr() keeps IPv4-mapped IPv6 ranges as written', () => {
    expect(cidr('::ffff:10.0.0.0/104', 'x')).toBe('::ffff:10.0.0.0/104');
  });
});

describe('herald.tenants[].limits', () => {
  const limitsOf = (limits: string) =>
    load(`  tenants:\n    - id: acme\n      api_keys: ['${HASH}']\n      limits: ${limits}\n`).tenants[0]
      .limits;
  const errorOf = (limits: string) =>
    error(`  tenants:\n    - id: acme\n      api_keys: ['${HASH}']\n      limits: ${limits}\n`);

  it('keeps the existing keys and adds ingest_burst', () => {
    expect(limitsOf('{ max_alerts: 100, max_groups: 10, ingest_rate: 5, ingest_burst: 20 }')).toMatchObject({
      maxAlerts: 100,
      maxGroups: 10,
      ingestRate: 5,
      ingestBurst: 20,
    });
  });

  it("accepts Mimir's names for the same limits and names them in messages", () => {
    const l = limitsOf(
      '{ alertmanager_max_alerts_count: 100, alertmanager_max_dispatcher_aggregation_groups: 10, ingestion_rate: 5, ingestion_burst_size: 20 }',
    );
    expect(l).toMatchObject({ maxAlerts: 100, maxGroups: 10, ingestRate: 5, ingestBurst: 20 });
    expect(l.paths.ingestRate).toBe('herald.tenants[0].limits.ingestion_rate');
    expect(l.paths.maxAlerts).toBe('herald.tenants[0].limits.alertmanager_max_alerts_count');
  });

  it('defaults the burst to a minute of the rate (Prometheus re-sends every alert each minute)', () => {
    expect(limitsOf('{ ingest_rate: 5 }').ingestBurst).toBe(300);
    expect(limitsOf('{ ingest_rate: 0.001 }').ingestBurst).toBe(1);
    expect(limitsOf('{ max_alerts: 5 }').ingestBurst).toBeUndefined();
  });

  it('refuses a limit given under both names, a burst without a rate, and bad values, naming the field', () => {
    expect(errorOf('{ max_alerts: 1, alertmanager_max_alerts_count: 2 }')).toContain(
      'herald.tenants[0].limits.alertmanager_max_alerts_count: is the same limit as max_alerts',
    );
    expect(errorOf('{ ingest_burst: 10 }')).toContain(
      'herald.tenants[0].limits.ingest_burst: needs ingest_rate',
    );
    expect(errorOf('{ ingestion_rate: -1 }')).toContain(
      'herald.tenants[0].limits.ingestion_rate: must be a positive number (alerts/s)',
    );
    expect(errorOf('{ max_groups: 1.5 }')).toContain(
      'herald.tenants[0].limits.max_groups: must be a positive integer',
    );
    expect(errorOf('{ max_alert: 1 }')).toContain('herald.tenants[0].limits.max_alert: unknown field');
  });
});

describe('herald.delivery', () => {
  it('parses per-receiver rate limits with a * default', () => {
    const h = load(
      `  delivery:\n    rate_limits:\n      pager: { max: 10, per: 1m }\n      '*': { max: 100 }\n`,
    );
    expect(h.delivery.rateLimits).toEqual({
      pager: { max: 10, per: 60_000 },
      '*': { max: 100, per: 60_000 },
    });
  });

  it.each([
    [`    rate_limits:\n      pager: { per: 1m }\n`, 'herald.delivery.rate_limits.pager.max'],
    [`    rate_limits:\n      pager: { max: 0 }\n`, 'herald.delivery.rate_limits.pager.max'],
    [`    rate_limits:\n      pager: { max: 5, per: 0s }\n`, 'herald.delivery.rate_limits.pager.per'],
    [`    rate_limits:\n      pager: { max: 5, burst: 2 }\n`, 'herald.delivery.rate_limits.pager'],
    [`    stalled_timeout: soon\n`, 'herald.delivery.stalled_timeout'],
    [`    attempts: -1\n`, 'herald.delivery.attempts'],
  ])('rejects %j naming %s', (yaml, path) => {
    expect(error(`  delivery:\n${yaml}`)).toContain(path);
  });
});

describe('herald.roles', () => {
  const rolesOf = (herald: string, env: Record<string, string> = {}) => [...load(herald, env).roles].sort();

  it('defaults to every role', () => {
    expect(rolesOf('  log_level: info\n')).toEqual(['api', 'delivery', 'scheduler']);
  });

  it.each([
    ['a list', '  roles: [scheduler, delivery]\n', ['delivery', 'scheduler']],
    ['a comma-separated string', '  roles: "api, scheduler"\n', ['api', 'scheduler']],
    ['duplicates, ignored', '  roles: [api, api, API]\n', ['api']],
  ])('takes %s', (_name, yaml, roles) => {
    expect(rolesOf(`${REDIS}${yaml}`)).toEqual(roles);
  });

  it('HERALD_ROLES wins over the file (and the file is still checked)', () => {
    expect(rolesOf(`${REDIS}  roles: [api]\n`, { HERALD_ROLES: 'scheduler,delivery' })).toEqual([
      'delivery',
      'scheduler',
    ]);
    expect(rolesOf(`${REDIS}  roles: [api]\n`, { HERALD_ROLES: ' ' })).toEqual(['api']);
    expect(error(`${REDIS}  roles: [apx]\n`, { HERALD_ROLES: 'api' })).toContain('herald.roles[0]');
  });

  it.each([
    ['  roles: [api, x]\n', {}, 'herald.roles[1]: unknown role "x" (api, scheduler, delivery)'],
    ['  roles: []\n', {}, 'herald.roles: must name at least one role (api, scheduler, delivery)'],
    ["  roles: ''\n", {}, 'herald.roles: must name at least one role'],
    ['  roles: [api, 3]\n', {}, 'herald.roles[1]: must be a non-empty string'],
    ['', { HERALD_ROLES: 'api,ingest' }, 'HERALD_ROLES[1]: unknown role "ingest" (api, scheduler, delivery)'],
    ['', { HERALD_ROLES: ',' }, 'HERALD_ROLES: must name at least one role'],
  ])('rejects %j %j naming the field', (yaml, env, message) => {
    expect(error(`${REDIS}${yaml}`, env)).toContain(message);
  });

  it('without Redis a node must run every role (nothing else would flush or deliver its groups)', () => {
    expect(error('  roles: [api]\n')).toContain(
      'herald.roles: without Redis (memory mode) a node must run every role; missing scheduler, delivery',
    );
    expect(error('', { HERALD_ROLES: 'scheduler,delivery' })).toContain('HERALD_ROLES: without Redis');
    expect(rolesOf('  roles: [delivery, scheduler, api]\n')).toEqual(['api', 'delivery', 'scheduler']);
  });
});

describe('herald.workers', () => {
  const workersOf = (herald: string, env: Record<string, string> = {}) => load(herald, env).workers;

  it('defaults to one process; HERALD_WORKERS replaces the file', () => {
    expect(workersOf(REDIS)).toBe(1);
    expect(workersOf(`${REDIS}  workers: 3\n`)).toBe(3);
    expect(workersOf(`${REDIS}  workers: 3\n`, { HERALD_WORKERS: '2' })).toBe(2);
    expect(workersOf('  workers: 1\n')).toBe(1); // one process needs nothing more, memory mode included
  });

  it.each([
    ['  workers: 0\n', {}, 'herald.workers: must be a positive integer, got 0'],
    ['  workers: 1.5\n', {}, 'herald.workers: must be a positive integer, got 1.5'],
    ["  workers: '2'\n", {}, 'herald.workers: must be a positive integer, got "2"'],
    ['  workers: 65\n', {}, 'herald.workers: must be at most 64, got 65'],
    ['', { HERALD_WORKERS: '0' }, 'HERALD_WORKERS: must be an integer 1..64, got "0"'],
    ['', { HERALD_WORKERS: 'two' }, 'HERALD_WORKERS: must be an integer 1..64, got "two"'],
  ])('rejects %j %j naming the field', (yaml, env, message) => {
    expect(error(`${REDIS}${yaml}`, env)).toContain(message);
  });

  it('more than one process needs Redis and the delivery role (what the other processes run)', () => {
    expect(error('  workers: 2\n')).toContain('herald.workers: 2 processes need Redis (memory mode');
    expect(error('', { HERALD_WORKERS: '2' })).toContain('HERALD_WORKERS: 2 processes need Redis');
    expect(error(`${REDIS}  workers: 2\n  roles: [api, scheduler]\n`)).toContain(
      "herald.workers: 2 processes run the node's delivery role apart from api and scheduler; this node's roles (api, scheduler) have no delivery",
    );
    expect(workersOf(`${REDIS}  workers: 4\n  roles: [delivery]\n`)).toBe(4);
  });
});

describe('herald.locks', () => {
  const NODES = "['redis://l1:6379', 'redis://l2:6379', 'rediss://:pw@l3:6380']";

  it('defaults to the one Redis of herald.redis', () => {
    expect(load(REDIS).locks).toEqual({ mode: 'redis' });
    expect(load(`${REDIS}  locks: { mode: redis }\n`).locks).toEqual({ mode: 'redis' });
  });

  it('quorum mode takes the masters as redis:// URLs', () => {
    expect(load(`${REDIS}  locks:\n    mode: quorum\n    quorum: { nodes: ${NODES} }\n`).locks).toEqual({
      mode: 'quorum',
      quorum: { nodes: ['redis://l1:6379', 'redis://l2:6379', 'rediss://:pw@l3:6380'] },
    });
  });

  it.each([
    [`  locks: { mode: redlock }\n`, 'herald.locks.mode: must be "redis" or "quorum", got "redlock"'],
    [`  locks: { mode: quorum }\n`, 'herald.locks.quorum.nodes: needs at least 3 independent Redis masters'],
    [
      `  locks: { mode: quorum, quorum: { nodes: ['redis://a', 'redis://b'] } }\n`,
      'herald.locks.quorum.nodes: needs at least 3 independent Redis masters (redis:// URLs), got 2',
    ],
    [
      `  locks: { mode: quorum, quorum: { nodes: ['redis://a', 'b:6379', 'redis://c'] } }\n`,
      'herald.locks.quorum.nodes[1]: must be a redis:// or rediss:// URL',
    ],
    [
      `  locks: { mode: quorum, quorum: { nodes: ['redis://a', 'redis://b', 'redis://a'] } }\n`,
      'herald.locks.quorum.nodes[2]: same Redis master as herald.locks.quorum.nodes[0]',
    ],
    [`  locks: { quorum: { nodes: ${NODES} } }\n`, 'herald.locks.quorum: is only read with mode: quorum'],
    [`  locks: { mode: quorum, quorum: { node: [] } }\n`, 'herald.locks.quorum.node: unknown field'],
    [`  locks: { mdoe: quorum }\n`, 'herald.locks.mdoe: unknown field (did you mean "mode"?)'],
  ])('rejects %j naming the field', (yaml, message) => {
    expect(error(`${REDIS}${yaml}`)).toContain(message);
  });

  it('quorum locks need Redis (in memory mode nothing is shared to lock)', () => {
    expect(error(`  locks: { mode: quorum, quorum: { nodes: ${NODES} } }\n`)).toContain(
      'herald.locks.mode: quorum locks need Redis',
    );
    expect(
      load(`  locks: { mode: quorum, quorum: { nodes: ${NODES} } }\n`, { REDIS_URL: 'redis://r:6379' }).locks
        .mode,
    ).toBe('quorum');
  });
});
