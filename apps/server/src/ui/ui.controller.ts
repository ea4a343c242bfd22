import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Header } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
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

/** The operator dashboard at /ui: static page + vanilla script over the tenant-scoped admin API. */
@ApiExcludeController()
@Controller('ui')
export class UiController {
  @Get()
  @Header('content-type', 'text/html; charset=utf-8')
  @Header('content-security-policy', UI_CSP)
  @Header('x-content-type-options', 'nosniff')
  @Header('referrer-policy', 'no-referrer')
  @Header('x-frame-options', 'DENY')
  @Header('cache-control', 'no-cache')
  index(): string {
    return INDEX_HTML;
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
