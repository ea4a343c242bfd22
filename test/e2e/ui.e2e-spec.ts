import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startNode, type TestNode } from '../harness/app';
import { HttpSink } from '../harness/http-sink';
import { startNodePair } from '../harness/node-pair';
import type { NodeProcess } from '../harness/node-process';
import { RedisServer } from '../harness/redis-server';
import { CapturingLogger, Client, secret, tenantsYaml } from '../harness/tenants';
import { waitUntil } from '../harness/wait';

// Browser globals used inside page.evaluate callbacks (the project compiles without the DOM lib;
// declared here, module-scoped, so nothing else sees them).
declare const document: any;
declare const window: any;
declare const sessionStorage: any;
declare const getComputedStyle: any;
declare const Image: any;

// The dashboard in a real browser: Debian's chromium driven by playwright-core (no browser download).
// CI installs it with `apt-get install -y chromium`; without it only the HTTP checks below run.
const CHROMIUM = '/usr/bin/chromium';
const HAS_CHROMIUM = existsSync(CHROMIUM);
if (!HAS_CHROMIUM) {
  console.warn(`ui.e2e: SKIPPING the browser test: ${CHROMIUM} is missing (apt-get install -y chromium)`);
}

const S = { key: secret('key-a'), alice: secret('pw-alice'), victor: secret('pw-victor') };
const XSS = '<img src=x onerror="window.__pwned=1">';

async function config(sinkUrl: string): Promise<string> {
  return `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: [alertname="Undeliverable"]
      receiver: broken
      group_wait: 0s
receivers:
  - name: default
  - name: broken
    webhook_configs:
      - url: ${sinkUrl}/hook
inhibit_rules:
  - name: node down mutes tickets
    source_matchers: [alertname="NodeDown"]
    target_matchers: [severity="ticket"]
herald:
${await tenantsYaml([
  {
    id: 'team-a',
    keys: [S.key],
    users: [
      { username: 'alice', password: S.alice, role: 'admin' },
      { username: 'victor', password: S.victor, role: 'viewer' },
    ],
  },
])}`;
}

const FIRING = ['HighLatency', 'DiskFull', 'NodeDown'];

describe('dashboard at /ui', () => {
  let node: TestNode;
  let sink: HttpSink;
  const http = new Client();
  const logs = new CapturingLogger();

  beforeAll(async () => {
    // The `broken` receiver's webhook refuses everything with a 400: its notifications are dead letters.
    sink = await HttpSink.start();
    sink.respond(400);
    node = await startNode(await config(sink.url), { HERALD_NODE_ID: 'ui-1' }, { logger: logs });
    const now = Date.now();
    const alerts = [
      {
        labels: { alertname: 'HighLatency', severity: 'page', instance: 'api-1' },
        annotations: { summary: 'p99 > 2s' },
      },
      {
        labels: { alertname: 'HighLatency', severity: 'page', instance: 'api-2' },
        annotations: { summary: 'p99 > 2s' },
      },
      {
        labels: { alertname: 'DiskFull', severity: 'ticket', instance: 'db-1', note: XSS },
        annotations: { summary: XSS },
      },
      {
        labels: { alertname: 'NodeDown', severity: 'page', instance: 'worker-7' },
        annotations: { summary: 'node unreachable' },
      },
      {
        labels: { alertname: 'OldIncident', severity: 'ticket', instance: 'cache-1' },
        annotations: { summary: 'resolved' },
        startsAt: new Date(now - 3_600_000).toISOString(),
        endsAt: new Date(now - 60_000).toISOString(),
      },
    ];
    const r = await http.call('POST', `${node.url}/api/v2/alerts`, { body: alerts, token: S.key });
    expect(r.status).toBe(200);
  });
  afterAll(async () => {
    await node?.close();
    await sink?.stop();
  });

  it('serves the page, script and stylesheet with a strict Content-Security-Policy', async () => {
    const page = await fetch(`${node.url}/ui`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).not.toContain('unsafe-eval');
    const html = await page.text();
    expect(html).toContain('<script src="/ui/app.js"');
    expect(html).not.toMatch(/<script>|<style>|\son[a-z]+=/i); // nothing inline for the CSP to block
    const js = await fetch(`${node.url}/ui/app.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^application\/javascript/);
    expect(await js.text()).not.toContain('innerHTML');
    const css = await fetch(`${node.url}/ui/app.css`);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  (HAS_CHROMIUM ? describe : describe.skip)('in chromium (playwright-core)', () => {
    let profile: string;
    let ctx: BrowserContext;
    let page: Page;
    const consoleErrors: string[] = [];

    beforeAll(async () => {
      profile = mkdtempSync(join(tmpdir(), 'herald-ui-chromium-'));
      ctx = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        viewport: { width: 1280, height: 900 },
        args: [
          '--headless',
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
      page = ctx.pages()[0] ?? (await ctx.newPage());
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      page.on('pageerror', (e) => consoleErrors.push(String(e)));
    }, 20_000);
    afterAll(async () => {
      await ctx?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    it('logs in through the form and shows the firing groups with their alerts and timers', async () => {
      await page.goto(`${node.url}/ui`);
      await page.fill('#login-tenant', 'team-a');
      await page.fill('#login-username', 'alice');
      await page.fill('#login-password', 'wrong');
      await page.click('#login-submit');
      await page.waitForFunction(() =>
        document.getElementById('login-error')?.textContent?.includes('failed'),
      );

      await page.fill('#login-password', S.alice);
      await page.click('#login-submit');
      await page.waitForSelector('#groups article.group', { timeout: 10_000 });
      await page.waitForFunction((n) => document.querySelectorAll('#groups article.group').length === n, 3);

      expect(await page.evaluate(() => sessionStorage.getItem('herald.token'))).toMatch(/\S{20,}/);
      const names = await page.$$eval('#groups td.alertname', (tds) => tds.map((t) => t.textContent));
      expect([...new Set(names)].sort()).toEqual([...FIRING].sort());
      expect(names).toHaveLength(4);
      const text = (await page.textContent('#groups')) ?? '';
      expect(text).toContain('group_wait 30s');
      expect(text).toContain('repeat_interval 4h');
      expect(text).toContain('instance=api-2');
      expect(text).not.toContain('OldIncident');
      // Why an alert is quiet: DiskFull (a ticket) is inhibited while NodeDown fires.
      expect(text).toContain(
        'inhibited by NodeDown instance=worker-7 severity=page (rule node down mutes tickets)',
      );
      expect(await page.$$eval('#groups span.badge.quiet', (b) => b.map((x) => x.textContent))).toEqual([
        'inhibited',
      ]);
      // User data is text, never markup.
      expect(text).toContain(XSS);
      expect(await page.$$('#groups img')).toHaveLength(0);
      expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();

      const shot = join(tmpdir(), `herald-ui-groups-${process.pid}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`ui.e2e: groups page screenshot: ${shot}`);
      const png = readFileSync(shot);
      expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
      expect(statSync(shot).size).toBeGreaterThan(10_000);
      expect(png.readUInt32BE(16)).toBe(1280); // IHDR width
      // Real data painted: each group card has the border of its severity label (page: red, ticket:
      // amber) and badges on screen.
      const painted = await page.$$eval('#groups article.group', (as) =>
        as.map((a) => {
          const r = a.getBoundingClientRect();
          return {
            name: a.querySelector('td.alertname')?.textContent,
            h: r.height,
            w: r.width,
            border: getComputedStyle(a).borderLeftColor,
          };
        }),
      );
      const RED = 'rgb(198, 40, 40)';
      const AMBER = 'rgb(224, 148, 0)';
      const want: Record<string, string> = { HighLatency: RED, NodeDown: RED, DiskFull: AMBER };
      expect(painted.map((p) => p.name).sort()).toEqual(Object.keys(want).sort());
      for (const p of painted) {
        expect(p.h).toBeGreaterThan(60);
        expect(p.w).toBeGreaterThan(600);
        expect(p.border).toBe(want[p.name!]);
      }

      // Pixel sampling of the PNG itself (decoded by chromium on a blank page, outside the /ui CSP):
      // the firing red of the cards' borders and badges is on the picture, not only in the DOM.
      const blank = await ctx.newPage();
      const red = await blank.evaluate(async (b64) => {
        const img = new Image();
        img.src = `data:image/png;base64,${b64}`;
        await img.decode();
        const c = document.createElement('canvas');
        c.width = img.width;
        c.height = img.height;
        const g = c.getContext('2d')!;
        g.drawImage(img, 0, 0);
        const d = g.getImageData(0, 0, c.width, c.height).data;
        let n = 0;
        for (let i = 0; i < d.length; i += 4) {
          if (Math.abs(d[i] - 198) < 12 && Math.abs(d[i + 1] - 40) < 12 && Math.abs(d[i + 2] - 40) < 12) n++;
        }
        return n;
      }, png.toString('base64'));
      await blank.close();
      expect(red).toBeGreaterThan(2_000); // 2 red cards x 6 px x ~100+ px of border, plus the badges

      await page.click('.subtabs button[data-state=recovery]');
      await page.waitForFunction(() =>
        document.getElementById('groups')?.textContent?.includes('OldIncident'),
      );
      expect(await page.$$eval('#groups td.alertname', (tds) => tds.map((t) => t.textContent))).toEqual([
        'OldIncident',
      ]);
    }, 20_000);

    it('searches alerts with a matcher filter and reports a bad one', async () => {
      await page.click('#tabs button[data-view=alerts]');
      await page.fill('#alerts-filter', '{severity="page", instance=~"api-.*"}');
      await page.click('#alerts-search');
      await page.waitForFunction(() => document.getElementById('alerts-count')?.textContent === '2 alerts');
      const names = await page.$$eval('#alerts-table td.alertname', (tds) => tds.map((t) => t.textContent));
      expect(names).toEqual(['HighLatency', 'HighLatency']);

      await page.fill('#alerts-filter', 'alertname=~"Disk.*"');
      await page.click('#alerts-search');
      await page.waitForFunction(() => document.getElementById('alerts-count')?.textContent === '1 alert');

      await page.fill('#alerts-filter', 'severity~"x');
      await page.click('#alerts-search');
      await page.waitForFunction(() => document.getElementById('app-error')?.textContent?.includes('400'));
    }, 15_000);

    it('lists the sessions and revokes another one', async () => {
      const other = await http.call('POST', `${node.url}/api/v1/auth/login`, {
        body: { tenant: 'team-a', username: 'victor', password: S.victor },
      });
      expect(other.status).toBe(200);
      const victor = other.body.token as string;
      const sid = other.body.sessionId as string;
      expect((await http.call('GET', `${node.url}/api/v1/groups`, { token: victor })).status).toBe(200);

      await page.click('#tabs button[data-view=sessions]');
      await page.waitForSelector(`#sessions-table tr[data-session="${sid}"]`);
      expect(await page.textContent('#sessions-table')).toContain('alice (this session)');
      await page.click(`#sessions-table button[data-session="${sid}"]`);
      await page.waitForSelector(`#sessions-table tr[data-session="${sid}"]`, { state: 'detached' });
      expect((await http.call('GET', `${node.url}/api/v1/groups`, { token: victor })).status).toBe(401);
    }, 15_000);

    it('shows cluster nodes and the queue, or says they are not available', async () => {
      await page.click('#tabs button[data-view=cluster]');
      await page.waitForFunction(() => (document.getElementById('cluster')?.textContent ?? '').length > 0);
      const status = await fetch(`${node.url}/api/v2/status`);
      if (status.status === 404) expect(await page.textContent('#cluster')).toContain('not available');
      await page.click('#tabs button[data-view=queue]');
      await page.waitForFunction(() => (document.getElementById('queue')?.textContent ?? '').length > 0);
    }, 10_000);

    it('updates live and ran without a CSP violation or script error', async () => {
      await page.click('#tabs button[data-view=groups]');
      await page.click('.subtabs button[data-state=firing]');
      await page.waitForFunction(() => document.querySelectorAll('#groups article.group').length === 3);
      const r = await http.call('POST', `${node.url}/api/v2/alerts`, {
        body: [{ labels: { alertname: 'LateArrival', instance: 'x-1' } }],
        token: S.key,
      });
      expect(r.status).toBe(200);
      await page.waitForFunction(
        () => document.getElementById('groups')?.textContent?.includes('LateArrival'),
        {
          timeout: 8_000,
        },
      );
      expect(consoleErrors.filter((e) => /Content Security Policy|Refused|Uncaught/i.test(e))).toEqual([]);
    }, 12_000);

    // ---- silences (API v2 with the dashboard session)
    const token = () => page.evaluate(() => sessionStorage.getItem('herald.token') as string);
    const silence = async (id: string) =>
      (await http.call('GET', `${node.url}/api/v2/silence/${id}`, { token: await token() })).body;
    const rowOf = (id: string) => `#silences tr[data-silence-id="${id}"]`;
    /** The values of the form's matcher rows as `name op value`. */
    const formMatchers = () =>
      page.$$eval('#silence-matchers .matcher-row', (rows) =>
        rows.map(
          (r: any) =>
            `${r.querySelector('.m-name').value} ${r.querySelector('.m-op').value} ${r.querySelector('.m-value').value}`,
        ),
      );
    let first = '';

    it('silences an alert from the groups view: the form is prefilled with its labels, the group links to the silence', async () => {
      await page.click('#tabs button[data-view=groups]');
      await page.click('.subtabs button[data-state=firing]');
      const api1 = page.locator('#groups tr.alert-row', { hasText: 'instance=api-1' });
      await api1.locator('button.silence-action').click();
      await page.waitForSelector('#silence-form', { state: 'visible' });
      expect(await page.getAttribute('#tabs button[data-view=silences]', 'class')).toContain('active');
      expect(await formMatchers()).toEqual([
        'alertname = HighLatency',
        'instance = api-1',
        'severity = page',
      ]);
      expect(await page.inputValue('#silence-duration')).toBe('2h');
      expect(await page.inputValue('#silence-created-by')).toBe('alice');
      const ends = Date.parse((await page.inputValue('#silence-ends')).replace(' ', 'T'));
      expect(Math.abs(ends - (Date.now() + 2 * 3_600_000))).toBeLessThan(10_000);

      await page.fill('#silence-duration', '90m');
      await page.fill('#silence-comment', `rolling restart ${XSS}`);
      await page.click('#silence-submit');
      await page.waitForFunction(() =>
        document.getElementById('silence-notice')?.textContent?.includes('created'),
      );
      first = (await page.getAttribute('#silence-notice a.silence-link', 'data-silence'))!;
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(await page.isHidden('#silence-form')).toBe(true);

      const s = await silence(first);
      expect(s).toMatchObject({
        status: { state: 'active' },
        createdBy: 'alice',
        comment: `rolling restart ${XSS}`,
        matchers: [
          { name: 'alertname', value: 'HighLatency', isRegex: false, isEqual: true },
          { name: 'instance', value: 'api-1', isRegex: false, isEqual: true },
          { name: 'severity', value: 'page', isRegex: false, isEqual: true },
        ],
      });
      expect(Math.abs(Date.parse(s.endsAt) - (Date.now() + 90 * 60_000))).toBeLessThan(10_000);

      // Listed under Active with its matchers, author, remaining time and full id; the comment is text.
      await page.waitForSelector(`#silences section[data-state=active] ${rowOf(first).slice(10)}`);
      const row = (await page.textContent(rowOf(first)))!;
      expect(row).toContain('alertname="HighLatency"');
      expect(row).toContain('instance="api-1"');
      expect(row).toMatch(/1h29m left|1h30m left/);
      expect(row).toContain(first);
      expect(row).toContain(XSS);
      expect(await page.$$('#silences img')).toHaveLength(0);
      expect(await page.textContent('#silences section[data-state=active] h3')).toBe('Active (1)');

      // The groups view shows the alert silenced, the id a link back to the silence.
      await page.click('#tabs button[data-view=groups]');
      const link = `#groups a.silence-link[data-silence="${first}"]`;
      await page.waitForSelector(link, { timeout: 8_000 });
      expect(await api1.locator('span.badge.quiet').textContent()).toBe('silenced');
      // The silence's id (a link), comment (text, never markup) and author.
      expect(await api1.locator('.why-quiet').textContent()).toBe(
        `silenced by ${first} (rolling restart ${XSS} — alice)`,
      );
      expect(
        await page
          .locator('#groups tr.alert-row', { hasText: 'instance=api-2' })
          .locator('.why-quiet')
          .count(),
      ).toBe(0);
      await page.click(link);
      await page.waitForSelector(`${rowOf(first)}.focus`);
      expect(await page.isVisible('#view-silences')).toBe(true);
    }, 20_000);

    it('edits a silence: a new comment keeps its id, new matchers replace it (new id shown), then expires it', async () => {
      await page.click(`${rowOf(first)} button.silence-edit`);
      await page.waitForSelector('#silence-form', { state: 'visible' });
      expect(await page.textContent('#silence-form-title')).toBe(`Edit silence ${first}`);
      expect(await page.inputValue('#silence-comment')).toBe(`rolling restart ${XSS}`);
      await page.fill('#silence-comment', 'rolling restart, day 2');
      await page.click('#silence-submit');
      await page.waitForFunction(() =>
        document.getElementById('silence-notice')?.textContent?.includes('updated'),
      );
      expect(await silence(first)).toMatchObject({
        status: { state: 'active' },
        comment: 'rolling restart, day 2',
      });

      await page.click(`${rowOf(first)} button.silence-edit`);
      const instance = page.locator('#silence-matchers .matcher-row').nth(1);
      await instance.locator('.m-op').selectOption('=~');
      await instance.locator('.m-value').fill('api-.*');
      await page.click('#silence-add-matcher');
      const extra = page.locator('#silence-matchers .matcher-row').nth(3);
      await extra.locator('.m-name').fill('env');
      await extra.locator('.m-op').selectOption('!=');
      await extra.locator('.m-value').fill('dev');
      await page.fill('#silence-duration', '3h');
      await page.click('#silence-submit');
      await page.waitForFunction(() =>
        document.getElementById('silence-notice')?.textContent?.includes('replaced'),
      );
      const replaced = (await page.getAttribute('#silence-notice a.silence-link', 'data-silence'))!;
      expect(replaced).not.toBe(first);
      expect(await page.textContent('#silence-notice')).toBe(
        `Silence ${first} was replaced: the new silence is ${replaced} (the old one is expired).`,
      );
      expect((await silence(first)).status.state).toBe('expired');
      const s = await silence(replaced);
      expect(s.matchers).toEqual([
        { name: 'alertname', value: 'HighLatency', isRegex: false, isEqual: true },
        { name: 'instance', value: 'api-.*', isRegex: true, isEqual: true },
        { name: 'severity', value: 'page', isRegex: false, isEqual: true },
        { name: 'env', value: 'dev', isRegex: false, isEqual: false },
      ]);
      expect(s.comment).toBe('rolling restart, day 2');
      await page.waitForSelector(`#silences section[data-state=active] tr[data-silence-id="${replaced}"]`);
      await page.waitForSelector(`#silences section[data-state=expired] tr[data-silence-id="${first}"]`);
      expect(await page.textContent(rowOf(replaced))).toContain('instance=~"api-.*"');
      expect(await page.textContent(rowOf(replaced))).toContain('env!="dev"');
      // An expired silence has no Expire button; its Edit recreates it.
      expect(await page.$(`${rowOf(first)} button.silence-expire`)).toBeNull();
      expect(await page.textContent(`${rowOf(first)} button.silence-edit`)).toBe('Recreate');

      await page.click(`${rowOf(replaced)} button.silence-expire`);
      await page.waitForFunction(() =>
        document.getElementById('silence-notice')?.textContent?.includes('expired'),
      );
      await page.waitForSelector(`#silences section[data-state=expired] tr[data-silence-id="${replaced}"]`);
      expect((await silence(replaced)).status.state).toBe('expired');
      expect(await page.textContent('#silences section[data-state=active]')).toContain('No active silences.');
      expect(await page.textContent(rowOf(replaced))).toMatch(/expired \d+s ago/);
      const shot = join(tmpdir(), `herald-ui-silences-${process.pid}.png`);
      await page.screenshot({ path: shot, fullPage: true });
      console.log(`ui.e2e: silences page screenshot: ${shot}`);
    }, 20_000);

    it("prefills a group's labels, and shows the API's error for a refused silence", async () => {
      await page.click('#tabs button[data-view=groups]');
      await page
        .locator('#groups article.group', { has: page.locator('h3', { hasText: 'alertname=NodeDown' }) })
        .locator('h3 button.silence-action')
        .click();
      await page.waitForSelector('#silence-form', { state: 'visible' });
      expect(await formMatchers()).toEqual(['alertname = NodeDown']);

      // Checked in the page: a duration it cannot read, a missing comment.
      await page.fill('#silence-duration', 'soon');
      await page.click('#silence-submit');
      await page.waitForFunction(() =>
        document.getElementById('silence-form-error')?.textContent?.startsWith('duration:'),
      );
      await page.fill('#silence-duration', '1h');
      await page.click('#silence-submit');
      await page.waitForFunction(() =>
        document.getElementById('silence-form-error')?.textContent?.startsWith('comment:'),
      );

      // Refused by the API: its {error, field} is shown, nothing is created.
      const before = (await http.call('GET', `${node.url}/api/v2/silences`, { token: await token() })).body
        .length;
      const m = page.locator('#silence-matchers .matcher-row').first();
      await m.locator('.m-op').selectOption('=~');
      await m.locator('.m-value').fill('.*');
      await page.fill('#silence-comment', 'too broad');
      await page.click('#silence-submit');
      await page.waitForFunction(() =>
        document.getElementById('silence-form-error')?.textContent?.includes('400'),
      );
      expect(await page.textContent('#silence-form-error')).toBe(
        'create: HTTP 400: silence invalid: at least one matcher must not match the empty string (field: matchers)',
      );
      expect(await page.isVisible('#silence-form')).toBe(true);
      expect(
        (await http.call('GET', `${node.url}/api/v2/silences`, { token: await token() })).body,
      ).toHaveLength(before);
      await page.click('#silence-cancel');
      expect(await page.isHidden('#silence-form')).toBe(true);
    }, 15_000);

    it('a viewer sees the silences but no button that would write', async () => {
      const viewer = await ctx.newPage();
      try {
        await viewer.goto(`${node.url}/ui`);
        await viewer.fill('#login-tenant', 'team-a');
        await viewer.fill('#login-username', 'victor');
        await viewer.fill('#login-password', S.victor);
        await viewer.click('#login-submit');
        await viewer.waitForSelector('#groups article.group', { timeout: 10_000 });
        expect(await viewer.$$('#groups button.silence-action')).toHaveLength(0);
        await viewer.click('#tabs button[data-view=silences]');
        await viewer.waitForSelector('#silences section[data-state=expired] tr.silence-row');
        expect(await viewer.isVisible('#silences-readonly')).toBe(true);
        expect(await viewer.isHidden('#silence-new')).toBe(true);
        expect(await viewer.$$('#silences button')).toHaveLength(0);
      } finally {
        await viewer.close();
      }
      expect(consoleErrors.filter((e) => /Content Security Policy|Refused|Uncaught/i.test(e))).toEqual([]);
    }, 15_000);

    it("a viewer's Retry of a dead letter is refused with 403, and the page says so", async () => {
      const r = await http.call('POST', `${node.url}/api/v2/alerts`, {
        body: [{ labels: { alertname: 'Undeliverable', severity: 'page' } }],
        token: S.key,
      });
      expect(r.status).toBe(200);
      const admin = await http.token(node.url, 'team-a', 'alice', S.alice);
      const dead = await waitUntil(
        async () => {
          const q = await http.call('GET', `${node.url}/api/v1/queue`, { token: admin });
          return q.body.deadLetters?.[0]?.id as string | undefined;
        },
        { timeoutMs: 10_000, intervalMs: 100, what: 'the dead letter of the broken webhook' },
      );
      const viewer = await ctx.newPage();
      try {
        await viewer.goto(`${node.url}/ui`);
        await viewer.fill('#login-tenant', 'team-a');
        await viewer.fill('#login-username', 'victor');
        await viewer.fill('#login-password', S.victor);
        await viewer.click('#login-submit');
        // The group card tells the dead letter, with a link to the queue.
        const card = viewer.locator('#groups article.group', { hasText: 'alertname=Undeliverable' });
        await card.locator('.outcome.dead-lettered').first().waitFor({ timeout: 10_000 });
        // The last notification (from the history) and the dead letter waiting in the queue.
        expect(await card.locator('.last-notification').textContent()).toMatch(
          /^last notification (just now|\S+ ago) · first notification · to broken \(webhook\) · dead-lettered · webhook\[0\]: clientError: HTTP 400: sink says 400 · history1 dead letter waiting for a retry · queue$/,
        );
        await card.locator('.last-notification a.queue-link').click();
        const retry = viewer.locator(`#queue button.retry[data-dead="${dead}"]`);
        await retry.click();
        await viewer.waitForFunction(() =>
          document.getElementById('app-error-text')?.textContent?.includes('not allowed'),
        );
        expect(await viewer.textContent('#app-error-text')).toBe(
          'retry: not allowed: this action needs the admin role',
        );
        expect(await viewer.isVisible('#app-error')).toBe(true);
        expect(await viewer.textContent(`#queue .dead[data-dead="${dead}"] .action-error`)).toBe(
          ' retry: not allowed: this action needs the admin role',
        );
        expect(await retry.isEnabled()).toBe(true);
        await viewer.screenshot({ path: shotPath('viewer-403'), fullPage: true });
        // Still there: nothing was retried.
        const q = await http.call('GET', `${node.url}/api/v1/queue`, { token: admin });
        expect(q.body.deadLetters.map((d: { id: string }) => d.id)).toContain(dead);
        await viewer.click('#app-error-close');
        expect(await viewer.isHidden('#app-error')).toBe(true);
      } finally {
        await viewer.close();
      }
    }, 30_000);
  });
});

/** Chromium with a fresh profile, as the suite above starts it. */
async function launch(width = 1280, height = 900): Promise<{ ctx: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(join(tmpdir(), 'herald-ui-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width, height },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  return {
    ctx,
    close: async () => {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Screenshots the report describes (kept after the run). */
const SHOTS = '/tmp/ui-shots';
function shotPath(name: string): string {
  mkdirSync(SHOTS, { recursive: true });
  return join(SHOTS, `${name}.png`);
}

const ZERO_CONFIG = `
route:
  receiver: ops
  group_by: [alertname]
  group_wait: 1h
  routes:
    - matchers: [team="db"]
      receiver: db
      mute_time_intervals: [always]
receivers:
  - name: ops
  - name: db
time_intervals:
  - name: always
    time_intervals:
      - times: [{ start_time: '00:00', end_time: '24:00' }]
inhibit_rules:
  - name: latency hides noise
    source_matchers: [alertname="HighLatency"]
    target_matchers: [alertname="Noise"]
`;

/** Severity colours of the light theme (the card's left border). */
const COLOUR = {
  critical: 'rgb(198, 40, 40)',
  warning: 'rgb(224, 148, 0)',
  info: 'rgb(30, 111, 217)',
  none: 'rgb(138, 148, 166)',
};

describe('dashboard without tenants (zero-config): triage', () => {
  let node: TestNode;
  const http = new Client();
  let silenceId = '';
  const ago = (ms: number) => new Date(Date.now() - ms).toISOString();
  const MIN = 60_000;
  const startsApi1 = ago(120 * MIN);

  beforeAll(async () => {
    node = await startNode(ZERO_CONFIG, { HERALD_NODE_ID: 'ui-zero' }, { logger: new CapturingLogger() });
    const alert = (
      labels: Record<string, string>,
      startsAt: string,
      annotations = {},
      generatorURL?: string,
    ) => ({
      labels,
      startsAt,
      annotations,
      ...(generatorURL ? { generatorURL } : {}),
    });
    const r = await http.call('POST', `${node.url}/api/v2/alerts`, {
      body: [
        alert(
          { alertname: 'HighLatency', severity: 'critical', team: 'api', instance: 'api-1' },
          startsApi1,
          {
            summary: 'p99 above 2s',
            description: 'The API answers slowly.',
            runbook_url: 'https://runbooks.example/latency',
          },
          'http://prometheus.example:9090/graph?g0.expr=up',
        ),
        alert(
          { alertname: 'HighLatency', severity: 'critical', team: 'api', instance: 'api-2' },
          ago(10 * MIN),
        ),
        alert({ alertname: 'DiskFull', severity: 'warning', team: 'db', instance: 'db-1' }, ago(180 * MIN), {
          summary: 'disk 95% full',
          runbook_url: 'javascript:alert(1)',
        }),
        alert({ alertname: 'CertExpiry', severity: 'info', team: 'edge', instance: 'lb-1' }, ago(30 * MIN)),
        alert({ alertname: 'Noise', team: 'edge', instance: 'x-1' }, ago(5 * MIN)),
        ...['q-1', 'q-2', 'q-3'].map((i) =>
          alert({ alertname: 'QueueBacklog', severity: 'warning', team: 'api', instance: i }, ago(20 * MIN)),
        ),
      ],
    });
    expect(r.status).toBe(200);
    const s = await http.call('POST', `${node.url}/api/v2/silences`, {
      body: {
        matchers: [{ name: 'alertname', value: 'CertExpiry', isRegex: false, isEqual: true }],
        startsAt: new Date().toISOString(),
        endsAt: new Date(Date.now() + 3_600_000).toISOString(),
        createdBy: 'erin',
        comment: 'renewal scheduled',
      },
    });
    expect(s.status).toBe(200);
    silenceId = s.body.silenceID as string;
  });
  afterAll(async () => {
    await node?.close();
  });

  it('serves /ui/ like /ui, says there is no login, answers unknown paths as {error, field}', async () => {
    const a = await fetch(`${node.url}/ui`);
    const b = await fetch(`${node.url}/ui/`);
    expect(b.status).toBe(200);
    expect(b.headers.get('content-security-policy')).toBe(a.headers.get('content-security-policy'));
    expect(await b.text()).toBe(await a.text());
    expect((await http.call('GET', `${node.url}/ui/mode.json`)).body).toEqual({
      login: false,
      tenant: 'default',
    });
    for (const path of ['/ui/nope', '/nope?token=secret']) {
      const r = await http.call('GET', `${node.url}${path}`);
      expect([r.status, r.body]).toEqual([
        404,
        { error: `no such route: GET ${path.split('?')[0]}`, field: 'path' },
      ]);
    }
    // The admin API reads without a session, as the v2 API does without tenants.
    expect((await http.call('GET', `${node.url}/api/v1/groups`)).status).toBe(200);
    expect((await http.call('GET', `${node.url}/api/v1/queue`)).status).toBe(200);
  });

  (HAS_CHROMIUM ? describe : describe.skip)('in chromium', () => {
    let browser: { ctx: BrowserContext; close(): Promise<void> };
    let page: Page;
    const errors: string[] = [];
    const requests: string[] = [];

    beforeAll(async () => {
      browser = await launch();
      page = browser.ctx.pages()[0] ?? (await browser.ctx.newPage());
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('request', (r) => requests.push(new URL(r.url()).pathname));
    }, 20_000);
    afterAll(async () => {
      await browser?.close();
    });

    /** The cards' first label chip (alertname=… or the group-by label), in page order. */
    const cards = () =>
      page.$$eval('#groups article.group', (as) =>
        as.map((a) => (a.querySelector('h3 .label')?.textContent ?? '').replace(/^[^=]*=/, '')),
      );
    const choose = async (id: string, value: string) => {
      await page.selectOption(`#${id}`, value);
    };
    const rendered = async () => Number(await page.getAttribute('#groups', 'data-rendered'));
    /**
     * Flips HighLatency api-2 between resolved and firing: a change, so the live event that tells the
     * page to read again (a re-send that changes nothing but endsAt is no news, and sends none). An even
     * number of calls leaves it firing, as it started.
     */
    let api2Firing = true;
    const resend = async () => {
      api2Firing = !api2Firing;
      const labels = { alertname: 'HighLatency', severity: 'critical', team: 'api', instance: 'api-2' };
      const r = await http.call('POST', `${node.url}/api/v2/alerts`, {
        body: [api2Firing ? { labels } : { labels, endsAt: new Date().toISOString() }],
      });
      expect(r.status).toBe(200);
    };
    const filter = async (text: string) => {
      await page.fill('#g-filter', text);
      await page.press('#g-filter', 'Enter');
    };

    it('opens at /ui/ without a login and shows every group with its severity colour', async () => {
      await page.goto(`${node.url}/ui/`);
      await page.waitForFunction(() => document.querySelectorAll('#groups article.group').length === 5);
      expect(await page.isHidden('#login-view')).toBe(true);
      expect(await page.isHidden('#logout')).toBe(true);
      expect(await page.isHidden('#tabs button[data-view=sessions]')).toBe(true);
      expect(await page.textContent('#who')).toContain('no login');
      const painted = await page.$$eval('#groups article.group', (as) =>
        as.map((a) => [
          a.querySelector('td.alertname')?.textContent,
          a.getAttribute('data-severity'),
          getComputedStyle(a).borderLeftColor,
        ]),
      );
      expect(painted.sort()).toEqual(
        [
          ['CertExpiry', 'info', COLOUR.info],
          ['DiskFull', 'warning', COLOUR.warning],
          ['HighLatency', 'critical', COLOUR.critical],
          ['Noise', 'none', COLOUR.none],
          ['QueueBacklog', 'warning', COLOUR.warning],
        ].sort(),
      );
      await page.screenshot({ path: shotPath('groups-light-1280'), fullPage: true });
    }, 20_000);

    it('sorts by severity, age and size', async () => {
      await choose('g-sort', 'severity');
      expect(await cards()).toEqual(['HighLatency', 'DiskFull', 'QueueBacklog', 'CertExpiry', 'Noise']);
      await choose('g-sort', 'age');
      expect(await cards()).toEqual(['DiskFull', 'HighLatency', 'CertExpiry', 'QueueBacklog', 'Noise']);
      await choose('g-sort', 'newest');
      expect(await cards()).toEqual(['Noise', 'QueueBacklog', 'CertExpiry', 'HighLatency', 'DiskFull']);
      await choose('g-sort', 'size');
      expect(await cards()).toEqual(['QueueBacklog', 'HighLatency', 'DiskFull', 'CertExpiry', 'Noise']);
      await choose('g-sort', 'severity');
    });

    it('filters by matchers, receiver and state (silenced, inhibited, muted), and says what is shown', async () => {
      await filter('severity=critical');
      expect(await cards()).toEqual(['HighLatency']);
      expect(await page.textContent('#groups-summary')).toContain('1 group · 2 alerts (filtered)');
      await filter('severity=~"warn.*", instance!="q-2"');
      expect(await cards()).toEqual(['DiskFull', 'QueueBacklog']);
      expect(await page.$$eval('#groups td.alertname', (t) => t.length)).toBe(3);
      await filter('team!=api');
      expect(await cards()).toEqual(['DiskFull', 'CertExpiry', 'Noise']);
      // A matcher the page cannot read is an error, never a silent "nothing matches".
      await filter('severity=~"(unclosed"');
      await page.waitForFunction(() =>
        document.getElementById('app-error-text')?.textContent?.includes('filter:'),
      );
      expect(await page.isVisible('#app-error')).toBe(true);
      expect(await page.getAttribute('#g-filter', 'class')).toContain('invalid');
      await filter('');
      expect(await page.isHidden('#app-error')).toBe(true);
      expect(await cards()).toHaveLength(5);

      await choose('g-receiver', 'db');
      expect(await cards()).toEqual(['DiskFull']);
      await choose('g-receiver', '');
      await choose('g-state', 'silenced');
      expect(await cards()).toEqual(['CertExpiry']);
      const why = (await page.textContent('#groups .why-quiet'))!;
      expect(why).toBe(`silenced by ${silenceId} (renewal scheduled — erin)`);
      await choose('g-state', 'inhibited');
      expect(await cards()).toEqual(['Noise']);
      expect(await page.textContent('#groups .why-quiet')).toMatch(
        /^inhibited by HighLatency instance=api-\d severity=critical team=api \(rule latency hides noise\) [0-9a-f]{16}$/,
      );
      await choose('g-state', 'muted');
      expect(await cards()).toEqual(['DiskFull']);
      expect(await page.textContent('#groups article.group')).toContain(
        'Notifications muted now by time interval always',
      );
      await choose('g-state', 'active');
      expect(await cards()).toEqual(['HighLatency', 'QueueBacklog']);
      await page.click('#g-clear');
      expect(await cards()).toHaveLength(5);
    }, 15_000);

    it('groups by any label', async () => {
      await choose('g-groupby', 'team');
      await choose('g-sort', 'size');
      expect(await cards()).toEqual(['api', 'edge', 'db']);
      const api = page.locator('#groups article.group').first();
      expect(await api.locator('td.alertname').allTextContents()).toHaveLength(5);
      expect(await api.getAttribute('data-severity')).toBe('critical');
      expect(await api.locator('.meta').textContent()).toContain('2 routing groups');
      await choose('g-groupby', '');
      await choose('g-sort', 'severity');
      expect(await cards()).toHaveLength(5);
    });

    it('shows annotations (only http(s) URLs as links) and relative times with the absolute one on hover', async () => {
      const row = page.locator('#groups tr.alert-row', { hasText: 'instance=api-1' });
      expect(await row.locator('.annotations .summary').textContent()).toBe('p99 above 2s');
      expect(await row.locator('.annotations .description').textContent()).toBe('The API answers slowly.');
      expect(await row.locator('a.runbook').getAttribute('href')).toBe('https://runbooks.example/latency');
      expect(await row.locator('a.runbook').getAttribute('rel')).toBe('noopener noreferrer');
      expect(await row.locator('a.generator').getAttribute('href')).toBe(
        'http://prometheus.example:9090/graph?g0.expr=up',
      );
      const t = row.locator('time.rel');
      expect(await t.textContent()).toMatch(/^(2h0m|1h59m) ago$/);
      expect(await t.getAttribute('title')).toContain(startsApi1.replace('T', ' ').replace(/\.\d+Z$/, 'Z'));
      const disk = page.locator('#groups tr.alert-row', { hasText: 'instance=db-1' });
      expect(await disk.locator('a').count()).toBe(0);
      expect(await disk.textContent()).toContain('runbook_url: javascript:alert(1)');
    });

    it('collapses and expands a group, and keeps it collapsed across refreshes', async () => {
      const card = () => page.locator('#groups article.group', { hasText: 'alertname=HighLatency' });
      await card().locator('button.toggle').click();
      expect(await card().locator('.group-body').isHidden()).toBe(true);
      expect(await card().locator('button.toggle').getAttribute('aria-expanded')).toBe('false');
      // A live event (an alert of it resolves) draws the cards again: the group stays collapsed.
      const drawn = await rendered();
      await resend();
      await page.waitForFunction(
        (n) => Number(document.getElementById('groups')?.getAttribute('data-rendered')) > n,
        drawn,
        { timeout: 5_000 },
      );
      await page.waitForFunction(() => document.querySelectorAll('#groups article.group').length === 5);
      expect(await card().locator('.group-body').isHidden()).toBe(true);
      await card().locator('button.toggle').click();
      expect(await card().locator('.group-body').isVisible()).toBe(true);
      await page.click('#g-collapse');
      expect(await page.$$eval('#groups .group-body', (b) => b.every((x: any) => x.hidden))).toBe(true);
      await page.click('#g-expand');
      expect(await page.$$eval('#groups .group-body', (b) => b.every((x: any) => !x.hidden))).toBe(true);
    }, 15_000);

    it('reads lists, not groups: one refresh is a handful of requests whatever the number of groups', async () => {
      expect(await page.textContent('#live')).toBe('live');
      const from = requests.length;
      const drawn = await rendered();
      await resend();
      await page.waitForFunction(
        (n) => Number(document.getElementById('groups')?.getAttribute('data-rendered')) > n,
        drawn,
        { timeout: 5_000 },
      );
      const refresh = requests.slice(from);
      expect(refresh.filter((p) => /^\/api\/v1\/groups\/[0-9a-f]{16}$/.test(p))).toEqual([]);
      expect([...refresh].sort()).toEqual(
        [
          '/api/v1/alerts',
          '/api/v1/groups',
          '/api/v1/notifications',
          '/api/v1/queue',
          '/api/v2/silences',
        ].sort(),
      );
      expect(requests.filter((p) => /^\/api\/v1\/groups\/[0-9a-f]{16}$/.test(p))).toEqual([]);
    }, 15_000);

    it('a storm of events is at most one re-read per second', async () => {
      const reads = () => requests.filter((p) => p === '/api/v1/alerts').length;
      const before = reads();
      const t0 = Date.now();
      for (let i = 0; i < 30; i++) await resend(); // 30 events, one after the other
      const drawn = await rendered();
      await page.waitForFunction(
        (n) => Number(document.getElementById('groups')?.getAttribute('data-rendered')) > n,
        drawn,
        { timeout: 5_000 },
      );
      const seconds = (Date.now() - t0) / 1000;
      const n = reads() - before;
      process.stderr.write(`[ui] 30 events in ${seconds.toFixed(1)} s → ${n} re-reads\n`);
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThanOrEqual(Math.ceil(seconds) + 1);
    }, 20_000);

    it('dark mode: follows prefers-color-scheme, and the toggle is remembered in this browser', async () => {
      const bg = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      const stored = () => page.evaluate(() => window.localStorage.getItem('herald.theme'));
      await page.emulateMedia({ colorScheme: 'light' });
      expect(await bg()).toBe('rgb(245, 246, 248)');
      await page.emulateMedia({ colorScheme: 'dark' });
      expect(await bg()).toBe('rgb(18, 21, 27)');
      // The toggle's label follows the system's change (a media query event).
      await page.waitForFunction(() => document.getElementById('theme-toggle')?.textContent === 'Light mode');
      await page.screenshot({ path: shotPath('groups-dark-1280'), fullPage: true });
      // The toggle picks light against a dark system, and keeps it after a reload.
      await page.click('#theme-toggle');
      expect(await bg()).toBe('rgb(245, 246, 248)');
      expect(await stored()).toBe('light');
      await page.reload();
      await page.waitForSelector('#groups article.group');
      expect(await bg()).toBe('rgb(245, 246, 248)');
      expect(await page.textContent('#theme-toggle')).toBe('Dark mode');
      // Toggling back to what the system says follows the system again.
      await page.click('#theme-toggle');
      expect(await bg()).toBe('rgb(18, 21, 27)');
      expect(await stored()).toBeNull();
      await page.emulateMedia({ colorScheme: 'light' });
      expect(await bg()).toBe('rgb(245, 246, 248)');
      await page.click('#theme-toggle');
      expect(await stored()).toBe('dark');
      expect(await bg()).toBe('rgb(18, 21, 27)');
      // The severity colours stay distinct on the dark background.
      const borders = await page.$$eval('#groups article.group', (as) =>
        as.map((a) => getComputedStyle(a).borderLeftColor),
      );
      expect(new Set(borders).size).toBe(4);
      await page.click('#theme-toggle');
      expect(await stored()).toBeNull();
    }, 20_000);

    it('fits a 390 px phone: no tab, table or form wider than the screen', async () => {
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = () =>
        page.evaluate(() => {
          const wide = Array.from(document.querySelectorAll('body *'))
            .filter((e: any) => e.getClientRects().length && e.getBoundingClientRect().right > 391)
            .map((e: any) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`)
            .slice(0, 5);
          return { scrollWidth: document.documentElement.scrollWidth, wide };
        });
      for (const view of ['groups', 'alerts', 'silences', 'history', 'cluster', 'queue']) {
        await page.click(`#tabs button[data-view=${view}]`);
        await page.waitForFunction((v) => !document.getElementById(`view-${v}`)?.hidden, view);
        if (view === 'groups') await page.waitForSelector('#groups article.group');
        if (view === 'alerts') {
          await page.fill('#alerts-filter', 'team="api"');
          await page.click('#alerts-search');
          await page.waitForFunction(
            () => document.getElementById('alerts-count')?.textContent === '5 alerts',
          );
        }
        if (view === 'silences') {
          await page.waitForSelector('#silences tr.silence-row');
          await page.click('#silence-new');
          await page.waitForSelector('#silence-form', { state: 'visible' });
        }
        expect({ view, ...(await overflow()) }).toEqual({ view, scrollWidth: 390, wide: [] });
        if (view === 'groups') await page.screenshot({ path: shotPath('groups-390'), fullPage: true });
        if (view === 'silences') {
          await page.screenshot({ path: shotPath('silences-390'), fullPage: true });
          await page.click('#silence-cancel');
        }
      }
      await page.click('#tabs button[data-view=groups]');
      await page.setViewportSize({ width: 1280, height: 900 });
      expect(errors.filter((e) => /Content Security Policy|Refused|Uncaught/i.test(e))).toEqual([]);
    }, 30_000);

    it('falls back to polling when the live stream cannot be opened', async () => {
      // A browser of its own: tabs of one browser share the stream of the tab that holds it.
      const solo = await launch();
      const other = solo.ctx.pages()[0] ?? (await solo.ctx.newPage());
      try {
        await other.route('**/api/v1/events', (r) => r.abort());
        await other.goto(`${node.url}/ui/`);
        await other.waitForFunction(() => document.querySelectorAll('#groups article.group').length === 5);
        await other.waitForFunction(
          () => document.getElementById('live')?.textContent === 'polling every 5s',
        );
        const r = await http.call('POST', `${node.url}/api/v2/alerts`, {
          body: [{ labels: { alertname: 'PolledIn', severity: 'info' } }],
        });
        expect(r.status).toBe(200);
        await other.waitForFunction(
          () => document.getElementById('groups')?.textContent?.includes('PolledIn'),
          null,
          {
            timeout: 8_000,
          },
        );
      } finally {
        await solo.close();
      }
    }, 20_000);
  });
});

/**
 * Two node processes on one Redis: the dashboard open on node B follows what arrives through node A
 * (live events), shows each group's last notification, and the History view lists every attempt.
 */
describe('dashboard across two nodes on one Redis: live updates and notification history', () => {
  const T = { key: secret('key-live'), alice: secret('pw-alice') };
  let redis: RedisServer;
  let sink: HttpSink;
  let a: NodeProcess;
  let b: NodeProcess;
  const http = new Client();

  beforeAll(async () => {
    redis = await RedisServer.start({ args: ['--maxmemory-policy', 'noeviction'] });
    ({ sink, a, b } = await startNodePair(
      ['live-a', 'live-b'],
      { REDIS_URL: redis.url },
      await tenantsYaml([
        { id: 'team-a', keys: [T.key], users: [{ username: 'alice', password: T.alice, role: 'admin' }] },
      ]),
    ));
  }, 90_000);
  afterAll(async () => {
    await Promise.all([a?.kill(), b?.kill()]);
    await sink?.stop();
    await redis?.stop();
  });

  const post = (node: NodeProcess, alertname: string, labels: Record<string, string> = {}) =>
    http.call('POST', `${node.url}/api/v2/alerts`, {
      token: T.key,
      body: [{ labels: { alertname, ...labels }, annotations: { summary: `${alertname} via ${node.id}` } }],
    });

  (HAS_CHROMIUM ? describe : describe.skip)('in chromium', () => {
    let browser: { ctx: BrowserContext; close(): Promise<void> };
    let page: Page;
    const errors: string[] = [];

    beforeAll(async () => {
      browser = await launch();
      page = browser.ctx.pages()[0] ?? (await browser.ctx.newPage());
      page.on('pageerror', (e) => errors.push(String(e)));
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      page.setDefaultTimeout(8_000);
      await page.goto(`${b.url}/ui/`);
      await page.fill('#login-tenant', 'team-a');
      await page.fill('#login-username', 'alice');
      await page.fill('#login-password', T.alice);
      await page.click('#login-submit');
      await page.waitForSelector('#view-groups:not([hidden])');
      // The live stream (with the session in its Authorization header) is open.
      await page.waitForFunction(() => document.getElementById('live')?.textContent === 'live', null, {
        timeout: 10_000,
      });
    }, 30_000);
    afterAll(async () => {
      await browser?.close();
    });

    const card = (name: string) => page.locator('#groups article.group', { hasText: `alertname=${name}` });

    it('an alert posted to node A shows on node B within 1 s, then its delivered notification', async () => {
      const t0 = Date.now();
      expect((await post(a, 'LiveOne', { severity: 'warning' })).status).toBe(200);
      await page.waitForFunction(
        () => document.getElementById('groups')?.textContent?.includes('LiveOne'),
        null,
        {
          timeout: 5_000,
        },
      );
      const latency = Date.now() - t0;
      process.stderr.write(`[ui] alert posted to node A → on node B's dashboard in ${latency} ms\n`);
      expect(latency).toBeLessThan(1_000);
      // The flush delivers it (group_wait 200ms); the notification event redraws the card.
      await card('LiveOne').locator('.outcome.delivered').waitFor({ timeout: 10_000 });
      expect(await card('LiveOne').locator('.last-notification').textContent()).toMatch(
        /^last notification (just now|\S+ ago) · first notification · to hook \(webhook\) · delivered · history$/,
      );
      expect(await page.textContent('#live')).toBe('live');
    }, 20_000);

    it('a refused notification shows dead-lettered on its card', async () => {
      expect((await post(a, 'BadHook', { severity: 'critical' })).status).toBe(200);
      await card('BadHook')
        .locator('.last-notification .outcome.dead-lettered')
        .first()
        .waitFor({ timeout: 10_000 });
      expect(await card('BadHook').locator('.last-notification').textContent()).toContain(
        '· to hook (webhook) · dead-lettered · ',
      );
      await page.screenshot({ path: shotPath('groups-live-history'), fullPage: true });
    }, 20_000);

    it('History lists every attempt, newest first, filtered by group and by receiver', async () => {
      await card('BadHook').locator('a.history-link').click();
      await page.waitForSelector('#view-history:not([hidden])');
      const rows = () =>
        page.$$eval('#history-table tbody tr.notification', (trs) =>
          trs.map((tr) => ({
            at: Date.parse(tr.querySelector('time')?.getAttribute('datetime') ?? ''),
            outcome: tr.querySelector('.outcome')?.textContent,
            group: tr.querySelector('td[data-label=group] .muted')?.textContent,
            receiver: tr.querySelector('a.receiver-filter')?.textContent,
          })),
        );
      const newestFirst = (r: { at: number }[]) => r.every((x, i) => i === 0 || r[i - 1].at >= x.at);
      // Opened from the card: that group only (BadHook's flushes keep failing: one dead letter each).
      await page.waitForFunction(
        () => document.querySelectorAll('#history-table tr.notification').length > 0,
      );
      expect(await page.inputValue('#h-group')).toMatch(/^[0-9a-f]{16}$/);
      const bad = await rows();
      expect(bad.length).toBeGreaterThan(0);
      for (const r of bad)
        expect(r).toMatchObject({ outcome: 'dead-lettered', group: 'alertname=BadHook', receiver: 'hook' });
      expect(await page.textContent('#history-count')).toMatch(/^\d+ notifications? · filtered$/);
      // All of them, newest first: LiveOne's delivery among BadHook's failures.
      await page.click('#h-clear');
      await page.waitForFunction(() =>
        Array.from(document.querySelectorAll('#history-table tr.notification')).some((tr: any) =>
          tr.textContent?.includes('alertname=LiveOne'),
        ),
      );
      const all = await rows();
      expect(newestFirst(all)).toBe(true);
      expect(all.filter((r) => r.group === 'alertname=LiveOne')).toEqual([
        expect.objectContaining({ outcome: 'delivered', receiver: 'hook' }),
      ]);
      const badRow = page
        .locator('#history-table tbody tr.notification', { hasText: 'alertname=BadHook' })
        .first();
      const cells = await badRow.locator('td').allTextContents();
      expect(cells[3]).toBe('first notification'); // reason
      expect(cells[4]).toBe('1'); // alerts
      expect(cells[5]).toBe('1'); // attempt
      expect(cells[7]).toContain('400'); // status
      expect(['live-a', 'live-b']).toContain(cells[8]); // the node that sent it
      expect(cells[9]).toMatch(/\S{8,}/); // idempotency key
      await page.screenshot({ path: shotPath('history-1280'), fullPage: true });
      // By receiver (a link in the table), and a receiver with nothing.
      await page.click('#history-table a.receiver-filter >> nth=0');
      await page.waitForFunction(() =>
        / · filtered$/.test(document.getElementById('history-count')?.textContent ?? ''),
      );
      expect(await page.inputValue('#h-receiver')).toBe('hook');
      for (const r of await rows()) expect(r.receiver).toBe('hook');
      await page.fill('#h-receiver', 'nobody');
      await page.click('#h-apply');
      await page.waitForFunction(
        () => document.getElementById('history-count')?.textContent === '0 notifications · filtered',
      );
      expect(await page.textContent('#history-table tbody')).toContain('No notifications match the filter.');
      // A bad group id is the API's 400, shown.
      await page.fill('#h-receiver', '');
      await page.fill('#h-group', 'not-an-id');
      await page.click('#h-apply');
      await page.waitForFunction(() =>
        document.getElementById('app-error-text')?.textContent?.includes('400'),
      );
      expect(await page.textContent('#app-error-text')).toBe(
        'history: HTTP 400: group: must be a group id (16 hex digits) (field group)',
      );
      // New attempts arrive live in the open History view.
      await page.click('#h-clear');
      await page.waitForFunction(
        () => document.querySelectorAll('#history-table tr.notification').length > 1,
      );
      expect(await page.isHidden('#app-error')).toBe(true);
      expect((await post(a, 'LiveTwo')).status).toBe(200);
      await page.waitForFunction(
        () =>
          Array.from(document.querySelectorAll('#history-table tr.notification')).some((tr: any) =>
            tr.textContent?.includes('LiveTwo'),
          ),
        null,
        { timeout: 10_000 },
      );
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBe(390);
      await page.screenshot({ path: shotPath('history-390'), fullPage: true });
      await page.setViewportSize({ width: 1280, height: 900 });
      expect(errors.filter((e) => /Content Security Policy|Refused|Uncaught/i.test(e))).toEqual([]);
    }, 30_000);

    it("nine tabs of one user share one stream: all update live, and closing the stream's tab hands it over", async () => {
      const sse = async (node: NodeProcess) => {
        const m = /^herald_sse_clients (\d+)/m.exec(await (await fetch(`${node.url}/metrics`)).text());
        return Number(m?.[1] ?? NaN);
      };
      await page.click('#tabs button[data-view=groups]');
      // The session of the first tab, copied into eight more (a tab's session lives in its sessionStorage).
      const session = await page.evaluate(() => ({ ...sessionStorage }));
      const tabs: Page[] = [page];
      for (let i = 0; i < 8; i++) {
        const t = await browser.ctx.newPage();
        t.setDefaultTimeout(8_000);
        t.on('pageerror', (e) => errors.push(String(e)));
        await t.addInitScript((s: Record<string, string>) => {
          for (const [k, v] of Object.entries(s)) sessionStorage.setItem(k, v);
        }, session);
        await t.goto(`${b.url}/ui/`);
        await t.waitForSelector('#view-groups:not([hidden])');
        tabs.push(t);
      }
      // Every tab live — over the one stream the first tab holds (with 9 streams the browser's 6
      // connections per host would be used up and the seventh tab's reads would wait).
      for (const t of tabs)
        await t.waitForFunction(() => document.getElementById('live')?.textContent === 'live', null, {
          timeout: 10_000,
        });
      expect(await sse(b)).toBe(1);
      const shows = (name: string, among: Page[]) =>
        Promise.all(
          among.map((t) =>
            t.waitForFunction((n) => document.getElementById('groups')?.textContent?.includes(n), name, {
              timeout: 5_000,
            }),
          ),
        );
      const t0 = Date.now();
      expect((await post(a, 'SharedOne', { severity: 'info' })).status).toBe(200);
      await shows('SharedOne', tabs);
      process.stderr.write(
        `[ui] 9 tabs, one stream: alert via node A on all of them in ${Date.now() - t0} ms\n`,
      );
      // The stream's tab closes: another takes the lock and the stream, resuming from the last event id.
      await page.close();
      const rest = tabs.slice(1);
      await waitUntil(async () => (await sse(b)) === 1, { what: 'one stream again', timeoutMs: 10_000 });
      expect((await post(a, 'SharedTwo', { severity: 'info' })).status).toBe(200);
      await shows('SharedTwo', rest);
      for (const t of rest) expect(await t.textContent('#live')).toBe('live');
      expect(await sse(b)).toBe(1);
      expect(errors.filter((e) => /Content Security Policy|Refused|Uncaught/i.test(e))).toEqual([]);
    }, 60_000);
  });
});
