import { RE2JS } from 're2js';
import {
  compileGoRegex,
  literalForm,
  literalPrefix,
  compareMatchers,
  Matcher,
  MatcherParseError,
  matchersFromLegacy,
  matchersToString,
  parseMatcher,
  parseMatchers,
  parseUtf8Matchers,
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

/** The MatcherParseError `f` throws, as position and message. */
function parseError(f: () => unknown): { position: number; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(MatcherParseError);
    return { position: (e as MatcherParseError).position, message: (e as MatcherParseError).message };
  }
  throw new Error('expected a MatcherParseError');
}

const triple = (m: Matcher) => [m.name, m.type, m.value];

// Alertmanager ≥ 0.27 (matcher/compat/parse.go, default "fallback" mode): the classic parser's result
// when it accepts the input, otherwise the UTF-8 parser's (matcher/parse). Inputs below are taken from
// matcher/parse/parse_test.go where they exist.
describe('UTF-8 matchers (Alertmanager ≥ 0.27)', () => {
  it.each([
    ['{"foo"="bar"}', [['foo', '=', 'bar']]],
    ['{"foo"="bar",}', [['foo', '=', 'bar']]],
    ['{"foo"!="bar"}', [['foo', '!=', 'bar']]],
    ['{"foo"=~"[a-z]+"}', [['foo', '=~', '[a-z]+']]],
    ['{"foo"=~"\\\\d+"}', [['foo', '=~', '\\d+']]],
    ['{"foo"="\\xf0\\x9f\\x99\\x82"}', [['foo', '=', '🙂']]],
    ['{"foo"="\\U0001f642"}', [['foo', '=', '🙂']]],
    ['{foo=🙂bar}', [['foo', '=', '🙂bar']]],
    ['"foo"="bar",', [['foo', '=', 'bar']]],
    [
      '{foo=bar,bar!=baz}',
      [
        ['foo', '=', 'bar'],
        ['bar', '!=', 'baz'],
      ],
    ],
    ['{"service.name"="api"}', [['service.name', '=', 'api']]],
    [
      '"service.name"=~"api|web", 名前!="x"',
      [
        ['service.name', '=~', 'api|web'],
        ['名前', '!=', 'x'],
      ],
    ],
    ['service.name=api', [['service.name', '=', 'api']]],
    [
      '{"foo bar"="baz", "a=b"="c"}',
      [
        ['foo bar', '=', 'baz'],
        ['a=b', '=', 'c'],
      ],
    ],
    ['  { "x" = "y" , }  ', [['x', '=', 'y']]],
  ])('parses %s', (s, expected) => {
    expect(parseMatchers(s).map(triple)).toEqual(expected);
    expect(parseUtf8Matchers(s).map(triple)).toEqual(expected);
  });

  it('prefers the classic result when both parsers accept the input (fallback mode)', () => {
    // The UTF-8 parser refuses a space in an unquoted value; the classic one reads it as part of the value.
    expect(() => parseUtf8Matchers('foo=bar baz')).toThrow(MatcherParseError);
    expect(parseMatchers('foo=bar baz').map(triple)).toEqual([['foo', '=', 'bar baz']]);
    // Both accept; classic wins (same result here).
    expect(parseMatcher('foo="bar"').toString()).toBe('foo="bar"');
  });

  it('parseMatcher takes one UTF-8 matcher and refuses braces (compat FallbackMatcherParser)', () => {
    expect(triple(parseMatcher('"service.name"="api"'))).toEqual(['service.name', '=', 'api']);
    expect(triple(parseMatcher('名前=~"a|b"'))).toEqual(['名前', '=~', 'a|b']);
    expect(parseError(() => parseMatcher('{"service.name"="api"}'))).toEqual({
      position: 0,
      message: 'unexpected open brace at position 0',
    });
    expect(parseError(() => parseMatcher('foo=bar}')).message).toMatch(/^unexpected close brace/);
    expect(parseError(() => parseMatcher('"a"="b", "c"="d"')).message).toBe(
      'expected exactly one matcher at position 16, found 2',
    );
  });

  it.each([
    [',', 0, /^expected a label name at position 0, found ","$/],
    ['{,}', 1, /^expected a label name at position 1/],
    ['{', 1, /^expected '}' at position 1, found end of input$/],
    ['}', 0, /^unexpected '}' without '\{' at position 0$/],
    ['foo=bar}', 7, /^unexpected '}' without '\{' at position 7$/],
    ['{foo=bar', 8, /^expected '}' at position 8, found end of input$/],
    ['{foo=:"bar"}', 6, /^expected ',' or '}' at position 6, found "\\"bar\\""$/],
    ['{foo="bar\\w"}', 9, /^invalid escape sequence '\\w' at position 9$/],
    ['{"foo"="\\xf0\\x9f"}', 16, /^invalid UTF-8 produced by escape sequences at position 16$/],
    ['"foo"="bar', 10, /^expected '"' at position 10, unterminated string opened at position 6$/],
    ['"foo"', 5, /^expected one of '=', '!=', '=~', '!~' at position 5, found end of input$/],
    ['"foo"=', 6, /^expected a label value at position 6, found end of input$/],
    ['"foo"!"bar"', 5, /^expected '!=' or '!~' at position 5/],
    ["'foo'=bar", 0, /^unexpected character at position 0, found "'"$/],
    ['"foo"=~"("', 7, /^expected a valid regular expression at position 7/],
    ['{"a"="b"} x', 10, /^expected end of input at position 10/],
  ])('the UTF-8 parser rejects %j at %d', (s, position, message) => {
    const e = parseError(() => parseUtf8Matchers(s));
    expect(e.position).toBe(position);
    expect(e.message).toMatch(message);
  });

  it('reports the UTF-8 error when the input reads as UTF-8 syntax, the classic one otherwise', () => {
    // The classic parser stops at the quoted name (position 0); the UTF-8 parser finds the real mistake.
    expect(parseError(() => parseMatchers('"service.name"="api')).message).toMatch(/unterminated string/);
    expect(parseError(() => parseMatcher('service.name="api')).message).toMatch(/unterminated string/);
    // Both fail in the value: the classic error, as Alertmanager reports it.
    expect(parseError(() => parseMatcher('foo=a"b'))).toEqual({
      position: 5,
      message: `expected a value without '"' at position 5, found "\\""`,
    });
  });

  it('classic label names: only the classic syntax, as Alertmanager with classic-mode', () => {
    const classic = { labelNames: 'classic' as const };
    expect(parseError(() => parseMatchers('"service.name"="api"', classic)).position).toBe(0);
    expect(parseError(() => parseMatcher('service.name=api', classic)).position).toBe(7);
    expect(parseError(() => parseMatcher('1foo=x', classic))).toMatchObject({ position: 0 });
    expect(triple(parseMatcher('1foo=x'))).toEqual(['1foo', '=', 'x']); // the UTF-8 syntax allows it
    // Classic mode does not refuse braces in a single matcher (labels.ParseMatcher has no such check).
    expect(parseMatcher('foo=bar}', classic).value).toBe('bar}');
    expect(parseMatchers('{a="b"}', classic).map(triple)).toEqual([['a', '=', 'b']]);
  });

  it('matches alerts on UTF-8 names', () => {
    const [m] = parseMatchers('{"service.name"="api"}');
    expect(m.matches({ 'service.name': 'api' })).toBe(true);
    expect(m.matches({ service_name: 'api' })).toBe(false);
    expect(parseMatcher('名前!~"x.*"').matches({ 名前: '値' })).toBe(true);
  });

  it('prints names quoted only when they hold a reserved character (Go unicode.IsSpace or {}!=~,\\"\'`)', () => {
    expect(new Matcher('service.name', '=', 'api').toString()).toBe('service.name="api"');
    expect(new Matcher('名前', '=', '値').toString()).toBe('名前="値"');
    expect(new Matcher('a,b', '=', 'x').toString()).toBe('"a,b"="x"');
    expect(new Matcher("it's", '=', 'x').toString()).toBe('"it\'s"="x"');
    // U+0085 (NEL) and U+3000 are White_Space for Go; U+FEFF is not (JS's \s says the opposite for both).
    expect(new Matcher('a\u0085b', '=', 'x').toString()).toBe('"a\\u0085b"="x"');
    expect(new Matcher('a\u3000b', '=', 'x').toString()).toBe('"a\\u3000b"="x"'); // not printable for Go
    expect(new Matcher('a\ufeffb', '=', 'x').toString()).toBe('a\ufeffb="x"');
    // What it prints parses back to the same matcher.
    for (const name of ['service.name', 'foo bar', 'a,b', '名前', 'x"y']) {
      const m = new Matcher(name, '!~', 'v|w');
      expect(triple(parseMatcher(m.toString()))).toEqual([name, '!~', 'v|w']);
    }
  });

  it('sorts matchers in Go string order (UTF-8 bytes) for route keys', () => {
    const ms = [
      new Matcher('😀', '=', 'x'),
      new Matcher('\uff21', '=', 'x'),
      new Matcher('a', '=', '😀'),
      new Matcher('a', '=', '\uff21'),
    ];
    ms.sort(compareMatchers);
    expect(ms.map((m) => [m.name, m.value])).toEqual([
      ['a', '\uff21'],
      ['a', '😀'],
      ['\uff21', 'x'],
      ['😀', 'x'],
    ]);
  });
});

describe('compileGoRegex fast paths (literal alternatives, literal prefix) agree with RE2', () => {
  const patterns = [
    'db|infra',
    'api',
    'host-1.*',
    'ab*c',
    'ab?',
    'a{2}b',
    'x\\.y.*',
    '(?i)ABC.*',
    'a|b.*',
    '.*x',
    'é.*',
    '😀+',
    '[a-c]x',
    'foo$',
    '^foo',
    '',
    'a|',
  ];
  const values = [
    '',
    'a',
    'ab',
    'abc',
    'abbbc',
    'ac',
    'aab',
    'db',
    'infra',
    'dbx',
    'api',
    'host-1',
    'host-10.x',
    'host-2',
    'x.y',
    'xzy',
    'x.yz',
    'abcd',
    'ABCD',
    'é',
    'éa',
    '😀😀',
    'bx',
    'foo',
    'bfoo',
  ];
  it.each(patterns)('%s', (p) => {
    const re = RE2JS.compile(`^(?:${p})$`);
    const fast = compileGoRegex(p);
    for (const v of values) expect([v, fast.test(v)]).toEqual([v, re.matches(v)]);
  });

  it('finds literal forms and prefixes conservatively', () => {
    expect(literalForm('db|infra')).toEqual(new Set(['db', 'infra']));
    expect(literalForm('a|')).toBeNull();
    expect(literalForm('a.b')).toBeNull();
    expect(literalPrefix('host-1.*')).toBe('host-1');
    expect(literalPrefix('ab*')).toBe('a');
    expect(literalPrefix('😀+')).toBe('😀');
    expect(literalPrefix('😀?x')).toBe('');
    expect(literalPrefix('a|b')).toBe('');
    expect(literalPrefix('(?i)abc')).toBe('');
  });
});
