import { withTimeout } from '@herald/domain';

/** True when `p` fulfils within `ms`; false when it rejects or is still running (bounded shutdowns). */
export function fulfilsWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
  return withTimeout(p, ms).then(
    () => true,
    () => false,
  );
}
