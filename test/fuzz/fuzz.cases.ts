/**
 * The fuzz cases of `npm run fuzz` and test/e2e/fuzz.e2e-spec.ts: a pure function of the seed index, so
 * `FUZZ_SEED=<n> FUZZ_CASES=1` rebuilds case n exactly. Cases are structurally aware mutations of valid
 * Prometheus batches (`POST /api/v2/alerts`) and Alertmanager webhook envelopes, the edge cases issue 10
 * names (4 MB groupKey, pre-1970 / after-9999 times, `__proto__`, form bodies, limits, ...), fuzzed read
 * queries, raw byte garbage, and silences (fuzz.silences.ts: valid, mutated, odd reads and ids). Where
 * the contract is unambiguous a case carries the expected status and field; mixed batches carry a
 * follow-up read that must find their valid alerts, stored silences one that reads them back.
 *
 * Adding scenarios shifts which scenario a weighted seed draws: a seed recorded before issue 13 may
 * replay another case now (the first 29 of every thousand still go through the scenarios in order).
 */
import {
  mutatedSilencesCase,
  readSilencesCase,
  validSilencesCase,
  type SilenceFollowup,
} from './fuzz.silences';
import { isPlainObject, jsonText, Pairs, RawJson } from './json-text';
import { Rng } from './prng';

export const ALERTS_PATH = '/api/v2/alerts';
export const WEBHOOK_PATH = '/api/v1/webhooks/alertmanager';
export const GROUPS_PATH = '/api/v2/alerts/groups';

/**
 * The fuzz node's configuration: Herald's default limits (5 MiB body, 1000 alerts, 64 labels, 4096 /
 * 16384 characters, 16384 groupKey; silences 64 KiB, the bounds of fuzz.silences.ts), a route tree with
 * a `...` grouping and a regex matcher, and `herald.silences.max_silences` (default 10 000: above what a
 * 10 000-case run creates, so valid silences are stored and read back; pass a small one to see 429s).
 */
export function fuzzConfigYaml(opts: { maxSilences?: number } = {}): string {
  return `
global:
  resolve_timeout: 5m
route:
  receiver: default
  group_by: [alertname, cluster]
  group_wait: 30s
  group_interval: 1m
  routes:
    - matchers: ['severity="critical"']
      receiver: pager
      group_by: ['...']
      continue: true
    - matchers: ['team=~"db|infra"']
      receiver: dbteam
receivers:
  - name: default
  - name: pager
  - name: dbteam
herald:
  silences:
    max_silences: ${opts.maxSilences ?? 10_000}
`;
}

export const FUZZ_CONFIG_YAML = fuzzConfigYaml();

/** The limits of {@link FUZZ_CONFIG_YAML} (Herald's defaults) that cases aim at. */
export const LIMITS = {
  maxBodyBytes: 5 * 1024 * 1024,
  maxAlertsPerRequest: 1000,
  maxLabels: 64,
  maxLabelName: 256,
  maxLabelValue: 4096,
  maxAnnotations: 64,
  maxAnnotationValue: 16384,
  maxGroupKey: 16384,
};

/** What a response must be, where the README's contract says so. */
export interface Expectation {
  status: number[];
  /** The `field` of the error body (exact, or a pattern). */
  field?: string | RegExp;
}

/**
 * A read after the response: when the request stored anything (200, or a 400 with `accepted` > 0),
 * `GET /api/v2/alerts?filter=<filter>` must list exactly `alerts` alerts (the valid ones of the batch).
 */
export interface Followup {
  filter: string;
  alerts: number;
  /** Label pairs every listed alert must carry (e.g. the `__proto__` label). */
  labels?: Record<string, string>;
}

export interface FuzzCase {
  index: number;
  scenario: Scenario;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** A whole raw HTTP request written as is on a fresh connection (no client-side framing). */
  raw?: Buffer;
  expect?: Expectation;
  followup?: Followup;
  /** A silence POST's follow-up reads and changes (when answered 200). */
  silence?: SilenceFollowup;
}

/** The scenarios and their relative weights (the bulk is structural mutation of valid payloads). */
const WEIGHTS = {
  'valid-alerts': 5,
  'valid-webhook': 4,
  'mutated-alerts': 16,
  'mutated-webhook': 14,
  'mixed-batch': 5,
  'time-range': 4,
  'proto-label': 2,
  'label-names': 4,
  'limits-per-alert': 3,
  'limits-count': 1,
  'limits-body': 0.1,
  'webhook-envelope': 4,
  'webhook-huge-groupkey': 0.15,
  'content-type': 4,
  'malformed-json': 4,
  'wrong-shape': 3,
  numbers: 2,
  unicode: 3,
  'deep-nesting': 1,
  'duplicate-keys': 2,
  'empty-and-null': 2,
  'random-bytes': 2,
  'wrong-method': 1,
  'read-alerts': 5,
  'read-groups': 2,
  'raw-http': 2,
  // Silences (issue 13): their weight taken from the alert scenarios above, so a run is as long as before.
  'valid-silences': 4,
  'mutated-silences': 9,
  'read-silences': 3,
} as const;

export type Scenario = keyof typeof WEIGHTS;
export const SCENARIOS = Object.keys(WEIGHTS) as Scenario[];
/** The scenarios on the silence routes (fuzz.silences.ts). */
export const SILENCE_SCENARIOS: readonly Scenario[] = ['valid-silences', 'mutated-silences', 'read-silences'];
const WEIGHTED = Object.entries(WEIGHTS) as [Scenario, number][];

/**
 * Case `index`. The first {@link SCENARIOS}.length indexes of every thousand go through every scenario
 * once (so any 1 000 consecutive seeds starting at a multiple of 1 000 cover them all); the rest are
 * drawn by weight.
 */
export function fuzzCase(index: number): FuzzCase {
  const rng = Rng.forCase(index);
  const slot = index % 1000;
  const scenario = slot < SCENARIOS.length ? SCENARIOS[slot] : rng.weighted(WEIGHTED);
  const g = new Gen(rng, index);
  return { index, scenario, ...BUILDERS[scenario](g) };
}

type Built = Omit<FuzzCase, 'index' | 'scenario'>;

const JSON_HEADERS = { 'content-type': 'application/json' };

function jsonPost(path: string, text: string, expect?: Expectation, followup?: Followup): Built {
  return {
    method: 'POST',
    path,
    headers: { ...JSON_HEADERS },
    body: Buffer.from(text, 'utf8'),
    expect,
    followup,
  };
}

// ------------------------------------------------------------------------------------------ value pools

const ALERTNAMES = [
  'InstanceDown',
  'HighLatency',
  'DiskFull',
  'CPUThrottling',
  'Watchdog',
  'TargetDown',
  'KubePodCrashLooping',
  'NodeFilesystemSpaceFillingUp',
  'HighErrorRate',
  'ReplicationLag',
];
const JOBS = ['node', 'api', 'db', 'kubelet', 'blackbox'];
const SEVERITIES = ['critical', 'warning', 'info', 'none'];
const TEAMS = ['db', 'infra', 'web', 'sre'];
const CLUSTERS = ['eu-1', 'us-2', 'ap-3'];

const ODD_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  'null',
  'true',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\udc00y',
  '😀',
  '👩‍👩‍👧‍👦',
  'é',
  'e\u0301',
  '\u202eevil',
  '\ufeffbom',
  '中文标签',
  'Ελληνικά',
  '\u2028\u2029',
  '%00',
  '%ff',
  '${jndi:ldap://x}',
  '<script>alert(1)</script>',
  '"',
  '\\',
  '\n',
  '\r\n',
  '\t',
  '__proto__',
  'constructor',
  'toString',
  'hasOwnProperty',
  '0001-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '10000-01-01T00:00:00Z',
  '9999-12-31T23:59:59Z',
  'a'.repeat(40) + '!',
  'default',
  'firing',
  'resolved',
  '4',
  'NaN',
  '1e400',
  "'; DROP TABLE alerts; --",
  '{{ .Labels }}',
  '*',
  '.*',
  '(a+)+$',
];

const RAW_NUMBERS = [
  '0',
  '-0',
  '1',
  '-1',
  '4',
  '1.5',
  '-1.5',
  '2147483648',
  '9007199254740993',
  '-9223372036854775808',
  '1e308',
  '-1e308',
  '1e400',
  '-1e400',
  '1e-400',
  '0.0000000000000000000001',
  '123456789012345678901234567890',
];

// Label names under Herald's default `herald.label_names: utf8` (Alertmanager ≥ 0.27): any non-empty
// valid UTF-8 name up to max_label_name_length (256) is valid; only empty, lone-surrogate and over-long
// names are refused.
const LABEL_NAME_VALID = [
  'alertname',
  'instance',
  'job',
  '_',
  '__name__',
  '__meta_x',
  'a1',
  'A_B',
  'x'.repeat(256),
  'service.name',
  'a-b',
  'a:b',
  'a b',
  '1abc',
  'é',
  '😀',
  'ключ',
  '名前',
  'a/b',
  '{}',
  '"',
  '-',
  '0',
  'a\nb',
  '\u0000',
  '😀'.repeat(128),
];
const LABEL_NAME_INVALID = [
  '',
  '\ud800',
  'a\udc00b',
  '\udfff😀',
  'x'.repeat(257),
  '😀'.repeat(129),
  'é'.repeat(257),
];

// ------------------------------------------------------------------------------------------ generator

/** A case's generator: the seeded PRNG and the value makers every scenario draws from. */
export class Gen {
  constructor(
    readonly rng: Rng,
    readonly index: number,
  ) {}

  /** A valid RFC 3339 time within a few hours of now, in one of the formats senders use. */
  time(offsetMs = this.rng.int(-3 * 3600_000, 600_000)): string {
    const d = new Date(Date.now() + offsetMs);
    const iso = d.toISOString();
    switch (this.rng.int(0, 4)) {
      case 0:
        return iso;
      case 1:
        return iso.replace(/\.\d+Z$/, 'Z');
      case 2:
        return iso.replace(/Z$/, `${String(this.rng.int(0, 999999)).padStart(6, '0')}Z`);
      case 3: {
        // the same instant at +02:00
        const local = new Date(d.getTime() + 2 * 3600_000).toISOString().replace(/Z$/, '+02:00');
        return local;
      }
      default:
        return iso.replace('T', 't').replace('Z', 'z');
    }
  }

  /** A string from the odd pool, a mutated one, or a long one. */
  oddString(): string {
    const r = this.rng.int(0, 9);
    if (r < 6) return this.rng.pick(ODD_STRINGS);
    if (r < 8) return this.mutateString(this.rng.pick([...ALERTNAMES, ...ODD_STRINGS]));
    return this.rng
      .pick(['a', 'é', '😀', '\u0000', 'ab'])
      .repeat(this.rng.pick([255, 256, 257, 4096, 4097, 16385, 70000]));
  }

  mutateString(s: string): string {
    const i = this.rng.int(0, s.length);
    switch (this.rng.int(0, 5)) {
      case 0:
        return s.slice(0, i);
      case 1:
        return (
          s.slice(0, i) +
          this.rng.pick(['\u0000', '😀', '\ud800', '"', '\\', ' ', '-', '.', 'é']) +
          s.slice(i)
        );
      case 2:
        return s.toUpperCase();
      case 3:
        return s.repeat(this.rng.int(2, 50));
      case 4:
        return s.slice(i) + s.slice(0, i);
      default:
        return String.fromCharCode(this.rng.int(0, 0xffff)) + s;
    }
  }

  /** A valid alert's labels. */
  labels(extra: Record<string, string> = {}): Record<string, string> {
    const l: Record<string, string> = {
      alertname: this.rng.pick(ALERTNAMES),
      instance: `host-${this.rng.int(0, 99)}:9100`,
      job: this.rng.pick(JOBS),
    };
    if (this.rng.chance(0.7)) l.cluster = this.rng.pick(CLUSTERS);
    if (this.rng.chance(0.5)) l.severity = this.rng.pick(SEVERITIES);
    if (this.rng.chance(0.3)) l.team = this.rng.pick(TEAMS);
    if (this.rng.chance(0.1)) l.empty = ''; // dropped, as Alertmanager does
    return { ...l, ...extra };
  }

  /** A valid Prometheus alert (postableAlert). */
  alert(extra: Record<string, string> = {}): Record<string, unknown> {
    const a: Record<string, unknown> = { labels: this.labels(extra) };
    if (this.rng.chance(0.8)) {
      a.annotations = {
        summary: `${a.labels && (a.labels as Record<string, string>).alertname} on host`,
        description: 'fuzz',
      };
    }
    const shape = this.rng.int(0, 4);
    // An alert without endsAt ends at now + resolve_timeout (5m): its start must not be later.
    const start = this.rng.int(-3 * 3600_000, 240_000);
    if (shape >= 1) a.startsAt = this.time(start);
    if (shape === 2) a.endsAt = this.time(Math.max(start, 0) + this.rng.int(60_000, 3600_000)); // future end
    if (shape === 3) a.endsAt = '0001-01-01T00:00:00Z';
    if (shape === 4 && this.rng.chance(0.5)) {
      a.startsAt = this.time(-7200_000);
      a.endsAt = this.time(-3600_000); // resolved an hour ago
    }
    if (this.rng.chance(0.7))
      a.generatorURL = `http://prometheus:9090/graph?g0.expr=up&i=${this.rng.int(0, 9)}`;
    return a;
  }

  /** A valid webhook alert (status + times consistent). */
  webhookAlert(
    status = this.rng.pick(['firing', 'resolved']),
    extra: Record<string, string> = {},
  ): Record<string, unknown> {
    const a = this.alert(extra);
    a.status = status;
    if (status === 'firing') {
      a.startsAt = this.time(-600_000);
      a.endsAt = '0001-01-01T00:00:00Z';
    } else {
      a.startsAt = this.time(-7200_000);
      a.endsAt = this.time(-60_000);
    }
    a.fingerprint = this.rng
      .int(0, 2 ** 31)
      .toString(16)
      .padStart(16, '0');
    return a;
  }

  webhook(alerts: unknown[], status = this.rng.pick(['firing', 'resolved'])): Record<string, unknown> {
    const env: Record<string, unknown> = {
      version: '4',
      groupKey: `{}/{severity="critical"}:{alertname="${this.rng.pick(ALERTNAMES)}"}`,
      truncatedAlerts: 0,
      status,
      receiver: this.rng.pick(['team-x', 'upstream', 'default']),
      groupLabels: { alertname: this.rng.pick(ALERTNAMES) },
      commonLabels: { job: this.rng.pick(JOBS) },
      commonAnnotations: {},
      externalURL: 'http://alertmanager:9093',
      alerts,
    };
    if (this.rng.chance(0.2)) delete env.truncatedAlerts;
    return env;
  }

  batch(
    n = this.rng.weighted<number>([
      [1, 4],
      [this.rng.int(2, 10), 4],
      [this.rng.int(11, 100), 1.5],
      [this.rng.int(101, 400), 0.3],
    ]),
  ): Record<string, unknown>[] {
    return Array.from({ length: n }, () => this.alert());
  }

  webhookBatch(
    n = this.rng.weighted<number>([
      [1, 4],
      [this.rng.int(2, 10), 4],
      [this.rng.int(11, 100), 1],
    ]),
  ): Record<string, unknown>[] {
    const status = this.rng.pick(['firing', 'resolved']);
    return Array.from({ length: n }, () => this.webhookAlert(status));
  }

  /** A value of any JSON type that is odd somewhere. */
  oddValue(depth = 0): unknown {
    switch (this.rng.int(0, 11)) {
      case 0:
        return null;
      case 1:
        return this.rng.chance(0.5);
      case 2:
        return new RawJson(this.rng.pick(RAW_NUMBERS));
      case 3:
      case 4:
      case 5:
        return this.oddString();
      case 6:
        return [];
      case 7:
        return {};
      case 8:
        return depth > 2 ? 'deep' : [this.oddValue(depth + 1), this.oddValue(depth + 1)];
      case 9:
        return depth > 2 ? 'deep' : { [this.oddKey()]: this.oddValue(depth + 1) };
      case 10:
        return this.time(this.rng.pick([-1e13, -1e12, 1e12, 1e14, 3e14]));
      default:
        return new Pairs([['__proto__', this.oddValue(depth + 1)]]);
    }
  }

  oddKey(): string {
    return this.rng.chance(0.5)
      ? this.rng.pick([...LABEL_NAME_INVALID, '__proto__', 'constructor', 'prototype'])
      : this.rng.pick([
          ...LABEL_NAME_VALID,
          'labels',
          'annotations',
          'startsAt',
          'endsAt',
          'status',
          'alerts',
          'version',
        ]);
  }

  /**
   * 1–4 structural mutations at random places of `root` (in place, returns the new root): replace a value
   * by an odd one, delete or add a key, rename a key, duplicate or drop array items, wrap or unwrap.
   */
  mutate(root: unknown): unknown {
    const holder = { root };
    const n = this.rng.weighted<number>([
      [1, 5],
      [2, 3],
      [3, 1],
      [4, 1],
    ]);
    for (let i = 0; i < n; i++) {
      const slots = collectSlots(holder);
      if (!slots.length) break;
      const [parent, key] = this.rng.pick(slots);
      const p = parent as Record<string | number, unknown>;
      const v = p[key];
      switch (this.rng.int(0, 8)) {
        case 0:
        case 1:
        case 2:
          p[key] = this.oddValue();
          break;
        case 3:
          if (Array.isArray(p)) p.splice(key as number, 1);
          else if (p !== holder) delete p[key];
          else p[key] = this.oddValue();
          break;
        case 4:
          if (isPlainObject(v)) {
            (v as Record<string, unknown>)[this.oddKey()] = this.oddValue();
          } else p[key] = this.oddValue();
          break;
        case 5:
          if (isPlainObject(v)) {
            const keys = Object.keys(v);
            if (keys.length) {
              const k = this.rng.pick(keys);
              const o = v as Record<string, unknown>;
              const val = o[k];
              delete o[k];
              o[this.rng.chance(0.5) ? this.mutateString(k) : this.oddKey()] = val;
            }
          } else if (typeof v === 'string') p[key] = this.mutateString(v);
          break;
        case 6:
          if (Array.isArray(v) && v.length) {
            const copies = this.rng.pick([1, 2, 10]);
            for (let c = 0; c < copies; c++) v.push(structuredClone(v[this.rng.int(0, v.length - 1)]));
          } else p[key] = [v];
          break;
        case 7:
          p[key] = Array.isArray(v)
            ? v.length
              ? v[0]
              : {}
            : typeof v === 'string'
              ? new RawJson(this.rng.pick(RAW_NUMBERS))
              : String(v);
          break;
        default:
          p[key] = typeof v === 'string' ? this.mutateString(v) : this.oddString();
      }
    }
    return holder.root;
  }

  /** Text of a value, sometimes with escaped non-ASCII or whitespace between tokens. */
  text(v: unknown): string {
    return jsonText(v, {
      asciiOnly: this.rng.chance(0.2),
      space: this.rng.chance(0.1) ? this.rng.pick([' ', '\n', '\t\r\n ']) : '',
    });
  }

  marker(): string {
    return `c${this.index}`;
  }
}

/** Every (parent, key) place in a JSON tree (plain objects and arrays; wrapper nodes are leaves). */
function collectSlots(holder: { root: unknown }): [object, string | number][] {
  const out: [object, string | number][] = [[holder, 'root']];
  const stack: unknown[] = [holder.root];
  while (stack.length && out.length < 5000) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        out.push([v, i]);
        stack.push(x);
      });
    } else if (v && typeof v === 'object' && !(v instanceof Pairs) && !(v instanceof RawJson)) {
      for (const k of Object.keys(v)) {
        out.push([v, k]);
        stack.push((v as Record<string, unknown>)[k]);
      }
    }
  }
  return out;
}

// ------------------------------------------------------------------------------------------ scenarios

const BUILDERS: Record<Scenario, (g: Gen) => Built> = {
  'valid-alerts': (g) => {
    const text = g.text(g.batch());
    return jsonPost(ALERTS_PATH, text, { status: [200, 429] });
  },

  'valid-webhook': (g) => {
    const alerts = g.webhookBatch();
    const status = (alerts[0] as { status: string }).status;
    return jsonPost(WEBHOOK_PATH, g.text(g.webhook(alerts, status)), { status: [200, 429] });
  },

  'mutated-alerts': (g) => jsonPost(ALERTS_PATH, g.text(g.mutate(g.batch()))),

  'mutated-webhook': (g) => jsonPost(WEBHOOK_PATH, g.text(g.mutate(g.webhook(g.webhookBatch())))),

  // Valid alerts (tagged with this case's marker) among invalid ones: 400 naming the first bad one, and
  // the valid ones stored and listed.
  'mixed-batch': (g) => {
    const webhook = g.rng.chance(0.4);
    const n = g.rng.int(2, 30);
    const marker = g.marker();
    const items: unknown[] = [];
    let valid = 0;
    let firstBad = -1;
    const seen = new Set<string>();
    for (let i = 0; i < n; i++) {
      if (i === n - 1 && firstBad < 0 ? true : g.rng.chance(0.4)) {
        if (firstBad < 0) firstBad = i;
        items.push(badAlert(g, webhook));
      } else {
        // a distinct instance per valid alert, so `valid` counts distinct fingerprints
        let inst: string;
        do inst = `i${g.rng.int(0, 999)}`;
        while (seen.has(inst));
        seen.add(inst);
        const extra = { fuzz_case: marker, instance: inst };
        const a = webhook ? g.webhookAlert('firing', extra) : g.alert(extra);
        delete a.endsAt; // active for resolve_timeout
        if (webhook) a.endsAt = '0001-01-01T00:00:00Z';
        a.startsAt = g.time(-60_000);
        items.push(a);
        valid++;
      }
    }
    const body = webhook ? g.webhook(items, 'firing') : items;
    const prefix = webhook ? `alerts[${firstBad}]` : `[${firstBad}]`;
    return jsonPost(
      webhook ? WEBHOOK_PATH : ALERTS_PATH,
      g.text(body),
      { status: [400], field: new RegExp(`^${escapeRe(prefix)}`) },
      { filter: `fuzz_case="${marker}"`, alerts: valid },
    );
  },

  // Times before 1970 or after 9999 reject that alert naming the field; the others are stored.
  'time-range': (g) => {
    const webhook = g.rng.chance(0.4);
    const marker = g.marker();
    const bad = g.rng.pick([
      '1969-12-31T23:59:59Z',
      '1900-01-01T00:00:00Z',
      '0001-01-02T00:00:00Z',
      '1969-12-31T23:59:59.999999999Z',
      '0999-06-01T00:00:00+01:00',
      '9999-12-31T23:59:59-00:01',
      '9999-12-31T23:59:59-23:59',
    ]);
    const field = g.rng.pick(['startsAt', 'endsAt']);
    const good = webhook ? g.webhookAlert('firing', { fuzz_case: marker }) : g.alert({ fuzz_case: marker });
    good.startsAt = g.time(-60_000);
    if (webhook) good.endsAt = '0001-01-01T00:00:00Z';
    else delete good.endsAt;
    const badAlertObj = webhook ? g.webhookAlert('firing') : g.alert();
    badAlertObj.startsAt = field === 'startsAt' ? bad : g.time(-60_000);
    if (field === 'endsAt') badAlertObj.endsAt = bad;
    const items = g.rng.chance(0.5) ? [good, badAlertObj] : [badAlertObj, good];
    const at = items.indexOf(badAlertObj);
    const prefix = webhook ? `alerts[${at}]` : `[${at}]`;
    // A bad endsAt before 1970 (or a pre-1970 start) is refused for the range; an endsAt of 9999 minus a
    // few minutes is past 9999 in UTC. Either way the field is named.
    return jsonPost(
      webhook ? WEBHOOK_PATH : ALERTS_PATH,
      g.text(webhook ? g.webhook(items, 'firing') : items),
      { status: [400], field: `${prefix}.${field}` },
      { filter: `fuzz_case="${marker}"`, alerts: 1 },
    );
  },

  // `__proto__` is a valid label name (and annotation name): kept as a label, or at worst a 4xx.
  'proto-label': (g) => {
    const marker = g.marker();
    const webhook = g.rng.chance(0.3);
    const where = g.rng.int(0, 3);
    const labels: [string, unknown][] = [
      ['alertname', 'ProtoAlert'],
      ['fuzz_case', marker],
    ];
    if (where !== 3)
      labels.splice(g.rng.int(0, 2), 0, ['__proto__', where === 2 ? { polluted: 'yes' } : 'x']);
    const alert = new Pairs([
      ['labels', new Pairs(labels)],
      [
        'annotations',
        new Pairs([
          ['__proto__', 'y'],
          ['constructor', 'z'],
        ]),
      ],
      ['startsAt', g.time(-60_000)],
      ...(webhook ? ([['status', 'firing']] as [string, unknown][]) : []),
    ]);
    const text = jsonText(webhook ? g.webhook([alert], 'firing') : [alert]);
    // where 2: __proto__ with an object value is an invalid label value (400), not pollution.
    if (where === 2) return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, text, { status: [400] });
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, text, undefined, {
      filter: `fuzz_case="${marker}"`,
      alerts: 1,
      labels: where === 3 ? {} : { __proto__: 'x' },
    });
  },

  'label-names': (g) => {
    const valid = g.rng.chance(0.4);
    const name = g.rng.pick(valid ? LABEL_NAME_VALID : LABEL_NAME_INVALID);
    const a = g.alert();
    const labels = new Pairs([...Object.entries(a.labels as Record<string, string>), [name, 'v']]);
    const webhook = g.rng.chance(0.3);
    if (webhook) a.status = 'firing';
    const text = jsonText(webhook ? g.webhook([{ ...a, labels }], 'firing') : [{ ...a, labels }]);
    const prefix = webhook ? 'alerts[0]' : '[0]';
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, text, {
      status: valid ? [200, 429] : [400],
      field: valid ? undefined : new RegExp(`^${escapeRe(prefix)}\\.labels`),
    });
  },

  'limits-per-alert': (g) => {
    const a = g.alert();
    const labels = a.labels as Record<string, string>;
    const over = g.rng.chance(0.6);
    let field = '';
    switch (g.rng.int(0, 5)) {
      case 0: // label count (64; an empty value is dropped before counting)
        delete labels.empty;
        for (let i = Object.keys(labels).length; i < LIMITS.maxLabels + (over ? 1 : 0); i++)
          labels[`l${i}`] = 'v';
        field = 'labels';
        break;
      case 1: // label value length (4096)
        labels.big = 'v'.repeat(LIMITS.maxLabelValue + (over ? 1 : 0));
        field = 'labels.big';
        break;
      case 2: // label name length (256)
        labels['n'.repeat(LIMITS.maxLabelName + (over ? 1 : 0))] = 'v';
        field = 'labels';
        break;
      case 3: {
        // annotation count (64)
        const ann: Record<string, string> = {};
        for (let i = 0; i < LIMITS.maxAnnotations + (over ? 1 : 0); i++) ann[`a${i}`] = 'v';
        a.annotations = ann;
        field = 'annotations';
        break;
      }
      case 4: // annotation value length (16384)
        a.annotations = { description: 'd'.repeat(LIMITS.maxAnnotationValue + (over ? 1 : 0)) };
        field = 'annotations.description';
        break;
      default: // generatorURL (as an annotation value)
        a.generatorURL = 'http://x/' + 'g'.repeat(LIMITS.maxAnnotationValue - 9 + (over ? 1 : 0));
        field = 'generatorURL';
    }
    return jsonPost(
      ALERTS_PATH,
      g.text([a]),
      over ? { status: [400], field: new RegExp(`^\\[0\\]\\.${escapeRe(field)}`) } : { status: [200, 429] },
    );
  },

  // More alerts than max_alerts_per_request: 413 before anything is read.
  'limits-count': (g) => {
    const webhook = g.rng.chance(0.5);
    const n = LIMITS.maxAlertsPerRequest + g.rng.pick([1, 2, 500]);
    const items = Array.from({ length: n }, (_, i) => ({
      labels: { alertname: 'Many', i: String(i) },
      ...(webhook ? { status: 'firing' } : {}),
    }));
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, jsonText(webhook ? g.webhook(items) : items), {
      status: [413],
      field: webhook ? 'alerts' : 'body',
    });
  },

  // A body over max_body_bytes (5 MiB): 413, whatever it holds.
  'limits-body': (g) => {
    const webhook = g.rng.chance(0.5);
    const pad = ' '.repeat(LIMITS.maxBodyBytes + g.rng.pick([1, 1000, 100_000]));
    const text = webhook ? `{"version":"4","alerts":[]${pad}}` : `[${pad}]`;
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, text, { status: [413], field: 'body' });
  },

  // Each bounded envelope field over its bound or of the wrong type: 400 naming it, nothing stored.
  'webhook-envelope': (g) => {
    const marker = g.marker();
    const env = g.webhook([g.webhookAlert('firing', { fuzz_case: marker })], 'firing');
    const field = g.rng.pick([
      'groupKey',
      'receiver',
      'externalURL',
      'status',
      'commonLabels',
      'groupLabels',
      'commonAnnotations',
      'truncatedAlerts',
      'version',
      'alerts',
    ]);
    const wrongType = g.rng.chance(0.4);
    const over: Record<string, () => unknown> = {
      groupKey: () => 'k'.repeat(LIMITS.maxGroupKey + 1),
      receiver: () => 'r'.repeat(LIMITS.maxLabelValue + 1),
      externalURL: () => 'http://am/' + 'u'.repeat(LIMITS.maxAnnotationValue),
      status: () => g.rng.pick(['FIRING', 'pending', '', 'firing ', 'resolvedresolved']),
      commonLabels: () => ({ big: 'x'.repeat(LIMITS.maxLabelValue + 1) }),
      groupLabels: () =>
        Object.fromEntries(Array.from({ length: LIMITS.maxLabels + 1 }, (_, i) => [`l${i}`, 'v'])),
      commonAnnotations: () => ({ big: 'x'.repeat(LIMITS.maxAnnotationValue + 1) }),
      truncatedAlerts: () => new RawJson(g.rng.pick(['-1', '1.5', '1e400', '9007199254740993', '"3"'])),
      version: () => g.rng.pick(['3', '5', 4, '', '4 ', null]),
      alerts: () => g.rng.pick([{}, 'none', null, 4]),
    };
    // A wrong type for each field (an array of strings is fine for `alerts`, 4 for `truncatedAlerts`).
    const wrong: unknown[] =
      field === 'alerts'
        ? [4, true, { a: 1 }, 'x']
        : field === 'truncatedAlerts'
          ? [true, ['x'], { a: 1 }, 'x']
          : [4, true, ['x'], { a: 1 }, new RawJson('1e400')];
    env[field] = wrongType ? g.rng.pick(wrong) : over[field]();
    // wrong-typed maps: an array is refused; status "" / null-ish and version handled by `over`.
    const text = g.text(env);
    let fieldRe: RegExp = new RegExp(`^${field}`);
    // `version` is checked first and `alerts` second: their own field; the maps name the entry.
    if (field === 'version' || field === 'alerts') fieldRe = new RegExp(`^${field}$`);
    const expectStatus = [400];
    // `status: ""` is not a bound violation Herald names differently; every choice above is invalid.
    return jsonPost(
      WEBHOOK_PATH,
      text,
      { status: expectStatus, field: fieldRe },
      { filter: `fuzz_case="${marker}"`, alerts: 0 },
    );
  },

  // Issue 10: a 4 MB groupKey (and a 1 MB receiver) with 1 000 alerts → 400 naming it, node up.
  'webhook-huge-groupkey': (g) => {
    const field = g.rng.pick(['groupKey', 'receiver']);
    const size = field === 'groupKey' ? 4 * 1000 * 1000 : 1000 * 1000;
    const alerts = Array.from({ length: 1000 }, (_, i) => ({
      status: 'firing',
      labels: { alertname: 'Huge', i: String(i) },
      startsAt: g.time(-60_000),
    }));
    const env = g.webhook(alerts, 'firing');
    env[field] = `{}:{alertname="${'x'.repeat(size)}"}`;
    return jsonPost(WEBHOOK_PATH, jsonText(env), { status: [400], field });
  },

  // JSON only: form, multipart, text, XML, no type → 415; JSON under odd spellings → < 500.
  'content-type': (g) => {
    const path = g.rng.pick([ALERTS_PATH, WEBHOOK_PATH]);
    const json = jsonText(path === ALERTS_PATH ? g.batch(1) : g.webhook(g.webhookBatch(1)));
    const kind = g.rng.int(0, 9);
    const not: [string | undefined, string][] = [
      ['application/x-www-form-urlencoded', 'alerts=' + encodeURIComponent(json)],
      ['application/x-www-form-urlencoded', 'labels[alertname]=A&labels[job]=b'],
      [
        'multipart/form-data; boundary=XyZ',
        '--XyZ\r\nContent-Disposition: form-data; name="alerts"\r\n\r\n' + json + '\r\n--XyZ--\r\n',
      ],
      ['text/plain', json],
      ['text/plain; charset=utf-8', json],
      ['application/xml', '<alerts><alert/></alerts>'],
      ['application/octet-stream', json],
      [undefined, json],
      ['text/html', '<p>x</p>'],
    ];
    if (kind < 6) {
      const [ct, body] = g.rng.pick(not);
      const headers: Record<string, string> = ct ? { 'content-type': ct } : {};
      return {
        method: 'POST',
        path,
        headers,
        body: Buffer.from(body),
        expect: { status: [415], field: 'Content-Type' },
      };
    }
    // JSON-ish or garbage content types: anything but a 5xx (and the JSON error body).
    const ct = g.rng.pick([
      'application/json; charset=utf-8',
      'APPLICATION/JSON',
      'application/json;charset=latin1',
      'application/json; charset=utf-16',
      'application/vnd.api+json',
      'application/json, text/plain',
      'application/jsonx',
      'application/',
      '/',
      ';',
      'application/json; boundary="x',
      'application/json\t',
      '*/*',
      'text/json',
      g.oddString().replace(/[^\x20-\x7e]/g, '?'),
    ]);
    return { method: 'POST', path, headers: { 'content-type': ct }, body: Buffer.from(json) };
  },

  'malformed-json': (g) => {
    const path = g.rng.pick([ALERTS_PATH, WEBHOOK_PATH]);
    const valid = jsonText(
      path === ALERTS_PATH ? g.batch(g.rng.int(1, 5)) : g.webhook(g.webhookBatch(g.rng.int(1, 3))),
    );
    const kind = g.rng.int(0, 9);
    let text: string;
    switch (kind) {
      case 0:
      case 1: // a proper prefix of a JSON object/array is never JSON
        text = valid.slice(0, g.rng.int(0, valid.length - 1));
        break;
      case 2:
        text = valid.replace(/"/g, "'");
        break;
      case 3:
        text = valid.replace(/}/, ',}');
        break;
      case 4:
        text = valid.replace(/:/, ': NaN, "x":');
        break;
      case 5:
        text = '/* c */' + valid;
        break;
      case 6:
        text = valid + g.rng.pick(['x', ']', '}', ',', ' 1', '\u0000']);
        break;
      case 7: {
        // a bad escape or a raw control character inside a string
        const at = valid.indexOf('"') + 1;
        text =
          valid.slice(0, at) +
          g.rng.pick(['\\x41', '\\u12', '\\', '\u0001', '\n', '\\uD800\\u']) +
          valid.slice(at);
        break;
      }
      case 8: // unbalanced brackets
        text = valid.replace(/\]/, '');
        break;
      default: {
        const s = Buffer.from(valid);
        s[g.rng.int(0, s.length - 1)] = g.rng.pick([0x7b, 0x5b, 0x22, 0x3a, 0x2c]); // a structural byte somewhere
        return { method: 'POST', path, headers: { ...JSON_HEADERS }, body: s };
      }
    }
    // Some of these edits could by chance still be JSON (e.g. a trailing-space variant): only the
    // ones that never are carry an expectation.
    return jsonPost(path, text, isJson(text) ? undefined : { status: [400], field: 'body' });
  },

  'wrong-shape': (g) => {
    const webhook = g.rng.chance(0.5);
    const shapes = webhook
      ? [
          g.batch(2),
          'string',
          4,
          null,
          true,
          [],
          { version: '4' },
          { version: '4', alerts: {} },
          { alerts: [] },
          { version: '4', alerts: g.batch(2) },
        ]
      : [
          g.webhook(g.webhookBatch(1)),
          'string',
          4,
          null,
          true,
          {},
          [[g.alert()]],
          ['x', 1, null],
          { 0: g.alert(), length: 1 },
        ];
    const v = g.rng.pick(shapes as unknown[]);
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, jsonText(v), { status: [400] });
  },

  numbers: (g) => {
    const webhook = g.rng.chance(0.5);
    const a = webhook ? g.webhookAlert() : g.alert();
    const where = g.rng.pick([
      'startsAt',
      'endsAt',
      'labels',
      'annotations',
      'generatorURL',
      'status',
      'fingerprint',
    ]);
    const n = new RawJson(g.rng.pick(RAW_NUMBERS));
    if (where === 'labels' || where === 'annotations')
      (a[where] as Record<string, unknown>) = { ...(a[where] as object), num: n };
    else a[where] = n;
    const env = webhook ? g.webhook([a]) : [a];
    if (webhook && g.rng.chance(0.5))
      (env as Record<string, unknown>).truncatedAlerts = new RawJson(g.rng.pick(RAW_NUMBERS));
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, jsonText(env));
  },

  // Unicode everywhere a string goes: values are kept (labels/annotations), names are refused.
  unicode: (g) => {
    const webhook = g.rng.chance(0.4);
    const marker = g.marker();
    const u = () =>
      g.rng.pick([
        '😀',
        'é',
        'e\u0301',
        '\u202e',
        '\ufeff',
        '中文',
        '\ud800',
        '\udfff',
        '\u0000',
        '\u2028',
        'Ω',
        '\u{10ffff}',
      ]);
    const value = Array.from({ length: g.rng.int(1, 20) }, u).join('');
    const a = webhook ? g.webhookAlert('firing', { fuzz_case: marker }) : g.alert({ fuzz_case: marker });
    delete a.endsAt;
    if (webhook) a.endsAt = '0001-01-01T00:00:00Z';
    a.startsAt = g.time(-60_000);
    (a.labels as Record<string, string>).uni = value;
    a.annotations = { [u() + 'name']: value, summary: value };
    if (g.rng.chance(0.3)) a.generatorURL = 'http://x/' + value;
    const long = g.rng.chance(0.2);
    if (long) (a.labels as Record<string, string>).uni = '😀'.repeat(LIMITS.maxLabelValue / 2); // 4096 UTF-16 units, 8192 bytes
    const text = g.text(webhook ? g.webhook([a], 'firing') : [a]);
    return jsonPost(
      webhook ? WEBHOOK_PATH : ALERTS_PATH,
      text,
      { status: [200, 429] },
      { filter: `fuzz_case="${marker}"`, alerts: 1 },
    );
  },

  'deep-nesting': (g) => {
    const depth = g.rng.pick([100, 1000, 10_000, 100_000, 500_000]);
    const webhook = g.rng.chance(0.5);
    const where = g.rng.int(0, 3);
    const deep = '['.repeat(depth) + ']'.repeat(depth);
    // `constructor` / `__proto__` keys make Fastify's secure JSON parser walk the whole tree.
    const key = g.rng.pick(['a', 'a', 'constructor', '__proto__']);
    const deepObj = `{"${key}":`.repeat(depth) + '1' + '}'.repeat(depth);
    const nest = g.rng.chance(0.5) ? deep : deepObj;
    let text: string;
    if (where === 0)
      text = nest; // the whole body
    else if (where === 1)
      text = webhook
        ? `{"version":"4","alerts":[{"status":"firing","labels":${nest}}]}`
        : `[{"labels":${nest}}]`;
    else if (where === 2)
      text = webhook
        ? `{"version":"4","commonLabels":${nest},"alerts":[]}`
        : `[{"labels":{"alertname":"Deep"},"annotations":{"x":${nest}}}]`;
    else text = webhook ? `{"version":"4","alerts":${nest}}` : `[${nest}]`;
    const tooBig = Buffer.byteLength(text) > LIMITS.maxBodyBytes;
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, text, { status: tooBig ? [413] : [400] });
  },

  // Duplicate keys: JSON.parse keeps the last one; never a 5xx.
  'duplicate-keys': (g) => {
    const webhook = g.rng.chance(0.5);
    const a = g.alert();
    const dupLabels = new Pairs([
      ...Object.entries(a.labels as Record<string, string>),
      ['alertname', g.rng.pick(['Dup', '', 'x'])],
      ['job', 'dup'],
    ]);
    const alert = new Pairs([
      ['labels', dupLabels],
      ['startsAt', g.time(-60_000)],
      ['startsAt', g.rng.pick([g.time(-30_000), '1969-01-01T00:00:00Z', 'garbage'])],
      ...(webhook
        ? ([
            ['status', 'resolved'],
            ['status', 'firing'],
          ] as [string, unknown][])
        : []),
      ['labels', g.rng.chance(0.5) ? dupLabels : {}],
    ]);
    const body = webhook
      ? new Pairs([
          ['version', '3'],
          ['version', '4'],
          ['alerts', []],
          ['alerts', [alert]],
          ['groupKey', 'k'],
          ['groupKey', g.rng.chance(0.2) ? 'k'.repeat(LIMITS.maxGroupKey + 1) : 'k2'],
        ])
      : [alert, alert];
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, jsonText(body));
  },

  'empty-and-null': (g) => {
    const webhook = g.rng.chance(0.5);
    const choices: [string, Expectation | undefined][] = webhook
      ? [
          ['{"version":"4","alerts":[]}', { status: [200] }],
          [
            '{"version":"4","alerts":[],"groupKey":null,"receiver":null,"status":null,"truncatedAlerts":null,"commonLabels":null}',
            { status: [200] },
          ],
          ['{}', { status: [400], field: 'version' }],
          ['{"version":"4","alerts":[null]}', { status: [400], field: /^alerts\[0\]/ }],
          ['{"version":"4","alerts":[{}]}', { status: [400], field: /^alerts\[0\]/ }],
          [
            '{"version":"4","alerts":[{"status":"firing","labels":{}}]}',
            { status: [400], field: 'alerts[0].labels' },
          ],
          [
            '{"version":"4","alerts":[{"status":"firing","labels":{"a":""}}]}',
            { status: [400], field: 'alerts[0].labels' },
          ],
          [
            '{"version":"4","alerts":[{"status":"firing","labels":{"a":null}}]}',
            { status: [400], field: /^alerts\[0\]\.labels/ },
          ],
          ['null', { status: [400] }],
          ['', { status: [400], field: 'body' }],
          ['{"version":null,"alerts":null}', { status: [400], field: 'version' }],
        ]
      : [
          ['[]', { status: [200] }],
          ['[{}]', { status: [400], field: '[0].labels' }],
          ['[null]', { status: [400], field: '[0]' }],
          ['[{"labels":null}]', { status: [400], field: '[0].labels' }],
          [
            '[{"labels":{"a":"b"},"annotations":null,"startsAt":null,"endsAt":null,"generatorURL":null}]',
            { status: [200, 429] },
          ],
          ['[{"labels":{"a":""}}]', { status: [400], field: '[0].labels' }],
          ['[{"labels":{"a":"b"},"startsAt":""}]', { status: [200, 429] }],
          ['[{"labels":{"a":"b","c":null}}]', { status: [400], field: /^\[0\]\.labels/ }],
          ['[[]]', { status: [400], field: '[0]' }],
          ['null', { status: [400], field: 'body' }],
          ['', { status: [400], field: 'body' }],
          ['{}', { status: [400], field: 'body' }],
        ];
    const [text, expect] = g.rng.pick(choices);
    return jsonPost(webhook ? WEBHOOK_PATH : ALERTS_PATH, text, expect);
  },

  'random-bytes': (g) => {
    const path = g.rng.pick([ALERTS_PATH, WEBHOOK_PATH]);
    const n = g.rng.pick([1, 2, 16, 100, 1000, 65536]);
    let body = g.rng.bytes(n);
    if (g.rng.chance(0.3))
      body = Buffer.concat([Buffer.from('[{"labels":{"a":"'), body, Buffer.from('"}}]')]);
    if (g.rng.chance(0.1)) body = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('[]')]); // BOM + JSON
    const headers = g.rng.chance(0.8)
      ? { ...JSON_HEADERS }
      : { 'content-type': g.rng.pick(['application/octet-stream', 'application/json; charset=binary']) };
    return { method: 'POST', path, headers, body };
  },

  'wrong-method': (g) => {
    const method = g.rng.pick(['PUT', 'PATCH', 'DELETE', 'OPTIONS', 'GET', 'HEAD']);
    const path = g.rng.pick([
      ALERTS_PATH,
      WEBHOOK_PATH,
      GROUPS_PATH,
      '/api/v2/alert',
      '/api/v1/alerts/x',
      '/api/v2/alerts/../alerts',
      '/%',
      '/api/v2/alerts%00',
    ]);
    const hasBody = method !== 'GET' && method !== 'HEAD' && g.rng.chance(0.7);
    return {
      method,
      path,
      headers: hasBody ? { ...JSON_HEADERS } : {},
      body: hasBody ? Buffer.from(jsonText(g.batch(1))) : undefined,
      // GET /api/v2/alerts[/groups] exists and answers 200; the others are 404 (Fastify answers an
      // unknown method on a known path as an unknown route).
    };
  },

  'read-alerts': (g) => ({ method: 'GET', path: ALERTS_PATH + readQuery(g), headers: {} }),

  'read-groups': (g) => ({ method: 'GET', path: GROUPS_PATH + readQuery(g), headers: {} }),

  'valid-silences': validSilencesCase,
  'mutated-silences': mutatedSilencesCase,
  'read-silences': readSilencesCase,

  // Byte-level garbage in the HTTP framing itself, on a fresh connection.
  'raw-http': (g) => {
    const body = jsonText(g.batch(1));
    const path = g.rng.pick([ALERTS_PATH, WEBHOOK_PATH]);
    const variants: (() => string | Buffer)[] = [
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length - 5}\r\n\r\n${body}`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n${body}\r\n0\r\n\r\n`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n[]\r\n0\r\n\r\n`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n[]`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: -1\r\n\r\n[]`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 99999999999999999999\r\n\r\n[]`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${LIMITS.maxBodyBytes + 1}\r\n\r\n[]`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Long: ${'h'.repeat(g.rng.pick([8000, 20000, 70000]))}\r\nContent-Length: 2\r\n\r\n[]`,
      () =>
        `POST ${path}?${'q'.repeat(g.rng.pick([1000, 20000]))} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n[]`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nBad Header: x\r\nContent-Length: 2\r\n\r\n[]`,
      () =>
        `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\u0000\r\nContent-Length: 2\r\n\r\n[]`,
      () => `POST ${path} HTTP/9.9\r\nHost: x\r\nContent-Length: 2\r\n\r\n[]`,
      () => `BREW ${path} HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `POST  ${path}  HTTP/1.1\r\n\r\n`,
      () => `GET /api/v2/alerts?filter=${'%'.repeat(g.rng.int(1, 5))} HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `GET /api/v2/alerts?filter=\u00e9\u0000 HTTP/1.1\r\nHost: x\r\n\r\n`,
      () => `POST ${path} HTTP/1.1\nHost: x\nContent-Type: application/json\nContent-Length: 2\n\n[]`,
      () =>
        Buffer.concat([
          Buffer.from(`POST ${path} HTTP/1.1\r\n`),
          g.rng.bytes(g.rng.int(1, 200)),
          Buffer.from('\r\n\r\n'),
        ]),
      () => g.rng.bytes(g.rng.int(1, 500)),
    ];
    const raw = g.rng.pick(variants)();
    return { method: 'RAW', path, headers: {}, raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'latin1') };
  },
};

/** A fuzzed query string for the v2 read API: matchers, receiver regexes, booleans, encodings. */
function readQuery(g: Gen): string {
  const parts: string[] = [];
  const n = g.rng.int(0, 5);
  const enc = (s: string) => (g.rng.chance(0.9) ? pctEncode(s) : s.replace(/[ &#%]/g, (c) => pctEncode(c)));
  const matcher = (): string => {
    const name = g.rng.chance(0.8)
      ? g.rng.pick([
          'alertname',
          'instance',
          'job',
          'severity',
          'fuzz_case',
          '__proto__',
          'constructor',
          'uni',
        ])
      : g.oddString().slice(0, 300);
    const op = g.rng.pick(['=', '!=', '=~', '!~', '==', '~', '', '=!', '<']);
    const regexes = [
      '.*',
      'host-1.*',
      'a|b',
      '(',
      '[',
      '*',
      '\\',
      '(?i)disk.*',
      '(?P<n>x)',
      '\\p{L}+',
      'x{2,1}',
      '.{0,1000}',
      '(a+)+$',
      '(.*a){12}',
      '(a|aa)+$',
      '(?=x)',
      '\\-',
      '[[:alpha:]]',
      '\\Q.\\E',
      '\\z',
    ];
    const value =
      op.includes('~') && g.rng.chance(0.7)
        ? g.rng.pick(regexes)
        : g.rng.chance(0.6)
          ? g.rng.pick([...ALERTNAMES, 'host-1:9100', 'c1'])
          : g.oddString().slice(0, 500);
    const q = g.rng.pick(['"', '', "'", '`']);
    const body = `${name}${op}${q}${value.replace(/"/g, g.rng.chance(0.5) ? '\\"' : '"')}${q}`;
    return g.rng.chance(0.1) ? `{${body}}` : body;
  };
  for (let i = 0; i < n; i++) {
    switch (g.rng.int(0, 9)) {
      case 0:
      case 1:
      case 2:
      case 3:
        parts.push(`filter=${enc(matcher())}`);
        break;
      case 4:
        parts.push(
          `receiver=${enc(g.rng.pick(['default', 'pager|dbteam', '.*', 'def', '(', '[a-', '*', '(?i)DEFAULT', '\\', ')(', '(?<x>a)', '(a+)+', '.{0,65536}', 'x{99999999999}']))}`,
        );
        break;
      case 5:
        parts.push(
          `${g.rng.pick(['active', 'silenced', 'inhibited', 'unprocessed'])}=${enc(g.rng.pick(['true', 'false', 'TRUE', '1', '0', '', 'yes', 'null', g.oddString().slice(0, 50)]))}`,
        );
        break;
      case 6:
        parts.push(
          g.rng.pick([
            'filter',
            'active',
            'receiver',
            'filter=',
            '=',
            '&',
            '%',
            '%zz',
            '%00',
            '%ff%fe',
            'filter=%e9%',
            'a[b]=c',
            '__proto__[x]=1',
            'constructor[prototype][x]=1',
          ]),
        );
        break;
      case 7:
        for (let k = 0, m = g.rng.pick([2, 10, 200]); k < m; k++)
          parts.push(`filter=${enc(`instance=~"host-${k}.*"`)}`);
        break;
      case 8:
        parts.push(`${enc(g.oddString().slice(0, 100))}=${enc(g.oddString().slice(0, 100))}`);
        break;
      default:
        parts.push(`filter=${'x'.repeat(g.rng.pick([100, 4000, 12000]))}`);
    }
  }
  return parts.length || g.rng.chance(0.5) ? `?${parts.join('&')}` : '';
}

/** An alert that is invalid for a clear reason (so a mixed batch's first bad index is known). */
function badAlert(g: Gen, webhook: boolean): unknown {
  const a = webhook ? g.webhookAlert('firing') : g.alert();
  switch (g.rng.int(0, 7)) {
    case 0:
      return null;
    case 1:
      return { ...a, labels: {} };
    case 2:
      return { ...a, labels: { '\ud800': 'x' } }; // a lone surrogate: not UTF-8
    case 3:
      return { ...a, startsAt: '1960-01-01T00:00:00Z' };
    case 4: // ends before it starts (a firing webhook alert's past endsAt is replaced, so: a bad status)
      return webhook ? { ...a, status: 5 } : { ...a, startsAt: g.time(-60_000), endsAt: g.time(-7200_000) };
    case 5:
      return { ...a, labels: { alertname: 5 } };
    case 6:
      return webhook ? { ...a, status: 'pending' } : { ...a, startsAt: 'yesterday' };
    default:
      return { ...a, annotations: ['not', 'an', 'object'] };
  }
}

/** Percent-encodes the UTF-8 bytes of `s` (lone surrogates become U+FFFD; encodeURIComponent throws). */
function pctEncode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    out += /[A-Za-z0-9\-_.~]/.test(c) ? c : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
