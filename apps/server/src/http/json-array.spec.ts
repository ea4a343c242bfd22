import { Readable } from 'node:stream';
import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { JSON_TYPE, jsonArrayBody, type TypedReply } from './json-array';
import { sortYielding } from './sort-yielding';

/** V8's longest string on 64-bit platforms (2^29 - 24 UTF-16 units): `JSON.stringify` past it throws. */
const V8_MAX_STRING = 2 ** 29 - 24;

function reply() {
  const r = { contentType: '', type: (t: string) => void (r.contentType = t) };
  return r;
}

async function text(body: string | StreamableFile): Promise<string> {
  if (typeof body === 'string') return body;
  const parts: Buffer[] = [];
  for await (const c of body.getStream() as Readable) parts.push(c as Buffer);
  return Buffer.concat(parts).toString('utf8');
}

describe('jsonArrayBody', () => {
  const items = [
    { labels: { alertname: 'A', 'ütf8 ✓': 'emoji 🚨' }, alerts: [{ fingerprint: '01', n: 1.5, z: null }] },
    { labels: {}, receiver: { name: 'r' }, alerts: [] },
    'a "string" \u2028 with escapes\n',
    42,
  ];

  it('gives the bytes JSON.stringify gives, as one JSON string for a normal answer', async () => {
    for (const list of [[], [items[0]], items]) {
      for (const perPiece of [1, 2, 500]) {
        const r = reply();
        const body = await jsonArrayBody(r, list, { perPiece });
        expect(typeof body).toBe('string');
        expect(body).toBe(JSON.stringify(list));
        expect(r.contentType).toBe(JSON_TYPE);
      }
    }
  });

  it('streams an answer longer than the threshold, with the same bytes', async () => {
    const list = Array.from({ length: 1_001 }, (_, i) => ({ i, s: `é${i}`, items }));
    const body = await jsonArrayBody(reply(), list, { perPiece: 7, streamAbove: 10_000 });
    expect(body).toBeInstanceOf(StreamableFile);
    expect((body as StreamableFile).getHeaders().type).toBe(JSON_TYPE);
    expect(await text(body)).toBe(JSON.stringify(list));
  });

  it("a listing larger than V8's string limit is streamed in pieces of bounded size", async () => {
    // 1.1 million references to one object of 489 JSON characters: ~539 M characters in all, over
    // V8's string limit (JSON.stringify of the list throws RangeError: Invalid string length).
    const element = { s: 'x'.repeat(480) };
    const n = 1_100_000;
    const list = new Array<typeof element>(n).fill(element);
    const one = JSON.stringify(element).length;
    const expected = 2 + n * one + (n - 1);
    expect(expected).toBeGreaterThan(V8_MAX_STRING);
    const body = await jsonArrayBody(reply(), list);
    expect(body).toBeInstanceOf(StreamableFile);
    let bytes = 0;
    let longest = 0;
    let first = '';
    let last = '';
    for await (const c of (body as StreamableFile).getStream() as Readable) {
      const b = c as Buffer;
      bytes += b.length;
      longest = Math.max(longest, b.length);
      if (first.length < 7) first = (first + b.subarray(0, 7).toString()).slice(0, 7);
      last = (last + b.subarray(-2).toString()).slice(-2);
    }
    expect(bytes).toBe(expected); // ASCII: one byte per character
    expect(longest).toBeLessThan(1024 * 1024);
    expect(first).toBe('[{"s":"');
    expect(last).toBe('}]');
  }, 60_000);
});

describe('sortYielding', () => {
  const cmp = (a: { k: number }, b: { k: number }) => a.k - b.k;
  const keyed = (n: number) => Array.from({ length: n }, (_, i) => ({ k: (i * 7919) % 101, i }));

  // Runs of 1 and 3 elements on 1 009 items (odd tails at every merge width); the larger runs on 10 007.
  // One yield per merged element (run 1) on 10 007 items was ~140 000 event-loop turns: over the 5 s
  // test timeout on a loaded CI machine, for no extra coverage.
  it.each([
    [1_009, 1],
    [1_009, 3],
    [10_007, 64],
    [10_007, 4_096],
    [10_007, 20_000],
  ])('sorts %i items as Array.prototype.sort does, stable, in runs of %i and merges', async (n, run) => {
    const list = keyed(n);
    const want = [...list].sort(cmp);
    const got = [...list];
    expect(await sortYielding(got, cmp, run)).toBe(got);
    expect(got).toEqual(want);
  });
});

describe('jsonArrayBody through Nest and Fastify', () => {
  const list = Array.from({ length: 300 }, (_, i) => ({ i, s: `é ${i}` }));

  @Controller('x')
  class X {
    @Get(':above')
    get(@Param('above') above: string, @Res({ passthrough: true }) reply: TypedReply) {
      return jsonArrayBody(reply, list, { perPiece: 16, streamAbove: Number(above) });
    }
  }

  let app: NestFastifyApplication;
  beforeAll(async () => {
    const mod = await Test.createTestingModule({ controllers: [X] }).compile();
    app = mod.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), { logger: false });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });
  afterAll(() => app.close());

  it('answers application/json with the same body, whole (Content-Length) or streamed (chunked)', async () => {
    const fastify = app.getHttpAdapter().getInstance();
    const whole = await fastify.inject({ method: 'GET', url: '/x/100000000' });
    const streamed = await fastify.inject({ method: 'GET', url: '/x/1000' });
    for (const r of [whole, streamed]) {
      expect(r.statusCode).toBe(200);
      expect(r.headers['content-type']).toBe(JSON_TYPE);
      expect(r.body).toBe(JSON.stringify(list));
    }
    expect(whole.headers['content-length']).toBe(String(Buffer.byteLength(JSON.stringify(list))));
    expect(streamed.headers['transfer-encoding']).toBe('chunked');
  });
});
