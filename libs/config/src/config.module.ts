import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { HeraldConfig } from './herald-config';

/** Injection token of the validated `HeraldConfig`: `@Inject(HERALD_CONFIG) config: HeraldConfig`. */
export const HERALD_CONFIG = Symbol('HERALD_CONFIG');

/**
 * Global module providing the already-loaded config. The config is loaded and validated before Nest
 * boots (`loadConfigFromEnvironment()` in main), so a bad config fails fast with a path-naming
 * message and no module ever reads `process.env`; hence a plain `forRoot(value)`, no async factory.
 */
@Global()
@Module({})
export class HeraldConfigModule {
  /** Registers `config` under `HERALD_CONFIG` for the whole application. */
  static forRoot(config: HeraldConfig): DynamicModule {
    return {
      module: HeraldConfigModule,
      global: true,
      providers: [{ provide: HERALD_CONFIG, useValue: config }],
      exports: [HERALD_CONFIG],
    };
  }
}
