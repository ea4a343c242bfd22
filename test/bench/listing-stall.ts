/**
 * The longest event-loop stall of the API v2 listings and of the store reads behind them, on one
 * redis-server started here with G groups (default 10⁴) × 10 alerts:
 *   G=10000 node -r ./test/harness/ts-register.js test/bench/listing-stall.ts
 * "Stall": the longest gap between the ticks of a 5 ms interval while the call runs (what a Redis reply
 * waiting on the socket, or its command timeout, sees), with the delay histogram's max as a check.
 */
import { createHash } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { Redis } from 'ioredis';
import { RedisServer } from '../harness/redis-server';
import { RedisGroupStore, RedisKeys } from '@herald/redis';
import { StatusView, type Alert } from '@herald/domain';
import { AlertsController } from '../../apps/server/src/alerts/alerts.controller';

const GROUPS = Number(process.env.G ?? 10_000);
const PER = 10;
const T0 = Date.now();

async function stall<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const h = monitorEventLoopDelay({ resolution: 5 });
  // A timer ticking every 5 ms also measures the longest gap directly.
  let last = performance.now();
  let maxGap = 0;
  const t = setInterval(() => {
    const n = performance.now();
    maxGap = Math.max(maxGap, n - last);
    last = n;
  }, 5);
  h.enable();
  const t0 = performance.now();
  let r: T;
  try {
    r = await fn();
  } catch (e) {
    r = `(failed: ${String(e)})` as T;
  }
  const ms = performance.now() - t0;
  h.disable();
  clearInterval(t);
  const n = performance.now();
  maxGap = Math.max(maxGap, n - last);
  console.log(
    `${name}: ${ms.toFixed(0)} ms total, longest event-loop stall ${maxGap.toFixed(0)} ms (delay histogram max ${(h.max / 1e6).toFixed(0)} ms, p99 ${(h.percentile(99) / 1e6).toFixed(0)} ms)`,
  );
  return r;
}

/** Byte count and SHA-256 of an answer, read as the server would send it (no copy of a streamed one). */
async function drain(body: unknown): Promise<string> {
  const h = createHash('sha256');
  let bytes = 0;
  const take = (b: Buffer | string) => {
    const buf = typeof b === 'string' ? Buffer.from(b, 'utf8') : b;
    bytes += buf.length;
    h.update(buf);
  };
  if (typeof body === 'string') take(body);
  else if (Array.isArray(body)) take(JSON.stringify(body));
  else for await (const c of (body as { getStream(): Readable }).getStream()) take(c as Buffer);
  return `${bytes} bytes sha256 ${h.digest('hex').slice(0, 16)}`;
}

interface OldController {
  groups(q: object, ctx: never): Promise<unknown>;
  list(q: object, ctx: never): Promise<unknown>;
}

async function main() {
  const server = await RedisServer.start();
  const redis = new Redis(server.url);
  try {
    const keys = new RedisKeys('stall', 16, 'standalone');
    const store = new RedisGroupStore(redis, keys, { retention: 86_400_000 });
    for (let g0 = 0; g0 < GROUPS; g0 += 100) {
      const groups = [];
      for (let g = g0; g < Math.min(GROUPS, g0 + 100); g++) {
        const id = g.toString(16).padStart(16, '0');
        const alerts: Alert[] = [];
        for (let i = 0; i < PER; i++) {
          const fp = (g * PER + i).toString(16).padStart(16, '0');
          alerts.push({
            fingerprint: fp,
            labels: {
              alertname: `A${g}`,
              instance: `host-${i}.example.com:9100`,
              job: 'node',
              severity: 'warning',
            },
            annotations: {
              summary: `alert ${fp} is firing`,
              description: 'some longer description of the alert',
            },
            startsAt: T0,
            endsAt: T0 + 3_600_000,
            updatedAt: T0,
            timeout: true,
            generatorURL: 'http://prometheus:9090/graph?g0.expr=up',
          });
        }
        groups.push({
          target: {
            groupId: id,
            groupKey: `{}:{alertname="A${g}"}`,
            receiver: 'r',
            routeId: '{}',
            groupLabels: { alertname: `A${g}` },
            groupWait: 3_600_000,
            groupInterval: 3_600_000,
            repeatInterval: 14_400_000,
          },
          alerts,
        });
      }
      await store.upsert({ tenant: 'default', now: T0, groups });
    }
    console.log(`loaded ${GROUPS} groups x ${PER} alerts; node ${process.version}`);
    const clock = { now: () => Date.now() };
    const views = {
      of: (tenant: string, groups: never[], now: number) =>
        Promise.resolve(new StatusView(groups, now, { tenant })),
    } as never;
    const config = { herald: { labelNames: 'utf8' } } as never;
    const reply = { type: () => undefined };
    const ctx = { tenant: 'default' } as never;
    // BEFORE=<path of another alerts.controller.ts> (e.g. `git show <commit>:apps/server/src/alerts/
    // alerts.controller.ts` saved next to this one) measures that version too, its JSON.stringify included.
    const Before = process.env.BEFORE
      ? ((await import(process.env.BEFORE)) as { AlertsController: new (...a: unknown[]) => OldController })
          .AlertsController
      : undefined;
    const before = Before && new Before(store, clock, views, config);
    const after = new AlertsController(store, clock, views, config);
    await stall('countStates', () => store.countStates('default'));
    await stall('listGroups (read+decode)', () => store.listGroups('default'));
    for (let r = 0; r < Number(process.env.ROUNDS ?? 2); r++) {
      const b1 = before
        ? await stall('before GET /alerts/groups (compute+JSON.stringify)', async () =>
            drain(await before.groups({}, ctx)),
          )
        : '';
      const a1 = await stall('after  GET /alerts/groups (compute+serialise)', async () =>
        drain(await after.groups({}, ctx, reply)),
      );
      const b2 = before
        ? await stall('before GET /alerts (compute+JSON.stringify)', async () =>
            drain(await before.list({}, ctx)),
          )
        : '';
      const a2 = await stall('after  GET /alerts (compute+serialise)', async () =>
        drain(await after.list({}, ctx, reply)),
      );
      console.log(`groups ${a1}, alerts ${a2}`);
      if (before) console.log(`same bodies as before: groups ${b1 === a1}, alerts ${b2 === a2}`);
    }
  } finally {
    redis.disconnect();
    await server.stop();
  }
}
void main();
