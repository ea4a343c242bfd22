import { Readable } from 'node:stream';
import { StreamableFile } from '@nestjs/common';

/** The Content-Type Fastify gives a JSON answer it serialises itself. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** Elements serialised between two turns of the event loop. */
const ELEMENTS_PER_PIECE = 500;

/**
 * Answers up to this many characters (UTF-16 units) go out as one string, as Fastify sends a serialised
 * answer (Content-Length set); longer ones are streamed piece by piece (chunked): no string grows with the
 * answer past V8's string limit (~512 MB), and the serialising never holds the event loop for long.
 */
export const STREAM_ABOVE_CHARS = 32 * 1024 * 1024;

/** Lets timers and I/O run (Redis replies, other requests) before the caller continues. */
export function yieldToLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The reply part used here (Fastify's, through Nest's `@Res({ passthrough: true })`). */
export interface TypedReply {
  type(contentType: string): unknown;
}

/**
 * `items` as a JSON array, the same bytes `JSON.stringify(items)` gives (what Fastify would send), made
 * `perPiece` elements at a time with a turn of the event loop between pieces. A short answer is returned
 * as one string; past `streamAbove` characters a stream of the pieces (the rest made as it is read).
 */
export async function jsonArrayBody(
  reply: TypedReply,
  items: readonly unknown[],
  opts: { perPiece?: number; streamAbove?: number } = {},
): Promise<string | StreamableFile> {
  const perPiece = opts.perPiece ?? ELEMENTS_PER_PIECE;
  const streamAbove = opts.streamAbove ?? STREAM_ABOVE_CHARS;
  reply.type(JSON_TYPE);
  const piece = (from: number): string => {
    let s = '';
    const end = Math.min(items.length, from + perPiece);
    for (let i = from; i < end; i++) s += (i === 0 ? '' : ',') + (JSON.stringify(items[i]) ?? 'null');
    return s;
  };
  const pieces: string[] = ['['];
  let chars = 1;
  let next = 0;
  while (next < items.length) {
    if (next > 0) await yieldToLoop();
    const p = piece(next);
    next += perPiece;
    pieces.push(p);
    chars += p.length;
    if (chars > streamAbove) {
      async function* rest(): AsyncGenerator<string> {
        for (const p of pieces.splice(0)) yield p;
        while (next < items.length) {
          await yieldToLoop();
          const p = piece(next);
          next += perPiece;
          yield p;
        }
        yield ']';
      }
      return new StreamableFile(Readable.from(rest(), { objectMode: false }), { type: JSON_TYPE });
    }
  }
  pieces.push(']');
  return pieces.join('');
}
