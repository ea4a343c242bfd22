import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { ActivityModule } from './activity.module';
import { EventsController, NotificationsController } from './activity.controllers';
import { SseClients } from './sse-clients';

/** The API over the notification history and the live events (nodes with the `api` role). */
@Module({
  imports: [AuthModule, ActivityModule],
  controllers: [NotificationsController, EventsController],
  providers: [SseClients],
})
export class ActivityApiModule {}
