import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseMatcher, type Matcher } from '@herald/domain';
import {
  bool,
  list,
  parseDuration,
  parsePromDuration,
  parseRfc3339,
  str,
  UsageError,
  type FlagKind,
  type ParsedArgs,
} from './args';
import { iso, matcherText, relative, table, type WireMatcher } from './format';
import { IdNotFoundError, resolveIdPrefix } from './ids';
import { callNode, nodeBase, NodeApiError, type NodeTarget } from './node-api';

/** The I/O the node commands need (a subset of CliIo, so this file does not import commands.ts). */
export interface NodeIo {
  out(line: string): void;
  err(line: string): void;
  readStdin(): Promise<string>;
  /** Environment (HERALD_URL, HERALD_API_KEY, USER); main.ts passes process.env, tests their own. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Clock for `--duration` and remaining times; default Date.now. */
  now?: () => number;
  /** Width to fit tables into (a terminal's columns); absent: nothing is cut. */
  columns?: number;
}

export const NODE_HELP = `against a Herald node (HTTP API; like amtool):
  silences [--expired] [--filter M]... [M]... [-q]
                                       silences of the key's tenant: active and pending ones, or only
                                       expired ones with --expired; every matcher M (name="value",
                                       name=~"re", name!="v", name!~"re") must match
  silence add M... [-d 1h | --end T] [-c COMMENT] [-a AUTHOR] [--start T] [--annotation k=v]...
                                       create a silence and print its id; a first argument without an
                                       operator is the alertname; times are RFC 3339; -d takes 90m, 1d12h
  silence expire ID...                 expire silences now (a unique prefix of an id is enough)
  silence query ...                    same as silences

node connection (silences, silence):
  --server URL           the node (env HERALD_URL; default http://127.0.0.1:9093); alias --alertmanager.url
  --api-key-file FILE    read the API key or session token from FILE (- for standard input); otherwise
                         env HERALD_API_KEY; none needed by a node without tenants. Writes need an admin key
  --timeout D            per request (default 10s)
  -o json | --json       the API's JSON instead of a table`;

export const NODE_FLAGS: Record<string, FlagKind> = {
  server: 'string',
  'alertmanager.url': 'string',
  'api-key-file': 'string',
  timeout: 'string',
  json: 'bool',
  o: 'string',
  output: 'string',
  help: 'bool',
  h: 'bool',
};

export const SILENCES_FLAGS: Record<string, FlagKind> = {
  ...NODE_FLAGS,
  expired: 'bool',
  filter: 'list',
  q: 'bool',
  quiet: 'bool',
};

export const SILENCE_ADD_FLAGS: Record<string, FlagKind> = {
  ...NODE_FLAGS,
  duration: 'string',
  d: 'string',
  end: 'string',
  start: 'string',
  comment: 'string',
  c: 'string',
  author: 'string',
  a: 'string',
  annotation: 'list',
};

const DEFAULT_SERVER = 'http://127.0.0.1:9093';
// Bounds on what one command line sends (the node enforces its own limits on top).
const MAX_MATCHERS = 100;
const MAX_IDS = 1000;
const MAX_TEXT = 10_000;

/** A gettableSilence as the API returns it. */
export interface WireSilence {
  id: string;
  status: { state: string };
  updatedAt: string;
  matchers: WireMatcher[];
  startsAt: string;
  endsAt: string;
  createdBy: string;
  comment: string;
  annotations?: Record<string, string>;
}

function oneOf(a: ParsedArgs, ...names: string[]): string | undefined {
  const given = names.filter((n) => a.flags.has(n));
  if (given.length > 1) throw new UsageError(`--${given.join(' and --')} are the same flag: give one`);
  return given.length ? str(a, given[0]) : undefined;
}

/** Whether the output is JSON: `--json`, `-o json`; `-o table` (or simple, amtool's name) is the default. */
export function jsonOutput(a: ParsedArgs): boolean {
  const o = oneOf(a, 'o', 'output');
  if (o !== undefined && o !== 'json' && o !== 'table' && o !== 'simple')
    throw new UsageError(`-o must be json or table, got ${JSON.stringify(o)}`);
  return bool(a, 'json') || o === 'json';
}

/** The node and credentials from flags and environment (validated before any request). */
export async function nodeTarget(a: ParsedArgs, io: NodeIo): Promise<NodeTarget> {
  const env = io.env ?? {};
  const raw = oneOf(a, 'server', 'alertmanager.url') ?? env.HERALD_URL ?? DEFAULT_SERVER;
  const base = nodeBase(raw);
  if (!base)
    throw new UsageError(
      `--server must be an http:// or https:// URL without credentials, query or fragment, got ${JSON.stringify(raw.slice(0, 200))}`,
    );
  const t = str(a, 'timeout') ?? '10s';
  const timeoutMs = parseDuration(t);
  if (timeoutMs === null || timeoutMs < 100 || timeoutMs > 300_000)
    throw new UsageError(`--timeout must be a duration between 100ms and 5m, got ${JSON.stringify(t)}`);
  const file = str(a, 'api-key-file');
  let token: string | undefined;
  if (file !== undefined) {
    let text: string;
    try {
      text = file === '-' ? await io.readStdin() : readFileSync(file, 'utf8');
    } catch (e) {
      throw new UsageError(`--api-key-file ${JSON.stringify(file)}: ${(e as Error).message}`);
    }
    token = text.trim();
    if (!token) throw new UsageError(`--api-key-file ${JSON.stringify(file)} is empty`);
  } else token = env.HERALD_API_KEY?.trim() || undefined;
  if (token && (token.length > 4096 || /[\s\p{Cc}]/u.test(token)))
    throw new UsageError('the API key must be one line of at most 4096 characters without spaces');
  return { base, token, timeoutMs };
}

function parseOne(s: string, what: string): Matcher {
  try {
    return parseMatcher(s);
  } catch (e) {
    throw new UsageError(`${what} ${JSON.stringify(s)}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * Matcher arguments as amtool reads them: each one matcher (`name=value`, `name="v"`, `name=~re`,
 * `name!="v"`, `name!~"re"`, quoted UTF-8 names); a first argument that is not a matcher is taken
 * as the alertname (`heraldctl silence add HighCPU` = `alertname="HighCPU"`) when it has no operator.
 */
export function matcherArgs(args: readonly string[], what = 'matcher'): Matcher[] {
  if (args.length > MAX_MATCHERS)
    throw new UsageError(`at most ${MAX_MATCHERS} matchers, got ${args.length}`);
  return args.map((s, i) =>
    // Only an argument without any operator is a bare alertname (amtool's documented rule); amtool's
    // code also rewrites a first matcher that fails to parse, which turns a typo such as a bad regex
    // into a silence on a literal alertname.
    i === 0 && !/=|!~/.test(s) ? parseOne(`alertname=${JSON.stringify(s)}`, what) : parseOne(s, what),
  );
}

/** A parsed matcher in the API's shape. */
export function wireMatcher(m: Matcher): WireMatcher {
  return {
    name: m.name,
    value: m.value,
    isRegex: m.type === '=~' || m.type === '!~',
    isEqual: m.type === '=' || m.type === '=~',
  };
}

// ------------------------------------------------------------------------------------------- silences

/** `silences` / `silence query`: GET /api/v2/silences with the filters, then the state selection. */
export async function silencesCommand(a: ParsedArgs, io: NodeIo): Promise<number> {
  const json = jsonOutput(a);
  const quiet = bool(a, 'q') || bool(a, 'quiet');
  const expired = bool(a, 'expired');
  // Positional matchers (amtool style, first may be a bare alertname) and --filter ones, all sent as
  // Alertmanager's `filter` parameter in a canonical form.
  const filters = [
    ...matcherArgs(a.positionals, 'matcher'),
    ...list(a, 'filter').map((f) => parseOne(f, '--filter')),
  ];
  if (filters.length > MAX_MATCHERS) throw new UsageError(`at most ${MAX_MATCHERS} filters`);
  const target = await nodeTarget(a, io);
  const q = filters.map((m) => `filter=${encodeURIComponent(m.toString())}`).join('&');
  const all = await callNode<WireSilence[]>(target, 'GET', `/api/v2/silences${q ? `?${q}` : ''}`);
  if (!Array.isArray(all)) throw new NodeApiError('GET /api/v2/silences: the answer is not a list', 200);
  const rows = all.filter((s) => (s.status?.state === 'expired') === expired);
  if (quiet) rows.forEach((s) => io.out(s.id));
  else if (json) io.out(JSON.stringify(rows, null, 2));
  else if (rows.length === 0) io.out(expired ? 'no expired silences' : 'no active or pending silences');
  else silenceTable(rows, (io.now ?? Date.now)(), io.columns).forEach((l) => io.out(l));
  return 0;
}

/** The `silences` table: full ids and matchers (they are copied into other commands), times in UTC. */
export function silenceTable(rows: readonly WireSilence[], now: number, width?: number): string[] {
  return table(
    ['ID', 'STATE', 'MATCHERS', 'ENDS', 'CREATED BY', 'COMMENT'],
    rows.map((s) => {
      const starts = Date.parse(s.startsAt);
      const ends = Date.parse(s.endsAt);
      const state = s.status?.state ?? '?';
      return [
        s.id,
        state === 'pending' ? `pending (starts ${relative(starts, now)})` : state,
        matcherText(s.matchers ?? []),
        `${iso(ends)} (${relative(ends, now)})`,
        s.createdBy,
        s.comment.replace(/\s+/g, ' '),
      ];
    }),
    { keep: [0, 2], width },
  );
}

// ---------------------------------------------------------------------------------------- silence add

function defaultAuthor(io: NodeIo): string {
  try {
    const u = userInfo().username;
    if (u) return u;
  } catch {
    /* no passwd entry (containers): fall through */
  }
  return io.env?.USER || 'heraldctl';
}

/** The postableSilence `silence add` sends (validated here; the node checks it again). */
export function silenceAddBody(a: ParsedArgs, io: NodeIo): Record<string, unknown> {
  if (a.positionals.length === 0) throw new UsageError('silence add needs at least one matcher');
  const matchers = matcherArgs(a.positionals);
  const now = (io.now ?? Date.now)();
  const startRaw = str(a, 'start');
  const startsAt = startRaw === undefined ? now : parseRfc3339(startRaw);
  if (startsAt === null)
    throw new UsageError(
      `--start must be an RFC 3339 time such as 2006-01-02T15:04:05Z, got ${JSON.stringify(startRaw)}`,
    );
  const endRaw = str(a, 'end');
  const durRaw = oneOf(a, 'duration', 'd');
  let endsAt: number | null;
  if (endRaw !== undefined) {
    if (durRaw !== undefined) throw new UsageError('give --end or --duration, not both');
    endsAt = parseRfc3339(endRaw);
    if (endsAt === null)
      throw new UsageError(
        `--end must be an RFC 3339 time such as 2006-01-02T15:04:05Z, got ${JSON.stringify(endRaw)}`,
      );
  } else {
    const d = parsePromDuration(durRaw ?? '1h');
    if (d === null)
      throw new UsageError(
        `--duration must be a duration such as 1h, 90m or 1d12h, got ${JSON.stringify(durRaw)}`,
      );
    if (d === 0) throw new UsageError('--duration must be greater than 0');
    endsAt = startsAt + d;
  }
  if (endsAt <= startsAt) throw new UsageError('the silence must end after it starts');
  const comment = oneOf(a, 'comment', 'c') ?? '';
  // amtool requires a comment by default: a silence nobody can explain is hard to expire later.
  if (!comment.trim()) throw new UsageError('silence add needs --comment (why is this silenced?)');
  const author = oneOf(a, 'author', 'a') ?? defaultAuthor(io);
  if (!author) throw new UsageError('--author must not be empty');
  if (comment.length > MAX_TEXT || author.length > MAX_TEXT)
    throw new UsageError(`--comment and --author are limited to ${MAX_TEXT} characters`);
  const body: Record<string, unknown> = {
    matchers: matchers.map(wireMatcher),
    startsAt: new Date(startsAt).toISOString(),
    endsAt: new Date(endsAt).toISOString(),
    createdBy: author,
    comment,
  };
  const ann = list(a, 'annotation');
  if (ann.length) {
    const annotations: Record<string, string> = {};
    for (const s of ann) {
      const m = parseOne(s, '--annotation');
      if (m.type !== '=') throw new UsageError(`--annotation ${JSON.stringify(s)}: must be key=value`);
      annotations[m.name] = m.value;
    }
    body.annotations = annotations;
  }
  return body;
}

export async function silenceAddCommand(a: ParsedArgs, io: NodeIo): Promise<number> {
  const json = jsonOutput(a);
  const body = silenceAddBody(a, io);
  const target = await nodeTarget(a, io);
  const r = await callNode<{ silenceID?: unknown }>(target, 'POST', '/api/v2/silences', body);
  if (!r || typeof r.silenceID !== 'string')
    throw new NodeApiError('POST /api/v2/silences: the answer has no silenceID', 200);
  io.out(json ? JSON.stringify({ silenceID: r.silenceID }) : r.silenceID);
  return 0;
}

// ------------------------------------------------------------------------------------- silence expire

/** Expires every id given; one that fails is reported and the others still go (exit 1 if any failed). */
/** Length of a silence id (a UUID); a shorter one given to `silence expire` is read as a prefix. */
const FULL_ID_LENGTH = 36;

async function silenceIds(target: NodeTarget): Promise<string[]> {
  const all = await callNode<WireSilence[]>(target, 'GET', '/api/v2/silences');
  if (!Array.isArray(all)) throw new NodeApiError('GET /api/v2/silences: the answer is not a list', 200);
  return all.map((x) => x.id);
}

export async function silenceExpireCommand(a: ParsedArgs, io: NodeIo): Promise<number> {
  const json = jsonOutput(a);
  const ids = a.positionals;
  if (ids.length === 0) throw new UsageError('silence expire needs at least one silence id');
  if (ids.length > MAX_IDS) throw new UsageError(`at most ${MAX_IDS} ids at once, got ${ids.length}`);
  const bad = ids.find((id) => !id || id.length > 128 || /[\s/?#]/.test(id));
  if (bad !== undefined) throw new UsageError(`${JSON.stringify(bad.slice(0, 200))} is not a silence id`);
  const target = await nodeTarget(a, io);
  const expired: string[] = [];
  const failed: { id: string; error: string; status: number }[] = [];
  // A shorter id is a prefix of one (ids are printed in full; a unique start of one is enough).
  let known: string[] | undefined;
  for (const given of ids) {
    let id = given;
    if (given.length < FULL_ID_LENGTH) {
      known ??= await silenceIds(target);
      try {
        id = resolveIdPrefix(given, known, 'silence');
      } catch (e) {
        if (!(e instanceof IdNotFoundError)) throw e;
        failed.push({ id: given, error: e.message, status: 404 });
        io.err(`heraldctl: silence ${given}: ${e.message}`);
        continue;
      }
    }
    try {
      await callNode(target, 'DELETE', `/api/v2/silence/${encodeURIComponent(id)}`);
      expired.push(id);
      if (!json) io.out(`expired ${id}`);
    } catch (e) {
      // Unreachable node: the next ids would fail the same way.
      if (e instanceof NodeApiError && e.status === 0) throw e;
      if (!(e instanceof NodeApiError)) throw e;
      failed.push({ id, error: e.message, status: e.status });
      io.err(`heraldctl: silence ${id}: ${e.message}`);
    }
  }
  if (json) io.out(JSON.stringify({ expired, failed }, null, 2));
  return failed.length ? 1 : 0;
}
