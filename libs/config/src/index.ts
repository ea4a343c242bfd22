/** Herald's typed, validated configuration: the only reader of `process.env`. */
export * from './herald-config';
export * from './load-config';
export * from './config.module';
export { isSecretKey, redactYaml } from './redact';
export { LOG_LEVELS } from './herald-section';
