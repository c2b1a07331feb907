// Test helper: wait for a condition the system under test reports, never for a fixed time.

/** Polls `condition` every `everyMs` until it returns something truthy; fails naming `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, condition: () => T | Promise<T>, { timeoutMs = 30_000, everyMs = 20 } = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
