import { ConfigError } from '@herald/domain';
import { inFileOrder, loadConfig, problemLine, problemsOf, type HeraldConfig } from '@herald/config';
import { str, UsageError, type FlagKind, type ParsedArgs } from './args';

/** The I/O check-config needs. */
export interface CheckConfigIo {
  out(line: string): void;
  err(line: string): void;
  env?: Readonly<Record<string, string | undefined>>;
}

export const CHECK_CONFIG_FLAGS: Record<string, FlagKind> = {
  settings: 'string',
  json: 'bool',
  help: 'bool',
  h: 'bool',
};

export const CHECK_CONFIG_HELP = `  check-config [FILE...] [--settings FILE]
                                       validate config files as a node would load them (default: the
                                       files of HERALD_CONFIG / HERALD_SETTINGS): every problem with its
                                       file:line:column, exit 1; valid: a summary, exit 0. A plain
                                       alertmanager.yml is checked as it is (like amtool check-config);
                                       --settings adds Herald's separate settings file`;

/**
 * `heraldctl check-config [FILE...] [--settings FILE]`: each file through the node's own loader (the
 * environment's overrides left out, so the file is judged on its own), like `amtool check-config`.
 */
export function checkConfigCommand(a: ParsedArgs, io: CheckConfigIo): number {
  const env = io.env ?? {};
  const files = a.positionals.length > 0 ? a.positionals : [env.HERALD_CONFIG?.trim()].filter(nonEmpty);
  const settings = str(a, 'settings') ?? (a.positionals.length > 0 ? undefined : env.HERALD_SETTINGS?.trim());
  if (files.length === 0 && !settings) {
    throw new UsageError('check-config needs a FILE (or HERALD_CONFIG / HERALD_SETTINGS set)');
  }
  const json = a.flags.get('json') === true;
  const results: { file: string; valid: boolean; errors: ReturnType<typeof problemsOf> }[] = [];
  // Only the Herald settings file: checked with the zero-config Alertmanager part.
  for (const file of files.length > 0 ? files : [undefined]) {
    const label = [file, settings].filter(nonEmpty).join(' + ');
    if (!json) io.out(`Checking ${JSON.stringify(label)}`);
    let cfg: HeraldConfig;
    try {
      cfg = loadConfig({ env: {}, filePath: file, settingsPath: settings });
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      const errors = inFileOrder(problemsOf(e));
      results.push({ file: label, valid: false, errors });
      if (!json) {
        io.out(`  FAILED: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
        errors.forEach((p) => io.out(`  ${problemLine(p)}`));
        io.out('');
      }
      continue;
    }
    results.push({ file: label, valid: true, errors: [] });
    if (!json) summary(cfg).forEach((l) => io.out(l));
  }
  if (json) io.out(JSON.stringify(results, null, 2));
  const failed = results.filter((r) => !r.valid).length;
  if (!json && failed > 0) io.err(`heraldctl: ${failed} of ${results.length} failed`);
  return failed > 0 ? 1 : 0;
}

function summary(c: HeraldConfig): string[] {
  const n = (count: number, what: string) => `${count} ${what}${count === 1 ? '' : 's'}`;
  const herald = c.herald;
  return [
    '  SUCCESS',
    'Found:',
    ' - global config',
    ' - route',
    ` - ${n(c.inhibitRules.length, 'inhibit rule')}`,
    ` - ${n(c.receivers.length, 'receiver')} (${n(
      c.receivers.reduce((k, r) => k + r.integrations.length, 0),
      'integration',
    )})`,
    ` - ${n(c.timeIntervals.length, 'time interval')}`,
    ` - ${n(c.templateFiles.length, 'template file')}`,
    ` - herald settings${c.settingsSource ? ` from ${c.settingsSource}` : ''}: redis ${herald.redis.mode}, ${n(herald.tenants.length, 'tenant')}, roles ${[...herald.roles].join(',')}`,
    ...c.warnings.map((w) => `warning: ${w}`),
    '',
  ];
}

function nonEmpty(s: string | undefined): s is string {
  return s !== undefined && s !== '';
}
