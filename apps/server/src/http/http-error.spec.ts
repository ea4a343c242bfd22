import { AlertmanagerStringError, HeraldHttpError, headerSafe } from './http-error';

describe('AlertmanagerStringError', () => {
  it('names a non-ASCII field in a header Node accepts (regression: annotations.名前 made a 500)', () => {
    const e = AlertmanagerStringError.of(
      new HeraldHttpError(400, { error: 'too long', field: 'annotations.名前\n' }),
    );
    expect(e).toBeInstanceOf(AlertmanagerStringError);
    const s = e as AlertmanagerStringError;
    expect(s.text).toBe('too long (field: annotations.名前\n)');
    expect(s.headers!['X-Herald-Error-Field']).toBe('annotations.%E5%90%8D%E5%89%8D%0A');
    expect(headerSafe('a%b')).toBe('a%25b');
  });

  it('keeps 422 as Herald’s {error, field}', () => {
    const e = new HeraldHttpError(422, { error: 'x in body is required', field: 'x' });
    expect(AlertmanagerStringError.of(e)).toBe(e);
  });
});
