import { ConfigError } from '@herald/domain';
import { at, optBool, show } from '../fields';
import { checkFields, optStr, secretPair } from './common';
import type { ReceiverKindSpec } from './kind';

/** Fields Alertmanager expands as templates (it expands the token and user key too). */
const TEMPLATED = [
  'user_key',
  'token',
  'title',
  'message',
  'url',
  'url_title',
  'device',
  'sound',
  'priority',
];

const GO_UNITS: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  µs: 1e-6,
  μs: 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/**
 * Go's time.ParseDuration (Alertmanager reads Pushover's retry/expire/ttl with it, not with
 * Prometheus' duration syntax): `90s`, `1m30s`, `1.5h`, `0`. Seconds, or undefined when malformed.
 */
export function goDurationSeconds(text: string): number | undefined {
  let s = text;
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '0') return 0;
  if (s === '') return undefined;
  let total = 0;
  const re = /^(\d*(?:\.\d*)?)(ns|us|µs|μs|ms|s|m|h)/;
  while (s !== '') {
    const m = re.exec(s);
    if (!m || m[1] === '' || m[1] === '.') return undefined;
    total += Number(m[1]) * GO_UNITS[m[2]];
    s = s.slice(m[0].length);
  }
  return sign * total;
}

function checkDuration(c: Record<string, unknown>, key: string, path: string): void {
  const v = c[key];
  if (v == null) return;
  // A bare YAML 0 reaches Go's parser as "0" (valid); other numbers lack a unit there.
  const secs = v === 0 ? 0 : typeof v === 'string' ? goDurationSeconds(v) : undefined;
  if (secs === undefined)
    throw new ConfigError(at(path, key), `must be a Go duration like "30s", "1m" or "1h30m", got ${show(v)}`);
  if (secs < 0) throw new ConfigError(at(path, key), `must not be negative, got ${show(v)}`);
}

/** `pushover_configs`, with Alertmanager's retry (1m) and expire (1h) defaults applied. */
export const pushover: ReceiverKindSpec = {
  kind: 'pushover',
  key: 'pushover_configs',
  sendResolved: true,
  since: '0.1',
  check(c, path, ctx) {
    checkFields(c, path, [
      ...TEMPLATED,
      'user_key_file',
      'token_file',
      'retry',
      'expire',
      'ttl',
      'html',
      'monospace',
    ]);
    secretPair(c, 'user_key', path, { required: true });
    secretPair(c, 'token', path, { required: true });
    for (const k of TEMPLATED) {
      optStr(c, k, path);
      ctx.template(c[k], at(path, k));
    }
    for (const k of ['retry', 'expire', 'ttl']) checkDuration(c, k, path);
    const html = optBool(c.html, at(path, 'html'));
    const mono = optBool(c.monospace, at(path, 'monospace'));
    if (html && mono) throw new ConfigError(path, 'at most one of monospace and html may be set');
    return { ...c, retry: c.retry ?? '1m', expire: c.expire ?? '1h' };
  },
};
