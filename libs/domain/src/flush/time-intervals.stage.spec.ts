import { alert, ctx } from '../../../../test/fixtures/flush-fixtures';
import { TimeActiveStage, TimeMuteStage } from './time-intervals.stage';

describe('time interval stages', () => {
  const alerts = { firing: [alert('a')], resolved: [] };
  const intervals = (active: boolean, muted: boolean) => ({ isActive: () => active, isMuted: () => muted });

  it('TimeActiveStage sends nothing outside the active intervals, everything inside', () => {
    expect(new TimeActiveStage().apply(ctx(), alerts)).toEqual(alerts);
    expect(new TimeActiveStage(intervals(true, true)).apply(ctx(), alerts)).toEqual(alerts);
    expect(new TimeActiveStage(intervals(false, false)).apply(ctx(), alerts)).toEqual({
      firing: [],
      resolved: [],
    });
  });

  it('TimeMuteStage sends nothing inside a mute interval', () => {
    expect(new TimeMuteStage().apply(ctx(), alerts)).toEqual(alerts);
    expect(new TimeMuteStage(intervals(false, false)).apply(ctx(), alerts)).toEqual(alerts);
    expect(new TimeMuteStage(intervals(true, true)).apply(ctx(), alerts)).toEqual({
      firing: [],
      resolved: [],
    });
  });
});
