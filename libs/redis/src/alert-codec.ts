import { createHash } from 'node:crypto';
import type { Alert, AlertSource } from '@herald/domain';

/**
 * Stored alert value: `<startsAt>:<endsAt>:<timeout>:<updatedAt>|<json body>`. The numeric header lets
 * the Lua merge compare times without decoding JSON; the fingerprint is the hash field, not repeated.
 * A forwarded alert's source (the sending Alertmanager's group key and receiver, the same for every alert
 * of a webhook) is not copied into each body: the body holds `"src":"<id>"` and the group's meta hash
 * holds the source once, as field `src:<id>` (see {@link sourceRef}).
 */
export function encodeAlert(a: Alert, srcId?: string): string {
  return `${a.startsAt}:${a.endsAt}:${a.timeout ? 1 : 0}:${a.updatedAt}|${encodeBody(a, srcId)}`;
}

/**
 * A fingerprint as upsert-groups-n.lua takes it, in its group's argument: followed by a newline (an
 * argument costs the client and Redis more than its bytes). A fingerprint is hex; an empty one or one
 * with a newline cannot be sent.
 */
export function fingerprintField(fp: string): string {
  if (fp === '' || fp.includes('\n')) throw new Error(`unsendable fingerprint ${JSON.stringify(fp)}`);
  return `${fp}\n`;
}

export function encodeBody(a: Alert, srcId?: string): string {
  const body: Record<string, unknown> = {
    labels: a.labels,
    annotations: a.annotations,
    generatorURL: a.generatorURL,
  };
  if (srcId) body.src = srcId;
  else if (a.source) body.source = a.source;
  return JSON.stringify(body);
}

/** Meta-hash field prefix of a shared source. */
export const SOURCE_FIELD_PREFIX = 'src:';

/** A source as stored once per group: its id (16 hex of sha256 of the JSON) and the JSON. */
export function sourceRef(s: AlertSource): { id: string; json: string } {
  const json = JSON.stringify({ groupKey: s.groupKey, receiver: s.receiver });
  return { id: createHash('sha256').update(json).digest('hex').slice(0, 16), json };
}

/** The sources of a group from its meta hash (`src:<id>` fields). */
export function decodeSources(meta: Record<string, string>): Map<string, AlertSource> {
  const out = new Map<string, AlertSource>();
  for (const f of Object.keys(meta)) {
    if (!f.startsWith(SOURCE_FIELD_PREFIX)) continue;
    try {
      const s = JSON.parse(meta[f]) as AlertSource;
      const src: AlertSource = {};
      if (typeof s.groupKey === 'string') src.groupKey = s.groupKey;
      if (typeof s.receiver === 'string') src.receiver = s.receiver;
      out.set(f.slice(SOURCE_FIELD_PREFIX.length), src);
    } catch {
      // unreadable: the alerts referencing it are read without a source
    }
  }
  return out;
}

// Signed: values written before ingest rejected pre-1970 times must still read back.
const HEADER = /^(-?\d+):(-?\d+):([01]):(-?\d+)\|/;

export function decodeAlert(
  fingerprint: string,
  v: string,
  sources?: Map<string, AlertSource>,
): Alert | null {
  const m = HEADER.exec(v);
  if (!m) return null;
  try {
    const body = JSON.parse(v.slice(m[0].length)) as Pick<
      Alert,
      'labels' | 'annotations' | 'generatorURL' | 'source'
    > & { src?: string };
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
    const src = body.src !== undefined ? sources?.get(body.src) : body.source;
    if (src) a.source = src;
    return a;
  } catch {
    return null;
  }
}
