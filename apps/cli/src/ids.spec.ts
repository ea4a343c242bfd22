import { UsageError } from './args';
import { IdNotFoundError, resolveIdPrefix } from './ids';

describe('resolveIdPrefix', () => {
  const ids = ['3f1c9a2e-aaaa', '3f1c9a2e-bbbb', '77aa', '77'];

  it('takes a whole id, also when it is a prefix of another', () => {
    expect(resolveIdPrefix('77', ids, 'silence')).toBe('77');
    expect(resolveIdPrefix('3f1c9a2e-bbbb', ids, 'silence')).toBe('3f1c9a2e-bbbb');
  });

  it('takes a unique prefix', () => {
    expect(resolveIdPrefix('3f1c9a2e-a', ids, 'silence')).toBe('3f1c9a2e-aaaa');
    expect(resolveIdPrefix('77a', ids, 'silence')).toBe('77aa');
  });

  it('refuses an ambiguous prefix naming the candidates, and an unknown one', () => {
    expect(() => resolveIdPrefix('3f', ids, 'silence')).toThrow(UsageError);
    expect(() => resolveIdPrefix('3f', ids, 'silence')).toThrow(
      '"3f" is ambiguous: 2 silence ids start with it (3f1c9a2e-aaaa, 3f1c9a2e-bbbb); give more of the id',
    );
    const many = Array.from({ length: 12 }, (_, i) => `x${i}`);
    expect(() => resolveIdPrefix('x', many, 'dead letter')).toThrow('and 2 more');
    expect(() => resolveIdPrefix('zz', ids, 'silence')).toThrow(IdNotFoundError);
  });
});
