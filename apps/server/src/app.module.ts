import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { HeraldConfigModule, type HeraldConfig } from '@herald/config';
import { AdminModule } from './admin/admin.module';
import { AlertsController } from './alerts/alerts.controller';
import { AuthModule } from './auth/auth.module';
import { ClockModule } from './clock/clock.module';
import { FlushModule } from './flush/flush.module';
import { HealthModule } from './health/health.module'; // observability (issue 7)
import { AllExceptionsFilter } from './http/all-exceptions.filter';
import { IngestController } from './ingest/ingest.controller';
import { IngestService } from './ingest/ingest.service';
import { MetricsModule } from './metrics/metrics.module'; // observability (issue 7)
import { GroupStoreModule } from './store/group-store.module';
import { UiController } from './ui/ui.controller';

/** The Herald node. The config is loaded before Nest boots and handed in, so nothing reads the env. */
@Module({})
export class AppModule {
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        HeraldConfigModule.forRoot(config),
        ClockModule,
        GroupStoreModule,
        AuthModule,
        AdminModule,
        FlushModule,
        MetricsModule,
        HealthModule,
      ],
      controllers: [IngestController, AlertsController, UiController],
      providers: [IngestService, { provide: APP_FILTER, useClass: AllExceptionsFilter }],
    };
  }
}
