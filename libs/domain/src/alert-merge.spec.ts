import type { Alert } from './alert';
import { mergeAlert } from './alert-merge';

const base: Alert = {
  fingerprint: 'f',
  labels: { a: '1' },
  annotations: {},
  startsAt: 1000,
  endsAt: 5000,
  updatedAt: 1000,
  timeout: false,
  generatorURL: '',
};

describe('mergeAlert (Alertmanager merge rules)', () => {
  it('returns the incoming alert when nothing is stored', () => {
    expect(mergeAlert(undefined, base, 2000)).toBe(base);
  });
  it('keeps the earliest startsAt and the younger content on overlap', () => {
    const inc = { ...base, startsAt: 2000, endsAt: 6000, updatedAt: 2000, annotations: { s: 'new' } };
    const m = mergeAlert(base, inc, 2500);
    expect(m.startsAt).toBe(1000);
    expect(m.endsAt).toBe(6000);
    expect(m.annotations).toEqual({ s: 'new' });
  });
  it('an explicit later endsAt beats a timeout-derived one', () => {
    const inc = { ...base, startsAt: 2000, endsAt: 4000, updatedAt: 2000, timeout: true };
    expect(mergeAlert(base, inc, 2500).endsAt).toBe(5000);
  });
  it('a timeout-derived stored endsAt does not extend an explicit incoming one', () => {
    const stored = { ...base, timeout: true };
    const inc = { ...base, startsAt: 2000, endsAt: 4000, updatedAt: 2000 };
    expect(mergeAlert(stored, inc, 2500).endsAt).toBe(4000);
  });
  it('when both are resolved the latest resolve time wins', () => {
    const stored = { ...base, endsAt: 3000 };
    const inc = { ...base, startsAt: 1500, endsAt: 2500, updatedAt: 4000 };
    expect(mergeAlert(stored, inc, 4000).endsAt).toBe(3000);
  });
  it('replaces without merging when the ranges do not overlap (a new firing after resolution)', () => {
    const stored = { ...base, endsAt: 2000 };
    const inc = { ...base, startsAt: 3000, endsAt: 9000, updatedAt: 3000 };
    expect(mergeAlert(stored, inc, 3000)).toBe(inc);
  });
  it('an older incoming update does not overwrite younger content', () => {
    const stored = { ...base, updatedAt: 5000, annotations: { s: 'young' } };
    const inc = { ...base, startsAt: 1500, endsAt: 4500, updatedAt: 2000, annotations: { s: 'old' } };
    expect(mergeAlert(stored, inc, 2500).annotations).toEqual({ s: 'young' });
  });
});
