#!/usr/bin/env node
// The system programs the tests drive (issue 17: `npm test` on a fresh Debian/Ubuntu machine after
// `npm install`). Run by scripts/test.js before Jest and by .ci/run. All present: returns at once, no apt
// call. Missing ones: installed with apt-get when running as root with apt available, else it stops at
// once printing the one command that installs them. `--bench` checks what the benchmarks need instead
// (`npm run bench*` run it first): Redis, wrk with BENCH_TOOL=wrk, and with `--compare` (the benchmarks
// that run Alertmanager beside Herald) Alertmanager unless BENCH_ALERTMANAGER names another or is off.
// HERALD_SKIP_SYSTEM_DEPS=1 skips the check (a machine that runs a subset of the suites).
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/**
 * What the suites run, with the Debian/Ubuntu package that provides it. `path`: the suites use that
 * absolute path (not a PATH lookup). `bench`: the benchmarks need it too (`also`), only they do
 * (`only`), or those comparing against Alertmanager do (`compare`); when `benchWhen(env)` holds.
 */
const REQUIREMENTS = [
  {
    program: 'redis-server',
    pkg: 'redis-server',
    why: 'integration and e2e suites (also Sentinel, Cluster); every benchmark',
    bench: 'also',
  },
  {
    program: 'redis-cli',
    pkg: 'redis-tools',
    why: 'the Redis Cluster harness (cluster create, reshard)',
    bench: 'also', // BENCH_REDIS=cluster|both, bench:idle's Cluster run
  },
  { program: 'nginx', pkg: 'nginx', why: 'the cluster e2e suites and npm run cluster' },
  { program: 'openssl', pkg: 'openssl', why: 'throw-away certificates of the receiver/TLS suites' },
  { program: 'amtool', path: '/usr/bin/amtool', pkg: 'prometheus-alertmanager', why: 'the amtool e2e' },
  {
    program: 'prometheus-alertmanager',
    path: '/usr/bin/prometheus-alertmanager',
    pkg: 'prometheus-alertmanager',
    why: 'the Alertmanager parity suites; the benchmarks compare against it',
    bench: 'compare',
    // BENCH_ALERTMANAGER names another binary, or 0/off skips the comparison.
    benchWhen: (env) => !env.BENCH_ALERTMANAGER,
  },
  { program: 'chromium', path: '/usr/bin/chromium', pkg: 'chromium', why: 'the dashboard browser test' },
  {
    program: 'wrk',
    pkg: 'wrk',
    why: 'npm run bench with BENCH_TOOL=wrk',
    bench: 'only',
    benchWhen: (env) => env.BENCH_TOOL === 'wrk',
  },
];

/** Directories where Debian keeps admin programs that a non-root PATH often lacks. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

function defaultIsExecutable(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** The first executable `program` on `searchPath` (a PATH string), or undefined. */
function which(program, searchPath, isExecutable = defaultIsExecutable) {
  for (const dir of (searchPath || '').split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, program);
    if (isExecutable(file)) return file;
  }
  return undefined;
}

/**
 * The requirements not met under `env.PATH`. Each missing one has its package and, when the program
 * exists in an sbin directory that PATH lacks, `offPath` (then PATH is the fix, not a package).
 */
function findMissing({
  env = process.env,
  bench = false,
  compare = false,
  isExecutable = defaultIsExecutable,
} = {}) {
  const missing = [];
  for (const r of REQUIREMENTS) {
    const forBench = r.bench === 'also' || r.bench === 'only' || (r.bench === 'compare' && compare);
    if (bench ? !forBench || (r.benchWhen && !r.benchWhen(env)) : r.bench === 'only') continue;
    const found = r.path ? isExecutable(r.path) : which(r.program, env.PATH, isExecutable);
    if (found) continue;
    const offPath = r.path ? undefined : SBIN.map((d) => path.join(d, r.program)).find(isExecutable);
    missing.push({ ...r, offPath });
  }
  return missing;
}

/**
 * What to do about `missing`: `none`, `install` (root with apt: run `steps`), or `stop` (print `message`,
 * which ends with the one command that installs the packages).
 */
function plan(missing, { root, hasApt, bench = false }) {
  const toInstall = missing.filter((m) => !m.offPath);
  const offPath = missing.filter((m) => m.offPath);
  if (missing.length === 0) return { action: 'none' };
  const pkgs = [...new Set(toInstall.map((m) => m.pkg))];
  const lines = missing.map(
    (m) =>
      `  ${m.program.padEnd(24)} ${m.offPath ? `found at ${m.offPath}, not on PATH` : `package ${m.pkg}`} (${m.why})`,
  );
  const pathFix = offPath.length
    ? `export PATH="$PATH:${[...new Set(offPath.map((m) => path.dirname(m.offPath)))].join(':')}"`
    : undefined;
  if (pkgs.length && root && hasApt) {
    return {
      action: 'install',
      packages: pkgs,
      steps: [
        ['apt-get', ['update', '-qq']],
        ['apt-get', ['install', '-y', '-qq', ...pkgs]],
      ],
      pathFix,
      lines,
    };
  }
  const sudo = root ? '' : 'sudo ';
  const install = pkgs.length
    ? `${sudo}apt-get update && ${sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y ${pkgs.join(' ')}`
    : undefined;
  const command = [install, pathFix].filter(Boolean).join(' && ');
  const header = `system-deps: the ${bench ? 'benchmarks' : 'tests'} need programs this machine lacks:`;
  const how = !pkgs.length
    ? 'Put them on PATH with:'
    : hasApt
      ? 'Install them with:'
      : 'Install them with (Debian/Ubuntu package names; on other systems install the same programs):';
  return {
    action: 'stop',
    packages: pkgs,
    command,
    message: [header, ...lines, how, `  ${command}`].join('\n'),
  };
}

function defaultRun(cmd, args, env) {
  const r = spawnSync(cmd, args, {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return r.status ?? r.signal;
}

/**
 * Checks, installs when it may, else prints the command; returns the exit code (0: all present). The
 * options after `log` are for tests (root, apt and the command runner stubbed).
 */
function ensure({
  bench = false,
  compare = false,
  env = process.env,
  log = console,
  isExecutable = defaultIsExecutable,
  root = typeof process.getuid === 'function' && process.getuid() === 0,
  hasApt = !!which('apt-get', env.PATH),
  run = defaultRun,
} = {}) {
  if (env.HERALD_SKIP_SYSTEM_DEPS === '1') return 0;
  const missing = findMissing({ env, bench, compare, isExecutable });
  const p = plan(missing, { root, hasApt, bench });
  if (p.action === 'none') return 0;
  if (p.action === 'stop') {
    log.error(p.message);
    return 1;
  }
  log.error(
    `system-deps: installing ${p.packages.join(' ')} (apt-get, for the ${bench ? 'benchmarks' : 'tests'}):\n${p.lines.join('\n')}`,
  );
  for (const [cmd, args] of p.steps) {
    const status = run(cmd, args, env);
    if (status !== 0) {
      log.error(`system-deps: \`${cmd} ${args.join(' ')}\` failed (exit ${status})`);
      return 1;
    }
  }
  const still = findMissing({ env, bench, compare, isExecutable }).filter((m) => !m.offPath);
  if (still.length) {
    log.error(`system-deps: still missing after apt-get: ${still.map((m) => m.program).join(', ')}`);
    return 1;
  }
  if (p.pathFix) {
    log.error(`system-deps: some programs are not on PATH; run: ${p.pathFix}`);
    return 1;
  }
  return 0;
}

module.exports = { REQUIREMENTS, which, findMissing, plan, ensure };

if (require.main === module)
  process.exit(
    ensure({ bench: process.argv.includes('--bench'), compare: process.argv.includes('--compare') }),
  );
