import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { DeliveryModule } from './delivery.module';
import { QueueController } from './queue.controller';

/** The tenant's dead letters over HTTP (the `api` role). */
@Module({
  imports: [AuthModule, DeliveryModule],
  controllers: [QueueController],
})
export class QueueApiModule {}
