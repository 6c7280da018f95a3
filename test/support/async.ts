/**
 * A test double for an async interface whose body awaits nothing: `fn` runs
 * at once, as an async function's body would, its value comes as a promise
 * and a throw as a rejection.
 */
export function resolving<A extends unknown[], R>(fn: (...args: A) => R): (...args: A) => Promise<R> {
  return (...args) =>
    new Promise<R>((resolve) => {
      resolve(fn(...args));
    });
}
