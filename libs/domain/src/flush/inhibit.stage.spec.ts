import { alert, ctx, NOW } from '../../../../test/fixtures/flush-fixtures';
import { InhibitStage } from './inhibit.stage';

describe('InhibitStage', () => {
  const alerts = { firing: [alert('a'), alert('b')], resolved: [alert('c', NOW - 1)] };

  it('passes everything without an inhibitor', async () => {
    await expect(new InhibitStage().apply(ctx(), alerts)).resolves.toEqual(alerts);
  });

  it('drops the alerts its port says are inhibited, firing or resolved, sync or async', async () => {
    const out = await new InhibitStage({ isInhibited: (a) => Promise.resolve(a.fingerprint !== 'b') }).apply(
      ctx(),
      alerts,
    );
    expect(out).toEqual({ firing: [alerts.firing[1]], resolved: [] });
  });

  it('asks with the flush context (one now for every alert)', async () => {
    const nows = new Set<number>();
    await new InhibitStage({ isInhibited: (_a, c) => (nows.add(c.now), false) }).apply(ctx(), alerts);
    expect([...nows]).toEqual([NOW]);
  });
});
