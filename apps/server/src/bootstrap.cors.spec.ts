import { corsAnswer, isCorsPath } from './bootstrap';

const PRE = 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers';
const preflight = (method: string, headers?: string) => ({
  origin: 'http://ui.example',
  'access-control-request-method': method,
  ...(headers ? { 'access-control-request-headers': headers } : {}),
});

describe('CORS on the v2 API (rs/cors defaults, as Alertmanager; e2e replays the recorded answers)', () => {
  it('applies to /api/v2 paths only', () => {
    expect(isCorsPath('/api/v2/alerts?filter=x')).toBe(true);
    expect(isCorsPath('/api/v2')).toBe(true);
    expect(isCorsPath('/api/v2x')).toBe(false);
    expect(isCorsPath('/api/v1/groups')).toBe(false);
    expect(isCorsPath('/metrics')).toBe(false);
  });

  it('allows any origin on simple requests, and always varies on Origin', () => {
    expect(corsAnswer('GET', { origin: 'http://x' })).toEqual({
      preflight: false,
      headers: { Vary: 'Origin', 'Access-Control-Allow-Origin': '*' },
    });
    expect(corsAnswer('GET', {})).toEqual({ preflight: false, headers: { Vary: 'Origin' } });
  });

  it('answers a preflight, echoing an allowed method and headers in canonical form', () => {
    expect(corsAnswer('OPTIONS', preflight('post', 'content-type, x-requested-with'))).toEqual({
      preflight: true,
      headers: {
        Vary: PRE,
        'Access-Control-Allow-Origin': '*',
        'Access-Control-Allow-Methods': 'POST',
        'Access-Control-Allow-Headers': 'Content-Type, X-Requested-With',
      },
    });
  });

  it("allows DELETE (the API's silence expiry) and Authorization (tenant keys), unlike rs/cors' defaults", () => {
    expect(corsAnswer('OPTIONS', preflight('DELETE', 'Authorization')).headers).toMatchObject({
      'Access-Control-Allow-Methods': 'DELETE',
      'Access-Control-Allow-Headers': 'Authorization',
    });
  });

  it('refuses other methods and headers by leaving the Allow headers out (the browser then blocks)', () => {
    expect(corsAnswer('OPTIONS', preflight('PUT')).headers).toEqual({ Vary: PRE });
    expect(corsAnswer('OPTIONS', preflight('GET', 'x-custom')).headers).toEqual({ Vary: PRE });
    const many = Array.from({ length: 40 }, () => 'accept').join(',');
    expect(corsAnswer('OPTIONS', preflight('GET', many)).headers).toEqual({ Vary: PRE });
  });

  it('an OPTIONS without Origin or requested method is no preflight', () => {
    expect(corsAnswer('OPTIONS', { origin: 'http://x' }).preflight).toBe(false);
    expect(corsAnswer('OPTIONS', { 'access-control-request-method': 'GET' }).preflight).toBe(false);
  });
});
