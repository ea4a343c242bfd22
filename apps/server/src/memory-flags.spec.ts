import { execFileSync } from 'node:child_process';
import { boundHeapGrowth, HEAP_GROWING_PERCENT } from './memory-flags';

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
