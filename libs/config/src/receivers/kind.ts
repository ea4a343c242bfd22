// The shape every receiver kind's config check has. One file per kind (as Alertmanager's config
// package has one struct per notifier); the checks only validate and apply defaults, the senders live
// in libs/delivery/src/notify.
import type { GlobalConfig } from '../herald-config';
import type { RawObject } from '../fields';

/** Every `*_configs` kind of Alertmanager's configuration reference (0.25 and later releases). */
export type ReceiverKind =
  | 'webhook'
  | 'slack'
  | 'email'
  | 'pagerduty'
  | 'opsgenie'
  | 'victorops'
  | 'wechat'
  | 'pushover'
  | 'sns'
  | 'telegram'
  | 'discord'
  | 'webex'
  | 'msteams'
  | 'msteamsv2'
  | 'mattermost'
  | 'rocketchat'
  | 'incidentio'
  | 'jira';

/** What a kind's check may use besides the entry itself. */
export interface KindCheckContext {
  readonly global: GlobalConfig;
  /**
   * The process environment as given to loadConfig (the only reader of it): kinds whose Alertmanager
   * reads credentials from the environment (SNS: the AWS SDK's AWS_ACCESS_KEY_ID, …) take them here.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Checks that a templated field parses as an Alertmanager (Go) template; throws ConfigError naming
   * `path` and the template's line. Absent/null values pass. Strings only: other types throw.
   */
  template(value: unknown, path: string): void;
}

/** One receiver kind: its key, Alertmanager's `send_resolved` default and its config check. */
export interface ReceiverKindSpec {
  readonly kind: ReceiverKind;
  /** `pagerduty_configs`. */
  readonly key: string;
  /** Alertmanager's default for `send_resolved` (applied by `loadConfig` when the entry omits it). */
  readonly sendResolved: boolean;
  /** First Alertmanager release with this kind (README table). */
  readonly since: string;
  /**
   * Validates one entry as Alertmanager's UnmarshalYAML does (required fields, one-of rules, URL
   * shapes) and returns it with global defaults applied (e.g. `url` from `global.pagerduty_url`), so the
   * sender reads a complete entry. Throws ConfigError naming the field. Undefined = not deliverable by
   * Herald (start-up refuses it by name unless herald.allow_unsupported_receivers).
   */
  readonly check?: (c: RawObject, path: string, ctx: KindCheckContext) => RawObject;
}
