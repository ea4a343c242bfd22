import { alert, ctx, NOW } from '../../../../test/fixtures/flush-fixtures';
import { MuteStage } from './mute.stage';

describe('MuteStage (inhibit, silence)', () => {
  const alerts = { firing: [alert('a'), alert('b')], resolved: [alert('c', NOW - 1)] };

  it('passes everything without a muter', async () => {
    await expect(new MuteStage('inhibit').apply(ctx(), alerts)).resolves.toEqual(alerts);
    await expect(new MuteStage('silence').apply(ctx(), alerts)).resolves.toEqual(alerts);
  });

  it('drops the alerts its muter mutes, firing or resolved, sync or async', async () => {
    const inhibited = await new MuteStage('inhibit', {
      mutes: (a) => Promise.resolve(a.fingerprint !== 'b'),
    }).apply(ctx(), alerts);
    expect(inhibited).toEqual({ firing: [alerts.firing[1]], resolved: [] });
    const silenced = await new MuteStage('silence', { mutes: (a) => a.fingerprint !== 'a' }).apply(
      ctx(),
      alerts,
    );
    expect(silenced).toEqual({ firing: [alerts.firing[0]], resolved: [] });
  });

  it('asks with the flush context (one now for every alert)', async () => {
    const nows = new Set<number>();
    await new MuteStage('inhibit', { mutes: (_a, c) => (nows.add(c.now), false) }).apply(ctx(), alerts);
    expect([...nows]).toEqual([NOW]);
  });
});
