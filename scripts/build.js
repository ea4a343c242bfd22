#!/usr/bin/env node
// Compiles apps/, libs/ and test/ tools to dist/ (tsc + alias rewrite + Lua assets).
// `--if-stale` skips the compile when dist/ is newer than every source file, so `npm start` stays fast.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');

function newestSource(dir, acc = { t: 0 }) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name === 'dist' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newestSource(p, acc);
    else if (/\.(ts|lua|json)$/.test(e.name)) acc.t = Math.max(acc.t, fs.statSync(p).mtimeMs);
  }
  return acc.t;
}

function copyLua(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) copyLua(p);
    else if (e.name.endsWith('.lua') || e.name.endsWith('.html')) {
      const out = path.join(dist, path.relative(root, p));
      fs.mkdirSync(path.dirname(out), { recursive: true });
      fs.copyFileSync(p, out);
    }
  }
}

const sources = ['apps', 'libs', 'test'].map((d) => path.join(root, d));
if (process.argv.includes('--if-stale') && fs.existsSync(stamp)) {
  const built = fs.statSync(stamp).mtimeMs;
  const newest = Math.max(
    ...sources.map((d) => (fs.existsSync(d) ? newestSource(d) : 0)),
    fs.statSync(path.join(root, 'tsconfig.json')).mtimeMs,
  );
  if (newest < built) process.exit(0);
}
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
try {
  fs.rmSync(dist, { recursive: true, force: true });
  execFileSync(bin('tsc'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  execFileSync(bin('tsc-alias'), ['-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
  for (const d of sources) if (fs.existsSync(d)) copyLua(d);
  fs.writeFileSync(stamp, new Date().toISOString());
} catch (e) {
  console.error('build failed: run `npm install` first if node_modules is missing');
  process.exit(1);
}
