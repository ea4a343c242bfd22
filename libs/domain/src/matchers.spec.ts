import {
  compareMatchers,
  Matcher,
  MatcherParseError,
  matchersFromLegacy,
  matchersToString,
  parseMatcher,
  parseMatchers,
} from './matchers';

describe('Matcher', () => {
  it('matches equality and inequality, absent label as ""', () => {
    expect(new Matcher('a', '=', 'x').matches({ a: 'x' })).toBe(true);
    expect(new Matcher('a', '=', 'x').matches({ a: 'y' })).toBe(false);
    expect(new Matcher('a', '!=', 'x').matches({})).toBe(true);
    expect(new Matcher('foo', '=', '').matches({})).toBe(true);
    expect(new Matcher('foo', '=', '').matches({ foo: 'x' })).toBe(false);
    expect(new Matcher('foo', '!=', '').matches({})).toBe(false);
    expect(new Matcher('foo', '!=', '').matches({ foo: 'x' })).toBe(true);
  });

  it('anchors regexes fully', () => {
    const m = new Matcher('team', '=~', 'db|infra');
    expect(m.matches({ team: 'db' })).toBe(true);
    expect(m.matches({ team: 'infra' })).toBe(true);
    expect(m.matches({ team: 'dbx' })).toBe(false);
    expect(m.matches({ team: 'xinfra' })).toBe(false);
    expect(new Matcher('team', '!~', 'db|infra').matches({ team: 'dbx' })).toBe(true);
    expect(new Matcher('x', '=~', '.*').matches({})).toBe(true);
    expect(new Matcher('x', '=~', '.+').matches({})).toBe(false);
  });

  it('treats inherited object properties as absent', () => {
    expect(new Matcher('constructor', '=', '').matches({})).toBe(true);
    expect(new Matcher('toString', '=~', '.+').matches({})).toBe(false);
  });

  it('supports a leading (?i) flag group and code-point dot', () => {
    expect(new Matcher('a', '=~', '(?i)foo').matches({ a: 'FoO' })).toBe(true);
    expect(new Matcher('a', '=~', '.').matches({ a: '😀' })).toBe(true);
    expect(new Matcher('a', '=~', 'a\\-b').matches({ a: 'a-b' })).toBe(true);
  });

  it('rejects an invalid regex in the constructor', () => {
    expect(() => new Matcher('a', '=~', '(')).toThrow(/invalid regular expression/);
  });

  it('prints like Alertmanager (OpenMetrics escaping of the value)', () => {
    expect(new Matcher('team', '=~', 'db|infra').toString()).toBe('team=~"db|infra"');
    expect(new Matcher('a', '!=', 'x"y\\z\nw\té').toString()).toBe('a!="x\\"y\\\\z\\nw\té"');
    expect(new Matcher('a b', '=', 'x\t').toString()).toBe('"a b"="x\\t"');
  });

  it('sorts by name, value, then type and prints lists without spaces', () => {
    const ms = [new Matcher('b', '=', '1'), new Matcher('a', '!=', 'x'), new Matcher('a', '=', 'x')];
    ms.sort(compareMatchers);
    expect(matchersToString(ms)).toBe('{a="x",a!="x",b="1"}');
    expect(matchersToString([])).toBe('{}');
  });
});

describe('parseMatcher', () => {
  it.each([
    ['foo="bar"', 'foo', '=', 'bar'],
    ['foo=bar', 'foo', '=', 'bar'],
    ['  foo  !=  bar baz ', 'foo', '!=', 'bar baz'],
    ['foo=~"db|infra"', 'foo', '=~', 'db|infra'],
    ['foo!~"5.."', 'foo', '!~', '5..'],
    ['foo=', 'foo', '=', ''],
    ['foo=""', 'foo', '=', ''],
    ['_x1="a,b}"', '_x1', '=', 'a,b}'],
    ['foo="a\\"b\\\\c\\n\\t"', 'foo', '=', 'a"b\\c\n\t'],
    ['foo="\\u00e9\\U0001F600\\xc3\\xa9\\303\\251"', 'foo', '=', 'é😀éé'],
    ['foo="日本"', 'foo', '=', '日本'],
    ['foo=a=b', 'foo', '=', 'a=b'],
  ])('parses %s', (s, name, type, value) => {
    const m = parseMatcher(s);
    expect([m.name, m.type, m.value]).toEqual([name, type, value]);
  });

  const err = (f: () => unknown) => {
    try {
      f();
    } catch (e) {
      expect(e).toBeInstanceOf(MatcherParseError);
      return { message: (e as MatcherParseError).message, position: (e as MatcherParseError).position };
    }
    throw new Error('expected a MatcherParseError');
  };

  it.each([
    ['', 0, /^expected a label name at position 0, found end of input$/],
    ['1foo=x', 0, /^expected a label name at position 0/],
    ['foo', 3, /^expected one of '=', '!=', '=~', '!~' at position 3/],
    ['alert~"x"', 5, /^expected one of '=', '!=', '=~', '!~' at position 5, found "~"$/],
    ['foo!x', 3, /^expected one of '=', '!=', '=~', '!~' at position 3/],
    ['foo="bar', 8, /^expected '"' at position 8, unterminated string opened at position 4$/],
    ['foo="bar\\', 9, /^expected '"' at position 9/],
    ['foo="a\nb"', 6, /^expected '\\n' or '"' at position 6/],
    ['foo="\\d"', 5, /^invalid escape sequence '\\d' at position 5$/],
    ['foo="\\x4"', 5, /^invalid escape sequence '\\x'/],
    ['foo="\\400"', 5, /^invalid escape sequence '\\4'/],
    ['foo="\\ud800"', 5, /^invalid escape sequence '\\u'/],
    ['foo="\\xff"', 9, /^invalid UTF-8 produced by escape sequences at position 9$/],
    ['foo=~"("', 5, /^expected a valid regular expression at position 5/],
    ['foo="a" x', 8, /^expected end of input at position 8/],
    ['foo=a"b', 5, /^expected a value without '"' at position 5/],
  ])('rejects %j at %d', (s, position, message) => {
    const e = err(() => parseMatcher(s));
    expect(e.position).toBe(position);
    expect(e.message).toMatch(message);
  });
});

describe('parseMatchers', () => {
  const show = (s: string) => parseMatchers(s).map((m) => m.toString());

  it.each([
    ['{a="b", c=~"d.*"}', ['a="b"', 'c=~"d.*"']],
    ['a="b",c=~"d.*"', ['a="b"', 'c=~"d.*"']],
    ['{foo = "bar", dings != "bums", }', ['foo="bar"', 'dings!="bums"']],
    ['foo=bar,dings!=bums', ['foo="bar"', 'dings!="bums"']],
    ['{quote="She said: \\"Hi, ladies!\\""}', ['quote="She said: \\"Hi, ladies!\\""']],
    ['statuscode=~"5.."', ['statuscode=~"5.."']],
    ['{a=b}', ['a="b"']],
    ['', []],
    ['  ', []],
    ['{}', []],
    [' { } ', []],
  ])('parses %j', (s, expected) => {
    expect(show(s)).toEqual(expected);
  });

  it.each([
    ['{a="b"', 6, /^expected ',' or '}' at position 6, found end of input$/],
    ['{a="b" c="d"}', 7, /^expected ',' or '}' at position 7/],
    ['a="b" c="d"', 6, /^expected ',' or end of input at position 6/],
    ['{a="b"} x', 8, /^expected end of input at position 8/],
    ['a=b}', 3, /^expected ',' or end of input at position 3/],
    ['{,}', 1, /^expected a label name at position 1/],
    ['{a="b",,}', 7, /^expected a label name at position 7/],
    ['{a=b"c"}', 4, /^expected ',', '}' or a value without '"' at position 4/],
    ['{a=~"[", b="c"}', 4, /^expected a valid regular expression at position 4/],
  ])('rejects %j at %d', (s, position, message) => {
    let caught: unknown;
    try {
      parseMatchers(s);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(MatcherParseError);
    expect((caught as MatcherParseError).position).toBe(position);
    expect((caught as MatcherParseError).message).toMatch(message);
  });
});

describe('matchersFromLegacy', () => {
  it('maps match to = and match_re to =~', () => {
    const ms = matchersFromLegacy({ severity: 'critical' }, { team: 'db|infra' });
    expect(ms.map(String)).toEqual(['severity="critical"', 'team=~"^(?:db|infra)$"']);
    expect(ms[1].matches({ team: 'infra' })).toBe(true);
    expect(matchersFromLegacy()).toEqual([]);
  });
});

describe('regex matchers use RE2, as Alertmanager (Go regexp)', () => {
  it('a catastrophic-backtracking pattern matches in linear time', () => {
    const m = new Matcher('instance', '=~', '(a+)+$');
    const t0 = performance.now();
    expect(m.matches({ instance: 'a'.repeat(5000) + '!' })).toBe(false);
    expect(m.matches({ instance: 'a'.repeat(5000) })).toBe(true);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('takes RE2 syntax (inline flags anywhere, \\z) and refuses what Go refuses (lookaround, backreferences)', () => {
    expect(new Matcher('s', '=~', 'crit(?i:ICAL)').matches({ s: 'critical' })).toBe(true);
    expect(new Matcher('s', '=~', '(?i)warn').matches({ s: 'WARN' })).toBe(true);
    expect(() => new Matcher('s', '=~', 'a(?=b)')).toThrow(/invalid regular expression/);
    expect(() => new Matcher('s', '=~', '(a)\\1')).toThrow(/invalid regular expression/);
  });

  it('anchors the whole value and treats a missing label as empty', () => {
    expect(new Matcher('job', '=~', 'api|web').matches({ job: 'api-x' })).toBe(false);
    expect(new Matcher('job', '=~', 'api|web').matches({ job: 'web' })).toBe(true);
    expect(new Matcher('job', '=~', '.*').matches({})).toBe(true);
    expect(new Matcher('job', '!~', '.+').matches({})).toBe(true);
  });
});
