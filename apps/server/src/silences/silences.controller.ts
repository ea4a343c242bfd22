import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Post,
  Query,
  UseGuards,
} from '@nestjs/common';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import {
  SilenceConflictError,
  SilenceLimitError,
  SilenceNotFoundError,
  SilenceValidationError,
} from '@herald/domain';
import type { TenantContext } from '@herald/sessions';
import { ApiKeyGuard, ApiNeeds } from '../auth/api-key.guard';
import { Tenant } from '../auth/decorators';
import { AlertmanagerStringError, HeraldHttpError } from '../http/http-error';
import { filterMatchers, type Query as Q } from '../http/query';
import { gettableSilence, parsePostableSilence, type GettableSilence } from './silence-wire';
import { SilencesService } from './silences.service';

// Silence ids are UUIDs (Alertmanager's and Herald's); the path parameter is checked as Alertmanager's spec does.
const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * Domain errors → HTTP: 400 invalid (field named), 404 unknown id, 429 `max_silences`, 409 lost races;
 * then in Alertmanager's string form (AlertmanagerStringError), except 422.
 */
function httpError(e: unknown): unknown {
  // Herald's own shape checks (400/422 before the domain) stay `{error, field}`: Alertmanager answers
  // those from its request parser as `{code, message}` objects, not strings.
  if (e instanceof HeraldHttpError && e.getStatus() !== 404) return e;
  let out: unknown = e;
  if (e instanceof SilenceValidationError)
    out = new HeraldHttpError(400, { error: e.message, field: e.field });
  else if (e instanceof SilenceNotFoundError)
    out = new HeraldHttpError(404, { error: e.message, field: 'id' });
  else if (e instanceof SilenceLimitError)
    out = new HeraldHttpError(429, { error: e.message, field: e.field });
  else if (e instanceof SilenceConflictError)
    out = new HeraldHttpError(409, { error: e.message, field: 'id' });
  return out instanceof HeraldHttpError ? AlertmanagerStringError.of(out) : out;
}

async function mapped<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw httpError(e);
  }
}

function checkId(id: string): void {
  if (!UUID.test(id)) {
    const shown = id.length > 64 ? `${id.slice(0, 64)}…` : id;
    throw new HeraldHttpError(422, {
      error: `silenceID in path must be of type uuid: ${JSON.stringify(shown)}`,
      field: 'id',
    });
  }
}

/**
 * Alertmanager API v2 silences (amtool, karma, Grafana, the dashboard): shared by every node through the
 * store. Reads need any key (or session) of the tenant; writes an admin key or an admin session. Errors
 * are JSON strings as Alertmanager's spec declares (422: `{error, field}`), the field named in them.
 */
@Controller('api/v2')
@UseGuards(ApiKeyGuard)
export class SilencesController {
  constructor(
    private readonly silences: SilencesService,
    @Inject(HERALD_CONFIG) private readonly config: HeraldConfig,
  ) {}

  @Get('silences')
  async list(@Query() q: Q, @Tenant() ctx: TenantContext): Promise<GettableSilence[]> {
    const filter = filterMatchers(q, this.config.herald.labelNames);
    return mapped(async () => {
      const { now, silences } = await this.silences.list(ctx, filter);
      return silences.map((s) => gettableSilence(s, now));
    });
  }

  @Post('silences')
  @HttpCode(200)
  @ApiNeeds('admin')
  async post(@Body() body: unknown, @Tenant() ctx: TenantContext): Promise<{ silenceID: string }> {
    return mapped(async () => ({ silenceID: await this.silences.upsert(ctx, parsePostableSilence(body)) }));
  }

  @Get('silence/:id')
  async get(@Param('id') id: string, @Tenant() ctx: TenantContext): Promise<GettableSilence> {
    return mapped(async () => {
      checkId(id);
      const { now, silence } = await this.silences.get(ctx, id);
      if (!silence) throw new HeraldHttpError(404, { error: 'silence not found', field: 'id' });
      return gettableSilence(silence, now);
    });
  }

  @Delete('silence/:id')
  @HttpCode(200)
  @ApiNeeds('admin')
  async expire(@Param('id') id: string, @Tenant() ctx: TenantContext): Promise<void> {
    await mapped(async () => {
      checkId(id);
      await this.silences.expire(ctx, id);
    });
  }
}
