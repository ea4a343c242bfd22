/**
 * Lock key names, following the seed: `<prefix>:<tenant>:lock:alert:{<fingerprint>}` and
 * `<prefix>:<tenant>:lock:group:{<groupId>}`. The hash tag is the alert / group (not the tenant), so a
 * lock shares a Cluster slot with the group's other keys (`…:alert:group:firing:{<groupId>}`, see
 * `RedisKeys`) and a downstream script can check a fencing token and write in one step.
 */
export class LockKeys {
  constructor(readonly prefix: string) {
    checkPart('prefix', prefix);
  }

  /** Lock on one alert (by fingerprint). */
  alert(tenant: string, fingerprint: string): string {
    return this.build(tenant, 'alert', fingerprint);
  }

  /** Lock on one aggregation group: taken around a flush. */
  group(tenant: string, groupId: string): string {
    return this.build(tenant, 'group', groupId);
  }

  /** Lock for a singleton task (e.g. a periodic cleanup that one node at a time should run). */
  task(tenant: string, name: string): string {
    return this.build(tenant, 'task', name);
  }

  private build(tenant: string, kind: string, id: string): string {
    checkPart('tenant', tenant);
    checkPart(kind, id);
    return `${this.prefix}:${tenant}:lock:${kind}:{${id}}`;
  }
}

/**
 * The fencing counter of a lock. A suffix after the tag keeps the lock's hash tag, so acquire (which
 * touches both keys in one script) stays single-slot on Cluster.
 */
export function fenceCounterKey(lockKey: string): string {
  return `${lockKey}:fence`;
}

/** True when Redis Cluster would hash `key` by a `{tag}` (first `{`, then a non-empty run up to `}`). */
export function hasHashTag(key: string): boolean {
  const open = key.indexOf('{');
  if (open < 0) return false;
  const close = key.indexOf('}', open + 1);
  return close > open + 1;
}

function checkPart(name: string, value: string): void {
  // A brace here would move the hash tag; an empty part would merge key spaces.
  if (!value || /[{}]/.test(value)) throw new Error(`invalid lock key ${name}: ${JSON.stringify(value)}`);
}
