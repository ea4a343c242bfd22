import { loadConfig } from './load-config';

const load = (delivery: string) =>
  loadConfig({ env: {}, fileText: `herald:\n  delivery:\n${delivery}`, hostname: 'h' });

describe('herald.delivery', () => {
  it('parses per-receiver rate limits with a * default', () => {
    const c = load(`    rate_limits:\n      pager: { max: 10, per: 1m }\n      '*': { max: 100 }\n`);
    expect(c.herald.delivery.rateLimits).toEqual({
      pager: { max: 10, per: 60_000 },
      '*': { max: 100, per: 60_000 },
    });
  });
  it.each([
    [`    rate_limits:\n      pager: { per: 1m }\n`, 'herald.delivery.rate_limits.pager.max'],
    [`    rate_limits:\n      pager: { max: 0 }\n`, 'herald.delivery.rate_limits.pager.max'],
    [`    rate_limits:\n      pager: { max: 5, per: 0s }\n`, 'herald.delivery.rate_limits.pager.per'],
    [`    rate_limits:\n      pager: { max: 5, burst: 2 }\n`, 'herald.delivery.rate_limits.pager'],
    [`    stalled_timeout: soon\n`, 'herald.delivery.stalled_timeout'],
    [`    attempts: -1\n`, 'herald.delivery.attempts'],
  ])('rejects %j naming %s', (yaml, path) => {
    expect(() => load(yaml)).toThrow(path);
  });
});
