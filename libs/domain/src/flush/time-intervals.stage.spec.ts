import { alert, ctx } from '../../../../test/fixtures/flush-fixtures';
import { TimeActiveStage, TimeMuteStage } from './time-intervals.stage';

describe('time interval stages', () => {
  const alerts = { firing: [alert('a')], resolved: [] };
  const nothing = { firing: [], resolved: [] };
  const at = (active: boolean, muted: boolean) => ({ isActive: () => active, isMuted: () => muted });

  it.each([
    ['TimeActiveStage', 'no intervals', new TimeActiveStage(), alerts],
    ['TimeActiveStage', 'inside an active interval (muted too)', new TimeActiveStage(at(true, true)), alerts],
    ['TimeActiveStage', 'outside every active interval', new TimeActiveStage(at(false, false)), nothing],
    ['TimeMuteStage', 'no intervals', new TimeMuteStage(), alerts],
    [
      'TimeMuteStage',
      'outside the mute intervals (inactive too)',
      new TimeMuteStage(at(false, false)),
      alerts,
    ],
    ['TimeMuteStage', 'inside a mute interval', new TimeMuteStage(at(true, true)), nothing],
  ])('%s, %s', (_stage, _when, stage, expected) => {
    expect(stage.apply(ctx(), alerts)).toEqual(expected);
  });
});
