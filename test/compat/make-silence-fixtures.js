#!/usr/bin/env node
// Records Alertmanager's silences API as ground truth for Herald's:
//   node test/compat/make-silence-fixtures.js [path/to/alertmanager] [path/to/amtool]
// Writes test/compat/silences-am025.json (formatted by prettier) in a few seconds; replayed
// against Herald by test/integration/silence-parity.int-spec.ts through test/compat/silence-parity.ts,
// whose engine this script uses for the recording too (loaded with test/harness/ts-register.js), so
// recording and replay normalise ids and times the same way (tokens explained in that file).
//
// One Alertmanager (loopback, gossip off, own storage dir) with a webhook receiver to a dead address,
// group_by and one inhibit rule gets a scripted sequence: seven alerts, silences in every state, every
// validation error, updates that keep or replace the id, deletes, filtered lists and alert reads, then
// amtool's view. Alerts' status is computed by Alertmanager at request time (api/v2 alertFilter calls
// the silencer's and inhibitor's Mutes for each alert on every GET), so a silence change shows in the
// next read; two things are asynchronous and are polled (never slept on): the dispatcher creating the
// aggregation groups (GET /alerts/groups) and the inhibitor's cache of source alerts.
'use strict';

require('../harness/ts-register');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startAlertmanager } = require('./am-common');
const { amtoolRunner, httpCall, recordSilenceSteps } = require('./silence-parity.ts');

const BINARY = process.argv[2] || '/usr/bin/prometheus-alertmanager';
const AMTOOL = process.argv[3] || '/usr/bin/amtool';
const OUT = path.join(__dirname, 'silences-am025.json');

// group_wait 1h: groups exist at once but never flush during the run (the receiver is unreachable).
const CONFIG = {
  route: {
    receiver: 'hook',
    group_by: ['alertname', 'cluster'],
    group_wait: '1h',
    group_interval: '1h',
    repeat_interval: '4h',
  },
  receivers: [{ name: 'hook', webhook_configs: [{ url: 'http://127.0.0.1:1/hook' }] }],
  // a1 (critical) inhibits a2 (warning), which a silence also matches: both lists in one status.
  inhibit_rules: [
    {
      source_matchers: ['severity="critical"'],
      target_matchers: ['severity="warning"'],
      equal: ['alertname', 'cluster'],
    },
  ],
};

const alert = (labels) => ({
  labels,
  annotations: { summary: `${labels.alertname} on ${labels.instance ?? 'everything'}` },
  startsAt: '$now-5m',
  endsAt: '$now+6h',
  generatorURL: 'http://prometheus.example/graph?g0.expr=up',
});
const ALERTS = [
  alert({ alertname: 'DiskFull', cluster: 'c1', instance: 'i1', severity: 'critical', team: 'db' }), // A, B
  alert({ alertname: 'DiskFull', cluster: 'c1', instance: 'i2', severity: 'warning', team: 'db' }), // A + inhibited
  alert({ alertname: 'DiskFull', cluster: 'c1', instance: 'i3', severity: 'info', team: 'web' }), // none
  alert({ alertname: 'HighCPU', cluster: 'c2', instance: 'i1', severity: 'warning', team: 'web' }), // E1, P
  alert({ alertname: 'HighCPU', cluster: 'c2', instance: 'i3', severity: 'info' }), // P2 pending
  alert({ alertname: 'Latency', cluster: 'c1', service: 'api', env: 'prod' }), // C
  alert({ alertname: 'Watchdog' }), // E2 (expired before it started)
];

const eq = (name, value) => ({ name, value, isRegex: false, isEqual: true });
const neq = (name, value) => ({ name, value, isRegex: false, isEqual: false });
const re = (name, value) => ({ name, value, isRegex: true, isEqual: true });
const nre = (name, value) => ({ name, value, isRegex: true, isEqual: false });

const silence = (matchers, startsAt, endsAt, extra = {}) => ({
  matchers,
  startsAt,
  endsAt,
  createdBy: 'oncall@example.com',
  comment: 'recorded by make-silence-fixtures',
  ...extra,
});
const post = (name, body, more = {}) => ({
  name,
  request: { method: 'POST', path: '/api/v2/silences', body },
  ...more,
});
const get = (name, p, query, more = {}) => ({
  name,
  request: { method: 'GET', path: p, ...(query ? { query } : {}) },
  ...more,
});
const del = (name, id, more = {}) => ({
  name,
  request: { method: 'DELETE', path: `/api/v2/silence/${id}` },
  ...more,
});
const without = (obj, key) => Object.fromEntries(Object.entries(obj).filter(([k]) => k !== key));

const UNKNOWN_ID = '0c6e5b8a-3f1d-4e2a-9b7c-5d4e3f2a1b0c';
const A_MATCHERS = [
  eq('alertname', 'DiskFull'),
  re('instance', 'i[12]'),
  neq('severity', 'info'),
  nre('team', 'web|ops'),
];
const VALID = silence([eq('alertname', 'Valid')], '$now', '$now+1h');

const SCRIPT = [
  // Alerts first; wait for the dispatcher's groups and the inhibitor's cache (both asynchronous).
  { name: 'post-alerts', request: { method: 'POST', path: '/api/v2/alerts', body: ALERTS } },
  get('groups-settled', '/api/v2/alerts/groups', undefined, { poll: { kind: 'alertsInGroups', count: 7 } }),
  get('alerts-settled', '/api/v2/alerts', undefined, { poll: { kind: 'inhibitedAlerts', count: 1 } }),

  // Creation: every matcher type, isEqual omitted (defaults to true), every state.
  post('create-A', silence(A_MATCHERS, '$now-1m', '$now+2h'), { as: 'A' }),
  get('get-A', '/api/v2/silence/{A}'),
  post('create-B', silence([eq('alertname', 'DiskFull'), eq('severity', 'critical')], '$now', '$now+3h'), {
    as: 'B',
  }),
  post(
    'create-C-isEqual-omitted',
    silence([{ name: 'alertname', value: 'Latency', isRegex: false }], '$now-1h', '$now+1h', {
      createdBy: 'alice',
      comment: 'latency work',
    }),
    { as: 'C' },
  ),
  post('create-P-pending', silence([eq('alertname', 'HighCPU')], '$now+1h', '$now+4h'), { as: 'P' }),
  post('create-P2-pending', silence([eq('cluster', 'c2')], '$now+30m', '$now+5h'), { as: 'P2' }),
  post('create-E1', silence([eq('alertname', 'HighCPU'), eq('instance', 'i1')], '$now', '$now+6h'), {
    as: 'E1',
  }),
  post('create-E2-pending', silence([eq('alertname', 'Watchdog')], '$now+2h', '$now+3h'), { as: 'E2' }),
  get('get-P-pending', '/api/v2/silence/{P}'),
  del('delete-E1-active', '{E1}'),
  get('get-E1-expired', '/api/v2/silence/{E1}'),
  del('delete-E2-pending', '{E2}'),
  get('get-E2-expired', '/api/v2/silence/{E2}'),
  del('delete-E1-again', '{E1}'),

  // Accepted edge cases, expired at once so they do not silence anything later.
  post('create-not-equal-empty', silence([neq('team', '')], '$now', '$now+1h'), { as: 'V1' }),
  del('delete-not-equal-empty', '{V1}'),
  post(
    'create-unknown-field',
    { ...VALID, unknownField: 42, matchers: [{ ...eq('alertname', 'X'), extra: 1 }] },
    {
      as: 'V2',
    },
  ),
  del('delete-unknown-field', '{V2}'),
  post('create-empty-createdBy', { ...VALID, createdBy: '' }, { as: 'V3' }),
  del('delete-empty-createdBy', '{V3}'),
  post('create-empty-comment', { ...VALID, comment: '' }, { as: 'V4' }),
  del('delete-empty-comment', '{V4}'),

  // Lists and filters (a filter selects silences having an identical matcher, not matching values).
  get('list-all', '/api/v2/silences'),
  get('list-filter-equal', '/api/v2/silences', { filter: 'alertname="DiskFull"' }),
  get('list-filter-regex', '/api/v2/silences', { filter: 'instance=~"i[12]"' }),
  get('list-filter-regex-not-a-literal', '/api/v2/silences', { filter: 'alertname=~"Disk.*"' }),
  get('list-filter-two', '/api/v2/silences', { filter: ['alertname="DiskFull"', 'severity="critical"'] }),
  get('list-filter-not-equal', '/api/v2/silences', { filter: 'severity!="info"' }),
  get('list-filter-not-regex', '/api/v2/silences', { filter: 'team!~"web|ops"' }),
  get('list-filter-unquoted', '/api/v2/silences', { filter: 'alertname=HighCPU' }),
  get('list-filter-no-match', '/api/v2/silences', { filter: 'alertname="Nope"' }),
  get('list-filter-label-absent', '/api/v2/silences', { filter: 'region="eu"' }),
  get('list-filter-malformed', '/api/v2/silences', { filter: 'alertname' }, { fieldHint: ['filter'] }),
  get('list-filter-bad-regex', '/api/v2/silences', { filter: 'alertname=~"("' }, { fieldHint: ['filter'] }),

  // Alerts as the silences leave them: a1 by A and B, a2 by A and inhibited by a1, a6 by C.
  get('alerts-all', '/api/v2/alerts'),
  get('alerts-silenced-false', '/api/v2/alerts', { silenced: 'false' }),
  get('alerts-silenced-true', '/api/v2/alerts', { silenced: 'true' }),
  get('alerts-active-false', '/api/v2/alerts', { active: 'false' }),
  get('alerts-inhibited-false', '/api/v2/alerts', { inhibited: 'false' }),
  get('alerts-silenced-false-inhibited-false', '/api/v2/alerts', { silenced: 'false', inhibited: 'false' }),
  get('alerts-filter-silenced', '/api/v2/alerts', { filter: 'alertname="DiskFull"', silenced: 'true' }),
  get('alerts-filter-regex', '/api/v2/alerts', { filter: 'team=~"db|web"', silenced: 'false' }),
  get('alerts-filter-malformed', '/api/v2/alerts', { filter: 'team' }, { fieldHint: ['filter'] }),
  get('groups-all', '/api/v2/alerts/groups'),
  get('groups-silenced-false', '/api/v2/alerts/groups', { silenced: 'false' }),
  get('groups-active-false', '/api/v2/alerts/groups', { active: 'false' }),

  // Validation: nothing is created.
  post('invalid-starts-after-ends', silence([eq('a', 'b')], '$now+2h', '$now+1h'), {
    fieldHint: ['startsAt', 'endsAt'],
  }),
  post('invalid-starts-equals-ends', silence([eq('a', 'b')], '$now+1h', '$now+1h'), {
    fieldHint: ['startsAt', 'endsAt'],
  }),
  post('invalid-ends-in-past', silence([eq('a', 'b')], '$now-2h', '$now-1h'), { fieldHint: ['endsAt'] }),
  post('invalid-no-matchers', silence([], '$now', '$now+1h'), { fieldHint: ['matchers'] }),
  post('invalid-matchers-missing', without(VALID, 'matchers'), { fieldHint: ['matchers'] }),
  post('invalid-matchers-a-string', { ...VALID, matchers: 'alertname="Foo"' }, { fieldHint: ['matchers'] }),
  post('invalid-matches-empty-regex', silence([re('foo', '.*')], '$now', '$now+1h'), {
    fieldHint: ['matchers'],
  }),
  post('invalid-matches-empty-equal', silence([eq('foo', '')], '$now', '$now+1h'), {
    fieldHint: ['matchers'],
  }),
  post('invalid-all-match-empty', silence([eq('foo', ''), re('bar', 'b*')], '$now', '$now+1h'), {
    fieldHint: ['matchers'],
  }),
  post('invalid-bad-regex', silence([eq('alertname', 'X'), re('foo', '(')], '$now', '$now+1h'), {
    fieldHint: ['matchers'],
  }),
  post('invalid-empty-matcher-name', silence([eq('', 'x')], '$now', '$now+1h'), { fieldHint: ['matchers'] }),
  post(
    'invalid-matcher-isRegex-missing',
    { ...VALID, matchers: [{ name: 'alertname', value: 'X' }] },
    {
      fieldHint: ['matchers'],
    },
  ),
  post(
    'invalid-matcher-value-missing',
    { ...VALID, matchers: [{ name: 'alertname', isRegex: false }] },
    {
      fieldHint: ['matchers'],
    },
  ),
  post(
    'invalid-matcher-isRegex-a-string',
    { ...VALID, matchers: [{ ...eq('alertname', 'X'), isRegex: 'no' }] },
    {
      fieldHint: ['matchers'],
    },
  ),
  post('invalid-createdBy-missing', without(VALID, 'createdBy'), { fieldHint: ['createdBy'] }),
  post('invalid-comment-missing', without(VALID, 'comment'), { fieldHint: ['comment'] }),
  post('invalid-endsAt-missing', without(VALID, 'endsAt'), { fieldHint: ['endsAt'] }),
  post('invalid-startsAt-missing', without(VALID, 'startsAt'), { fieldHint: ['startsAt'] }),
  post('invalid-endsAt-not-a-time', { ...VALID, endsAt: 'tomorrow' }, { fieldHint: ['endsAt'] }),
  post('invalid-createdBy-a-number', { ...VALID, createdBy: 7 }, { fieldHint: ['createdBy'] }),
  post('invalid-body-an-array', [VALID], { fieldHint: ['body'] }),
  {
    name: 'invalid-body-not-json',
    request: { method: 'POST', path: '/api/v2/silences', rawBody: '{"matchers": [' },
    fieldHint: ['body'],
  },
  get('list-after-invalid', '/api/v2/silences', { filter: 'alertname="Valid"' }),

  // Updates (POST with an id): Alertmanager keeps the id when the change leaves history alone.
  post(
    'update-A-extend-endsAt',
    { ...silence(A_MATCHERS, '$resp[get-A].startsAt', '$now+2h30m'), id: '{A}' },
    { note: 'active, same matchers and start: same id' },
  ),
  get('get-A-after-extend', '/api/v2/silence/{A}'),
  get('get-B', '/api/v2/silence/{B}'),
  post(
    'update-B-comment',
    {
      ...silence(
        [eq('alertname', 'DiskFull'), eq('severity', 'critical')],
        '$resp[get-B].startsAt',
        '$resp[get-B].endsAt',
      ),
      comment: 'disk replaced tomorrow',
      id: '{B}',
    },
    { note: 'active, only the comment changes: same id' },
  ),
  get('get-B-after-comment', '/api/v2/silence/{B}'),
  post(
    'update-B-startsAt',
    {
      ...silence([eq('alertname', 'DiskFull'), eq('severity', 'critical')], '$now-10m', '$now+3h'),
      id: '{B}',
    },
    { as: 'B2', note: 'active, start moved: B expires, a new id (start clamped to now)' },
  ),
  post(
    'update-C-matchers',
    { ...silence([eq('alertname', 'Latency'), eq('env', 'prod')], '$now', '$now+1h'), id: '{C}' },
    { as: 'C2', note: 'matchers change: C expires, a new id' },
  ),
  post(
    'update-P-move-start',
    { ...silence([eq('alertname', 'HighCPU')], '$now+45m', '$now+4h'), id: '{P}' },
    {
      note: 'pending, start still in the future: same id',
    },
  ),
  post(
    'update-P2-start-in-past',
    { ...silence([eq('cluster', 'c2')], '$now-1m', '$now+5h'), id: '{P2}' },
    {
      as: 'P3',
      note: 'pending, start in the past: P2 expires (start = end = now), a new active id',
    },
  ),
  post(
    'update-E1-expired',
    { ...silence([eq('alertname', 'HighCPU'), eq('instance', 'i1')], '$now', '$now+1h'), id: '{E1}' },
    { as: 'E1b', note: 'an expired silence is never changed: a new id, E1 stays as it was' },
  ),
  post(
    'update-A-endsAt-in-past',
    { ...silence(A_MATCHERS, '$resp[get-A].startsAt', '$resp[get-A].startsAt+1ms'), id: '{A}' },
    {
      fieldHint: ['endsAt'],
    },
  ),
  post('update-unknown-id', { ...VALID, id: UNKNOWN_ID }, { fieldHint: ['id'] }),
  post('update-malformed-id', { ...VALID, id: 'not-a-uuid' }, { fieldHint: ['id'] }),
  get('get-unknown-id', `/api/v2/silence/${UNKNOWN_ID}`, undefined, { fieldHint: ['silenceID', 'id'] }),
  get('get-malformed-id', '/api/v2/silence/not-a-uuid', undefined, { fieldHint: ['silenceID', 'id'] }),
  del('delete-unknown-id', UNKNOWN_ID, {
    fieldHint: ['silenceID', 'id'],
    alternatives: [{ status: 404, note: 'Alertmanager >= 0.26 answers 404 for an unknown id' }],
  }),
  del('delete-malformed-id', 'not-a-uuid', { fieldHint: ['silenceID', 'id'] }),

  // The final state: lists, single silences, alerts and groups.
  get('list-final', '/api/v2/silences'),
  get('get-C-replaced', '/api/v2/silence/{C}'),
  get('get-P2-replaced', '/api/v2/silence/{P2}'),
  get('alerts-final', '/api/v2/alerts'),
  get('alerts-final-silenced-false', '/api/v2/alerts', { silenced: 'false' }),
  get('groups-final', '/api/v2/alerts/groups'),

  // amtool's view of the same state (its `--expired` split is by endsAt, done client-side).
  { name: 'amtool-silence-query', amtool: ['silence', 'query', '-o', 'json'] },
  { name: 'amtool-silence-query-expired', amtool: ['silence', 'query', '--expired', '-o', 'json'] },
  { name: 'amtool-silence-query-quiet', amtool: ['silence', 'query', '-q'] },
  { name: 'amtool-silence-query-matcher', amtool: ['silence', 'query', '-o', 'json', 'alertname=DiskFull'] },
  { name: 'amtool-alert-query', amtool: ['alert', 'query', '-o', 'json'] },
  { name: 'amtool-alert-query-silenced', amtool: ['alert', 'query', '--silenced', '-o', 'json'] },

  // Last, as a newer Alertmanager creates a silence here: a label name 0.25 rejects, >= 0.27 accepts.
  post('utf8-label-name', silence([eq('service.name', 'api')], '$now', '$now+1h'), {
    fieldHint: ['matchers'],
    alternatives: [
      {
        status: 200,
        body: { silenceID: '*' },
        note: 'Alertmanager >= 0.27 accepts UTF-8 label names (issue 13 §3a)',
      },
    ],
  }),
];

async function main() {
  const version = execFileSync(BINARY, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  const amtoolVersion = execFileSync(AMTOOL, ['--version'], { encoding: 'utf8' }).split('\n')[0].trim();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-am-silences-'));
  const { base, am, exited } = await startAlertmanager(BINARY, dir, CONFIG);
  try {
    const steps = await recordSilenceSteps(SCRIPT, httpCall(base), amtoolRunner(base, AMTOOL));
    const fixture = {
      source:
        `${version}; ${amtoolVersion}; recorded ${new Date().toISOString().slice(0, 10)} ` +
        'by test/compat/make-silence-fixtures.js',
      config: CONFIG,
      notes: [
        'Tokens ($S<n>, $now±d, $t[step]±d, $resp[step].path) and the comparison rules: test/compat/silence-parity.ts.',
        "Alerts' status is computed when GET /api/v2/alerts and /alerts/groups are served (the silencer's " +
          'Mutes per alert); only the dispatcher (groups) and the inhibitor cache are polled.',
        'silencedBy is sorted by silence id as a string by Alertmanager; the fixture lists symbols by number.',
        'Alertmanager 0.25 answers handler errors as a JSON string and request-validation errors (go-swagger) ' +
          'as {code, message} with status 422; DELETE of an unknown id is 500 there (404 from 0.26 on).',
      ],
      steps,
    };
    fs.writeFileSync(OUT, JSON.stringify(fixture, null, 2) + '\n');
    // Laid out as the repository's prettier leaves it, so `prettier --check` passes on the output.
    const prettier = path.join(path.dirname(require.resolve('prettier/package.json')), 'bin', 'prettier.cjs');
    execFileSync(process.execPath, [prettier, '--write', '--log-level=warn', OUT], { stdio: 'inherit' });
    console.log(`${steps.length} steps; wrote ${OUT}`);
  } finally {
    am.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
