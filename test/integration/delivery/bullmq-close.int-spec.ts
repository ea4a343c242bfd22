import { randomBytes } from 'node:crypto';
import { BullMqDeliveryQueue, WORKER_DRAIN_DELAY_S, buildReceivers } from '@herald/delivery';
import { HttpSink } from '../../harness/http-sink';
import { testNotification, testReceiver } from '../../harness/notifications';
import { RedisServer } from '../../harness/redis-server';
import { waitUntil } from '../../harness/wait';
import { deliveryConnection } from './delivery-connection';

/** Timers keeping this process alive (unref'd ones do not count). */
const liveTimers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

let server: RedisServer;
let sink: HttpSink;

beforeAll(async () => {
  [server, sink] = await Promise.all([RedisServer.start(), HttpSink.start()]);
});
afterAll(() => Promise.all([server.stop(), sink.stop()]));

/** A queue with a worker on a fresh prefix, sending to the sink. */
function startQueue() {
  const built = buildReceivers(
    [testReceiver({ webhookConfigs: [{ url: `${sink.url}/hook` }] })],
    { resolveTimeout: 300_000, raw: {} },
    { userAgent: 'Herald/0.1.0' },
  );
  return new BullMqDeliveryQueue({
    connection: deliveryConnection(server.url, { commandTimeout: 300 }),
    bullPrefix: `{t${randomBytes(4).toString('hex')}}`,
    resolve: built.resolve,
    lockDuration: 2000, // lock renewal every 500 ms while the worker lives
  });
}

describe('BullMqDeliveryQueue.close while Redis is down (regression: the process never exited)', () => {
  it.each([
    ['idle, after a delivery', 0],
    ['with a send in flight', 30_000],
  ])(
    '%s: every worker timer stops',
    async (_case, receiverDelayMs) => {
      sink.respond(200);
      sink.delay(receiverDelayMs);
      sink.requests.length = 0;
      const baseline = liveTimers();
      const q = startQueue();
      const delivered: unknown[] = [];
      q.onDelivered((e) => void delivered.push(e));
      await q.start();
      await q.enqueue(testNotification({ seq: 1 }));
      await waitUntil(() => (receiverDelayMs ? sink.requests.length === 1 : delivered.length === 1), {
        what: receiverDelayMs ? 'the send in flight' : 'the delivery',
      });
      await server.kill();
      await q.close(300);
      // BullMQ's own watchdog on its blocking fetch ends a second after the worker's drain delay; a lock
      // renewal would re-arm forever.
      await waitUntil(() => liveTimers() <= baseline, {
        timeoutMs: (WORKER_DRAIN_DELAY_S + 5) * 1000,
        what: "no timer of the closed queue left (BullMQ's lock renewal, stalled check)",
        detail: () => process.getActiveResourcesInfo(),
      });
      await server.restart();
    },
    30_000,
  );
});
