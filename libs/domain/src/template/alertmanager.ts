// Alertmanager's template data model (template.Data, Alert, KV, Pairs…) and its FuncMap, from the facts
// of Alertmanager's template/template.go (behaviour re-implemented, no code copied). Each function
// notes the Alertmanager release that added it; 0.25 has toUpper, toLower, title, join, match, safeHtml,
// reReplaceAll and stringSlice.
import { RE2JS } from 're2js';
import { cmpBytes, formatFloat, sprintf } from './gofmt';
import { GoDuration, GoTime } from './gotime';
import { TemplateFunc } from './exec';
import { GoCallError, GoFloat, GoMap, GoMethod, GoStruct, tagSlice } from './values';

/** Alertmanager's KV (map[string]string): `.SortedPairs`, `.Names`, `.Values`, `.Remove`; a missing key is "". */
export class KV extends GoMap {
  constructor(entries: Record<string, string> | Map<string, string> = {}) {
    super(entries instanceof Map ? new Map(entries) : new Map(Object.entries(entries)), 'template.KV', '');
  }
  sortedPairs(): Pair[] {
    // alertname first, then the other names in byte order.
    const keys = [...this.entries.keys()].filter((k) => k !== 'alertname').sort(cmpBytes);
    if (this.entries.has('alertname')) keys.unshift('alertname');
    return pairs(keys.map((k) => new Pair(k, this.entries.get(k) as string)));
  }
  override goMethod(name: string): GoMethod | undefined {
    switch (name) {
      case 'SortedPairs':
        return { params: [], fn: () => this.sortedPairs() };
      case 'Names':
        return { params: [], fn: () => strings(this.sortedPairs().map((p) => p.Name)) };
      case 'Values':
        return { params: [], fn: () => strings(this.sortedPairs().map((p) => p.Value)) };
      case 'Remove':
        return {
          params: ['strings'],
          fn: (keys) => {
            const drop = new Set(keys as string[]);
            return new KV(new Map([...this.entries].filter(([k]) => !drop.has(k)) as [string, string][]));
          },
        };
    }
    return undefined;
  }
}

export class Pair extends GoStruct {
  readonly goTypeName = 'template.Pair';
  constructor(
    readonly Name: string,
    readonly Value: string,
  ) {
    super();
  }
  goFields(): [string, unknown][] {
    return [
      ['Name', this.Name],
      ['Value', this.Value],
    ];
  }
}

function strings(a: string[]): string[] {
  // Alertmanager 0.25 returns []string; Join arrived later with the Strings type.
  return tagSlice(a, '[]string', {
    Join: { params: ['string'], fn: (sep) => a.join(sep as string) },
  });
}

function pairs(a: Pair[]): Pair[] {
  return tagSlice(a, 'template.Pairs', {
    Names: { params: [], fn: () => strings(a.map((p) => p.Name)) },
    Values: { params: [], fn: () => strings(a.map((p) => p.Value)) },
  });
}

/** Input for one alert of the template data (the webhook JSON shape). */
export interface TemplateAlertInput {
  status: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
  fingerprint?: string;
}

/** Input for template data: the JSON shape of Alertmanager's webhook payload / amtool's --template.data. */
export interface TemplateDataInput {
  receiver?: string;
  status?: string;
  alerts?: TemplateAlertInput[];
  groupLabels?: Record<string, string>;
  commonLabels?: Record<string, string>;
  commonAnnotations?: Record<string, string>;
  externalURL?: string;
}

export class TemplateAlert extends GoStruct {
  readonly goTypeName = 'template.Alert';
  override readonly goComparable = false;
  readonly Status: string;
  readonly Labels: KV;
  readonly Annotations: KV;
  readonly StartsAt: GoTime;
  readonly EndsAt: GoTime;
  readonly GeneratorURL: string;
  readonly Fingerprint: string;
  constructor(a: TemplateAlertInput) {
    super();
    this.Status = a.status ?? '';
    this.Labels = new KV(a.labels ?? {});
    this.Annotations = new KV(a.annotations ?? {});
    this.StartsAt = a.startsAt ? GoTime.parseRFC3339(a.startsAt) : GoTime.zero();
    this.EndsAt = a.endsAt ? GoTime.parseRFC3339(a.endsAt) : GoTime.zero();
    this.GeneratorURL = a.generatorURL ?? '';
    this.Fingerprint = a.fingerprint ?? '';
  }
  goFields(): [string, unknown][] {
    return [
      ['Status', this.Status],
      ['Labels', this.Labels],
      ['Annotations', this.Annotations],
      ['StartsAt', this.StartsAt],
      ['EndsAt', this.EndsAt],
      ['GeneratorURL', this.GeneratorURL],
      ['Fingerprint', this.Fingerprint],
    ];
  }
}

function alertList(a: TemplateAlert[], type: string): TemplateAlert[] {
  if (type !== 'template.Alerts') return tagSlice(a, type);
  return tagSlice(a, type, {
    Firing: {
      params: [],
      fn: () =>
        alertList(
          a.filter((x) => x.Status === 'firing'),
          '[]template.Alert',
        ),
    },
    Resolved: {
      params: [],
      fn: () =>
        alertList(
          a.filter((x) => x.Status === 'resolved'),
          '[]template.Alert',
        ),
    },
  });
}

/** Alertmanager's template.Data (the 0.25 field set, in its order, for `{{ . }}` printing). */
export class TemplateData extends GoStruct {
  readonly goTypeName = 'template.Data';
  override readonly goComparable = false;
  readonly Receiver: string;
  readonly Status: string;
  readonly Alerts: TemplateAlert[];
  readonly GroupLabels: KV;
  readonly CommonLabels: KV;
  readonly CommonAnnotations: KV;
  readonly ExternalURL: string;
  constructor(d: TemplateDataInput) {
    super();
    this.Receiver = d.receiver ?? '';
    this.Status = d.status ?? '';
    this.Alerts = alertList(
      (d.alerts ?? []).map((a) => new TemplateAlert(a)),
      'template.Alerts',
    );
    this.GroupLabels = new KV(d.groupLabels ?? {});
    this.CommonLabels = new KV(d.commonLabels ?? {});
    this.CommonAnnotations = new KV(d.commonAnnotations ?? {});
    this.ExternalURL = d.externalURL ?? '';
  }
  goFields(): [string, unknown][] {
    return [
      ['Receiver', this.Receiver],
      ['Status', this.Status],
      ['Alerts', this.Alerts],
      ['GroupLabels', this.GroupLabels],
      ['CommonLabels', this.CommonLabels],
      ['CommonAnnotations', this.CommonAnnotations],
      ['ExternalURL', this.ExternalURL],
    ];
  }
}

const RE_CACHE = new Map<string, RE2JS>();
const RE_CACHE_SIZE = 256;
function compileRe(pattern: string): RE2JS {
  let re = RE_CACHE.get(pattern);
  if (!re) {
    try {
      re = RE2JS.compile(pattern);
    } catch (e) {
      throw new GoCallError((e as Error).message);
    }
    if (RE_CACHE.size >= RE_CACHE_SIZE) RE_CACHE.delete(RE_CACHE.keys().next().value as string);
    RE_CACHE.set(pattern, re);
  }
  return re;
}

/** Go's regexp.ReplaceAllString: `$1`, `$name`, `${name}`, `$$`; empty matches abutting a match are skipped. */
export function goReplaceAll(pattern: string, repl: string, text: string): string {
  let re: RE2JS;
  try {
    re = compileRe(pattern);
  } catch (e) {
    // Alertmanager uses regexp.MustCompile: the panic text names the pattern.
    const backquotable = [...pattern].every(
      (c) => c !== '`' && c !== '\uFFFD' && (c === '\t' || (c >= ' ' && c !== '\x7f')),
    );
    const q = backquotable ? `\`${pattern}\`` : JSON.stringify(pattern);
    throw new GoCallError(`regexp: Compile(${q}): ${(e as Error).message}`);
  }
  const m = re.matcher(text);
  let out = '';
  let last = 0;
  let prevEnd = -1;
  while (m.find()) {
    const s = m.start();
    const e = m.end();
    if (s === e && s === prevEnd) continue;
    out +=
      text.slice(last, s) +
      expand(repl, (name) => {
        const idx = /^\d+$/.test(name) ? Number(name) : -1;
        try {
          if (idx >= 0) return idx <= m.groupCount() ? (m.group(idx) ?? '') : '';
          return m.group(name) ?? '';
        } catch {
          return '';
        }
      });
    last = e;
    prevEnd = e;
  }
  return out + text.slice(last);
}

function expand(tmpl: string, group: (name: string) => string): string {
  let out = '';
  for (let i = 0; i < tmpl.length; i++) {
    const c = tmpl[i];
    if (c !== '$') {
      out += c;
      continue;
    }
    if (tmpl[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    const m = /^\{([A-Za-z0-9_]+)\}|^([A-Za-z0-9_]+)/.exec(tmpl.slice(i + 1));
    if (!m) {
      out += '$';
      continue;
    }
    out += group(m[1] ?? m[2]);
    i += m[0].length;
  }
  return out;
}

/**
 * Go's unicode.ToUpper/ToLower per rune: the simple (one-to-one) case mapping. JS applies the full
 * mapping (ß → SS, İ → i̇, final sigma in context), so a multi-rune result keeps the rune, or its base
 * letter when only combining marks were added.
 */
function mapRunes(s: string, f: (c: string) => string): string {
  let out = '';
  for (const c of s) {
    const m = f(c);
    const runes = [...m];
    if (runes.length === 1) out += m;
    else if (runes.slice(1).every((r) => /\p{M}/u.test(r))) out += runes[0];
    else out += c;
  }
  return out;
}
export const goToUpper = (s: string): string => mapRunes(s, (c) => c.toUpperCase());
export const goToLower = (s: string): string => mapRunes(s, (c) => c.toLowerCase());

// The four Unicode digraphs whose title case differs from their upper case.
const TITLE_DIGRAPH: Record<string, string> = {
  Ǆ: 'ǅ',
  ǅ: 'ǅ',
  ǆ: 'ǅ',
  Ǉ: 'ǈ',
  ǈ: 'ǈ',
  ǉ: 'ǈ',
  Ǌ: 'ǋ',
  ǋ: 'ǋ',
  ǌ: 'ǋ',
  Ǳ: 'ǲ',
  ǲ: 'ǲ',
  ǳ: 'ǲ',
};

/** golang.org/x/text/cases Title (American English): each word's first letter in title case, the rest lower. */
function title(s: string): string {
  const seg = new Intl.Segmenter('en-US', { granularity: 'word' });
  let out = '';
  for (const { segment, isWordLike } of seg.segment(s)) {
    if (!isWordLike) {
      out += segment;
      continue;
    }
    // The first cased letter is title-cased (digits before it stay: "3rd" → "3Rd").
    let done = false;
    for (const c of segment) {
      if (!done && /\p{L}/u.test(c)) {
        out += TITLE_DIGRAPH[c] ?? goToUpper(c);
        done = true;
      } else out += done ? goToLower(c) : c;
    }
  }
  return out;
}

/** Go's url.QueryUnescape. */
function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '%') {
      const h = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(h))
        throw new GoCallError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      bytes.push(parseInt(h, 16));
      i += 2;
    } else if (c === '+') bytes.push(0x20);
    else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

function toFloat(v: unknown): number {
  if (v instanceof GoDuration) return Number(v.ns) / 1e9;
  if (v instanceof GoFloat) return v.value;
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const f = Number(v.trim());
    if (v.trim() === '' || Number.isNaN(f))
      throw new GoCallError(`strconv.ParseFloat: parsing ${JSON.stringify(v)}: invalid syntax`);
    return f;
  }
  throw new GoCallError(`can't convert ${typeof v} to float`);
}

/** prometheus/common's HumanizeDuration (seconds → "1d 2h 3m 4s", "1.5s", "250ms"). */
export function humanizeDuration(v: unknown): string {
  let f = toFloat(v);
  if (Number.isNaN(f) || !Number.isFinite(f)) return sprintf('%.4g', [new GoFloat(f)]);
  if (f === 0) return '0s';
  if (Math.abs(f) >= 1) {
    const sign = f < 0 ? '-' : '';
    f = Math.abs(f);
    const d = Math.trunc(f);
    const [s, m, h, days] = [
      d % 60,
      Math.trunc(d / 60) % 60,
      Math.trunc(d / 3600) % 24,
      Math.trunc(d / 86400),
    ];
    if (days) return `${sign}${days}d ${h}h ${m}m ${s}s`;
    if (h) return `${sign}${h}h ${m}m ${s}s`;
    if (m) return `${sign}${m}m ${s}s`;
    return `${sign}${formatFloat(f, 'g', 4)}s`;
  }
  let prefix = '';
  for (const p of ['m', 'u', 'n', 'p', 'f', 'a', 'z', 'y']) {
    if (Math.abs(f) >= 1) break;
    prefix = p;
    f *= 1000;
  }
  return `${formatFloat(f, 'g', 4)}${prefix}s`;
}

/** Go's json.Marshal of a template value (HTML-escaping <, >, & as Go does). */
function toJson(v: unknown): string {
  const conv = (x: unknown): unknown => {
    if (x instanceof GoFloat) return x.value;
    if (x instanceof GoTime) return x.format('2006-01-02T15:04:05.999999999Z07:00');
    if (x instanceof GoDuration) return Number(x.ns);
    if (x instanceof GoMap)
      return Object.fromEntries([...x.entries.keys()].sort(cmpBytes).map((k) => [k, conv(x.entries.get(k))]));
    if (x instanceof TemplateData) {
      return {
        receiver: x.Receiver,
        status: x.Status,
        alerts: conv(x.Alerts),
        groupLabels: conv(x.GroupLabels),
        commonLabels: conv(x.CommonLabels),
        commonAnnotations: conv(x.CommonAnnotations),
        externalURL: x.ExternalURL,
      };
    }
    if (x instanceof TemplateAlert) {
      return {
        status: x.Status,
        labels: conv(x.Labels),
        annotations: conv(x.Annotations),
        startsAt: conv(x.StartsAt),
        endsAt: conv(x.EndsAt),
        generatorURL: x.GeneratorURL,
        fingerprint: x.Fingerprint,
      };
    }
    if (x instanceof GoStruct) return Object.fromEntries(x.goFields().map(([k, f]) => [k, conv(f)]));
    if (Array.isArray(x)) return x.map(conv);
    return x ?? null;
  };
  return JSON.stringify(conv(v)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => '\\u' + c.charCodeAt(0).toString(16).padStart(4, '0'),
  );
}

/** Alertmanager's DefaultFuncs (minus routeLabels, toDate and mustToDate). */
export function alertmanagerFuncs(now: () => number = Date.now): Map<string, TemplateFunc> {
  const m = new Map<string, TemplateFunc>();
  const str1 = (fn: (s: string) => unknown): TemplateFunc => ({
    params: ['string'],
    fn: (s) => fn(s as string),
  });
  m.set('toUpper', str1(goToUpper));
  m.set('toLower', str1(goToLower));
  m.set('title', str1(title));
  m.set('join', { params: ['string', 'strings'], fn: (sep, a) => (a as string[]).join(sep as string) });
  m.set('match', {
    params: ['string', 'string'],
    fn: (p, s) =>
      compileRe(p as string)
        .matcher(s as string)
        .find(),
  });
  m.set(
    'safeHtml',
    str1((s) => s),
  );
  m.set('reReplaceAll', {
    params: ['string', 'string', 'string'],
    fn: (p, r, t) => goReplaceAll(p as string, r as string, t as string),
  });
  m.set('stringSlice', { params: [], variadic: 'string', fn: (...s) => tagSlice(s as string[], '[]string') });
  // 0.26
  m.set(
    'trimSpace',
    str1((s) => s.replace(/^[\s\u0085]+|[\s\u0085]+$/gu, '')),
  );
  // 0.28
  m.set('date', { params: ['string', 'time'], fn: (f, t) => (t as GoTime).format(f as string) });
  m.set('tz', { params: ['string', 'time'], fn: (z, t) => (t as GoTime).inZone(z as string) });
  m.set('since', {
    params: ['time'],
    fn: (t) => new GoDuration(BigInt(now()) * 1_000_000n - (t as GoTime).unixNano()),
  });
  m.set('humanizeDuration', { params: ['any'], fn: humanizeDuration });
  // 0.30
  m.set(
    'safeUrl',
    str1((s) => s),
  );
  m.set('urlUnescape', str1(queryUnescape));
  m.set('toJson', { params: ['any'], fn: toJson });
  // 0.32
  m.set('list', { params: [], variadic: 'any', fn: (...a) => a });
  m.set('append', {
    params: ['any'],
    variadic: 'any',
    fn: (s, ...a) =>
      Array.isArray(s)
        ? [...s, ...a]
        : (() => {
            throw new GoCallError(`wrong type for value; expected []interface {}`);
          })(),
  });
  m.set('dict', {
    params: [],
    variadic: 'any',
    fn: (...a) => {
      if (a.length % 2) throw new GoCallError('dict requires an even number of arguments');
      const e = new Map<string, unknown>();
      for (let i = 0; i < a.length; i += 2) {
        if (typeof a[i] !== 'string') throw new GoCallError('dict keys must be strings');
        e.set(a[i] as string, a[i + 1]);
      }
      return new GoMap(e, 'map[string]interface {}', null);
    },
  });
  // 0.33
  m.set('now', { params: [], fn: () => new GoTime(now(), (now() % 1000) * 1e6, 0, 'UTC').inZone('UTC') });
  // 0.34
  m.set(
    'base64encode',
    str1((s) => Buffer.from(s, 'utf8').toString('base64').replace(/\+/g, '-').replace(/\//g, '_')),
  );
  m.set(
    'base64decode',
    str1((s) => {
      if (!/^[A-Za-z0-9_-]*={0,2}$/.test(s) || s.length % 4)
        throw new GoCallError('illegal base64 data at input byte 0');
      return Buffer.from(s.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
    }),
  );
  return m;
}
