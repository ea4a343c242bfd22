import { Test } from '@nestjs/testing';
import type { LockBackend } from './lock.backend';
import { LockManager } from './lock.manager';
import { LocksModule } from './locks.module';

describe('LocksModule', () => {
  it('provides a LockManager and releases held locks on application shutdown', async () => {
    const held = new Map<string, string>();
    const backend: LockBackend = {
      mode: 'single',
      tryAcquire: async (key, owner) => (held.has(key) ? null : (held.set(key, owner), 1)),
      extend: async (key, owner) => held.get(key) === owner,
      release: async (key, owner) => held.get(key) === owner && held.delete(key),
    };
    const mod = await Test.createTestingModule({
      imports: [LocksModule.forRootAsync({ useFactory: () => ({ backend, shutdownTimeoutMs: 10 }) })],
    }).compile();
    const locks = mod.get(LockManager);
    const lock = await locks.tryAcquire('h:t:lock:group:{g}', 1000);
    expect(held.size).toBe(1);
    await mod.close();
    expect(held.size).toBe(0);
    expect(lock!.signal.aborted).toBe(true);
  });
});
