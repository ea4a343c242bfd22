// `/api/v2/status` serves the config without authentication (Alertmanager does, and amtool/Grafana read
// it), so its copy of the `herald:` section must not tell who the tenants and users are: beyond the
// secret values `redactYaml` masks, tenant ids, names, usernames and roles are hidden here.
import { Scalar, isMap, isSeq, visit, type Document } from 'yaml';

/** What a hidden tenant id, name or username reads as. */
export const HIDDEN = '<hidden>';

/**
 * Replaces `herald.tenants` by a count (`<2 tenants>`) and any other scalar of the `herald:` section —
 * key or value — equal to a tenant id, tenant name or username by `<hidden>` (e.g. a per-tenant map
 * keyed by tenant id). The Alertmanager sections are left as they are.
 */
export function hideTenants(doc: Document): void {
  const herald = doc.get('herald', true);
  if (!isMap(herald)) return;
  const tenants = herald.get('tenants', true);
  if (!isSeq(tenants) || tenants.items.length === 0) return;
  const names = new Set<string>();
  for (const t of tenants.toJSON() as unknown[]) {
    if (typeof t !== 'object' || t === null) continue;
    const o = t as Record<string, unknown>;
    for (const v of [o.id, o.name]) if (typeof v === 'string' && v !== '') names.add(v);
    if (Array.isArray(o.users))
      for (const u of o.users as unknown[]) {
        const name = (u as Record<string, unknown> | null)?.username;
        if (typeof name === 'string' && name !== '') names.add(name);
      }
  }
  const n = tenants.items.length;
  herald.set('tenants', new Scalar(`<${n} tenant${n === 1 ? '' : 's'}>`));
  visit(herald, {
    Scalar(_, node) {
      if (typeof node.value === 'string' && names.has(node.value)) node.value = HIDDEN;
    },
  });
}
