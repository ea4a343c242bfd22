import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { GroupStoreModule } from '../store/group-store.module';
import { HealthController } from './health.controller';
import { NodeHeartbeat } from './node-heartbeat.service';
import { StatusController } from './status.controller';

/** /health/live, /health/ready (terminus) and Alertmanager's /api/v2/status with the Redis heartbeats. */
@Module({
  imports: [TerminusModule.forRoot({ errorLogStyle: 'json' }), GroupStoreModule],
  controllers: [HealthController, StatusController],
  providers: [NodeHeartbeat],
  exports: [NodeHeartbeat],
})
export class HealthModule {}
