import { loadConfig } from '@herald/config';
import { FakeClock, type GroupStore, type UpsertBatch } from '@herald/domain';
import { IngestService } from './ingest.service';

const NOW = Date.parse('2026-01-01T00:00:00Z');

function service(yaml?: string) {
  const batches: UpsertBatch[] = [];
  const store = { upsert: (b: UpsertBatch) => (batches.push(b), Promise.resolve({})) };
  const config = loadConfig({ env: {}, hostname: 'h', fileText: yaml });
  return { batches, ingest: new IngestService(config, store as unknown as GroupStore, new FakeClock(NOW)) };
}

describe('IngestService: the wire contract of POST /api/v2/alerts (postableAlert)', () => {
  const cases: [string, unknown, boolean][] = [
    ['minimal', { labels: { a: '1' } }, true],
    [
      'full',
      {
        labels: { a: '1' },
        annotations: { s: 'x' },
        startsAt: '2026-01-01T00:00:00Z',
        endsAt: '2026-01-01T03:00:00+02:00',
        generatorURL: 'http://p',
      },
      true,
    ],
    ['labels missing', {}, false],
    ['labels a string', { labels: 'a=1' }, false],
    ['annotations a string', { labels: { a: '1' }, annotations: 'x' }, false],
    ['startsAt not RFC 3339', { labels: { a: '1' }, startsAt: 'yesterday' }, false],
    ['endsAt not RFC 3339', { labels: { a: '1' }, endsAt: '2026-01-01' }, false],
    ['generatorURL a number', { labels: { a: '1' }, generatorURL: 5 }, false],
  ];

  it.each(cases)('%s', async (_name, raw, valid) => {
    const out = await service().ingest.ingestPostable([raw], 'default');
    expect(out.accepted).toBe(valid ? 1 : 0);
    expect(out.rejected.length === 0).toBe(valid);
  });

  it('judges the whole batch at one instant of the injected clock', async () => {
    const { ingest, batches } = service();
    await ingest.ingestPostable([{ labels: { a: '1' } }, { labels: { a: '2' } }], 'default');
    expect(batches).toHaveLength(1);
    expect(batches[0].now).toBe(NOW);
    const alerts = batches[0].groups.flatMap((g) => g.alerts);
    expect(alerts.map((a) => a.startsAt)).toEqual([NOW, NOW]);
    expect(alerts.map((a) => a.endsAt)).toEqual([NOW + 300_000, NOW + 300_000]); // resolve_timeout 5m
  });
});

describe('IngestService: herald.label_names', () => {
  const utf8Alert = { labels: { 'service.name': 'api', 名前: '値' } };

  it('utf8 (default): a UTF-8 name is stored and grouped like any other', async () => {
    const { ingest, batches } = service(
      'route: { receiver: r, group_by: [service.name] }\nreceivers: [{ name: r }]\n',
    );
    const out = await ingest.ingestPostable([utf8Alert], 'default');
    expect(out).toEqual({ accepted: 1, rejected: [] });
    expect(batches[0].groups[0].target.groupKey).toBe('{}:{service.name="api"}');
  });

  it('classic: the same alert is rejected naming the field, nothing stored', async () => {
    const { ingest, batches } = service(
      'route: { receiver: r }\nreceivers: [{ name: r }]\nherald: { label_names: classic }\n',
    );
    const out = await ingest.ingestPostable([utf8Alert], 'default');
    expect(out.accepted).toBe(0);
    expect(out.rejected).toEqual([
      {
        index: 0,
        field: 'labels["service.name"]',
        message: expect.stringContaining('herald.label_names is classic'),
      },
    ]);
    expect(batches).toEqual([]);
  });
});
