/**
 * Reads until `done` holds of what was read, or `timeoutMs` has passed; answers the last value read, so
 * the caller's assertion shows what came back. Checks every 100 ms: a condition, not a fixed wait.
 */
export async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
