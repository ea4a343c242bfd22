import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@herald/config';
import { changedSections, configFingerprint, restartOnlyChange } from './config-diff';
import { configHash } from './reload-metrics';

const BASE = `
route:
  receiver: a
  group_by: [alertname]
receivers:
  - name: a
  - name: b
`;

function cfg(yaml: string, env: Record<string, string> = {}) {
  return loadConfig({ env, fileText: yaml, hostname: 'h' });
}

describe('config reload: what a running node can apply', () => {
  it('names the first setting that needs a restart', () => {
    const base = cfg(`${BASE}herald:\n  port: 9093\n`);
    expect(restartOnlyChange(base, cfg(`${BASE}herald:\n  port: 9094\n`))).toBe('herald.port');
    const two = cfg(`${BASE}herald:\n  workers: 2\n`, { REDIS_URL: 'redis://r:6379' });
    expect(
      restartOnlyChange(two, cfg(`${BASE}herald:\n  workers: 3\n`, { REDIS_URL: 'redis://r:6379' })),
    ).toBe('herald.workers');
    expect(restartOnlyChange(base, cfg(`${BASE}herald:\n  port: 9093\n  listen_address: 127.0.0.1\n`))).toBe(
      'herald.listen_address',
    );
    const redis = cfg(BASE, { REDIS_URL: 'redis://r:6379' });
    expect(restartOnlyChange(redis, cfg(BASE, { REDIS_URL: 'redis://other:6379' }))).toBe('herald.redis.url');
    expect(restartOnlyChange(redis, cfg(BASE))).toBe('herald.redis.url'); // Redis → memory mode
    expect(
      restartOnlyChange(
        redis,
        cfg(`${BASE}herald:\n  redis:\n    key_prefix: x\n`, { REDIS_URL: 'redis://r:6379' }),
      ),
    ).toBe('herald.redis.key_prefix');
    expect(restartOnlyChange(redis, cfg(BASE, { REDIS_URL: 'redis://r:6379', HERALD_ROLES: 'api' }))).toBe(
      'herald.roles',
    );
    expect(restartOnlyChange(base, cfg(BASE, { HERALD_NODE_ID: 'other' }))).toBe('herald.node_id');
  });

  it('a Redis Cluster connection (seeds, credentials) is restart-only too', () => {
    const cluster = cfg(BASE, { REDIS_CLUSTER_NODES: 'a:7000,b:7000' });
    expect(restartOnlyChange(cluster, cfg(BASE, { REDIS_CLUSTER_NODES: 'a:7000,b:7000' }))).toBeNull();
    expect(restartOnlyChange(cluster, cfg(BASE, { REDIS_CLUSTER_NODES: 'a:7000' }))).toBe(
      'herald.redis.cluster',
    );
    const withPassword = cfg(`${BASE}herald:\n  redis:\n    cluster: { nodes: ['a:7000'], password: p }\n`);
    expect(
      restartOnlyChange(
        withPassword,
        cfg(`${BASE}herald:\n  redis:\n    cluster: { nodes: ['a:7000'], password: q }\n`),
      ),
    ).toBe('herald.redis.cluster');
    expect(restartOnlyChange(cluster, cfg(BASE, { REDIS_URL: 'redis://r:6379' }))).toBe('herald.redis.url');
  });

  it('a template file edited between reloads is a change to apply (same config text)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'herald-reload-tmpl-'));
    const file = join(dir, 't.tmpl');
    const yaml = `templates: ['${dir}/*.tmpl']\n${BASE}`;
    writeFileSync(file, '{{ define "x" }}one{{ end }}');
    const before = cfg(yaml);
    writeFileSync(file, '{{ define "x" }}two{{ end }}');
    const after = cfg(yaml);
    expect(configFingerprint(after)).not.toBe(configFingerprint(before));
    expect(changedSections(before, after)).toEqual(['templates']);
    expect(restartOnlyChange(before, after)).toBeNull();
  });

  it('lets routes, receivers, rules, limits, tenants and log level change live', () => {
    const base = cfg(BASE);
    const next = cfg(`
route:
  receiver: b
  group_by: [alertname, job]
  group_interval: 1m
receivers:
  - name: a
  - name: b
  - name: c
inhibit_rules:
  - source_matchers: [severity="critical"]
    target_matchers: [severity="warning"]
    equal: [alertname]
herald:
  log_level: debug
  retention: 1h
  memory:
    max_alerts: 10
`);
    expect(restartOnlyChange(base, next)).toBeNull();
    expect(changedSections(base, next)).toEqual(['route', 'receivers', 'inhibit_rules', 'herald']);
  });

  it('fingerprints the file and the environment: equal only when nothing changed', () => {
    expect(configFingerprint(cfg(BASE))).toBe(configFingerprint(cfg(BASE)));
    expect(configFingerprint(cfg(BASE))).not.toBe(configFingerprint(cfg(`${BASE}# a comment\n`)));
    expect(configFingerprint(cfg(BASE))).not.toBe(
      configFingerprint(cfg(BASE, { HERALD_LOG_LEVEL: 'debug' })),
    );
  });

  it("hashes the config text as Alertmanager's alertmanager_config_hash (value recorded from Alertmanager 0.25)", () => {
    const text =
      'route:\n  receiver: zeta\n  group_by: [alertname]\n  routes:\n    - receiver: alpha\n' +
      '      matchers: [team="a"]\nreceivers:\n  - name: zeta\n  - name: alpha\n  - name: mid\n';
    // prometheus-alertmanager 0.25.0 (Debian) with this file: alertmanager_config_hash 2.70695299923136e+14
    expect(configHash(text)).toBe(270695299923136);
  });
});
