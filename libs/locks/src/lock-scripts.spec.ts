import { hasHashTag } from './lock-scripts';

describe('hasHashTag: true only for a non-empty first {tag}', () => {
  it.each([
    ['a:{b}', true],
    ['a:{}:{b}', false],
    ['a:b', false],
    ['a:{b', false],
  ])('%s → %s', (key, tagged) => expect(hasHashTag(key)).toBe(tagged));
});
