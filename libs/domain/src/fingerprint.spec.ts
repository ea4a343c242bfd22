import { fingerprint, fnv1a64 } from './fingerprint';

// Slow but obviously correct reference: BigInt over Buffer's UTF-8 encoding.
function referenceFnv(bytes: Buffer): string {
  const mask = (1n << 64n) - 1n;
  let h = 14695981039346656037n;
  for (const b of bytes) h = ((h ^ BigInt(b)) * 1099511628211n) & mask;
  return h.toString(16).padStart(16, '0');
}

function referenceFingerprint(labels: Record<string, string>): string {
  const parts: Buffer[] = [];
  for (const name of Object.keys(labels).sort()) {
    parts.push(Buffer.from(name), Buffer.from([0xff]), Buffer.from(labels[name]), Buffer.from([0xff]));
  }
  return referenceFnv(Buffer.concat(parts));
}

// Deterministic PRNG so a failure is reproducible.
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 0x100000000;
  };
}

const ALPHABET = [
  'a',
  'Z',
  '_',
  '0',
  ' ',
  '"',
  '\\',
  'é',
  'ß',
  '日本',
  '😀',
  '\n',
  '\u0000',
  '\uffff',
  '\ud800',
  '\udc00',
];

describe('fingerprint', () => {
  it('matches the Alertmanager test vector', () => {
    expect(
      fingerprint({ alertname: 'HighCPU', cluster: 'c1', instance: 'a', severity: 'warning', team: 'db' }),
    ).toBe('a67804294d5d5284');
  });

  it('hashes the empty set to the offset basis', () => {
    expect(fingerprint({})).toBe('cbf29ce484222325');
  });

  it('does not depend on key insertion order', () => {
    expect(fingerprint({ b: '2', a: '1' })).toBe(fingerprint({ a: '1', b: '2' }));
  });

  it('agrees with a BigInt reference on 1000 random label sets', () => {
    const rand = rng(42);
    const str = (max: number) => {
      let s = '';
      const n = Math.floor(rand() * max);
      for (let i = 0; i < n; i++) s += ALPHABET[Math.floor(rand() * ALPHABET.length)];
      return s;
    };
    for (let i = 0; i < 1000; i++) {
      const labels: Record<string, string> = {};
      const n = Math.floor(rand() * 8);
      for (let j = 0; j < n; j++) labels[`l${Math.floor(rand() * 20)}_${j}`] = str(12);
      expect(fingerprint(labels)).toBe(referenceFingerprint(labels));
    }
  });

  it('fnv1a64 agrees with the reference', () => {
    for (const s of ['', 'a', '{}:{alertname="x"}', '日本😀'])
      expect(fnv1a64(s)).toBe(referenceFnv(Buffer.from(s)));
  });

  // Expected values: `go run test/compat/utf8-label-vectors.go`, a standard-library reproduction of
  // prometheus/common v0.70.1 labelSetToFingerprint (the version Alertmanager 0.34 vendors).
  it.each([
    [{ alertname: 'Down', 'service.name': 'api', 名前: '値' }, '81f361e2a08d6ea6'],
    [{ 'service.name': 'api' }, 'f2b8b17f793c8617'],
    [{ 'service.name': 'api', 名前: '値', 'foo bar': 'x"y' }, '7226e4f174e177c3'],
  ])('hashes UTF-8 names as Alertmanager ≥ 0.27 does: %j → %s', (labels, fp) => {
    expect(fingerprint(labels)).toBe(fp);
  });

  it('sorts names in UTF-8 byte order, as Go (regression: UTF-16 order put 😀 before U+FF21)', () => {
    // UTF-16 sorts the surrogate D83D before FF21; Go's byte order puts EF BC A1 before F0 9F 98 80.
    expect(fingerprint({ '😀': '1', '\uff21': '2' })).toBe('4958c964c59faa85');
  });
});
