import {
  loadConfig,
  workerIndexFromEnvironment as workerIndex,
  WORKER_INDEX_ENV,
  type NodeRole,
} from '@herald/config';
import { EventEmitter } from 'node:events';
import type { ChildProcess } from 'node:child_process';
import { Logger } from '@nestjs/common';
import { asFirstProcess, firstProcessRoles, WorkerProcesses } from './workers';

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

/** A child as the first process sees it: events, a pid once spawned, kill. */
function fakeChild(pid: number | undefined): ChildProcess {
  const c = new EventEmitter() as unknown as ChildProcess & { pid: number | undefined };
  c.pid = pid;
  Object.assign(c, { connected: false, exitCode: null, signalCode: null, kill: () => true });
  return c;
}

/** One child slot started through `spawn`, its restarts counted. */
function oneWorker(spawn: () => ChildProcess): { w: WorkerProcesses; restarts: jest.Mock } {
  const restarts = jest.fn();
  return { w: new WorkerProcesses({ count: 1, nodeId: 'n', onRestart: restarts, spawn }), restarts };
}

describe('herald.workers: a child that cannot be started is started again', () => {
  beforeEach(() => {
    jest.useFakeTimers();
    jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    jest.spyOn(Logger.prototype, 'log').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.useRealTimers();
    jest.restoreAllMocks();
  });

  it('fork_throwing_schedules_a_restart_instead_of_crashing', () => {
    const started: ChildProcess[] = [];
    let calls = 0;
    const { w, restarts } = oneWorker(() => {
      if (++calls === 1) throw new Error('spawn EPERM');
      const c = fakeChild(4242);
      started.push(c);
      return c;
    });
    expect(() => w.start()).not.toThrow();
    expect(restarts).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(500);
    expect(calls).toBe(2);
    expect(started).toHaveLength(1);
  });

  it('spawn_error_without_exit_restarts_the_child_once', () => {
    const children: ChildProcess[] = [];
    const { w, restarts } = oneWorker(() => {
      const c = fakeChild(children.length === 0 ? undefined : 7);
      children.push(c);
      return c;
    });
    w.start();
    // EAGAIN: Node emits 'error' on a child that never got a pid, and maybe never 'exit'.
    children[0].emit('error', new Error('spawn EAGAIN'));
    expect(restarts).toHaveBeenCalledTimes(1);
    children[0].emit('exit', -11, null); // a late 'exit' of the same child is not a second restart
    expect(restarts).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(500);
    expect(children).toHaveLength(2);
    // An error of a running child (a failed IPC send) is logged, not taken for its exit.
    children[1].emit('error', new Error('channel closed'));
    expect(restarts).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(60_000);
    expect(children).toHaveLength(2);
  });
});
