#!/usr/bin/env node
// Regenerates the Alertmanager cross-check fixtures by running a real Alertmanager on loopback:
//   node test/compat/make-fixtures.js [path/to/alertmanager]
// Writes test/fixtures/alertmanager-fingerprints.json and test/fixtures/alertmanager-groupkeys.json,
// which libs/domain/src/alertmanager-compat.spec.ts checks Herald's fingerprint and group keys against.
// Plain Node, no dependencies, so it runs without building the project.
'use strict';

const { execFileSync } = require('node:child_process');
const { request, sleep, startAlertmanager } = require('./am-common');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const BINARY = process.argv[2] || '/usr/bin/prometheus-alertmanager';
const FIXTURES = path.join(__dirname, '..', 'fixtures');
const ALERT_COUNT = 300;

// The route tree under test. JSON is valid YAML, so it is written to the config file as is.
// It covers: a regex matcher, legacy `match` with continue, a matcher value that needs escaping
// (quote, backslash, tab, non-ASCII), `...`, and a nested route with inherited receiver.
const ROUTE = {
  receiver: 'sink',
  group_by: ['alertname', 'cluster'],
  group_wait: '1s',
  group_interval: '1s',
  repeat_interval: '1h',
  routes: [
    { matchers: ['team=~"db|infra"'], group_by: ['alertname'] },
    { match: { severity: 'critical' }, continue: true },
    { match: { service: 'quo"te\\back\tslash é' }, group_by: ['...'] },
    {
      matchers: ['env="prod"'],
      group_by: ['alertname', 'instance'],
      routes: [
        { matchers: ['team="app"', 'region=~"eu.*"'] },
        { match_re: { region: 'us-.*|日本' }, group_by: ['region'] },
      ],
    },
  ],
};

// Deterministic PRNG so regenerating gives the same alerts.
let seed = 20240601;
function rand() {
  seed = (seed * 1664525 + 1013904223) >>> 0;
  return seed / 0x100000000;
}
const pick = (xs) => xs[Math.floor(rand() * xs.length)];

const ODD_VALUES = [
  'plain',
  'with "quotes"',
  'back\\slash',
  'new\nline',
  'tab\there',
  'héllo wörld',
  '日本語',
  'emoji 😀',
  'nbsp\u00a0zwsp\u200b',
  'ctrl\u0001\u007f',
  'lone \ud800 surrogate',
  '{a="b"}, c',
];

function makeAlert(i) {
  const labels = {
    alertname: pick(['HighCPU', 'DiskFull', 'Latency', 'Ünïcode', 'quote"name']),
    instance: `host-${i}`,
  };
  const optional = {
    cluster: ['c1', 'c2', 'c\\3', undefined],
    team: ['db', 'infra', 'app', 'web', undefined],
    severity: ['critical', 'warning', 'info', undefined],
    env: ['prod', 'prod', 'dev', undefined],
    region: ['eu-west', 'us-east', '日本', undefined],
    service: ['quo"te\\back\tslash é', 'api', undefined, undefined],
  };
  for (const [name, values] of Object.entries(optional)) {
    const v = pick(values);
    if (v !== undefined) labels[name] = v;
  }
  if (rand() < 0.4) labels.detail = pick(ODD_VALUES);
  return labels;
}

// What Alertmanager sees after Go's JSON decoding: lone surrogates become U+FFFD.
const goNormalize = (s) => Buffer.from(s, 'utf8').toString('utf8');
const labelsKey = (labels) =>
  JSON.stringify(
    Object.keys(labels)
      .sort()
      .map((k) => [k, goNormalize(labels[k])]),
  );

async function main() {
  const version = execFileSync(BINARY, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  console.log(version);

  // Webhook sink: collects every notification Alertmanager sends.
  const payloads = [];
  const sink = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      payloads.push(JSON.parse(data));
      res.end();
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${sink.address().port}/hook`;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-am-'));
  const config = {
    route: ROUTE,
    receivers: [{ name: 'sink', webhook_configs: [{ url: sinkUrl, send_resolved: false }] }],
  };
  const { base, am, exited } = await startAlertmanager(BINARY, dir, config);

  try {
    const sent = Array.from({ length: ALERT_COUNT }, (_, i) => makeAlert(i));
    const now = Date.now();
    const body = sent.map((labels) => ({
      labels,
      annotations: { summary: 'fixture' },
      startsAt: new Date(now).toISOString(),
      endsAt: new Date(now + 3600_000).toISOString(),
    }));
    for (let i = 0; i < body.length; i += 50) {
      const res = await request('POST', `${base}/api/v2/alerts`, body.slice(i, i + 50));
      if (res.status !== 200) throw new Error(`POST /api/v2/alerts: ${res.status} ${res.body}`);
    }

    const bySentKey = new Map(sent.map((labels) => [labelsKey(labels), labels]));
    const res = await request('GET', `${base}/api/v2/alerts`);
    const apiAlerts = JSON.parse(res.body);
    if (apiAlerts.length !== sent.length)
      throw new Error(`expected ${sent.length} alerts, API has ${apiAlerts.length}`);
    const fingerprints = apiAlerts.map((a) => {
      const labels = bySentKey.get(labelsKey(a.labels));
      if (!labels) throw new Error(`API returned labels that were not sent: ${JSON.stringify(a.labels)}`);
      return { labels, fingerprint: a.fingerprint };
    });
    const sentByFingerprint = new Map(fingerprints.map((f) => [f.fingerprint, f.labels]));

    // Wait until every alert was notified and nothing new arrived for a few group intervals.
    let last = -1;
    let stableSince = Date.now();
    const deadline = Date.now() + 60_000;
    for (;;) {
      await sleep(500);
      const seen = new Set(payloads.flatMap((p) => p.alerts.map((a) => a.fingerprint)));
      if (payloads.length !== last) {
        last = payloads.length;
        stableSince = Date.now();
      }
      if (seen.size === sent.length && Date.now() - stableSince > 4000) break;
      if (Date.now() > deadline) throw new Error(`only ${seen.size}/${sent.length} alerts were notified`);
    }

    const keysByFingerprint = new Map();
    for (const p of payloads) {
      for (const a of p.alerts) {
        const entry = keysByFingerprint.get(a.fingerprint) || new Map();
        entry.set(p.groupKey, p.groupLabels);
        keysByFingerprint.set(a.fingerprint, entry);
      }
    }
    const groupKeys = [...keysByFingerprint]
      .map(([fp, keys]) => ({
        labels: sentByFingerprint.get(fp),
        groups: [...keys].map(([groupKey, groupLabels]) => ({ groupKey, groupLabels })),
      }))
      .sort((a, b) => (a.labels.instance < b.labels.instance ? -1 : 1));
    fingerprints.sort((a, b) => (a.labels.instance < b.labels.instance ? -1 : 1));

    fs.mkdirSync(FIXTURES, { recursive: true });
    const source = `${version}; generated by test/compat/make-fixtures.js`;
    fs.writeFileSync(
      path.join(FIXTURES, 'alertmanager-fingerprints.json'),
      JSON.stringify({ source, entries: fingerprints }, null, 2) + '\n',
    );
    fs.writeFileSync(
      path.join(FIXTURES, 'alertmanager-groupkeys.json'),
      JSON.stringify({ source, route: ROUTE, entries: groupKeys }, null, 2) + '\n',
    );
    console.log(
      `wrote ${fingerprints.length} fingerprints and ${groupKeys.length} alerts with ` +
        `${groupKeys.reduce((n, e) => n + e.groups.length, 0)} group keys from ${payloads.length} notifications`,
    );
  } finally {
    am.kill('SIGTERM');
    await exited;
    sink.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
