import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from './args';
import { CHECK_CONFIG_FLAGS, checkConfigCommand } from './check-config';

const BASE = 'route:\n  receiver: ops\nreceivers:\n  - name: ops\n';

describe('heraldctl check-config: a Redis the file leaves to the environment', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'herald-check-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const check = (text: string, ...flags: string[]) => {
    const file = join(dir, `c${Math.random().toString(36).slice(2)}.yml`);
    writeFileSync(file, text);
    const out: string[] = [];
    const err: string[] = [];
    const code = checkConfigCommand(parseArgs([file, ...flags], CHECK_CONFIG_FLAGS), {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      env: { REDIS_URL: 'redis://never-read:6379' },
    });
    return { code, out: out.join('\n'), err: err.join('\n'), file };
  };

  it('workers_without_redis_in_the_file_pass_with_a_warning_not_a_false_failure', () => {
    const r = check(`${BASE}herald:\n  workers: 2\n`);
    expect(r.code).toBe(0);
    expect(r.out).toContain('SUCCESS');
    expect(r.out).toContain('redis from the environment (REDIS_URL or REDIS_CLUSTER_NODES)');
    expect(r.out).toContain(
      `warning: ${r.file}:6:3: herald.workers: 2 processes need Redis (memory mode keeps the queue in one process)`,
    );
    expect(r.out).toContain(
      '(the file sets no Redis: the node starts only with REDIS_URL or REDIS_CLUSTER_NODES)',
    );
  });

  it('split roles and quorum locks are judged the same way', () => {
    const roles = check(`${BASE}herald:\n  roles: [api]\n`);
    expect(roles.code).toBe(0);
    expect(roles.out).toContain(
      `warning: ${roles.file}:6:3: herald.roles: without Redis (memory mode) a node must run every role`,
    );
    const quorum = check(
      `${BASE}herald:\n  locks:\n    mode: quorum\n    quorum:\n      nodes: [redis://a:6379, redis://b:6379, redis://c:6379]\n`,
    );
    expect(quorum.code).toBe(0);
    expect(quorum.out).toMatch(/warning: .*herald\.locks\.mode: quorum locks need Redis/);
  });

  it('other errors still fail the file; the Redis one is a note beside them', () => {
    const r = check(`${BASE}herald:\n  workers: 2\n  port: 0\n`);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAILED: 1 error');
    expect(r.out).toContain('herald.port: must be an integer port 1..65535, got 0');
    expect(r.out).toContain('note: ');
    expect(r.out).toContain('herald.workers: 2 processes need Redis');
  });

  it('a file that names its Redis is judged as before, and a wrong role count for it still fails', () => {
    const ok = check(`${BASE}herald:\n  workers: 2\n  redis:\n    url: redis://r:6379\n`);
    expect(ok.code).toBe(0);
    expect(ok.out).toContain('redis single');
    expect(ok.out).not.toContain('warning: herald.workers');
    const noDelivery = check(
      `${BASE}herald:\n  workers: 2\n  roles: [api, scheduler]\n  redis:\n    url: redis://r:6379\n`,
    );
    expect(noDelivery.code).toBe(1);
    expect(noDelivery.out).toContain('have no delivery');
  });

  it("--json lists what needs the environment's Redis", () => {
    const r = check(`${BASE}herald:\n  workers: 3\n`, '--json');
    expect(r.code).toBe(0);
    const [res] = JSON.parse(r.out) as { valid: boolean; needsRedisFromEnvironment: { path: string }[] }[];
    expect(res.valid).toBe(true);
    expect(res.needsRedisFromEnvironment.map((p) => p.path)).toEqual(['herald.workers']);
  });
});
