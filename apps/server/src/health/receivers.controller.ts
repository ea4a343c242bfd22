import { Controller, Get, Inject, Module, UseGuards } from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { ApiKeyGuard } from '../auth/api-key.guard';
import { AuthModule } from '../auth/auth.module';

/** Alertmanager API v2 `receiver`. */
export interface ApiReceiver {
  name: string;
}

/**
 * `GET /api/v2/receivers`: the config's receivers as `[{name}]`, in the order the config lists them (as
 * Alertmanager answers, recorded from 0.25), guarded like the other v2 reads. Receivers belong to the
 * node's config, shared by every tenant, so every tenant sees the same list.
 */
@Controller('api/v2')
@UseGuards(ApiKeyGuard)
export class ReceiversController {
  private readonly receivers: readonly ApiReceiver[];

  constructor(@Inject(HERALD_CONFIG) config: HeraldConfig) {
    this.receivers = config.receivers.map((r) => ({ name: r.name }));
  }

  @Get('receivers')
  list(): ApiReceiver[] {
    return this.receivers.map((r) => ({ ...r }));
  }
}

/** `/api/v2/receivers` (the `api` role). */
@Module({
  imports: [AuthModule],
  controllers: [ReceiversController],
})
export class ReceiversModule {}
