import { loadConfig } from './load-config';

const hash = (fill: number) =>
  `scrypt$N=16384,r=8,p=1$${Buffer.alloc(16, fill).toString('base64')}$${Buffer.alloc(32, fill).toString('base64')}`;

const YAML = `
route:
  receiver: ops
  group_by: [alertname]
receivers:
  - name: ops
herald:
  default_tenant: default
  tenants:
    - id: acme-prod
      name: Acme Corporation
      api_keys: ['${hash(1)}']
      users:
        - { username: alice.smith, password_hash: '${hash(2)}', role: admin }
        - { username: bob.jones, password_hash: '${hash(3)}', role: viewer }
    - id: globex
      api_keys: ['${hash(4)}']
`;

describe('originalRedacted (served by /api/v2/status without auth)', () => {
  const text = loadConfig({ env: {}, fileText: YAML, hostname: 'h' }).originalRedacted;

  it('shows no tenant ids, tenant names, usernames, roles, hashes or keys', () => {
    for (const s of [
      'acme-prod',
      'Acme Corporation',
      'globex',
      'alice.smith',
      'bob.jones',
      'scrypt',
      'viewer',
    ])
      expect(text).not.toContain(s);
    expect(text).not.toMatch(/role:\s*admin/);
  });

  it('keeps the Alertmanager sections and says how many tenants there are', () => {
    expect(text).toContain('receiver: ops');
    expect(text).toContain('group_by: [ alertname ]');
    expect(text).toContain('tenants: <2 tenants>');
    expect(text).toContain('default_tenant: default');
  });

  it('leaves a config without tenants as it was', () => {
    const plain = 'route:\n  receiver: d\nreceivers:\n  - name: d\nherald:\n  tenants: []\n';
    expect(loadConfig({ env: {}, fileText: plain, hostname: 'h' }).originalRedacted).toBe(plain);
  });
});
