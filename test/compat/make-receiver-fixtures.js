#!/usr/bin/env node
// Records what a real Alertmanager 0.25 sends to every receiver kind it has, as ground truth for
// Herald's integrations:
//   node test/compat/make-receiver-fixtures.js [path/to/alertmanager]
// Writes test/compat/receivers-am025.json in about 6 seconds (byte-identical between runs).
//
// One Alertmanager gets two receivers per kind (`<kind>-default`: only the required fields, so the
// default templates show; `<kind>-custom`: templated fields from a `templates:` file and inline Go
// templates), every receiver on its own route with `continue: true`. Every HTTP integration points at
// one local capture server (distinct path per receiver); e-mail goes to a local SMTP capture. Pushover's
// and PagerDuty v1's (service_key) URLs are fixed https URLs in 0.25, so those receivers use `http_config.proxy_url` to the
// capture server, which answers CONNECT and terminates TLS with a throw-away self-signed certificate
// (`insecure_skip_verify`).
//
// Three phases, each waiting until every receiver has the expected number of notifications (polled,
// no blind sleeps): 3 alerts firing; one of them resolved; all resolved. Alert times are replaced by
// markers, so bodies are deterministic; otherwise only the e-mail Date/Message-Id/MIME boundary and
// SNS's request signature change per run and are normalised.
// Uses the smtp-server dev dependency and openssl (for the proxy's certificate).
'use strict';

const { execFileSync } = require('node:child_process');
const { spawn } = require('node:child_process');
const { freePort, request, sleep, startAlertmanager } = require('./am-common');
const { normaliseHttp, normaliseMail, selfSignedCert } = require('./receiver-normalise');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const { SMTPServer } = require('smtp-server');

const BINARY = process.argv[2] || '/usr/bin/prometheus-alertmanager';
const OUT = path.join(__dirname, 'receivers-am025.json');
const MAX_BODY = 1 << 20;
// Templates and payloads embed the external URL; the default (hostname and random port) would make
// every recording differ.
const EXTERNAL_URL = 'http://alertmanager.example:9093';

// Alert times are whole seconds of the recording's own clock, replaced in the fixture by these markers.
// They cannot be fixed instants in the past: Alertmanager flushes a new group at once when an alert's
// startsAt + group_wait is already past, before the rest of the POST is ingested (a 1-alert first
// notification). Fresh startsAt with group_wait 3s lets all three arrive first.
const TIME_MARKERS = ['<STARTS_0>', '<STARTS_1>', '<STARTS_2>', '<END_FIRST>', '<END_ALL>'];
const iso = (ms) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
const ATTEMPTS = 3;

const ALERTS = [
  {
    labels: { alertname: 'HighLatency', severity: 'critical', instance: 'api-1', job: 'api', env: 'prod' },
    annotations: {
      summary: 'p99 latency above 2s on api-1',
      description: 'Latency has been above 2s for 10 minutes.\nCheck the <db> & cache.',
      runbook_url: 'https://runbooks.example/latency',
    },
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=latency%3E2',
  },
  {
    labels: { alertname: 'HighLatency', severity: 'critical', instance: 'api-2', job: 'api', env: 'prod' },
    annotations: { summary: 'p99 latency above 2s on api-2', description: 'Latency "high" on api-2.' },
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=latency%3E2',
  },
  {
    labels: { alertname: 'HighLatency', severity: 'warning', instance: 'api-3', job: 'api', env: 'prod' },
    annotations: { summary: 'p99 latency above 1s on api-3' },
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=latency%3E1',
  },
];

const CUSTOM_TMPL = `{{ define "custom.title" }}[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .GroupLabels.alertname }} ({{ .CommonLabels.job }}){{ end }}
{{ define "custom.text" }}{{ range .Alerts }}{{ if eq .Status "firing" }}🔥{{ else }}✅{{ end }} {{ .Labels.instance }}: {{ .Annotations.summary }}
{{ end }}{{ end }}
{{ define "custom.details" }}{{ range .CommonLabels.SortedPairs }}{{ .Name }}={{ .Value }};{{ end }}{{ end }}
{{ define "custom.funcs" }}{{ .CommonLabels.Names | join "," }}|{{ .GroupLabels.Values | join "+" }}|{{ title "hello wORLD" }}|{{ toLower "ABC" }}|{{ reReplaceAll "api-([0-9])" "node$1" "api-1 api-2" }}|{{ if match "^High" .GroupLabels.alertname }}matched{{ end }}|{{ join ";" (stringSlice "a" "b") }}|{{ (.CommonLabels.Remove (stringSlice "env" "job")).SortedPairs.Values | join "," }}|{{ len .Alerts.Resolved }}|{{ with .CommonAnnotations.summary }}{{ . }}{{ else }}no common summary{{ end }}|{{ $n := len .Alerts }}{{ range $i, $a := .Alerts }}{{ if $i }},{{ end }}{{ $i }}/{{ $n }}{{ end }}{{ end }}
{{ define "custom.html" }}{{ "<b>safe</b>" | safeHtml }} <i>{{ template "custom.funcs" . }}</i><h1>{{ template "custom.title" . }}</h1><ul>{{ range .Alerts }}<li>{{ .Labels.instance }} {{ .Annotations.description }}</li>{{ end }}</ul>{{ end }}
`;

/** Receivers: [name, kind, config-without-url]; `url(p)` gives the capture URL for path p. */
function receivers(url, smtp) {
  const T = '{{ template "custom.title" . }}';
  const X = '{{ template "custom.text" . }}';
  // 0.25 has fixed https URLs for Pushover and PagerDuty v1: reach the capture through it as a proxy.
  const proxied = { proxy_url: url(''), tls_config: { insecure_skip_verify: true } };
  return [
    ['webhook-default', 'webhook_configs', { url: url('/webhook/default') }],
    ['webhook-custom', 'webhook_configs', { url: url('/webhook/custom'), max_alerts: 2 }],
    ['slack-default', 'slack_configs', { api_url: url('/slack/default'), channel: '#alerts' }],
    [
      'slack-custom',
      'slack_configs',
      {
        api_url: url('/slack/custom'),
        channel: '#ops',
        username: 'herald',
        icon_emoji: ':rotating_light:',
        color: '{{ if eq .Status "firing" }}#ff0000{{ else }}#00ff00{{ end }}',
        title: T,
        title_link: 'https://alerts.example/{{ .GroupLabels.alertname }}',
        pretext: 'pre {{ .CommonLabels.env }}',
        text: X,
        footer: 'footer {{ .Receiver }}',
        fallback: 'fb {{ .Status }}',
        callback_id: 'cb-{{ .GroupLabels.alertname }}',
        image_url: 'https://img.example/a.png',
        thumb_url: 'https://img.example/t.png',
        link_names: true,
        short_fields: true,
        mrkdwn_in: ['text', 'pretext'],
        fields: [
          { title: 'Severity', value: '{{ .CommonLabels.severity }}' },
          { title: 'Count', value: '{{ len .Alerts }}', short: false },
        ],
        actions: [
          {
            type: 'button',
            text: 'Runbook {{ .GroupLabels.alertname }}',
            url: 'https://runbooks.example/x',
            style: 'primary',
          },
          {
            type: 'button',
            text: 'Ack',
            name: 'ack',
            value: 'ack-{{ .GroupLabels.alertname }}',
            confirm: { title: 'Sure?', text: 'Ack {{ len .Alerts }}', ok_text: 'Yes', dismiss_text: 'No' },
          },
        ],
      },
    ],
    [
      'pagerduty-v2-default',
      'pagerduty_configs',
      { url: url('/pagerduty/v2-default'), routing_key: 'rk-default' },
    ],
    [
      'pagerduty-v2-custom',
      'pagerduty_configs',
      {
        url: url('/pagerduty/v2-custom'),
        routing_key: 'rk-custom',
        client: 'Herald {{ .Receiver }}',
        client_url: 'https://alerts.example/{{ .GroupLabels.alertname }}',
        description: T,
        severity: '{{ if eq .CommonLabels.severity "critical" }}critical{{ else }}warning{{ end }}',
        class: 'latency',
        component: '{{ .CommonLabels.job }}',
        group: '{{ .CommonLabels.env }}',
        source: 'src-{{ .CommonLabels.job }}',
        details: {
          summary: X,
          labels: '{{ template "custom.details" . }}',
          firing: '{{ .Alerts.Firing | len }}',
          funcs: '{{ template "custom.funcs" . }}',
        },
        links: [{ href: 'https://runbooks.example/{{ .GroupLabels.alertname }}', text: 'Runbook' }],
        images: [{ src: 'https://img.example/g.png', alt: 'graph', href: 'https://img.example/' }],
      },
    ],
    ['pagerduty-v1-default', 'pagerduty_configs', { service_key: 'sk-default', http_config: proxied }],
    [
      'pagerduty-v1-custom',
      'pagerduty_configs',
      {
        http_config: proxied,
        service_key: 'sk-custom',
        description: T,
        client: 'Herald',
        client_url: 'https://alerts.example/',
        details: { text: X },
      },
    ],
    ['opsgenie-default', 'opsgenie_configs', { api_url: url('/opsgenie/default/'), api_key: 'og-key' }],
    [
      'opsgenie-custom',
      'opsgenie_configs',
      {
        api_url: url('/opsgenie/custom/'),
        api_key: 'og-key-2',
        message: T,
        description: X,
        source: 'herald-{{ .CommonLabels.env }}',
        details: { job: '{{ .CommonLabels.job }}', count: '{{ len .Alerts }}' },
        entity: '{{ .GroupLabels.alertname }}',
        responders: [
          { name: 'ops-team', type: 'team' },
          { username: 'alice@example.com', type: 'user' },
          { id: '4513b7ea-3b91-438f-b7e4-e3e54af9147c', type: 'escalation' },
        ],
        actions: 'restart,{{ .CommonLabels.job }}',
        tags: 'env:{{ .CommonLabels.env }},latency',
        note: 'note {{ .Status }}',
        priority: '{{ if eq .CommonLabels.severity "critical" }}P1{{ else }}P3{{ end }}',
        update_alerts: true,
      },
    ],
    ['discord-default', 'discord_configs', { webhook_url: url('/discord/default') }],
    ['discord-custom', 'discord_configs', { webhook_url: url('/discord/custom'), title: T, message: X }],
    [
      'telegram-default',
      'telegram_configs',
      { api_url: url('/telegram/default'), bot_token: 'bot-tok', chat_id: 4242 },
    ],
    [
      'telegram-custom',
      'telegram_configs',
      {
        api_url: url('/telegram/custom'),
        bot_token: 'bot-tok-2',
        chat_id: -100123,
        parse_mode: 'HTML',
        disable_notifications: true,
        message:
          '<b>{{ template "custom.title" . }}</b>\n{{ range .Alerts }}{{ .Annotations.description }}\n{{ end }}',
      },
    ],
    [
      'pushover-default',
      'pushover_configs',
      {
        user_key: 'po-user',
        token: 'po-token',
        http_config: proxied,
      },
    ],
    [
      'pushover-custom',
      'pushover_configs',
      {
        user_key: 'po-user-2',
        token: 'po-token-2',
        title: T,
        message: X,
        url: 'https://alerts.example/{{ .GroupLabels.alertname }}',
        url_title: 'Open {{ .GroupLabels.alertname }}',
        sound: 'siren',
        priority: '{{ if eq .Status "firing" }}2{{ else }}0{{ end }}',
        retry: '2m',
        expire: '2h',
        html: true,
        http_config: proxied,
      },
    ],
    [
      'webex-default',
      'webex_configs',
      {
        api_url: url('/webex/default/v1/messages'),
        room_id: 'room-1',
        http_config: { authorization: { credentials: 'webex-token' } },
      },
    ],
    [
      'webex-custom',
      'webex_configs',
      {
        api_url: url('/webex/custom/v1/messages'),
        room_id: 'room-2',
        message: '**{{ template "custom.title" . }}**\n{{ template "custom.text" . }}',
        http_config: { authorization: { credentials: 'webex-token-2' } },
      },
    ],
    [
      'victorops-default',
      'victorops_configs',
      { api_url: url('/victorops/default/'), api_key: 'vo-key', routing_key: 'vo-route' },
    ],
    [
      'victorops-custom',
      'victorops_configs',
      {
        api_url: url('/victorops/custom/'),
        api_key: 'vo-key-2',
        routing_key: '{{ .CommonLabels.job }}',
        message_type: '{{ if eq .CommonLabels.severity "critical" }}CRITICAL{{ else }}WARNING{{ end }}',
        entity_display_name: T,
        state_message: X,
        monitoring_tool: 'herald {{ .Receiver }}',
        custom_fields: { env: '{{ .CommonLabels.env }}', count: '{{ len .Alerts }}' },
      },
    ],
    [
      'wechat-default',
      'wechat_configs',
      {
        api_url: url('/wechat/default/'),
        corp_id: 'corp-1',
        api_secret: 'wc-secret',
        agent_id: '1000002',
        to_user: '@all',
      },
    ],
    [
      'wechat-custom',
      'wechat_configs',
      {
        api_url: url('/wechat/custom/'),
        corp_id: 'corp-2',
        api_secret: 'wc-secret-2',
        agent_id: '1000003',
        to_user: 'alice',
        to_party: '2',
        to_tag: '3',
        message_type: 'markdown',
        message: '# {{ template "custom.title" . }}\n{{ template "custom.text" . }}',
      },
    ],
    [
      'sns-default',
      'sns_configs',
      {
        api_url: url('/sns/default'),
        topic_arn: 'arn:aws:sns:us-east-1:123456789012:alerts',
        sigv4: { region: 'us-east-1', access_key: 'AKIDEXAMPLE', secret_key: 'sns-secret' },
      },
    ],
    [
      'sns-custom',
      'sns_configs',
      {
        api_url: url('/sns/custom'),
        target_arn: 'arn:aws:sns:us-east-1:123456789012:endpoint/APNS/app/abc',
        subject: T,
        message: X,
        attributes: { env: '{{ .CommonLabels.env }}', kind: 'latency' },
        sigv4: { region: 'us-east-1', access_key: 'AKIDEXAMPLE', secret_key: 'sns-secret' },
      },
    ],
    ['email-default', 'email_configs', { to: 'oncall@example.com', smarthost: smtp, require_tls: false }],
    [
      'email-custom',
      'email_configs',
      {
        to: 'team@example.com, lead@example.com',
        from: 'Herald <alerts@example.com>',
        hello: 'herald.example',
        smarthost: smtp,
        require_tls: false,
        headers: { Subject: T, 'X-Alert-Env': '{{ .CommonLabels.env }}' },
        html: '{{ template "custom.html" . }}',
        text: X,
      },
    ],
  ];
}

/** Which receiver a captured HTTP request belongs to (by path; Pushover by its token field). */
function receiverOf(req) {
  const p = req.path;
  if (p === '/1/messages.json' && req.host === 'api.pushover.net') {
    // 0.25 sends every field in the query string of an empty text/plain POST.
    const tok = req.query.token;
    return tok === 'po-token-2' ? 'pushover-custom' : 'pushover-default';
  }
  if (req.host === 'events.pagerduty.com') {
    return JSON.parse(req.body).service_key === 'sk-custom' ? 'pagerduty-v1-custom' : 'pagerduty-v1-default';
  }
  const m = /^\/([a-z]+)\/([a-z0-9-]+)/.exec(p);
  if (!m) return undefined;
  return m[1] === 'pagerduty' ? `pagerduty-${m[2]}` : `${m[1]}-${m[2]}`;
}

/** The vendor-like answer the capture server gives, so Alertmanager counts the notification as sent. */
function answer(req) {
  const p = req.path;
  if (p.startsWith('/telegram/'))
    return [
      200,
      'application/json',
      JSON.stringify({
        ok: true,
        result: { message_id: 1, chat: { id: 1, type: 'private' }, date: 0, text: '' },
      }),
    ];
  if (p.startsWith('/wechat/') && p.endsWith('/gettoken'))
    return [
      200,
      'application/json',
      JSON.stringify({ errcode: 0, errmsg: 'ok', access_token: 'wc-access', expires_in: 7200 }),
    ];
  if (p.startsWith('/wechat/'))
    return [200, 'application/json', JSON.stringify({ errcode: 0, errmsg: 'ok' })];
  if (p.startsWith('/sns/'))
    return [
      200,
      'text/xml',
      '<PublishResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><PublishResult><MessageId>m-1</MessageId></PublishResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></PublishResponse>',
    ];
  if (p.startsWith('/pagerduty/'))
    return [
      202,
      'application/json',
      JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: 'x' }),
    ];
  if (p.startsWith('/opsgenie/'))
    return [
      202,
      'application/json',
      JSON.stringify({ result: 'Request will be processed', took: 0.1, requestId: 'r' }),
    ];
  if (p.startsWith('/slack/')) return [200, 'text/plain', 'ok'];
  if (p.startsWith('/discord/')) return [204, 'text/plain', ''];
  if (req.host === 'events.pagerduty.com')
    return [
      200,
      'application/json',
      JSON.stringify({ status: 'success', message: 'Event processed', incident_key: 'x' }),
    ];
  if (p === '/1/messages.json') return [200, 'application/json', JSON.stringify({ status: 1, request: 'r' })];
  return [200, 'application/json', '{}'];
}

/** HTTP capture: records every request; answers CONNECT by terminating TLS locally (Pushover). */
function startCapture(dir) {
  const captured = [];
  const onRequest = (host) => (req, res) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => {
      const u = new URL(req.url, `http://${req.headers.host || 'x'}`);
      const rec = {
        method: req.method,
        host: host || u.hostname,
        path: u.pathname,
        query: Object.fromEntries(u.searchParams),
        headers: { ...req.headers },
        body: Buffer.concat(chunks).toString('utf8'),
      };
      captured.push(rec);
      const [status, type, body] = answer(rec);
      res.writeHead(status, { 'content-type': type });
      res.end(body);
    });
  };
  const server = http.createServer(onRequest());
  const creds = selfSignedCert(dir, '/CN=api.pushover.net');
  const inner = new Map();
  server.on('connect', (req, socket) => {
    const host = String(req.url).split(':')[0];
    if (!inner.has(host)) inner.set(host, http.createServer(onRequest(host)));
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    const secure = new tls.TLSSocket(socket, { isServer: true, ...creds });
    inner.get(host).emit('connection', secure);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, captured })));
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
          helo: session.hostNameAppeared,
          from: session.envelope.mailFrom && session.envelope.mailFrom.address,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        cb();
      });
    },
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, mails })));
}

let lastCounts;
async function waitFor(what, cond, ms = 15000) {
  const until = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(lastCounts())}`);
    await sleep(50);
  }
}

/**
 * One recording in a fresh Alertmanager. Throws when what arrived is not the three expected
 * notifications per receiver (a group_interval tick can fall between two alerts of one POST; the caller
 * records again).
 */
async function record() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-receivers-'));
  const cap = await startCapture(dir);
  const smtp = await startSmtp();
  const capPort = cap.server.address().port;
  const smtpHost = `127.0.0.1:${smtp.server.server.address().port}`;
  const url = (p) => `http://127.0.0.1:${capPort}${p}`;
  const list = receivers(url, smtpHost);
  fs.writeFileSync(path.join(dir, 'custom.tmpl'), CUSTOM_TMPL);
  const config = {
    global: { resolve_timeout: '5m', smtp_from: 'alertmanager@example.com', smtp_require_tls: false },
    templates: [path.join(dir, '*.tmpl')],
    route: {
      receiver: 'blackhole',
      group_by: ['alertname'],
      group_wait: '3s',
      group_interval: '1s',
      repeat_interval: '1h',
      routes: list.map(([name]) => ({ receiver: name, continue: true })),
    },
    receivers: [
      { name: 'blackhole' },
      ...list.map(([name, kind, cfg]) => ({ name, [kind]: [{ send_resolved: true, ...cfg }] })),
    ],
  };
  const { base, am, exited } = await startAlertmanager(BINARY, dir, config, [
    `--web.external-url=${EXTERNAL_URL}`,
  ]);
  const byReceiver = () => {
    const counts = {};
    for (const r of cap.captured) {
      const name = receiverOf(r);
      // WeChat's token fetch and Opsgenie's update_alerts PUTs are not notifications of their own.
      if (name && !r.path.endsWith('/gettoken') && r.method !== 'PUT') counts[name] = (counts[name] || 0) + 1;
    }
    for (const m of smtp.mails) {
      const name = m.to.includes('oncall@example.com') ? 'email-default' : 'email-custom';
      // email-custom has two recipients: one message per notification, two RCPT TO.
      counts[name] = (counts[name] || 0) + 1;
    }
    return counts;
  };
  lastCounts = byReceiver;
  const allAt = (n) => () => list.every(([name]) => (byReceiver()[name] || 0) >= n);
  const post = async (alerts) => {
    const res = await request('POST', `${base}/api/v2/alerts`, alerts);
    if (res.status !== 200) throw new Error(`POST alerts: ${res.status} ${res.body}`);
  };
  const t = {};
  const phases = [
    {
      name: 'firing',
      alerts: () => {
        const now = Date.now();
        [t.s0, t.s1, t.s2] = [iso(now - 2000), iso(now - 1000), iso(now)];
        return ALERTS.map((a, i) => ({ ...a, startsAt: [t.s0, t.s1, t.s2][i] }));
      },
    },
    {
      name: 'one-resolved',
      alerts: () => {
        t.e1 = iso(Date.now());
        return ALERTS.map((a, i) => ({
          ...a,
          startsAt: [t.s0, t.s1, t.s2][i],
          ...(i === 0 ? { endsAt: t.e1 } : {}),
        }));
      },
    },
    {
      name: 'all-resolved',
      alerts: () => {
        t.e2 = iso(Date.now());
        return ALERTS.map((a, i) => ({
          ...a,
          startsAt: [t.s0, t.s1, t.s2][i],
          endsAt: i === 0 ? t.e1 : t.e2,
        }));
      },
    },
  ];
  const marks = [];
  try {
    for (let i = 0; i < phases.length; i++) {
      phases[i].posted = phases[i].alerts();
      await post(phases[i].posted);
      await waitFor(`phase ${phases[i].name}`, allAt(i + 1));
      marks.push({ http: cap.captured.length, mail: smtp.mails.length });
    }
    // Alertmanager's own counters confirm what the captures show: every integration notified exactly
    // three times per receiver and no request failed (so no retry is pending).
    const metrics = (await request('GET', `${base}/metrics`)).body;
    const metric = (name, integration) => {
      const m = new RegExp(`^alertmanager_${name}\\{integration="${integration}"\\} (\\S+)$`, 'm').exec(
        metrics,
      );
      // 0.25 pre-registers the series of most integrations but not all (discord, webex): absent is 0.
      return m ? Number(m[1]) : 0;
    };
    for (const kind of new Set(list.map(([, k]) => k.replace(/_configs$/, '')))) {
      const receiversOfKind = list.filter(([, k]) => k === `${kind}_configs`).length;
      const sent = metric('notifications_total', kind);
      const failed = metric('notification_requests_failed_total', kind);
      if (sent !== 3 * receiversOfKind || failed !== 0)
        throw new Error(
          `${kind}: ${sent} notifications (want ${3 * receiversOfKind}), ${failed} failed requests`,
        );
    }
  } finally {
    am.kill('SIGTERM');
    await exited;
    cap.server.close();
    smtp.server.close();
  }
  // The webhook shows each notification's alert states: 3 firing; 1 resolved + 2 firing; 3 resolved.
  const states = cap.captured
    .filter((r) => r.path === '/webhook/default')
    .map((r) =>
      JSON.parse(r.body)
        .alerts.map((a) => a.status[0])
        .join(''),
    );
  if (states.join(' ') !== 'fff rff rrr')
    throw new Error(`webhook saw ${states.join(' ')}, want fff rff rrr`);
  const times = [t.s0, t.s1, t.s2, t.e1, t.e2];
  if (new Set(times).size !== times.length) throw new Error(`alert times collide: ${times}`);
  return { cap, smtp, list, url, smtpHost, phases, marks, times };
}

async function main() {
  const version = execFileSync(BINARY, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  let rec;
  for (let attempt = 1; !rec; attempt++) {
    try {
      rec = await record();
    } catch (err) {
      if (attempt >= ATTEMPTS) throw err;
      console.error(`attempt ${attempt}: ${err.message}; recording again`);
    }
  }
  const { cap, smtp, list, url, smtpHost, phases, marks, times } = rec;
  // Every time string of this run becomes its marker (the only place they appear is webhook JSON).
  const unTime = (v) => {
    let text = JSON.stringify(v);
    times.forEach((x, i) => (text = text.split(x).join(TIME_MARKERS[i])));
    return JSON.parse(text);
  };

  const phaseOf = (idx, key) => phases[marks.findIndex((m) => idx < m[key])].name;
  const kinds = {};
  for (const [name, kind, cfg] of list) {
    const k = kind.replace(/_configs$/, '');
    kinds[k] = kinds[k] || { receivers: {} };
    const shown = JSON.parse(
      JSON.stringify(cfg).split(url('')).join('http://<CAPTURE>').split(smtpHost).join('<SMTP>'),
    );
    const requests = [];
    if (kind === 'email_configs') {
      smtp.mails.forEach((m, i) => {
        const mine = m.to.includes('oncall@example.com') === (name === 'email-default');
        if (mine) requests.push(unTime({ phase: phaseOf(i, 'mail'), ...normaliseMail(m) }));
      });
    } else {
      cap.captured.forEach((r, i) => {
        if (receiverOf(r) === name) requests.push(unTime({ phase: phaseOf(i, 'http'), ...normaliseHttp(r) }));
      });
    }
    kinds[k].receivers[name] = { config: { send_resolved: true, ...shown }, requests };
  }
  const fixture = {
    source: {
      alertmanager: version,
      recorded: new Date().toISOString().slice(0, 10),
      script: 'test/compat/make-receiver-fixtures.js',
      how:
        'One Alertmanager, two receivers per kind (default templates / custom templates), group_by [alertname], ' +
        'group_wait 3s, group_interval 1s, send_resolved true; phases: 3 alerts firing, first resolved, all resolved. ' +
        'URLs in configs are shown as http://<CAPTURE>/…; the smarthost as <SMTP>.',
      normalised:
        'host header dropped; --web.external-url fixed to ' +
        EXTERNAL_URL +
        '; e-mail Date, Message-Id and MIME boundaries; SNS X-Amz-Date, SigV4 Signature and credential-scope date. ' +
        'Alert times (whole seconds of the recording clock) are the markers ' +
        TIME_MARKERS.join(', ') +
        '; dedup keys (sha256 of the group key) and everything else are as sent.',
    },
    route: { group_by: ['alertname'], group_wait: '3s', group_interval: '1s', repeat_interval: '1h' },
    templatesFile: CUSTOM_TMPL,
    phases: phases.map((p) => ({ name: p.name, alerts: unTime(p.posted) })),
    notes: [
      'Alertmanager 0.25 receiver kinds: discord, email, opsgenie, pagerduty, pushover, slack, sns, telegram, victorops, webex, webhook, wechat; all recorded here.',
      'Not in 0.25 (so not recorded; first release with the notifier, from the Alertmanager git tags): msteams_configs 0.26, msteamsv2_configs 0.28, rocketchat_configs 0.28, jira_configs 0.28, incidentio_configs 0.29, mattermost_configs 0.30.',
      'Pushover and PagerDuty v1 (service_key): 0.25 posts to fixed https URLs (api.pushover.net/1/messages.json, events.pagerduty.com/generic/2010-04-15/create_event.json; `url` is ignored for v1); recorded through http_config.proxy_url (CONNECT, local TLS); `url` in the request shows the real target.',
      'WeChat: each notification is preceded, on the first use of a receiver, by GET <api_url>gettoken (recorded in order).',
      'SNS: signed with SigV4 from static sigv4.access_key/secret_key; the signature is normalised.',
      'E-mail: `raw` has its top header block sorted (0.25 writes configured headers in Go map order); `parts` are the decoded MIME leaves.',
      'Opsgenie: a resolved group is POST <api_url>v2/alerts/<alias>/close?identifierType=alias; update_alerts adds PUT message/description requests.',
    ],
    kinds,
  };
  fs.writeFileSync(OUT, JSON.stringify(fixture, null, 2) + '\n');
  const counts = Object.fromEntries(
    Object.entries(kinds).map(([k, v]) => [
      k,
      Object.values(v.receivers).reduce((n, r) => n + r.requests.length, 0),
    ]),
  );
  console.log(`wrote ${OUT}`, counts);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
