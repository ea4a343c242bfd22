import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HERALD_CONFIG, type HeraldConfig } from '@herald/config';
import { APP_CSS, APP_JS } from './ui.assets';

/**
 * The dashboard's policy: nothing inline, nothing from elsewhere. The script and stylesheet come from
 * /ui/app.js and /ui/app.css, and the page only talks to this node's API.
 */
export const UI_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

// Copied next to the compiled controller by scripts/build.js (it copies every .html under apps/).
const INDEX_HTML = readFileSync(join(__dirname, 'ui.html'), 'utf8');

/** What the page needs to know before its first request: whether there is a login at all. */
export interface UiMode {
  /** True once `herald.tenants` exist (sign in with a tenant user); false: zero-config, no login. */
  login: boolean;
  /** Zero-config: the single tenant every request belongs to; null with tenants. */
  tenant: string | null;
}

/**
 * The operator dashboard at /ui (and /ui/): static page + vanilla script over the tenant-scoped admin
 * API and API v2. Without tenants it needs no login, as Alertmanager's UI: the APIs it reads are open then.
 */
@ApiExcludeController()
@Controller('ui')
export class UiController {
  private readonly mode: UiMode;

  constructor(@Inject(HERALD_CONFIG) config: HeraldConfig) {
    const zero = config.herald.tenants.length === 0;
    this.mode = { login: !zero, tenant: zero ? config.herald.defaultTenant : null };
  }

  // `/ui/` as well as `/ui`: Nest drops a route's trailing slash, so the slash form has its own path.
  @Get(['', '//'])
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', UI_CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  @Header('x-frame-options', 'DENY')
  @Header('cache-control', 'no-cache')
  index(): string {
    return INDEX_HTML;
  }

  @Get('mode.json')
  @Header('content-type', 'application/json; charset=utf-8')
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  modeJson(): UiMode {
    return this.mode;
  }

  @Get('app.js')
  @Header('content-type', 'application/javascript; charset=utf-8')
  @Header('content-security-policy', UI_CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  script(): string {
    return APP_JS;
  }

  @Get('app.css')
  @Header('content-type', 'text/css; charset=utf-8')
  @Header('content-security-policy', UI_CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('cache-control', 'no-cache')
  style(): string {
    return APP_CSS;
  }
}
