import type { Alert } from '@herald/domain';

/**
 * Stored alert value: `<startsAt>:<endsAt>:<timeout>:<updatedAt>|<json body>`. The numeric header lets
 * the Lua merge compare times without decoding JSON; the fingerprint is the hash field, not repeated.
 */
export function encodeAlert(a: Alert): string {
  return `${a.startsAt}:${a.endsAt}:${a.timeout ? 1 : 0}:${a.updatedAt}|${encodeBody(a)}`;
}

export function encodeBody(a: Alert): string {
  const body: Record<string, unknown> = {
    labels: a.labels,
    annotations: a.annotations,
    generatorURL: a.generatorURL,
  };
  if (a.source) body.source = a.source;
  return JSON.stringify(body);
}

const HEADER = /^(\d+):(\d+):([01]):(\d+)\|/;

export function decodeAlert(fingerprint: string, v: string): Alert | null {
  const m = HEADER.exec(v);
  if (!m) return null;
  try {
    const body = JSON.parse(v.slice(m[0].length)) as Pick<
      Alert,
      'labels' | 'annotations' | 'generatorURL' | 'source'
    >;
    const a: Alert = {
      fingerprint,
      labels: body.labels ?? {},
      annotations: body.annotations ?? {},
      generatorURL: body.generatorURL ?? '',
      startsAt: Number(m[1]),
      endsAt: Number(m[2]),
      timeout: m[3] === '1',
      updatedAt: Number(m[4]),
    };
    if (body.source) a.source = body.source;
    return a;
  } catch {
    return null;
  }
}
