import { alert, ctx, NOW } from '../../../../test/fixtures/flush-fixtures';
import { SilenceStage } from './silence.stage';

describe('SilenceStage', () => {
  const alerts = { firing: [alert('a'), alert('b')], resolved: [alert('c', NOW - 1)] };

  it('passes everything without a silencer', async () => {
    await expect(new SilenceStage().apply(ctx(), alerts)).resolves.toEqual(alerts);
  });

  it('drops silenced alerts of both halves', async () => {
    const out = await new SilenceStage({ isSilenced: (a) => a.fingerprint !== 'a' }).apply(ctx(), alerts);
    expect(out).toEqual({ firing: [alerts.firing[0]], resolved: [] });
  });
});
