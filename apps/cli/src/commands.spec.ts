import { verifySecret } from '@herald/sessions';
import { parseArgs, UsageError } from './args';
import { loadConfig } from '@herald/config';
import { redisTarget, redisUrl, run, targetOf, type CliIo } from './commands';
import { targetOptions } from './inspect';

function io(stdin = ''): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    readStdin: () => Promise.resolve(stdin),
  };
}

describe('heraldctl', () => {
  it('hash-secret prints a self-describing scrypt hash that verifies the secret', async () => {
    const o = io();
    expect(await run(['hash-secret', 's3cret-key'], o)).toBe(0);
    expect(o.lines).toHaveLength(1);
    expect(o.lines[0]).toMatch(/^scrypt\$N=16384,r=8,p=1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(o.lines[0]).not.toContain('s3cret-key');
    expect(await verifySecret('s3cret-key', o.lines[0])).toBe(true);
    expect(await verifySecret('s3cret-kez', o.lines[0])).toBe(false);
  });

  it('hash-secret - reads the secret from standard input', async () => {
    const o = io('from-stdin\n');
    expect(await run(['hash-secret', '-'], o)).toBe(0);
    expect(await verifySecret('from-stdin', o.lines[0])).toBe(true);
  });

  it('rejects a missing secret and unknown commands with exit code 2', async () => {
    expect(await run(['hash-secret'], io())).toBe(2);
    const o = io();
    expect(await run(['frobnicate'], o)).toBe(2);
    expect(o.errors[0]).toContain('unknown command');
  });
});

describe('heraldctl Redis target', () => {
  const args = (argv: string[]) =>
    parseArgs(argv, {
      url: 'string',
      host: 'string',
      port: 'string',
      db: 'string',
      password: 'string',
      username: 'string',
      'redis-cluster': 'string',
      'due-buckets': 'string',
    });

  it('--redis-cluster names a cluster by seed nodes, with its credentials', () => {
    expect(redisTarget(args(['--redis-cluster', '10.0.0.1:7000, [::1]:7001', '--password', 'pw']))).toEqual({
      cluster: { nodes: ['10.0.0.1:7000', '[::1]:7001'], password: 'pw' },
    });
  });

  it('REDIS_CLUSTER_NODES applies when no URL flag is given; a URL flag wins over it', () => {
    const env = { REDIS_CLUSTER_NODES: 'a:1,b:2' };
    expect(redisTarget(args([]), env)).toEqual({ cluster: { nodes: ['a:1', 'b:2'] } });
    expect(redisTarget(args(['--port', '6380']), env)).toEqual({ url: 'redis://127.0.0.1:6380/0' });
    expect(redisTarget(args([]), {})).toEqual({ url: 'redis://127.0.0.1:6379/0' });
  });

  it('refuses a cluster with URL flags, bad nodes, and --due-buckets without a cluster', () => {
    expect(() => redisTarget(args(['--redis-cluster', 'a:1', '--url', 'redis://x']))).toThrow(UsageError);
    expect(() => redisTarget(args(['--redis-cluster', 'a:1', '--host', 'h']))).toThrow(/--host/);
    expect(() => redisTarget(args(['--redis-cluster', 'a']))).toThrow(/not host:port/);
    expect(() => redisTarget(args(['--redis-cluster', ' , ']))).toThrow(/at least one/);
    expect(() => redisTarget(args([]), { REDIS_CLUSTER_NODES: 'x:0' })).toThrow(/REDIS_CLUSTER_NODES/);
    expect(() => redisTarget(args(['--due-buckets', '20']))).toThrow(/--due-buckets/);
  });

  it('--username goes into the URL built from parts', () => {
    expect(redisUrl(args(['--username', 'ops', '--password', 'p w']))).toBe(
      'redis://ops:p%20w@127.0.0.1:6379/0',
    );
  });
});

describe('heraldctl connects as the config says', () => {
  it("a Cluster config's TLS reaches the client options, with its credentials", () => {
    const cfg = loadConfig({
      env: {},
      fileText: `herald:
  redis:
    cluster:
      nodes: ['10.0.0.1:7000', '10.0.0.2:7000']
      username: ops
      password: pw
      tls: { server_name: redis.internal, insecure_skip_verify: true }
`,
    });
    const target = targetOf(cfg.herald.redis)!;
    expect(target).toEqual({
      cluster: {
        nodes: ['10.0.0.1:7000', '10.0.0.2:7000'],
        username: 'ops',
        password: 'pw',
        tls: { serverName: 'redis.internal', insecureSkipVerify: true },
      },
    });
    expect(targetOptions(target).cluster?.tls).toEqual({
      serverName: 'redis.internal',
      insecureSkipVerify: true,
    });
  });
});
