import { hoistFlags } from './args';
import { table } from './format';

describe('table', () => {
  const header = ['ID', 'NAME', 'LABELS'];
  const rows = [['id-0123456789abcdef', 'n'.repeat(40), `{a="${'x'.repeat(100)}"}`]];

  it('cuts nothing without a width (output piped or redirected)', () => {
    const lines = table(header, rows);
    expect(lines[1]).toContain('x'.repeat(100));
    expect(lines[1]).toContain('n'.repeat(40));
    // Narrower still: both give way, down to about the same width.
    const narrow = table(header, rows, { keep: [0], width: 80 })[1];
    expect(narrow.length).toBe(80);
    expect(narrow).toContain('n'.repeat(27));
    expect(narrow).not.toContain('n'.repeat(40));
  });

  it('fits a width by narrowing the widest columns first, never the kept ones', () => {
    const lines = table(header, rows, { keep: [0], width: 120 });
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(120);
    expect(lines[1].startsWith('id-0123456789abcdef  ')).toBe(true);
    expect(lines[1]).toMatch(/…$/);
    // The widest column gave way first: NAME stays whole while LABELS is still wider.
    expect(lines[1]).toContain('n'.repeat(40));
  });

  it('keeps kept columns whole even when the line cannot fit', () => {
    const lines = table(['ID', 'X'], [['i'.repeat(50), 'y'.repeat(50)]], { keep: [0], width: 20 });
    expect(lines[1]).toContain('i'.repeat(50));
    expect(lines[1]).toContain('yyyyyyy…');
  });
});

describe('hoistFlags', () => {
  const spec = { url: 'string', json: 'bool', filter: 'list' } as const;

  it('moves flags before the command behind it, with their values', () => {
    expect(hoistFlags(['--url', 'redis://x', '--json', 'groups', '--tenant', 't'], spec)).toEqual([
      'groups',
      '--tenant',
      't',
      '--url',
      'redis://x',
      '--json',
    ]);
    expect(hoistFlags(['--url=redis://x', 'stats'], spec)).toEqual(['stats', '--url=redis://x']);
  });

  it('keeps them before a `--`, leaves a line without leading flags alone', () => {
    expect(hoistFlags(['--json', 'clear', 'x', '--', '-weird'], spec)).toEqual([
      'clear',
      'x',
      '--json',
      '--',
      '-weird',
    ]);
    expect(hoistFlags(['stats', '--json'], spec)).toEqual(['stats', '--json']);
    expect(hoistFlags(['--help'], spec)).toEqual(['--help']);
  });

  it('gives a misspelt leading flag its value when a command follows', () => {
    expect(hoistFlags(['--urll', 'redis://x', 'stats'], spec, ['stats'])).toEqual([
      'stats',
      '--urll',
      'redis://x',
    ]);
    expect(hoistFlags(['--jsn', 'stats'], spec, ['stats'])).toEqual(['stats', '--jsn']);
  });
});
