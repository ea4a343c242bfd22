import { ApiKeyVerifier, VerifierBusyError } from './api-key.verifier';
import * as secretHash from './secret-hash';

const FAST = { N: 1024, r: 8, p: 1 };

describe('ApiKeyVerifier', () => {
  let tenants: { tenant: string; apiKeyHashes: string[]; apiKeyRoles?: ('ingest' | 'viewer' | 'admin')[] }[];
  beforeAll(async () => {
    tenants = [
      { tenant: 'a', apiKeyHashes: [await secretHash.hashSecret('key-a', FAST)] },
      {
        tenant: 'b',
        apiKeyHashes: [
          await secretHash.hashSecret('key-b1', FAST),
          await secretHash.hashSecret('key-b2', FAST),
        ],
        apiKeyRoles: ['viewer', 'admin'],
      },
    ];
  });

  it('resolves keys to their tenant and unknown keys to null', async () => {
    const v = new ApiKeyVerifier(tenants);
    expect(await v.resolve('key-a')).toEqual({ tenant: 'a', role: 'ingest' });
    expect(await v.resolve('key-b1')).toEqual({ tenant: 'b', role: 'viewer' });
    expect(await v.resolve('key-b2')).toEqual({ tenant: 'b', role: 'admin' });
    expect(await v.resolve('key-c')).toBeNull();
  });

  it('pays scrypt once per key: later requests and concurrent first requests hit the cache', async () => {
    const spy = jest.fn(secretHash.verifySecret);
    const v = new ApiKeyVerifier(tenants, { verify: spy });
    const first = await Promise.all(Array.from({ length: 10 }, () => v.resolve('key-a')));
    expect(first).toEqual(Array(10).fill({ tenant: 'a', role: 'ingest' }));
    const calls = spy.mock.calls.length;
    expect(calls).toBe(1);
    for (let i = 0; i < 100; i++) await v.resolve('key-a');
    await v.resolve('nope');
    const afterUnknown = spy.mock.calls.length;
    await v.resolve('nope');
    expect(spy.mock.calls.length).toBe(afterUnknown); // unknown keys are remembered too
  });

  it('refuses new keys when too many wait for verification', async () => {
    const v = new ApiKeyVerifier(tenants, { concurrency: 1, maxQueue: 2 });
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => v.resolve(`random-${i}`)));
    expect(
      results.filter((r) => r.status === 'rejected' && r.reason instanceof VerifierBusyError),
    ).toHaveLength(3);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3);
  });
});
