import type { Silence, SilenceState } from './silence.store';

/**
 * A silence's state at `now`: pending before `startsAt`, expired from `endsAt` on, active in between.
 *
 * Alertmanager has two rules that differ only at the instant `now == endsAt`: the API's
 * `types.CalcSilenceState` says expired there, the silence package's `getState` (muting, updates,
 * expire) says active. With its nanosecond clock the instant never recurs; with Herald's milliseconds it
 * does — expiring sets `endsAt = now`, and a read in the same millisecond must already see it expired
 * (AM's own test expects `CalcSilenceState` to report an expired-while-pending silence as expired). So
 * Herald uses the API's rule everywhere: the state an API client sees is the state that mutes.
 */
export function silenceState(s: Pick<Silence, 'startsAt' | 'endsAt'>, now: number): SilenceState {
  if (now < s.startsAt) return 'pending';
  if (now < s.endsAt) return 'active';
  return 'expired';
}
