import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { boundHeapGrowth, HEAP_GROWING_PERCENT, NODE_FLAGS } from './memory-flags';

const ROOT = join(__dirname, '..', '..', '..');

describe('V8 heap growth bound (issue 16)', () => {
  const flag = `--heap-growing-percent=${HEAP_GROWING_PERCENT}`;

  it('sets --heap-growing-percent when the process was started without one', () => {
    const set = jest.fn();
    expect(boundHeapGrowth(['--enable-source-maps'], set)).toBe(flag);
    expect(set).toHaveBeenCalledWith(flag);
  });

  it("leaves an operator's own --heap-growing-percent on the command line alone", () => {
    for (const argv of [['--heap-growing-percent=200'], ['--heap_growing_percent', '200']]) {
      const set = jest.fn();
      expect(boundHeapGrowth(argv, set)).toBeNull();
      expect(set).not.toHaveBeenCalled();
    }
  });

  it('names a flag this V8 knows (setFlagsFromString would ignore a typo silently)', () => {
    // On the command line an unknown V8 flag is refused ("bad option").
    expect(() => execFileSync(process.execPath, [flag, '-e', '0'], { stdio: 'pipe' })).not.toThrow();
    expect(() =>
      execFileSync(process.execPath, ['--heap-growing-percentt=1', '-e', '0'], { stdio: 'pipe' }),
    ).toThrow();
  });
});

describe('V8 flags on the command lines that start a node (issue 16)', () => {
  /** The arguments before `dist/apps/server/src/main.js` on a command line. */
  const flagsBeforeMain = (line: string): string[] => {
    const i = line.indexOf('dist/apps/server/src/main.js');
    expect(i).toBeGreaterThan(-1);
    return line
      .slice(0, i)
      .split(/[\s",[\]]+/)
      .filter((w) => w.startsWith('--'));
  };

  it('npm start and start:dev, the Dockerfile and the systemd unit pass every one of NODE_FLAGS', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    const docker = readFileSync(join(ROOT, 'Dockerfile'), 'utf8').match(/^CMD .*$/m)![0];
    const unit = readFileSync(join(ROOT, 'deploy/systemd/herald@.service'), 'utf8').match(
      /^ExecStart=.*$/m,
    )![0];
    for (const line of [pkg.scripts.start, pkg.scripts['start:dev'], docker, unit]) {
      expect(flagsBeforeMain(line)).toEqual(expect.arrayContaining([...NODE_FLAGS]));
    }
  });

  it('names flags this node accepts on its command line (an unknown one is refused)', () => {
    expect(() => execFileSync(process.execPath, [...NODE_FLAGS, '-e', '0'], { stdio: 'pipe' })).not.toThrow();
  });

  it('bounds the young generation a process grows under allocation (two semi-spaces of the size)', () => {
    const newSpace = (flags: readonly string[]): number => {
      const code =
        "let keep=[],x=[];for(let i=0;i<3e6;i++){x.push({a:i,b:'x'+i});if(x.length>20000){keep.push(x.slice(0,50));x=[];}}" +
        "console.log(require('v8').getHeapSpaceStatistics().find((s)=>s.space_name==='new_space').space_size)";
      return Number(execFileSync(process.execPath, [...flags, '-e', code], { encoding: 'utf8' }).trim());
    };
    const mb = Number(/--max-semi-space-size=(\d+)/.exec(NODE_FLAGS.join(' '))![1]);
    const bounded = newSpace(NODE_FLAGS);
    // V8's new space: two semi-spaces plus a page or so of its own.
    expect(bounded).toBeLessThanOrEqual(2 * mb * 1024 * 1024 * 1.1);
    expect(bounded).toBeLessThan(newSpace(['--max-semi-space-size=' + 4 * mb]));
  });
});
