import type { IncomingMessage, ServerResponse } from 'node:http';
import { connect } from 'node:net';
import { waitUntil } from '../../../../test/harness/wait';
import { HttpHost } from './http-host';

function answer(text: string, hold?: Promise<void>) {
  return (_req: IncomingMessage, res: ServerResponse) => {
    void (hold ?? Promise.resolve()).then(() => res.end(text));
  };
}

/** Raw bytes to the server: the first line of its answer. */
function raw(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(bytes));
    let out = '';
    s.on('data', (d) => (out += d.toString()));
    s.on('close', () => resolve(out.split('\r\n')[0]));
    s.on('error', reject);
  });
}

describe('HttpHost: one socket, the live application swapped in one step', () => {
  let host: HttpHost;
  let url: string;

  beforeEach(async () => {
    host = new HttpHost((_req, res) => {
      res.statusCode = 503;
      res.end('starting');
    });
    const a = await host.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${a.port}`;
  });
  afterEach(async () => {
    host.server.closeAllConnections();
    await host.close();
  });

  it('answers with the fallback until an application is live, then with the live one', async () => {
    expect((await fetch(url)).status).toBe(503);
    const one = host.prepare();
    one.serverFactory(answer('one'));
    host.activate(one);
    expect(await (await fetch(url)).text()).toBe('one');
    const two = host.prepare();
    two.serverFactory(answer('two'));
    host.activate(two);
    expect(await (await fetch(url)).text()).toBe('two');
  });

  it('a request dispatched to the old application finishes there after the swap; drained() waits for it', async () => {
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const old = host.prepare();
    old.serverFactory(answer('old', held));
    host.activate(old);
    const slow = fetch(url).then((r) => r.text());
    await waitUntil(() => old.inFlight === 1, { what: 'the request in the old application' });
    const next = host.prepare();
    next.serverFactory(answer('new'));
    host.activate(next);
    expect(await (await fetch(url)).text()).toBe('new');
    expect(await old.drained(10)).toBe(false);
    const drained = old.drained(5000);
    release();
    expect(await slow).toBe('old');
    expect(await drained).toBe(true);
  });

  it("keeps only the live application's clientError listener (each Fastify adds one; one must answer)", async () => {
    const seen: string[] = [];
    const add = (name: string) => {
      const g = host.prepare();
      g.serverFactory(answer(name));
      host.server.on('clientError', (_e, socket: import('node:stream').Duplex) => {
        seen.push(name);
        socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      });
      return g;
    };
    const one = add('one');
    host.activate(one);
    const two = add('two');
    host.activate(two);
    host.retire(one);
    expect(await raw(Number(new URL(url).port), 'GARBAGE\r\n\r\n')).toBe('HTTP/1.1 400 Bad Request');
    expect(seen).toEqual(['two']);
  });
});
