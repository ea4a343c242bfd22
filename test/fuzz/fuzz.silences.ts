/**
 * Silence cases of the fuzzer (issue 13), over `POST /api/v2/silences`, `GET /api/v2/silences?filter=`,
 * `GET` and `DELETE /api/v2/silence/{id}`:
 *
 * - `valid-silences`: valid postableSilence bodies (UTF-8 names and values, regexes incl. catastrophic
 *   ones, negative matchers, annotations incl. `__proto__`, odd time formats) → 200, then a follow-up
 *   that reads the silence back (same matchers, texts, times, state), lists it by its marker matcher,
 *   and sometimes updates it in place, replaces it (matchers changed) and expires it.
 * - `mutated-silences`: one targeted edit of a valid body with the status and field the API must answer
 *   (missing fields and empty matchers 422 as Alertmanager's validator; wrong types, bounds, times,
 *   matchers, regexes 400; unknown ids 404), or
 *   random structural mutation (any 4xx naming the field, never a 5xx).
 * - `read-silences`: odd `filter` queries on the list, odd ids on GET/DELETE, unknown methods.
 *
 * Builders are pure functions of the case's generator (see fuzz.cases.ts); only types are imported
 * from there, so the two modules do not depend on each other at load time.
 */
import { DEFAULT_SILENCE_LIMITS } from '@herald/domain';
import type { Expectation, FuzzCase, Gen } from './fuzz.cases';
import { jsonText, Pairs, RawJson } from './json-text';

export const SILENCES_PATH = '/api/v2/silences';
export const SILENCE_PATH = '/api/v2/silence';

/** Herald's silence bounds (DEFAULT_SILENCE_LIMITS, `herald.silences.max_silence_size_bytes`) the cases aim at. */
export const SILENCE_LIMITS = {
  ...DEFAULT_SILENCE_LIMITS,
  maxSilenceSizeBytes: 64 * 1024,
  maxBodyBytes: 5 * 1024 * 1024,
};

/** A matcher as the API takes and answers it. */
export interface WireMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

/** What `GET /api/v2/silence/{id}` must answer for a valid posted silence. */
export interface SilenceWant {
  /** Normalised (`isEqual` defaulted to true), in the posted order. */
  matchers: WireMatcher[];
  createdBy: string;
  comment: string;
  /** Own entries (so `__proto__` counts), any order; none when the body had none. */
  annotations: [string, string][];
  endsAt: number;
  /** The posted start when in the future (state pending); null when past or zero: the node's now (active). */
  startsAt: number | null;
}

/**
 * The follow-up of a silence POST answered 200: read the silence back (a well-formed gettable silence
 * with that id, equal to `want` when given), list it by `listFilter`, then run `steps` in order.
 */
export interface SilenceFollowup {
  want?: SilenceWant;
  /** `fuzz_case="c<n>"`, one of the silence's matchers: the filtered list holds exactly this silence. */
  listFilter?: string;
  /** `update`: repost with the id and a new comment (same id); `replace`: matchers changed (new id, the
   * old one expired); `expire`: DELETE (state expired; a second DELETE is 200 too). */
  steps: ('update' | 'replace' | 'expire')[];
}

type Built = Omit<FuzzCase, 'index' | 'scenario'>;

const JSON_HEADERS = { 'content-type': 'application/json' };

function post(text: string | Buffer, expect?: Expectation, silence?: SilenceFollowup): Built {
  return {
    method: 'POST',
    path: SILENCES_PATH,
    headers: { ...JSON_HEADERS },
    body: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'),
    expect,
    silence,
  };
}

/** A create or a valid update: stored (200), or refused by `max_silences` (429 naming it). */
const STORED: Expectation = { status: [200, 429], field: 'max_silences' };

const err = (status: number | number[], field: string | RegExp): Expectation => ({
  status: Array.isArray(status) ? status : [status],
  field,
});

// ------------------------------------------------------------------------------------------ pools

/** Label names a matcher may use: classic, UTF-8 (Alertmanager ≥ 0.27), prototype names. */
const NAMES = [
  'alertname',
  'alertname',
  'instance',
  'job',
  'severity',
  'cluster',
  'team',
  'uni',
  'service.name',
  '名前',
  'a b',
  '😀',
  '__name__',
  'x-y',
  'Ω',
  '__proto__',
  'constructor',
  'toString',
  'e\u0301',
  '\u0000',
];

/** Values of `=` / `!=` matchers; the fuzz alerts' own values among them so silences really match. */
const VALUES = [
  'DiskFull',
  'InstanceDown',
  'HighLatency',
  'Watchdog',
  'host-1:9100',
  'node',
  'critical',
  'db',
  'eu-1',
  'api',
  '値',
  '😀👩‍👩‍👧‍👦',
  'e\u0301',
  '\u202eevil',
  'a\u0000b',
  '"quoted"',
  '\\',
  '\n',
  'a'.repeat(40) + '!',
  '__proto__',
  '*',
  '.*',
];

/** Valid RE2 patterns, with whether each matches the empty string (anchored, as matchers are). */
const REGEXES: [string, boolean][] = [
  ['host-1.*', false],
  ['Disk.*|Instance.*', false],
  ['a|b', false],
  ['(?i)disk.*', false],
  ['\\p{L}+', false],
  ['[0-9]+', false],
  ['.+', false],
  ['(?s).+', false],
  ['\\Qa.b\\E', false],
  ['[[:alpha:]]+', false],
  ['.{1,1000}', false],
  ['😀+', false],
  ['x{2,5}', false],
  ['(?<n>x)+', false],
  ['(?U)a+', false],
  // Catastrophic for a backtracking engine; RE2 is linear. Matched against every alert (query, flush).
  ['(a+)+$', false],
  ['(.*a){12}', false],
  ['(a|aa)+$', false],
  ['(x+x+)+y', false],
  ['(\\w+\\s?)+$', false],
  [Array.from({ length: 500 }, (_, i) => `a${i}`).join('|'), false],
  ['.*', true],
  ['a*', true],
  ['', true],
  ['(a|)', true],
  ['.{0,1000}', true],
  ['(?i)', true],
];

/** Patterns RE2 (Go's regexp, re2js) refuses: 400 naming the matcher's value. */
const BAD_REGEXES = [
  '(',
  ')',
  '[',
  '[a',
  '*',
  '+x',
  'x{2,1}',
  '\\',
  '(?=x)',
  '(?!x)',
  '(?<=x)',
  '\\p{Foo}',
  'a{1001}',
  '(?i',
  '[z-a]',
  'x**',
  '\\1',
  '\\8',
  '\\C',
  '(?P<n>',
  '(?P=n)',
  'a{2}{3}',
  '[[:foo:]]',
  '(?:a{1000}){1000}',
  '('.repeat(1200) + 'a' + ')'.repeat(1200), // nests too deeply
];

/** Valid for RE2 but heavy (program size, nesting): stored, or refused naming the value. */
const HEAVY_REGEXES = [
  '(.*){1000}',
  '((a*)*)*b',
  '(' + '(a|b)*'.repeat(200) + ')',
  'x{1000}',
  '[\\x{0}-\\x{10FFFF}]{1000}',
  '('.repeat(500) + 'a' + ')'.repeat(500),
];

const CREATORS = ['fuzz@example.com', 'amtool', '名前 <oncall@example.com>', '😀', '', 'a"b\\c', 'x\u0000y'];
const COMMENTS = [
  'fuzz',
  'maintenance window',
  '',
  'multi\nline\r\ncomment',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '{{ .Labels }}',
  '\u202eevil\ufeff',
  '中文注释',
];

/** Annotation entries (Alertmanager 0.32's optional silence annotations); prototype names are plain keys. */
const ANNOTATIONS: [string, string][] = [
  ['summary', 'planned maintenance'],
  ['ticket', 'OPS-1234'],
  ['runbook', 'https://runbooks.example/silence'],
  ['名前', '値'],
  ['__proto__', 'p'],
  ['constructor', 'c'],
  ['toString', 't'],
  ['a.b', 'dots'],
  ['empty', ''],
  ['😀', '😀'],
];

/** Texts that are not RFC 3339 date-times (Go's time.Parse refuses each): 400 naming the field. */
const INVALID_TIMES = [
  'yesterday',
  '',
  'now',
  '1700000000',
  '2024-01-01',
  '2024-01-01T00:00:00',
  '2024-01-01T00:00Z',
  '2024-1-1T0:0:0Z',
  '2024-13-01T00:00:00Z',
  '2024-00-10T00:00:00Z',
  '2024-01-32T00:00:00Z',
  '2024-02-30T00:00:00Z',
  '2023-02-29T00:00:00Z',
  '2024-04-31T00:00:00Z',
  '2024-01-01T24:00:00Z',
  '2024-01-01T23:60:00Z',
  '2024-01-01T23:59:60Z',
  '2024-01-01T00:00:00+24:00',
  '2024-01-01T00:00:00+01:60',
  '2024-01-01T00:00:00.1234567890Z',
  '2024-01-01T00:00:00,5Z',
  '2024-01-01T00:00:00.Z',
  '10000-01-01T00:00:00Z',
  '+2024-01-01T00:00:00Z',
  ' 2024-01-01T00:00:00Z',
  '2024-01-01T00:00:00Z ',
  '2024-01-01T00:00:00Z\u0000',
  '\uff12\uff10\uff12\uff14-01-01T00:00:00Z', // full-width digits
  '0001-01-01T00:00:00',
];

/** Go's zero time in the spellings clients send: "not set", so a start of now. */
const GO_ZERO = [
  '0001-01-01T00:00:00Z',
  '0001-01-01T00:00:00.000Z',
  '0001-01-01t00:00:00z',
  '0001-01-01T00:00:00+00:00',
];

/** Valid RFC 3339 instants in the (far) past. */
const PAST_TIMES = [
  '1900-01-01T00:00:00Z',
  '1969-12-31T23:59:59.999Z',
  '1970-01-01T00:00:00Z',
  '2020-02-29T12:00:00+14:00',
  '0001-01-01T00:00:00.000000001Z',
];

/** Valid RFC 3339 instants far in the future (within year 9999 UTC). */
const FAR_FUTURE = ['9999-12-31T23:59:59Z', '9999-12-31T23:59:59.999999999Z', '3000-01-01T00:00:00+14:00'];

/**
 * RFC 3339 texts whose instant in UTC is outside years 1–9999 (what Go's time and the API's answer can
 * hold): 400 naming the field.
 */
const OUT_OF_RANGE = [
  '9999-12-31T23:59:59-00:01',
  '9999-12-31T23:59:59-23:59',
  '0000-01-01T00:00:00Z',
  '0000-12-31T23:59:59Z',
  '0001-01-01T00:00:00+00:01',
];

// ------------------------------------------------------------------------------------------ valid bodies

interface GenMatcher extends WireMatcher {
  /** Whether the matcher keeps the silence from matching everything (negative, or not matching ""). */
  selective: boolean;
  /** Omit `isEqual` in the body (old clients): it defaults to true. */
  omitIsEqual?: boolean;
}

function genMatcher(g: Gen): GenMatcher {
  const op = g.rng.weighted<string>([
    ['=', 5],
    ['!=', 2],
    ['=~', 3],
    ['!~', 1.5],
  ]);
  const isEqual = !op.startsWith('!');
  const isRegex = op.endsWith('~');
  const name = g.rng.pick(NAMES);
  let value: string;
  let empty: boolean;
  if (isRegex) [value, empty] = g.rng.pick(REGEXES);
  else {
    value = g.rng.chance(0.1) ? '' : g.rng.pick(VALUES);
    empty = value === '';
  }
  const m: GenMatcher = { name, value, isRegex, isEqual, selective: !isEqual || !empty };
  if (isEqual && g.rng.chance(0.15)) m.omitIsEqual = true;
  return m;
}

/** Alertmanager's rule: a negative matcher, or one that does not match the empty string. */
function isSelective(m: WireMatcher): boolean {
  return !m.isEqual || (m.isRegex ? !regexMatchesEmpty(m.value) : m.value !== '');
}

/** UTF-8 bytes of the silence as Herald measures it for max_silence_size_bytes (ids and times at full width). */
function silenceBytes(
  matchers: WireMatcher[],
  createdBy: string,
  comment: string,
  annotations: [string, string][] | null,
): number {
  const ms = matchers.map(({ name, value, isRegex, isEqual }) => ({ name, value, isRegex, isEqual }));
  const text = JSON.stringify({ id: 'x'.repeat(36), matchers: ms, t: 'x'.repeat(60), createdBy, comment });
  return Buffer.byteLength(text) + (annotations ? Buffer.byteLength(JSON.stringify(annotations)) : 0);
}

function wireMatcher(m: GenMatcher): Record<string, unknown> {
  const out: Record<string, unknown> = { name: m.name, value: m.value, isRegex: m.isRegex };
  if (!m.omitIsEqual) out.isEqual = m.isEqual;
  return out;
}

/** A valid silence body (as a plain object, annotations possibly a {@link Pairs}) and what reading it back must give. */
export interface ValidSilence {
  body: Record<string, unknown>;
  matchers: GenMatcher[];
  want: SilenceWant;
  marker: string | null;
  startText: string;
  endText: string;
}

/** A valid postableSilence: every field within its bound, at most one of them at the bound. */
export function validSilence(g: Gen): ValidSilence {
  const n = g.rng.weighted<number>([
    [1, 3],
    [g.rng.int(2, 4), 4],
    [g.rng.int(5, 12), 1],
  ]);
  const matchers: GenMatcher[] = Array.from({ length: n }, () => genMatcher(g));
  const marker = g.rng.chance(0.85) ? g.marker() : null;
  if (marker !== null)
    matchers.splice(g.rng.int(0, matchers.length), 0, {
      name: 'fuzz_case',
      value: marker,
      isRegex: false,
      isEqual: true,
      selective: true,
    });
  if (!matchers.some((m) => m.selective))
    matchers.push({ name: 'alertname', value: 'DiskFull', isRegex: false, isEqual: true, selective: true });

  // Times: a start in the past, Go's zero or far past (→ now, active) or in the future (pending).
  const now = Date.now();
  let startText: string;
  let startMs: number | null;
  const startKind = g.rng.int(0, 9);
  if (startKind < 4) {
    startText = g.time(-g.rng.int(60_000, 3 * 3600_000));
    startMs = null;
  } else if (startKind < 6) {
    startText = g.rng.pick(GO_ZERO);
    startMs = null;
  } else if (startKind < 7) {
    startText = g.rng.pick(PAST_TIMES);
    startMs = null;
  } else {
    startText = g.time(g.rng.int(10 * 60_000, 2 * 86_400_000));
    startMs = Date.parse(startText);
  }
  const endText = g.rng.chance(0.06)
    ? g.rng.pick(FAR_FUTURE)
    : g.time((startMs ?? now) - now + g.rng.int(10 * 60_000, 30 * 86_400_000));

  let createdBy = g.rng.pick(CREATORS);
  let comment = g.rng.pick(COMMENTS);
  let annotations: [string, string][] | null = null;
  if (g.rng.chance(0.4)) {
    const pool = [...ANNOTATIONS];
    annotations = Array.from(
      { length: g.rng.int(0, 5) },
      () => pool.splice(g.rng.int(0, pool.length - 1), 1)[0],
    );
  }
  // One field at its bound now and then (the size limit allows any single one).
  switch (g.rng.chance(0.15) ? g.rng.int(0, 7) : -1) {
    case 0:
      comment = g.rng.chance(0.5)
        ? 'c'.repeat(SILENCE_LIMITS.maxCommentLength)
        : '😀'.repeat(SILENCE_LIMITS.maxCommentLength / 2); // 16384 UTF-16 units, 32 KiB of UTF-8
      break;
    case 1:
      createdBy = 'b'.repeat(SILENCE_LIMITS.maxCreatedByLength);
      break;
    case 2: {
      const m = unmarked(matchers);
      m.value = m.isRegex
        ? 'v+'.repeat(SILENCE_LIMITS.maxValueLength / 2)
        : 'v'.repeat(SILENCE_LIMITS.maxValueLength);
      break;
    }
    case 3:
      unmarked(matchers).name = 'n'.repeat(SILENCE_LIMITS.maxNameLength);
      break;
    case 4:
      while (matchers.length < SILENCE_LIMITS.maxMatchers)
        matchers.push({
          name: `l${matchers.length}`,
          value: 'v',
          isRegex: false,
          isEqual: false,
          selective: true,
        });
      break;
    case 5:
      annotations = Array.from({ length: SILENCE_LIMITS.maxAnnotations }, (_, i) => [`a${i}`, 'v']);
      break;
    case 6:
      annotations = [['big', '😀'.repeat(SILENCE_LIMITS.maxAnnotationValueLength / 2)]];
      break;
    case 7:
      annotations = [['k'.repeat(SILENCE_LIMITS.maxAnnotationNameLength), 'v']];
      break;
  }
  for (const m of matchers) m.selective = isSelective(m);
  // Several long regexes beside a comment at its bound could pass max_silence_size_bytes: keep clear of it.
  if (silenceBytes(matchers, createdBy, comment, annotations) > SILENCE_LIMITS.maxSilenceSizeBytes - 4096) {
    comment = 'fuzz';
    annotations = null;
  }
  const body: Record<string, unknown> = {
    matchers: matchers.map(wireMatcher),
    startsAt: startText,
    endsAt: endText,
    createdBy,
    comment,
  };
  if (annotations !== null) {
    // Pairs keep `__proto__` an own key; a plain object now and then (the common client shape).
    body.annotations =
      annotations.some(([k]) => k === '__proto__') || g.rng.chance(0.5)
        ? new Pairs(annotations)
        : Object.fromEntries(annotations);
  }
  // Creates spelled as Alertmanager clients do: no id, an empty one, or null.
  const idKind = g.rng.int(0, 19);
  if (idKind === 0) body.id = '';
  else if (idKind === 1) body.id = null;
  // Unknown fields are ignored (Alertmanager's generated model drops them).
  if (g.rng.chance(0.1)) {
    body.status = { state: 'expired' };
    body.updatedAt = '2000-01-01T00:00:00Z';
  }
  return {
    body,
    matchers,
    marker,
    startText,
    endText,
    want: {
      matchers: matchers.map(({ name, value, isRegex, isEqual }) => ({ name, value, isRegex, isEqual })),
      createdBy,
      comment,
      annotations: annotations ?? [],
      endsAt: Date.parse(endText),
      startsAt: startMs,
    },
  };
}

/** A matcher other than the marker (which the list follow-up finds the silence by); added when none. */
function unmarked(matchers: GenMatcher[]): GenMatcher {
  const m = matchers.find((x) => x.name !== 'fuzz_case');
  if (m) return m;
  const added: GenMatcher = { name: 'job', value: 'node', isRegex: false, isEqual: true, selective: true };
  matchers.push(added);
  return added;
}

function listFilter(marker: string | null): string | undefined {
  return marker === null ? undefined : `fuzz_case="${marker}"`;
}

export function validSilencesCase(g: Gen): Built {
  const v = validSilence(g);
  const steps: SilenceFollowup['steps'] = [];
  if (g.rng.chance(0.3)) steps.push('update');
  if (g.rng.chance(0.25)) steps.push('replace');
  if (g.rng.chance(0.35)) steps.push('expire');
  return post(g.text(v.body), STORED, { want: v.want, listFilter: listFilter(v.marker), steps });
}

// ------------------------------------------------------------------------------------------ mutations

/** A value of another JSON type than `kind` (which the field must have). */
function wrongType(g: Gen, kind: 'string' | 'array' | 'boolean' | 'object'): unknown {
  const all: Record<string, unknown[]> = {
    string: [
      4,
      -1.5,
      true,
      false,
      ['x'],
      { a: 'b' },
      [],
      {},
      new RawJson('1e400'),
      new RawJson('1700000000000'),
    ],
    array: [4, true, 'x', '[]', { 0: 'a', length: 1 }, {}, new RawJson('-0')],
    boolean: ['true', 'false', 1, 0, [], {}, 'yes', new RawJson('1e400')],
    object: [4, true, 'x', ['a', 'b'], [], new RawJson('NaN')],
  };
  // RawJson('NaN') is not JSON at all: 400 body, not the field's type error.
  return g.rng.pick(all[kind].filter((v) => !(v instanceof RawJson && v.text === 'NaN')));
}

/** A lone surrogate somewhere in a string: not valid UTF-8 (JSON carries it as a `\udXXX` escape). */
function withLoneSurrogate(g: Gen, s: string): string {
  const i = g.rng.int(0, s.length);
  return s.slice(0, i) + g.rng.pick(['\ud800', '\udfff', '\udbff']) + s.slice(i);
}

/** A random UUID from the case's generator (unknown to any node). */
function uuid(g: Gen): string {
  const h = g.rng
    .bytes(16)
    .toString('hex')
    .replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5');
  return h;
}

/** Ids no node ever answered: 404 on update (the id is a lookup key, nothing more). */
const ODD_IDS = [
  'not-a-uuid',
  '__proto__',
  'constructor',
  'toString',
  '../x',
  '%00',
  '\u0000',
  '😀',
  ' ',
  '*',
  '.*',
  'a'.repeat(128),
  '\ud800',
  '00000000-0000-0000-0000-000000000000',
  '{"a":1}',
];

type Edit = (
  g: Gen,
  v: ValidSilence,
) =>
  | { body: unknown; expect: Expectation }
  | { text: string | Buffer; expect: Expectation; headers?: Record<string, string> };

/** One targeted edit each: the body otherwise valid, so the status and the first field named are known. */
const EDITS: [Edit, number][] = [
  // A required field absent or null: 422 naming it.
  [
    (g, v) => {
      const f = g.rng.pick(['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment']);
      if (g.rng.chance(0.5)) delete v.body[f];
      else v.body[f] = null;
      return { body: v.body, expect: err(422, f) };
    },
    3,
  ],
  // A top-level field of the wrong type: 400 naming it (Alertmanager: the JSON does not unmarshal).
  [
    (g, v) => {
      const f = g.rng.pick(['matchers', 'startsAt', 'endsAt', 'createdBy', 'comment', 'id', 'annotations']);
      const kind = f === 'matchers' ? 'array' : f === 'annotations' ? 'object' : 'string';
      v.body[f] = wrongType(g, kind);
      return { body: v.body, expect: err(400, f) };
    },
    4,
  ],
  // A matcher of the wrong shape: 400 naming the matcher or its key; a required key absent or null 422.
  [
    (g, v) => {
      const ms = v.body.matchers as Record<string, unknown>[];
      const i = g.rng.int(0, ms.length - 1);
      const at = `matchers[${i}]`;
      switch (g.rng.int(0, 5)) {
        case 0:
          ms[i] = g.rng.pick([null, 'alertname="x"', 4, [], ['name', 'x'], true]) as never;
          return { body: v.body, expect: err(400, at) };
        case 1:
        case 2:
        case 3: {
          const k = g.rng.pick(['name', 'value', 'isRegex']);
          if (g.rng.chance(0.4)) {
            if (g.rng.chance(0.5)) delete ms[i][k];
            else ms[i][k] = null;
            return { body: v.body, expect: err(422, `${at}.${k}`) };
          }
          ms[i][k] = wrongType(g, k === 'isRegex' ? 'boolean' : 'string');
          return { body: v.body, expect: err(400, `${at}.${k}`) };
        }
        case 4:
          ms[i].isEqual = wrongType(g, 'boolean');
          return { body: v.body, expect: err(400, `${at}.isEqual`) };
        default:
          // isEqual null defaults to true: still valid unless no matcher is selective any more.
          ms[i].isEqual = null;
          return {
            body: v.body,
            expect: v.matchers.some((m, j) => (j === i ? isSelective({ ...m, isEqual: true }) : m.selective))
              ? STORED
              : err(400, 'matchers'),
          };
      }
    },
    4,
  ],
  // Not an object at all: 400 naming the body (or 413/415 from the parser).
  [
    (g, v) => {
      switch (g.rng.int(0, 5)) {
        case 0:
          return { body: g.rng.pick([[v.body], 'silence', 4, true, null, []]), expect: err(400, 'body') };
        case 1:
          return { text: '', expect: err(400, 'body') };
        case 2: {
          const t = jsonText(v.body);
          return { text: t.slice(0, g.rng.int(0, t.length - 1)), expect: err(400, 'body') };
        }
        case 3:
          return { text: jsonText(v.body).replace(/"/g, "'"), expect: err(400, 'body') };
        case 4:
          return {
            text: jsonText(v.body),
            headers: {
              'content-type': g.rng.pick([
                'text/plain',
                'application/x-www-form-urlencoded',
                'application/xml',
              ]),
            },
            expect: err(415, 'Content-Type'),
          };
        default: {
          if (g.rng.chance(0.7)) return { body: [v.body], expect: err(400, 'body') };
          // Over max_body_bytes: 413 before anything is parsed.
          const pad = ' '.repeat(SILENCE_LIMITS.maxBodyBytes + 1);
          return { text: `{"matchers":[]${pad}}`, expect: err(413, 'body') };
        }
      }
    },
    1.5,
  ],
  // Matcher lists: empty, over the bound, huge, all matching the empty string.
  [
    (g, v) => {
      const ms = v.body.matchers as Record<string, unknown>[];
      switch (g.rng.int(0, 3)) {
        case 0:
          v.body.matchers = [];
          // Alertmanager's generated validator: "matchers in body should have at least 1 items".
          return { body: v.body, expect: err(422, 'matchers') };
        case 1: {
          const n = g.rng.pick([SILENCE_LIMITS.maxMatchers + 1, 100, 1000, 20_000]);
          while (ms.length < n) ms.push({ name: `l${ms.length}`, value: 'v', isRegex: false, isEqual: true });
          return { body: v.body, expect: err(400, 'matchers') };
        }
        case 2: {
          v.body.matchers = g.rng.pick([
            [{ name: 'a', value: '', isRegex: false, isEqual: true }],
            [{ name: 'a', value: '.*', isRegex: true, isEqual: true }],
            [
              { name: 'a', value: 'b*', isRegex: true },
              { name: 'c', value: '', isRegex: false, isEqual: true },
            ],
            [{ name: '名前', value: '(|x)', isRegex: true, isEqual: true }],
          ]);
          return { body: v.body, expect: err(400, 'matchers') };
        }
        default: {
          // Only negative matchers never match everything (Alertmanager's matchesEmpty skips them).
          v.body.matchers = [
            {
              name: g.rng.pick(NAMES),
              value: g.rng.pick(['', 'x', '.*']),
              isRegex: g.rng.chance(0.5),
              isEqual: false,
            },
          ];
          return { body: v.body, expect: STORED };
        }
      }
    },
    2,
  ],
  // One matcher's name or value out of bounds or not UTF-8; a bad regex: 400 naming it.
  [
    (g, v) => {
      const ms = v.body.matchers as Record<string, unknown>[];
      const i = g.rng.int(0, ms.length - 1);
      const at = `matchers[${i}]`;
      switch (g.rng.int(0, 5)) {
        case 0:
          ms[i].name = g.rng.pick(['', 'n'.repeat(SILENCE_LIMITS.maxNameLength + 1), 'n'.repeat(100_000)]);
          return { body: v.body, expect: err(400, `${at}.name`) };
        case 1:
          ms[i].name = withLoneSurrogate(g, String(v.matchers[i].name));
          return { body: v.body, expect: err(400, `${at}.name`) };
        case 2:
          ms[i].value = g.rng
            .pick(['v', '😀'])
            .repeat(g.rng.pick([SILENCE_LIMITS.maxValueLength + 1, 70_000]));
          return { body: v.body, expect: err(400, `${at}.value`) };
        case 3:
          ms[i].isRegex = false;
          ms[i].value = withLoneSurrogate(g, String(v.matchers[i].value));
          return { body: v.body, expect: err(400, `${at}.value`) };
        case 4:
          ms[i].isRegex = true;
          ms[i].value = g.rng.pick(BAD_REGEXES);
          return { body: v.body, expect: err(400, `${at}.value`) };
        default:
          // A lone surrogate in a regex is invalid UTF-8 to Go's regexp too.
          ms[i].isRegex = true;
          ms[i].value = withLoneSurrogate(g, g.rng.pick(['a+', '.*x', '']));
          return { body: v.body, expect: err(400, `${at}.value`) };
      }
    },
    4,
  ],
  // Valid but heavy regexes (a catastrophic pattern for backtracking engines is fine for RE2).
  [
    (g, v) => {
      const ms = v.body.matchers as Record<string, unknown>[];
      const i = g.rng.int(0, ms.length);
      const heavy = g.rng.chance(0.5);
      const value = heavy
        ? g.rng.pick(HEAVY_REGEXES)
        : g.rng.pick(REGEXES.filter(([, e]) => !e).map(([r]) => r));
      // Inserted, or in place of the last matcher (an added negative one) when there are as many as allowed.
      const full = ms.length >= SILENCE_LIMITS.maxMatchers;
      ms.splice(full ? ms.length - 1 : i, full ? 1 : 0, {
        name: g.rng.pick(['instance', 'alertname', 'uni', 'job', '名前']),
        value,
        isRegex: true,
        isEqual: g.rng.chance(0.8),
      });
      return {
        body: v.body,
        expect: heavy
          ? { status: [200, 400, 429], field: /^(matchers\[\d+\]\.value|max_silences)$/ }
          : STORED,
      };
    },
    1.5,
  ],
  // Times: every pair of kinds, with the answer Alertmanager's order of checks gives.
  [(g, v) => timesEdit(g, v), 5],
  // createdBy / comment / annotations out of bounds or not UTF-8: 400 naming them.
  [
    (g, v) => {
      switch (g.rng.int(0, 8)) {
        case 0:
          v.body.createdBy = 'b'.repeat(g.rng.pick([SILENCE_LIMITS.maxCreatedByLength + 1, 1_000_000]));
          return { body: v.body, expect: err(400, 'createdBy') };
        case 1:
          v.body.createdBy = withLoneSurrogate(g, String(v.body.createdBy));
          return { body: v.body, expect: err(400, 'createdBy') };
        case 2:
          v.body.comment = g.rng
            .pick(['c', '😀'])
            .repeat(g.rng.pick([SILENCE_LIMITS.maxCommentLength + 1, 1_000_000]));
          return { body: v.body, expect: err(400, 'comment') };
        case 3:
          v.body.comment = withLoneSurrogate(g, String(v.body.comment));
          return { body: v.body, expect: err(400, 'comment') };
        case 4:
          v.body.annotations = Object.fromEntries(
            Array.from({ length: g.rng.pick([SILENCE_LIMITS.maxAnnotations + 1, 10_000]) }, (_, i) => [
              `a${i}`,
              'v',
            ]),
          );
          return { body: v.body, expect: err(400, 'annotations') };
        case 5: {
          const k = g.rng.pick([
            '',
            'k'.repeat(SILENCE_LIMITS.maxAnnotationNameLength + 1),
            withLoneSurrogate(g, 'key'),
          ]);
          v.body.annotations = new Pairs([
            ['ok', 'v'],
            [k, 'v'],
          ]);
          return { body: v.body, expect: err(400, `annotations.${k}`) };
        }
        case 6: {
          const val = g.rng.chance(0.5)
            ? 'v'.repeat(SILENCE_LIMITS.maxAnnotationValueLength + 1)
            : withLoneSurrogate(g, 'value');
          v.body.annotations = { summary: 'ok', big: val };
          return { body: v.body, expect: err(400, 'annotations.big') };
        }
        case 7:
          v.body.annotations = { summary: 'ok', bad: wrongType(g, 'string') };
          return { body: v.body, expect: err(400, 'annotations.bad') };
        default:
          // Every field within bounds, the whole over max_silence_size_bytes (64 KiB).
          v.body.comment = '😀'.repeat(SILENCE_LIMITS.maxCommentLength / 2);
          v.body.annotations = Object.fromEntries(
            Array.from({ length: 10 }, (_, i) => [
              `a${i}`,
              'v'.repeat(SILENCE_LIMITS.maxAnnotationValueLength),
            ]),
          );
          return { body: v.body, expect: err(400, 'silence') };
      }
    },
    4,
  ],
  // Ids: unknown, odd, over the bound; empty or null is a create.
  [
    (g, v) => {
      switch (g.rng.int(0, 4)) {
        case 0:
        case 1:
          v.body.id = g.rng.chance(0.6) ? uuid(g) : g.rng.pick(ODD_IDS);
          return { body: v.body, expect: err(404, 'id') };
        case 2:
          v.body.id = g.rng
            .pick(['i', '😀', '-'])
            .repeat(g.rng.pick([SILENCE_LIMITS.maxIdLength + 1, 100_000]));
          return { body: v.body, expect: err(400, 'id') };
        case 3:
          v.body.id = g.rng.pick(['', null]);
          return { body: v.body, expect: STORED };
        default:
          v.body.id = wrongType(g, 'string');
          return { body: v.body, expect: err(400, 'id') };
      }
    },
    3,
  ],
  // Extra and duplicate keys: ignored / the last one wins, as JSON.parse and Alertmanager do.
  [
    (g, v) => {
      const extraKey = () =>
        g.rng.pick([
          'status',
          'updatedAt',
          'extra',
          'labels',
          'x-y',
          '名前',
          '__proto__',
          'constructor',
          'prototype',
          'toString',
        ]);
      switch (g.rng.int(0, 2)) {
        case 0: {
          const entries = Object.entries(v.body);
          entries.splice(g.rng.int(0, entries.length), 0, [extraKey(), g.oddValue()]);
          return { body: new Pairs(entries), expect: STORED };
        }
        case 1: {
          const ms = v.body.matchers as Record<string, unknown>[];
          const i = g.rng.int(0, ms.length - 1);
          ms[i] = new Pairs([...Object.entries(ms[i]), [extraKey(), g.oddValue()]]) as never;
          return { body: v.body, expect: STORED };
        }
        default: {
          const f = g.rng.pick(['endsAt', 'comment', 'createdBy', 'matchers']);
          const entries = Object.entries(v.body).filter(([k]) => k !== f);
          entries.push([f, g.oddValue()], [f, v.body[f]]);
          return { body: new Pairs(entries), expect: STORED };
        }
      }
    },
    2,
  ],
];

/** Whether an RE2 pattern of the pools matches the empty string (unknown patterns: assumed not). */
function regexMatchesEmpty(value: string): boolean {
  return REGEXES.some(([r, e]) => r === value && e);
}

/** A time text and how the API reads it. */
interface TimeText {
  text: unknown;
  kind: 'invalid' | 'zero' | 'range' | 'ms';
  ms?: number;
}

function timeText(g: Gen): TimeText {
  switch (g.rng.int(0, 9)) {
    case 0:
    case 1:
      return { text: g.rng.pick(INVALID_TIMES), kind: 'invalid' };
    case 2:
      return { text: wrongType(g, 'string'), kind: 'invalid' };
    case 3:
      return { text: g.rng.pick(GO_ZERO), kind: 'zero' };
    case 4: {
      const t = g.rng.pick(PAST_TIMES);
      return { text: t, kind: 'ms', ms: Date.parse(t) };
    }
    case 5: {
      const t = g.rng.pick(FAR_FUTURE);
      return { text: t, kind: 'ms', ms: Date.parse(t) };
    }
    case 6:
      return { text: g.rng.pick(OUT_OF_RANGE), kind: 'range' };
    default: {
      // Hours either side of now (never within minutes of it, so the answer does not race the clock).
      const off = g.rng.chance(0.4)
        ? -g.rng.int(3600_000, 30 * 86_400_000)
        : g.rng.int(3600_000, 30 * 86_400_000);
      const t = g.time(off);
      return { text: t, kind: 'ms', ms: Date.parse(t) };
    }
  }
}

/**
 * A start and an end of any kinds, each answered 400 naming the field in the API's order of checks:
 * not a date-time (startsAt, then endsAt), outside years 1–9999 (startsAt, then endsAt), start ≥ end
 * (startsAt; Go's zero counts as 0), an end in the past (endsAt).
 */
function timesEdit(g: Gen, v: ValidSilence): { body: unknown; expect: Expectation } {
  const now = Date.now();
  const s = timeText(g);
  const e = g.rng.chance(0.3)
    ? { text: v.endText, kind: 'ms' as const, ms: Date.parse(v.endText) }
    : timeText(g);
  v.body.startsAt = s.text;
  v.body.endsAt = e.text;
  let expect: Expectation;
  if (s.kind === 'invalid') expect = err(400, 'startsAt');
  else if (e.kind === 'invalid') expect = err(400, 'endsAt');
  else if (s.kind === 'range') expect = err(400, 'startsAt');
  else if (e.kind === 'range') expect = err(400, 'endsAt');
  else {
    const sm = s.kind === 'zero' ? 0 : s.ms!;
    const em = e.kind === 'zero' ? 0 : e.ms!;
    if (sm >= em) expect = err(400, 'startsAt');
    else if (em < now) expect = err(400, 'endsAt');
    else expect = STORED;
  }
  return { body: v.body, expect };
}

export function mutatedSilencesCase(g: Gen): Built {
  const v = validSilence(g);
  // A quarter: random structural mutation (any 4xx naming the field, or stored; never a 5xx).
  if (g.rng.chance(0.25)) {
    const body = g.mutate(v.body);
    return post(g.text(body), { status: [200, 400, 404, 413, 422, 429] }, { steps: [] });
  }
  const edit = g.rng.weighted(EDITS);
  const r = edit(g, v);
  if ('text' in r) {
    const built = post(r.text, r.expect);
    if (r.headers) built.headers = r.headers;
    return built;
  }
  const text = g.text(r.body);
  // A huge string written with \uXXXX escapes can pass max_body_bytes: then 413 comes first.
  if (Buffer.byteLength(text) > SILENCE_LIMITS.maxBodyBytes) return post(text, err(413, 'body'));
  const stored = r.expect.status.includes(200);
  return post(text, r.expect, stored ? { steps: [] } : undefined);
}

// ------------------------------------------------------------------------------------------ reads

/** UTF-8 bytes of `s` percent-encoded (lone surrogates become U+FFFD). */
function pct(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** A `filter` value: Alertmanager matcher syntax, mostly well-formed, sometimes not. */
function filterText(g: Gen): string {
  const name = g.rng.chance(0.8) ? g.rng.pick([...NAMES, 'fuzz_case']) : g.oddString().slice(0, 200);
  const op = g.rng.pick(['=', '!=', '=~', '!~', '==', '~', '', '=!', '<']);
  const value = op.includes('~')
    ? g.rng.pick([...REGEXES.map(([r]) => r), ...BAD_REGEXES.slice(0, 20)])
    : g.rng.chance(0.3)
      ? `c${g.rng.int(0, Math.max(0, g.index))}`
      : g.rng.chance(0.6)
        ? g.rng.pick(VALUES)
        : g.oddString().slice(0, 300);
  const quoted = /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) || g.rng.chance(0.3) ? name : JSON.stringify(name);
  const q = g.rng.pick(['"', '"', '', "'", '`']);
  const body = `${quoted}${op}${q}${value.replace(/"/g, g.rng.chance(0.7) ? '\\"' : '"')}${q}`;
  return g.rng.chance(0.1) ? `{${body}}` : body;
}

/** A list query: `filter` parameters (a bad one is 400 naming `filter` or `filter[i]`), others ignored. */
function silenceQuery(g: Gen): string {
  const parts: string[] = [];
  for (let i = 0, n = g.rng.int(0, 4); i < n; i++) {
    switch (g.rng.int(0, 7)) {
      case 0:
      case 1:
      case 2:
      case 3:
        parts.push(`filter=${pct(filterText(g))}`);
        break;
      case 4:
        parts.push(`filter=${pct(`fuzz_case="c${g.rng.int(0, Math.max(0, g.index))}"`)}`);
        break;
      case 5:
        parts.push(
          g.rng.pick([
            'filter=',
            'filter',
            'filter=%zz',
            'filter=%e9%',
            'filter=%00',
            'filter[]=a%3D%22b%22',
          ]),
        );
        break;
      case 6:
        parts.push(
          `${g.rng.pick(['silenced', 'active', 'receiver', 'expired', '__proto__[x]', 'constructor'])}=${pct(g.oddString().slice(0, 50))}`,
        );
        break;
      default:
        parts.push(`filter=${'x'.repeat(g.rng.pick([100, 4000]))}`);
    }
  }
  return parts.length || g.rng.chance(0.5) ? `?${parts.join('&')}` : '';
}

/** An id in a path: unknown UUIDs, odd texts (percent-encoded or raw), over Fastify's 100-character param bound. */
function pathId(g: Gen): string {
  switch (g.rng.int(0, 6)) {
    case 0:
    case 1:
      return uuid(g);
    case 2:
      return pct(g.rng.pick(ODD_IDS));
    case 3:
      return pct(g.oddString().slice(0, 60));
    case 4:
      return g.rng.pick([
        '%',
        '%zz',
        '%ff',
        '%c0%af',
        '..',
        '.',
        '%2e%2e',
        'a%2Fb',
        '%20',
        '%u0041',
        '~',
        'a;b',
        'a?b=c',
      ]);
    case 5:
      return 'i'.repeat(g.rng.pick([100, 101, 128, 129, 10_000]));
    default:
      return pct(uuid(g).toUpperCase());
  }
}

export function readSilencesCase(g: Gen): Built {
  switch (g.rng.int(0, 9)) {
    case 0:
    case 1:
    case 2:
    case 3:
      return {
        method: 'GET',
        path: SILENCES_PATH + silenceQuery(g),
        headers: {},
        expect: { status: [200, 400], field: /^filter(\[\d+\])?$/ },
      };
    case 4:
    case 5:
      // A 404 names `id` when the route matched; the router's own 404 (a too long or odd path) has no field.
      return {
        method: 'GET',
        path: `${SILENCE_PATH}/${pathId(g)}`,
        headers: {},
        expect: { status: [400, 404, 422] },
      };
    case 6:
    case 7: {
      const withBody = g.rng.chance(0.2);
      return {
        method: 'DELETE',
        path: `${SILENCE_PATH}/${pathId(g)}`,
        headers: withBody ? { ...JSON_HEADERS } : {},
        body: withBody ? Buffer.from(g.rng.pick(['{}', '[]', 'null', '{"id":"x"}'])) : undefined,
        expect: { status: [400, 404, 422] },
      };
    }
    default: {
      // Methods and paths next to the real routes: unknown routes (404 without a field) or HEAD of a GET.
      const method = g.rng.pick(['PUT', 'PATCH', 'DELETE', 'POST', 'GET', 'HEAD', 'OPTIONS']);
      const path = g.rng.pick([
        SILENCES_PATH,
        `${SILENCES_PATH}/${uuid(g)}`,
        SILENCE_PATH,
        `${SILENCE_PATH}/`,
        `${SILENCE_PATH}/${uuid(g)}/x`,
        `${SILENCE_PATH}s/../silence/${uuid(g)}`,
        '/api/v1/silences',
        '/api/v2/silences%00',
      ]);
      const hasBody = method !== 'GET' && method !== 'HEAD' && g.rng.chance(0.5);
      return {
        method,
        path,
        headers: hasBody ? { ...JSON_HEADERS } : {},
        body: hasBody ? Buffer.from(jsonText(validSilence(g).body)) : undefined,
      };
    }
  }
}
