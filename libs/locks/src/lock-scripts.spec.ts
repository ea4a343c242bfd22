import { hasHashTag } from './lock-scripts';

describe('hasHashTag', () => {
  it('is true only for a non-empty first {tag}', () => {
    expect(hasHashTag('a:{b}')).toBe(true);
    expect(hasHashTag('a:{}:{b}')).toBe(false);
    expect(hasHashTag('a:b')).toBe(false);
    expect(hasHashTag('a:{b')).toBe(false);
  });
});
