import {
  DEFAULT_SILENCE_LIMITS,
  SilenceValidationError,
  isValidSilenceLabelName,
  silenceSizeBytes,
  validateSilence,
  type SilenceInput,
  type SilenceLimits,
} from './silence-validation';
import type { SilenceMatcherSpec } from './silence.store';

const NOW = 1_800_000_000_000;
const HOUR = 3_600_000;
const eq = (name: string, value: string): SilenceMatcherSpec => ({
  name,
  value,
  isRegex: false,
  isEqual: true,
});
const re = (name: string, value: string, isEqual = true): SilenceMatcherSpec => ({
  name,
  value,
  isRegex: true,
  isEqual,
});
const input = (over: Partial<SilenceInput> = {}): SilenceInput => ({
  matchers: [eq('a', 'b')],
  startsAt: NOW,
  endsAt: NOW + HOUR,
  createdBy: 'me',
  comment: 'c',
  ...over,
});

function failure(i: SilenceInput, limits?: Partial<SilenceLimits>): { field: string; message: string } {
  try {
    validateSilence(i, NOW, { ...DEFAULT_SILENCE_LIMITS, ...limits });
  } catch (e) {
    expect(e).toBeInstanceOf(SilenceValidationError);
    const err = e as SilenceValidationError;
    return { field: err.field, message: err.message };
  }
  throw new Error('expected a validation error');
}

describe('validateSilence: the API checks of Alertmanager 0.25 (postSilencesHandler)', () => {
  it('accepts a plain silence and returns its matchers with isEqual defaulted', () => {
    const m = { name: 'a', value: 'b', isRegex: false } as SilenceMatcherSpec;
    expect(validateSilence(input({ matchers: [m] }), NOW)).toEqual([eq('a', 'b')]);
  });

  it('start not before end: 400 "start time must be before end time" on startsAt', () => {
    expect(failure(input({ startsAt: NOW + HOUR, endsAt: NOW + HOUR }))).toEqual({
      field: 'startsAt',
      message: 'Failed to create silence: start time must be before end time',
    });
    expect(failure(input({ startsAt: NOW + 2 * HOUR })).field).toBe('startsAt');
  });

  it('end in the past: 400 "end time can\'t be in the past" on endsAt (end exactly now is accepted)', () => {
    expect(failure(input({ startsAt: NOW - 2 * HOUR, endsAt: NOW - 1 }))).toEqual({
      field: 'endsAt',
      message: "Failed to create silence: end time can't be in the past",
    });
    expect(() => validateSilence(input({ startsAt: NOW - HOUR, endsAt: NOW }), NOW)).not.toThrow();
  });

  it('the time checks use the start as given: a missing start is the zero time, before any end', () => {
    expect(() => validateSilence(input({ startsAt: undefined, endsAt: NOW }), NOW)).not.toThrow();
    expect(() => validateSilence(input({ startsAt: 0 }), NOW)).not.toThrow();
  });

  it('time checks come before matcher checks, as in Alertmanager', () => {
    expect(failure(input({ matchers: [], startsAt: NOW + 2 * HOUR })).field).toBe('startsAt');
  });
});

describe("validateSilence: Alertmanager's TestValidateMatcher", () => {
  const cases: [SilenceMatcherSpec, string][] = [
    [eq('a', 'b'), ''],
    [{ name: 'a', value: 'b', isRegex: false, isEqual: false }, ''],
    [re('a', 'b'), ''],
    [re('a', 'b', false), ''],
    [re('a', '(('), 'invalid regular expression'],
    [re('a', '))', false), 'invalid regular expression'],
    [eq('a', '\ud800'), 'invalid label value'],
  ];
  it.each(cases)('%j → %s', (m, err) => {
    // A second matcher keeps the silence from matching only the empty string.
    const i = input({ matchers: [eq('z', 'z'), m] });
    if (err === '') expect(() => validateSilence(i, NOW)).not.toThrow();
    else expect(failure(i).message).toContain(err);
  });

  it('"00" is a valid name under UTF-8 rules (Alertmanager ≥ 0.27) and invalid under the classic rule', () => {
    expect(() => validateSilence(input({ matchers: [eq('00', 'a')] }), NOW)).not.toThrow();
    expect(failure(input({ matchers: [eq('00', 'a')] }), { labelNames: 'classic' })).toEqual({
      field: 'matchers[0].name',
      message: 'silence invalid: invalid label matcher 0: invalid label name "00"',
    });
  });

  it("a bad regex answers Go's parser text on the matcher's value", () => {
    expect(failure(input({ matchers: [eq('a', 'b'), re('x', '((')] }))).toEqual({
      field: 'matchers[1].value',
      message:
        'silence invalid: invalid label matcher 1: invalid regular expression "((": error parsing regexp: missing closing ): `((`',
    });
  });

  it('validates the pattern as given, unanchored: "a)|(b" is refused although "^(?:a)|(b)$" would compile', () => {
    expect(failure(input({ matchers: [re('x', 'a)|(b')] })).field).toBe('matchers[0].value');
  });
});

describe("validateSilence: Alertmanager's TestValidateSilence", () => {
  it('at least one matcher required', () => {
    expect(failure(input({ matchers: [] }))).toEqual({
      field: 'matchers',
      message: 'silence invalid: at least one matcher required',
    });
  });

  it('an invalid matcher among valid ones names its index', () => {
    expect(failure(input({ matchers: [eq('a', 'b'), eq('', 'b')] }))).toEqual({
      field: 'matchers[1].name',
      message: 'silence invalid: invalid label matcher 1: invalid label name ""',
    });
  });

  it('matchers that all match the empty string are refused', () => {
    expect(failure(input({ matchers: [eq('a', ''), re('b', '.*')] }))).toEqual({
      field: 'matchers',
      message: 'silence invalid: at least one matcher must not match the empty string',
    });
    expect(failure(input({ matchers: [re('a', 'x*|y')] })).field).toBe('matchers');
  });

  it('negative matchers never count as matching the empty string', () => {
    expect(() =>
      validateSilence(input({ matchers: [{ ...eq('a', 'b'), isEqual: false }] }), NOW),
    ).not.toThrow();
    expect(() => validateSilence(input({ matchers: [re('a', '.*', false)] }), NOW)).not.toThrow();
    expect(() => validateSilence(input({ matchers: [eq('a', ''), re('b', 'x')] }), NOW)).not.toThrow();
  });

  it('empty createdBy and comment are accepted (Alertmanager requires the fields, not content)', () => {
    expect(() => validateSilence(input({ createdBy: '', comment: '' }), NOW)).not.toThrow();
  });
});

describe('validateSilence: UTF-8 names and values', () => {
  it('accepts any non-empty well-formed name: service.name, 名前, emoji, spaces', () => {
    const ms = [eq('service.name', 'api'), eq('名前', '値'), eq('😀 x', 'y'), re('k8s.pod', 'web-.*')];
    expect(() => validateSilence(input({ matchers: ms }), NOW)).not.toThrow();
  });

  it('refuses a name with a lone surrogate (invalid UTF-8)', () => {
    expect(failure(input({ matchers: [eq('a\udc00', 'b')] })).field).toBe('matchers[0].name');
    expect(isValidSilenceLabelName('a\ud83d\ude00')).toBe(true);
    expect(isValidSilenceLabelName('')).toBe(false);
    expect(isValidSilenceLabelName('service.name', 'classic')).toBe(false);
    expect(isValidSilenceLabelName('_ok1', 'classic')).toBe(true);
  });
});

describe('validateSilence: shape and bounds (each names its field)', () => {
  const cases: [string, unknown, string][] = [
    ['matchers not an array', { matchers: 'a=b' }, 'matchers'],
    ['matcher not an object', { matchers: ['a=b'] }, 'matchers[0]'],
    ['name not a string', { matchers: [{ name: 1, value: 'b', isRegex: false }] }, 'matchers[0].name'],
    ['value missing', { matchers: [{ name: 'a', isRegex: false }] }, 'matchers[0].value'],
    ['isRegex missing', { matchers: [{ name: 'a', value: 'b' }] }, 'matchers[0].isRegex'],
    [
      'isEqual not boolean',
      { matchers: [{ name: 'a', value: 'b', isRegex: false, isEqual: 'no' }] },
      'matchers[0].isEqual',
    ],
    ['endsAt not a number', { endsAt: '2030-01-01' }, 'endsAt'],
    ['startsAt NaN', { startsAt: NaN }, 'startsAt'],
    ['createdBy missing', { createdBy: undefined }, 'createdBy'],
    ['comment not a string', { comment: 5 }, 'comment'],
    ['annotations an array', { annotations: ['x'] }, 'annotations'],
    ['annotation value not a string', { annotations: { a: 1 } }, 'annotations.a'],
    ['annotation with an empty name', { annotations: { '': 'x' } }, 'annotations.'],
    ['id not a string', { id: 7 }, 'id'],
    ['endsAt after year 9999', { endsAt: 253_402_300_800_000 }, 'endsAt'],
    ['startsAt before year 1', { startsAt: -62_135_596_800_001 }, 'startsAt'],
  ];
  it.each(cases)('%s → %s', (_what, over, field) => {
    expect(failure(input(over as Partial<SilenceInput>)).field).toBe(field);
  });

  it('bounds every count and string', () => {
    const L = DEFAULT_SILENCE_LIMITS;
    const many = Array.from({ length: L.maxMatchers + 1 }, (_, i) => eq(`n${i}`, 'v'));
    expect(failure(input({ matchers: many }))).toEqual({
      field: 'matchers',
      message: `silence invalid: too many matchers: ${L.maxMatchers + 1} (limit: ${L.maxMatchers})`,
    });
    expect(failure(input({ matchers: [eq('n'.repeat(L.maxNameLength + 1), 'v')] })).field).toBe(
      'matchers[0].name',
    );
    expect(failure(input({ matchers: [re('n', 'v'.repeat(L.maxValueLength + 1))] })).field).toBe(
      'matchers[0].value',
    );
    expect(failure(input({ comment: 'c'.repeat(L.maxCommentLength + 1) })).field).toBe('comment');
    expect(failure(input({ createdBy: 'c'.repeat(L.maxCreatedByLength + 1) })).field).toBe('createdBy');
    expect(failure(input({ id: 'x'.repeat(L.maxIdLength + 1) })).field).toBe('id');
    const ann = Object.fromEntries(Array.from({ length: L.maxAnnotations + 1 }, (_, i) => [`k${i}`, 'v']));
    expect(failure(input({ annotations: ann })).field).toBe('annotations');
    expect(failure(input({ annotations: { k: 'v'.repeat(L.maxAnnotationValueLength + 1) } })).field).toBe(
      'annotations.k',
    );
    // At the bounds: accepted.
    expect(() =>
      validateSilence(input({ comment: 'c'.repeat(L.maxCommentLength), matchers: many.slice(1) }), NOW),
    ).not.toThrow();
  });

  it('the size limit (max-silence-size-bytes) counts UTF-8 bytes of the stored silence, 0 = none', () => {
    const i = input({ comment: 'é'.repeat(100) });
    const size = silenceSizeBytes(i);
    expect(size).toBeGreaterThan(200);
    expect(() =>
      validateSilence(i, NOW, { ...DEFAULT_SILENCE_LIMITS, maxSilenceSizeBytes: size }),
    ).not.toThrow();
    expect(failure(i, { maxSilenceSizeBytes: size - 1 })).toEqual({
      field: 'silence',
      message: `silence exceeded maximum size: ${size} bytes (limit: ${size - 1} bytes)`,
    });
    expect(() => validateSilence(input({ comment: 'x'.repeat(10_000) }), NOW)).not.toThrow();
  });
});

describe('validateSilence: regression (npm run fuzz)', () => {
  it('refuses a regex value that is not valid UTF-8 (a lone surrogate), as Go’s regexp does', () => {
    expect(failure(input({ matchers: [re('a', 'x\ud800.*')] })).field).toBe('matchers[0].value');
  });
});
