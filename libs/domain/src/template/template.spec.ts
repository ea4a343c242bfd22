import { lex } from './lexer';
import { nodeString, parseTemplate } from './parser';
import { BUILTINS } from './exec';
import {
  alertmanagerTemplates,
  GoDuration,
  GoTime,
  goSprintf,
  humanizeDuration,
  templateData,
  TemplateExecError,
  TemplateParseError,
  TemplateSet,
} from './index';
import { GoFloat } from './values';

const data = templateData({
  receiver: 'team x',
  status: 'firing',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: 'A', sev: 'critical' },
      annotations: { s: 'one' },
      startsAt: '2024-03-10T08:15:30.5Z',
    },
    {
      status: 'resolved',
      labels: { alertname: 'A', sev: 'info' },
      startsAt: '2024-03-10T08:00:00Z',
      endsAt: '2024-03-10T09:00:00Z',
    },
  ],
  groupLabels: { alertname: 'A' },
  commonLabels: { alertname: 'A' },
  externalURL: 'http://am',
});
const NOW = Date.parse('2024-03-10T10:15:30.5Z');
const run = (text: string, d: unknown = data): string =>
  alertmanagerTemplates({ now: () => NOW }).executeText(text, d);
const fail = (text: string, d: unknown = data): string => {
  try {
    run(text, d);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected ${text} to fail`);
};

describe('lexer', () => {
  it('counts lines on from the last token, so a 1 MB template lexes in one pass with exact line numbers', () => {
    // Regression: lineAt rescanned the input from the start for every token (a 300 KB template took
    // over a minute to parse; the fuzz spec minutes). Errors deep in a large file must still name the line.
    const body = '{{ if eq .Status "firing" }}x {{ len .Alerts }}{{ end }}\n'.repeat(15_000);
    const tokens = lex(`${body}{{ .A }}\n{{ 0x1p-2 }}`);
    const last = tokens.filter((t) => t.type === 'field' || t.type === 'number');
    expect(last.slice(-2).map((t) => [t.val, t.line])).toEqual([
      ['.A', 15_001],
      ['0x1p-2', 15_002],
    ]);
    expect(() => parseTemplate('big.tmpl', `${body}{{ if }}`, BUILTINS)).toThrow(
      /template: big\.tmpl:15001: /,
    );
  });

  it('splits text, delimiters and action tokens', () => {
    const types = lex('a {{ .B.C | printf "%s" $x }} z').map((t) => `${t.type}:${t.val}`);
    expect(types).toEqual([
      'text:a ',
      'left:{{',
      'space: ',
      'field:.B',
      'field:.C',
      'space: ',
      'pipe:|',
      'space: ',
      'ident:printf',
      'space: ',
      'string:"%s"',
      'space: ',
      'variable:$x',
      'space: ',
      'right:}}',
      'text: z',
      'eof:',
    ]);
  });
  it('applies trim markers only with a following/preceding space', () => {
    expect(
      lex('a \n {{- 1 -}} \n b')
        .filter((t) => t.type === 'text')
        .map((t) => t.val),
    ).toEqual(['a', 'b']);
    expect(lex('a {{-1}}').find((t) => t.type === 'number')?.val).toBe('-1');
  });
  it('drops comments and rejects unterminated input with its line', () => {
    expect(lex('x{{/* c */}}y').map((t) => t.type)).toEqual(['text', 'text', 'eof']);
    // Lexical errors end the token stream (the parser reports them when it gets there).
    expect(lex('\n\n{{ "abc }}').at(-1)).toMatchObject({
      type: 'error',
      val: 'unterminated quoted string',
      line: 3,
    });
    expect(lex('{{/* x }}').at(-1)).toMatchObject({ type: 'error', val: 'unclosed comment' });
  });
  it('reads raw strings, chars and number forms', () => {
    expect(
      lex("{{ `a\nb` 'x' 0x1F 1e3 .5 }}")
        .filter((t) => ['raw', 'char', 'number'].includes(t.type))
        .map((t) => t.val),
    ).toEqual(['`a\nb`', "'x'", '0x1F', '1e3', '.5']);
  });
});

describe('parser', () => {
  const names = new Set([...BUILTINS, 'toUpper']);
  it('round-trips nodes to Go-style strings', () => {
    const t = parseTemplate(
      't',
      '{{ $x := .A.B | toUpper }}{{ if and $x (eq 1 2) }}y{{ else }}n{{ end }}',
      names,
    ).get('t')!;
    expect(t.root.nodes.map(nodeString)).toEqual([
      '{{$x := .A.B | toUpper}}',
      '{{if and $x (eq 1 2)}}"y"{{else}}"n"{{end}}',
    ]);
  });
  it('collects define and block templates', () => {
    const m = parseTemplate('f', '{{ define "a" }}A{{ end }}{{ block "b" . }}B{{ end }}', names);
    expect([...m.keys()].sort()).toEqual(['a', 'b', 'f']);
  });
  it.each([
    ['{{ nosuch }}', 'template: t:1: function "nosuch" not defined'],
    ['{{ $y }}', 'template: t:1: undefined variable "$y"'],
    ['{{ if 1 }}', 'template: t:1: unexpected EOF'],
    ['\n{{ end }}', 'template: t:2: unexpected {{end}}'],
    ['{{ break }}', 'template: t:1: {{break}} outside {{range}}'],
    ['{{ 1 | 2 }}', 'template: t:1: non executable command in pipeline stage 2'],
    ['{{ }}', 'template: t:1: missing value for command'],
    ['{{ $x := 1 }}{{ if true }}{{ $y := 2 }}{{ end }}{{ $y }}', 'template: t:1: undefined variable "$y"'],
  ])('rejects %j', (src, msg) => {
    expect(() => parseTemplate('t', src, names)).toThrow(new TemplateParseError(msg));
  });
});

describe('executor', () => {
  it('prepares a field text once, and again after parse() changes the definitions it uses', () => {
    const set = new TemplateSet().parse('a.tmpl', '{{ define "x" }}one{{ end }}');
    expect(set.executeText('[{{ template "x" . }}]', null)).toBe('[one]');
    expect(set.executeHtml('<b>{{ template "x" . }}</b>', null)).toBe('<b>one</b>');
    set.parse('b.tmpl', '{{ define "x" }}<two>{{ end }}');
    expect(set.executeText('[{{ template "x" . }}]', null)).toBe('[<two>]');
    expect(set.executeHtml('<b>{{ template "x" . }}</b>', null)).toBe('<b><two></b>');
    // A define inside a field stays that field's (Alertmanager parses each field into a clone).
    expect(set.executeText('{{ define "x" }}field{{ end }}{{ template "x" . }}', null)).toBe('field');
    expect(set.executeText('{{ template "x" . }}', null)).toBe('<two>');
  });

  it('follows Go truthiness', () => {
    expect(
      run(
        '{{ if 0 }}a{{ end }}{{ if "" }}b{{ end }}{{ if .GroupLabels }}c{{ end }}{{ if .Alerts.Firing }}d{{ end }}{{ if 0.0 }}e{{ end }}',
      ),
    ).toBe('cd');
  });
  it('short-circuits and/or and returns the deciding operand', () => {
    expect(run('{{ and 1 0 (index .Alerts 9) }}|{{ or "" "x" (index .Alerts 9) }}')).toBe('0|x');
  });
  it('ranges with break, continue, else and two variables', () => {
    expect(
      run(
        '{{ range $i, $a := .Alerts }}{{ if $i }}{{ break }}{{ end }}{{ $i }}{{ $a.Status }}{{ end }}{{ range .CommonAnnotations }}x{{ else }}none{{ end }}',
      ),
    ).toBe('0firingnone');
  });
  it('calls methods of the data model', () => {
    expect(
      run('{{ .CommonLabels.SortedPairs }} {{ (.Alerts.Firing | len) }} {{ .Alerts.Resolved }}'),
    ).toMatch(/^\[\{alertname A\}\] 1 \[\{resolved map\[alertname:A sev:info\]/);
    expect(run('{{ .GroupLabels.Names.Join "," }}')).toBe('alertname');
  });
  it('yields "" for a missing label (missingkey=zero on a map[string]string)', () => {
    expect(run('[{{ .CommonLabels.nope }}][{{ index .CommonLabels "nope" }}]')).toBe('[][]');
  });
  it('prints nil as <no value>', () => {
    expect(run('{{ .Foo }}', null)).toBe('<no value>');
  });
  it('reports exec errors with template, line, column and node like Go', () => {
    expect(fail('ab\n  {{ .Nope }}')).toBe(
      'template: :2:5: executing "" at <.Nope>: can\'t evaluate field Nope in type template.Data',
    );
    expect(fail('{{ toUpper 1 }}')).toBe('template: :1:11: executing "" at <1>: expected string; found 1');
    expect(fail('{{ index .Alerts 5 }}')).toBe(
      'template: :1:3: executing "" at <index .Alerts 5>: error calling index: index out of range: 5',
    );
  });
  it('names the file a define came from in errors', () => {
    const set = alertmanagerTemplates().parse('my.tmpl', '{{ define "x" }}\n {{ .Bad }}{{ end }}');
    expect(() => set.executeText('{{ template "x" . }}', data)).toThrow(
      'template: my.tmpl:2:4: executing "x" at <.Bad>',
    );
  });
  it('keeps a non-empty definition over a later empty one, and lets a later non-empty one override', () => {
    const set = new TemplateSet()
      .parse('a', '{{ define "x" }}one{{ end }}')
      .parse('b', '{{ define "x" }} {{ end }}');
    expect(set.execute('x', null)).toBe('one');
    set.parse('c', '{{ define "x" }}two{{ end }}');
    expect(set.execute('x', null)).toBe('two');
  });
});

describe('bounded execution (hostile templates)', () => {
  it('stops runaway recursion at the depth limit', () => {
    const set = new TemplateSet({ limits: { maxDepth: 50 } }).parse(
      'r',
      '{{ define "loop" }}{{ template "loop" . }}{{ end }}',
    );
    expect(() => set.executeText('{{ template "loop" . }}', null)).toThrow(
      /exceeded maximum template depth \(50\)/,
    );
  });
  it('stops at the step limit', () => {
    const set = new TemplateSet({ limits: { maxSteps: 10_000 } });
    const big = Array.from({ length: 100_000 }, (_, i) => i);
    expect(() => set.executeText('{{ range . }}{{ . }}{{ end }}', big)).toThrow(
      /exceeded the limit of 10000 evaluation steps/,
    );
  });
  it('stops at the output limit', () => {
    const set = new TemplateSet({ limits: { maxOutput: 1000 } });
    expect(() =>
      set.executeText('{{ range . }}{{ printf "%100s" "x" }}{{ end }}', Array(50).fill(0)),
    ).toThrow(TemplateExecError);
    expect(() =>
      set.executeText('{{ range . }}{{ printf "%100s" "x" }}{{ end }}', Array(50).fill(0)),
    ).toThrow(/output exceeds the limit of 1000 bytes/);
  });
  it('bounds strings built by functions even when not written out', () => {
    const set = new TemplateSet({ limits: { maxWork: 100_000 } });
    expect(() =>
      set.executeText('{{ range . }}{{ $x := printf "%10000s" "" }}{{ end }}', Array(50).fill(0)),
    ).toThrow(/function results exceed the limit of 100000 bytes/);
  });
  it('refuses printf widths beyond 1e6 as Go does (BADWIDTH)', () => {
    expect(goSprintf('%*d|%.*f', [2_000_000, 1, 5_000_000, new GoFloat(1)])).toBe(
      '%!(BADWIDTH)1|%!(BADPREC)1.000000',
    );
  });
  it('refuses nesting deeper than MAX_PARSE_DEPTH instead of overflowing the stack', () => {
    const deep = '{{ ' + '('.repeat(5000) + '1' + ')'.repeat(5000) + ' }}';
    expect(() => new TemplateSet().parse('deep', deep)).toThrow(
      'template: deep:1: max expression depth exceeded',
    );
    const ifs = '{{ if 1 }}'.repeat(5000) + '{{ end }}'.repeat(5000);
    expect(() => new TemplateSet().parse('ifs', ifs)).toThrow('max expression depth exceeded');
  });
  it('refuses oversized source', () => {
    expect(() => new TemplateSet().parse('huge', 'x'.repeat((1 << 20) + 1))).toThrow(RangeError);
  });
});

describe('Go fmt', () => {
  it('formats a value of a type it does not know without recursing forever', () => {
    // Regression: bad() formatted the operand with %v, which for an unknown type called bad() again.
    expect(goSprintf('%d|%v', [10n, 11n])).toBe('%!d(interface {}=10)|11');
  });

  it.each([
    [
      '%5.1f|%-6s|%06d|%+d|%x|%X|%o|%q|%v|%t|%%',
      [new GoFloat(3.14159), 'ab', 42, 7, 255, 'hi', 8, 'a"b', new GoFloat(1e21), true],
      '  3.1|ab    |000042|+7|ff|6869|10|"a\\"b"|1e+21|true|%',
    ],
    ['%d %s', ['x'], '%!d(string=x) %!s(MISSING)'],
    ['%s', ['a', 1], 'a%!(EXTRA int=1)'],
    [
      '%g %g %e %.3g',
      [new GoFloat(100000), new GoFloat(1e6), new GoFloat(1234.5678), new GoFloat(1234.5678)],
      '100000 1e+06 1.234568e+03 1.23e+03',
    ],
    ['%.2s|%5.1q|%c|%U', ['héllo', 'abc', 0x1f600, 0x1f600], 'hé|  "a"|😀|U+1F600'],
  ])('%s', (format, args, want) => {
    expect(goSprintf(format, args)).toBe(want);
  });
});

describe('Go time', () => {
  const t = GoTime.parseRFC3339('2024-03-10T08:05:03.120Z');
  it('prints like time.Time.String and formats reference layouts', () => {
    expect(t.toString()).toBe('2024-03-10 08:05:03.12 +0000 UTC');
    expect(t.format('Mon Jan _2 15:04:05 MST 2006')).toBe('Sun Mar 10 08:05:03 UTC 2024');
    expect(t.format('02/01/06 3:4:5 PM .000 Z07:00 -07:00 002')).toBe('10/03/24 8:5:3 AM .120 Z +00:00 070');
    expect(GoTime.parseRFC3339('2024-12-31T23:00:00-02:30').format(time3339)).toBe(
      '2024-12-31T23:00:00-02:30',
    );
  });
  it('moves to a zone with tz', () => {
    expect(run('{{ (index .Alerts 0).StartsAt | tz "America/New_York" }}')).toBe(
      '2024-03-10 04:15:30.5 -0400 EDT',
    );
    expect(run('{{ date "2006-01-02 15:04 MST" ((index .Alerts 0).StartsAt | tz "Asia/Kolkata") }}')).toMatch(
      /^2024-03-10 13:45 (IST|\+0530)$/,
    );
    expect(fail('{{ tz "Nowhere/Nope" (index .Alerts 0).StartsAt }}')).toMatch(
      /error calling tz: unknown time zone Nowhere\/Nope/,
    );
  });
  it('prints durations like time.Duration.String', () => {
    expect(new GoDuration(0).toString()).toBe('0s');
    expect(new GoDuration(1500).toString()).toBe('1.5µs');
    expect(new GoDuration(3_723_500_000_000).toString()).toBe('1h2m3.5s');
    expect(new GoDuration(-(2n ** 64n)).toString()).toBe('-2562047h47m16.854775808s');
    expect(run('{{ since (index .Alerts 0).StartsAt }}')).toBe('2h0m0s');
  });
});
const time3339 = '2006-01-02T15:04:05Z07:00';

describe('Alertmanager functions after 0.25', () => {
  it('humanizeDuration matches prometheus/common', () => {
    expect([0, 1, 1.5, 60, 3661, 90061, 0.25, -2.5, 0.000001].map(humanizeDuration)).toEqual([
      '0s',
      '1s',
      '1.5s',
      '1m 0s',
      '1h 1m 1s',
      '1d 1h 1m 1s',
      '250ms',
      '-2.5s',
      '1us',
    ]);
    expect(run('{{ humanizeDuration "90" }}')).toBe('1m 30s');
  });
  it('trimSpace, urlUnescape, toJson, base64, list/dict', () => {
    expect(run('[{{ trimSpace "  a b \\n" }}]{{ urlUnescape "a%20b+c" }}')).toBe('[a b]a b c');
    expect(run('{{ toJson .GroupLabels }} {{ toJson (stringSlice "<a>") }}')).toBe(
      '{"alertname":"A"} ["\\u003ca\\u003e"]',
    );
    expect(run('{{ base64encode "hi?>" }} {{ base64decode "aGk_Pg==" }}')).toBe('aGk_Pg== hi?>');
    expect(run('{{ $d := dict "k" "v" }}{{ $d.k }} {{ len (append (list 1 2) 3) }}')).toBe('v 3');
  });
  it('title cases like x/text/cases (rest lowered)', () => {
    expect(run('{{ title "hELLO wORLD-foo" }}')).toBe('Hello World-Foo');
  });
});
