import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Alertmanager's `versionInfo` fields, filled for Herald. */
export interface BuildInfo {
  version: string;
  revision: string;
  branch: string;
  buildUser: string;
  buildDate: string;
  goVersion: string;
}

let cachedInfo: BuildInfo | undefined;

/** Herald's version from its package.json (found upwards from this file, in src or dist). */
export function buildInfo(): BuildInfo {
  if (cachedInfo) return cachedInfo;
  let version = 'unknown';
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    const f = join(dir, 'package.json');
    if (existsSync(f)) {
      try {
        const pkg = JSON.parse(readFileSync(f, 'utf8')) as { name?: string; version?: string };
        if (pkg.name === 'herald' && pkg.version) {
          version = pkg.version;
          break;
        }
      } catch {
        /* keep looking */
      }
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  cachedInfo = {
    version,
    revision: 'unknown',
    branch: 'unknown',
    buildUser: 'herald',
    buildDate: 'unknown',
    // Alertmanager reports its Go runtime here; Herald reports its Node.js runtime.
    goVersion: `node${process.versions.node}`,
  };
  return cachedInfo;
}
