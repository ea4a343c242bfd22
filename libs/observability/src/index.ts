/** Observability: Prometheus metrics (own registry per node), pino logging, build info. */
export * from './metrics';
export * from './logger';
export * from './build-info';
