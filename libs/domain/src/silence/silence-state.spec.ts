import { silenceState } from './silence-state';

const NOW = 1_800_000_000_000;

describe('silenceState', () => {
  it('pending before startsAt, active in [startsAt, endsAt), expired from endsAt on', () => {
    const s = { startsAt: NOW, endsAt: NOW + 1000 };
    expect(silenceState(s, NOW - 1)).toBe('pending');
    expect(silenceState(s, NOW)).toBe('active');
    expect(silenceState(s, NOW + 999)).toBe('active');
    expect(silenceState(s, NOW + 1000)).toBe('expired');
    expect(silenceState(s, NOW + 5000)).toBe('expired');
  });

  it('a silence expired at now (startsAt = endsAt = now, as expiring a pending one leaves it) is expired at once', () => {
    // Alertmanager's TestSilenceExpire: CalcSilenceState of the expired-while-pending silence is expired.
    expect(silenceState({ startsAt: NOW, endsAt: NOW }, NOW)).toBe('expired');
  });

  it("Alertmanager's TestQState: a silence starting in a minute is pending, neither active nor expired", () => {
    expect(silenceState({ startsAt: NOW + 60_000, endsAt: NOW + 3_600_000 }, NOW)).toBe('pending');
  });
});
