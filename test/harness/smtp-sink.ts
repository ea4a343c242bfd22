import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { waitUntil } from './wait';

/** One e-mail the sink accepted, with the parts tests look at decoded. */
export interface SinkMail {
  from: string;
  to: string[];
  /** The raw RFC 5322 message. */
  raw: string;
  /** Top-level headers, lower-case names (unfolded). */
  headers: Record<string, string>;
  subject: string;
  /** Decoded text/plain and text/html bodies, when present. */
  text?: string;
  html?: string;
}

function parseHeaders(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
  }
  return out;
}

function decode(body: string, encoding: string | undefined): string {
  switch ((encoding ?? '').toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return Buffer.from(
        body
          .replace(/=\r?\n/g, '')
          .replace(/=([0-9A-F]{2})/gi, (_, h: string) => String.fromCharCode(parseInt(h, 16))),
        'latin1',
      ).toString('utf8');
    default:
      return body;
  }
}

/** RFC 2047 encoded words (`=?UTF-8?Q?...?=`), as nodemailer writes non-ASCII subjects. */
function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_, _cs: string, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : decode(text.replace(/_/g, ' '), 'quoted-printable'),
  );
}

/** Splits a MIME entity into its leaf parts (enough for nodemailer's multipart/alternative). */
function leaves(raw: string): { headers: Record<string, string>; body: string }[] {
  const sep = raw.search(/\r?\n\r?\n/);
  const headers = parseHeaders(sep < 0 ? raw : raw.slice(0, sep));
  const body = sep < 0 ? '' : raw.slice(sep).replace(/^\r?\n\r?\n/, '');
  const boundary = /boundary="?([^";]+)"?/i.exec(headers['content-type'] ?? '')?.[1];
  if (!boundary) return [{ headers, body }];
  return body
    .split(`--${boundary}`)
    .slice(1)
    .filter((p) => !p.startsWith('--'))
    .flatMap((p) => leaves(p.replace(/^\r?\n/, '')));
}

/**
 * A real SMTP server (the `smtp-server` package) on a free loopback port, without TLS or auth unless
 * told, recording every message. `reject(code)` makes it refuse the next messages with that reply code.
 */
export class SmtpSink {
  readonly mails: SinkMail[] = [];
  /** Messages refused because of `reject(code)`. */
  rejected = 0;
  private rejectCode?: number;

  private constructor(private readonly server: SMTPServer) {}

  static async start(opts: { auth?: { user: string; pass: string } } = {}): Promise<SmtpSink> {
    const server = new SMTPServer({
      secure: false,
      disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
      authOptional: !opts.auth,
      allowInsecureAuth: true,
      logger: false,
      onAuth(auth, _session, cb) {
        if (auth.username === opts.auth?.user && auth.password === opts.auth?.pass)
          cb(null, { user: auth.username });
        else cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 }));
      },
      onData(stream, session, cb) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          if (sink.rejectCode) {
            sink.rejected++;
            cb(
              Object.assign(new Error(`sink rejects with ${sink.rejectCode}`), {
                responseCode: sink.rejectCode,
              }),
            );
            return;
          }
          const raw = Buffer.concat(chunks).toString('utf8');
          const parts = leaves(raw);
          const top = parseHeaders(raw.slice(0, raw.search(/\r?\n\r?\n/)));
          const part = (type: string) => {
            const p = parts.find((x) => (x.headers['content-type'] ?? 'text/plain').startsWith(type));
            return p && decode(p.body, p.headers['content-transfer-encoding']);
          };
          const envelopeFrom = session.envelope.mailFrom;
          sink.mails.push({
            from: envelopeFrom ? envelopeFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw,
            headers: top,
            subject: decodeWords(top.subject ?? ''),
            text: part('text/plain'),
            html: part('text/html'),
          });
          cb();
        });
      },
    });
    // The handlers above run only after this line: the server has not started listening yet.
    const sink = new SmtpSink(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    return sink;
  }

  get port(): number {
    return (this.server.server.address() as AddressInfo).port;
  }

  /** `127.0.0.1:<port>`, for `smarthost`. */
  get smarthost(): string {
    return `127.0.0.1:${this.port}`;
  }

  /** Refuse the following messages with this SMTP reply code (undefined = accept again). */
  reject(code: number | undefined): void {
    this.rejectCode = code;
  }

  /** Resolves when `pred` holds; rejects after `timeoutMs` with the mails received. */
  async waitFor(pred: () => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    await waitUntil(pred, {
      timeoutMs,
      intervalMs: 20,
      what: `smtp sink: ${what}`,
      detail: () => `${this.mails.length} mails, ${this.rejected} rejected`,
    });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
