#!/usr/bin/env node
// The npm registry reachable from this project's machines serves only linux-x64 builds of packages
// with per-platform binaries (@swc/core-*, @unrs/resolver-binding-*), so `npm install` leaves the
// other platforms out of package-lock.json and `npm ci` then refuses the lock as "out of sync".
// This adds lock entries for those optional platform packages, with the `os`/`cpu` their name states,
// so `npm ci` skips them as incompatible, exactly as it would with a complete lock. Idempotent.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const file = path.resolve(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(fs.readFileSync(file, 'utf8'));
const OS = [
  'darwin',
  'linux',
  'win32',
  'android',
  'freebsd',
  'openharmony',
  'sunos',
  'aix',
  'netbsd',
  'openbsd',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32'];

function platformOf(name) {
  const parts = name.split('/').pop().split('-');
  const os = parts.find((p) => OS.includes(p));
  const cpu = parts.find((p) => CPU.includes(p));
  return os && cpu ? { os, cpu } : null;
}

let added = 0;
for (const [where, pkg] of Object.entries(lock.packages)) {
  for (const [dep, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `${where ? `${where}/` : ''}node_modules/${dep}`;
    const hoisted = `node_modules/${dep}`;
    if (lock.packages[key] || lock.packages[hoisted]) continue;
    const p = platformOf(dep);
    if (!p || !/^\d+\.\d+\.\d+/.test(version)) continue;
    lock.packages[hoisted] = { version, cpu: [p.cpu], os: [p.os], optional: true };
    added++;
  }
}
if (added) {
  const sorted = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
  );
  lock.packages = sorted;
  fs.writeFileSync(file, JSON.stringify(lock, null, 2) + '\n');
}
console.log(`lock-platform-stubs: ${added} platform entries added`);
