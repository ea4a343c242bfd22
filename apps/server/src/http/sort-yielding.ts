import { yieldToLoop } from './json-array';

/** Elements sorted, or merged, between two turns of the event loop. */
const RUN = 4_096;

/**
 * Sorts `items` (in place, stable, as `Array.prototype.sort` with `cmp`) letting the event loop turn every
 * few thousand elements: runs of RUN elements sorted by `sort`, then merged pairwise. The same order as
 * `items.sort(cmp)`; returns `items`.
 */
export async function sortYielding<T>(items: T[], cmp: (a: T, b: T) => number, run = RUN): Promise<T[]> {
  const n = items.length;
  if (n <= run) return items.sort(cmp);
  let src = items;
  for (let i = 0; i < n; i += run) {
    if (i > 0) await yieldToLoop();
    const part = src.slice(i, i + run).sort(cmp);
    for (let j = 0; j < part.length; j++) src[i + j] = part[j];
  }
  let dst: T[] = new Array<T>(n);
  let budget = 0;
  for (let width = run; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let a = lo;
      let b = mid;
      let k = lo;
      while (a < mid && b < hi) {
        // Ties take the left run first: stable.
        dst[k++] = cmp(src[b], src[a]) < 0 ? src[b++] : src[a++];
        if (++budget >= run) {
          budget = 0;
          await yieldToLoop();
        }
      }
      while (a < mid) dst[k++] = src[a++];
      while (b < hi) dst[k++] = src[b++];
    }
    [src, dst] = [dst, src];
  }
  if (src !== items) for (let i = 0; i < n; i++) items[i] = src[i];
  return items;
}
