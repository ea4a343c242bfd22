import { verifySecret } from '@herald/sessions';
import { run, type CliIo } from './commands';

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
