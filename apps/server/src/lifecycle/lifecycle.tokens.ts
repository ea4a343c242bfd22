/** Injection token of the process's `NodeLifecycle` (absent in applications built without `HeraldNode`). */
export const NODE_LIFECYCLE = Symbol('NODE_LIFECYCLE');

/** Where the process is: building its first application, serving, or shutting down. */
export type NodePhase = 'starting' | 'serving' | 'stopping';

/** What started a reload (for the log line). */
export type ReloadTrigger = 'http' | 'SIGHUP' | 'api';

/**
 * A reload's outcome. `ok` with `changed: false` when the file and environment give the config already
 * in force. A refusal names the config field at fault; `status` is what `POST /-/reload` answers:
 * 400 for a file that does not validate or changes a setting that needs a restart, 500 when the new
 * config validated but the node could not be built from it, 503 while the node is starting or stopping.
 */
export type ReloadOutcome =
  | { ok: true; changed: boolean; sections: string[]; source: string }
  | { ok: false; status: 400 | 500 | 503; error: string; field: string };

/** The process's view the applications get: its phase and the reload entry point. */
export interface NodeLifecycle {
  readonly phase: NodePhase;
  reload(trigger: ReloadTrigger): Promise<ReloadOutcome>;
}
