#!/usr/bin/env node
// Runs every Jest project (unit, integration, e2e) and ends with the plain line CI counts:
// "N passed, N failed". Extra arguments are passed to Jest (e.g. `npm test -- --selectProjects unit`).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

// The system programs the suites drive (redis-server, nginx, chromium, amtool, …): installed with apt-get
// when running as root, else it stops here with the one command that installs them. Unit tests alone
// (`npm test -- --selectProjects unit`) need none.
const argv = process.argv.slice(2);
const sel = argv.indexOf('--selectProjects');
const projects = [];
for (let i = sel + 1; sel >= 0 && i < argv.length && !argv[i].startsWith('-'); i++) projects.push(argv[i]);
const unitOnly = projects.length > 0 && projects.every((p) => p === 'unit');
if (!unitOnly) {
  const code = require('./system-deps').ensure();
  if (code !== 0) process.exit(code);
}
const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'herald-jest-')), 'result.json');
// No --forceExit: every suite closes what it opened, so Jest exits by itself; a suite that leaks a handle
// (`--detectOpenHandles` names it) is a bug to fix, not to hide.
// Two workers on a 2-core runner: the long e2e suites (chaos, cluster) mostly wait on timelines and
// processes, so running two suites at once roughly halves the wall time (6.8 → 4 min in CI).
const args = ['--json', `--outputFile=${out}`, '--maxWorkers=2', ...process.argv.slice(2)];
if (process.env.CI) args.push('--ci');
const r = spawnSync(path.join(root, 'node_modules', '.bin', 'jest'), args, { cwd: root, stdio: 'inherit' });
let passed = 0;
let failed = 0;
try {
  const j = JSON.parse(fs.readFileSync(out, 'utf8'));
  passed = j.numPassedTests;
  failed = j.numFailedTests + (j.numRuntimeErrorTestSuites || 0);
} catch {
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(r.status === 0 && failed === 0 ? 0 : 1);
