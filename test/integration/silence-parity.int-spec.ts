/**
 * Silence parity with Alertmanager 0.25: the fixture recorded by test/compat/make-silence-fixtures.js
 * (test/compat/silences-am025.json) replayed step by step through test/compat/silence-parity.ts.
 * First the replay engine itself: a real Alertmanager replaying its own recording must compare equal,
 * and answers tampered with on the way must not. Then Herald, in memory and on a real redis-server, with
 * the recording's config: every step must equal Alertmanager's (rules in silence-parity.ts). The
 * Alertmanager suites need its binary (Debian's prometheus-alertmanager); amtool's steps need amtool.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  amtoolRunner,
  diff,
  formatMismatches,
  formatOffset,
  httpCall,
  loadSilenceFixture,
  parseOffset,
  replaySilenceFixture,
  requiredMessage,
  type HttpCall,
  type ReplayResult,
} from '../compat/silence-parity';
import { startNode, startNodeWithRedis } from '../harness/app';
import { freePort } from '../harness/free-port';
import { signalAndWait, track } from '../harness/process';
import { waitUntil } from '../harness/wait';

const AM = '/usr/bin/prometheus-alertmanager';
const AMTOOL = '/usr/bin/amtool';
const fixture = loadSilenceFixture();

/** Alertmanager on a free loopback port with the fixture's config, gossip off, its own storage. */
async function startAlertmanager(): Promise<{ url: string; stop(): Promise<void> }> {
  const dir = mkdtempSync(join(tmpdir(), 'herald-am-silence-'));
  writeFileSync(join(dir, 'alertmanager.yml'), JSON.stringify(fixture.config));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = track(
    spawn(
      AM,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=error',
      ],
      { stdio: 'ignore' },
    ),
  );
  await waitUntil(async () => (await fetch(`${url}/-/ready`)).ok, { what: 'Alertmanager ready' });
  return {
    url,
    stop: async () => {
      await signalAndWait(proc, 'SIGTERM', 5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const step = (r: ReplayResult, name: string) => {
  const s = r.steps.find((x) => x.name === name);
  if (!s) throw new Error(`no step ${name}`);
  return s;
};

describe('silence parity engine', () => {
  it('writes and reads time offsets', () => {
    for (const ms of [0, 1, -1, 999, 60_000, -300_000, 9_000_000, 3_601_001]) {
      expect(parseOffset(formatOffset(ms))).toBe(ms);
    }
    expect(formatOffset(9_000_000)).toBe('+2h30m');
    expect(formatOffset(-300_000)).toBe('-5m');
    expect(() => parseOffset('+5x')).toThrow('bad time offset');
  });

  it("requires Alertmanager's message except Go's own wording", () => {
    expect(requiredMessage("Failed to create silence: end time can't be in the past")).toBe(
      "Failed to create silence: end time can't be in the past",
    );
    expect(
      requiredMessage(
        'silence invalid: invalid label matcher 1: invalid regular expression "(": error parsing regexp: missing closing ): `(`',
      ),
    ).toBe('silence invalid: invalid label matcher 1: invalid regular expression "(": error parsing regexp:');
    expect(
      requiredMessage(
        'parsing silence body from "" failed, because json: cannot unmarshal string into Go struct field',
      ),
    ).toBe('');
  });

  it('ignores only the documented newer fields', () => {
    const silence = { id: '$S1', createdBy: 'a' };
    expect(diff(silence, { ...silence, annotations: { a: 'b' } }, 'body')).toEqual([]);
    expect(diff(silence, { ...silence, extra: 1 }, 'body')).toEqual(['body.extra: expected nothing, got 1']);
    const status = { state: 'active', silencedBy: [] };
    expect(diff(status, { ...status, mutedBy: [] }, 'body')).toEqual([]);
    expect(diff({ a: '*' }, { a: [1, 2] }, 'body')).toEqual([]);
  });
});

const haveAlertmanager = existsSync(AM) && existsSync(AMTOOL);
(haveAlertmanager ? describe : describe.skip)('Alertmanager 0.25 against its own recording', () => {
  let am: { url: string; stop(): Promise<void> };
  afterEach(() => am?.stop());

  it('equals the fixture in every step, amtool included', async () => {
    am = await startAlertmanager();
    const result = await replaySilenceFixture(fixture, httpCall(am.url), {
      amtool: amtoolRunner(am.url, AMTOOL),
    });
    expect(formatMismatches(result)).toBe('');
    expect(result.steps).toHaveLength(fixture.steps.length);
  }, 60_000);

  it('reports answers tampered with on the way', async () => {
    am = await startAlertmanager();
    const real = httpCall(am.url);
    const tampered: HttpCall = async (req, name) => {
      const res = await real(req, name);
      const body = res.body as any;
      switch (name) {
        case 'list-all': // order
          return { ...res, body: [body[1], body[0], ...body.slice(2)] };
        case 'get-A': // a field missing, a newer one added (allowed)
          return { ...res, body: { ...body, updatedAt: undefined, annotations: {} } };
        case 'get-P-pending': // a time shifted by a second
          return {
            ...res,
            body: { ...body, endsAt: new Date(Date.parse(body.endsAt) + 1000).toISOString() },
          };
        case 'invalid-ends-in-past': // Herald's error shape with the message: accepted
          return { ...res, body: { error: `endsAt: ${body}`, field: 'endsAt' } };
        case 'invalid-starts-after-ends': // Herald's shape naming no field
          return { ...res, body: { error: body } };
        case 'invalid-bad-regex': // a JavaScript engine's wording, but the required part kept: accepted
          return {
            ...res,
            body: {
              error:
                'silence invalid: invalid label matcher 1: invalid regular expression "(": error parsing regexp: Unterminated group',
              field: 'matchers[1].value',
            },
          };
        case 'invalid-empty-matcher-name': // the message lost
          return { ...res, body: { error: 'bad matcher', field: 'matchers[0].name' } };
        case 'invalid-no-matchers': // another status
          return {
            status: 400,
            body: { error: 'matchers in body should have at least 1 items', field: 'matchers' },
          };
        case 'delete-unknown-id': // the newer Alertmanager's answer: accepted through the alternative
          return { status: 404, body: { error: 'silence not found', field: 'silenceID' } };
        case 'update-C-matchers': // the id kept where Alertmanager makes a new one
          return { ...res, body: { silenceID: JSON.parse(req.body ?? '{}').id } };
        default:
          return res;
      }
    };
    const r = await replaySilenceFixture(fixture, tampered, { amtool: amtoolRunner(am.url, AMTOOL) });
    const bad = new Set(r.mismatches.map((m) => m.name));
    expect(step(r, 'list-all').diffs[0]).toMatch(/^body\[0\]\.id: expected "\$S3", got "\$S1"/);
    expect(step(r, 'get-A').diffs).toEqual(['body.updatedAt: expected "$t[create-A]", got nothing']);
    expect(step(r, 'get-P-pending').diffs).toEqual([
      expect.stringMatching(/^body\.endsAt: expected "\$t\[create-P-pending\]\+4h", got "~\$now\+4h1s"$/),
    ]);
    expect(step(r, 'invalid-ends-in-past').ok).toBe(true);
    expect(step(r, 'invalid-starts-after-ends').diffs).toEqual([
      'body.field: expected a field name, got undefined',
    ]);
    expect(step(r, 'invalid-bad-regex').ok).toBe(true);
    expect(step(r, 'invalid-empty-matcher-name').diffs[0]).toMatch(
      /^body\.error: expected to contain "silence invalid/,
    );
    expect(step(r, 'invalid-no-matchers').diffs[0]).toBe('status: expected 422, got 400');
    expect(step(r, 'delete-unknown-id')).toMatchObject({ ok: true, via: expect.stringContaining('0.26') });
    expect(step(r, 'update-C-matchers').diffs).toEqual(['body.silenceID: expected "$S13", got "$S3"']);
    // The real new id is bound where it first shows at the expected place (the final list): later steps
    // still compare, and the mismatch stays on the one step that caused it.
    expect(step(r, 'list-final').ok).toBe(true);
    expect(r.ids.get('$S13')).toBeDefined();
    expect([...bad].sort()).toEqual(
      [
        'get-A',
        'get-P-pending',
        'invalid-empty-matcher-name',
        'invalid-no-matchers',
        'invalid-starts-after-ends',
        'list-all',
        'update-C-matchers',
      ].sort(),
    );
  }, 60_000);
});

/** Herald with the recording's config (JSON is YAML), in memory or on its own redis-server. */
const HERALD_MODES: [string, () => Promise<{ url: string; close(): Promise<void> }>][] = [
  ['memory', async () => startNode(JSON.stringify(fixture.config))],
  [
    'Redis',
    async () => {
      const s = await startNodeWithRedis(JSON.stringify(fixture.config));
      return { url: s.node.url, close: () => s.close() };
    },
  ],
];

describe.each(HERALD_MODES)('Herald (%s) against the Alertmanager 0.25 recording', (_mode, start) => {
  let herald: { url: string; close(): Promise<void> } | undefined;
  afterEach(() => herald?.close());

  it('equals Alertmanager in every step', async () => {
    herald = await start();
    const amtool = existsSync(AMTOOL) ? amtoolRunner(herald.url, AMTOOL) : undefined;
    const result = await replaySilenceFixture(fixture, httpCall(herald.url), { amtool });
    const mismatches = {
      ...result,
      mismatches: result.mismatches.filter((m) => amtool || m.skipped !== 'no amtool runner'),
    };
    expect(formatMismatches(mismatches)).toBe('');
  }, 60_000);
});
