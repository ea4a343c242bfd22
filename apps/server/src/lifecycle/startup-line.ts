import type { AddressInfo } from 'node:net';
import type { HeraldConfig } from '@herald/config';

/** Where the store lives, for the start-up line: never credentials (a Redis URL may carry a password). */
export function storeMode(config: HeraldConfig): string {
  const r = config.herald.redis;
  switch (r.mode) {
    case 'memory':
      return 'memory (no Redis configured: one node, state lost on restart)';
    case 'single': {
      let where = '';
      try {
        const u = new URL(r.url);
        where = ` ${u.host}`;
      } catch {
        /* validated at load; nothing to add */
      }
      return `redis${where}`;
    }
    case 'sentinel':
      return `sentinel (master ${r.sentinel.masterName}, ${r.sentinel.sentinels.length} sentinel(s))`;
    case 'cluster':
      return `cluster (${r.cluster.nodes.length} seed node(s))`;
  }
}

/**
 * The address a person on this machine can open: the bound one, or loopback when the node listens on
 * every interface (`0.0.0.0` / `::` are not addresses a browser can reach).
 */
export function localUrl(address: AddressInfo): string {
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.address;
  return `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`;
}

/**
 * The one info line a node logs once it serves: its URL, store mode, tenants and the dashboard's
 * address — what a new user needs to go on, instead of Nest's route table (kept at debug).
 */
export function startupLine(config: HeraldConfig, address: AddressInfo): string {
  const h = config.herald;
  const url = localUrl(address);
  const wildcard = url.includes('127.0.0.1') && address.address !== '127.0.0.1';
  const listen = wildcard ? ` (listening on ${address.address}:${address.port})` : '';
  const n = h.tenants.length;
  const tenants = `${n} tenant${n === 1 ? '' : 's'}`;
  const parts = [`store ${storeMode(config)}`, tenants];
  if (h.roles.has('api')) parts.push(`dashboard ${url}/ui`);
  if (h.roles.size < 3) parts.push(`roles ${[...h.roles].join(',')}`);
  if (h.workers > 1) parts.push(`${h.workers} processes (delivery in ${h.workers - 1} of them)`);
  parts.push(`config ${config.source}`);
  if (config.settingsSource) parts.push(`settings ${config.settingsSource}`);
  return `Herald node ${h.nodeId} serving on ${url}${listen}: ${parts.join(', ')}`;
}
