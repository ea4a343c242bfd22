// `herald.http`: settings of the HTTP edge. Kept apart from herald-section.ts so the address rules
// (what a CIDR is, how an IPv4-mapped address reads) live in one place with their tests.
import { isIPv4, isIPv6 } from 'node:net';
import { ConfigError } from '@herald/domain';
import { at, checkKeys, idx, optList, optObject, show } from './fields';
import { HERALD_DEFAULTS as D, type HttpSettings } from './herald-config';

/**
 * Parses `herald.http`. `trusted_proxies` lists the proxies (addresses or CIDRs) whose
 * `X-Forwarded-For` entries Herald believes; the client address is the rightmost address of the chain
 * that is not one of them. An empty list trusts nobody: the client is the TCP peer. The file's list is
 * validated even when `HERALD_TRUSTED_PROXIES` (already validated) replaces it.
 */
export function parseHttp(value: unknown, trustedProxiesOverride?: readonly string[]): HttpSettings {
  const path = 'herald.http';
  const raw = optObject(value, path);
  checkKeys(raw, ['trusted_proxies'], path);
  const listPath = at(path, 'trusted_proxies');
  const trustedProxies =
    raw.trusted_proxies === undefined || raw.trusted_proxies === null
      ? [...D.trustedProxies]
      : optList(raw.trusted_proxies, listPath).map((v, i) => cidr(v, idx(listPath, i)));
  return { trustedProxies: trustedProxiesOverride ? [...trustedProxiesOverride] : trustedProxies };
}

/** `HERALD_TRUSTED_PROXIES`: a comma-separated list of addresses or CIDRs; `none` trusts nobody. */
export function trustedProxiesFromEnv(value: string, name: string): string[] {
  if (value.trim().toLowerCase() === 'none') return [];
  return value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s, i) => cidr(s, `${name}[${i}]`));
}

/**
 * Validates an address or CIDR (`10.0.0.0/8`, `fd00::/8`, `192.0.2.7`) and returns it as a CIDR with
 * an explicit prefix, so what Fastify compiles is exactly what was checked.
 */
export function cidr(value: unknown, path: string): string {
  const bad = (why: string): never => {
    throw new ConfigError(
      path,
      `must be an IP address or CIDR (e.g. 10.0.0.0/8, fd00::/8): ${why}, got ${show(value)}`,
    );
  };
  if (typeof value !== 'string' || value.trim() === '') return bad('not a string');
  const s = value.trim();
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const v4 = isIPv4(addr);
  if (!v4 && !isIPv6(addr)) return bad(`${show(addr)} is not an IPv4 or IPv6 address`);
  const max = v4 ? 32 : 128;
  if (slash < 0) return `${addr}/${max}`;
  const prefix = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return bad(`prefix must be 0..${max}`);
  return `${addr}/${Number(prefix)}`;
}
