// The closed-loop append driver of the ingest benchmark: every lifecycle in order, a fixed number of shipments at a time.
import type { AppendRequest } from "../../node/domain/event";

/** Appends every lifecycle, each shipment's events in order, `concurrency` shipments at a time. */
export async function bench({
  lifecycles,
  concurrency,
  append,
  progress,
}: {
  lifecycles: AppendRequest[][];
  concurrency: number;
  append: (request: AppendRequest) => Promise<void>;
  progress: (done: number, seconds: number) => void;
}): Promise<{ seconds: number; done: number }> {
  let next = 0;
  let done = 0;
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e9;
  const timer = setInterval(() => progress(done, elapsed()), 1000);
  try {
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < lifecycles.length) {
          const lifecycle = lifecycles[next++];
          for (const request of lifecycle) {
            await append(request);
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
