import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@herald/domain';
import { parseDocument, LineCounter } from 'yaml';
import { ConfigErrors, inFileOrder, locatePath, type ConfigProblem } from './config-errors';
import { loadConfig, type LoadConfigOptions } from './load-config';

const HOST = 'node-a';

function errorsOf(opts: Partial<LoadConfigOptions>): ConfigErrors {
  try {
    loadConfig({ env: {}, hostname: HOST, ...opts });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    expect(e).toBeInstanceOf(ConfigErrors);
    return e as ConfigErrors;
  }
  throw new Error('expected a ConfigError');
}

const strip = (ps: readonly ConfigProblem[]) =>
  ps.map((p) => `${p.line ?? '-'}:${p.col ?? '-'} ${p.path}: ${p.message}`);

// Five independent mistakes in four sections (line numbers are the fixture's).
const BROKEN = `route:
  receiver: nobody
  group_wait: soon
receivers:
  - name: ops
    webhook_configs:
      - url: not-a-url
  - name: pager
    emails: []
inhibit_rules:
  - source_matchers: ['a=~(']
herald:
  port: 99999
  limits: { max_alert_per_request: 5 }
`;

describe('loadConfig reports every problem at once, each with line:column (issue 17)', () => {
  it('lists all problems of all sections, in file order of the sections, with their lines', () => {
    const e = errorsOf({ fileText: BROKEN, filePath: 'conf/alertmanager.yml' });
    const lines = strip(e.errors);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^7:\d+ receivers\[0\]\.webhook_configs\[0\]\.url: /),
        '9:5 receivers[1].emails: unknown field',
        '13:3 herald.port: must be an integer port 1..65535, got 99999',
        expect.stringMatching(
          /^14:13 herald\.limits\.max_alert_per_request: unknown field \(did you mean "max_alerts_per_request"\?\)$/,
        ),
        expect.stringMatching(/^3:3 route\.group_wait: /),
        '2:3 route.receiver: unknown receiver "nobody"',
        expect.stringMatching(/^11:\d+ inhibit_rules\[0\]\.source_matchers\[0\]: invalid matcher/),
      ]),
    );
    expect(e.errors).toHaveLength(7);
    for (const p of e.errors) expect(p.file).toBe('conf/alertmanager.yml');
    // ConfigError's contract: path and first line are the first problem's; the rest lists them all.
    const [first, count, ...list] = e.message.split('\n');
    expect(first).toBe(`${e.path}: ${e.errors[0].message}`);
    expect(count).toBe('7 errors in all:');
    expect(list).toHaveLength(7);
    expect(list).toContain('  conf/alertmanager.yml:2:3: route.receiver: unknown receiver "nobody"');
  });

  it('a single problem keeps the old one-line form, then says where', () => {
    const e = errorsOf({ fileText: 'route:\n  receiver: x\nreceivers:\n  - name: y\n' });
    expect(e.errors).toEqual([
      { path: 'route.receiver', message: 'unknown receiver "x"', file: '<inline>', line: 2, col: 3 },
    ]);
    expect(e.message).toBe('route.receiver: unknown receiver "x"\n  at <inline>:2:3');
  });

  it('a missing field is located at its nearest existing parent', () => {
    const e = errorsOf({
      fileText: 'route:\n  receiver: a\nreceivers:\n  - name: a\n  - webhook_configs: []\n',
    });
    expect(strip(e.errors)).toEqual(['5:5 receivers[1].name: must be a non-empty string, got nothing']);
  });

  it('every unknown key of one mapping, and every bad tenant, not only the first', () => {
    const e = errorsOf({
      fileText: `route: { receiver: a }\nreceivers: [{ name: a }]\nrecievers: []\nroutes: []\nherald:\n  tenants:\n    - { id: UPPER }\n    - { id: ok, users: [{ username: u, role: boss }] }\n`,
    });
    expect(strip(e.errors)).toEqual([
      '3:1 recievers: unknown field (did you mean "receivers"?)',
      '4:1 routes: unknown field (did you mean "route"?)',
      expect.stringMatching(/^7:9 herald\.tenants\[0\]\.id: must match /),
      expect.stringMatching(/^8:\d+ herald\.tenants\[1\]\.users\[0\]\.role: must be "admin" or "viewer"/),
    ]);
  });

  it('every failing route of the tree, nested ones included', () => {
    const e = errorsOf({
      fileText: [
        'route:',
        '  receiver: a',
        '  routes:',
        '    - receiver: a',
        '      group_wait: soon',
        '    - receiver: a',
        '      routes:',
        '        - matchers: ["a=~("]',
        '        - receiver: a',
        '          grup_by: [x]',
        '    - receiver: nobody',
        'receivers: [{ name: a }]',
        '',
      ].join('\n'),
    });
    expect(e.errors.map((p) => `${p.line}:${p.col} ${p.path}`)).toEqual([
      '5:7 route.routes[0].group_wait',
      '8:22 route.routes[1].routes[0].matchers[0]',
      '10:11 route.routes[1].routes[1].grup_by',
      '11:7 route.routes[2].receiver',
    ]);
  });

  it('every bad field of one herald sub-section, not only the first', () => {
    const e = errorsOf({
      fileText:
        'herald:\n  limits: { max_alerts_per_request: 0, max_labels_per_alert: x }\n  delivery:\n    attempts: -1\n    stalled_timeout: soon\n    rate_limits: { a: { per: 1m }, b: { max: 0 } }\n',
    });
    expect(e.errors.map((p) => `${p.line}:${p.col} ${p.path}`)).toEqual([
      '2:13 herald.limits.max_alerts_per_request',
      '2:40 herald.limits.max_labels_per_alert',
      '6:20 herald.delivery.rate_limits.a.max',
      '6:41 herald.delivery.rate_limits.b.max',
      '4:5 herald.delivery.attempts',
      '5:5 herald.delivery.stalled_timeout',
    ]);
  });

  it('environment problems come first, without a location, with the file problems', () => {
    const e = errorsOf({
      fileText: 'route: { receiver: x }\n',
      env: { PORT: 'abc', HERALD_LOG_LEVEL: 'loud' },
    });
    expect(strip(e.errors)).toEqual([
      '-:- PORT: must be an integer port 1..65535, got "abc"',
      expect.stringMatching(/^-:- HERALD_LOG_LEVEL: must be one of /),
      '1:10 route.receiver: unknown receiver "x"',
    ]);
  });

  it('every YAML syntax error is listed with its position', () => {
    const e = errorsOf({ fileText: 'a: [1\nb: {\n', filePath: 'x.yml' });
    expect(e.errors.length).toBeGreaterThanOrEqual(1);
    for (const p of e.errors) {
      expect(p.path).toBe(`x.yml:${p.line}:${p.col}`);
      expect(p.message).toMatch(/^YAML syntax error: /);
    }
    expect(e.message).toMatch(/^x\.yml:\d+:\d+: YAML syntax error: /);
  });

  it('an empty, blank or comment-only file is an error; no file at all is the zero-config default', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-empty-'));
    const path = join(dir, 'alertmanager.yml');
    for (const text of ['', '\n\n  \n', '# nothing yet\n# really\n']) {
      writeFileSync(path, text);
      const e = errorsOf({ env: { HERALD_CONFIG: path } });
      expect(e.message).toBe(
        `HERALD_CONFIG: config file "${path}" is empty (for the zero-config default, leave HERALD_CONFIG unset)`,
      );
    }
    expect(loadConfig({ env: {}, hostname: HOST }).source).toBe('<default>');
  });
});

describe('Herald settings in a separate file beside alertmanager.yml (HERALD_SETTINGS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'herald-settings-'));
  const am = join(dir, 'alertmanager.yml');
  const settings = join(dir, 'herald.yml');
  writeFileSync(am, 'route:\n  receiver: ops\nreceivers:\n  - name: ops\n');

  it('merges the settings file (top level = the herald: section) into the untouched Alertmanager file', () => {
    writeFileSync(settings, 'port: 9099\nnode_id: n1\nlimits:\n  max_alerts_per_request: 7\n');
    const cfg = loadConfig({ env: { HERALD_CONFIG: am, HERALD_SETTINGS: settings }, hostname: HOST });
    expect(cfg.herald.port).toBe(9099);
    expect(cfg.herald.nodeId).toBe('n1');
    expect(cfg.herald.limits.maxAlertsPerRequest).toBe(7);
    expect(cfg.source).toBe(am);
    expect(cfg.settingsSource).toBe(settings);
    expect(cfg.original).not.toContain('9099');
  });

  it('loads the shipped pair deploy/examples/alertmanager.yml + herald-settings.yml', () => {
    const examples = join(__dirname, '../../../deploy/examples');
    const cfg = loadConfig({
      env: {
        HERALD_CONFIG: join(examples, 'alertmanager.yml'),
        HERALD_SETTINGS: join(examples, 'herald-settings.yml'),
      },
      hostname: HOST,
    });
    expect(cfg.herald.nodeId).toBe('herald-1');
    expect(cfg.herald.redis).toMatchObject({ mode: 'single', url: 'redis://127.0.0.1:6379' });
    expect(cfg.receivers).toHaveLength(6);
    expect(cfg.warnings).toEqual([]);
  });

  it('also without HERALD_CONFIG (zero-config routing, own settings)', () => {
    writeFileSync(settings, 'port: 9098\n');
    expect(loadConfig({ env: { HERALD_SETTINGS: settings }, hostname: HOST }).herald.port).toBe(9098);
  });

  it("locates the settings file's problems in that file, the Alertmanager file's in its own", () => {
    writeFileSync(settings, 'port: 9099\nredis:\n  url: http://x\n');
    writeFileSync(join(dir, 'bad-am.yml'), 'route:\n  receiver: nobody\nreceivers:\n  - name: ops\n');
    const e = errorsOf({ env: { HERALD_CONFIG: join(dir, 'bad-am.yml'), HERALD_SETTINGS: settings } });
    expect(e.errors.map((p) => [p.file, p.line, p.col, p.path])).toEqual(
      expect.arrayContaining([
        [settings, 3, 3, 'herald.redis.url'],
        [join(dir, 'bad-am.yml'), 2, 3, 'route.receiver'],
      ]),
    );
  });

  it('refuses a herald: section in both files, naming both', () => {
    writeFileSync(settings, 'port: 9099\n');
    writeFileSync(
      join(dir, 'combined.yml'),
      'route: { receiver: ops }\nreceivers: [{ name: ops }]\nherald: { port: 1 }\n',
    );
    const e = errorsOf({ env: { HERALD_CONFIG: join(dir, 'combined.yml'), HERALD_SETTINGS: settings } });
    expect(e.errors).toEqual([
      expect.objectContaining({ path: 'herald', line: 3, col: 1, file: join(dir, 'combined.yml') }),
    ]);
    expect(e.message).toContain(join(dir, 'combined.yml'));
    expect(e.message).toContain(settings);
  });

  it('refuses a settings file that wraps its settings in a herald: key, saying how it is laid out', () => {
    writeFileSync(settings, 'herald:\n  port: 9099\n');
    const e = errorsOf({ env: { HERALD_CONFIG: am, HERALD_SETTINGS: settings } });
    expect(e.errors).toEqual([expect.objectContaining({ path: 'herald.herald', file: settings, line: 1 })]);
    expect(e.message).toContain('without a herald: key');
  });

  it('a settings file that is not a mapping is located in that file', () => {
    writeFileSync(settings, '- port: 1\n');
    const e = errorsOf({ env: { HERALD_CONFIG: am, HERALD_SETTINGS: settings } });
    expect(e.errors).toEqual([expect.objectContaining({ path: 'herald', file: settings, line: 1, col: 1 })]);
    expect(e.message).toMatch(/^herald: must be a mapping/);
  });

  it('an empty or unreadable settings file is an error naming HERALD_SETTINGS', () => {
    writeFileSync(settings, '# todo\n');
    expect(errorsOf({ env: { HERALD_CONFIG: am, HERALD_SETTINGS: settings } }).message).toBe(
      `HERALD_SETTINGS: config file "${settings}" is empty`,
    );
    expect(
      errorsOf({ env: { HERALD_CONFIG: am, HERALD_SETTINGS: join(dir, 'nope.yml') } }).message,
    ).toContain('HERALD_SETTINGS: cannot read config file');
  });
});

describe('locatePath', () => {
  const text = `a:
  b:
    - x: 1
    - { y: 2, "k.dot": 3 }
  "q r": 4
`;
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc });
  it.each([
    ['a', 1, 1],
    ['a.b', 2, 3],
    ['a.b[0]', 3, 7],
    ['a.b[0].x', 3, 7],
    ['a.b[1].y', 4, 9],
    ['a.b[1].k.dot', 4, 15],
    ['a.b[1]["k.dot"]', 4, 15],
    ['a.b[1].missing', 4, 7],
    ['a.b[7]', 2, 3],
    ['a.zz.yy', 1, 1],
  ])('%s → %d:%d', (path, line, col) => {
    expect(locatePath(doc, lc, path)).toEqual({ line, col });
  });
  it('undefined when nothing of the path exists (an environment variable)', () => {
    expect(locatePath(doc, lc, 'PORT')).toBeUndefined();
  });
});

describe('inFileOrder', () => {
  it('lists problems by file, line and column, environment problems first, as an editor walks them', () => {
    const ps = [
      { path: 'receivers[0].bogus', message: 'unknown field', file: 'a.yml', line: 8, col: 5 },
      { path: 'route.receiver', message: 'unknown receiver', file: 'a.yml', line: 2, col: 3 },
      { path: 'x', message: 'm', file: 'b.yml', line: 1, col: 1 },
      { path: 'route.group_wait', message: 'bad', file: 'a.yml', line: 2, col: 1 },
      { path: 'PORT', message: 'not a port' },
    ];
    expect(inFileOrder(ps).map((p) => p.path)).toEqual([
      'PORT',
      'route.group_wait',
      'route.receiver',
      'receivers[0].bogus',
      'x',
    ]);
  });
});
