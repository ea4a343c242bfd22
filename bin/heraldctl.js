#!/usr/bin/env node
// heraldctl launcher: builds dist/ when it is missing or stale (source newer), then runs the compiled CLI.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const main = path.join(root, 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(main) || fs.existsSync(path.join(root, 'apps'))) {
  try {
    execFileSync(process.execPath, [path.join(root, 'scripts', 'build.js'), '--if-stale'], {
      cwd: root,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  } catch {
    process.exit(1);
  }
}
require(main);
