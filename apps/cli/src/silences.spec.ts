import { createServer, type AddressInfo } from 'node:net';
import { parseArgs, parsePromDuration, parseRfc3339 } from './args';
import { run, type CliIo } from './commands';
import { matcherText, table } from './format';
import { nodeBase } from './node-api';
import {
  jsonOutput,
  matcherArgs,
  nodeTarget,
  SILENCE_ADD_FLAGS,
  silenceAddBody,
  SILENCES_FLAGS,
  silenceTable,
  wireMatcher,
  type WireSilence,
} from './silences';

const NOW = Date.parse('2025-03-01T12:00:00Z');
const add = (argv: string[], env: Record<string, string> = { USER: 'ops' }) =>
  silenceAddBody(parseArgs(argv, SILENCE_ADD_FLAGS), {
    out: () => {},
    err: () => {},
    readStdin: () => Promise.resolve(''),
    env,
    now: () => NOW,
  });

function io(env: Record<string, string> = {}): CliIo & { lines: string[]; errors: string[] } {
  const lines: string[] = [];
  const errors: string[] = [];
  return {
    lines,
    errors,
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
    readStdin: () => Promise.resolve(''),
    env,
  };
}

describe('heraldctl silences: argument parsing', () => {
  it('reads Prometheus durations as amtool does (units largest first, each once)', () => {
    expect(parsePromDuration('1h')).toBe(3_600_000);
    expect(parsePromDuration('90m')).toBe(5_400_000);
    expect(parsePromDuration('1d12h')).toBe(36 * 3_600_000);
    expect(parsePromDuration('2w')).toBe(14 * 86_400_000);
    expect(parsePromDuration('1h30m15s500ms')).toBe(5_415_500);
    expect(parsePromDuration('0')).toBe(0);
    for (const bad of ['', 'h', '1x', '1.5h', '30m1h', '-1h', '1 h', '1000y'])
      expect(parsePromDuration(bad)).toBeNull();
  });

  it('reads RFC 3339 times with a zone only', () => {
    expect(parseRfc3339('2025-03-01T12:00:00Z')).toBe(NOW);
    expect(parseRfc3339('2025-03-01T14:00:00+02:00')).toBe(NOW);
    expect(parseRfc3339('2025-03-01T12:00:00.250Z')).toBe(NOW + 250);
    for (const bad of ['2025-03-01', '2025-03-01T12:00:00', 'tomorrow', '2025-13-01T00:00:00Z'])
      expect(parseRfc3339(bad)).toBeNull();
  });

  it('reads amtool matchers: every operator, quoted values, UTF-8 names, a bare first alertname', () => {
    const ms = matcherArgs([
      'HighCPU',
      'team=db',
      'env!="prod eu"',
      'instance=~"api-.*"',
      'zone!~eu.*',
      '"service.name"=api',
    ]);
    expect(ms.map(wireMatcher)).toEqual([
      { name: 'alertname', value: 'HighCPU', isRegex: false, isEqual: true },
      { name: 'team', value: 'db', isRegex: false, isEqual: true },
      { name: 'env', value: 'prod eu', isRegex: false, isEqual: false },
      { name: 'instance', value: 'api-.*', isRegex: true, isEqual: true },
      { name: 'zone', value: 'eu.*', isRegex: true, isEqual: false },
      { name: 'service.name', value: 'api', isRegex: false, isEqual: true },
    ]);
    // Only the first argument may be a bare alertname; a bad regex is a usage error naming it.
    expect(() => matcherArgs(['team=db', 'HighCPU'])).toThrow(/matcher "HighCPU"/);
    expect(() => matcherArgs(['a=~"("'])).toThrow(/regular expression/);
    expect(() => matcherArgs(['a!~"("'])).toThrow(/regular expression/);
  });

  it('prints matchers in the syntax it reads back', () => {
    const wire = matcherArgs([
      'alertname=Foo',
      'msg!="say \\"hi\\""',
      'x=~"a|b"',
      '"service.name"!~"x.*"',
    ]).map(wireMatcher);
    const text = matcherText(wire);
    expect(text).toBe('alertname="Foo" msg!="say \\"hi\\"" x=~"a|b" "service.name"!~"x.*"');
    expect(
      matcherArgs(['alertname="Foo"', 'msg!="say \\"hi\\""', 'x=~"a|b"', '"service.name"!~"x.*"']).map(
        wireMatcher,
      ),
    ).toEqual(wire);
  });

  it('silence add: 1h by default from now, --duration, --end, --start, author from the user, annotations', () => {
    expect(add(['alertname=Foo', '-c', 'deploy'])).toEqual({
      matchers: [{ name: 'alertname', value: 'Foo', isRegex: false, isEqual: true }],
      startsAt: '2025-03-01T12:00:00.000Z',
      endsAt: '2025-03-01T13:00:00.000Z',
      createdBy: expect.any(String),
      comment: 'deploy',
    });
    const b = add([
      'Foo',
      '--duration',
      '1d2h',
      '--comment',
      'x',
      '--author',
      'alice',
      '--start',
      '2025-03-02T00:00:00Z',
      '--annotation',
      'ticket=OPS-1',
    ]);
    expect(b).toMatchObject({
      startsAt: '2025-03-02T00:00:00.000Z',
      endsAt: '2025-03-03T02:00:00.000Z',
      createdBy: 'alice',
      annotations: { ticket: 'OPS-1' },
    });
    expect(add(['Foo', '-c', 'x', '--end', '2025-03-01T12:30:00Z', '-a', 'bob'])).toMatchObject({
      endsAt: '2025-03-01T12:30:00.000Z',
      createdBy: 'bob',
    });
  });

  it('silence add: refuses what amtool refuses, before any request', () => {
    expect(() => add(['-c', 'x'])).toThrow('at least one matcher');
    expect(() => add(['Foo'])).toThrow('--comment');
    expect(() => add(['Foo', '-c', ' '])).toThrow('--comment');
    expect(() => add(['Foo', '-c', 'x', '-d', '0'])).toThrow('greater than 0');
    expect(() => add(['Foo', '-c', 'x', '-d', '1 hour'])).toThrow('--duration must be');
    expect(() => add(['Foo', '-c', 'x', '-d', '1h', '--duration', '2h'])).toThrow('same flag');
    expect(() => add(['Foo', '-c', 'x', '-d', '1h', '--end', '2025-03-01T13:00:00Z'])).toThrow('not both');
    expect(() => add(['Foo', '-c', 'x', '--end', '2025-03-01T11:00:00Z'])).toThrow('end after it starts');
    expect(() => add(['Foo', '-c', 'x', '--start', 'now'])).toThrow('--start must be');
    expect(() => add(['Foo', '-c', 'x', '--annotation', 'a=~b'])).toThrow('key=value');
  });

  it('node target: --server or HERALD_URL, key from HERALD_API_KEY or a file, output format', async () => {
    const nio = io({ HERALD_URL: 'http://h:1/base/', HERALD_API_KEY: ' k3y\n' });
    expect(await nodeTarget(parseArgs([], SILENCES_FLAGS), nio)).toEqual({
      base: 'http://h:1/base',
      token: 'k3y',
      timeoutMs: 10_000,
    });
    expect(
      await nodeTarget(parseArgs(['--server', 'https://x', '--timeout', '2s'], SILENCES_FLAGS), io()),
    ).toEqual({
      base: 'https://x',
      token: undefined,
      timeoutMs: 2000,
    });
    expect(
      (await nodeTarget(parseArgs(['--alertmanager.url', 'http://am:9093'], SILENCES_FLAGS), io())).base,
    ).toBe('http://am:9093');
    expect(nodeBase('http://user:pw@h')).toBeNull();
    expect(nodeBase('redis://h')).toBeNull();
    expect(nodeBase('http://h/?a=1')).toBeNull();
    await expect(
      nodeTarget(parseArgs(['--api-key-file', '/nonexistent/key'], SILENCES_FLAGS), io()),
    ).rejects.toThrow('--api-key-file');
    expect(jsonOutput(parseArgs(['-o', 'json'], SILENCES_FLAGS))).toBe(true);
    expect(jsonOutput(parseArgs(['--json'], SILENCES_FLAGS))).toBe(true);
    expect(jsonOutput(parseArgs([], SILENCES_FLAGS))).toBe(false);
    expect(() => jsonOutput(parseArgs(['-o', 'yaml'], SILENCES_FLAGS))).toThrow('-o must be');
  });
});

describe('heraldctl silences: output', () => {
  const id = '3f1c9a2e-8b7d-4c6e-9f01-23456789abcd';
  const long = matcherArgs([
    'alertname=DiskFull',
    'instance=~db-(primary|replica)-[0-9]+\\.eu-west-1\\.internal',
    'team!="platform"',
  ]).map(wireMatcher);
  const silence = (over: Partial<WireSilence>): WireSilence => ({
    id,
    status: { state: 'active' },
    updatedAt: '2025-03-01T11:00:00.000Z',
    matchers: long,
    startsAt: '2025-03-01T11:00:00.000Z',
    endsAt: '2025-03-01T13:30:00.000Z',
    createdBy: 'alice',
    comment: 'disk replacement',
    ...over,
  });

  it('never cuts ids or matchers; cuts long comments to fit a terminal; says when a pending one starts', () => {
    const rows = [
      silence({}),
      silence({
        id: 'p',
        status: { state: 'pending' },
        startsAt: '2025-03-01T12:10:00.000Z',
        comment: 'x'.repeat(100),
      }),
    ];
    const lines = silenceTable(rows, NOW);
    expect(lines[0]).toMatch(/^ID +STATE +MATCHERS +ENDS +CREATED BY +COMMENT$/);
    expect(lines[1]).toContain(id);
    expect(lines[1]).toContain(
      'alertname="DiskFull" instance=~"db-(primary|replica)-[0-9]+\\\\.eu-west-1\\\\.internal" team!="platform"',
    );
    expect(lines[1]).toContain('2025-03-01T13:30:00Z (in 1h30m)');
    expect(lines[2]).toContain('pending (starts in 10m0s)');
    // Not a terminal: nothing cut (issue 17); fitted to a terminal: the comment is, never id or matchers.
    expect(lines[2]).toContain('x'.repeat(100));
    const narrow = silenceTable(rows, NOW, 160);
    expect(narrow[2]).toContain('…');
    expect(narrow[2]).not.toContain('x'.repeat(100));
    expect(narrow[1]).toContain(id);
    expect(narrow[1]).toContain('team!="platform"');
    expect(table(['A'], [['y'.repeat(80)]], { keep: [0] })[1]).toBe('y'.repeat(80));
  });

  it('usage errors exit 2 before any request; an unreachable node exits 1 with the reason', async () => {
    for (const argv of [
      ['silence'],
      ['silence', 'frob'],
      ['silence', 'add', '-c', 'x'],
      ['silence', 'expire'],
      ['silences', '--server', 'ftp://x'],
      ['silences', '-o', 'yaml'],
      ['silences', '--filter', 'a=~"("'],
    ]) {
      const o = io();
      expect(await run(argv, o)).toBe(2);
      expect(o.errors[0]).toMatch(/^heraldctl: /);
    }
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((r) => closed.close(r));
    const o = io();
    expect(await run(['silences', '--server', `http://127.0.0.1:${port}`, '--timeout', '2s'], o)).toBe(1);
    expect(o.errors).toEqual([
      expect.stringMatching(
        /^heraldctl: cannot reach http:\/\/127\.0\.0\.1:\d+\/api\/v2\/silences: ECONNREFUSED$/,
      ),
    ]);
    const h = io();
    expect(await run(['silence', 'add', '--help'], h)).toBe(0);
    expect(h.lines[0]).toContain('silence add M...');
  });
});
