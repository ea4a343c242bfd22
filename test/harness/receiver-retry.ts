// Shared setup of the receiver retry specs (test/integration/receivers/retry-*.int-spec.ts): one
// integration built from a config snippet the way start-up builds it (loadConfig + buildReceivers), a
// vendor fake started for a describe block, the notifications sent, and the shapes of retry/give-up
// results the specs match against.
import { buildReceivers, type Receiver, type SendResult } from '@herald/delivery';
import { oneReceiverConfig, type Json, type OneReceiverOptions } from './notify-specs';
import { testAlert, testNotification } from './notifications';
import { VendorFake, type VendorKind } from './vendor-fakes';

export { oneReceiverConfig, type Json } from './notify-specs';

export interface BuildOptions extends OneReceiverOptions {
  /** Passed to buildReceivers (its own default when left out). */
  defaultTimeoutMs?: number;
}

/** Receiver `r`'s one integration, built through the config loader as at start-up. */
export function receiverOf(kind: string, entry: Json, opts: BuildOptions = {}): Receiver {
  const cfg = oneReceiverConfig(kind, entry, opts);
  const built = buildReceivers(cfg.receivers, cfg.global, {
    userAgent: 'Herald/test',
    ...(opts.defaultTimeoutMs !== undefined && { defaultTimeoutMs: opts.defaultTimeoutMs }),
  });
  return built.byName.get('r')![0].receiver;
}

export const signal = () => new AbortController().signal;
export const firing = () => testNotification();
/** A recovery whose every alert is resolved. */
export const allResolved = () =>
  testNotification({
    state: 'recovery',
    alerts: [
      testAlert({ alertname: 'HighCPU', instance: 'a' }, {}, true),
      testAlert({ alertname: 'HighCPU', instance: 'b' }, {}, true),
    ],
  });

/** What a `retry` result must match: kind, reason and any further fields given. */
export const retried = (reason: string, more: Json = {}) => ({ kind: 'retry', reason, ...more });
/** What a `give-up` result must match: kind, reason and any further fields given. */
export const givenUp = (reason: string, more: Json = {}) => ({ kind: 'give-up', reason, ...more });

/** The give-up or retry message of a result; false for `ok`, so a `toMatch` on it fails. */
export const messageOf = (r: SendResult) => r.kind !== 'ok' && r.message;

/** The fake's refusals, one line each, so a failing `toEqual([])` shows why. */
export const refusals = (fake: VendorFake) =>
  fake.refused.map((r) => `${r.method} ${r.path}: ${r.problems.join('; ')}`);

export interface FakeContext {
  fake: VendorFake;
  receiver: Receiver;
}

/**
 * Starts the `kind` fake before the describe block's tests (and builds its receiver with `build`, if
 * given), resets it after each test and stops it after all. A test may replace `fake` and `receiver`
 * (one that stops the fake starts a new one); the replacement is the one reset and stopped.
 */
export function withVendorFake(kind: VendorKind, build?: (fake: VendorFake) => Receiver): FakeContext {
  const ctx = {} as FakeContext;
  beforeAll(async () => {
    ctx.fake = await VendorFake.start(kind);
    if (build) ctx.receiver = build(ctx.fake);
  });
  afterEach(() => ctx.fake.reset());
  afterAll(() => ctx.fake.stop());
  return ctx;
}

/** Runs `body` against a fake started for it alone, and stops the fake whatever happens. */
export async function withOwnFake(
  kind: VendorKind,
  body: (fake: VendorFake) => Promise<void>,
): Promise<void> {
  const fake = await VendorFake.start(kind);
  try {
    await body(fake);
  } finally {
    await fake.stop();
  }
}
