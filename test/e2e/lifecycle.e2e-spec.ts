/**
 * Alertmanager's lifecycle surface on Herald: /-/healthy, /-/ready, /api/v2/receivers, CORS on the v2
 * API (replayed against answers recorded from Alertmanager 0.25), the build info karma reads, and config
 * reloads (POST /-/reload, SIGHUP) that neither re-send nor reset the timers of unchanged routes
 * (Alertmanager #2492, #3407): in-process in memory mode (the memory stores carry over) and as a real
 * process on Redis.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { loadConfig } from '@herald/config';
import { groupId } from '@herald/domain';
import { RedisKeys } from '@herald/redis';
import { HeraldNode } from '../../apps/server/src/lifecycle/herald-node';
import { STORE_HANDLES, type StoreHandles } from '../../apps/server/src/store/group-store.module';
import { FAST_FAILOVER } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { NodeProcess } from '../harness/node-process';
import { rawClient } from '../harness/redis-client';
import { RedisServer } from '../harness/redis-server';
import { startNode } from '../harness/app';
import { secret, tenantsYaml } from '../harness/tenants';
import { waitUntil } from '../harness/wait';

interface Fixture {
  source: string;
  config: unknown;
  answers: {
    name: string;
    method: string;
    path: string;
    headers?: Record<string, string>;
    answer: { status: number; headers: Record<string, string>; body?: string };
  }[];
  invalidReload: { answer: { status: number; body: string }; receiversAfter: string; metrics: string[] };
}

const FIXTURE = JSON.parse(
  readFileSync(join(__dirname, '..', 'compat', 'lifecycle-am025.json'), 'utf8'),
) as Fixture;

/** A config file under test, rewritten between reloads. */
function configFile(text: string): { path: string; write(t: string): void } {
  const path = join(mkdtempSync(join(tmpdir(), 'herald-reload-')), 'herald.yml');
  writeFileSync(path, text);
  return { path, write: (t) => writeFileSync(path, t) };
}

/** An in-process node (HeraldNode as main runs it) reading `file` on every reload. */
async function startInProcess(file: string, env: Record<string, string> = {}) {
  Logger.overrideLogger(process.env.HERALD_TEST_LOGS ? ['log', 'warn', 'error'] : ['error']);
  const load = () => loadConfig({ env: { HERALD_NODE_ID: 'reload-1', ...env }, filePath: file });
  const node = new HeraldNode({ load, app: { logger: new Logger() } });
  const addr = await node.start(load(), { port: 0, host: '127.0.0.1' });
  return { node, url: `http://127.0.0.1:${addr.port}` };
}

async function call(url: string, method = 'GET', headers: Record<string, string> = {}, body?: unknown) {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const h: Record<string, string> = {};
  res.headers.forEach((v, k) => {
    if (k.startsWith('access-control-') || k === 'vary') h[k] = v;
  });
  return { status: res.status, headers: h, text };
}

const postAlerts = (url: string, alerts: unknown[]) => call(`${url}/api/v2/alerts`, 'POST', {}, alerts);

function metric(text: string, name: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** The webhook notifications the sink accepted for group `alertname`. */
function notified(sink: HttpSink, alertname: string) {
  return sink.accepted.filter(
    (r) => (r.json as { groupLabels?: { alertname?: string } })?.groupLabels?.alertname === alertname,
  );
}

describe('lifecycle endpoints, receivers and CORS as Alertmanager 0.25 answers them', () => {
  let file: ReturnType<typeof configFile>;
  let n: Awaited<ReturnType<typeof startInProcess>>;

  beforeAll(async () => {
    file = configFile(JSON.stringify(FIXTURE.config));
    n = await startInProcess(file.path);
  });
  afterAll(() => n?.node.shutdown());

  it.each(FIXTURE.answers.filter((a) => a.method !== 'POST'))('$name', async (c) => {
    const r = await call(`${n.url}${c.path}`, c.method, c.headers);
    expect(r.status).toBe(c.answer.status);
    if (c.path === '/api/v2/receivers') expect(JSON.parse(r.text)).toEqual(JSON.parse(c.answer.body!));
    else if (c.path !== '/metrics') expect(r.text).toBe(c.answer.body);
    expect(r.headers).toEqual(c.answer.headers);
  });

  it('answers a reload of the unchanged file with 200 and changes nothing', async () => {
    const r = await call(`${n.url}/-/reload`, 'POST');
    expect(r.status).toBe(FIXTURE.answers.find((a) => a.path === '/-/reload')!.answer.status); // 200
    expect(JSON.parse(r.text)).toMatchObject({ status: 'unchanged', changed: [] });
  });

  it('refuses an invalid file naming the field (400, Herald’s error shape; Alertmanager: 500 text) and keeps the old config', async () => {
    file.write('route:\n  receiver: nope\nreceivers:\n  - name: zeta\n');
    const r = await call(`${n.url}/-/reload`, 'POST');
    expect(FIXTURE.invalidReload.answer.body).toMatch(/^failed to reload config: /);
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({
      error: expect.stringMatching(/^failed to reload config: route\.receiver: /),
      field: 'route.receiver',
    });
    const after = await call(`${n.url}/api/v2/receivers`);
    expect(JSON.parse(after.text)).toEqual(JSON.parse(FIXTURE.invalidReload.receiversAfter));
    const metrics = (await call(`${n.url}/metrics`)).text;
    expect(FIXTURE.invalidReload.metrics).toContain('alertmanager_config_last_reload_successful 0');
    expect(metric(metrics, 'alertmanager_config_last_reload_successful')).toBe(0);
    file.write(JSON.stringify(FIXTURE.config));
  });

  it('reports the Alertmanager API version in alertmanager_build_info and versionInfo alike', async () => {
    const metrics = (await call(`${n.url}/metrics`)).text;
    const line = metrics.split('\n').find((l) => l.startsWith('alertmanager_build_info{'))!;
    const am = FIXTURE.invalidReload.metrics.find((l) => l.startsWith('alertmanager_build_info{'))!;
    const labels = (l: string) =>
      Object.fromEntries([...l.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    expect(Object.keys(labels(line)).sort()).toEqual(Object.keys(labels(am)).sort());
    expect(labels(line).version).toBe(labels(am).version); // 0.25.0
    const status = JSON.parse((await call(`${n.url}/api/v2/status`)).text) as {
      versionInfo: Record<string, string>;
    };
    expect(status.versionInfo).toMatchObject({
      version: labels(line).version,
      revision: labels(line).revision,
      branch: labels(line).branch,
      goVersion: labels(line).goversion,
    });
    expect(metrics).toMatch(/^herald_build_info\{version="0\.1\.0",/m);
  });

  it('refuses a reload that changes a setting needing a restart, naming it', async () => {
    file.write(JSON.stringify({ ...(FIXTURE.config as object), herald: { listen_address: '127.0.0.2' } }));
    const r = await call(`${n.url}/-/reload`, 'POST');
    expect(r.status).toBe(400);
    expect(JSON.parse(r.text)).toEqual({
      error: expect.stringContaining('herald.listen_address: changing it needs a restart'),
      field: 'herald.listen_address',
    });
    file.write(JSON.stringify(FIXTURE.config));
  });
});

describe('GET /api/v2/receivers with tenants', () => {
  it('is read like the other v2 reads: a tenant key (any role) or nothing but 401', async () => {
    const viewer = secret('viewer');
    const yaml = `route:\n  receiver: b\nreceivers:\n  - name: b\n  - name: a\nherald:\n${await tenantsYaml([
      { id: 't1', keys: [viewer], keyRoles: { [viewer]: 'viewer' } },
    ])}\n`;
    const node = await startNode(yaml);
    try {
      const anon = await call(`${node.url}/api/v2/receivers`);
      expect(anon.status).toBe(401);
      expect(JSON.parse(anon.text)).toMatchObject({ field: 'Authorization' });
      const r = await call(`${node.url}/api/v2/receivers`, 'GET', { authorization: `Bearer ${viewer}` });
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toEqual([{ name: 'b' }, { name: 'a' }]);
    } finally {
      await node.close();
    }
  });
});

/** One route to the sink; `extra` adds routes and receivers the reload changes. */
function hookYaml(sinkUrl: string, extra = '') {
  return `
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1h
  repeat_interval: 4h
  routes:
    - receiver: hook
      matchers: [team="hook"]
    - receiver: hook
      matchers: [team="slow"]
      group_wait: 1s
${extra.includes('ROUTE') ? '    - receiver: other\n      matchers: [team="other"]\n' : ''}receivers:
  - name: hook
    webhook_configs:
      - url: ${sinkUrl}/hook
  - name: other
${extra.includes('RECEIVER') ? '  - name: added\n' : ''}${extra.includes('RULE') ? 'inhibit_rules:\n  - source_matchers: [severity="critical"]\n    target_matchers: [severity="warning"]\n    equal: [cluster]\n' : ''}herald:
  scheduler:
    tick: 50ms
`;
}

describe('reload in memory mode: groups, timers, the notification log and queued sends carry over', () => {
  let sink: HttpSink;
  let file: ReturnType<typeof configFile>;
  let n: Awaited<ReturnType<typeof startInProcess>>;

  beforeAll(async () => {
    sink = await HttpSink.start();
    file = configFile(hookYaml(sink.url));
    n = await startInProcess(file.path);
  });
  afterAll(async () => {
    await n?.node.shutdown();
    await sink?.stop();
  });

  const flushStore = () => n.node.app.get<StoreHandles>(STORE_HANDLES).memoryFlush;

  it('a notified group is neither re-sent nor rescheduled by a reload; other groups flush on', async () => {
    await postAlerts(n.url, [{ labels: { alertname: 'Kept', team: 'hook' } }]);
    await sink.waitFor(() => notified(sink, 'Kept').length === 1, 10_000, 'Kept notified');
    const gid = groupId((notified(sink, 'Kept')[0].json as { groupKey: string }).groupKey);
    const due = flushStore().getDue('default', gid, 'firing')!.dueAt;
    expect(due).toBeGreaterThan(Date.now() + 30 * 60_000); // next flush: after group_interval (1h)

    file.write(hookYaml(sink.url, 'ROUTE RECEIVER'));
    const r = await call(`${n.url}/-/reload`, 'POST');
    expect(r.status).toBe(200);
    expect(JSON.parse(r.text)).toMatchObject({ status: 'reloaded', changed: ['route', 'receivers'] });
    expect(JSON.parse((await call(`${n.url}/api/v2/receivers`)).text)).toEqual([
      { name: 'hook' },
      { name: 'other' },
      { name: 'added' },
    ]);

    // A new group is posted: its notification is the event after which a group whose timers were
    // reset or whose log was lost by the reload would have been flushed and sent again already.
    // (Prometheus' re-send of Kept after the reload is asserted on the Redis node below.)
    await postAlerts(n.url, [{ labels: { alertname: 'After', team: 'hook' } }]);
    await sink.waitFor(() => notified(sink, 'After').length === 1, 10_000, 'After notified');
    expect(flushStore().getDue('default', gid, 'firing')!.dueAt).toBe(due);
    expect(notified(sink, 'Kept')).toHaveLength(1);
    const groups = JSON.parse((await call(`${n.url}/api/v2/alerts/groups`)).text) as unknown[];
    expect(groups).toHaveLength(2);
  });

  it('an inhibit rule added by a reload mutes, at the next flush, targets of sources stored before it', async () => {
    // The target's group waits 1 s (route team="slow"): the reload adds the rule before its first flush.
    await postAlerts(n.url, [
      { labels: { alertname: 'Src', severity: 'critical', cluster: 'c1', team: 'hook' } },
      { labels: { alertname: 'Tgt', severity: 'warning', cluster: 'c1', team: 'slow' } },
    ]);
    file.write(hookYaml(sink.url, 'ROUTE RECEIVER RULE'));
    expect((await call(`${n.url}/-/reload`, 'POST')).status).toBe(200);
    const suppressed = async () =>
      metric(
        (await call(`${n.url}/metrics`)).text,
        'herald_notifications_suppressed_total{reason="inhibition"}',
      );
    await waitUntil(async () => ((await suppressed()) ?? 0) >= 1, { what: "the target's flush, inhibited" });
    expect(notified(sink, 'Src')).toHaveLength(1);
    expect(notified(sink, 'Tgt')).toHaveLength(0);
    const tgt = JSON.parse((await call(`${n.url}/api/v2/alerts?filter=alertname="Tgt"`)).text) as {
      status: { state: string; inhibitedBy: string[] };
    }[];
    expect(tgt[0].status).toMatchObject({ state: 'suppressed', inhibitedBy: [expect.any(String)] });
  });

  it('a notification waiting for its retry in the memory queue is delivered after a reload', async () => {
    let answered = 0;
    sink.respond((_i, req) => {
      const failFirst =
        (req.json as { groupLabels?: { alertname?: string } })?.groupLabels?.alertname === 'Retry';
      return failFirst && answered++ === 0 ? 500 : 200;
    });
    await postAlerts(n.url, [{ labels: { alertname: 'Retry', team: 'hook' } }]);
    await sink.waitFor(() => answered === 1, 10_000, 'the first attempt (500)');
    file.write(hookYaml(sink.url, 'ROUTE'));
    expect((await call(`${n.url}/-/reload`, 'POST')).status).toBe(200);
    await sink.waitFor(() => notified(sink, 'Retry').length === 1, 10_000, 'Retry delivered by the retry');
    expect(answered).toBe(2);
  });

  it('a silence made before a reload is still listed and still mutes after it', async () => {
    const created = await call(
      `${n.url}/api/v2/silences`,
      'POST',
      {},
      {
        matchers: [{ name: 'alertname', value: 'Hushed', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'e2e',
        comment: 'kept over a reload',
      },
    );
    expect(created.status).toBe(200);
    const id = (JSON.parse(created.text) as { silenceID: string }).silenceID;
    file.write(hookYaml(sink.url, 'ROUTE RECEIVER'));
    expect((await call(`${n.url}/-/reload`, 'POST')).status).toBe(200);
    const listed = JSON.parse((await call(`${n.url}/api/v2/silences`)).text) as { id: string }[];
    expect(listed.map((x) => x.id)).toContain(id);
    await postAlerts(n.url, [{ labels: { alertname: 'Hushed', team: 'hook' } }]);
    const hushed = JSON.parse((await call(`${n.url}/api/v2/alerts?filter=alertname="Hushed"`)).text) as {
      status: { silencedBy: string[] };
    }[];
    expect(hushed[0].status.silencedBy).toEqual([id]);
  });
});

describe('reload during a Redis outage: the memory fallback carries over and merges back', () => {
  let redis: RedisServer;
  let sink: HttpSink;
  let file: ReturnType<typeof configFile>;
  let n: Awaited<ReturnType<typeof startInProcess>>;

  beforeAll(async () => {
    redis = await RedisServer.start();
    sink = await HttpSink.start();
    file = configFile(hookYaml(sink.url) + FAST_FAILOVER);
    n = await startInProcess(file.path, { REDIS_URL: redis.url });
  });
  afterAll(async () => {
    await n?.node.shutdown();
    await sink?.stop();
    await redis?.stop();
  });

  const ready = async () => JSON.parse((await call(`${n.url}/health/ready`)).text) as { status: string };
  const listed = async (name: string) =>
    (JSON.parse((await call(`${n.url}/api/v2/alerts?filter=alertname="${name}"`)).text) as unknown[]).length;

  it('alerts and notifications of the outage survive a reload made during it', async () => {
    await redis.kill();
    await waitUntil(
      async () => {
        await postAlerts(n.url, [{ labels: { alertname: 'Outage', team: 'hook' } }]);
        return (await ready()).status === 'degraded';
      },
      { what: 'the memory fallback' },
    );
    await sink.waitFor(() => notified(sink, 'Outage').length === 1, 10_000, 'Outage notified from memory');

    file.write(hookYaml(sink.url, 'ROUTE RECEIVER') + FAST_FAILOVER);
    expect((await call(`${n.url}/-/reload`, 'POST')).status).toBe(200);
    expect((await ready()).status).toBe('degraded'); // the same failover store, still in fallback
    expect(await listed('Outage')).toBe(1);

    await redis.startProcess(); // empty: everything it will hold comes from the merge
    await waitUntil(async () => (await ready()).status === 'ok', { what: 'Redis back and merged' });
    expect(await listed('Outage')).toBe(1);
    await postAlerts(n.url, [{ labels: { alertname: 'AfterOutage', team: 'hook' } }]);
    await sink.waitFor(() => notified(sink, 'AfterOutage').length === 1, 10_000, 'AfterOutage notified');
    expect(notified(sink, 'Outage')).toHaveLength(1);
  });
});

describe('reload of a real node process on Redis: POST /-/reload and SIGHUP', () => {
  let redis: RedisServer;
  let sink: HttpSink;
  let file: ReturnType<typeof configFile>;
  let node: NodeProcess;

  beforeAll(async () => {
    redis = await RedisServer.start();
    sink = await HttpSink.start();
    file = configFile(hookYaml(sink.url));
    node = await NodeProcess.start('reload-proc', '', { HERALD_CONFIG: file.path, REDIS_URL: redis.url });
  }, 40_000);
  afterAll(async () => {
    await node?.stop();
    await sink?.stop();
    await redis?.stop();
  });

  it('keeps the due time and the notification log of an unchanged route; an invalid file keeps the old config; SIGHUP reloads', async () => {
    const client = await rawClient(redis.url);
    try {
      const keys = new RedisKeys('herald', 16);
      await postAlerts(node.url, [{ labels: { alertname: 'Kept', team: 'hook' } }]);
      await sink.waitFor(() => notified(sink, 'Kept').length === 1, 10_000, 'Kept notified');
      const gid = groupId((notified(sink, 'Kept')[0].json as { groupKey: string }).groupKey);
      const score = () =>
        client.zscore(keys.dueBucket(keys.dueBucketOf(gid)), keys.dueMember('default', gid, 'firing'));
      const due = await waitUntil(score, { what: 'the due entry after the first flush' });
      expect(Number(due)).toBeGreaterThan(Date.now() + 30 * 60_000);

      file.write(hookYaml(sink.url, 'ROUTE'));
      const r = await call(`${node.url}/-/reload`, 'POST');
      expect(r.status).toBe(200);
      expect(JSON.parse(r.text)).toMatchObject({ status: 'reloaded', changed: ['route'] });
      await postAlerts(node.url, [
        { labels: { alertname: 'Kept', team: 'hook' } },
        { labels: { alertname: 'After', team: 'hook' } },
      ]);
      await sink.waitFor(() => notified(sink, 'After').length === 1, 10_000, 'After notified');
      expect(await score()).toBe(due);
      expect(notified(sink, 'Kept')).toHaveLength(1);

      file.write('route:\n  receiver: hook\n  group_wait: soon\nreceivers:\n  - name: hook\n');
      const bad = await call(`${node.url}/-/reload`, 'POST');
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.text)).toMatchObject({ field: 'route.group_wait' });
      expect(JSON.parse((await call(`${node.url}/api/v2/receivers`)).text)).toEqual([
        { name: 'hook' },
        { name: 'other' },
      ]);

      file.write(hookYaml(sink.url, 'ROUTE RECEIVER'));
      node.signal('SIGHUP');
      await waitUntil(async () => (await call(`${node.url}/api/v2/receivers`)).text.includes('"added"'), {
        what: 'the receiver added by the SIGHUP reload',
        detail: () => node.logs.slice(-2000),
      });
      const metrics = (await call(`${node.url}/metrics`)).text;
      expect(metric(metrics, 'alertmanager_config_last_reload_successful')).toBe(1);
      expect(metric(metrics, 'herald_config_reloads_total{outcome="reloaded"}')).toBe(2);
      expect(metric(metrics, 'herald_config_reloads_total{outcome="failed"}')).toBe(1);
      expect((await call(`${node.url}/-/ready`)).text).toBe('OK');
      expect(notified(sink, 'Kept')).toHaveLength(1);
      expect(node.exit).toBeUndefined(); // SIGHUP never ends the process
    } finally {
      client.disconnect();
    }
  }, 40_000);
});
