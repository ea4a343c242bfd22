import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createHash } from 'node:crypto';
import { sleep } from './wait';

const ROOT = resolve(__dirname, '..', '..');

/**
 * Makes `dist/` current (`scripts/build.js --if-stale`, what `npm start` / `npm run cluster` run first)
 * for suites that run the compiled app through npm. One build at a time per checkout: build.js empties
 * dist/ before compiling, so two Jest workers building at once would break each other's processes.
 */
export async function ensureBuilt(timeoutMs = 240_000): Promise<void> {
  const lock = join(
    tmpdir(),
    `herald-build-${createHash('sha1').update(ROOT).digest('hex').slice(0, 12)}.lock`,
  );
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock left by a killed run (older than any build) does not block forever.
      try {
        if (Date.now() - statSync(lock).mtimeMs > timeoutMs) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* released meanwhile */
      }
      if (Date.now() > deadline) throw new Error(`ensureBuilt: ${lock} held for ${timeoutMs} ms`);
      await sleep(200);
    }
  }
  try {
    await new Promise<void>((res, rej) =>
      execFile(
        process.execPath,
        [join(ROOT, 'scripts', 'build.js'), '--if-stale'],
        { cwd: ROOT, timeout: timeoutMs },
        (e, _out, err) => (e ? rej(new Error(`build failed: ${e.message}\n${err}`)) : res()),
      ),
    );
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
