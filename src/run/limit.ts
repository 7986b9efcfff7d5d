// Runs async work over a list with at most N in flight, keeping results in input order (a fleet's connection cap).

/** Like Promise.all over items.map(fn), but never more than `limit` calls pending at once; rejects on the first failure. */
export async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency limit must be a whole number of at least 1, got ${limit}`);
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  // Each worker takes the next unstarted item when its previous one settles; JS runs this loop without races.
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
