import {
  createHttpClient,
  isDomainOrSubdomain,
  parseRetryAfter,
  proxyFor,
  useProxy,
  type ProxySettings,
} from './http-client';

const u = (s: string) => new URL(s);
const proxy = (p: Partial<ProxySettings>): ProxySettings => ({
  fromEnvironment: false,
  connectHeader: {},
  ...p,
});

describe('useProxy (NO_PROXY rules of golang.org/x/net/http/httpproxy)', () => {
  it('never proxies localhost or loopback addresses', () => {
    expect(useProxy(u('http://localhost:9/'), '')).toBe(false);
    expect(useProxy(u('http://127.0.0.1:9/'), '')).toBe(false);
    expect(useProxy(u('http://127.8.0.1/'), '')).toBe(false);
    expect(useProxy(u('http://[::1]:9/'), '')).toBe(false);
    expect(useProxy(u('http://10.0.0.1/'), '')).toBe(true);
  });

  it('matches hosts, subdomains, ports, IPs, CIDRs and *', () => {
    const list = 'example.com, .only-sub.org, *.star.net, 10.1.0.0/16, 192.168.0.9, api.io:8443';
    expect(useProxy(u('http://example.com/'), list)).toBe(false);
    expect(useProxy(u('http://a.example.com/'), list)).toBe(false);
    expect(useProxy(u('http://badexample.com/'), list)).toBe(true);
    expect(useProxy(u('http://only-sub.org/'), list)).toBe(true);
    expect(useProxy(u('http://x.only-sub.org/'), list)).toBe(false);
    expect(useProxy(u('http://star.net/'), list)).toBe(true);
    expect(useProxy(u('http://x.star.net/'), list)).toBe(false);
    expect(useProxy(u('http://10.1.200.3/'), list)).toBe(false);
    expect(useProxy(u('http://10.2.0.3/'), list)).toBe(true);
    expect(useProxy(u('http://192.168.0.9/'), list)).toBe(false);
    expect(useProxy(u('https://api.io:8443/'), list)).toBe(false);
    expect(useProxy(u('https://api.io/'), list)).toBe(true);
    expect(useProxy(u('https://anything/'), 'a.b,*')).toBe(false);
    expect(useProxy(u('http://EXAMPLE.com/'), 'Example.COM')).toBe(false);
  });
});

describe('proxyFor', () => {
  it('proxy_url alone proxies every target, loopback included (http.ProxyURL)', () => {
    const p = proxy({ url: u('http://proxy:3128') });
    expect(proxyFor(p, u('http://127.0.0.1:1/'))?.href).toBe('http://proxy:3128/');
    expect(proxyFor(p, u('https://vendor.example/'))?.href).toBe('http://proxy:3128/');
  });

  it('with no_proxy, listed and loopback targets go direct', () => {
    const p = proxy({ url: u('http://proxy:3128'), noProxy: 'internal' });
    expect(proxyFor(p, u('http://127.0.0.1:1/'))).toBeUndefined();
    expect(proxyFor(p, u('http://svc.internal/'))).toBeUndefined();
    expect(proxyFor(p, u('http://vendor.example/'))?.host).toBe('proxy:3128');
  });

  it('from the environment: HTTPS_PROXY for https, HTTP_PROXY for http, NO_PROXY, bare host:port', () => {
    const p = proxy({ fromEnvironment: true });
    const env = { HTTP_PROXY: 'http://hp:1', https_proxy: 'sp:2', NO_PROXY: 'skip.me' };
    expect(proxyFor(p, u('http://vendor.example/'), env)?.href).toBe('http://hp:1/');
    expect(proxyFor(p, u('https://vendor.example/'), env)?.href).toBe('http://sp:2/');
    expect(proxyFor(p, u('https://a.skip.me/'), env)).toBeUndefined();
    expect(proxyFor(p, u('http://localhost/'), env)).toBeUndefined();
    expect(proxyFor(p, u('http://vendor.example/'), {})).toBeUndefined();
    // CGI: HTTP_PROXY could come from a request header.
    expect(proxyFor(p, u('http://vendor.example/'), { ...env, REQUEST_METHOD: 'GET' })).toBeUndefined();
  });
});

describe('isDomainOrSubdomain (net/http redirect rule)', () => {
  it('is true for the host and its subdomains only', () => {
    expect(isDomainOrSubdomain('example.com', 'example.com')).toBe(true);
    expect(isDomainOrSubdomain('api.example.com', 'example.com')).toBe(true);
    expect(isDomainOrSubdomain('evilexample.com', 'example.com')).toBe(false);
    expect(isDomainOrSubdomain('example.com', 'api.example.com')).toBe(false);
    expect(isDomainOrSubdomain('[::1]', '[::1]')).toBe(true);
    expect(isDomainOrSubdomain('127.0.0.2', '127.0.0.1')).toBe(false);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('7')).toBe(7000);
    expect(
      parseRetryAfter('Wed, 21 Oct 2015 07:28:10 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT')),
    ).toBe(10_000);
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
  });
});

describe('createHttpClient', () => {
  it('reports no warnings: every checked field is applied', () => {
    expect(createHttpClient({ proxy_url: 'http://p:1', enable_http2: true }, 'r').warnings).toEqual([]);
  });

  it('answers an unusable URL as a permanent 400 without sending', async () => {
    const { client } = createHttpClient(undefined, 'r');
    const signal = new AbortController().signal;
    for (const url of ['not a url', 'ftp://x/'])
      await expect(client.request({ url, timeoutMs: 1000, signal })).resolves.toEqual({
        outcome: { kind: 'http', status: 400 },
        message: 'invalid URL',
      });
  });

  it('answers an already-aborted signal without sending', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const r = await createHttpClient(undefined, 'r').client.request({
      url: 'http://127.0.0.1:1/',
      timeoutMs: 1000,
      signal: ctl.signal,
    });
    expect(r.outcome).toEqual({ kind: 'transport', timeout: false, message: 'aborted (shutdown)' });
  });
});
