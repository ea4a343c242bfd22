/**
 * The real `amtool` (Debian's prometheus-alertmanager, 0.25) against two Herald nodes on one
 * redis-server behind nginx: silences written on one node are seen and enforced by the other, alert
 * queries show silenced alerts as suppressed, the receiver hears nothing of a silenced group until the
 * silence is expired, `silence import` re-creates an exported set, `config show` prints the loaded
 * config, `check-config` accepts the Alertmanager part of deploy/examples, and with tenants amtool's
 * `--http.config.file` (bearer or basic auth with a tenant key) sees and silences only its tenant.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import { metricSample, startTwoNodes, type TestNode, type TwoNodes } from '../harness/app';
import { hookConfig } from '../harness/config';
import { HttpSink } from '../harness/http-sink';
import { NginxServer } from '../harness/nginx';
import { secret, tenantsYaml } from '../harness/tenants';
import { waitUntil } from '../harness/wait';

const AMTOOL = process.env.AMTOOL ?? 'amtool';
const EXAMPLES = resolve(__dirname, '..', '..', 'deploy', 'examples');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Run {
  command: string;
  code: number | string;
  stdout: string;
  stderr: string;
}

/** amtool's silence JSON (`silence query -o json`). */
interface AmSilence {
  id: string;
  status: { state: string };
  comment: string;
  createdBy: string;
  startsAt: string;
  endsAt: string;
  matchers: { name: string; value: string; isRegex: boolean; isEqual?: boolean }[];
}

/** amtool's alert JSON (`alert query -o json`). */
interface AmAlert {
  labels: Record<string, string>;
  fingerprint: string;
  status: { state: string; silencedBy: string[]; inhibitedBy: string[] };
}

let tmp: string;
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'herald-amtool-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Runs amtool against `url` (with an HTTP client config file when given); never rejects. */
function amtool(url: string, args: string[], httpConfig?: string): Promise<Run> {
  const full = [
    `--alertmanager.url=${url}`,
    '--timeout=5s',
    ...(httpConfig ? [`--http.config.file=${httpConfig}`] : []),
    ...args,
  ];
  const command = `${AMTOOL} ${full.join(' ')}`;
  return new Promise((done) => {
    execFile(AMTOOL, full, { timeout: 10_000, maxBuffer: 4 << 20 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { code?: number | string; signal?: string }) | null;
      const code = e ? (e.code ?? e.signal ?? 'error') : 0;
      if (e?.code === 'ENOENT')
        stderr = `${AMTOOL} not found: install the Debian package prometheus-alertmanager`;
      done({ command, code, stdout, stderr });
    });
  });
}

const show = (r: Run) => `${r.command}\nexit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`;

/** amtool's stdout; throws with the command and both streams when it did not exit 0. */
async function ok(url: string, args: string[], httpConfig?: string): Promise<string> {
  const r = await amtool(url, args, httpConfig);
  if (r.code !== 0) throw new Error(`amtool failed:\n${show(r)}`);
  return r.stdout;
}

/** amtool's `-o json` stdout, parsed. */
async function json<T>(url: string, args: string[], httpConfig?: string): Promise<T> {
  const out = await ok(url, [...args, '-o', 'json'], httpConfig);
  try {
    return JSON.parse(out) as T;
  } catch {
    throw new Error(`amtool ${args.join(' ')} printed no JSON: ${out}`);
  }
}

/** The run, which must have failed; throws with both streams when it exited 0. */
async function fails(url: string, args: string[], httpConfig?: string): Promise<Run> {
  const r = await amtool(url, args, httpConfig);
  if (r.code === 0) throw new Error(`amtool was expected to fail:\n${show(r)}`);
  return r;
}

/** The ids `silence add` / `silence import` printed, one a line. */
const ids = (stdout: string): string[] =>
  stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

const SILENCED = 'herald_notifications_suppressed_total{reason="silence"}';

async function suppressedBySilences(nodes: TestNode[]): Promise<number> {
  let sum = 0;
  for (const n of nodes) sum += await metricSample(n.url, SILENCED);
  return sum;
}

describe('amtool against two nodes behind nginx', () => {
  let sink: HttpSink;
  let env: TwoNodes;
  let nginx: NginxServer;
  let n1: string;
  let n2: string;
  let lb: string;

  beforeAll(async () => {
    sink = await HttpSink.start();
    env = await startTwoNodes(
      hookConfig(sink.url, { groupWait: '0s', groupInterval: '1s', repeatInterval: '1h', tick: '100ms' }),
    );
    n1 = env.n1.url;
    n2 = env.n2.url;
    nginx = await NginxServer.start({ upstreams: [env.n1, env.n2].map((n) => Number(new URL(n.url).port)) });
    lb = nginx.url;
  }, 30_000);

  afterAll(async () => {
    await nginx?.stop();
    await env?.close();
    await sink?.stop();
  });

  /** Notifications the sink accepted for the group of `alertname`. */
  const notified = (alertname: string) =>
    sink.accepted
      .map((r) => r.json as { status: string; groupLabels: Record<string, string>; alerts: AmAlert[] })
      .filter((p) => p.groupLabels.alertname === alertname);

  it('silence add on one node, query and enforcement on the other, expire, then the group is notified', async () => {
    const id = (await ok(n1, ['silence', 'add', 'alertname=Foo', '-c', 'x', '-d', '1h'])).trim();
    expect(id).toMatch(UUID);

    for (const url of [n2, lb]) {
      const listed = await json<AmSilence[]>(url, ['silence', 'query']);
      expect(listed).toHaveLength(1);
      expect(listed[0]).toMatchObject({
        id,
        status: { state: 'active' },
        comment: 'x',
        matchers: [{ name: 'alertname', value: 'Foo', isRegex: false, isEqual: true }],
      });
      const hour = Date.parse(listed[0].endsAt) - Date.parse(listed[0].startsAt);
      expect(Math.abs(hour - 3_600_000)).toBeLessThan(60_000);
    }
    expect(ids(await ok(n2, ['silence', 'query', '-q', 'alertname=Foo']))).toEqual([id]);
    expect(ids(await ok(n2, ['silence', 'query', '-q', 'alertname=Other']))).toEqual([]);

    const before = await suppressedBySilences([env.n1, env.n2]);
    // amtool's own `alert add` posts them (POST /api/v2/alerts): Foo through nginx, Bar to node 1.
    await ok(lb, ['alert', 'add', 'alertname=Foo', '--annotation=summary=silenced']);
    await ok(n1, ['alert', 'add', 'alertname=Bar', '--annotation=summary=control']);
    // Foo's group was due with Bar's (group_wait 0s); two silenced flushes of it are one group_interval
    // apart, which leaves a notification of Foo's first flush the time to reach the sink.
    await sink.waitFor(() => notified('Bar').length > 0, 10_000, 'Bar notified');
    await waitUntil(async () => (await suppressedBySilences([env.n1, env.n2])) >= before + 2, {
      timeoutMs: 10_000,
      what: 'two flushes of the silenced group',
    });
    expect(notified('Foo')).toEqual([]);

    const silenced = await json<AmAlert[]>(n2, ['alert', 'query', '--silenced']);
    expect(silenced.map((a) => a.labels.alertname)).toEqual(['Foo']);
    expect(silenced[0].status).toMatchObject({ state: 'suppressed', silencedBy: [id], inhibitedBy: [] });
    const active = await json<AmAlert[]>(n1, ['alert', 'query']);
    expect(active.map((a) => a.labels.alertname)).toEqual(['Bar']);
    expect(active[0].status).toMatchObject({ state: 'active', silencedBy: [] });
    // The simple output, as an engineer reads it.
    expect(await ok(lb, ['alert', 'query', '-s'])).toMatch(/^Foo\s.*\ssuppressed\s*$/m);

    expect(await ok(n2, ['silence', 'expire', id])).toBe('');
    const expired = await json<AmSilence[]>(n1, ['silence', 'query', '--expired']);
    expect(expired.map((s) => [s.id, s.status.state])).toEqual([[id, 'expired']]);
    expect(await json<AmSilence[]>(lb, ['silence', 'query'])).toEqual([]);

    await sink.waitFor(() => notified('Foo').length > 0, 10_000, 'Foo notified after the expiry');
    expect(notified('Foo')[0]).toMatchObject({
      status: 'firing',
      alerts: [{ labels: { alertname: 'Foo' } }],
    });
    expect(await json<AmAlert[]>(n2, ['alert', 'query', '--silenced'])).toEqual([]);
    expect((await json<AmAlert[]>(n2, ['alert', 'query'])).map((a) => a.labels.alertname).sort()).toEqual([
      'Bar',
      'Foo',
    ]);
    expect(notified('Bar')).toHaveLength(1);
  }, 30_000);

  it('silence import of `silence query -o json` re-creates an expired set with new ids and updates an active one in place', async () => {
    const fresh = [
      ...ids(await ok(n1, ['silence', 'add', 'alertname=Imp1', '-c', 'imported', '-d', '1h'])),
      ...ids(
        await ok(n2, [
          'silence',
          'add',
          'job=~"api|web"',
          'env!=prod',
          '-c',
          'imported',
          '-d',
          '2h',
          '-a',
          'ops',
        ]),
      ),
    ];
    expect(fresh).toHaveLength(2);
    const exported = await ok(lb, ['silence', 'query', '-o', 'json']);
    const file = join(tmp, 'silences.json');
    writeFileSync(file, exported);
    const byId = (list: AmSilence[]) => new Map(list.map((s) => [s.id, s]));
    const old = byId(JSON.parse(exported) as AmSilence[]);
    expect([...old.keys()].sort()).toEqual([...fresh].sort());

    await ok(n1, ['silence', 'expire', ...fresh]);
    expect(await json<AmSilence[]>(n2, ['silence', 'query'])).toEqual([]);

    // amtool posts each silence with its id; an expired one cannot be updated, so it is created anew.
    const created = ids(await ok(n2, ['silence', 'import', file]));
    expect(created).toHaveLength(2);
    for (const c of created) expect(c).toMatch(UUID);
    expect(created.filter((c) => old.has(c))).toEqual([]);
    const now = await json<AmSilence[]>(n1, ['silence', 'query']);
    expect(now.map((s) => s.id).sort()).toEqual([...created].sort());
    const shape = (s: AmSilence) => ({ matchers: s.matchers, comment: s.comment, createdBy: s.createdBy });
    expect(
      now
        .map(shape)
        .sort((a, b) => a.comment.localeCompare(b.comment) || a.createdBy.localeCompare(b.createdBy)),
    ).toEqual(
      [...old.values()]
        .map(shape)
        .sort((a, b) => a.comment.localeCompare(b.comment) || a.createdBy.localeCompare(b.createdBy)),
    );
    const neg = now.find((s) => s.createdBy === 'ops')!;
    expect(neg.matchers).toEqual([
      { name: 'job', value: 'api|web', isRegex: true, isEqual: true },
      { name: 'env', value: 'prod', isRegex: false, isEqual: false },
    ]);

    // The active set exported and imported again: each silence updated in place (same ids, no copies).
    const again = join(tmp, 'active.json');
    writeFileSync(again, await ok(n2, ['silence', 'query', '-o', 'json']));
    expect(ids(await ok(lb, ['silence', 'import', again])).sort()).toEqual([...created].sort());
    expect((await json<AmSilence[]>(n1, ['silence', 'query'])).map((s) => s.id).sort()).toEqual(
      [...created].sort(),
    );
    await ok(n1, ['silence', 'expire', ...created]);
  }, 30_000);

  // amtool retries a 404 of POST /api/v2/silences without the id only when the 404's body decodes as a
  // JSON string (Alertmanager answers "silence not found"): the silence routes answer their errors in
  // that form (regression: an object body made amtool stop with "cannot unmarshal object").
  it('silence import of silences exported elsewhere (ids unknown here) creates them with new ids', async () => {
    const foreign = [randomUUID(), randomUUID()].map((id, i) => ({
      id,
      status: { state: 'active' },
      updatedAt: new Date().toISOString(),
      comment: 'from another alertmanager',
      createdBy: 'migration',
      startsAt: new Date().toISOString(),
      endsAt: new Date(Date.now() + 3_600_000).toISOString(),
      matchers: [{ name: 'alertname', value: `Migrated${i}`, isRegex: false, isEqual: true }],
    }));
    const file = join(tmp, 'foreign.json');
    writeFileSync(file, JSON.stringify(foreign));
    const created = ids(await ok(lb, ['silence', 'import', file]));
    expect(created).toHaveLength(2);
    expect(created.filter((c) => foreign.some((f) => f.id === c))).toEqual([]);
    await ok(n1, ['silence', 'expire', ...created]);
  }, 30_000);

  it('config show prints the loaded config (config.original of /api/v2/status)', async () => {
    const status = (await (await fetch(`${lb}/api/v2/status`)).json()) as { config: { original: string } };
    const out = await ok(lb, ['config', 'show']);
    expect(out.trim()).toBe(status.config.original.trim());
    expect(out).toMatch(/receiver: hook/);
    expect(out).toMatch(/group_interval: 1s/);
    // The sink's URL is a receiver secret: shown as Alertmanager shows secrets.
    expect(out).not.toContain(sink.url);
  });
});

it('amtool check-config accepts the Alertmanager part of every deploy/examples config', async () => {
  const checked: string[] = [];
  for (const name of readdirSync(EXAMPLES).filter((f) => /\.ya?ml$/.test(f))) {
    const path = join(EXAMPLES, name);
    const doc = (parse(readFileSync(path, 'utf8')) ?? {}) as Record<string, unknown>;
    // amtool knows no `herald:` key (a combined file is Alertmanager's config plus Herald's section).
    const { herald, ...alertmanager } = doc;
    if (!('route' in alertmanager) && !('receivers' in alertmanager)) continue; // Herald's settings only
    let file = path;
    if (herald !== undefined) {
      file = join(tmp, `am-part-of-${name}`);
      writeFileSync(file, stringify(alertmanager));
    }
    const r = await amtool('http://127.0.0.1:9', ['check-config', file]);
    if (r.code !== 0 || !r.stdout.includes('SUCCESS'))
      throw new Error(`check-config of ${name}:\n${show(r)}`);
    checked.push(name);
  }
  expect(checked).toContain('alertmanager.yml');
});

describe('amtool with tenant keys (--http.config.file)', () => {
  const adminA = secret('admin-a');
  const ingestA = secret('ingest-a');
  const viewerA = secret('viewer-a');
  const adminB = secret('admin-b');
  let env: TwoNodes;
  const cfg: Record<string, string> = {};

  beforeAll(async () => {
    const tenants = await tenantsYaml([
      {
        id: 'team-a',
        keys: [adminA, ingestA, viewerA],
        keyRoles: { [adminA]: 'admin', [viewerA]: 'viewer' },
      },
      { id: 'team-b', keys: [adminB], keyRoles: { [adminB]: 'admin' } },
    ]);
    env = await startTwoNodes(`
route:
  receiver: r
  group_by: [alertname]
receivers:
  - name: r
herald:
${tenants}`);
    // Prometheus' HTTP client config, as amtool reads it: bearer and basic auth (the key as password).
    const files: Record<string, unknown> = {
      adminA: { authorization: { type: 'Bearer', credentials: adminA } },
      ingestA: { basic_auth: { username: 'team-a', password: ingestA } },
      viewerA: { authorization: { credentials: viewerA } },
      adminB: { basic_auth: { username: 'team-b', password: adminB } },
    };
    for (const [name, body] of Object.entries(files)) {
      cfg[name] = join(tmp, `http-${name}.yml`);
      writeFileSync(cfg[name], stringify(body));
    }
  }, 30_000);

  afterAll(() => env?.close());

  it('an admin key silences; ingest and viewer keys are refused; each tenant sees only its own', async () => {
    const n1 = env.n1.url;
    const n2 = env.n2.url;
    const add = ['silence', 'add', 'alertname=Foo', '-c', 'x', '-d', '1h'];

    expect((await fails(n1, add)).stderr).toContain('401');
    expect((await fails(n1, add, cfg.ingestA)).stderr).toContain('403');
    expect((await fails(n2, add, cfg.viewerA)).stderr).toContain('403');
    const id = (await ok(n1, add, cfg.adminA)).trim();
    expect(id).toMatch(UUID);

    for (const key of ['ingestA', 'viewerA', 'adminA'])
      expect((await json<AmSilence[]>(n2, ['silence', 'query'], cfg[key])).map((s) => s.id)).toEqual([id]);
    expect(await json<AmSilence[]>(n2, ['silence', 'query'], cfg.adminB)).toEqual([]);

    await ok(n2, ['alert', 'add', 'alertname=Foo'], cfg.ingestA);
    await ok(n2, ['alert', 'add', 'alertname=Foo'], cfg.adminB);
    const a = await json<AmAlert[]>(n1, ['alert', 'query', '--silenced'], cfg.viewerA);
    expect(a.map((x) => [x.labels.alertname, x.status.state, x.status.silencedBy])).toEqual([
      ['Foo', 'suppressed', [id]],
    ]);
    // team-b's Foo is its own alert: team-a's silence does not touch it.
    expect(await json<AmAlert[]>(n1, ['alert', 'query', '--silenced'], cfg.adminB)).toEqual([]);
    const b = await json<AmAlert[]>(n1, ['alert', 'query'], cfg.adminB);
    expect(b.map((x) => [x.labels.alertname, x.status.state])).toEqual([['Foo', 'active']]);

    // Another tenant's admin cannot expire it (not found there); its own can.
    await fails(n1, ['silence', 'expire', id], cfg.adminB);
    expect((await json<AmSilence[]>(n2, ['silence', 'query'], cfg.viewerA)).map((s) => s.id)).toEqual([id]);
    await fails(n1, ['silence', 'expire', id], cfg.ingestA);
    await ok(n1, ['silence', 'expire', id], cfg.adminA);
    const expired = await json<AmSilence[]>(n2, ['silence', 'query', '--expired'], cfg.viewerA);
    expect(expired.map((s) => [s.id, s.status.state])).toEqual([[id, 'expired']]);
    expect(await json<AmSilence[]>(n2, ['silence', 'query', '--expired'], cfg.adminB)).toEqual([]);
  }, 30_000);
});
