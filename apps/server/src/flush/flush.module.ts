import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { GroupStoreModule } from '../store/group-store.module';
import { FlushScheduler } from './flush.scheduler';
import { QueueController } from './queue.controller';

/** Flushing, delivery and the tenant's view of its dead letters. */
@Module({
  imports: [GroupStoreModule, AuthModule],
  providers: [FlushScheduler],
  controllers: [QueueController],
})
export class FlushModule {}
