import { ownerToken } from './owner-token';

describe('ownerToken', () => {
  it('is 32 hex characters and never repeats across pool refills', () => {
    const seen = new Set<string>();
    // 10 pools' worth: every refill draws fresh bytes, none is handed out twice.
    for (let i = 0; i < 2560; i++) {
      const t = ownerToken();
      expect(t).toMatch(/^[0-9a-f]{32}$/);
      seen.add(t);
    }
    expect(seen.size).toBe(2560);
  });
});
