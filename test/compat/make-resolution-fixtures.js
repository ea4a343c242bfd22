#!/usr/bin/env node
// Records what a real Alertmanager sends when part of a group resolves, by running it on loopback with a
// webhook sink and playing alert sequences against it:
//   node test/compat/make-resolution-fixtures.js [path/to/alertmanager]
// Writes test/fixtures/alertmanager-resolution.json (run prettier on it afterwards), which
// test/e2e/partial-resolution.e2e-spec.ts and libs/domain/src/flush/partial-resolution.spec.ts play
// against Herald and compare with (expectations in test/fixtures/alertmanager-resolution.ts).
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
/** Group timers of the run (Alertmanager's smallest practical values). */
const TIMERS = { group_wait: '1s', group_interval: '1s', repeat_interval: '1h' };
/** After a step, a sequence is settled once nothing new arrived for this long (three group intervals). */
const QUIET_MS = 3000;

// Each sequence runs once per receiver mode: `on` (send_resolved true), `off` (send_resolved false) and
// `trunc` (send_resolved true, max_alerts 1). One route per mode, so group keys differ per mode.
const MODES = {
  on: { send_resolved: true },
  off: { send_resolved: false },
  trunc: { send_resolved: true, max_alerts: 1 },
};

// A step fires and/or resolves alerts (by `instance`) in one POST, so they land in the same group_interval.
const SEQUENCES = [
  {
    name: 'a-two-fire-one-resolves-then-the-other',
    modes: ['on', 'off'],
    steps: [{ fire: ['x1', 'x2'] }, { resolve: ['x2'] }, { resolve: ['x1'] }],
  },
  {
    name: 'b-three-resolve-one-at-a-time',
    modes: ['on', 'off', 'trunc'],
    steps: [{ fire: ['x1', 'x2', 'x3'] }, { resolve: ['x1'] }, { resolve: ['x2'] }, { resolve: ['x3'] }],
  },
  {
    name: 'c-one-resolves-while-a-new-one-starts',
    modes: ['on', 'off'],
    steps: [{ fire: ['x1', 'x2'] }, { resolve: ['x2'], fire: ['x3'] }, { resolve: ['x1', 'x3'] }],
  },
  {
    name: 'd1-one-resolves-and-fires-again-while-another-fires',
    modes: ['on', 'off'],
    steps: [{ fire: ['x1', 'x2'] }, { resolve: ['x2'] }, { fire: ['x2'] }, { resolve: ['x1', 'x2'] }],
  },
  {
    name: 'd2-the-group-resolves-and-fires-again',
    modes: ['on', 'off'],
    steps: [{ fire: ['x1'] }, { resolve: ['x1'] }, { fire: ['x1'] }, { resolve: ['x1'] }],
  },
];

const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

const labelsOf = (seq, mode, instance) => ({ alertname: seq.name, mode, instance });
const annotationsOf = (instance) => ({ summary: `${instance} is slow`, runbook: 'https://runbooks/slow' });

/**
 * A payload without its volatile fields: times become "is endsAt Go's zero time" (firing alerts carry it),
 * externalURL (host and port of this run) is dropped; what a receiver keys on is kept.
 */
function strip(p) {
  return {
    receiver: p.receiver,
    status: p.status,
    groupKey: p.groupKey,
    groupLabels: p.groupLabels,
    commonLabels: p.commonLabels,
    commonAnnotations: p.commonAnnotations,
    truncatedAlerts: p.truncatedAlerts,
    alerts: p.alerts.map((a) => ({
      status: a.status,
      labels: a.labels,
      annotations: a.annotations,
      fingerprint: a.fingerprint,
      endsAtZero: a.endsAt === GO_ZERO_TIME,
    })),
  };
}

async function main() {
  const version = execFileSync(BINARY, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  console.log(version);

  // Webhook sink: every notification, filed by group key, with its arrival time.
  const byGroup = new Map();
  const sink = http.createServer((req, res) => {
    let data = '';
    req.setEncoding('utf8');
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const p = JSON.parse(data);
      if (!byGroup.has(p.groupKey)) byGroup.set(p.groupKey, []);
      byGroup.get(p.groupKey).push({ at: Date.now(), payload: p });
      res.end();
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${sink.address().port}`;

  const route = {
    receiver: 'on',
    group_by: ['alertname'],
    ...TIMERS,
    routes: Object.keys(MODES).map((mode) => ({ matchers: [`mode="${mode}"`], receiver: mode })),
  };
  const receivers = Object.entries(MODES).map(([mode, opts]) => ({
    name: mode,
    webhook_configs: [{ url: `${sinkUrl}/${mode}`, ...opts }],
  }));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-am-resolution-'));
  const { base, am, exited } = await startAlertmanager(BINARY, dir, { route, receivers });

  try {
    // Plays one sequence in one mode: post a step, wait until its group is quiet, file what arrived.
    const play = async (seq, mode) => {
      const startsAt = {};
      const steps = [];
      let seen = 0;
      let groupKey = null;
      const received = () => (groupKey ? (byGroup.get(groupKey) ?? []) : findGroup(seq, mode));
      for (const step of seq.steps) {
        const now = Date.now();
        const body = [];
        for (const inst of step.fire ?? []) {
          startsAt[inst] = now;
          body.push({
            labels: labelsOf(seq, mode, inst),
            annotations: annotationsOf(inst),
            startsAt: new Date(now).toISOString(),
            endsAt: new Date(now + 3600_000).toISOString(),
          });
        }
        for (const inst of step.resolve ?? []) {
          body.push({
            labels: labelsOf(seq, mode, inst),
            annotations: annotationsOf(inst),
            startsAt: new Date(startsAt[inst]).toISOString(),
            endsAt: new Date(now - 1).toISOString(), // Prometheus: endsAt in the past
          });
        }
        const res = await request('POST', `${base}/api/v2/alerts`, body);
        if (res.status !== 200) throw new Error(`POST /api/v2/alerts: ${res.status} ${res.body}`);
        // Settled: nothing new for QUIET_MS (a notification comes within one group_interval).
        let last = Date.now();
        for (let count = received().length; ;) {
          await sleep(100);
          const n = received().length;
          if (n !== count) [count, last] = [n, Date.now()];
          if (Date.now() - last >= QUIET_MS) break;
        }
        const got = received();
        if (!groupKey && got.length) groupKey = got[0].payload.groupKey;
        steps.push({ ...step, notifications: got.slice(seen).map((r) => strip(r.payload)) });
        seen = got.length;
      }
      return {
        name: seq.name,
        mode,
        sendResolved: MODES[mode].send_resolved,
        maxAlerts: MODES[mode].max_alerts ?? 0,
        groupKey,
        labels: { alertname: seq.name, mode },
        steps,
      };
    };
    // Before the first notification the group key is unknown: find the group by its alertname and mode.
    const findGroup = (seq, mode) =>
      [...byGroup.values()].find(
        (rs) => rs[0].payload.groupLabels.alertname === seq.name && rs[0].payload.commonLabels.mode === mode,
      ) ?? [];

    // Every sequence in every mode at once: groups are independent (own timers, own log entries).
    const runs = await Promise.all(SEQUENCES.flatMap((seq) => seq.modes.map((mode) => play(seq, mode))));

    fs.mkdirSync(FIXTURES, { recursive: true });
    const source = `${version}; generated by test/compat/make-resolution-fixtures.js`;
    const out = {
      source,
      note:
        'Per sequence and receiver mode: the steps posted (alerts by instance label; one POST per step) and ' +
        'the webhook notifications Alertmanager sent after each step, before the next one (times stripped: ' +
        "endsAtZero says whether endsAt was Go's zero time; externalURL dropped).",
      route,
      receivers: Object.fromEntries(Object.entries(MODES)),
      annotations: annotationsOf('<instance>'),
      sequences: runs,
    };
    fs.writeFileSync(
      path.join(FIXTURES, 'alertmanager-resolution.json'),
      JSON.stringify(out, null, 2) + '\n',
    );
    const total = runs.reduce((n, r) => n + r.steps.reduce((m, s) => m + s.notifications.length, 0), 0);
    console.log(`wrote ${runs.length} sequence runs with ${total} notifications`);
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
