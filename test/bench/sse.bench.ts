/**
 * The live-events endpoint under many clients: one Herald node process on its own redis-server,
 * `SSE_CLIENTS` (200) SSE clients connected to it. Measured on the node process (/proc): RSS before and
 * after the clients connect, CPU while they idle (heartbeats only), and CPU under the same ingest load
 * (`SSE_RATE` requests/s, one new group each, for `SSE_SECONDS`) without and with the clients — the
 * difference is what fanning every event out to every client costs. Also the end-to-end latency of
 * an event (POST answered → the event parsed by a client), over all clients: the 200 clients share this
 * one bench process, so its own parsing is in the tail.
 *
 *   node -r ./test/harness/ts-register.js test/bench/sse.bench.ts
 *   SSE_CLIENTS=200 SSE_RATE=50 SSE_SECONDS=10 SSE_IDLE_SECONDS=10 (defaults)
 * One JSON summary on stdout.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { groupId } from '@herald/domain';
import { defaultConfig } from '../harness/config';
import { freePort } from '../harness/free-port';
import { signalAndWait, track } from '../harness/process';
import { RedisServer } from '../harness/redis-server';
import { SseClient } from '../harness/sse-client';
import { sleep, waitUntil } from '../harness/wait';
import { procCpuMs, procRssKb } from './procs';

const ROOT = resolve(__dirname, '..', '..');
const CLIENTS = Number(process.env.SSE_CLIENTS ?? 200);
const RATE = Number(process.env.SSE_RATE ?? 50);
const SECONDS = Number(process.env.SSE_SECONDS ?? 10);
const IDLE = Number(process.env.SSE_IDLE_SECONDS ?? 10);

const log = (m: string) => process.stderr.write(`[sse-bench] ${m}\n`);

async function main(): Promise<void> {
  const redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'herald-sse-bench-'));
  writeFileSync(join(dir, 'herald.yml'), defaultConfig(`  events:\n    max_clients: ${CLIENTS + 10}\n`));
  const proc = track(
    spawn(
      process.execPath,
      ['-r', join(ROOT, 'test/harness/ts-register.js'), join(ROOT, 'apps/server/src/main.ts')],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          HERALD_CONFIG: join(dir, 'herald.yml'),
          REDIS_URL: redis.url,
          PORT: String(port),
          HERALD_LOG_LEVEL: 'warn',
        },
        stdio: ['ignore', 'inherit', 'inherit'],
      },
    ),
  );
  const url = `http://127.0.0.1:${port}`;
  const pid = proc.pid!;
  const clients: SseClient[] = [];
  try {
    await waitUntil(async () => (await fetch(`${url}/-/ready`)).ok, {
      timeoutMs: 60_000,
      what: 'node ready',
    });
    let seq = 0;
    const posted = new Map<string, number>();
    /** `RATE` requests/s for `SECONDS`, each a new group; returns the node's CPU ms over the window. */
    const load = async (tag: string): Promise<number> => {
      const c0 = procCpuMs(pid);
      const t0 = Date.now();
      const total = RATE * SECONDS;
      const inflight: Promise<void>[] = [];
      for (let i = 0; i < total; i++) {
        const due = t0 + (i * 1000) / RATE;
        const wait = due - Date.now();
        if (wait > 0) await sleep(wait);
        const name = `${tag}${seq++}`;
        inflight.push(
          fetch(`${url}/api/v2/alerts`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify([{ labels: { alertname: name } }]),
          }).then(async (r) => {
            await r.text();
            posted.set(groupId(`{}:{alertname="${name}"}`), Date.now());
          }),
        );
      }
      await Promise.all(inflight);
      await sleep(1000); // the last window's events
      return procCpuMs(pid) - c0;
    };
    log('warm-up');
    await load('warm');
    await sleep(2000);
    const cpuLoadNoClients = await load('base');
    await sleep(2000);
    const i0 = procCpuMs(pid);
    await sleep(IDLE * 1000);
    const cpuIdleNoClients = procCpuMs(pid) - i0;
    const rss0 = procRssKb(pid);
    log(`connecting ${CLIENTS} clients`);
    for (let i = 0; i < CLIENTS; i++) clients.push(await SseClient.connect(`${url}/api/v1/events`));
    await waitUntil(() => clients.every((c) => c.comments.includes('connected')), { timeoutMs: 30_000 });
    await sleep(1000);
    const rss1 = procRssKb(pid);
    const c0 = procCpuMs(pid);
    await sleep(IDLE * 1000);
    const cpuIdle = procCpuMs(pid) - c0;
    const rssIdle = procRssKb(pid);
    log('load with clients');
    const cpuLoadClients = await load('sse');
    const latencies: number[] = [];
    let received = 0;
    for (const c of clients)
      for (const e of c.events) {
        const at = posted.get(e.data.groupId);
        if (e.event === 'alert' && at !== undefined && e.data.groupId && String(e.data.groupId)) {
          received++;
          latencies.push(e.at - at);
        }
      }
    const rss2 = procRssKb(pid);
    latencies.sort((a, b) => a - b);
    const pct = (p: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
    const events = RATE * SECONDS;
    const summary = {
      clients: CLIENTS,
      rssKb: {
        before: rss0,
        connected: rss1,
        afterIdle: rssIdle,
        afterLoad: rss2,
        deltaConnected: rss1 - rss0,
      },
      rssPerClientKb: Math.round(((rss1 - rss0) / CLIENTS) * 10) / 10,
      idle: {
        seconds: IDLE,
        cpuMsWithoutClients: cpuIdleNoClients,
        cpuMsWithClients: cpuIdle,
        cpuPercentWithoutClients: Math.round((cpuIdleNoClients / (IDLE * 1000)) * 1000) / 10,
        cpuPercentWithClients: Math.round((cpuIdle / (IDLE * 1000)) * 1000) / 10,
      },
      load: {
        requestsPerSecond: RATE,
        seconds: SECONDS,
        cpuMsWithoutClients: cpuLoadNoClients,
        cpuMsWithClients: cpuLoadClients,
        cpuPercentWithoutClients: Math.round((cpuLoadNoClients / ((SECONDS + 1) * 1000)) * 1000) / 10,
        cpuPercentWithClients: Math.round((cpuLoadClients / ((SECONDS + 1) * 1000)) * 1000) / 10,
        fanOutCpuUsPerEventPerClient:
          Math.round((((cpuLoadClients - cpuLoadNoClients) * 1000) / (events * CLIENTS)) * 100) / 100,
        eventsExpected: events * CLIENTS,
        eventsReceived: received,
        latencyMs: { p50: pct(50), p99: pct(99), max: latencies[latencies.length - 1] },
      },
    };
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } finally {
    for (const c of clients) c.close();
    await signalAndWait(proc, 'SIGTERM', 10_000).catch(() => proc.kill('SIGKILL'));
    await redis.stop();
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});
