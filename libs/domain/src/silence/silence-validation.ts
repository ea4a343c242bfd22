import { RE2JS } from 're2js';
import { goQuote } from '../go-quote';
import { compileGoRegex } from '../matchers';
import { isValidLabelName } from '../labels';
import type { SilenceMatcherSpec } from './silence.store';

/**
 * A silence as a client posts it (Alertmanager's PostableSilence, times in epoch ms). `startsAt`
 * undefined or 0 means "now" (Alertmanager ≥ 0.28 fills a zero start in; 0.25 reached the same result
 * by clamping a past start to now). With an `id`: an update of that silence.
 */
export interface SilenceInput {
  id?: string;
  matchers: SilenceMatcherSpec[];
  startsAt?: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  annotations?: Record<string, string>;
}

/**
 * Bounds on a silence. Alertmanager has only the overall size limit; the others keep every string and
 * count bounded (a silence is stored, sent to every node and listed on every GET).
 */
export interface SilenceLimits {
  /** Matchers per silence. */
  maxMatchers: number;
  /** Characters (UTF-16 units) of a matcher's label name. */
  maxNameLength: number;
  /** Characters of a matcher's value or regex. */
  maxValueLength: number;
  maxCreatedByLength: number;
  maxCommentLength: number;
  /** An update names the silence by id; Alertmanager's ids are 36-character UUIDs. */
  maxIdLength: number;
  maxAnnotations: number;
  maxAnnotationNameLength: number;
  maxAnnotationValueLength: number;
  /**
   * Alertmanager's `--silences.max-silence-size-bytes`, measured on the JSON of the stored silence
   * (Alertmanager measures its protobuf, which is a little smaller); 0: no limit.
   */
  maxSilenceSizeBytes: number;
  /**
   * `utf8` (Alertmanager ≥ 0.27): any non-empty valid UTF-8 label name; `classic`: the Prometheus rule
   * `[a-zA-Z_][a-zA-Z0-9_]*`.
   */
  labelNames: 'utf8' | 'classic';
}

export const DEFAULT_SILENCE_LIMITS: Readonly<SilenceLimits> = Object.freeze({
  maxMatchers: 64,
  maxNameLength: 1024,
  maxValueLength: 4096,
  maxCreatedByLength: 1024,
  maxCommentLength: 16 * 1024,
  maxIdLength: 128,
  maxAnnotations: 64,
  maxAnnotationNameLength: 1024,
  maxAnnotationValueLength: 4096,
  maxSilenceSizeBytes: 0,
  labelNames: 'utf8',
});

/**
 * A silence Herald refuses (HTTP 400). `message` is the text Alertmanager 0.25 answers for the same
 * input where it has one (the API's own checks carry its "Failed to create silence: " prefix, the
 * silence package's carry "silence invalid: "); `field` names the offending field
 * (`startsAt`, `endsAt`, `matchers`, `matchers[2].value`, `comment`, `annotations.x`, `silence`…).
 */
export class SilenceValidationError extends Error {
  constructor(
    public readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'SilenceValidationError';
  }
}

// In a `u` regex a well-formed surrogate pair is one code point, so this only finds lone surrogates:
// the UTF-16 form of invalid UTF-8 (JSON can carry them as `\ud800` escapes).
const LONE_SURROGATE = /\p{Cs}/u;

/** Whether `s` is valid Unicode text (no lone surrogates): Go's `utf8.ValidString`. */
export function isWellFormedText(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/** A silence matcher's label name under the configured rule (the ingest rule: `isValidLabelName`). */
export function isValidSilenceLabelName(name: string, rule: SilenceLimits['labelNames'] = 'utf8'): boolean {
  return isValidLabelName(name, rule);
}

function invalid(field: string, detail: string): never {
  throw new SilenceValidationError(field, `silence invalid: ${detail}`);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// RFC 3339 years 0001–9999 (what Go parses), in epoch ms: anything else cannot be a real time and
// would make an absurd retention deadline.
export const MIN_SILENCE_TIME = -62_135_596_800_000;
export const MAX_SILENCE_TIME = 253_402_300_799_999;

function isTime(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v) && v >= MIN_SILENCE_TIME && v <= MAX_SILENCE_TIME;
}

/**
 * Alertmanager's `matchesEmpty`: `=""` and a regex matching the empty string. Negative matchers never
 * count, so `{foo!="bar"}` alone is a valid silence (it matches alerts without `foo`).
 */
function matchesEmpty(m: SilenceMatcherSpec): boolean {
  if (!m.isEqual) return false;
  if (!m.isRegex) return m.value === '';
  return compileGoRegex(m.value).test('');
}

function checkMatcher(m: unknown, i: number, limits: SilenceLimits): SilenceMatcherSpec {
  const at = `matchers[${i}]`;
  if (!isPlainObject(m)) invalid(at, `${at} must be an object`);
  if (typeof m.name !== 'string') invalid(`${at}.name`, `${at}.name must be a string`);
  if (typeof m.value !== 'string') invalid(`${at}.value`, `${at}.value must be a string`);
  if (typeof m.isRegex !== 'boolean') invalid(`${at}.isRegex`, `${at}.isRegex must be a boolean`);
  // isEqual defaults to true in Alertmanager's API (absent: `=` / `=~`).
  if (m.isEqual !== undefined && typeof m.isEqual !== 'boolean') {
    invalid(`${at}.isEqual`, `${at}.isEqual must be a boolean`);
  }
  const spec: SilenceMatcherSpec = {
    name: m.name,
    value: m.value,
    isRegex: m.isRegex,
    isEqual: m.isEqual !== false,
  };
  if (spec.name.length > limits.maxNameLength) {
    invalid(
      `${at}.name`,
      `invalid label matcher ${i}: label name longer than ${limits.maxNameLength} characters`,
    );
  }
  if (spec.value.length > limits.maxValueLength) {
    invalid(
      `${at}.value`,
      `invalid label matcher ${i}: value longer than ${limits.maxValueLength} characters`,
    );
  }
  if (!isValidSilenceLabelName(spec.name, limits.labelNames)) {
    invalid(`${at}.name`, `invalid label matcher ${i}: invalid label name ${goQuote(spec.name)}`);
  }
  if (!isWellFormedText(spec.value)) {
    // Regexes too: Go's regexp refuses invalid UTF-8 (found by `npm run fuzz`, seed 3316).
    invalid(`${at}.value`, `invalid label matcher ${i}: invalid label value ${goQuote(spec.value)}`);
  }
  if (spec.isRegex) {
    // Alertmanager compiles the pattern as given (unanchored) to validate it; RE2JS reports Go's text.
    try {
      RE2JS.compile(spec.value);
    } catch (e) {
      invalid(
        `${at}.value`,
        `invalid label matcher ${i}: invalid regular expression ${goQuote(spec.value)}: ${(e as Error).message}`,
      );
    }
  }
  return spec;
}

function checkString(v: unknown, field: string, max: number): string {
  if (typeof v !== 'string') invalid(field, `${field} must be a string`);
  if (v.length > max) invalid(field, `${field} longer than ${max} characters`);
  if (!isWellFormedText(v)) invalid(field, `${field} is not valid UTF-8`);
  return v;
}

/**
 * Validates a posted silence as Alertmanager 0.25's `POST /api/v2/silences` does, in its order: the
 * API's time checks (on the start as given, a missing start counting as the zero time), then the
 * silence package's (at least one matcher, each valid, not all matching the empty string), then
 * Herald's bounds and the size limit. Throws SilenceValidationError; returns the matchers normalised
 * (`isEqual` defaulted to true).
 *
 * Alertmanager 0.25 answered "silence not found" (404) for an unknown id before validating the
 * matchers; Herald validates first (as Alertmanager ≥ 0.28), so an invalid update never reaches the
 * store.
 */
export function validateSilence(
  input: SilenceInput,
  now: number,
  limits: SilenceLimits = DEFAULT_SILENCE_LIMITS,
): SilenceMatcherSpec[] {
  if (!isPlainObject(input)) invalid('silence', 'silence must be an object');
  const raw = input as unknown as Record<string, unknown>;
  if (raw.startsAt !== undefined && !isTime(raw.startsAt))
    invalid('startsAt', 'startsAt must be a time between years 1 and 9999');
  if (!isTime(raw.endsAt)) invalid('endsAt', 'endsAt must be a time between years 1 and 9999');
  if (raw.id !== undefined) {
    if (typeof raw.id !== 'string') invalid('id', 'id must be a string');
    if (raw.id.length > limits.maxIdLength) invalid('id', `id longer than ${limits.maxIdLength} characters`);
  }

  const startsAt = input.startsAt ?? 0;
  if (startsAt >= input.endsAt) {
    throw new SilenceValidationError(
      'startsAt',
      'Failed to create silence: start time must be before end time',
    );
  }
  if (input.endsAt < now) {
    throw new SilenceValidationError('endsAt', "Failed to create silence: end time can't be in the past");
  }

  if (!Array.isArray(raw.matchers) || raw.matchers.length === 0) {
    invalid('matchers', 'at least one matcher required');
  }
  const list = raw.matchers as unknown[];
  if (list.length > limits.maxMatchers) {
    invalid('matchers', `too many matchers: ${list.length} (limit: ${limits.maxMatchers})`);
  }
  const matchers = list.map((m, i) => checkMatcher(m, i, limits));
  if (matchers.every(matchesEmpty)) {
    invalid('matchers', 'at least one matcher must not match the empty string');
  }

  checkString(raw.createdBy, 'createdBy', limits.maxCreatedByLength);
  checkString(raw.comment, 'comment', limits.maxCommentLength);
  if (raw.annotations !== undefined) {
    if (!isPlainObject(raw.annotations)) invalid('annotations', 'annotations must be an object of strings');
    const entries = Object.entries(raw.annotations);
    if (entries.length > limits.maxAnnotations) {
      invalid('annotations', `too many annotations: ${entries.length} (limit: ${limits.maxAnnotations})`);
    }
    for (const [k, v] of entries) {
      const field = `annotations.${k}`;
      if (k.length === 0 || k.length > limits.maxAnnotationNameLength || !isWellFormedText(k)) {
        invalid(field, `invalid annotation name ${goQuote(k)}`);
      }
      checkString(v, field, limits.maxAnnotationValueLength);
    }
  }

  if (limits.maxSilenceSizeBytes > 0) {
    const size = silenceSizeBytes({ ...input, matchers });
    if (size > limits.maxSilenceSizeBytes) {
      throw new SilenceValidationError(
        'silence',
        `silence exceeded maximum size: ${size} bytes (limit: ${limits.maxSilenceSizeBytes} bytes)`,
      );
    }
  }
  return matchers;
}

// A stored silence's fields beyond the posted ones, at their stored width: a UUID id and three times.
const STORED_ID = '00000000-0000-0000-0000-000000000000';
const STORED_TIME = 1_800_000_000_000;
const utf8 = new TextEncoder();

/** UTF-8 bytes of the silence's JSON as stored (id and times counted at their stored width). */
export function silenceSizeBytes(input: SilenceInput): number {
  const { matchers, createdBy, comment, annotations } = input;
  const stored = {
    id: STORED_ID,
    matchers,
    startsAt: STORED_TIME,
    endsAt: STORED_TIME,
    updatedAt: STORED_TIME,
    createdBy,
    comment,
    annotations,
  };
  return utf8.encode(JSON.stringify(stored)).length;
}
