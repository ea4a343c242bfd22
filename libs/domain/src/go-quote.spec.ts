import { goQuote } from './go-quote';

describe('goQuote (strconv.Quote)', () => {
  it.each([
    ['', '""'],
    ['plain', '"plain"'],
    ['a"b', '"a\\"b"'],
    ['a\\b', '"a\\\\b"'],
    ["it's", '"it\'s"'],
    ['\x07\b\f\n\r\t\v', '"\\a\\b\\f\\n\\r\\t\\v"'],
    ['\x00\x1b\x7f', '"\\x00\\x1b\\x7f"'],
    ['\u0085', '"\\u0085"'],
    ['\u00a0', '"\\u00a0"'],
    ['\u2028', '"\\u2028"'],
    ['\u200b', '"\\u200b"'],
    ['\ufeff', '"\\ufeff"'],
    ['héllo 日本 ✓', '"héllo 日本 ✓"'],
    ['😀', '"😀"'],
    ['\u{e0001}', '"\\U000e0001"'],
    ['\u{10ffff}', '"\\U0010ffff"'],
    ['a\ud800b', '"a\ufffdb"'],
    ['\udc00', '"\ufffd"'],
  ])('quotes %j as %s', (input, expected) => {
    expect(goQuote(input)).toBe(expected);
  });
});
