import { isValidLabelName, labelSetEquals, sortedLabelNames, validateLabelSet } from './labels';

const limits = { maxLabels: 3, maxNameLength: 10, maxValueLength: 5 };

describe('labels', () => {
  it.each([
    ['alertname', true],
    ['_x', true],
    ['__name__', true],
    ['a1_B', true],
    ['1a', false],
    ['a-b', false],
    ['a:b', false],
    ['', false],
    ['é', false],
  ])('isValidLabelName(%j) = %s', (name, ok) => {
    expect(isValidLabelName(name)).toBe(ok);
  });

  it('drops empty values before counting', () => {
    expect(validateLabelSet({ a: 'x', b: '', c: 'y', d: 'z', e: '' }, limits)).toEqual({
      labels: { a: 'x', c: 'y', d: 'z' },
    });
  });

  it.each([
    [null, 'labels', /object/],
    [['a'], 'labels', /object/],
    [{ a: 1 }, 'labels.a', /string/],
    [{ 'a-b': 'x' }, 'labels["a-b"]', /invalid label name/],
    [{ abcdefghijk: 'x' }, 'labels.abcdefghijk', /name longer than 10/],
    [{ a: '123456' }, 'labels.a', /value longer than 5/],
    [{ a: '', b: '' }, 'labels', /at least one/],
    [{ a: '1', b: '2', c: '3', d: '4' }, 'labels', /too many labels: 4 > 3/],
  ])('rejects %j', (input, field, message) => {
    const r = validateLabelSet(input, limits);
    expect('error' in r && r.error.field).toBe(field);
    expect('error' in r && r.error.message).toMatch(message);
  });

  it('sorts names and compares sets', () => {
    expect(sortedLabelNames({ b: '1', a: '2', _c: '3' })).toEqual(['_c', 'a', 'b']);
    expect(labelSetEquals({ a: '1', b: '2' }, { b: '2', a: '1' })).toBe(true);
    expect(labelSetEquals({ a: '1' }, { a: '1', b: '2' })).toBe(false);
    expect(labelSetEquals({ a: '1', c: '2' }, { a: '1', b: '2' })).toBe(false);
    expect(labelSetEquals({ toString: 'x' }, {})).toBe(false);
  });
});
