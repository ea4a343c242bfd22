// herald.workers: how a node's first process tells a child what it is. The environment is read here,
// with the rest of the configuration's sources, so the server never touches process.env itself.

/** Set in a child's environment: its index (1..N-1). Also what keeps a child from starting children. */
export const WORKER_INDEX_ENV = 'HERALD_WORKER_INDEX';

/** This process' index among its node's processes: 0 for the first (the one started), 1.. for children. */
export function workerIndexFromEnvironment(env: NodeJS.ProcessEnv = process.env): number {
  const v = env[WORKER_INDEX_ENV];
  return v && /^\d+$/.test(v) ? Number(v) : 0;
}

/**
 * The environment of child `index`: the first process' own (the same HERALD_CONFIG, REDIS_URL, PORT —
 * so the same settings, externalURL included), with the delivery role and a node id of its own.
 */
export function workerEnvironment(index: number, nodeId: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    [WORKER_INDEX_ENV]: String(index),
    HERALD_ROLES: 'delivery',
    HERALD_NODE_ID: `${nodeId}/delivery-${index}`,
  };
}
