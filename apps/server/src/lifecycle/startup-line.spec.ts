import { asFirstProcess } from './workers';
import { loadConfig } from '@herald/config';
import { startupLine } from './startup-line';

const BASE = `
route:
  receiver: ops
receivers:
  - name: ops
`;

const load = (extra: string, env: Record<string, string> = {}) =>
  loadConfig({ fileText: BASE + extra, env, hostname: 'box' });

describe('the one start-up line', () => {
  it('names the URL, memory mode, tenants and the dashboard', () => {
    const line = startupLine(load(''), { address: '0.0.0.0', family: 'IPv4', port: 9093 });
    expect(line).toBe(
      'Herald node box:9093 serving on http://127.0.0.1:9093 (listening on 0.0.0.0:9093): ' +
        'store memory (no Redis configured: one node, state lost on restart), 0 tenants, ' +
        'dashboard http://127.0.0.1:9093/ui, config <inline>',
    );
  });

  it('never shows the Redis password; names sentinel and cluster modes', () => {
    const redis = startupLine(load('', { REDIS_URL: 'redis://:s3cret@10.0.0.7:6380/2' }), {
      address: '127.0.0.1',
      family: 'IPv4',
      port: 9101,
    });
    expect(redis).toContain('serving on http://127.0.0.1:9101: store redis 10.0.0.7:6380,');
    expect(redis).not.toContain('s3cret');
    const sentinel = startupLine(
      load(`herald:\n  redis:\n    sentinel: { master_name: m1, sentinels: ['s1:26379', 's2:26379'] }\n`),
      { address: '127.0.0.1', family: 'IPv4', port: 1 },
    );
    expect(sentinel).toContain('store sentinel (master m1, 2 sentinel(s))');
    const cluster = startupLine(load('', { REDIS_CLUSTER_NODES: 'a:7000,b:7001,c:7002' }), {
      address: '::1',
      family: 'IPv6',
      port: 2,
    });
    expect(cluster).toContain('serving on http://[::1]:2: store cluster (3 seed node(s))');
  });

  it('counts tenants; no dashboard on a node without the api role', () => {
    const line = startupLine(
      load(`herald:\n  tenants:\n    - id: team-a\n    - id: team-b\n`, {
        REDIS_URL: 'redis://r:6379',
        HERALD_ROLES: 'scheduler,delivery',
      }),
      { address: '127.0.0.1', family: 'IPv4', port: 3 },
    );
    expect(line).toContain(', 2 tenants, roles scheduler,delivery,');
    expect(line).not.toContain('dashboard');
  });

  it('names the processes of a node with herald.workers (the first process keeps api and scheduler)', () => {
    const line = startupLine(
      asFirstProcess(load(`herald:\n  workers: 3\n`, { REDIS_URL: 'redis://r:6379' })),
      { address: '127.0.0.1', family: 'IPv4', port: 3 },
    );
    expect(line).toContain(', roles api,scheduler, 3 processes (delivery in 2 of them),');
  });
});
