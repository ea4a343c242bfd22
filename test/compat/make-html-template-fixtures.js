#!/usr/bin/env node
// Records Alertmanager 0.25's html/template output (what its e-mail notifier puts in the HTML part) as
// ground truth for Herald's contextual autoescaping:
//   node test/compat/make-html-template-fixtures.js [path/to/alertmanager]
// Writes test/compat/html-templates-am025.json (prettier-formatted); replayed by
// libs/domain/src/template/html-conformance.spec.ts. Takes about 10 s; byte-identical between runs.
//
// `amtool template render` only runs text/template, so this runs a real Alertmanager: one e-mail
// receiver per case (`html: '{{ template "case_N" . }}'`, the case body a `define` in a templates file),
// each on its own route with `continue: true`, all sending to a local SMTP capture; the HTML part is
// decoded from quoted-printable. A webhook receiver on the same group records the template data
// Alertmanager used (its payload), so the replay renders over exactly that data. Cases whose escaping
// or execution fails send no mail: their error is read from Alertmanager's log ("execute html
// template: …"). Alertmanager is started here rather than through am-common's startAlertmanager
// because that one inherits stderr, and the log is needed.
// The alerts' startsAt is the recording's clock; it is replaced by a fixed instant in the fixture.
'use strict';

const { spawn, spawnSync } = require('node:child_process');
const { freePort, request, sleep } = require('./am-common');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { SMTPServer } = require('smtp-server');

const BINARY = process.argv[2] || '/usr/bin/prometheus-alertmanager';
const OUT = path.join(__dirname, 'html-templates-am025.json');
const EXTERNAL_URL = 'http://alertmanager.example:9093';
const FIXED_TIME = '2024-03-10T08:15:30Z';

const ALERTS = [
  {
    labels: {
      alertname: 'Html<&>',
      severity: 'critical',
      instance: 'web-1:80',
      path: '/a?b=c&d="e"',
      team: "o'brien + co",
    },
    annotations: {
      summary: `<b>bold</b> & "quoted" 'single' +plus`,
      description: 'line1\nline2 <script>alert(1)</script>',
      url: 'javascript:alert(1)',
      link: 'https://example.com/x?y=1&z=<2>',
      style: 'red; background: url(x)',
      color: '#ff0000',
      num: '42',
      space: 'a b\tc',
      slash: '</script><b>',
      nul: 'x\u0000y',
      unicode: 'héllo wörld ✓ \u2028',
    },
  },
  {
    labels: {
      alertname: 'Html<&>',
      severity: 'warning',
      instance: 'web-2:80',
      path: '/ü/é',
      team: "o'brien + co",
    },
    annotations: {
      summary: `<b>bold</b> & "quoted" 'single' +plus`,
      detail: 'plain detail',
      url: 'http://example.com/ok',
      link: '/relative/path?q=a b',
    },
  },
];

// Helper templates the cases call from different contexts.
const HELPERS = `{{ define "h.v" }}{{ . }}{{ end }}
{{ define "h.summary" }}{{ .CommonAnnotations.summary }}{{ end }}
{{ define "h.link" }}<a href="{{ . }}">{{ . }}</a>{{ end }}
{{ define "h.li" }}{{ range . }}<li class="{{ .Labels.severity }}">{{ .Annotations.summary }}</li>{{ end }}{{ end }}
{{ define "h.safe" }}{{ "<i>it</i>" | safeHtml }}{{ end }}
{{ define "h.opentag" }}<b title="{{ . }}">{{ end }}
{{ define "h.bad" }}<i>{{ .Nope }}</i>{{ end }}
{{ define "h.rec" }}{{ if . }}<i>{{ . }}</i>{{ template "h.rec" (slice . 1) }}{{ end }}{{ end }}
`;

// [name, body] pairs; each body becomes {{ define "case_N" }}body{{ end }}.
const CASES = [];
const C = (name, body) => CASES.push([name, body]);

// Text nodes.
C('text annotation', '<p>{{ .CommonAnnotations.summary }}</p>');
C('text labels', '<p>{{ .GroupLabels.alertname }} / {{ .CommonLabels.team }}</p>');
C('text receiver and status', '<h1>{{ .Receiver }}: {{ .Status | toUpper }}</h1>');
C(
  'text range alerts',
  '<ul>{{ range .Alerts }}<li>{{ .Labels.instance }}: {{ .Annotations.summary }} {{ .Annotations.detail }}</li>{{ end }}</ul>',
);
C(
  'text range sorted pairs',
  '{{ range .CommonLabels.SortedPairs }}<b>{{ .Name }}</b>={{ .Value }}<br>{{ end }}',
);
C('text newline description', '<pre>{{ (index .Alerts 0).Annotations.description }}</pre>');
C('text nul byte', '<p>{{ (index .Alerts 0).Annotations.nul }}</p>');
C('text unicode', '<p>{{ (index .Alerts 0).Annotations.unicode }}</p>');
C('text number', '<p>{{ len .Alerts }} alerts, {{ .Alerts.Firing | len }} firing</p>');
C('text printf', '<p>{{ printf "%s <%d>" .CommonLabels.team 3 }}</p>');
C('text map', '<p>{{ .GroupLabels }}</p>');
C('text slice', '<p>{{ .CommonLabels.Names }}</p>');
C('text missing key', '<p>[{{ .CommonAnnotations.nope }}]</p>');
C('error field of a string', '<p>[{{ .CommonLabels.nope.x }}]</p>');
C('text bool', '<p>{{ eq .Status "firing" }}</p>');
C('text lt in template text', '<p>a < b && c > d</p>{{ .Status }}');
C('text doctype', '<!DOCTYPE html><html><body>{{ .Status }}</body></html>');
C('text join', '<p>{{ join ", " .CommonLabels.Values }}</p>');
C('text title func', '<p>{{ title .CommonAnnotations.summary }}</p>');
C('text toUpper', '<p>{{ toUpper .CommonLabels.team }}</p>');
C('text reReplaceAll', '<p>{{ reReplaceAll "<[^>]*>" "" .CommonAnnotations.summary }}</p>');
C('text variables', '{{ $s := .CommonAnnotations.summary }}<p>{{ $s }}</p>{{ $s = "x<y" }}<p>{{ $s }}</p>');
C('text with', '{{ with .CommonAnnotations.summary }}<p>{{ . }}</p>{{ else }}none{{ end }}');
C(
  'text with else',
  '{{ with .CommonAnnotations.nope }}<p>{{ . }}</p>{{ else }}<p>none {{ $.Status }}</p>{{ end }}',
);
C('text if else', '{{ if eq .Status "firing" }}<b>{{ .Status }}</b>{{ else }}<i>{{ .Status }}</i>{{ end }}');
C(
  'text range index',
  '{{ range $i, $a := .Alerts }}{{ if $i }}, {{ end }}{{ $i }}:{{ $a.Labels.path }}{{ end }}',
);
C('text range break', '{{ range .Alerts }}<b>{{ .Labels.instance }}</b>{{ break }}{{ end }}');
C(
  'text range continue',
  '{{ range .Alerts }}{{ if eq .Labels.severity "warning" }}{{ continue }}{{ end }}<b>{{ .Labels.instance }}</b>{{ end }}',
);
C('text range else', '{{ range .Alerts.Resolved }}<b>{{ . }}</b>{{ else }}<i>no resolved</i>{{ end }}');
C('text plus sign', '<p>{{ "1+1" }}</p>');
C('text ampersand entity', '<p>&amp; {{ "&amp;" }}</p>');
C('text trim markers', '<p>\n  {{- .Status -}}\n</p>');

// Predefined escapers.
C('html func last', '<p>{{ .CommonAnnotations.summary | html }}</p>');
C('html func args', '<p>{{ html .CommonLabels.team .Status }}</p>');
C('urlquery in text', '<p>{{ .CommonLabels.team | urlquery }}</p>');
C('urlquery in href query', '<a href="/s?q={{ .CommonLabels.team | urlquery }}">x</a>');
C('html func in attr', '<a title="{{ .CommonAnnotations.summary | html }}">x</a>');
C('js func', '<p>{{ js .CommonAnnotations.summary }}</p>');

// safeHtml.
C('safeHtml text', '<div>{{ .CommonAnnotations.summary | safeHtml }}</div>');
C('safeHtml literal', '<div>{{ safeHtml "<b>ok</b> & more" }}</div>');
C('safeHtml in attr', '<a title="{{ safeHtml "<b>bold</b> & x" }}">x</a>');
C('safeHtml in unquoted attr', '<a title={{ safeHtml "<b>bold</b> x" }}>x</a>');
C('safeHtml in title', '<title>{{ safeHtml "<b>a</b> &amp; b" }}</title>');
C('safeHtml in script', '<script>var h = {{ safeHtml "<b>a</b>" }};</script>');
C('safeHtml in js string', '<script>var h = "{{ safeHtml "<b>a</b>" }}";</script>');
C('safeHtml in href', '<a href="{{ safeHtml "javascript:x()" }}">x</a>');
C('safeHtml in css', '<p style="color: {{ safeHtml "red" }}">x</p>');
C('safeHtml helper', '<p>{{ template "h.safe" }}</p><a title="{{ template "h.safe" }}">x</a>');

// Attributes.
C('attr quoted', '<a title="{{ .CommonAnnotations.summary }}">x</a>');
C('attr single quoted', "<a title='{{ .CommonAnnotations.summary }}'>x</a>");
C('attr unquoted', '<a title={{ .CommonAnnotations.summary }}>x</a>');
C('attr unquoted space value', '<a title={{ (index .Alerts 0).Annotations.space }}>x</a>');
C('attr class range', '<td class="{{ range .Alerts }}{{ .Labels.severity }} {{ end }}">x</td>');
C('attr if', '<td class="{{ if eq .Status "firing" }}red{{ else }}green{{ end }}">{{ .Status }}</td>');
C('attr with', '<td title="{{ with .CommonLabels.team }}{{ . }}{{ end }}">x</td>');
C('attr mixed text', '<td title="team {{ .CommonLabels.team }}!">x</td>');
C(
  'attr data-',
  '<div data-team="{{ .CommonLabels.team }}" data-url="{{ (index .Alerts 0).Annotations.url }}">x</div>',
);
C('attr name from data', '<div {{ "title" }}="x">y</div>');
C('attr bad name from data', '<div {{ .CommonLabels.team }}="x">y</div>');
C('attr name onclick from data', '<div {{ "onclick" }}="x">y</div>');
C(
  'attr value after name',
  '<input value="{{ (index .Alerts 0).Labels.path }}" name="{{ (index .Alerts 1).Labels.severity }}">',
);
C('attr boolean then action', '<input checked {{ "disabled" }}>');
C('attr name=value from data', '<a {{ "title=x" }}>y</a>');
C('attr range break', '<p title="{{ range .Alerts }}{{ .Labels.instance }}{{ break }}{{ end }}">x</p>');
C('attr id number', '<div id="n{{ len .Alerts }}">x</div>');
C('attr alt img', '<img alt="{{ .CommonAnnotations.summary }}">');
C('attr type unsafe', '<input type="{{ .Status }}">');
C(
  'attr template call',
  '<b title="{{ template "h.v" .CommonAnnotations.summary }}">{{ template "h.v" .CommonAnnotations.summary }}</b>',
);
C('attr summary via helper', '<b title="{{ template "h.summary" . }}">{{ template "h.summary" . }}</b>');
C('attr helper opening tag', '{{ template "h.opentag" .CommonLabels.team }}text</b>');
C('attr entity in text', '<a title="&lt;{{ .Status }}&gt;">x</a>');

// URLs.
C('href http annotation', '<a href="{{ (index .Alerts 1).Annotations.url }}">x</a>');
C('href javascript annotation', '<a href="{{ (index .Alerts 0).Annotations.url }}">x</a>');
C('href javascript literal', '<a href="{{ "javascript:alert(1)" }}">x</a>');
C('href JaVaScRiPt', '<a href="{{ "JaVaScRiPt:x" }}">x</a>');
C('href mailto', '<a href="{{ "mailto:a@b.example?subject=x y" }}">x</a>');
C('href data uri', '<a href="{{ "data:text/html,<b>x</b>" }}">x</a>');
C('href relative', '<a href="{{ (index .Alerts 1).Annotations.link }}">x</a>');
C('href with query chars', '<a href="{{ (index .Alerts 0).Annotations.link }}">x</a>');
C('href external url', '<a href="{{ .ExternalURL }}/#/alerts?receiver={{ .Receiver }}">x</a>');
C(
  'href query param',
  '<a href="https://x.example/search?q={{ .CommonAnnotations.summary }}&n={{ len .Alerts }}">x</a>',
);
C('href fragment', '<a href="https://x.example/page#{{ .CommonLabels.team }}">x</a>');
C('href path segment', '<a href="https://x.example/{{ .CommonLabels.path }}/x">x</a>');
C('href path unicode', '<a href="/{{ (index .Alerts 1).Labels.path }}">x</a>');
C('href unquoted', '<a href={{ (index .Alerts 0).Annotations.link }}>x</a>');
C('href percent', '<a href="{{ "/a%20b%zz" }}">x</a>');
C('src img', '<img src="{{ (index .Alerts 0).Annotations.link }}">');
C('href template call', '<a href="{{ template "h.v" (index .Alerts 0).Annotations.url }}">x</a>');
C('href helper link', '{{ template "h.link" (index .Alerts 0).Annotations.link }}');
C('href generator url', '{{ range .Alerts }}<a href="{{ .GeneratorURL }}">src</a>{{ end }}');
C('href if branches', '<a href="{{ if true }}/a{{ else }}/b{{ end }}?x={{ .Status }}">x</a>');
C('srcset', '<img srcset="{{ "/a.png 1x, javascript:x 2x" }}">');
C('action attr url', '<form action="{{ (index .Alerts 0).Annotations.url }}"></form>');

// CSS.
C('style attr value', '<p style="color: {{ (index .Alerts 0).Annotations.color }}">x</p>');
C('style attr bad value', '<p style="color: {{ (index .Alerts 0).Annotations.style }}">x</p>');
C('style attr word', '<p style="color: {{ "red" }}; width: {{ 10 }}px">x</p>');
C('style attr expression', '<p style="width: {{ "expression(alert(1))" }}">x</p>');
C('style attr string', `<p style="font-family: '{{ .CommonLabels.team }}'">x</p>`);
C('style attr url', '<p style="background: url({{ (index .Alerts 1).Annotations.link }})">x</p>');
C('style attr url quoted', `<p style="background: url('{{ (index .Alerts 0).Annotations.url }}')">x</p>`);
C('style element', '<style>p { color: {{ (index .Alerts 0).Annotations.color }}; }</style><p>x</p>');
C('style element string', '<style>p:before { content: "{{ .CommonAnnotations.summary }}"; }</style>');
C('style element comment', '<style>/* c */ p { color: red; } // x\n</style>{{ .Status }}');

// JS.
C('script value string', '<script>var s = {{ .CommonAnnotations.summary }};</script>');
C('script value number', '<script>var n = {{ len .Alerts }};</script>');
C('script value bool', '<script>var b = {{ eq .Status "firing" }};</script>');
C('script value map', '<script>var m = {{ .CommonLabels }};</script>');
C('script value slice', '<script>var l = {{ .CommonLabels.Names }};</script>');
C('script value empty', '<script>var x = {{ .CommonLabels.nope }};</script>');
C('script value alerts', '<script>var a = {{ .Alerts }};</script>');
C('script value pairs', '<script>var p = {{ .CommonLabels.SortedPairs }};</script>');
C('script dq string', '<script>var s = "{{ .CommonAnnotations.summary }}";</script>');
C('script sq string', "<script>var s = '{{ (index .Alerts 0).Annotations.slash }}';</script>");
C('script string unicode', '<script>var s = "{{ (index .Alerts 0).Annotations.unicode }}";</script>');
C('script string newline', '<script>var s = "{{ (index .Alerts 0).Annotations.description }}";</script>');
C('script regexp', '<script>var r = /{{ .CommonLabels.path }}/;</script>');
C('script after value division', '<script>var x = {{ len .Alerts }} / 2;</script>');
C('script comments', '<script>// line {{ "c" }}\nvar x = 1; /* block */ var y = {{ .Status }};</script>');
C('script division after values', '<script>var x = {{ .Status }}/{{ len .Alerts }}/2;</script>');
C('script regexp after return', '<script>function f() { return /{{ .Status }}/.test("x"); }</script>');
C('script range values', '<script>var l = [{{ range .Alerts }}{{ .Labels.instance }},{{ end }}];</script>');
C('script type text', '<script type="text/template"><b>{{ .Status }}</b></script>');
C('script type js', '<script type="text/javascript">var s = {{ .Status }};</script>');
C('script closing in value', '<script>var s = {{ (index .Alerts 0).Annotations.slash }};</script>');
C('onclick attr', '<button onclick="alert({{ .CommonAnnotations.summary }})">x</button>');
C('onclick string', `<button onclick="alert('{{ .CommonLabels.team }}')">x</button>`);
C('script template call', '<script>var v = {{ template "h.v" .CommonLabels.team }};</script>');
C('script printf', '<script>var v = {{ printf "%d items" (len .Alerts) }};</script>');

// RCDATA and comments.
C('title element', '<title>{{ .CommonAnnotations.summary }}</title>');
C('title element subject', '<title>{{ template "__subject" . }}</title>');
C('textarea element', '<textarea>{{ (index .Alerts 0).Annotations.description }}</textarea>');
C('html comment stripped', '<!-- secret {{ .Status }} -->visible<!-- another -->');
C('html comment with tags', '<p><!-- <b>no</b> -->{{ .Status }}</p>');
C('html comment and text', 'a<!-- b -->c{{ .Status }}d');

// Nested templates from different contexts.
C('nested list helper', '<ul>{{ template "h.li" .Alerts }}</ul>');
C(
  'nested same helper three contexts',
  '{{ template "h.v" .Status }}<a title="{{ template "h.v" .Status }}" href="/{{ template "h.v" .Status }}">x</a><script>var x = {{ template "h.v" .Status }};</script>',
);
C('nested recursive', '{{ template "h.rec" .CommonLabels.Names }}');
C('nested define in case', '{{ template "h.v" "<" }}{{ template "h.v" "&" }}');

// Typical e-mail body.
C(
  'email body',
  `<!DOCTYPE html><html><head><meta charset="UTF-8"><title>{{ .GroupLabels.alertname }}</title>
<style>td { padding: 4px; } .critical { color: {{ "red" }}; }</style></head>
<body><h2>[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.alertname }}</h2>
<table>{{ range .Alerts }}<tr class="{{ .Labels.severity }}"><td>{{ .Labels.instance }}</td><td>{{ .Annotations.summary }}</td>
<td><a href="{{ .GeneratorURL }}">source</a>{{ with .Annotations.link }} <a href="{{ . }}">link</a>{{ end }}</td></tr>{{ end }}</table>
<p><a href="{{ template "__alertmanagerURL" . }}">View in {{ template "__alertmanager" . }}</a></p></body></html>`,
);

// Errors (no mail: the message comes from Alertmanager's log).
C('error branches differ', '{{ if eq .Status "firing" }}<a href="x">{{ else }}<a href="{{ end }}x">y</a>');
C('error ends in tag', '<a href="{{ .Status }}');
C('error ends in attr', '<b title="{{ .Status }}">x</b><i title="');
C('error ambiguous url', '<a href="{{ if true }}/a?{{ end }}{{ .Status }}">x</a>');
C('error predefined escaper not last', '<p>{{ .Status | html | toUpper }}</p>');
C('error html in unquoted attr', '<a title={{ .Status | html }}>x</a>');
C('error js template literal', '<script>var s = `{{ .Status }}`;</script>');
C('error unquoted attr quote', '<a title=x"y{{ .Status }}>z</a>');
C('error attr name quote', '<a ti"tle="{{ .Status }}">z</a>');
C('error range reentry', '{{ range .Alerts }}<a title="{{ end }}">x</a>');
C('error no such template', '<p>{{ template "nope" . }}</p>');
C('error exec in escaped', '<p>{{ .Status.Nope }}</p>');
C('error exec inside derived template', '<a title="{{ template "h.bad" . }}">x</a>');
C('error exec in template argument', '<a title="{{ template "h.v" (index .Alerts 5) }}">x</a>');
C('script branches then slash', '<script>{{ if true }}x{{ else }}1{{ end }}/ 2</script>');
C('error safeHtml into string func', '<p>{{ "x" | safeHtml | toUpper }}</p>');

const lines = (s) => s.split('\r\n');

function templatesFile() {
  return HELPERS + CASES.map(([, body], i) => `{{ define "case_${i}" }}${body}{{ end }}`).join('\n') + '\n';
}

function startSmtp() {
  const mails = [];
  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    onData(stream, session, cb) {
      const chunks = [];
      stream.on('data', (c) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, mails })));
}

/** The text/html part of a captured message, quoted-printable decoded. */
function htmlPart(raw) {
  const b = /boundary="?([^";\r\n]+)"?/i.exec(raw);
  if (!b) throw new Error('no MIME boundary in message');
  for (const part of raw.split(`--${b[1]}`)) {
    const sep = part.indexOf('\r\n\r\n');
    if (sep < 0) continue;
    const head = part.slice(0, sep);
    if (!/content-type:\s*text\/html/i.test(head)) continue;
    let body = part.slice(sep + 4).replace(/\r\n$/, '');
    if (/quoted-printable/i.test(head))
      body = Buffer.from(
        body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/g, (_, x) => String.fromCharCode(parseInt(x, 16))),
        'latin1',
      ).toString('utf8');
    // quoted-printable transports line breaks as CRLF; Alertmanager's template wrote LF.
    return lines(body).join('\n');
  }
  throw new Error(`no text/html part in message:\n${raw}`);
}

async function main() {
  const version = spawnSync(BINARY, ['--version'], { encoding: 'utf8' });
  const source = (version.stdout || version.stderr).split('\n')[0].trim();
  if (!/version 0\.25\./.test(source)) throw new Error(`need Alertmanager 0.25, got: ${source}`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-html-fixtures-'));
  const smtp = await startSmtp();
  const payloads = [];
  const hook = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      payloads.push(JSON.parse(body));
      res.end('ok');
    });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  const smtpHost = `127.0.0.1:${smtp.server.server.address().port}`;
  fs.writeFileSync(path.join(dir, 'cases.tmpl'), templatesFile());
  const receivers = CASES.map((_, i) => ({
    name: `case_${i}`,
    email_configs: [
      {
        to: `case_${i}@example.com`,
        smarthost: smtpHost,
        require_tls: false,
        html: `{{ template "case_${i}" . }}`,
      },
    ],
  }));
  const config = {
    global: { resolve_timeout: '5m', smtp_from: 'alertmanager@example.com', smtp_require_tls: false },
    templates: [path.join(dir, '*.tmpl')],
    route: {
      receiver: 'blackhole',
      group_by: ['alertname'],
      group_wait: '2s',
      group_interval: '1h',
      repeat_interval: '1h',
      routes: [
        { receiver: 'data', continue: true },
        ...receivers.map((r) => ({ receiver: r.name, continue: true })),
      ],
    },
    receivers: [
      { name: 'blackhole' },
      { name: 'data', webhook_configs: [{ url: `http://127.0.0.1:${hook.address().port}/` }] },
      ...receivers,
    ],
  };
  fs.writeFileSync(path.join(dir, 'alertmanager.yml'), JSON.stringify(config, null, 2));
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const am = spawn(
    BINARY,
    [
      `--config.file=${path.join(dir, 'alertmanager.yml')}`,
      `--storage.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--cluster.listen-address=',
      '--log.level=warn',
      `--web.external-url=${EXTERNAL_URL}`,
    ],
    { stdio: ['ignore', 'inherit', 'pipe'] },
  );
  let log = '';
  am.stderr.on('data', (c) => (log += c));
  const exited = new Promise((r) => am.once('exit', r));
  try {
    for (let i = 0; ; i++) {
      const ready = await request('GET', `${base}/-/ready`).catch(() => undefined);
      if (ready && ready.status === 200) break;
      if (i > 100 || am.exitCode !== null) throw new Error(`Alertmanager did not become ready:\n${log}`);
      await sleep(100);
    }
    const startsAt = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    const posted = await request(
      'POST',
      `${base}/api/v2/alerts`,
      ALERTS.map((a) => ({
        ...a,
        startsAt,
        generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up%3D%3D0&x=<y>',
      })),
    );
    if (posted.status !== 200) throw new Error(`posting alerts: ${posted.status} ${posted.body}`);
    const errorOf = (name) => {
      const m = new RegExp(
        `err="${name}/email\\[0\\]: [^"]*?execute html template: ((?:[^"\\\\]|\\\\.)*)"`,
      ).exec(log);
      return m ? JSON.parse(`"${m[1]}"`) : undefined;
    };
    const done = () =>
      payloads.length > 0 &&
      CASES.every(
        (_, i) => smtp.mails.some((m) => m.to.includes(`case_${i}@example.com`)) || errorOf(`case_${i}`),
      );
    for (let waited = 0; !done(); waited += 100) {
      if (waited > 30000) {
        const missing = CASES.map((c, i) => [c[0], i]).filter(
          ([, i]) => !smtp.mails.some((m) => m.to.includes(`case_${i}@example.com`)) && !errorOf(`case_${i}`),
        );
        throw new Error(`timed out; missing: ${JSON.stringify(missing)}\n${log}`);
      }
      await sleep(100);
    }
    await sleep(1000); // log lines of failures whose partial mail arrived first
    const data = JSON.parse(JSON.stringify(payloads[0]).split(startsAt).join(FIXED_TIME));
    delete data.groupKey; // holds the route's internal id
    const fix = (s) => s.split(startsAt).join(FIXED_TIME);
    const cases = CASES.map(([name, body], i) => {
      const mail = smtp.mails.find((m) => m.to.includes(`case_${i}@example.com`));
      const c = { name, body };
      // A failing html template still sends the headers written so far: the log decides.
      const error = errorOf(`case_${i}`);
      if (error !== undefined) c.error = error;
      else c.output = fix(htmlPart(mail.raw));
      return c;
    });
    const fixture = {
      source: `${source}; html/template output of its e-mail notifier (SMTP capture) over the data of its webhook payload`,
      notes: [
        'Each case body is {{ define "case_N" }}…{{ end }} in cases.tmpl (with the helpers); the e-mail html field is {{ template "case_N" . }}.',
        'data is the webhook payload Alertmanager sent for the same group; .Receiver is the case receiver name case_N.',
        `The alerts' startsAt (the recording's clock) is replaced by ${FIXED_TIME} in data and outputs.`,
      ],
      helpers: HELPERS,
      data,
      cases,
    };
    fs.writeFileSync(OUT, JSON.stringify(fixture, null, 2) + '\n');
    spawnSync('npx', ['prettier', '--write', OUT], { stdio: 'ignore' });
    const errs = cases.filter((c) => c.error !== undefined).length;
    console.log(`wrote ${OUT}: ${cases.length} cases (${errs} errors)`);
  } finally {
    am.kill('SIGTERM');
    await exited;
    smtp.server.close();
    hook.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
