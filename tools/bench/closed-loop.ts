// The closed-loop append driver of the ingest benchmark: every lifecycle in order, a fixed number of shipments at a time.

/** Appends every lifecycle, each shipment's events in order, `concurrency` shipments at a time. */
export async function bench<Item>({
  lifecycles,
  concurrency,
  append,
  progress,
}: {
  lifecycles: readonly (readonly Item[])[];
  concurrency: number;
  append: (event: Item) => Promise<void>;
  progress: (done: number, seconds: number) => void;
}): Promise<{ seconds: number; done: number }> {
  // One iterator shared by every appender: each takes the next shipment not yet taken.
  const shipments = lifecycles.values();
  let done = 0;
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const timer = setInterval(() => progress(done, elapsed()), 1000);
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (const lifecycle of shipments) {
          for (const event of lifecycle) {
            await append(event);
            done++;
          }
        }
      }),
    );
  } finally {
    clearInterval(timer);
  }
  return { seconds: elapsed(), done };
}
