import { hashSecret } from '@herald/sessions';

/** Where a command writes; injected so tests capture it. */
export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  /** The whole of standard input (for secrets that should not appear in shell history). */
  readStdin(): Promise<string>;
}

const USAGE = `usage: heraldctl <command>

commands:
  hash-secret <secret>   print the scrypt hash of a password or API key for herald.tenants
  hash-secret -          the same, reading the secret from standard input (keeps it out of shell history)
  help                   this text`;

/** Runs one heraldctl command line; returns the process exit code. */
export async function run(argv: string[], io: CliIo): Promise<number> {
  const [cmd, ...rest] = argv;
  switch (cmd) {
    case 'hash-secret': {
      if (rest.length !== 1) {
        io.err('usage: heraldctl hash-secret <secret>   (or - to read it from standard input)');
        return 2;
      }
      const secret = rest[0] === '-' ? (await io.readStdin()).replace(/\r?\n$/, '') : rest[0];
      if (!secret) {
        io.err('heraldctl: the secret must not be empty');
        return 2;
      }
      io.out(await hashSecret(secret));
      return 0;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return cmd === undefined ? 2 : 0;
    default:
      io.err(`heraldctl: unknown command ${JSON.stringify(cmd)}\n\n${USAGE}`);
      return 2;
  }
}
