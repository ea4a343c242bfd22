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

/**
 * The Alertmanager release whose API v2 Herald implements in full: what `alertmanager_build_info` and
 * `GET /api/v2/status` `versionInfo.version` report, so clients that pick their API handling from the
 * version (karma parses it as semver; amtool warns when its major.minor differs) treat Herald as that
 * Alertmanager. Newer fields Herald serves (`mutedBy`, silence `annotations`, UTF-8 names) are additive
 * and optional in later releases' API, so a 0.25 client reads them as unknown fields.
 */
export const ALERTMANAGER_API_VERSION = '0.25.0';

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

/**
 * Alertmanager's `versionInfo` as Herald reports it (`GET /api/v2/status`, `alertmanager_build_info`):
 * `version` is the Alertmanager API version implemented; Herald itself is named in `branch`
 * (`herald/<version>`, as a distribution names itself there, e.g. Debian's `debian/sid`).
 */
export function alertmanagerVersionInfo(): BuildInfo {
  const b = buildInfo();
  return { ...b, version: ALERTMANAGER_API_VERSION, branch: `herald/${b.version}` };
}
