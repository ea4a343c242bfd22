/**
 * Runs fuzz cases against Herald nodes (memory and Redis mode, each its own child process) and checks
 * every answer against the README's contract: never a 5xx; a 4xx is JSON `{error, field}` (`field` may be
 * absent only for an unknown route), or on the silence routes Alertmanager's JSON string naming the field; a case's expected status/field where it has one; a mixed batch's
 * valid alerts listed by `GET /api/v2/alerts`; a stored silence read back, listed, updated, replaced and
 * expired as posted; the node alive (`/health/live`) during and after the run.
 */
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import {
  ALERTS_PATH,
  FUZZ_CONFIG_YAML,
  fuzzCase,
  SCENARIOS,
  type FuzzCase,
  type Scenario,
} from './fuzz.cases';
import { FuzzNode, type FuzzMode } from './fuzz.node';
import { SILENCE_PATH, SILENCES_PATH, type SilenceWant } from './fuzz.silences';

export interface FuzzOptions {
  /** First seed index. */
  start: number;
  /** Number of cases (each sent to every mode). */
  count: number;
  modes: FuzzMode[];
  /** Requests in flight per node. */
  concurrency?: number;
  /** Per-request timeout (ms): a slower answer counts as a hang. */
  timeoutMs?: number;
  /** Heap of each node process (MB). */
  heapMB?: number;
  /** Progress lines (stderr in the CLI). */
  log?: (msg: string) => void;
  /** The nodes' configuration (default {@link FUZZ_CONFIG_YAML}). */
  yaml?: string;
  /** Only the cases of these scenarios are sent (default: all); the others' seeds are skipped. */
  scenarios?: readonly Scenario[];
}

/** One broken promise of the contract, with what is needed to reproduce it. */
export interface FuzzFailure {
  seed: number;
  mode: FuzzMode;
  /** The case's scenario, or `node-log` for a programming error the node logged. */
  scenario: Scenario | 'node-log';
  request: string;
  problem: string;
  status?: number;
  body?: string;
  repro: string;
}

/** A known way the answers depart from the README's contract (not counted as a failure). */
export interface Deviation {
  count: number;
  firstSeed: number;
  status: number;
  body: string;
}

/** What a run counts, per mode and overall. */
interface RunCounts {
  requests: number;
  statuses: Record<string, number>;
  fiveXX: number;
  failures: number;
}

export interface ModeSummary extends RunCounts {
  followupsChecked: number;
  /** Statuses answered on the silence routes (the cases' own requests, not their follow-ups). */
  silenceStatuses: Record<string, number>;
  deviations: Record<string, Deviation>;
  crashed: string | null;
  aliveAfter: boolean;
  peakRssMB: number | null;
  durationMs: number;
  /** Error-level lines of the node's log (stack traces of any 500). */
  errorLog: string[];
  /** Request latency (client side, ms) and the slowest case. */
  latencyMs: { p50: number; p99: number; max: number };
  slowest: { seed: number; scenario: string; ms: number };
  /** Warn-level messages of the node's log with counts (e.g. a Redis fallback under load). */
  warnings: Record<string, number>;
}

export interface FuzzSummary extends RunCounts {
  cases: number;
  /** Statuses answered on the silence routes, every mode. */
  silenceStatuses: Record<string, number>;
  seed: number;
  modes: FuzzMode[];
  crashes: number;
  scenarios: Record<string, number>;
  byMode: Partial<Record<FuzzMode, ModeSummary>>;
  durationMs: number;
}

export interface FuzzResult {
  summary: FuzzSummary;
  failures: FuzzFailure[];
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** Runs `count` cases from seed `start` against a fresh node per mode (modes in parallel). */
export async function runFuzz(opts: FuzzOptions): Promise<FuzzResult> {
  const t0 = Date.now();
  const log = opts.log ?? (() => undefined);
  const only = opts.scenarios ?? SCENARIOS;
  const scenarios: Record<string, number> = Object.fromEntries(only.map((s) => [s, 0]));
  for (let i = opts.start; i < opts.start + opts.count; i++) {
    const s = fuzzCase(i).scenario;
    if (s in scenarios) scenarios[s]++;
  }
  const failures: FuzzFailure[] = [];
  const results = await Promise.all(opts.modes.map((m) => runMode(m, opts, failures, log)));
  const byMode: Partial<Record<FuzzMode, ModeSummary>> = {};
  const statuses: Record<string, number> = {};
  const silenceStatuses: Record<string, number> = {};
  let requests = 0;
  let fiveXX = 0;
  let crashes = 0;
  opts.modes.forEach((m, i) => {
    const r = results[i];
    byMode[m] = r;
    requests += r.requests;
    fiveXX += r.fiveXX;
    if (r.crashed || !r.aliveAfter) crashes++;
    for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    for (const [k, v] of Object.entries(r.silenceStatuses))
      silenceStatuses[k] = (silenceStatuses[k] ?? 0) + v;
  });
  return {
    summary: {
      cases: opts.count,
      seed: opts.start,
      modes: opts.modes,
      requests,
      statuses: sortKeys(statuses),
      silenceStatuses: sortKeys(silenceStatuses),
      fiveXX,
      crashes,
      failures: failures.length,
      scenarios,
      byMode,
      durationMs: Date.now() - t0,
    },
    failures,
  };
}

async function runMode(
  mode: FuzzMode,
  opts: FuzzOptions,
  failures: FuzzFailure[],
  log: (msg: string) => void,
): Promise<ModeSummary> {
  const t0 = Date.now();
  const node = await FuzzNode.start(mode, opts.yaml ?? FUZZ_CONFIG_YAML, opts.heapMB ?? 512);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const statuses: Record<string, number> = {};
  const silenceStatuses: Record<string, number> = {};
  let requests = 0;
  let fiveXX = 0;
  let followupsChecked = 0;
  const deviations: Record<string, Deviation> = {};
  const latencies: number[] = [];
  let slowest = { seed: -1, scenario: '', ms: 0 };
  let crashed: string | null = null;
  let next = opts.start;
  const end = opts.start + opts.count;
  let done = 0;
  const fail = (c: FuzzCase, problem: string, a?: Answer) => {
    failures.push({
      seed: c.index,
      mode,
      scenario: c.scenario,
      request: describe(c),
      problem,
      status: a?.status,
      body: a?.body.toString('utf8', 0, 600),
      repro: `FUZZ_SEED=${c.index} FUZZ_CASES=1 FUZZ_MODES=${mode} npm run fuzz`,
    });
  };
  const worker = async () => {
    while (next < end && !crashed) {
      const c = fuzzCase(next++);
      if (opts.scenarios && !opts.scenarios.includes(c.scenario)) continue;
      let answers: Answer[];
      const sent = Date.now();
      try {
        answers = c.raw
          ? await sendRaw(node.url, c.raw, timeoutMs)
          : [await send(node.url, c, agent, timeoutMs)];
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        requests++;
        statuses.error = (statuses.error ?? 0) + 1;
        if (node.exited) crashed = node.exited;
        // A connection reset after the node answered early (413 on a big body) is the client's side.
        else if (!/ECONNRESET|EPIPE/.test(msg) || c.expect?.status[0] !== 413) fail(c, `no answer: ${msg}`);
        continue;
      }
      const ms = Date.now() - sent;
      latencies.push(ms);
      if (ms > slowest.ms) slowest = { seed: c.index, scenario: c.scenario, ms };
      for (const a of answers) {
        requests++;
        statuses[a.status] = (statuses[a.status] ?? 0) + 1;
        if (isSilencePath(c.path)) silenceStatuses[a.status] = (silenceStatuses[a.status] ?? 0) + 1;
        if (a.status >= 500) fiveXX++;
        const r = check(c, a);
        for (const p of r.problems) fail(c, p, a);
        for (const d of r.deviations) {
          const seen = (deviations[d] ??= {
            count: 0,
            firstSeed: c.index,
            status: a.status,
            body: a.body.toString('utf8', 0, 300),
          });
          seen.count++;
        }
      }
      if (c.followup && answers.length === 1) {
        const p = await followup(node.url, c, answers[0], agent, timeoutMs).catch(
          (e: Error) => `follow-up read failed: ${e.message}`,
        );
        followupsChecked++;
        if (p) fail(c, p, answers[0]);
      }
      if (c.silence && answers.length === 1 && answers[0].status === 200) {
        const p = await silenceFollowup(node.url, c, answers[0], sent, agent, timeoutMs).catch(
          (e: Error) => `silence follow-up failed: ${e.message}`,
        );
        followupsChecked++;
        if (p) fail(c, p, answers[0]);
      }
      if (++done % 500 === 0) {
        log(
          `${mode}: ${done}/${opts.count} cases, ${fiveXX} 5xx, ${failures.filter((f) => f.mode === mode).length} failures`,
        );
        if (!(await node.alive(10_000))) crashed = node.exited ?? 'not answering /health/live';
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: opts.concurrency ?? 4 }, worker));
    // A programming error in the node's log (a flush that throws a TypeError, say) is a failure even
    // though every answer was fine: the case that stored the poison is not known, so no seed.
    for (const line of [...Object.keys(node.warnings()), ...node.errorLines()]) {
      if (/\b(TypeError|RangeError|ReferenceError|SyntaxError)\b/.test(line)) {
        failures.push({
          seed: -1,
          mode,
          scenario: 'node-log',
          request: '',
          problem: `node logged a programming error: ${line.slice(0, 600)}`,
          repro: `FUZZ_MODES=${mode} FUZZ_KEEP_LOGS=1 npm run fuzz`,
        });
      }
    }
    const aliveAfter = await node.alive(10_000);
    if (!aliveAfter && !crashed) crashed = node.exited ?? 'not answering /health/live';
    if (crashed) log(`${mode}: node down (${crashed}):\n${node.logTail()}`);
    return {
      requests,
      statuses: sortKeys(statuses),
      fiveXX,
      failures: failures.filter((f) => f.mode === mode).length,
      followupsChecked,
      silenceStatuses: sortKeys(silenceStatuses),
      deviations,
      crashed,
      aliveAfter,
      peakRssMB: node.peakRssMB(),
      durationMs: Date.now() - t0,
      latencyMs: { p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99), max: slowest.ms },
      slowest,
      errorLog: node.errorLines(),
      warnings: node.warnings(),
    };
  } finally {
    agent.destroy();
    await node.stop();
  }
}

/** A connection-level error answered by Fastify's default clientErrorHandler: `{error, message, statusCode}`. */
export const FASTIFY_CLIENT_ERROR = 'fastify-client-error-without-field';

/** An HTTP/1.1 request without a Host header, refused by Node's http server with an empty 400. */
export const NODE_MISSING_HOST = 'node-http-missing-host-empty-400';

/** What the answer breaks (problems), and known deviations from the README's contract it shows. */
export function check(c: FuzzCase, a: Answer): { problems: string[]; deviations: string[] } {
  const problems: string[] = [];
  const deviations: string[] = [];
  if (a.status >= 500) problems.push(`5xx: ${a.status}`);
  const text = a.body.toString('utf8');
  let json: unknown;
  let parsed = false;
  try {
    json = text ? JSON.parse(text) : undefined;
    parsed = text !== '';
  } catch {
    /* not JSON */
  }
  const head = c.method === 'HEAD';
  if (a.status >= 400 && a.status < 500 && !head) {
    const b = json as
      { error?: unknown; field?: unknown; message?: unknown; statusCode?: unknown } | undefined;
    if (text === '' && a.status === 400 && c.raw && !/\r?\nhost:/i.test(c.raw.toString('latin1'))) {
      // Node's http server itself answers an HTTP/1.1 request without Host (requireHostHeader) with an
      // empty 400 before Fastify sees it: a known deviation, reported, not failed.
      deviations.push(NODE_MISSING_HOST);
    } else if (parsed && typeof json === 'string' && isSilencePath(c.path)) {
      // The silence routes answer domain errors (400, 404, 429) as Alertmanager's spec declares them: a
      // JSON string, the field named in it (`… (field: endsAt)`) and in X-Herald-Error-Field.
      if (stringErrorField(json, a.headers) === undefined && !FIELDLESS.has(a.status))
        problems.push(`contract: ${a.status} string body names no field`);
    } else if (
      !parsed ||
      typeof b !== 'object' ||
      b === null ||
      Array.isArray(b) ||
      typeof b.error !== 'string'
    ) {
      problems.push(`contract: ${a.status} body is not JSON {error, field}`);
    } else if (typeof b.field !== 'string' && !FIELDLESS.has(a.status)) {
      // Fastify's own clientErrorHandler answers an unparsable request (bad framing, headers over 16 KiB)
      // before any route or Herald's filter runs: counted as a known deviation, reported, not failed.
      if (b.statusCode === a.status && typeof b.message === 'string') deviations.push(FASTIFY_CLIENT_ERROR);
      else problems.push(`contract: ${a.status} body has no field`);
    }
  }
  if (c.expect) {
    if (!c.expect.status.includes(a.status)) {
      problems.push(`expected status ${c.expect.status.join('|')}, got ${a.status}`);
    } else if (c.expect.field !== undefined && a.status >= 400) {
      const field =
        typeof json === 'string'
          ? stringErrorField(json, a.headers)
          : (json as { field?: unknown } | undefined)?.field;
      const f = c.expect.field;
      const ok = typeof field === 'string' && (typeof f === 'string' ? field === f : f.test(field));
      if (!ok) problems.push(`expected field ${String(f)}, got ${JSON.stringify(field)}`);
    }
  }
  const route = routeOf(c.path);
  if (a.status === 200 && c.method === 'POST') {
    if (route === SILENCES_PATH) {
      const id = (json as { silenceID?: unknown } | undefined)?.silenceID;
      if (typeof id !== 'string' || id === '')
        problems.push('contract: silence POST 200 without a silenceID');
    } else if (text !== '') problems.push('contract: ingest 200 with a body');
  }
  if (a.status === 200 && c.method === 'GET') {
    if (route.startsWith(`${SILENCE_PATH}/`)) {
      const p = gettableProblem(json);
      if (p) problems.push(`contract: GET silence 200: ${p}`);
    } else if (!Array.isArray(json)) problems.push('contract: read 200 is not a JSON array');
    else if (route === SILENCES_PATH) {
      const p = json.map(gettableProblem).find((x) => x);
      if (p) problems.push(`contract: GET silences 200: ${p}`);
    }
  }
  return { problems, deviations };
}

/**
 * The field a string error body names: its `(field: …)` suffix (exact, whatever the characters), else
 * the X-Herald-Error-Field header (percent-decoded when it is encoded).
 */
function stringErrorField(text: string, headers: Answer['headers']): string | undefined {
  const m = /\(field: ([\s\S]*)\)$/.exec(text);
  if (m) return m[1];
  const h = headers['x-herald-error-field'];
  if (typeof h !== 'string' || h === '') return undefined;
  try {
    return decodeURIComponent(h);
  } catch {
    return h;
  }
}

/** The path a request reaches: the client sends it through WHATWG URL parsing, which resolves `..`. */
function routeOf(path: string): string {
  try {
    return new URL(path, 'http://fuzz').pathname;
  } catch {
    return path.split('?')[0];
  }
}

function isSilencePath(path: string): boolean {
  const route = routeOf(path);
  return route === SILENCES_PATH || route.startsWith(`${SILENCE_PATH}/`);
}

// A gettableSilence time: RFC 3339 in UTC as Alertmanager writes it (a client's date-time parser reads it).
const WIRE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;
const STATES = new Set(['active', 'pending', 'expired']);

/** What makes `v` not an Alertmanager gettableSilence, or null. */
export function gettableProblem(v: unknown): string | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  const s = v as Record<string, unknown>;
  if (typeof s.id !== 'string' || s.id === '') return 'no id';
  const state = (s.status as { state?: unknown } | undefined)?.state;
  if (typeof state !== 'string' || !STATES.has(state)) return `status.state ${JSON.stringify(state)}`;
  for (const f of ['startsAt', 'endsAt', 'updatedAt'])
    if (typeof s[f] !== 'string' || !WIRE_TIME.test(s[f] as string))
      return `${f} ${JSON.stringify(s[f])} is not an RFC 3339 UTC time`;
  if (typeof s.createdBy !== 'string' || typeof s.comment !== 'string')
    return 'createdBy/comment not strings';
  if (!Array.isArray(s.matchers) || s.matchers.length === 0) return 'no matchers';
  for (const m of s.matchers as Record<string, unknown>[]) {
    if (typeof m?.name !== 'string' || typeof m.value !== 'string') return 'a matcher without name/value';
    if (typeof m.isRegex !== 'boolean' || typeof m.isEqual !== 'boolean')
      return 'a matcher without isRegex/isEqual';
  }
  if (s.annotations !== undefined) {
    const a = s.annotations;
    if (typeof a !== 'object' || a === null || Array.isArray(a)) return 'annotations not an object';
    if (Object.values(a).some((x) => typeof x !== 'string')) return 'an annotation not a string';
  }
  return null;
}

/** Statuses whose body may lack `field`: an unknown route or method (Fastify answers 404). */
const FIELDLESS = new Set([404, 405]);

/** The follow-up read of a case: its valid alerts listed when anything was stored, none otherwise. */
async function followup(
  base: string,
  c: FuzzCase,
  a: Answer,
  agent: Agent,
  timeoutMs: number,
): Promise<string | null> {
  const f = c.followup!;
  if (a.status !== 200 && a.status !== 400) return null; // 413/415/429: nothing to compare
  let body: { accepted?: number } = {};
  try {
    body = a.body.length ? (JSON.parse(a.body.toString('utf8')) as typeof body) : {};
  } catch {
    /* checked elsewhere */
  }
  const stored = a.status === 200 || (typeof body.accepted === 'number' && body.accepted > 0);
  const want = stored ? f.alerts : 0;
  const r = await send(
    base,
    {
      index: c.index,
      scenario: c.scenario,
      method: 'GET',
      path: `${ALERTS_PATH}?filter=${encodeURIComponent(f.filter)}`,
      headers: {},
    },
    agent,
    timeoutMs,
  );
  if (r.status !== 200) return `follow-up GET ${f.filter}: status ${r.status}`;
  const list = JSON.parse(r.body.toString('utf8')) as { labels: Record<string, string> }[];
  if (list.length !== want) {
    return `follow-up GET ${f.filter}: ${list.length} alert(s) listed, want ${want} (status ${a.status}, accepted ${String(body.accepted)})`;
  }
  for (const [k, v] of Object.entries(f.labels ?? {})) {
    if (list.some((x) => !Object.prototype.hasOwnProperty.call(x.labels, k) || x.labels[k] !== v)) {
      return `follow-up GET ${f.filter}: label ${k}=${JSON.stringify(v)} not kept`;
    }
  }
  return null;
}

interface Gettable {
  id: string;
  status: { state: string };
  matchers: { name: string; value: string; isRegex: boolean; isEqual: boolean }[];
  startsAt: string;
  endsAt: string;
  updatedAt: string;
  createdBy: string;
  comment: string;
  annotations?: Record<string, string>;
}

/**
 * The follow-up of a silence POST answered 200: the silence read back (well-formed, equal to what was
 * posted), found by its marker filter, then updated in place, replaced, expired as the case says. Each
 * answer on the way must keep the contract too. Returns the first problem, or null.
 */
async function silenceFollowup(
  base: string,
  c: FuzzCase,
  a: Answer,
  sentAt: number,
  agent: Agent,
  timeoutMs: number,
): Promise<string | null> {
  const f = c.silence!;
  const call = async (
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ a: Answer; json: unknown }> => {
    const req: FuzzCase = {
      index: c.index,
      scenario: c.scenario,
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : Buffer.from(JSON.stringify(body)),
    };
    const r = await send(base, req, agent, timeoutMs);
    const problems = check(req, r).problems;
    if (problems.length)
      throw new Error(
        `${method} ${path.slice(0, 200)}: ${problems.join('; ')}: ${r.body.toString('utf8', 0, 300)}`,
      );
    let json: unknown;
    try {
      json = r.body.length ? JSON.parse(r.body.toString('utf8')) : undefined;
    } catch {
      /* checked above where it matters */
    }
    return { a: r, json };
  };
  const get = async (id: string): Promise<Gettable> => {
    const r = await call('GET', `${SILENCE_PATH}/${encodeURIComponent(id)}`);
    if (r.a.status !== 200) throw new Error(`GET silence ${id}: status ${r.a.status}`);
    const g = r.json as Gettable;
    if (g.id !== id) throw new Error(`GET silence ${id}: answered id ${g.id}`);
    return g;
  };

  let id = (JSON.parse(a.body.toString('utf8')) as { silenceID: string }).silenceID;
  const got = await get(id);
  if (f.want) {
    const p = compareSilence(got, f.want, sentAt);
    if (p) return `GET silence ${id}: ${p}`;
  }
  if (f.listFilter) {
    const r = await call('GET', `${SILENCES_PATH}?filter=${encodeURIComponent(f.listFilter)}`);
    if (r.a.status !== 200) return `GET silences ${f.listFilter}: status ${r.a.status}`;
    const ids = (r.json as Gettable[]).map((x) => x.id);
    if (ids.length !== 1 || ids[0] !== id)
      return `GET silences ${f.listFilter}: ids ${JSON.stringify(ids)}, want [${id}]`;
  }
  const posted = JSON.parse(c.body!.toString('utf8')) as Record<string, unknown>;
  let current = got;
  for (const step of f.steps) {
    if (step === 'update') {
      const comment = `updated by fuzz case ${c.index}`;
      const r = await call('POST', SILENCES_PATH, { ...posted, id, startsAt: current.startsAt, comment });
      if (r.a.status !== 200)
        return `update ${id}: status ${r.a.status} ${r.a.body.toString('utf8', 0, 300)}`;
      const nid = (r.json as { silenceID: string }).silenceID;
      if (nid !== id) return `update ${id} in place (same matchers and start) answered a new id ${nid}`;
      const after = await get(id);
      if (after.comment !== comment)
        return `update ${id}: comment ${JSON.stringify(after.comment.slice(0, 80))} not changed`;
      if (after.status.state !== current.status.state)
        return `update ${id}: state ${current.status.state} became ${after.status.state}`;
      if (JSON.stringify(after.matchers) !== JSON.stringify(current.matchers))
        return `update ${id}: matchers changed`;
      current = after;
    } else if (step === 'replace') {
      const ms = [...(posted.matchers as unknown[])];
      const extra = { name: 'fuzz_step', value: 'replaced', isRegex: false, isEqual: true };
      if (ms.length >= 64) ms[ms.length - 1] = extra;
      else ms.push(extra);
      const r = await call('POST', SILENCES_PATH, { ...posted, id, matchers: ms });
      if (r.a.status === 429) break; // at max_silences: the replacement is a new silence
      if (r.a.status !== 200)
        return `replace ${id}: status ${r.a.status} ${r.a.body.toString('utf8', 0, 300)}`;
      const nid = (r.json as { silenceID: string }).silenceID;
      if (nid === id) return `replace ${id} (matchers changed) kept the id`;
      const old = await get(id);
      if (old.status.state !== 'expired')
        return `replace ${id}: the old silence is ${old.status.state}, not expired`;
      const fresh = await get(nid);
      const norm = (xs: unknown[]) =>
        JSON.stringify(
          (xs as Record<string, unknown>[]).map((m) => [m.name, m.value, m.isRegex, m.isEqual !== false]),
        );
      if (norm(fresh.matchers) !== norm(ms))
        return `replace ${id}: the new silence ${nid} has other matchers`;
      id = nid;
      current = fresh;
    } else {
      for (let i = 0; i < 2; i++) {
        // Expiring is idempotent: the second DELETE of an expired silence is 200 too.
        const r = await call('DELETE', `${SILENCE_PATH}/${encodeURIComponent(id)}`);
        if (r.a.status !== 200) return `DELETE silence ${id} (#${i + 1}): status ${r.a.status}`;
      }
      const after = await get(id);
      if (after.status.state !== 'expired')
        return `DELETE silence ${id}: state ${after.status.state}, not expired`;
      if (Date.parse(after.endsAt) > Date.now())
        return `DELETE silence ${id}: endsAt ${after.endsAt} in the future`;
      current = after;
    }
  }
  return null;
}

/** Where a silence read back differs from what was posted (`want`); null when equal. */
function compareSilence(got: Gettable, want: SilenceWant, sentAt: number): string | null {
  const ms = got.matchers.map(({ name, value, isRegex, isEqual }) => ({ name, value, isRegex, isEqual }));
  if (JSON.stringify(ms) !== JSON.stringify(want.matchers))
    return `matchers ${JSON.stringify(ms).slice(0, 300)}, want ${JSON.stringify(want.matchers).slice(0, 300)}`;
  if (got.createdBy !== want.createdBy)
    return `createdBy ${JSON.stringify(got.createdBy.slice(0, 100))} differs`;
  if (got.comment !== want.comment) return `comment ${JSON.stringify(got.comment.slice(0, 100))} differs`;
  const entries = (xs: [string, string][]) =>
    JSON.stringify([...xs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  const ann = entries(Object.entries(got.annotations ?? {}));
  if (ann !== entries(want.annotations))
    return `annotations ${ann.slice(0, 300)}, want ${entries(want.annotations).slice(0, 300)}`;
  if (Date.parse(got.endsAt) !== want.endsAt)
    return `endsAt ${got.endsAt}, want ${new Date(want.endsAt).toISOString()}`;
  const start = Date.parse(got.startsAt);
  if (want.startsAt !== null) {
    if (start !== want.startsAt)
      return `startsAt ${got.startsAt}, want ${new Date(want.startsAt).toISOString()}`;
    if (got.status.state !== 'pending')
      return `state ${got.status.state}, want pending (starts in the future)`;
  } else {
    // A start in the past (or Go's zero) is the node's now: between sending and now.
    if (start < sentAt - 1000 || start > Date.now() + 1000)
      return `startsAt ${got.startsAt}: a past or zero start must become the time of the write`;
    if (got.status.state !== 'active') return `state ${got.status.state}, want active`;
  }
  return null;
}

/**
 * One request on the keep-alive agent. A reused connection the server closed meanwhile (after an early
 * 413 on a big body, say) fails before anything was answered: retried once on a fresh connection, as
 * Node's docs advise for `reusedSocket`.
 */
async function send(base: string, c: FuzzCase, agent: Agent, timeoutMs: number): Promise<Answer> {
  try {
    return await sendOnce(base, c, agent, timeoutMs);
  } catch (e) {
    if ((e as { reused?: boolean }).reused) return sendOnce(base, c, false, timeoutMs);
    throw e;
  }
}

function sendOnce(base: string, c: FuzzCase, agent: Agent | false, timeoutMs: number): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...c.headers };
    if (c.body) headers['content-length'] = c.body.length;
    let answered = false;
    const req = request(
      `${base}${c.path}`,
      { method: c.method, headers, agent, timeout: timeoutMs },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', (e: Error & { code?: string; reused?: boolean }) => {
      if (answered) return;
      if (req.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) e.reused = true;
      reject(e);
    });
    req.end(c.body);
  });
}

/**
 * Writes raw bytes on a fresh connection, half-closes it, and parses every HTTP response the server
 * wrote before closing (none is fine: a server may drop garbage without answering).
 */
function sendRaw(base: string, raw: Buffer, timeoutMs: number): Promise<Answer[]> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const sock = connect({ host: hostname, port: Number(port) });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`raw: connection still open after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.on('connect', () => sock.end(raw));
    sock.on('data', (d: Buffer) => chunks.push(d));
    sock.on('error', () => undefined); // a reset after the answer is fine; the answer is what counts
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(parseResponses(Buffer.concat(chunks)));
    });
  });
}

/** Splits a byte stream into HTTP/1.1 responses (Content-Length or chunked bodies). */
export function parseResponses(buf: Buffer): Answer[] {
  const out: Answer[] = [];
  let at = 0;
  while (at < buf.length) {
    const headEnd = buf.indexOf('\r\n\r\n', at);
    if (headEnd < 0) break;
    const head = buf.toString('latin1', at, headEnd).split('\r\n');
    const m = /^HTTP\/1\.[01] (\d{3})/.exec(head[0]);
    if (!m) break;
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    let p = headEnd + 4;
    let body: Buffer;
    if (/chunked/i.test(headers['transfer-encoding'] ?? '')) {
      const parts: Buffer[] = [];
      for (;;) {
        const le = buf.indexOf('\r\n', p);
        if (le < 0) break;
        const n = parseInt(buf.toString('latin1', p, le), 16);
        if (!(n > 0)) {
          p = le + 4;
          break;
        }
        parts.push(buf.subarray(le + 2, le + 2 + n));
        p = le + 2 + n + 2;
      }
      body = Buffer.concat(parts);
    } else {
      const n = Number(headers['content-length'] ?? 0);
      body = buf.subarray(p, p + n);
      p += n;
    }
    out.push({ status: Number(m[1]), headers, body });
    at = p;
  }
  return out;
}

function describe(c: FuzzCase): string {
  if (c.raw)
    return `RAW ${JSON.stringify(c.raw.toString('latin1', 0, 200))}${c.raw.length > 200 ? `… (${c.raw.length} bytes)` : ''}`;
  const ct = c.headers['content-type'];
  const body = c.body
    ? ` ${JSON.stringify(c.body.toString('utf8', 0, 200))}${c.body.length > 200 ? `… (${c.body.length} bytes)` : ''}`
    : '';
  return `${c.method} ${c.path.slice(0, 300)}${ct !== undefined ? ` [${ct}]` : ''}${body}`;
}

function percentile(xs: number[], q: number): number {
  if (!xs.length) return 0;
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

function sortKeys(o: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
