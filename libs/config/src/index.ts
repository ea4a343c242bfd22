/** Herald's typed, validated configuration: the only reader of `process.env`. */
export * from './herald-config';
export * from './load-config';
export * from './config.module';
export { isSecretKey, redactYaml } from './redact';
export { LOG_LEVELS } from './herald-section';
export * from './receivers';
export { checkTemplateField, loadTemplateFiles, templateSetOf, MAX_TEMPLATE_FILES } from './templates';
export type { TemplateFile } from './templates';
export { checkHttpConfig, resolveHttpConfigPaths, TLS_VERSIONS } from './http-config';
export * from './config-errors';
export { closest, editDistance } from './fields';
export * from './worker-env';
