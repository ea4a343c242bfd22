import type { LoggerService } from '@nestjs/common';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';

/** herald.log_level uses pino's level names. */
export type PinoLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Paths pino censors in every line (request logs, objects passed to the Nest logger). */
export const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.token',
  '*.apiKey',
  '*.api_key',
  '*.secret',
  'password',
  'token',
  'apiKey',
  'api_key',
  'secret',
];

const SECRET_PATTERNS: [RegExp, string][] = [
  [/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [REDACTED]'],
  [
    /\b(password|passwd|token|api[_-]?key|secret|authorization|cookie)(["']?\s*[:=]\s*["']?)[^\s"',}&]+/gi,
    '$1$2[REDACTED]',
  ],
];

/** Scrubs credentials out of free-text log messages (Nest's logger takes strings). */
export function redactText(s: string): string {
  let out = s;
  for (const [re, by] of SECRET_PATTERNS) out = out.replace(re, by);
  return out;
}

export interface HeraldLoggerOptions {
  level: PinoLevel;
  nodeId: string;
  /** Human-readable output via pino-pretty (when installed): use for a TTY. */
  pretty?: boolean;
  /** Where lines go (tests); default stdout. */
  destination?: DestinationStream;
}

/** The pino root logger: JSON lines with `nodeId`, ISO time and redacted secrets. */
export function createHeraldLogger(opts: HeraldLoggerOptions): Logger {
  const options: LoggerOptions = {
    level: opts.level,
    base: { pid: process.pid, nodeId: opts.nodeId },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label) => ({ level: label }) },
  };
  if (opts.destination) return pino(options, opts.destination);
  if (opts.pretty && hasPinoPretty()) {
    return pino({ ...options, transport: { target: 'pino-pretty', options: { colorize: true } } });
  }
  return pino(options);
}

function hasPinoPretty(): boolean {
  try {
    require.resolve('pino-pretty');
    return true;
  } catch {
    return false; // a production install without devDependencies: plain JSON
  }
}

/** Nest's LoggerService on pino: `context` becomes a field, messages are scrubbed of secrets. */
export class PinoNestLogger implements LoggerService {
  constructor(readonly pino: Logger) {}

  private write(level: Exclude<PinoLevel, 'silent'>, message: unknown, params: unknown[]): void {
    if (!this.pino.isLevelEnabled(level)) return;
    const rest = [...params];
    const context = typeof rest[rest.length - 1] === 'string' ? (rest.pop() as string) : undefined;
    const fields: Record<string, unknown> = {};
    if (context) fields.context = context;
    if (level === 'error' || level === 'fatal') {
      const stack = rest.find((p) => typeof p === 'string');
      if (typeof stack === 'string') fields.stack = redactText(stack);
    }
    if (message instanceof Error) {
      this.pino[level]({ ...fields, err: message }, redactText(message.message));
    } else if (typeof message === 'object' && message !== null) {
      this.pino[level]({ ...fields, ...(message as object) });
    } else {
      this.pino[level](fields, redactText(String(message)));
    }
  }

  // LoggerService's methods, each on its pino level (Nest's `verbose` is pino's `trace`).
  log = this.at('info');
  error = this.at('error');
  warn = this.at('warn');
  debug = this.at('debug');
  verbose = this.at('trace');
  fatal = this.at('fatal');

  private at(level: Exclude<PinoLevel, 'silent'>) {
    return (message: unknown, ...params: unknown[]): void => this.write(level, message, params);
  }
}
