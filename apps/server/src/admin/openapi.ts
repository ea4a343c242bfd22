import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

// The UI's three static files, served from swagger-ui-dist by name. Nest's built-in UI would need
// @fastify/static, whose current line pulls an ESM-only dependency that Jest (CommonJS) cannot load.
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'application/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'application/javascript; charset=utf-8',
};

const UI_HTML = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Herald API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><div id="ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/swagger-ui-standalone-preset.js"></script>
<script>SwaggerUIBundle({ url: '/api/docs/openapi.json', dom_id: '#ui', presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });</script>
</body></html>`;

/**
 * Serves the OpenAPI document generated from the controllers and DTOs: JSON at `/api/docs/openapi.json`
 * (YAML at `/api/docs/openapi.yaml`) and a Swagger UI page at `/api/docs`.
 */
export function setupOpenApi(app: NestFastifyApplication): void {
  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Herald')
      .setDescription(
        'Alertmanager-compatible ingest (an API key per tenant) and the tenant-scoped admin API (sessions).',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('api/docs', app, doc, {
    ui: false,
    jsonDocumentUrl: 'api/docs/openapi.json',
    yamlDocumentUrl: 'api/docs/openapi.yaml',
  });
  const fastify = app.getHttpAdapter().getInstance();
  const dist = join(require.resolve('swagger-ui-dist/package.json'), '..');
  const cache = new Map<string, Buffer>();
  fastify.get('/api/docs', (_req, reply) => {
    void reply.type('text/html; charset=utf-8').send(UI_HTML);
  });
  fastify.get<{ Params: { file: string } }>('/api/docs/assets/:file', (req, reply) => {
    const type = ASSETS[req.params.file];
    if (!type) return void reply.status(404).send({ error: 'not found' });
    let body = cache.get(req.params.file);
    if (!body) {
      body = readFileSync(join(dist, req.params.file));
      cache.set(req.params.file, body);
    }
    void reply.type(type).header('cache-control', 'public, max-age=86400').send(body);
  });
}
