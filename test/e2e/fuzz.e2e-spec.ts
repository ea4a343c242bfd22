/**
 * The CI subset of `npm run fuzz` (issues 10 and 13): seeds 0–999 — every scenario at least once — over
 * both ingest endpoints, the v2 read API and the silence routes, against a node in memory mode and a
 * node in Redis mode (child processes). No 5xx, no contract break, mixed batches' valid alerts listed,
 * stored silences read back as posted, both nodes alive after. A failure prints its seed:
 * `FUZZ_SEED=<n> FUZZ_CASES=1 FUZZ_MODES=<mode> npm run fuzz` replays it.
 */
import { HttpSink } from '../harness/http-sink';
import { post, startNode, type TestNode } from '../harness/app';
import { hookConfig } from '../harness/config';
import { FUZZ_CONFIG_YAML, fuzzConfigYaml, SCENARIOS, SILENCE_SCENARIOS } from '../fuzz/fuzz.cases';
import { FuzzNode } from '../fuzz/fuzz.node';
import { runFuzz, type FuzzResult } from '../fuzz/fuzz.runner';

describe('fuzz: 1 000 seeded cases, memory and Redis mode', () => {
  let result: FuzzResult;
  beforeAll(async () => {
    result = await runFuzz({ start: 0, count: 1000, modes: ['memory', 'redis'], concurrency: 4 });
  }, 150_000);

  it('answers every case below 500 and keeps both nodes alive', () => {
    const { summary } = result;
    expect(summary.fiveXX).toBe(0);
    expect(summary.crashes).toBe(0);
    for (const mode of ['memory', 'redis'] as const) {
      expect(summary.byMode[mode]).toMatchObject({ crashed: null, aliveAfter: true, fiveXX: 0 });
      expect(summary.byMode[mode]!.errorLog).toEqual([]);
    }
  });

  it('keeps the error contract, the expected statuses and the mixed-batch contract', () => {
    expect(result.failures).toEqual([]);
    expect(result.summary.byMode.memory!.followupsChecked).toBeGreaterThan(100);
  });

  it('covered every scenario and both ingest endpoints', () => {
    expect(SCENARIOS.filter((s) => !result.summary.scenarios[s])).toEqual([]);
    expect(result.summary.requests).toBeGreaterThanOrEqual(1990); // raw garbage may get no answer
  });

  it('stored silences and refused bad ones naming the field, in both modes', () => {
    for (const mode of ['memory', 'redis'] as const) {
      const s = result.summary.byMode[mode]!.silenceStatuses;
      // 200 stored (and read back), 400 invalid, 404 unknown id, 422 missing field / non-UUID path id.
      for (const status of ['200', '400', '404', '422'])
        expect([mode, status, s[status] ?? 0]).not.toEqual([mode, status, 0]);
      expect(s['200']).toBeGreaterThan(20);
    }
  });
});

/**
 * The silence scenarios against nodes at `herald.silences.max_silences: 5` (the main run's limit is
 * above anything it creates, so its silences are stored and read back): once five are held, a create
 * is 429 naming `max_silences` (a replacement too, in the follow-ups), and a bad body still 400/404/422
 * naming its field — validation comes before the limit. Same seeds as the main run, silence cases only.
 */
describe('fuzz: silence cases at max_silences (429)', () => {
  let result: FuzzResult;
  beforeAll(async () => {
    result = await runFuzz({
      start: 0,
      count: 1000,
      modes: ['memory', 'redis'],
      concurrency: 4,
      yaml: fuzzConfigYaml({ maxSilences: 5 }),
      scenarios: SILENCE_SCENARIOS,
    });
  }, 60_000);

  it('answers 429 naming max_silences once the limit is held, and keeps every other expectation', () => {
    expect(result.failures).toEqual([]);
    expect(result.summary.fiveXX).toBe(0);
    expect(result.summary.crashes).toBe(0);
    for (const mode of ['memory', 'redis'] as const) {
      const s = result.summary.byMode[mode]!.silenceStatuses;
      expect(s['429']).toBeGreaterThan(10);
      expect(s['400']).toBeGreaterThan(10);
      expect(result.summary.byMode[mode]!.errorLog).toEqual([]);
    }
  });
});

/**
 * Found while fuzzing the read API (not by a random seed: the fuzzer's regex pool holds the pattern, but
 * its stored values rarely line up). Matchers compiled to V8 backtracking regexes, so
 * `instance=~"(a+)+$"` against a 30-character `aaa…!` value took seconds and doubled with every
 * character, during which the node answered nothing, `/health/live` included. Matchers now use RE2
 * (re2js, linear time), as Alertmanager's Go regexp does.
 */
describe('regression: a catastrophic filter regex must not block the node', () => {
  let node: FuzzNode;
  beforeAll(async () => {
    node = await FuzzNode.start('memory', FUZZ_CONFIG_YAML);
  }, 60_000);
  afterAll(() => node?.stop(), 30_000);

  it('GET /api/v2/alerts?filter=instance=~"(a+)+$" over a 30-character value answers within 2 s', async () => {
    const stored = await fetch(`${node.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'Backtrack', instance: 'a'.repeat(30) + '!' } }]),
    });
    expect(stored.status).toBe(200);
    const filter = encodeURIComponent('instance=~"(a+)+$"');
    const r = await fetch(`${node.url}/api/v2/alerts?filter=${filter}`, {
      signal: AbortSignal.timeout(2000),
    });
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual([]);
    expect(await node.alive(1000)).toBe(true);
  }, 30_000);
});

/**
 * Found by `npm run fuzz` (the node's warnings, both modes: "flush of default/<gid> (firing) failed,
 * retried after the lease: TypeError [ERR_INVALID_ARG_TYPE] … at byteCompare … labelsBefore …
 * compareAlerts … buildWebhookPayload"). `constructor`, `toString`, `valueOf`, `__proto__` are valid label
 * names; libs/domain webhook-payload.ts `labelsBefore` tests `n in a` (true for inherited names) and then
 * byte-compares `a[n]`, a function or Object.prototype. Two alerts of one group with as many labels, one
 * of them named so, made every flush of that group throw: the group was never notified. Fixed with
 * own-property checks in `labelsBefore`.
 */
describe("regression: a label named constructor must not block its group's notifications", () => {
  let node: TestNode;
  let sink: HttpSink;
  beforeAll(async () => {
    sink = await HttpSink.start();
    node = await startNode(hookConfig(sink.url, { groupWait: '0s', groupInterval: '1s' }));
  });
  afterAll(async () => {
    await node?.close();
    await sink?.stop();
  });

  it('notifies a group whose alerts are {alertname, zone} and {alertname, constructor}', async () => {
    const alerts: { labels: Record<string, string> }[] = [
      { labels: { alertname: 'Poison', zone: 'z1' } },
      { labels: { alertname: 'Poison', constructor: 'x' } },
    ];
    expect((await post(`${node.url}/api/v2/alerts`, alerts)).status).toBe(200);
    await sink.waitFor(() => sink.requests.length > 0, 5000, 'a notification of group Poison');
    expect((sink.requests[0].json as { alerts: unknown[] }).alerts).toHaveLength(2);
  }, 15_000);
});
