import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HeraldConfigModule, type HeraldConfig } from '@herald/config';
import { RedisDueWakeChannel, type RedisClient, type RedisKeys } from '@herald/redis';
import { ActivityApiModule } from './activity/activity-api.module';
import { ActivityModule } from './activity/activity.module';
import { AdminModule } from './admin/admin.module';
import { AlertsController } from './alerts/alerts.controller';
import { StatusViews } from './alerts/status-views';
import { AuthModule } from './auth/auth.module';
import { ClockModule } from './clock/clock.module';
import { DeliveryModule } from './delivery/delivery.module';
import { QueueApiModule } from './delivery/queue-api.module';
import { FlushModule } from './flush/flush.module';
import { DUE_WAKE, type DueWake } from './flush/flush.tokens';
import { HealthModule } from './health/health.module';
import { ReceiversModule } from './health/receivers.controller';
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { IngestController } from './ingest/ingest.controller';
import { IngestService } from './ingest/ingest.service';
import { MetricsModule } from './metrics/metrics.module';
import { GroupStoreModule, REDIS_CLIENT, REDIS_KEYS } from './store/group-store.module';
import { SilencesController } from './silences/silences.controller';
import { SilencesModule } from './silences/silences.module';
import { UiController } from './ui/ui.controller';

/**
 * The Herald node. The config is loaded before Nest boots and handed in, so nothing reads the env.
 * Its roles (`herald.roles`) pick the modules: `api` the HTTP API, ingest and UI; `scheduler` the flush
 * ticks; `delivery` the queue workers. Every node serves /metrics and the health endpoints.
 */
@Module({})
export class AppModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    const roles = config.herald.roles;
    const api = roles.has('api');
    // An api node without a scheduler publishes the due times its ingest sets, for the schedulers.
    const publishDue = api && !roles.has('scheduler') && config.herald.redis.mode !== 'memory';
    return {
      module: AppModule,
      imports: [
        HeraldConfigModule.forRoot(config),
        ClockModule,
        GroupStoreModule,
        ActivityModule,
        DeliveryModule,
        MetricsModule,
        HealthModule,
        ...(api
          ? [AuthModule, AdminModule, QueueApiModule, SilencesModule, ReceiversModule, ActivityApiModule]
          : []),
        ...(roles.has('scheduler') ? [FlushModule.forRoot(config)] : []),
      ],
      controllers: api ? [IngestController, AlertsController, SilencesController, UiController] : [],
      providers: [
        ...(api ? [IngestService, StatusViews] : []),
        ...(publishDue
          ? [
              {
                provide: DUE_WAKE,
                inject: [REDIS_CLIENT, REDIS_KEYS],
                useFactory: (client: RedisClient | null, keys: RedisKeys): DueWake | null => {
                  if (!client) return null;
                  const channel = new RedisDueWakeChannel(client, RedisDueWakeChannel.channelOf(keys.prefix));
                  return { wakeAt: (dueAt) => channel.publish(dueAt) };
                },
              },
            ]
          : []),
        { provide: APP_FILTER, useClass: AllExceptionsFilter },
      ],
    };
  }
}
