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
      muted: (all) => Promise.resolve(new Set(all.map((a) => a.fingerprint).filter((f) => f !== 'b'))),
    }).apply(ctx(), alerts);
    expect(inhibited).toEqual({ firing: [alerts.firing[1]], resolved: [] });
    const silenced = await new MuteStage('silence', {
      muted: (all) => new Set(all.map((a) => a.fingerprint).filter((f) => f !== 'a')),
    }).apply(ctx(), alerts);
    expect(silenced).toEqual({ firing: [alerts.firing[0]], resolved: [] });
  });

  it('asks once per flush, for every alert of both halves, with the flush context', async () => {
    const asked: { fps: string[]; now: number }[] = [];
    await new MuteStage('inhibit', {
      muted: (all, c) => (asked.push({ fps: all.map((a) => a.fingerprint), now: c.now }), new Set()),
    }).apply(ctx(), alerts);
    expect(asked).toEqual([{ fps: ['a', 'b', 'c'], now: NOW }]);
  });
});
