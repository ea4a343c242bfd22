import { createInterface } from 'node:readline';
import { run } from './commands';

/** heraldctl: Herald's operator command line (`npx heraldctl help`). */
async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** One question on the terminal (prompt on stderr, so stdout stays clean for pipes). */
function prompt(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  return new Promise((resolve) => {
    let answered = false;
    rl.question(question, (answer) => {
      answered = true;
      rl.close();
      resolve(answer);
    });
    rl.once('close', () => {
      if (!answered) resolve(''); // Ctrl-D / Ctrl-C: no
    });
  });
}

const argv = process.argv.slice(2);
const ctrlC = new AbortController();
process.on('SIGINT', () => {
  // `watch` stops cleanly on the first Ctrl-C; anything else (or a second Ctrl-C) ends at once.
  if (!argv.includes('watch') || ctrlC.signal.aborted) process.exit(130);
  ctrlC.abort();
});

// `heraldctl queue | head -1`: the reader is gone, so is the point of going on. Exit 0 quietly, as
// Unix tools do, instead of an EPIPE stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });
}

run(argv, {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  write: (s) => process.stdout.write(s),
  readStdin,
  isTTY: process.stdin.isTTY === true,
  // Tables fit a terminal; piped or redirected output is never cut.
  columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  prompt,
  signal: ctrlC.signal,
  // heraldctl is a client, not a node: HERALD_URL / HERALD_API_KEY say which node and how to sign in.
  // eslint-disable-next-line no-restricted-properties
  env: process.env,
}).then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    process.stderr.write(`heraldctl: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  },
);
