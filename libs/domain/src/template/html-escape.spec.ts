// Unit checks of html/template escaping beyond the recorded conformance cases (html-conformance.spec.ts):
// the set stays usable for text, error kinds, recursive and derived templates, escaping functions.
import { escapers } from './html-escape';
import { GoFloat } from './values';
import { alertmanagerTemplates, templateData, TemplateExecError, TemplateParseError } from './index';

const data = templateData({
  receiver: 'r',
  status: 'firing',
  alerts: [],
  groupLabels: {},
  commonLabels: { a: `"><script>alert(1)</script>` },
  commonAnnotations: {},
  externalURL: 'http://am.example',
});

describe('TemplateSet.executeHtml', () => {
  it('escapes without changing the set: text execution of the same templates stays unescaped', () => {
    const set = alertmanagerTemplates().parse('t', '{{ define "x" }}<b>{{ .CommonLabels.a }}</b>{{ end }}');
    const html = set.executeHtml('{{ template "x" . }}', data);
    expect(html).toBe('<b>&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;</b>');
    expect(set.executeText('{{ template "x" . }}', data)).toBe(`<b>"><script>alert(1)</script></b>`);
    expect(set.execute('x', data)).toBe(`<b>"><script>alert(1)</script></b>`);
    expect(set.executeHtml('{{ template "x" . }}', data)).toBe(html);
  });

  it('returns "" for an empty text, like Alertmanager', () => {
    expect(alertmanagerTemplates().executeHtml('', data)).toBe('');
  });

  it('throws TemplateParseError for bad syntax and TemplateExecError for escaping failures', () => {
    const set = alertmanagerTemplates();
    expect(() => set.executeHtml('{{ if }}', data)).toThrow(TemplateParseError);
    expect(() => set.executeHtml('<a href="{{ .Status }}', data)).toThrow(
      new TemplateExecError(
        'html/template: ends in a non-text context: {stateURL delimDoubleQuote urlPartNone jsCtxRegexp attrURL elementNone <nil>}',
      ),
    );
    expect(() => set.executeHtml('<p>{{ .Status | html | toUpper }}</p>', data)).toThrow(
      'html/template::1:6: predefined escaper "html" disallowed in template',
    );
  });

  it('names a template derived for an attribute context in execution errors', () => {
    const set = alertmanagerTemplates().parse('t', '{{ define "bad" }}{{ index . 3 }}{{ end }}');
    expect(() => set.executeHtml('<a title="{{ template "bad" .CommonLabels.Names }}">', data)).toThrow(
      /^template: t:1:21: executing "bad\$htmltemplate_stateAttr_delimDoubleQuote" at <index \. 3>: error calling index: index out of range: 3$/,
    );
  });

  it('escapes a recursive template called from an attribute (template text in attributes is kept)', () => {
    const set = alertmanagerTemplates().parse(
      't',
      '{{ define "rec" }}{{ if . }}<{{ index . 0 }}>{{ template "rec" (slice . 1) }}{{ end }}{{ end }}',
    );
    expect(set.executeHtml('<p title="{{ template "rec" .CommonLabels.Values }}">x</p>', data)).toBe(
      '<p title="<&#34;&gt;&lt;script&gt;alert(1)&lt;/script&gt;>">x</p>',
    );
  });

  it('decodes character references in attribute values before tracking their context (as Go 1.19)', () => {
    const set = alertmanagerTemplates();
    const run = (t: string) => set.executeHtml(t, 'a b/c?');
    expect(run('<a href="&quest;{{.}}">')).toBe('<a href="&quest;a%20b%2fc%3f">');
    expect(run('<a href="&num{{.}}">')).toBe('<a href="&numa%20b/c?">');
    expect(run('<a href="/x&ampquest;{{.}}">')).toBe('<a href="/x&ampquest;a%20b/c?">');
    expect(run('<a href="javascript&colon;{{.}}">')).toBe('<a href="javascript&colon;a%20b/c?">');
    expect(run('<a onclick="&#34;{{.}}&#34;">')).toBe('<a onclick="&#34;a b\\/c?&#34;">');
  });

  it('treats safeHtml results as strings of another type, as Go 1.19 does', () => {
    const set = alertmanagerTemplates();
    const run = (t: string) => set.executeHtml(t, 'x');
    expect(run('{{ len (safeHtml "ab") }}')).toBe('2');
    expect(run('{{ eq (safeHtml "a") "a" }}')).toBe('true');
    expect(run('{{ printf "%s|%v|%q" (safeHtml "<b>") (safeHtml "<b>") (safeHtml "<b>") }}')).toBe(
      '&lt;b&gt;|&lt;b&gt;|&#34;&lt;b&gt;&#34;',
    );
    expect(run('{{ print (safeHtml "<b>") 1 }}')).toBe('&lt;b&gt;1');
    expect(run('{{ with safeHtml "" }}t{{ else }}f{{ end }}{{ with safeHtml "<i>" }}{{ . }}{{ end }}')).toBe(
      'f<i>',
    );
    expect(run('{{ html (safeHtml "<b>") }}|{{ safeHtml "<b>" | urlquery }}')).toBe('&lt;b&gt;|%3Cb%3E');
    expect(() => run('{{ safeHtml "<b>" | toUpper }}')).toThrow(
      'template: :1:20: executing "" at <toUpper>: wrong type for value; expected string; got template.HTML',
    );
  });

  it('never lets a hostile value through verbatim, in any context', () => {
    const set = alertmanagerTemplates();
    const contexts = [
      '<p>{{.}}</p>',
      '<p title="{{.}}">',
      "<p title='{{.}}'>",
      '<p title={{.}}>',
      '<a href="{{.}}">',
      '<a href="/x?q={{.}}">',
      '<a href={{.}}>',
      '<p style="color: {{.}}">',
      '<p style="content: \'{{.}}\'">',
      '<p style="background: url({{.}})">',
      '<style>p { color: {{.}} }</style>',
      '<script>var x = {{.}};</script>',
      '<script>var x = "{{.}}";</script>',
      "<script>var x = '{{.}}';</script>",
      '<script>var x = /{{.}}/;</script>',
      '<script>/* {{.}} */</script>',
      '<script>// {{.}}\n</script>',
      '<button onclick="f({{.}})">',
      '<title>{{.}}</title>',
      '<textarea>{{.}}</textarea>',
      '<!-- {{.}} -->',
      '<img srcset="{{.}}">',
      '<p {{.}}="x">',
    ];
    for (const hostile of [`"><script>alert(1)</script>`, `'</style></script><b onmouseover=x>`]) {
      const d = templateData({
        receiver: hostile,
        status: 'firing',
        alerts: [],
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: '',
      });
      for (const c of contexts) {
        const out = set.executeHtml(c.split('{{.}}').join('{{ .Receiver }}'), d);
        expect({ c, leaked: out.includes(hostile) || /<script>alert|<b onmouseover/.test(out) }).toEqual({
          c,
          leaked: false,
        });
      }
    }
  });
});

describe('escaping functions (Go html/template semantics)', () => {
  it('html text, attribute and unquoted-attribute escaping', () => {
    expect(escapers.htmlEscaper(`<a href="x">'&+\0`)).toBe('&lt;a href=&#34;x&#34;&gt;&#39;&amp;&#43;\uFFFD');
    expect(escapers.htmlNospaceEscaper('a b=c`\uFDD0')).toBe('a&#32;b&#61;c&#96;&#xfdd0;');
    expect(escapers.stripTags('<b>bold</b> &amp; <i title="x">it</i>')).toBe('bold &amp; it');
  });

  it('JS values are JSON with HTML-safe escapes, padded when they start or end like an identifier', () => {
    expect(escapers.jsValEscaper('</script>')).toBe('"\\u003c/script\\u003e"');
    expect(escapers.jsValEscaper(42)).toBe(' 42 ');
    expect(escapers.jsValEscaper(null)).toBe(' null ');
    expect(escapers.jsValEscaper(new GoFloat(NaN))).toBe(' /* json: unsupported value: NaN */null ');
    expect(escapers.jsStrEscaper('a\'b"c\\d/e\u2028')).toBe('a\\u0027b\\u0022c\\\\d\\/e\\u2028');
    expect(escapers.jsRegexpEscaper('')).toBe('(?:)');
    expect(escapers.jsRegexpEscaper('a.b*')).toBe('a\\.b\\*');
  });

  it('URLs: unsafe schemes filtered, normalisation keeps reserved characters and valid %XX', () => {
    expect(escapers.urlFilter('javascript:alert(1)')).toBe('#ZgotmplZ');
    expect(escapers.urlFilter('HTTPS://x')).toBe('HTTPS://x');
    expect(escapers.urlFilter('/a:b')).toBe('/a:b');
    expect(escapers.urlNormalizer('/a b/%41%zz/é?x=1&y')).toBe('/a%20b/%41%25zz/%c3%a9?x=1&y');
    expect(escapers.urlEscaper('a b&c=d/é')).toBe('a%20b%26c%3dd%2f%c3%a9');
    expect(escapers.srcsetEscaper('/a.png 1x, javascript:x 2x, /b c.png, /d.png 2x')).toBe(
      '/a.png 1x,#ZgotmplZ,#ZgotmplZ, /d.png 2x',
    );
  });

  it('CSS: values filtered, strings escaped with a space after hex escapes', () => {
    expect(escapers.cssValueFilter('#f00')).toBe('#f00');
    expect(escapers.cssValueFilter('expression(x)')).toBe('ZgotmplZ');
    expect(escapers.cssValueFilter('e\\78 pression')).toBe('ZgotmplZ');
    expect(escapers.cssValueFilter('a--b')).toBe('ZgotmplZ');
    expect(escapers.cssEscaper('a"b\\c+1')).toBe('a\\22 b\\\\c\\2b 1');
  });

  it('attribute names from data: only plain, alphanumeric names', () => {
    expect(escapers.htmlNameFilter('Title')).toBe('title');
    expect(escapers.htmlNameFilter('onclick')).toBe('ZgotmplZ');
    expect(escapers.htmlNameFilter('href')).toBe('ZgotmplZ');
    expect(escapers.htmlNameFilter('a-b')).toBe('ZgotmplZ');
    expect(escapers.htmlNameFilter('')).toBe('ZgotmplZ');
  });
});
