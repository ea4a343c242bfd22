import type { Matcher } from '../matchers';
import { silenceMatchType } from './silence-match';
import { silenceState } from './silence-state';
import type { Silence, SilenceState } from './silence.store';

const STATE_ORDER: Record<SilenceState, number> = { active: 1, pending: 2, expired: 3 };

/**
 * Alertmanager's api/v2 `SortSilences`: active first (the next to end first), then pending (the next
 * to start first), then expired (the most recently ended first). Alertmanager's sort is unstable, so
 * its order among equal times is arbitrary; Herald orders those by id to answer the same every time.
 * Returns a new array.
 */
export function sortSilences<S extends Silence>(list: readonly S[], now: number): S[] {
  const keyed = list.map((s) => ({ s, state: silenceState(s, now) }));
  keyed.sort((a, b) => {
    if (a.state !== b.state) return STATE_ORDER[a.state] - STATE_ORDER[b.state];
    let d: number;
    switch (a.state) {
      case 'active':
        d = a.s.endsAt - b.s.endsAt;
        break;
      case 'pending':
        d = a.s.startsAt - b.s.startsAt;
        break;
      case 'expired':
        d = b.s.endsAt - a.s.endsAt;
        break;
    }
    if (d !== 0) return d;
    return a.s.id < b.s.id ? -1 : a.s.id > b.s.id ? 1 : 0;
  });
  return keyed.map((k) => k.s);
}

/**
 * Alertmanager's `CheckSilenceMatchesFilterLabels` (`GET /api/v2/silences?filter=`): every filter
 * matcher must equal one of the silence's matchers — same name, same operator, same value as text. The
 * filter is not evaluated against anything: `alertname=~"Foo.*"` finds silences carrying exactly that
 * regex matcher, not silences whose `=` value it would match, and `a!="x"` finds only `a!="x"`.
 */
export function silenceMatchesFilter(s: Silence, filter: readonly Matcher[]): boolean {
  for (const f of filter) {
    let found = false;
    for (const m of s.matchers) {
      if (m.name === f.name && m.value === f.value && silenceMatchType(m) === f.type) {
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}
