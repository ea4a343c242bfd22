import { testNotification } from '../../../test/harness/notifications';
import { storedNotification, type LegacyNotification } from './notification';

describe('storedNotification', () => {
  it('maps a job of the previous version (log fields and a payload copy in `meta`) to `log`', () => {
    const { log, ...rest } = testNotification({ seq: 4, state: 'recovery' });
    const cleanup = { remove: ['f1'], deleteGroup: true };
    const legacy: LegacyNotification = {
      ...rest,
      meta: { ...rest, reason: 'all alerts resolved', ...log, cleanup },
    };
    const n = storedNotification(legacy);
    expect(n).toEqual({ ...rest, log: { ...log, cleanup } });
    expect(n).not.toHaveProperty('meta');
    expect(JSON.stringify(n).split('"alerts"')).toHaveLength(2); // the payload once
  });

  it('returns a current notification as it is', () => {
    const n = testNotification();
    expect(storedNotification(n)).toBe(n);
  });
});
