// How freely the calling thread's event loop turned while some work ran: tests of work moved off the main thread.

/** How many setImmediate turns the event loop took while `work` ran. */
export async function turnsDuring<T>(work: () => Promise<T>): Promise<{ turns: number; result: T }> {
  let turns = 0;
  let running = true;
  const turn = () => {
    if (!running) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  const result = await work();
  running = false;
  return { turns, result };
}
