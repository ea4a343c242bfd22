import { ConfigError } from '@herald/domain';
import { loadConfig } from './load-config';

const HASH = `scrypt$N=16384,r=8,p=1$${Buffer.alloc(16, 1).toString('base64')}$${Buffer.alloc(32, 1).toString('base64')}`;
const withLimits = (limits: string) => `
route: { receiver: ops }
receivers: [{ name: ops }]
herald:
  tenants:
    - id: acme
      api_keys: ['${HASH}']
      limits: ${limits}
`;
const limitsOf = (limits: string) =>
  loadConfig({ env: {}, fileText: withLimits(limits), hostname: 'h' }).herald.tenants[0].limits;
const errorOf = (limits: string): string => {
  try {
    limitsOf(limits);
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('herald.tenants[].limits', () => {
  it('keeps the existing keys and adds ingest_burst', () => {
    expect(limitsOf('{ max_alerts: 100, max_groups: 10, ingest_rate: 5, ingest_burst: 20 }')).toMatchObject({
      maxAlerts: 100,
      maxGroups: 10,
      ingestRate: 5,
      ingestBurst: 20,
    });
  });

  it("accepts Mimir's names for the same limits and names them in messages", () => {
    const l = limitsOf(
      '{ alertmanager_max_alerts_count: 100, alertmanager_max_dispatcher_aggregation_groups: 10, ingestion_rate: 5, ingestion_burst_size: 20 }',
    );
    expect(l).toMatchObject({ maxAlerts: 100, maxGroups: 10, ingestRate: 5, ingestBurst: 20 });
    expect(l.paths.ingestRate).toBe('herald.tenants[0].limits.ingestion_rate');
    expect(l.paths.maxAlerts).toBe('herald.tenants[0].limits.alertmanager_max_alerts_count');
  });

  it('defaults the burst to a minute of the rate (Prometheus re-sends every alert each minute)', () => {
    expect(limitsOf('{ ingest_rate: 5 }').ingestBurst).toBe(300);
    expect(limitsOf('{ ingest_rate: 0.001 }').ingestBurst).toBe(1);
    expect(limitsOf('{ max_alerts: 5 }').ingestBurst).toBeUndefined();
  });

  it('refuses a limit given under both names, a burst without a rate, and bad values, naming the field', () => {
    expect(errorOf('{ max_alerts: 1, alertmanager_max_alerts_count: 2 }')).toContain(
      'herald.tenants[0].limits.alertmanager_max_alerts_count: is the same limit as max_alerts',
    );
    expect(errorOf('{ ingest_burst: 10 }')).toContain(
      'herald.tenants[0].limits.ingest_burst: needs ingest_rate',
    );
    expect(errorOf('{ ingestion_rate: -1 }')).toContain(
      'herald.tenants[0].limits.ingestion_rate: must be a positive number (alerts/s)',
    );
    expect(errorOf('{ max_groups: 1.5 }')).toContain(
      'herald.tenants[0].limits.max_groups: must be a positive integer',
    );
    expect(errorOf('{ max_alert: 1 }')).toContain('herald.tenants[0].limits.max_alert: unknown field');
  });
});
