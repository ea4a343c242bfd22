/**
 * A configuration problem, located by its config path (e.g. `route.routes[1].group_wait`) so that an
 * operator can find the offending line without reading a stack trace.
 */
export class ConfigError extends Error {
  constructor(
    public readonly path: string,
    message: string,
  ) {
    super(`${path}: ${message}`);
    this.name = 'ConfigError';
  }
}
