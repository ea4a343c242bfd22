import { DECOY_HASH, hashSecret, parseSecretHash, verifySecret } from './secret-hash';

const FAST = { N: 1024, r: 8, p: 1 };

describe('secret hashes', () => {
  it('are self-describing scrypt strings with a fresh salt each time', async () => {
    const a = await hashSecret('pw', FAST);
    const b = await hashSecret('pw', FAST);
    expect(a).toMatch(/^scrypt\$N=1024,r=8,p=1\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
    expect(a).not.toBe(b);
    expect(parseSecretHash(a)).toMatchObject({ N: 1024, r: 8, p: 1 });
  });

  it('verify the right secret only', async () => {
    const h = await hashSecret('correct horse', FAST);
    expect(await verifySecret('correct horse', h)).toBe(true);
    expect(await verifySecret('correct hors', h)).toBe(false);
    expect(await verifySecret('', h)).toBe(false);
  });

  it('refuse malformed or abusive parameters instead of running them', async () => {
    expect(parseSecretHash('$2b$12$abcdefghijklmnopqrstuv')).toBeNull();
    expect(parseSecretHash('plain-secret')).toBeNull();
    const h = await hashSecret('x', FAST);
    expect(parseSecretHash(h.replace('N=1024', 'N=1000'))).toBeNull(); // not a power of two
    expect(parseSecretHash(h.replace('N=1024', 'N=4194304'))).toBeNull(); // 4 GiB of memory
    expect(await verifySecret('x', 'plain-secret')).toBe(false);
  });

  it('the decoy hash parses (so unknown users cost a real scrypt) and matches nothing', async () => {
    expect(parseSecretHash(DECOY_HASH)).not.toBeNull();
    expect(await verifySecret('', DECOY_HASH)).toBe(false);
  });
});
