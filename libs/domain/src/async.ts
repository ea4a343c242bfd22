/**
 * Settles like `p`, or rejects with `Error(message)` after `ms` when `p` has not settled by then (`p`
 * keeps running: a timeout only stops the wait). The timer is cleared either way, so nothing is left
 * holding the process open.
 */
export function withTimeout<T>(p: Promise<T>, ms: number, message = `no answer within ${ms} ms`): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
