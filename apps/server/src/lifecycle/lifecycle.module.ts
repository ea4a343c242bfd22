import { Global, Module, type DynamicModule } from '@nestjs/common';
import { NODE_LIFECYCLE, type NodeLifecycle } from './lifecycle.tokens';
import { NODE_STATE, type NodeState } from './node-state';

/**
 * The process-level objects an application is built into (global): the `NodeState` that carries memory
 * stores over config reloads, and the `NodeLifecycle` behind `/-/ready` and `/-/reload`. Imported by
 * `createApp` beside `AppModule` only when given, so an application without them behaves as before.
 */
@Global()
@Module({})
export class LifecycleModule {
  static forRoot(state?: NodeState, lifecycle?: NodeLifecycle): DynamicModule {
    const providers = [
      ...(state ? [{ provide: NODE_STATE, useValue: state }] : []),
      ...(lifecycle ? [{ provide: NODE_LIFECYCLE, useValue: lifecycle }] : []),
    ];
    return {
      module: LifecycleModule,
      global: true,
      providers,
      exports: providers.map((p) => p.provide),
    };
  }
}
