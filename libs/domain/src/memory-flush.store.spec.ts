import { FakeClock } from './clock';
import { flushStoreContract } from './flush-store.contract';
import { MemoryFlushStore } from './memory-flush.store';
import type { NflogEntry } from './nflog';

flushStoreContract('memory', (clock) => Promise.resolve(new MemoryFlushStore({ clock, dueBuckets: 4 })));
flushStoreContract('memory, one bucket', (clock) => Promise.resolve(new MemoryFlushStore({ clock })));

describe('MemoryFlushStore expiry', () => {
  const T0 = 1_800_000_000_000;
  const entry: NflogEntry = {
    tenant: 't',
    groupId: '0000000000000001',
    receiver: 'r',
    state: 'firing',
    firing: ['x'],
    resolved: [],
    timestamp: T0,
    seq: 3,
  };

  it('forgets a log entry after its TTL, so an older sequence is accepted again', async () => {
    const clock = new FakeClock(T0);
    const s = new MemoryFlushStore({ clock });
    await s.writeLog(entry, 1000);
    clock.advance(999);
    expect(await s.readLog(entry)).toEqual(entry);
    clock.advance(1);
    expect(await s.readLog(entry)).toBeNull();
    expect(await s.writeLog({ ...entry, seq: 1 }, 1000)).toEqual({ written: true });
  });

  it('forgets the fence with the group log', async () => {
    const clock = new FakeClock(T0);
    const s = new MemoryFlushStore({ clock });
    await s.writeLog(entry, 1000, 9);
    clock.advance(1000);
    expect(await s.writeLog({ ...entry, seq: 4 }, 1000, 2)).toEqual({ written: true });
  });
});
