import { Test } from '@nestjs/testing';
import { TerminusModule } from '@nestjs/terminus';
import { HERALD_CONFIG, loadConfig } from '@herald/config';
import { DeliveryRef } from '../metrics/metrics.tokens';
import { STORE_STATUS, type StoreStatusFn } from '../store/group-store.module';
import { HealthController } from './health.controller';

async function readiness(roles: string, queue: DeliveryRef['queue']) {
  const config = loadConfig({ env: { HERALD_ROLES: roles, REDIS_URL: 'redis://r:6379' }, hostname: 'h' });
  const status: StoreStatusFn = () => ({ mode: 'memory', since: 0, pendingAlerts: 0 });
  const ref = new DeliveryRef();
  ref.queue = queue;
  const app = await Test.createTestingModule({
    imports: [TerminusModule.forRoot({ logger: false })],
    controllers: [HealthController],
    providers: [
      { provide: HERALD_CONFIG, useValue: config },
      { provide: STORE_STATUS, useValue: status },
      { provide: DeliveryRef, useValue: ref },
    ],
  }).compile();
  try {
    return await app.get(HealthController).ready();
  } catch (e) {
    return (e as { response: unknown }).response; // terminus throws 503 with the details
  } finally {
    await app.close();
  }
}

describe('HealthController readiness by role', () => {
  const counts = { waiting: 0, active: 0, delayed: 0, dead: 0 };
  const queue = { counts: () => Promise.resolve(counts) } as unknown as DeliveryRef['queue'];

  it('a node running delivery or the scheduler is not ready without its queue', async () => {
    expect(await readiness('scheduler,delivery', null)).toMatchObject({
      status: 'error',
      error: { queue: { status: 'down', message: 'delivery queue not started' } },
    });
    expect(await readiness('api,scheduler,delivery', queue)).toMatchObject({
      checks: { queue: { status: 'up', mode: 'memory', waiting: 0 } },
    });
  });

  it('an api-only node has no queue check at all, and is ready', async () => {
    const body = await readiness('api', null);
    expect(body).toMatchObject({ status: 'ok', checks: { redis: { status: 'up' } } });
    expect(body).not.toHaveProperty('checks.queue');
  });
});
