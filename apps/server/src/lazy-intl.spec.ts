import { LazyDateTimeFormat, loadWithLazyDateFormat } from './lazy-intl';

describe('lazy Intl.DateTimeFormat for Nest’s logger modules (issue 16, node RSS)', () => {
  const Real = Intl.DateTimeFormat;
  afterEach(() => {
    Intl.DateTimeFormat = Real;
  });

  /** Counts the real formatters built while `fn` runs. */
  function counting(fn: () => void): number {
    let built = 0;
    const Counting = function (locales?: string | string[], options?: Intl.DateTimeFormatOptions) {
      built++;
      return new Real(locales, options);
    } as unknown as typeof Intl.DateTimeFormat;
    Intl.DateTimeFormat = Counting;
    try {
      fn();
    } finally {
      Intl.DateTimeFormat = Real;
    }
    return built;
  }

  it('builds the real formatter at the first use and formats as it does', () => {
    const options: Intl.DateTimeFormatOptions = { timeZone: 'UTC', hour: 'numeric', minute: 'numeric' };
    const lazy = new LazyDateTimeFormat(Real, 'en-US', options);
    expect(lazy.built).toBe(false);
    const t = Date.UTC(2026, 11, 2, 7, 5);
    expect(lazy.format(t)).toBe(new Real('en-US', options).format(t));
    expect(lazy.built).toBe(true);
    expect(lazy.formatToParts(t)).toEqual(new Real('en-US', options).formatToParts(t));
    expect(lazy.resolvedOptions().timeZone).toBe('UTC');
  });

  it('@nestjs/common builds formatters as it loads (what the stand-in is for)', () => {
    const built = counting(() => jest.isolateModules(() => jest.requireActual('@nestjs/common')));
    expect(built).toBeGreaterThan(0);
  });

  it('loads @nestjs/common without building a formatter, and puts the real constructor back', () => {
    let loaded: string[] = [];
    let nest: typeof import('@nestjs/common') | undefined;
    const built = counting(() =>
      jest.isolateModules(() => {
        loaded = loadWithLazyDateFormat(
          undefined,
          (id) => (nest = jest.requireActual<typeof import('@nestjs/common')>(id)),
        );
      }),
    );
    expect(loaded).toEqual(['@nestjs/common']);
    expect(built).toBe(0);
    expect(Intl.DateTimeFormat).toBe(Real);
    // Nest's console logger still prints its timestamp: the formatter is built when it is first used.
    const write = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      new nest!.ConsoleLogger('t', { timestamp: true }).log('hello');
      expect(String(write.mock.calls[0][0])).toMatch(/\d{2}\/\d{2}\/\d{4}, \d{1,2}:\d{2}:\d{2}/);
    } finally {
      write.mockRestore();
    }
  });

  it('skips a module that is not there and restores the constructor when a load throws', () => {
    const seen: string[] = [];
    const loaded = loadWithLazyDateFormat(['there', 'missing'], (id) => {
      seen.push(id);
      expect(new Intl.DateTimeFormat('en-US')).toBeInstanceOf(LazyDateTimeFormat);
      if (id === 'missing') throw new Error('Cannot find module');
    });
    expect(seen).toEqual(['there', 'missing']);
    expect(loaded).toEqual(['there']);
    expect(Intl.DateTimeFormat).toBe(Real);
  });
});
