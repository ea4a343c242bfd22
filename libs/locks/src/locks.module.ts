import {
  ConfigurableModuleBuilder,
  Inject,
  Injectable,
  Module,
  type OnApplicationShutdown,
} from '@nestjs/common';
import type { LockBackend } from './lock.backend';
import { LockManager, type LockManagerOptions } from './lock.manager';

/** What `LocksModule.forRoot[Async]` needs: the backend (built from the app's Redis connection) and tuning. */
export interface LocksModuleOptions extends LockManagerOptions {
  backend: LockBackend;
  /** How long application shutdown waits for held locks before force-releasing them (ms). Default 10 s. */
  shutdownTimeoutMs?: number;
  /** Runs after the locks are released at shutdown (e.g. closes the backend's own connections). */
  onShutdown?: () => Promise<void> | void;
}

const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN } = new ConfigurableModuleBuilder<LocksModuleOptions>()
  .setClassMethodName('forRoot')
  .build();

/** Drains held locks when the application shuts down (needs `app.enableShutdownHooks()`). */
@Injectable()
class LocksShutdown implements OnApplicationShutdown {
  constructor(
    private readonly locks: LockManager,
    @Inject(MODULE_OPTIONS_TOKEN) private readonly opts: LocksModuleOptions,
  ) {}

  async onApplicationShutdown(): Promise<void> {
    await this.locks.shutdown(this.opts.shutdownTimeoutMs ?? 10_000);
    await this.opts.onShutdown?.();
  }
}

/** Provides one `LockManager` per application; the app decides the backend (single Redis or quorum). */
@Module({
  providers: [
    {
      provide: LockManager,
      inject: [MODULE_OPTIONS_TOKEN],
      useFactory: (opts: LocksModuleOptions) => new LockManager(opts.backend, opts),
    },
    LocksShutdown,
  ],
  exports: [LockManager],
})
export class LocksModule extends ConfigurableModuleClass {}
