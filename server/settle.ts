// Synchronous work behind an async interface (a Store, a DataSource), settled the way an async function settles.

/**
 * Runs `work` now and returns its result as a promise. A throw becomes a rejection, so a caller's `.catch()` sees
 * every failure, as it does from an implementation that awaits. Promise.try does the same from Node 23; the
 * engines field still allows Node 22.
 */
export function settle<T>(work: () => T): Promise<T> {
  return new Promise((resolve) => resolve(work()));
}
