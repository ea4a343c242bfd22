/**
 * `heraldctl history` against a real in-process node (memory mode, no tenants): the table and JSON of
 * the notification history, its filters, and usage errors (exit 2) before any request.
 */
import { run, type CliIo } from '../../apps/cli/src/commands';
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { post, startNode, type TestNode } from '../harness/app';
import { waitUntil } from '../harness/wait';

let sink: HttpSink;
let node: TestNode;

beforeAll(async () => {
  sink = await HttpSink.start();
  sink.respond((_i, req) =>
    String((req.json as { commonLabels?: { alertname?: string } })?.commonLabels?.alertname).startsWith('Bad')
      ? 422
      : 200,
  );
  node = await startNode(hookConfig(sink.url, { groupWait: '50ms', groupInterval: '1s', tick: '50ms' }));
  await post(`${node.url}/api/v2/alerts`, [
    { labels: { alertname: 'GoodCtl' } },
    { labels: { alertname: 'BadCtl' } },
  ]);
  await sink.waitFor(() => sink.requests.length >= 2);
}, 30_000);

afterAll(async () => {
  await node?.close();
  await sink?.stop();
});

async function ctl(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
    readStdin: () => Promise.resolve(''),
    env: { HERALD_URL: node.url },
  };
  const code = await run(args, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('heraldctl history', () => {
  it('lists the attempts newest first with full group ids; --json gives the API rows', async () => {
    const rows = await waitUntil(async () => {
      const r = JSON.parse((await ctl(['history', '--json'])).out) as any[];
      return r.length >= 2 ? r : null;
    });
    const bad = rows.find((r) => r.outcome === 'failed');
    expect(bad).toMatchObject({ statusCode: 422, receiver: 'hook', attempt: 1 });
    const table = await ctl(['history']);
    expect(table.code).toBe(0);
    const [header, ...lines] = table.out.split('\n');
    expect(header).toMatch(
      /^AT +OUTCOME +TRY +RECEIVER +INTEGRATION +REASON +ALERTS +STATUS +GROUP +NODE +ERROR$/,
    );
    expect(lines).toHaveLength(rows.length);
    expect(lines.find((l) => l.includes(bad.groupId))).toMatch(
      /failed +1 +hook +webhook +first notification +1 +422 /,
    );

    const one = await ctl(['history', '--group', bad.groupId, '-o', 'json', '--limit', '5']);
    expect(JSON.parse(one.out).map((r: any) => r.id)).toEqual([bad.id]);
    expect((await ctl(['history', '--receiver', 'nobody'])).out).toBe('no notifications recorded');
    expect((await ctl(['history', '--since', '1m', '--json'])).out).toContain(bad.id);
    const future = new Date(Date.now() + 60_000).toISOString();
    expect(JSON.parse((await ctl(['history', '--since', future, '--json'])).out)).toEqual([]);
  });

  it.each([
    [['history', '--group', 'nope'], '--group'],
    [['history', '--limit', '0'], '--limit'],
    [['history', '--since', 'yesterday'], '--since'],
    [['history', 'extra'], 'unexpected argument'],
  ])('%j is a usage error (exit 2)', async (args, what) => {
    const r = await ctl(args);
    expect(r.code).toBe(2);
    expect(r.err).toContain(what);
  });

  it('an unreachable node is a runtime error (exit 1)', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await run(['history', '--server', 'http://127.0.0.1:1', '--timeout', '1s'], {
      out: (l) => out.push(l),
      err: (l) => err.push(l),
      readStdin: () => Promise.resolve(''),
    });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('cannot reach');
  });
});
