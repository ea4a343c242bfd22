import { Global, Module } from '@nestjs/common';
import { systemClock, type Clock } from '@herald/domain';

/**
 * Injection token of the node's `Clock`: production code reads time only through it (one read per flush,
 * one per request), so tests can drive time and every decision in one operation sees one `now`.
 */
export const CLOCK = Symbol('CLOCK');

/** Provides the wall clock under `CLOCK` to every module. */
@Global()
@Module({
  providers: [{ provide: CLOCK, useValue: systemClock satisfies Clock }],
  exports: [CLOCK],
})
export class ClockModule {}
