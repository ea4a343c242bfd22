/**
 * Silence parity with Alertmanager 0.25: one engine that both RECORDS a scripted sequence of HTTP calls
 * (and `amtool` runs) against a real Alertmanager (test/compat/make-silence-fixtures.js, which loads this
 * file through test/harness/ts-register.js) and REPLAYS the recorded fixture (test/compat/silences-am025.json)
 * against any HTTP target, comparing every step. Recording and replay share the same normalisation, so a
 * fixture replayed against Alertmanager itself compares equal.
 *
 * Tokens. Ids and times differ between runs, so the fixture holds symbols instead:
 * - `$S1`, `$S2`, … silence ids, numbered in order of first appearance in a response (POST's
 *   `silenceID`, a silence's `id`, `silencedBy` entries). Requests carry the symbols too (in the path and
 *   body); the replay binds each symbol to the id the target returned at the same place of the same step,
 *   then substitutes it in later requests. An id the recording has no counterpart for becomes `$X1`, ….
 * - `$now`, `$now+1h`, `$now-5m`: in a request, a time relative to the step's own "now" (the replay's
 *   clock when the step starts). In a response, a time the client sent in this step (exactly, to the
 *   millisecond), or one the server produced while this step was in flight (`$now` alone).
 * - `$t[step-name]+1h`: the same for a time that belongs to an earlier step (the `endsAt` a DELETE set,
 *   the `updatedAt` of the last change, the `endsAt` sent at creation).
 * - `$resp[step-name].path`, `$resp[step-name].path+1ms`: in a request, a value read from that step's raw
 *   response in this run (e.g. the stored `startsAt` an update must send back unchanged, as amtool does),
 *   for a time optionally shifted.
 * - `~$now+59m58s`: a time neither sent nor produced within any step; never in a recorded fixture, so in
 *   a replay it is always a mismatch (e.g. a target that shifts a sent time).
 * Steps are separated by at least one millisecond, so a server time falls in exactly one step's window.
 *
 * Order. Arrays keep their order (Alertmanager sorts silence lists by state, then endsAt/startsAt, and
 * alerts by fingerprint), except `silencedBy`: Alertmanager sorts it by silence id as a string, which for
 * random UUIDs is a random order of the symbols. The fixture lists those symbols by number; the replay
 * checks separately that the target's raw `silencedBy` is in ascending id order.
 *
 * Comparing. A 2xx step must answer the same status and a body equal after normalisation (same keys,
 * same values, same array order), except fields newer Alertmanager versions added and 0.25 clients
 * ignore (ADDITIVE_FIELDS). An error step must answer the same status; its body may be the recorded one
 * (Alertmanager replaying itself), Herald's `{error, field}` JSON, or — where Alertmanager answers a
 * string — Herald's string `<message> (field: <f>)`, read as `{error, field}`: Alertmanager 0.25 answers a JSON
 * string (its handlers) or `{code, message}` (go-swagger's request validation), and that message must
 * appear verbatim inside Herald's `error` — except Go's own wording (requiredMessage: RE2's detail after
 * `error parsing regexp:`, encoding/json's decoding errors) — and `field` must be a non-empty string
 * naming the culprit: equal to one of the step's `fieldHint` entries or nested under one (`matchers`
 * accepts `matchers[1].value`). A step may list `alternatives`: another
 * status (and body, `"*"` matching anything) a newer Alertmanager answers, which the target may give
 * instead; the comparison then says which one matched.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';

export type QueryValue = string | string[];

export interface FixtureRequest {
  method: 'GET' | 'POST' | 'DELETE';
  /** With `$S<n>` symbols, e.g. `/api/v2/silence/$S1`. */
  path: string;
  query?: Record<string, QueryValue>;
  /** JSON body, with tokens. */
  body?: unknown;
  /** A body sent as is instead of JSON (malformed JSON). */
  rawBody?: string;
}

/** `body`: parsed JSON, the text when it is not JSON, `''` when empty. */
export interface FixtureResponse {
  status: number;
  body: unknown;
}

/** Repeat the request until the server's asynchronous work shows (Alertmanager's dispatcher, inhibitor). */
export type PollUntil =
  { kind: 'alertsInGroups'; count: number } | { kind: 'inhibitedAlerts'; count: number };

export interface Alternative {
  status: number;
  /** Compared after normalisation; `"*"` anywhere matches any value. Absent: any body. */
  body?: unknown;
  note: string;
}

interface StepCommon {
  name: string;
  note?: string;
}

export interface HttpStepScript extends StepCommon {
  request: FixtureRequest;
  poll?: PollUntil;
  /** For error steps: the field(s) a `{error, field}` answer may name. */
  fieldHint?: string[];
  alternatives?: Alternative[];
}

export interface AmtoolStepScript extends StepCommon {
  /** amtool's arguments after `--alertmanager.url=…`. */
  amtool: string[];
}

export type StepScript = HttpStepScript | AmtoolStepScript;

export interface HttpStep extends HttpStepScript {
  response: FixtureResponse;
}

export interface AmtoolResult {
  exitCode: number;
  /** Parsed JSON when amtool printed JSON, else the lines (ids replaced by symbols). */
  stdout: unknown;
}

export interface AmtoolStep extends AmtoolStepScript {
  result: AmtoolResult;
}

export type SilenceFixtureStep = HttpStep | AmtoolStep;

export interface SilenceFixture {
  source: string;
  /** Alertmanager configuration of the recording (JSON is YAML); Herald's replay loads the same. */
  config: Record<string, unknown>;
  notes: string[];
  steps: SilenceFixtureStep[];
}

export interface ConcreteRequest {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query: [string, string][];
  /** Already serialised (JSON or the raw body). */
  body?: string;
}

/** One HTTP exchange; `step` names the fixture step (for logs, or a test that tampers with one answer). */
export type HttpCall = (req: ConcreteRequest, step: string) => Promise<FixtureResponse>;
/** Runs amtool against the target with these arguments (the runner adds `--alertmanager.url`). */
export type AmtoolRun = (args: string[]) => Promise<{ exitCode: number; stdout: string }>;

export interface StepComparison {
  name: string;
  ok: boolean;
  /** Why not ok: `path: expected X, got Y` lines. */
  diffs: string[];
  /** Set when the step passed through one of its alternatives. */
  via?: string;
  /** Set when the step could not run (no amtool runner, a symbol the target never returned). */
  skipped?: string;
  expected: FixtureResponse | AmtoolResult;
  /** The target's answer after normalisation. */
  actual?: FixtureResponse | AmtoolResult;
}

export interface ReplayOptions {
  /** Runs the fixture's amtool steps; without it they are reported as skipped. */
  amtool?: AmtoolRun;
  /** How long a polling step may take (default 15 s). */
  pollTimeoutMs?: number;
}

export interface ReplayResult {
  steps: StepComparison[];
  /** The steps that are not ok (skipped ones included). */
  mismatches: StepComparison[];
  /** Symbol → the target's id. */
  ids: Map<string, string>;
}

/** Fields a newer Alertmanager added that a 0.25 recording lacks; the target may carry them. */
export const ADDITIVE_FIELDS: readonly { field: string; inObjectWith: string; since: string }[] = [
  { field: 'annotations', inObjectWith: 'createdBy', since: 'silence annotations, Alertmanager 0.32' },
  { field: 'mutedBy', inObjectWith: 'silencedBy', since: 'alert status mutedBy, Alertmanager 0.28' },
];

const ISO_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const SYMBOL = /\$S\d+/g;
const ID_KEYS = new Set(['silenceID', 'id']);
const MAX_DIFFS = 25;
const POLL_INTERVAL_MS = 50;

/** `+2h30m`, `-5m`, `+1s250ms`; `''` for zero. */
export function formatOffset(ms: number): string {
  if (ms === 0) return '';
  const sign = ms < 0 ? '-' : '+';
  let rest = Math.abs(ms);
  let out = '';
  for (const [unit, size] of [
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
    ['ms', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return sign + out;
}

/** The inverse of formatOffset (`''` is 0). */
export function parseOffset(text: string): number {
  if (text === '') return 0;
  const m = /^([+-])(?:(\d+)h)?(?:(\d+)m(?!s))?(?:(\d+)s)?(?:(\d+)ms)?$/.exec(text);
  if (!m || text.length < 3) throw new Error(`bad time offset ${JSON.stringify(text)}`);
  const ms = (+(m[2] ?? 0) * 3600 + +(m[3] ?? 0) * 60 + +(m[4] ?? 0)) * 1000 + +(m[5] ?? 0);
  return m[1] === '-' ? -ms : ms;
}

/** Milliseconds of an RFC 3339 time (sub-millisecond digits truncated), or undefined. */
function parseTime(s: string): number | undefined {
  const m = ISO_TIME.exec(s);
  if (!m) return undefined;
  const frac = (m[2] ?? '').slice(0, 4);
  const ms = Date.parse(`${m[1]}${frac}${m[3]}`);
  return Number.isNaN(ms) ? undefined : ms;
}

const isHttp = (s: StepScript): s is HttpStepScript => 'request' in s;

/** Reads `.a.b[0].c` from a value. */
function readPath(value: unknown, path: string): unknown {
  let cur: any = value;
  for (const part of path.match(/\.[^.[\]]+|\[\d+\]/g) ?? []) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = part.startsWith('[') ? cur[Number(part.slice(1, -1))] : cur[part.slice(1)];
  }
  return cur;
}

class UnboundSymbol extends Error {}

/** The state of one run (recording or replay): step windows, sent times, id ↔ symbol bindings. */
export class ParitySession {
  private readonly names: string[] = [];
  private readonly windows: { start: number; end: number }[] = [];
  private readonly sent = new Map<number, { step: number; offset: number }>();
  private readonly symbolOf = new Map<string, string>();
  readonly idOf = new Map<string, string>();
  private readonly raw = new Map<string, unknown>();
  private nextSymbol = 1;
  private nextStray = 1;
  private lastEnd = 0;
  /** Findings that are no field difference (e.g. silencedBy out of id order), per current step. */
  private problems: string[] = [];

  constructor(private readonly mode: 'record' | 'replay') {}

  /** Starts a step strictly after the previous one ended (so windows never share a millisecond). */
  async begin(name: string): Promise<number> {
    if (this.names.includes(name)) throw new Error(`duplicate step name ${name}`);
    while (Date.now() <= this.lastEnd) await new Promise((r) => setTimeout(r, 1));
    const now = Date.now();
    this.names.push(name);
    this.windows.push({ start: now, end: now });
    this.problems = [];
    return now;
  }

  end(rawBody: unknown): void {
    const i = this.windows.length - 1;
    this.windows[i].end = this.lastEnd = Date.now();
    this.raw.set(this.names[i], rawBody);
  }

  takeProblems(): string[] {
    const p = this.problems;
    this.problems = [];
    return p;
  }

  /** A request template made concrete: symbols → ids, `$now±d` → times (remembered), `$resp[…]` → values. */
  resolve(value: unknown): unknown {
    if (typeof value === 'string') return this.resolveString(value);
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value !== null && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(v)]));
    }
    return value;
  }

  private resolveString(s: string): unknown {
    const current = this.windows.length - 1;
    const now = /^\$now([+-].*)?$/.exec(s);
    if (now) {
      const offset = parseOffset(now[1] ?? '');
      const ms = this.windows[current].start + offset;
      this.sent.set(ms, { step: current, offset });
      return new Date(ms).toISOString();
    }
    const ref = /^\$resp\[([^\]]+)\]((?:\.[^.[\]+-]+|\[\d+\])*)([+-].+)?$/.exec(s);
    if (ref) {
      if (!this.raw.has(ref[1])) throw new Error(`${s}: no step ${ref[1]} before this one`);
      const v = readPath(this.raw.get(ref[1]), ref[2]);
      if (v === undefined) throw new UnboundSymbol(`${s} is absent from that step's response`);
      if (ref[3] === undefined) return v;
      const ms = typeof v === 'string' ? parseTime(v) : undefined;
      if (ms === undefined) throw new UnboundSymbol(`${s}: ${JSON.stringify(v)} is no time`);
      return new Date(ms + parseOffset(ref[3])).toISOString();
    }
    return s.replace(SYMBOL, (sym) => {
      const id = this.idOf.get(sym);
      if (id === undefined) throw new UnboundSymbol(`${sym} was never returned by the target`);
      return id;
    });
  }

  /** A response (or amtool JSON) with ids, times and silencedBy order normalised; see the file comment. */
  normalise(value: unknown, expected?: unknown, key?: string): unknown {
    if (typeof value === 'string') {
      const known = this.symbolOf.get(value);
      if (known !== undefined) return known;
      if (key !== undefined && ID_KEYS.has(key)) return this.bind(value, expected);
      if (key === 'silencedBy[]') return this.bind(value, undefined);
      const ms = parseTime(value);
      return ms !== undefined && ms > 0 ? this.time(ms) : value;
    }
    if (Array.isArray(value)) {
      if (key === 'silencedBy') return this.silencedBy(value);
      return value.map((v, i) => this.normalise(v, Array.isArray(expected) ? expected[i] : undefined));
    }
    if (value !== null && typeof value === 'object') {
      const exp = expected !== null && typeof expected === 'object' ? (expected as any) : {};
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.normalise(v, exp[k], k)]));
    }
    return value;
  }

  /** amtool's text output (`-q`): one id a line. */
  normaliseLines(text: string): string[] {
    return text
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => this.symbolOf.get(l) ?? (/^[0-9a-f-]{36}$/.test(l) ? this.bind(l, undefined) : l));
  }

  private silencedBy(ids: unknown[]): unknown[] {
    const strings = ids.filter((v): v is string => typeof v === 'string');
    const sorted = [...strings].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    if (!isDeepStrictEqual(strings, sorted)) {
      this.problems.push(`silencedBy ${JSON.stringify(strings)} is not in ascending id order`);
    }
    const syms = ids.map((v) => this.normalise(v, undefined, 'silencedBy[]'));
    const num = (s: unknown) => (typeof s === 'string' && /^\$S\d+$/.test(s) ? +s.slice(2) : Infinity);
    return syms.sort((a, b) => num(a) - num(b));
  }

  private bind(id: string, expected: unknown): string {
    let sym: string;
    if (this.mode === 'record') sym = `$S${this.nextSymbol++}`;
    else if (typeof expected === 'string' && /^\$S\d+$/.test(expected) && !this.idOf.has(expected)) {
      sym = expected;
    } else sym = `$X${this.nextStray++}`;
    this.symbolOf.set(id, sym);
    this.idOf.set(sym, id);
    return sym;
  }

  private time(ms: number): string {
    const current = this.windows.length - 1;
    const label = (step: number, offset: number) =>
      (step === current ? '$now' : `$t[${this.names[step]}]`) + formatOffset(offset);
    const sent = this.sent.get(ms);
    if (sent) return label(sent.step, sent.offset);
    for (let j = current; j >= 0; j--) {
      const w = this.windows[j];
      if (w.start <= ms && ms <= w.end) return label(j, 0);
    }
    const off = Math.round((ms - this.windows[current].start) / 1000) * 1000;
    return `~$now${formatOffset(off) || '+0s'}`;
  }
}

function toConcrete(session: ParitySession, req: FixtureRequest): ConcreteRequest {
  const query: [string, string][] = [];
  for (const [k, v] of Object.entries(req.query ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) query.push([k, String(session.resolve(one))]);
  }
  return {
    method: req.method,
    path: String(session.resolve(req.path)),
    query,
    body:
      req.rawBody !== undefined
        ? req.rawBody
        : req.body !== undefined
          ? JSON.stringify(session.resolve(req.body))
          : undefined,
  };
}

/** Whether a polled response shows the awaited state. */
function pollDone(poll: PollUntil, body: unknown): boolean {
  if (!Array.isArray(body)) return false;
  switch (poll.kind) {
    case 'alertsInGroups':
      return body.reduce((n, g) => n + (Array.isArray(g?.alerts) ? g.alerts.length : 0), 0) >= poll.count;
    case 'inhibitedAlerts':
      return body.filter((a) => (a?.status?.inhibitedBy?.length ?? 0) > 0).length >= poll.count;
  }
}

async function callPolling(
  call: HttpCall,
  step: string,
  req: ConcreteRequest,
  poll: PollUntil | undefined,
  timeoutMs: number,
): Promise<{ res: FixtureResponse; settled: boolean }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call(req, step);
    if (!poll || pollDone(poll, res.body)) return { res, settled: true };
    if (Date.now() > deadline) return { res, settled: false };
    await new Promise((r) => setTimeout(r, POLL_INTERVAL_MS));
  }
}

/** An HttpCall against a base URL with fetch: JSON body parsed, text kept, `''` when empty. */
export function httpCall(base: string, headers: Record<string, string> = {}): HttpCall {
  return async (req) => {
    const qs = req.query.length ? `?${new URLSearchParams(req.query).toString()}` : '';
    const res = await fetch(`${base}${req.path}${qs}`, {
      method: req.method,
      headers: { ...(req.body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: req.body,
    });
    const text = await res.text();
    let body: unknown = text;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        /* not JSON: keep the text */
      }
    }
    return { status: res.status, body };
  };
}

function normaliseAmtool(session: ParitySession, stdout: string, expected?: unknown): unknown {
  const t = stdout.trim();
  if (t.startsWith('[') || t.startsWith('{')) {
    try {
      return session.normalise(JSON.parse(t), expected);
    } catch {
      /* fall through to lines */
    }
  }
  return session.normaliseLines(stdout);
}

/** A script step as the recorder writes it: `{alias}` in path, query, body or amtool args names a silence. */
export type RecordStep = StepScript & {
  /** Names the silence this step's `silenceID` is (for `{alias}` in later steps). */
  as?: string;
};

/**
 * Runs a script against a real Alertmanager and returns the fixture steps (aliases replaced by the
 * symbols). Throws on anything that would make the fixture nondeterministic (an unexplained time,
 * silencedBy out of id order, a poll that never settled) or an alias never defined.
 */
export async function recordSilenceSteps(
  script: RecordStep[],
  call: HttpCall,
  amtool: AmtoolRun,
): Promise<SilenceFixtureStep[]> {
  const session = new ParitySession('record');
  const aliases = new Map<string, string>();
  const unalias = <T>(v: T): T =>
    JSON.parse(
      JSON.stringify(v).replace(/\{([A-Za-z][\w-]*)\}/g, (_, a: string) => {
        const sym = aliases.get(a);
        if (!sym) throw new Error(`alias {${a}} used before a step defined it`);
        return sym;
      }),
    ) as T;
  const out: SilenceFixtureStep[] = [];
  for (const { as, ...script0 } of script) {
    const step = unalias(script0 as StepScript);
    await session.begin(step.name);
    if (isHttp(step)) {
      const req = toConcrete(session, step.request);
      const { res, settled } = await callPolling(call, step.name, req, step.poll, 15_000);
      if (!settled) throw new Error(`${step.name}: poll ${JSON.stringify(step.poll)} never settled`);
      session.end(res.body);
      const body = session.normalise(res.body);
      out.push({ ...step, response: { status: res.status, body } });
      if (as !== undefined) {
        const sym = (body as { silenceID?: string } | undefined)?.silenceID;
        if (typeof sym !== 'string') throw new Error(`${step.name}: no silenceID to name ${as}`);
        aliases.set(as, sym);
      }
    } else {
      const r = await amtool(step.amtool);
      session.end(r.stdout);
      out.push({ ...step, result: { exitCode: r.exitCode, stdout: normaliseAmtool(session, r.stdout) } });
    }
    const problems = session.takeProblems();
    if (problems.length) throw new Error(`${step.name}: ${problems.join('; ')}`);
    const text = JSON.stringify(out[out.length - 1]);
    if (text.includes('~$now')) throw new Error(`${step.name}: a time no step explains: ${text}`);
  }
  return out;
}

/** Replays a recorded fixture against `call` (and `amtool`) and compares every step. */
export async function replaySilenceFixture(
  fixture: SilenceFixture,
  call: HttpCall,
  opts: ReplayOptions = {},
): Promise<ReplayResult> {
  const session = new ParitySession('replay');
  const steps: StepComparison[] = [];
  for (const step of fixture.steps) {
    await session.begin(step.name);
    const expected = 'response' in step ? step.response : step.result;
    try {
      if ('response' in step) {
        const req = toConcrete(session, step.request);
        const { res, settled } = await callPolling(
          call,
          step.name,
          req,
          step.poll,
          opts.pollTimeoutMs ?? 15_000,
        );
        session.end(res.body);
        const actual = { status: res.status, body: session.normalise(res.body, step.response.body) };
        const cmp = compareHttp(step, actual);
        if (!settled) cmp.diffs.unshift(`poll ${JSON.stringify(step.poll)} never settled`);
        cmp.diffs.push(...session.takeProblems());
        steps.push({ name: step.name, ...cmp, ok: cmp.diffs.length === 0, expected, actual });
      } else if (!opts.amtool) {
        session.end(undefined);
        steps.push({ name: step.name, ok: false, diffs: [], skipped: 'no amtool runner', expected });
      } else {
        const r = await opts.amtool(step.amtool);
        session.end(r.stdout);
        const actual = {
          exitCode: r.exitCode,
          stdout: normaliseAmtool(session, r.stdout, step.result.stdout),
        };
        const diffs = [
          ...(r.exitCode !== step.result.exitCode
            ? [`exit code: expected ${step.result.exitCode}, got ${r.exitCode}`]
            : []),
          ...diff(step.result.stdout, actual.stdout, 'stdout'),
          ...session.takeProblems(),
        ];
        steps.push({ name: step.name, ok: diffs.length === 0, diffs, expected, actual });
      }
    } catch (e) {
      if (!(e instanceof UnboundSymbol)) throw e;
      session.end(undefined);
      steps.push({ name: step.name, ok: false, diffs: [], skipped: e.message, expected });
    }
  }
  return { steps, mismatches: steps.filter((s) => !s.ok), ids: session.idOf };
}

/** The message Alertmanager 0.25 answered: a JSON string, go-swagger's `{code, message}`, or none. */
export function alertmanagerMessage(body: unknown): string {
  if (typeof body === 'string') return body;
  if (body !== null && typeof body === 'object' && typeof (body as any).message === 'string') {
    return (body as any).message;
  }
  return '';
}

/**
 * What of an Alertmanager message a target must repeat: all of it, except Go's own wording, which no
 * other runtime can reproduce: the RE2 parser's detail after `error parsing regexp:` (the part before
 * must appear), and go-swagger's body decoding errors (`parsing silence body from "" failed, because
 * json: cannot unmarshal … Go struct field …`), of which nothing is required (status and field still are).
 */
export function requiredMessage(message: string): string {
  if (/^parsing \w+ body from .* failed, because /.test(message)) return '';
  const i = message.indexOf('error parsing regexp:');
  return i >= 0 ? message.slice(0, i + 'error parsing regexp:'.length) : message;
}

function compareHttp(step: HttpStep, actual: FixtureResponse): { diffs: string[]; via?: string } {
  const exp = step.response;
  if (actual.status === exp.status) return { diffs: compareBodies(step, exp, actual) };
  for (const alt of step.alternatives ?? []) {
    if (alt.status !== actual.status) continue;
    const diffs =
      alt.status >= 400
        ? compareBodies(step, { status: alt.status, body: alt.body ?? '' }, actual)
        : alt.body === undefined
          ? []
          : diff(alt.body, actual.body, 'body');
    if (diffs.length === 0) return { diffs, via: alt.note };
  }
  return { diffs: [`status: expected ${exp.status}, got ${actual.status}`, ...bodyHint(actual)] };
}

function bodyHint(actual: FixtureResponse): string[] {
  const text = JSON.stringify(actual.body);
  return [`body: ${text.length > 300 ? `${text.slice(0, 300)}…` : text}`];
}

function compareBodies(step: HttpStep, exp: FixtureResponse, actual: FixtureResponse): string[] {
  if (exp.status < 400) return diff(exp.body, actual.body, 'body');
  if (isDeepStrictEqual(exp.body, actual.body)) return [];
  let b = actual.body as any;
  // Herald's string form on the routes Alertmanager declares a string body for: `<message> (field: f)`.
  if (typeof b === 'string' && typeof exp.body === 'string') {
    const m = /\(field: ([^)]+)\)$/.exec(b);
    b = { error: b, field: m?.[1] };
  }
  if (b === null || typeof b !== 'object' || typeof b.error !== 'string') {
    return [
      `body: expected Alertmanager's ${JSON.stringify(exp.body)} or {error, field}`,
      ...bodyHint(actual),
    ];
  }
  const diffs: string[] = [];
  const need = requiredMessage(alertmanagerMessage(exp.body));
  if (!b.error.includes(need)) {
    diffs.push(`body.error: expected to contain ${JSON.stringify(need)}, got ${JSON.stringify(b.error)}`);
  }
  if (typeof b.field !== 'string' || b.field === '') {
    diffs.push(`body.field: expected a field name, got ${JSON.stringify(b.field)}`);
  } else if (step.fieldHint && !step.fieldHint.some((h) => nestedUnder(b.field, h))) {
    diffs.push(
      `body.field: expected one of ${JSON.stringify(step.fieldHint)}, got ${JSON.stringify(b.field)}`,
    );
  }
  return diffs;
}

function nestedUnder(field: string, hint: string): boolean {
  return field === hint || field.startsWith(`${hint}.`) || field.startsWith(`${hint}[`);
}

/** `path: expected X, got Y` lines (at most MAX_DIFFS); `"*"` in `expected` matches anything. */
export function diff(expected: unknown, actual: unknown, path: string): string[] {
  const out: string[] = [];
  walk(expected, actual, path, out);
  if (out.length > MAX_DIFFS) return [...out.slice(0, MAX_DIFFS), `… ${out.length - MAX_DIFFS} more`];
  return out;
}

const show = (v: unknown) => {
  const t = JSON.stringify(v);
  return t === undefined ? 'nothing' : t.length > 200 ? `${t.slice(0, 200)}…` : t;
};

function walk(exp: unknown, act: unknown, path: string, out: string[]): void {
  if (exp === '*') return;
  if (Array.isArray(exp) && Array.isArray(act)) {
    if (exp.length !== act.length) {
      out.push(`${path}: expected ${exp.length} entries, got ${act.length}: ${show(act)}`);
      return;
    }
    exp.forEach((e, i) => walk(e, act[i], `${path}[${i}]`, out));
    return;
  }
  const isObj = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObj(exp) && isObj(act)) {
    for (const k of Object.keys(exp)) {
      if (!(k in act)) out.push(`${path}.${k}: expected ${show(exp[k])}, got nothing`);
      else walk(exp[k], act[k], `${path}.${k}`, out);
    }
    for (const k of Object.keys(act)) {
      if (k in exp) continue;
      if (ADDITIVE_FIELDS.some((f) => f.field === k && f.inObjectWith in act)) continue;
      out.push(`${path}.${k}: expected nothing, got ${show(act[k])}`);
    }
    return;
  }
  if (!isDeepStrictEqual(exp, act)) out.push(`${path}: expected ${show(exp)}, got ${show(act)}`);
}

/** One line per mismatch, for a test's failure message or a report. */
export function formatMismatches(result: ReplayResult): string {
  return result.mismatches
    .map((m) =>
      m.skipped ? `${m.name}: skipped (${m.skipped})` : `${m.name}:\n    ${m.diffs.join('\n    ')}`,
    )
    .join('\n');
}

/** The recorded fixture (test/compat/silences-am025.json). */
export function loadSilenceFixture(): SilenceFixture {
  return JSON.parse(readFileSync(join(__dirname, 'silences-am025.json'), 'utf8')) as SilenceFixture;
}

/** An AmtoolRun for the amtool binary against `url` (exit code and stdout; stderr dropped). */
export function amtoolRunner(url: string, binary = '/usr/bin/amtool', extraArgs: string[] = []): AmtoolRun {
  return (args) =>
    new Promise((resolve) => {
      execFile(
        binary,
        [`--alertmanager.url=${url}`, ...extraArgs, ...args],
        { encoding: 'utf8', timeout: 20_000 },
        (err, stdout) =>
          resolve({
            exitCode: err ? (typeof (err as { code?: unknown }).code === 'number' ? Number(err.code) : 1) : 0,
            stdout,
          }),
      );
    });
}
