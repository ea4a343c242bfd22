// scripts/system-deps.js: detection under a stubbed PATH and the command it builds (no apt, no root).
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { REQUIREMENTS, findMissing, plan, which, ensure } = require('./system-deps');

/** A temp dir holding executable stubs named `programs`. */
function binDir(programs) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'herald-deps-'));
  for (const p of programs) fs.writeFileSync(path.join(dir, p), '#!/bin/sh\n', { mode: 0o755 });
  return dir;
}

/**
 * The machine's own directories (the absolute-path requirements: amtool, alertmanager, chromium; the
 * sbin directories) are judged by `present` instead of the disk; the stub directories by the disk.
 */
const absolute = (present) => (file) =>
  REQUIREMENTS.some((r) => r.path === file) || /^\/(usr\/(local\/)?)?s?bin\//.test(file)
    ? present.has(file)
    : isExec(file);

function isExec(file) {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

const ALL_ABS = new Set(['/usr/bin/amtool', '/usr/bin/prometheus-alertmanager', '/usr/bin/chromium']);

describe('system-deps', () => {
  it('finds nothing missing when every program is on PATH (no apt call)', () => {
    const dir = binDir(['redis-server', 'redis-cli', 'nginx', 'openssl']);
    const missing = findMissing({ env: { PATH: dir }, isExecutable: absolute(ALL_ABS) });
    expect(missing).toEqual([]);
    expect(plan(missing, { root: true, hasApt: true })).toEqual({ action: 'none' });
  });

  it('names each missing program with its package; one package per program set', () => {
    const dir = binDir(['redis-server']);
    const missing = findMissing({
      env: { PATH: dir },
      isExecutable: absolute(new Set(['/usr/bin/chromium'])),
    });
    expect(missing.map((m) => [m.program, m.pkg])).toEqual([
      ['redis-cli', 'redis-tools'],
      ['nginx', 'nginx'],
      ['openssl', 'openssl'],
      ['amtool', 'prometheus-alertmanager'],
      ['prometheus-alertmanager', 'prometheus-alertmanager'],
    ]);
    // Not root: stop with the one command (sudo), each package once.
    const p = plan(missing, { root: false, hasApt: true });
    expect(p.action).toBe('stop');
    expect(p.command).toBe(
      'sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-tools nginx openssl prometheus-alertmanager',
    );
    expect(p.message.split('\n').pop()).toBe(`  ${p.command}`);
    expect(p.message).toContain('redis-cli');
    expect(p.message).toContain('the Redis Cluster harness');
  });

  it('root with apt: installs with apt-get instead of stopping', () => {
    const missing = findMissing({ env: { PATH: binDir([]) }, isExecutable: absolute(ALL_ABS) });
    const p = plan(missing, { root: true, hasApt: true });
    expect(p.action).toBe('install');
    expect(p.steps).toEqual([
      ['apt-get', ['update', '-qq']],
      ['apt-get', ['install', '-y', '-qq', 'redis-server', 'redis-tools', 'nginx', 'openssl']],
    ]);
  });

  it('root without apt: stops, naming the Debian/Ubuntu packages', () => {
    const missing = findMissing({ env: { PATH: binDir([]) }, isExecutable: absolute(ALL_ABS) });
    const p = plan(missing, { root: true, hasApt: false });
    expect(p.action).toBe('stop');
    expect(p.command).toBe(
      'apt-get update && env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools nginx openssl',
    );
    expect(p.message).toContain('Debian/Ubuntu package names');
  });

  it('wrk only for the benchmarks, and only with BENCH_TOOL=wrk', () => {
    const dir = binDir(['redis-server', 'redis-cli', 'nginx', 'openssl']);
    const isExecutable = absolute(ALL_ABS);
    expect(findMissing({ env: { PATH: dir }, isExecutable })).toEqual([]);
    expect(findMissing({ env: { PATH: dir, BENCH_TOOL: 'wrk' }, isExecutable })).toEqual([]);
    expect(findMissing({ env: { PATH: dir }, bench: true, isExecutable })).toEqual([]);
    expect(
      findMissing({ env: { PATH: dir, BENCH_TOOL: 'wrk' }, bench: true, isExecutable }).map((m) => m.pkg),
    ).toEqual(['wrk']);
  });

  it('the benchmarks need Redis, and Alertmanager those that compare; not the test-only programs', () => {
    // No nginx, openssl, chromium or amtool: the benchmarks do not run them.
    const dir = binDir(['redis-server', 'redis-cli']);
    const am = new Set(['/usr/bin/prometheus-alertmanager']);
    const none = absolute(new Set());
    expect(
      findMissing({ env: { PATH: dir }, bench: true, compare: true, isExecutable: absolute(am) }),
    ).toEqual([]);
    expect(findMissing({ env: { PATH: dir }, bench: true, isExecutable: none })).toEqual([]);
    const bare = binDir([]);
    expect(
      findMissing({ env: { PATH: bare }, bench: true, isExecutable: none }).map((m) => m.program),
    ).toEqual(['redis-server', 'redis-cli']);
    const missing = findMissing({ env: { PATH: bare }, bench: true, compare: true, isExecutable: none });
    expect(missing.map((m) => m.program)).toEqual(['redis-server', 'redis-cli', 'prometheus-alertmanager']);
    const p = plan(missing, { root: false, hasApt: true, bench: true });
    expect(p.message).toMatch(/^system-deps: the benchmarks need programs/);
    expect(p.command).toBe(
      'sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools prometheus-alertmanager',
    );
    // BENCH_ALERTMANAGER names another binary (or off): Alertmanager's package is not asked for.
    for (const v of ['off', '0', '/opt/am/alertmanager'])
      expect(
        findMissing({
          env: { PATH: bare, BENCH_ALERTMANAGER: v },
          bench: true,
          compare: true,
          isExecutable: none,
        }).map((m) => m.program),
      ).toEqual(['redis-server', 'redis-cli']);
  });

  it('a program in /usr/sbin but not on PATH: the fix is PATH, not a package', () => {
    const dir = binDir(['redis-server', 'redis-cli', 'openssl']);
    const isExecutable = (f) => f === '/usr/sbin/nginx' || absolute(ALL_ABS)(f);
    const missing = findMissing({ env: { PATH: dir }, isExecutable });
    expect(missing.map((m) => [m.program, m.offPath])).toEqual([['nginx', '/usr/sbin/nginx']]);
    const p = plan(missing, { root: false, hasApt: true });
    expect(p.action).toBe('stop');
    expect(p.packages).toEqual([]);
    expect(p.command).toBe('export PATH="$PATH:/usr/sbin"');
  });

  it('which() walks PATH in order and skips non-executables', () => {
    const a = binDir([]);
    fs.writeFileSync(path.join(a, 'tool'), 'not executable', { mode: 0o644 });
    const b = binDir(['tool']);
    expect(which('tool', [a, b].join(path.delimiter))).toBe(path.join(b, 'tool'));
    expect(which('tool', '')).toBeUndefined();
  });

  it('HERALD_SKIP_SYSTEM_DEPS=1 skips the check', () => {
    const log = { error: jest.fn() };
    expect(ensure({ env: { PATH: '', HERALD_SKIP_SYSTEM_DEPS: '1' }, log })).toBe(0);
    expect(log.error).not.toHaveBeenCalled();
  });

  it('a non-root user with nothing installed gets the message and exit code 1 at once, no command run', () => {
    const log = { error: jest.fn() };
    const run = jest.fn();
    const env = { PATH: binDir([]) };
    expect(ensure({ env, log, root: false, hasApt: true, run, isExecutable: absolute(ALL_ABS) })).toBe(1);
    expect(run).not.toHaveBeenCalled();
    expect(log.error.mock.calls[0][0]).toMatch(
      /\n {2}sudo apt-get update && sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server redis-tools nginx openssl$/,
    );
  });

  it('root with apt: runs apt-get update and install, then checks again', () => {
    const dir = binDir(['redis-server', 'redis-cli', 'openssl']);
    const log = { error: jest.fn() };
    const calls = [];
    const run = (cmd, args) => {
      calls.push([cmd, ...args].join(' '));
      if (args[0] === 'install') fs.writeFileSync(path.join(dir, 'nginx'), '#!/bin/sh\n', { mode: 0o755 });
      return 0;
    };
    const opts = { env: { PATH: dir }, log, root: true, hasApt: true, run, isExecutable: absolute(ALL_ABS) };
    expect(ensure(opts)).toBe(0);
    expect(calls).toEqual(['apt-get update -qq', 'apt-get install -y -qq nginx']);
    // Now all present: no apt call at all.
    calls.length = 0;
    expect(ensure(opts)).toBe(0);
    expect(calls).toEqual([]);
  });

  it('root with apt: a failed apt-get ends with exit code 1', () => {
    const log = { error: jest.fn() };
    const run = () => 100;
    const opts = {
      env: { PATH: binDir([]) },
      log,
      root: true,
      hasApt: true,
      run,
      isExecutable: absolute(ALL_ABS),
    };
    expect(ensure(opts)).toBe(1);
    expect(log.error.mock.calls.pop()[0]).toContain('apt-get update -qq` failed (exit 100)');
  });
});
