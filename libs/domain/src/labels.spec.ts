import {
  compareUtf8,
  isClassicLabelName,
  isValidLabelName,
  labelNameProblem,
  labelSetEquals,
  sortedLabelNames,
  sortUtf8,
  validateLabelSet,
} from './labels';

const limits = { maxLabels: 3, maxNameLength: 10, maxValueLength: 5 };

describe('labels', () => {
  it.each([
    // name, utf8 (default), classic
    ['alertname', true, true],
    ['_x', true, true],
    ['__name__', true, true],
    ['a1_B', true, true],
    ['1a', true, false],
    ['a-b', true, false],
    ['a:b', true, false],
    ['service.name', true, false],
    ['名前', true, false],
    ['é', true, false],
    ['😀', true, false],
    [' ', true, false],
    ['', false, false],
    ['a\ud800', false, false],
    ['\udc00b', false, false],
  ])('isValidLabelName(%j): utf8 %s, classic %s', (name, utf8, classic) => {
    expect(isValidLabelName(name)).toBe(utf8);
    expect(isValidLabelName(name, 'utf8')).toBe(utf8);
    expect(isValidLabelName(name, 'classic')).toBe(classic);
    expect(isClassicLabelName(name)).toBe(classic);
    expect(labelNameProblem(name) === undefined).toBe(utf8);
    expect(labelNameProblem(name, 'classic') === undefined).toBe(classic);
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
    [{ '': 'x' }, 'labels[""]', /^invalid label name "": must not be empty$/],
    [{ 'a\ud800': 'x' }, 'labels["a\\ud800"]', /not valid UTF-8/],
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

  it('accepts UTF-8 names by default and keeps them as sent (OpenTelemetry service.name, 名前)', () => {
    const input = { 'service.name': 'api', 名前: '値', 'http.status-code': '500', '': '' };
    // An empty value drops the label before its name is judged (Alertmanager: removeEmptyLabels, then Validate).
    expect(validateLabelSet(input, { ...limits, maxValueLength: 10, maxNameLength: 20 })).toEqual({
      labels: { 'service.name': 'api', 名前: '値', 'http.status-code': '500' },
    });
    expect(validateLabelSet({ ...input, '': 'x' }, { ...limits, maxLabels: 5, maxNameLength: 20 })).toEqual({
      error: { field: 'labels[""]', message: 'invalid label name "": must not be empty' },
    });
  });

  it('classic mode refuses non-classic names with a 400-ready field and message', () => {
    expect(
      validateLabelSet({ 'service.name': 'api' }, { ...limits, maxNameLength: 20, labelNames: 'classic' }),
    ).toEqual({
      error: {
        field: 'labels["service.name"]',
        message:
          'invalid label name "service.name": herald.label_names is classic: [a-zA-Z_][a-zA-Z0-9_]* only',
      },
    });
  });

  it('bounds the name echoed in a field or message (64 characters)', () => {
    const long = 'x.'.repeat(100);
    const r = validateLabelSet({ [long]: 'v' }, { ...limits, maxNameLength: 1000, labelNames: 'classic' });
    expect('error' in r && r.error.field).toBe(`labels[${JSON.stringify(long.slice(0, 64) + '…')}]`);
    expect('error' in r && r.error.message.length).toBeLessThan(200);
  });

  it('sorts as Go does (UTF-8 byte order), not by UTF-16 code units', () => {
    // U+FF21 (EF BC A1) sorts before U+1F600 (F0 9F 98 80) in UTF-8; UTF-16 puts the surrogate D83D first.
    expect(['😀', '\uff21'].sort()).toEqual(['😀', '\uff21']);
    expect(sortUtf8(['😀', '\uff21'])).toEqual(['\uff21', '😀']);
    expect(sortedLabelNames({ '😀': '1', '\uff21': '2', a: '3', 'service.name': '4' })).toEqual([
      'a',
      'service.name',
      '\uff21',
      '😀',
    ]);
    expect(compareUtf8('a', 'ab')).toBeLessThan(0);
    expect(compareUtf8('b', 'ab')).toBeGreaterThan(0);
    expect(compareUtf8('\ue000', '\u{10000}')).toBeLessThan(0);
    expect(compareUtf8('\u{10000}', '\u{10001}')).toBeLessThan(0);
    expect(compareUtf8('x', 'x')).toBe(0);
  });

  it('compareUtf8 agrees with Buffer.compare of the UTF-8 bytes on random well-formed strings', () => {
    const pool = ['a', 'Z', '.', 'é', '名', '\ud7ff', '\ue000', '\uffff', '\uff21', '😀', '\u{10ffff}', ''];
    let seed = 7;
    const pick = () => pool[(seed = (seed * 1103515245 + 12345) >>> 0) % pool.length];
    for (let i = 0; i < 2000; i++) {
      const a = pick() + pick() + pick();
      const b = pick() + pick() + pick();
      expect(Math.sign(compareUtf8(a, b))).toBe(Math.sign(Buffer.compare(Buffer.from(a), Buffer.from(b))));
    }
  });
});
