import { ConfigError, systemClock, type Clock } from '@herald/domain';
import { templateSetOf, type GlobalConfig, type ReceiverConfig, type TemplateFile } from '@herald/config';
import { INTEGRATIONS, type NotifyDeps } from './notify';
import type { Integration, IntegrationResolver, Receiver, SendResult } from './receiver';

/** Settings of the receivers that are not in the Alertmanager config. */
export interface ReceiverFactoryOptions {
  /** `User-Agent` of HTTP integrations, e.g. `Herald/0.1.0`. */
  userAgent: string;
  /** Used when an integration sets no `timeout` (ms, default 10 000). */
  defaultTimeoutMs?: number;
  /** The node's clock (templates' `since`, an HTTP-date `Retry-After`); the system clock by default. */
  clock?: Clock;
  /** The `templates:` files as loaded by the config (parsed there already). */
  templateFiles?: readonly TemplateFile[];
  /** Told every send attempt's result (metrics: attempts and failures by integration kind and reason). */
  onSend?: (e: SendEvent) => void;
}

/** One send attempt of one integration. */
export interface SendEvent {
  receiver: string;
  /** `pagerduty[0]`. */
  integration: string;
  /** `pagerduty`. */
  kind: string;
  result: SendResult;
}

/** The integrations built from a config, and what was found wrong without being fatal. */
export interface BuiltReceivers {
  /** Receiver name → integrations (`webhook[0]`, `pagerduty[0]`, `email[0]`, ...). */
  byName: ReadonlyMap<string, readonly Integration[]>;
  /** Looks up a receiver (the config is not per tenant yet: every tenant shares it). */
  resolve: IntegrationResolver;
  /** For the start-up report. */
  warnings: string[];
}

/**
 * Whether a receiver reports resolutions: true when any of its integrations has `send_resolved` (the
 * loader applied each kind's Alertmanager default). The flush pipeline asks this per receiver.
 */
export function receiverSendsResolved(r: ReceiverConfig): boolean {
  return r.integrations.some((e) => e.config.send_resolved === true);
}

/**
 * Builds the integrations of every receiver from the checked config: one sender per `*_configs` entry
 * (libs/delivery/src/notify/<kind>.ts), all sharing one template set (Alertmanager's functions, the
 * built-in default templates, then the `templates:` files).
 */
export function buildReceivers(
  receivers: readonly ReceiverConfig[],
  global: GlobalConfig,
  opts: ReceiverFactoryOptions,
): BuiltReceivers {
  const warnings: string[] = [];
  const clock = opts.clock ?? systemClock;
  const templates = templateSetOf(opts.templateFiles ?? [], { now: () => clock.now() });
  const byName = new Map<string, Integration[]>();
  for (const r of receivers) {
    const deps: NotifyDeps = {
      templates,
      global,
      userAgent: opts.userAgent,
      clock,
      defaultTimeoutMs: opts.defaultTimeoutMs ?? 10_000,
      receiver: r.name,
      warnings,
    };
    byName.set(
      r.name,
      r.integrations.map((entry) => {
        const factory = INTEGRATIONS[entry.kind];
        // The config check and the sender land together; a kind with only one of them is a Herald bug.
        if (!factory) throw new ConfigError(entry.path, `Herald cannot send ${entry.key} yet`);
        const name = `${entry.kind}[${entry.index}]`;
        const receiver = factory(entry, deps);
        return { name, receiver: opts.onSend ? observed(receiver, r.name, name, opts.onSend) : receiver };
      }),
    );
  }
  return { byName, resolve: (_tenant, name) => byName.get(name), warnings };
}

/** The receiver with every attempt's result reported (a listener error never changes the result). */
function observed(
  inner: Receiver,
  receiver: string,
  integration: string,
  onSend: (e: SendEvent) => void,
): Receiver {
  return {
    kind: inner.kind,
    async send(n, signal) {
      const result = await inner.send(n, signal);
      try {
        onSend({ receiver, integration, kind: inner.kind, result });
      } catch {
        /* metrics must not fail a delivery */
      }
      return result;
    },
  };
}
