/**
 * A node stopped while Redis is down, with a send hanging on its receiver, still exits by itself after
 * its bounded shutdown — a rolling restart during an outage must not need SIGKILL. (The in-process side,
 * BullMQ timers outliving a close, is pinned by test/integration/delivery/bullmq-close.int-spec.ts.)
 */
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { NodeProcess } from '../harness/node-process';
import { RedisServer } from '../harness/redis-server';
import { waitUntil } from '../harness/wait';

let redis: RedisServer;
let sink: HttpSink;
let node: NodeProcess | undefined;

beforeAll(async () => {
  redis = await RedisServer.start();
  sink = await HttpSink.start();
});

afterAll(async () => {
  await node?.kill();
  await sink?.stop();
  await redis?.stop();
});

describe('shutdown', () => {
  it('a node given SIGTERM while Redis is down exits on its own, with a notification in flight', async () => {
    sink.delay(60_000); // the receiver hangs: the send is in flight when Redis goes and the node stops
    node = await NodeProcess.start(
      'stop-1',
      hookConfig(sink.url, {
        groupWait: '0s',
        tick: '100ms',
        herald: '  redis:\n    command_timeout: 500ms\n',
      }),
      { REDIS_URL: redis.url },
    );
    const res = await fetch(`${node.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ labels: { alertname: 'Stop' } }]),
    });
    expect(res.status).toBe(200);
    await waitUntil(() => sink.requests.length > 0, { what: 'the send in flight' });
    await redis.kill();
    await node.stop(); // SIGTERM; SIGKILL after 15 s
    expect(node.exit?.signal).not.toBe('SIGKILL');
  }, 60_000);
});
