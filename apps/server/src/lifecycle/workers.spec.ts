import {
  loadConfig,
  workerIndexFromEnvironment as workerIndex,
  WORKER_INDEX_ENV,
  type NodeRole,
} from '@herald/config';
import { asFirstProcess, firstProcessRoles } from './workers';

const roles = (...r: NodeRole[]) => new Set<NodeRole>(r);
const BASE = 'route: { receiver: d }\nreceivers: [{ name: d }]\n';

describe('herald.workers: which roles the first process keeps', () => {
  it('one process keeps every role of the node', () => {
    const all = roles('api', 'scheduler', 'delivery');
    expect(firstProcessRoles(all, 1)).toBe(all);
  });

  it('with more, delivery moves to the children and api and scheduler stay', () => {
    expect([...firstProcessRoles(roles('api', 'scheduler', 'delivery'), 2)]).toEqual(['api', 'scheduler']);
    expect([...firstProcessRoles(roles('scheduler', 'delivery'), 3)]).toEqual(['scheduler']);
  });

  it('a node whose only role is delivery runs it in every process', () => {
    const d = roles('delivery');
    expect(firstProcessRoles(d, 4)).toBe(d);
  });

  it('applies to a loaded config (every load: a reload narrows the same way), leaving the rest', () => {
    const c = loadConfig({
      env: { REDIS_URL: 'redis://r:6379' },
      fileText: `${BASE}herald:\n  workers: 2\n`,
      hostname: 'h',
    });
    const first = asFirstProcess(c);
    expect([...first.herald.roles]).toEqual(['api', 'scheduler']);
    expect(first.herald.workers).toBe(2);
    expect(first.route).toBe(c.route);
    const one = loadConfig({ env: {}, fileText: BASE, hostname: 'h' });
    expect(asFirstProcess(one)).toBe(one);
  });

  it('a child knows itself by its index in the environment; anything else is the first process', () => {
    expect(workerIndex({})).toBe(0);
    expect(workerIndex({ [WORKER_INDEX_ENV]: '2' })).toBe(2);
    expect(workerIndex({ [WORKER_INDEX_ENV]: 'x' })).toBe(0);
  });
});
