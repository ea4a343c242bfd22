import { createRequire } from 'node:module';

/**
 * Issue 16 (node RSS): the first `Intl.DateTimeFormat` a process builds loads ICU's locale data and
 * formatters, ~8 MB of resident memory. `@nestjs/common` builds one in each of its two logger modules
 * when they load, for a console timestamp Herald never prints (its logs go through pino). Loading those
 * modules with a stand-in that builds the real formatter at its first use keeps the ICU data out of a
 * node that has no use for it; a node that formats a time zone (time intervals with a `location`, a
 * template's `tz`) loads it then, as any process does.
 */

/**
 * What to load with the stand-in: `@nestjs/common` whole (its index loads `reflect-metadata` first,
 * which the logger modules need, then both of them).
 */
export const NEST_DATE_FORMAT_MODULES = ['@nestjs/common'];

type DateTimeFormatCtor = typeof Intl.DateTimeFormat;

/** An `Intl.DateTimeFormat` that builds the real one on first use. */
export class LazyDateTimeFormat {
  private real?: Intl.DateTimeFormat;

  constructor(
    private readonly Real: DateTimeFormatCtor,
    private readonly locales?: string | string[],
    private readonly options?: Intl.DateTimeFormatOptions,
  ) {}

  /** Whether the real formatter has been built (tests). */
  get built(): boolean {
    return this.real !== undefined;
  }

  private get f(): Intl.DateTimeFormat {
    return (this.real ??= new this.Real(this.locales, this.options));
  }

  format(date?: Date | number): string {
    return this.f.format(date);
  }

  formatToParts(date?: Date | number): Intl.DateTimeFormatPart[] {
    return this.f.formatToParts(date);
  }

  formatRange(start: Date | number, end: Date | number): string {
    return this.f.formatRange(start, end);
  }

  formatRangeToParts(
    start: Date | number,
    end: Date | number,
  ): ReturnType<Intl.DateTimeFormat['formatRangeToParts']> {
    return this.f.formatRangeToParts(start, end);
  }

  resolvedOptions(): Intl.ResolvedDateTimeFormatOptions {
    return this.f.resolvedOptions();
  }
}

/**
 * Loads `modules` (default: `@nestjs/common`) while `Intl.DateTimeFormat` makes lazy formatters,
 * then puts the real constructor back. A module that is not there (another Nest version) is skipped:
 * the formatter is then built as before. Returns the modules loaded this way.
 */
export function loadWithLazyDateFormat(
  modules: readonly string[] = NEST_DATE_FORMAT_MODULES,
  load: (id: string) => unknown = createRequire(__filename),
): string[] {
  const intl = Intl as { DateTimeFormat: DateTimeFormatCtor };
  const Real = intl.DateTimeFormat;
  const loaded: string[] = [];
  intl.DateTimeFormat = function (locales?: string | string[], options?: Intl.DateTimeFormatOptions) {
    return new LazyDateTimeFormat(Real, locales, options);
  } as unknown as DateTimeFormatCtor;
  try {
    for (const id of modules) {
      try {
        load(id);
        loaded.push(id);
      } catch {
        // not in this version of Nest: nothing to defer
      }
    }
  } finally {
    intl.DateTimeFormat = Real;
  }
  return loaded;
}
