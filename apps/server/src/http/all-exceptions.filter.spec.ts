import type { FastifyReply, FastifyRequest } from 'fastify';
import { clientGone, frameworkError } from './all-exceptions.filter';
import { pathOf, trustProxyOption } from '../bootstrap';

const req = (destroyed: boolean) =>
  ({ raw: { destroyed, socket: { destroyed } } }) as unknown as FastifyRequest;
const reply = { raw: { destroyed: false } } as unknown as FastifyReply;
const aborted = Object.assign(new Error('aborted'), { code: 'ECONNRESET' });

describe('clientGone', () => {
  it('a client that closed its socket mid-request is not a server error', () => {
    expect(clientGone(aborted, req(true), reply)).toBe(true);
  });

  it('an error while the client is still connected, or any other error, is one', () => {
    expect(clientGone(aborted, req(false), reply)).toBe(false);
    expect(clientGone(new TypeError('x is undefined'), req(true), reply)).toBe(false);
    expect(clientGone('aborted', req(true), reply)).toBe(false);
  });
});

describe('request log and proxy helpers', () => {
  it('pathOf drops the query string (it may carry filters or tokens)', () => {
    expect(pathOf('/api/v2/alerts?filter=a%3D%22b%22&token=t')).toBe('/api/v2/alerts');
    expect(pathOf('/metrics')).toBe('/metrics');
  });

  it('trustProxyOption never trusts every hop: a list of CIDRs, or false for nobody', () => {
    expect(trustProxyOption(['127.0.0.0/8', '::1/128'])).toEqual(['127.0.0.0/8', '::1/128']);
    expect(trustProxyOption([])).toBe(false);
  });
});

describe('frameworkError', () => {
  it("an unknown route is {error, field: 'path'} naming the method and path, without the query string", () => {
    expect(
      frameworkError(404, 'Cannot GET /ui/x', undefined, { method: 'GET', url: '/ui/x?token=t' }),
    ).toEqual({
      error: 'no such route: GET /ui/x',
      field: 'path',
    });
    expect(frameworkError(404, 'Cannot GET /x', undefined).field).toBe('path');
  });
});
