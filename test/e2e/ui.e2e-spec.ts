import { existsSync, mkdtempSync, rmSync, statSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startNode, type TestNode } from '../harness/app';
import { CapturingLogger, Client, secret, tenantsYaml } from '../harness/tenants';

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

async function config(): Promise<string> {
  return `
route:
  receiver: default
  group_by: [alertname]
  group_wait: 30s
  group_interval: 5m
  repeat_interval: 4h
receivers:
  - name: default
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
  const http = new Client();
  const logs = new CapturingLogger();

  beforeAll(async () => {
    node = await startNode(await config(), { HERALD_NODE_ID: 'ui-1' }, { logger: logs });
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
      // Real data painted: the group cards have their red firing border and badges on screen.
      const painted = await page.$$eval('#groups article.group', (as) =>
        as.map((a) => {
          const r = a.getBoundingClientRect();
          return { h: r.height, w: r.width, border: getComputedStyle(a).borderLeftColor };
        }),
      );
      for (const p of painted) {
        expect(p.h).toBeGreaterThan(60);
        expect(p.w).toBeGreaterThan(600);
        expect(p.border).toBe('rgb(198, 40, 40)');
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
      expect(red).toBeGreaterThan(2_000); // 3 cards x 6 px x ~100+ px of border, plus the badges

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
  });
});
