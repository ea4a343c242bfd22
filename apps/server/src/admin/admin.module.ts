import { Module } from '@nestjs/common';
import { ActivityModule } from '../activity/activity.module';
import { AuthModule } from '../auth/auth.module';
import { GroupStoreModule } from '../store/group-store.module';
import { AdminAlertsController, GroupsController } from './groups.controller';
import { TenantGroupsRepository } from './tenant-groups.repository';
import { StatusViews } from '../alerts/status-views';
import { SilencesModule } from '../silences/silences.module';

/** The tenant-scoped admin API (groups, alerts); sessions live in AuthModule. */
@Module({
  imports: [AuthModule, GroupStoreModule, SilencesModule, ActivityModule],
  controllers: [GroupsController, AdminAlertsController],
  providers: [TenantGroupsRepository, StatusViews],
})
export class AdminModule {}
