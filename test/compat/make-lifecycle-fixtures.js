#!/usr/bin/env node
// Records Alertmanager's lifecycle endpoints, receivers list, CORS answers on API v2 and config reload
// behaviour from a real Alertmanager on loopback:
//   node test/compat/make-lifecycle-fixtures.js [path/to/alertmanager]
// Writes test/compat/lifecycle-am025.json, which test/e2e/lifecycle.e2e-spec.ts replays against Herald.
// Plain Node, no dependencies.
'use strict';

const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { startAlertmanager } = require('./am-common');

const BINARY = process.argv[2] || '/usr/bin/prometheus-alertmanager';
const OUT = path.join(__dirname, 'lifecycle-am025.json');

// Receivers deliberately not in name order: the answer's order is the config's.
const CONFIG = {
  route: {
    receiver: 'zeta',
    group_by: ['alertname'],
    routes: [{ receiver: 'alpha', matchers: ['team="a"'] }],
  },
  receivers: [{ name: 'zeta' }, { name: 'alpha' }, { name: 'mid' }],
};

/** One request with optional headers: status, the headers named in `keep` (lower case), body text. */
function call(base, method, p, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}${p}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        const h = {};
        for (const [k, v] of Object.entries(res.headers))
          if (k.startsWith('access-control-') || k === 'vary') h[k] = v;
        resolve({ status: res.statusCode, headers: h, body });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

const ORIGIN = { Origin: 'http://ui.example' };
const preflight = (m, hdrs) => ({
  ...ORIGIN,
  'Access-Control-Request-Method': m,
  ...(hdrs ? { 'Access-Control-Request-Headers': hdrs } : {}),
});

// Each case: what is asked; the answer is recorded as Alertmanager gives it.
const CASES = [
  { name: 'healthy GET', method: 'GET', path: '/-/healthy' },
  { name: 'healthy HEAD', method: 'HEAD', path: '/-/healthy' },
  { name: 'ready GET', method: 'GET', path: '/-/ready' },
  { name: 'ready HEAD', method: 'HEAD', path: '/-/ready' },
  { name: 'receivers', method: 'GET', path: '/api/v2/receivers' },
  { name: 'v2 GET without Origin', method: 'GET', path: '/api/v2/receivers' },
  { name: 'v2 GET with Origin', method: 'GET', path: '/api/v2/receivers', headers: ORIGIN },
  { name: 'v2 preflight GET', method: 'OPTIONS', path: '/api/v2/alerts', headers: preflight('GET') },
  {
    name: 'v2 preflight GET with simple headers',
    method: 'OPTIONS',
    path: '/api/v2/alerts',
    headers: preflight('GET', 'accept, origin, x-requested-with, content-type'),
  },
  {
    name: 'v2 preflight POST content-type',
    method: 'OPTIONS',
    path: '/api/v2/silences',
    headers: preflight('POST', 'Content-Type'),
  },
  {
    name: 'v2 preflight PUT (refused)',
    method: 'OPTIONS',
    path: '/api/v2/silences',
    headers: preflight('PUT'),
  },
  {
    name: 'v2 preflight on an unknown path',
    method: 'OPTIONS',
    path: '/api/v2/nope',
    headers: preflight('GET'),
  },
  { name: 'metrics with Origin (no CORS)', method: 'GET', path: '/metrics', headers: ORIGIN },
  { name: 'reload, file unchanged', method: 'POST', path: '/-/reload' },
];

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'am-lifecycle-'));
  const version = execFileSync(BINARY, ['--version'], { encoding: 'utf8' }).split('\n')[0];
  const { base, am, exited } = await startAlertmanager(BINARY, dir, CONFIG);
  try {
    const answers = [];
    for (const c of CASES) {
      const r = await call(base, c.method, c.path, c.headers);
      answers.push({ ...c, answer: c.path === '/metrics' ? { status: r.status, headers: r.headers } : r });
    }
    // An invalid file: the reload's answer, and the old config stays in force.
    fs.writeFileSync(
      path.join(dir, 'alertmanager.yml'),
      'route:\n  receiver: nope\nreceivers:\n  - name: zeta\n',
    );
    const bad = await call(base, 'POST', '/-/reload');
    const after = await call(base, 'GET', '/api/v2/receivers');
    const metrics = (await call(base, 'GET', '/metrics')).body
      .split('\n')
      .filter((l) => /^alertmanager_(config_last_reload_successful|build_info)/.test(l));
    const fixture = {
      source: `recorded by test/compat/make-lifecycle-fixtures.js from ${version} (${BINARY}) on loopback`,
      config: CONFIG,
      answers,
      invalidReload: { answer: bad, receiversAfter: after.body, metrics },
    };
    fs.writeFileSync(OUT, `${JSON.stringify(fixture, null, 2)}\n`);
    console.log(`wrote ${OUT}: ${answers.length} answers`);
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
