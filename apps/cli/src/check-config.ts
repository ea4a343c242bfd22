import { ConfigError } from '@herald/domain';
import {
  inFileOrder,
  loadConfig,
  problemLine,
  problemsOf,
  type ConfigProblem,
  type HeraldConfig,
} from '@herald/config';
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
                                       --settings adds Herald's separate settings file; a file that
                                       sets no Redis yet needs one (herald.workers above 1, split roles,
                                       quorum locks) passes with a warning: the node then needs
                                       REDIS_URL or REDIS_CLUSTER_NODES`;

/**
 * `heraldctl check-config [FILE...] [--settings FILE]`: each file through the node's own loader (the
 * environment's overrides left out, so the file is judged on its own), like `amtool check-config` — except
 * for the Redis a file may leave to the environment (`judge`).
 */
export function checkConfigCommand(a: ParsedArgs, io: CheckConfigIo): number {
  const env = io.env ?? {};
  const files = a.positionals.length > 0 ? a.positionals : [env.HERALD_CONFIG?.trim()].filter(nonEmpty);
  const settings = str(a, 'settings') ?? (a.positionals.length > 0 ? undefined : env.HERALD_SETTINGS?.trim());
  if (files.length === 0 && !settings) {
    throw new UsageError('check-config needs a FILE (or HERALD_CONFIG / HERALD_SETTINGS set)');
  }
  const json = a.flags.get('json') === true;
  const results: {
    file: string;
    valid: boolean;
    errors: ConfigProblem[];
    /** Valid as far as the file can say: what needs a Redis the environment must then give the node. */
    needsRedisFromEnvironment?: ConfigProblem[];
  }[] = [];
  // Only the Herald settings file: checked with the zero-config Alertmanager part.
  for (const file of files.length > 0 ? files : [undefined]) {
    const label = [file, settings].filter(nonEmpty).join(' + ');
    if (!json) io.out(`Checking ${JSON.stringify(label)}`);
    const { cfg, errors, needsRedis } = judge(file, settings);
    if (!cfg) {
      results.push({ file: label, valid: false, errors });
      if (!json) {
        io.out(`  FAILED: ${errors.length} error${errors.length === 1 ? '' : 's'}`);
        errors.forEach((p) => io.out(`  ${problemLine(p)}`));
        needsRedis.forEach((p) => io.out(`  note: ${needsRedisLine(p)}`));
        io.out('');
      }
      continue;
    }
    results.push({
      file: label,
      valid: true,
      errors: [],
      ...(needsRedis.length > 0 ? { needsRedisFromEnvironment: needsRedis } : {}),
    });
    if (!json) summary(cfg, needsRedis).forEach((l) => io.out(l));
  }
  if (json) io.out(JSON.stringify(results, null, 2));
  const failed = results.filter((r) => !r.valid).length;
  if (!json && failed > 0) io.err(`heraldctl: ${failed} of ${results.length} failed`);
  return failed > 0 ? 1 : 0;
}

/**
 * What a file without a Redis of its own is refused for in memory mode (`herald.workers` above 1, split
 * roles, quorum locks): the node may still be given a Redis by REDIS_URL / REDIS_CLUSTER_NODES, which the
 * file alone cannot tell.
 */
function needsRedisOnly(p: ConfigProblem): boolean {
  return /\bneed Redis\b|^without Redis\b/.test(p.message) && !p.path.startsWith('herald.redis');
}

/** A stand-in for the environment's Redis: only parsed, never connected to. */
const ENVIRONMENT_REDIS = { REDIS_URL: 'redis://redis-from-the-environment:6379' };

/**
 * The file on its own (the environment's overrides left out). When the only objections are that it needs
 * a Redis it does not name, it is judged again with one from the environment, as the node would be started
 * with REDIS_URL: valid then, those objections become notes instead of a false failure.
 */
function judge(
  file: string | undefined,
  settings: string | undefined,
): { cfg?: HeraldConfig; errors: ConfigProblem[]; needsRedis: ConfigProblem[] } {
  const load = (env: Record<string, string>) => loadConfig({ env, filePath: file, settingsPath: settings });
  let first: ConfigProblem[];
  try {
    return { cfg: load({}), errors: [], needsRedis: [] };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    first = inFileOrder(problemsOf(e));
  }
  const needsRedis = first.filter(needsRedisOnly);
  if (needsRedis.length === 0 || first.some((p) => p.path.startsWith('herald.redis'))) {
    return { errors: first, needsRedis: [] };
  }
  try {
    return { cfg: load(ENVIRONMENT_REDIS), errors: [], needsRedis };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return { errors: first.filter((p) => !needsRedisOnly(p)), needsRedis };
  }
}

function needsRedisLine(p: ConfigProblem): string {
  return `${problemLine(p)} (the file sets no Redis: the node starts only with REDIS_URL or REDIS_CLUSTER_NODES)`;
}

function summary(c: HeraldConfig, needsRedis: ConfigProblem[]): string[] {
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
    ` - herald settings${c.settingsSource ? ` from ${c.settingsSource}` : ''}: redis ${
      needsRedis.length > 0 ? 'from the environment (REDIS_URL or REDIS_CLUSTER_NODES)' : herald.redis.mode
    }, ${n(herald.tenants.length, 'tenant')}, roles ${[...herald.roles].join(',')}`,
    ...needsRedis.map((p) => `warning: ${needsRedisLine(p)}`),
    ...c.warnings.map((w) => `warning: ${w}`),
    '',
  ];
}

function nonEmpty(s: string | undefined): s is string {
  return s !== undefined && s !== '';
}
