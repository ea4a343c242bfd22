import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GroupStoreModule } from '../store/group-store.module';
import { HealthController } from './health.controller';
import { AppPhase, LifecycleController } from './lifecycle.controller';
import { NodeHeartbeat } from './node-heartbeat.service';
import { StatusController } from './status.controller';

/**
 * /health/live, /health/ready (terminus), Alertmanager's /api/v2/status with the Redis heartbeats and its
 * lifecycle endpoints /-/healthy, /-/ready, /-/reload (every role).
 */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), GroupStoreModule],
  controllers: [HealthController, StatusController, LifecycleController],
  providers: [NodeHeartbeat, AppPhase],
  exports: [NodeHeartbeat],
})
export class HealthModule {}
