/**
 * `npm run fuzz`: seeded HTTP fuzzing of both ingest endpoints, the v2 read API and the silence routes
 * (`POST /api/v2/silences`, `GET /api/v2/silences`, `GET`/`DELETE /api/v2/silence/{id}`), against one node in
 * memory mode and one in Redis mode (each a child process with a 512 MB heap; Redis mode starts its own
 * redis-server). Progress and failures on stderr; the JSON summary is the last line of stdout. Exit code
 * 1 when any answer was a 5xx, broke the contract, or a node died.
 *
 * Environment:
 *   FUZZ_CASES        number of cases (10000); every case goes to every mode
 *   FUZZ_SEED         first seed index (0): `FUZZ_SEED=<n> FUZZ_CASES=1` replays case n alone
 *   FUZZ_MODES        memory,redis
 *   FUZZ_CONCURRENCY  requests in flight per node (4)
 *   FUZZ_TIMEOUT_MS   per-request timeout; slower counts as a hang (30000)
 *   FUZZ_SCENARIOS    only these scenarios (comma-separated, e.g. valid-silences,mutated-silences)
 *   FUZZ_MAX_SILENCES herald.silences.max_silences of the nodes (10000); a small one shows the 429s
 */
import { SCENARIOS, fuzzCase, fuzzConfigYaml, type Scenario } from './fuzz.cases';
import type { FuzzMode } from './fuzz.node';
import { runFuzz } from './fuzz.runner';

function intEnv(name: string, def: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return def;
  if (!/^\d+$/.test(v)) throw new Error(`${name}: must be a non-negative integer, got ${JSON.stringify(v)}`);
  return Number(v);
}

async function main(): Promise<void> {
  const count = intEnv('FUZZ_CASES', 10_000);
  const start = intEnv('FUZZ_SEED', 0);
  const modes = (process.env.FUZZ_MODES || 'memory,redis').split(',').map((m) => m.trim()) as FuzzMode[];
  for (const m of modes)
    if (m !== 'memory' && m !== 'redis') throw new Error(`FUZZ_MODES: unknown mode ${JSON.stringify(m)}`);
  const only = process.env.FUZZ_SCENARIOS
    ? process.env.FUZZ_SCENARIOS.split(',').map((s) => s.trim() as Scenario)
    : undefined;
  for (const s of only ?? [])
    if (!SCENARIOS.includes(s)) throw new Error(`FUZZ_SCENARIOS: unknown scenario ${JSON.stringify(s)}`);
  const maxSilences = process.env.FUZZ_MAX_SILENCES ? intEnv('FUZZ_MAX_SILENCES', 10_000) : undefined;
  const log = (msg: string) => process.stderr.write(`[fuzz] ${msg}\n`);
  if (count === 1) {
    const c = fuzzCase(start);
    log(
      `case ${start}: ${c.scenario} ${c.method} ${c.path} ${JSON.stringify(c.headers)} body ${c.body?.length ?? c.raw?.length ?? 0} bytes`,
    );
  }
  log(
    `${count} cases from seed ${start}, modes ${modes.join(',')}, ${only ? only.join(',') : `${SCENARIOS.length} scenarios`}`,
  );
  const { summary, failures } = await runFuzz({
    start,
    count,
    modes,
    concurrency: intEnv('FUZZ_CONCURRENCY', 4),
    timeoutMs: intEnv('FUZZ_TIMEOUT_MS', 30_000),
    yaml: fuzzConfigYaml({ maxSilences }),
    scenarios: only,
    log,
  });
  for (const f of failures.slice(0, 50)) log(`FAIL ${JSON.stringify(f)}`);
  if (failures.length > 50) log(`... and ${failures.length - 50} more failures`);
  for (const [mode, m] of Object.entries(summary.byMode)) {
    for (const line of m?.errorLog ?? []) log(`${mode} node error log: ${line}`);
  }
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = summary.fiveXX || summary.crashes || summary.failures ? 1 : 0;
}

main().catch((e: unknown) => {
  process.stderr.write(`[fuzz] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
