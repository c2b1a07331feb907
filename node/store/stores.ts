// Opens the node's LevelDB database with the log and its indexes, the stores every other table lives beside.
import { Database } from "./database";
import { HeadsStore } from "./heads-store";
import { IndexStore } from "./index-store";
import { LogStore } from "./log-store";

export type Stores = { db: Database; log: LogStore; index: IndexStore; heads: HeadsStore; close(): Promise<void> };

/** Opens (creating if needed) the store at `location` and loads the log's right edge. */
export async function openStores(location: string): Promise<Stores> {
  const db = await Database.open(location);
  try {
    const index = new IndexStore(db);
    const log = await LogStore.open({ db, indexers: [index] });
    const heads = await HeadsStore.open({ db });
    return { db, log, index, heads, close: () => db.close() };
  } catch (error) {
    // Release the directory: a refused store must not stay locked for a repair in this process.
    await db.close();
    throw error;
  }
}
