# syntax=docker/dockerfile:1
# Herald node image. Build: `docker build -t herald .` (docker-compose.yml builds it for herald-1..3).
# Run:   docker run -p 9093:9093 -e REDIS_URL=redis://redis:6379 herald
# Env:   PORT (9093), REDIS_URL, HERALD_CONFIG (YAML path), HERALD_NODE_ID, HERALD_LOG_LEVEL.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ------------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /app
# The registry this project is developed against serves only linux-x64 builds of per-platform packages,
# so package-lock.json may lack other platforms' entries (e.g. linux-arm64); the script adds them so
# `npm ci` accepts the lock on any platform. It must run before `npm ci`, hence scripts/ first.
COPY package.json package-lock.json ./
COPY scripts/ ./scripts/
RUN node scripts/lock-platform-stubs.js \
 && npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY apps/ ./apps/
COPY libs/ ./libs/
COPY test/ ./test/
RUN npm run build

# ---- runtime: production dependencies + compiled app, non-root -------------------------------------
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    PORT=9093
WORKDIR /app
# The lock as patched in the build stage, so both stages resolve the same tree.
COPY --from=build /app/package.json /app/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force
# Only the server: dist/apps and dist/libs (compiled JS + the .lua/.html assets next to it).
# dist/test (harness, benchmarks) needs dev dependencies and is left out.
COPY --from=build /app/dist/apps ./dist/apps
COPY --from=build /app/dist/libs ./dist/libs
# The `node` user of the base image, by number so Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 9093
# No curl in the slim image: node's fetch. /health/live only says the process serves HTTP; readiness
# (/health/ready) stays 200 while Redis is down (degraded), so it would not add anything here.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||9093)+'/health/live',{signal:AbortSignal.timeout(2500)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Herald handles SIGTERM (Nest shutdown hooks: stop accepting, drain held locks, close Redis).
STOPSIGNAL SIGTERM
# --max-semi-space-size: apps/server/src/memory-flags.ts (NODE_FLAGS).
CMD ["node", "--max-semi-space-size=8", "dist/apps/server/src/main.js"]
