import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { HeraldConfig } from '@herald/config';
import type { NodeLifecycle } from '../lifecycle/lifecycle.tokens';
import { HEARTBEAT_MS, SseClients } from './sse-clients';

/** A ServerResponse stand-in: records writes, `close` when ended or destroyed. */
class FakeRes extends EventEmitter {
  chunks: string[] = [];
  writableEnded = false;
  destroyed = false;
  writableLength = 0;
  socket = { destroy: jest.fn() };
  write(c: string): boolean {
    this.chunks.push(c);
    return true;
  }
  end(cb?: () => void): void {
    this.writableEnded = true;
    cb?.();
    this.emit('close');
  }
  destroy(): void {
    this.destroyed = true;
    this.emit('close');
  }
}

const config = (maxClients: number) => ({ herald: { events: { maxClients } } }) as unknown as HeraldConfig;
const res = () => new FakeRes() as FakeRes & ServerResponse;

describe('SseClients', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('bounds the clients, heartbeats every 15 s, cleans up on close', () => {
    const c = new SseClients(config(2));
    const a = res();
    const b = res();
    const cleanA = jest.fn();
    c.add(a, cleanA);
    expect(c.hasRoom()).toBe(true);
    c.add(b, () => undefined);
    expect(c.hasRoom()).toBe(false);
    jest.advanceTimersByTime(HEARTBEAT_MS - 600);
    expect(a.chunks).toEqual([]);
    jest.advanceTimersByTime(600);
    expect(a.chunks).toEqual([': heartbeat\n\n']);
    expect(b.chunks).toEqual([': heartbeat\n\n']);
    a.emit('close');
    expect(cleanA).toHaveBeenCalledTimes(1);
    expect(c.size).toBe(1);
    expect(c.hasRoom()).toBe(true);
    c.beforeApplicationShutdown();
    expect(b.writableEnded).toBe(true);
    expect(b.socket.destroy).toHaveBeenCalled();
    expect(c.size).toBe(0);
  });

  it('drops a client that stopped reading (1 MiB unsent)', () => {
    const c = new SseClients(config(10));
    const slow = res();
    c.add(slow, () => undefined);
    slow.writableLength = 2 << 20;
    c.write(slow, 'x');
    expect(slow.destroyed).toBe(true);
    expect(c.size).toBe(0);
  });

  it('ends every stream within half a second once the node is stopping', () => {
    const lifecycle = { phase: 'serving' } as { phase: NodeLifecycle['phase'] };
    const c = new SseClients(config(10), undefined, lifecycle as NodeLifecycle);
    const r = res();
    c.add(r, () => undefined);
    jest.advanceTimersByTime(1000);
    expect(r.writableEnded).toBe(false);
    lifecycle.phase = 'stopping';
    jest.advanceTimersByTime(500);
    expect(r.writableEnded).toBe(true);
  });
});
