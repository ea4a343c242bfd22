import { MemoryEventLog, type StoredBatch } from '@herald/domain';
import { HeraldHttpError } from '../http/http-error';
import { parseHistoryQuery } from './history-query';
import { batchFrames, MAX_RESUME, sseFrame, SseSession } from './sse-session';

describe('parseHistoryQuery', () => {
  it('reads every parameter, defaults limit to 100', () => {
    expect(parseHistoryQuery({})).toEqual({ limit: 100 });
    expect(
      parseHistoryQuery({
        group: '0123456789abcdef',
        receiver: 'team-a',
        since: '2026-01-02T03:04:05Z',
        limit: '1000',
      }),
    ).toEqual({
      groupId: '0123456789abcdef',
      receiver: 'team-a',
      since: Date.UTC(2026, 0, 2, 3, 4, 5),
      limit: 1000,
    });
  });

  it('reads an unencoded + offset (a space in a query) as meant', () => {
    expect(parseHistoryQuery({ since: '2026-01-02T03:04:05 01:00' }).since).toBe(
      Date.UTC(2026, 0, 2, 2, 4, 5),
    );
  });

  it.each([
    [{ group: 'ABC' }, 'group'],
    [{ receiver: '' }, 'receiver'],
    [{ receiver: 'x'.repeat(257) }, 'receiver'],
    [{ since: '2026-02-30T00:00:00Z' }, 'since'],
    [{ since: '1700000000' }, 'since'],
    [{ limit: '0' }, 'limit'],
    [{ limit: '1001' }, 'limit'],
    [{ limit: '-1' }, 'limit'],
    [{ limit: '1e2' }, 'limit'],
  ])('%j → 400 naming %s', (q, field) => {
    try {
      parseHistoryQuery(q);
      throw new Error('accepted');
    } catch (e) {
      expect(e).toBeInstanceOf(HeraldHttpError);
      expect((e as HeraldHttpError).getStatus()).toBe(400);
      expect((e as HeraldHttpError).getResponse()).toMatchObject({ field });
    }
  });
});

describe('SSE frames and sessions', () => {
  const ev = (id: string, kind: StoredBatch['events'][number]['kind'] = 'alert'): StoredBatch => ({
    id,
    events: [{ kind, groupId: 'g', at: 0 }],
  });

  it('frames an event with id, kind and JSON data; a batch carries its id on its last event', () => {
    expect(sseFrame({ kind: 'alert', groupId: 'g', at: 0 }, '5-1')).toBe(
      'id: 5-1\nevent: alert\ndata: {"kind":"alert","groupId":"g","at":"1970-01-01T00:00:00.000Z"}\n\n',
    );
    const two = batchFrames({
      id: '6-0',
      events: [
        { kind: 'alert', groupId: 'a', at: 0 },
        { kind: 'alert', groupId: 'b', at: 0 },
      ],
    });
    expect(two.match(/^id: .*$/gm)).toEqual(['id: 6-0']);
    expect(two.indexOf('"groupId":"a"')).toBeLessThan(two.indexOf('id: 6-0'));
    expect(two.split('\n\n').filter(Boolean)).toHaveLength(2);
  });

  it('replays after Last-Event-ID, holds live events meanwhile, sends each once in order', async () => {
    const log = new MemoryEventLog({ maxEntries: 100, now: () => 10, windowMs: 0 });
    log.publish('t', [{ kind: 'alert', at: 1 }]);
    log.publish('t', [{ kind: 'silence', at: 1 }]);
    log.publish('t', [{ kind: 'group', at: 1 }]);
    await Promise.resolve();
    const out: string[] = [];
    const s = new SseSession((c) => out.push(c));
    const slow = {
      ...log,
      after: async (t: string, id: string, n: number) => {
        s.onEvents([ev('10-2', 'group'), ev('10-3', 'notification')]); // live during the read
        return log.after(t, id, n);
      },
      oldest: (t: string) => log.oldest(t),
    } as unknown as MemoryEventLog;
    await s.resume(slow, 't', '10-0', () => 0);
    const ids = out.join('').match(/^id: .*$/gm);
    expect(ids).toEqual(['id: 10-1', 'id: 10-2', 'id: 10-3']);
    s.onEvents([ev('10-3'), ev('10-4')]);
    expect(out.join('').match(/^id: .*$/gm)).toEqual(['id: 10-1', 'id: 10-2', 'id: 10-3', 'id: 10-4']);
  });

  it('tells a client to re-read everything when more was missed than it can replay', async () => {
    const out: string[] = [];
    const s = new SseSession((c) => out.push(c));
    const many = Array.from({ length: MAX_RESUME }, (_, i) => ev(`20-${i}`));
    const log = {
      after: () => Promise.resolve(many),
      oldest: () => Promise.resolve('1-0'),
    } as unknown as MemoryEventLog;
    await s.resume(log, 't', '1-0', () => 0);
    expect(out.join('')).toContain('"resync":true');
    const failing = {
      after: () => Promise.reject(new Error('down')),
      oldest: () => Promise.reject(new Error('down')),
    } as unknown as MemoryEventLog;
    const out2: string[] = [];
    await new SseSession((c) => out2.push(c)).resume(failing, 't', '1-0', () => 0);
    expect(out2.join('')).toContain('"resync":true');
  });

  it('tells a client to re-read everything when it resumes from before what the capped stream keeps', async () => {
    const log = new MemoryEventLog({ maxEntries: 2, now: () => 30, windowMs: 0 });
    for (const kind of ['alert', 'silence', 'group', 'notification'] as const) {
      log.publish('t', [{ kind, at: 1 }]);
      await Promise.resolve();
    }
    const kept = await log.after('t', '0-0', 10);
    expect(kept.map((b) => b.id)).toEqual(['30-2', '30-3']);
    expect(await log.oldest('t')).toBe('30-2');
    const out: string[] = [];
    await new SseSession((c) => out.push(c)).resume(log, 't', '30-0', () => 0); // 30-1 was trimmed
    expect(out.join('')).toContain('"resync":true');
    const out2: string[] = [];
    await new SseSession((c) => out2.push(c)).resume(log, 't', '30-2', () => 0); // nothing lost
    expect(out2.join('')).not.toContain('resync');
    expect(out2.join('').match(/^id: .*$/gm)).toEqual(['id: 30-3']);
  });
});
