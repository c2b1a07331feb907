// One LevelDB database and its tables: typed reads, atomic writes across tables, compaction, and values parsed on read.
import { constants } from "node:fs";
import { access } from "node:fs/promises";
import path from "node:path";
import type { AbstractBatchOperation } from "abstract-level";
import { Level } from "level";
import type { z } from "zod";
import { BorderLedgerError } from "../domain/errors";

/** How a table's values are stored: JSON values, UTF-8 text (parsed by its owner) or raw bytes. */
type Encoding = "json" | "utf8" | "view";
type ValueOf<E extends Encoding> = E extends "json" ? unknown : E extends "utf8" ? string : Uint8Array;
/** The sublevel that stores one table's values as `encoding`. */
function sublevelOf<E extends Encoding>(db: Level<string, unknown>, name: string, encoding: E) {
  return db.sublevel<string, ValueOf<E>>(name, { valueEncoding: encoding });
}
type Sublevel<E extends Encoding> = ReturnType<typeof sublevelOf<E>>;
type KeyRange = { gte?: string; gt?: string; lte?: string; lt?: string; reverse?: boolean; limit?: number };

/** A refusal to use a value read back from disk: it did not parse, and the table and key are named. */
export function corruptedValue({ table, key, detail }: { table: string; key: string; detail: string }): BorderLedgerError {
  return new BorderLedgerError("INTERNAL", `stored value ${table}/${key} is corrupted (${detail}); refusing to use it`, { table, key });
}

/** A value read back from `table`, parsed: a corrupted or foreign value is refused with its table and key named. */
export function parseStored<T>(schema: z.ZodType<T>, table: string, key: string, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const path = parsed.error.issues[0]?.path.join(".");
    throw corruptedValue({ table, key, detail: `${path || "value"}: ${parsed.error.issues[0]?.message ?? "invalid"}` });
  }
  return parsed.data;
}

/** One table of the database (a LevelDB sublevel) holding values stored as `E`: its keys are prefixed by its name. */
export class Table<E extends Encoding> {
  /** @internal the sublevel, for WriteBatch only */
  readonly sublevel: Sublevel<E>;

  constructor(
    readonly name: string,
    sublevel: Sublevel<E>,
  ) {
    this.sublevel = sublevel;
  }

  /** The prefix LevelDB stores this table's keys under. */
  get prefix(): string {
    return this.sublevel.prefix;
  }

  get(key: string): Promise<ValueOf<E> | undefined> {
    return this.sublevel.get(key);
  }

  getMany(keys: readonly string[]): Promise<(ValueOf<E> | undefined)[]> {
    return this.sublevel.getMany([...keys]);
  }

  /** Key and value pairs in key order within `range`. */
  async *entries(range: KeyRange = {}): AsyncGenerator<[string, ValueOf<E>]> {
    for await (const entry of this.sublevel.iterator(range)) yield entry;
  }

  /** Keys in key order within `range`, their values left unread. */
  async *keys(range: KeyRange = {}): AsyncGenerator<string> {
    for await (const key of this.sublevel.keys(range)) yield key;
  }

  /** Writes one value on its own (a logical write that spans tables uses a WriteBatch instead). */
  put(key: string, value: ValueOf<E>): Promise<void> {
    return this.sublevel.put(key, value);
  }
}

/**
 * Puts and deletes across tables, written atomically by `write()`. The operations are kept in an array and written
 * with one db.batch(ops): classic-level's chained batch crosses into native code once per operation, which made
 * ingest three times as costly.
 */
export class WriteBatch {
  private readonly ops: AbstractBatchOperation<Level<string, unknown>, string, unknown>[] = [];

  constructor(private readonly db: Level<string, unknown>) {}

  put<E extends Encoding>(table: Table<E>, key: string, value: ValueOf<E>): this {
    this.ops.push({ type: "put", sublevel: table.sublevel, key, value });
    return this;
  }

  del<E extends Encoding>(table: Table<E>, key: string): this {
    this.ops.push({ type: "del", sublevel: table.sublevel, key });
    return this;
  }

  async write(): Promise<void> {
    await this.db.batch(this.ops);
  }
}

/** The node's one LevelDB database. Each store declares its own tables on it; no store lends its tables out. */
export class Database {
  private constructor(
    private readonly db: Level<string, unknown>,
    readonly location: string,
  ) {}

  /**
   * Opens (creating if needed) the database at `location`; a locked, unwritable or unreadable one is a one-line
   * CONFIG_INVALID.
   */
  static async open(location: string): Promise<Database> {
    const unwritable = new BorderLedgerError(
      "CONFIG_INVALID",
      `the store at ${location} is not writable by this process: give it write access, or set DATA_DIR to a writable directory`,
    );
    // LevelDB reports an unwritable directory as an error on its LOCK file: tell it from a lock held by another node.
    if (await isUnwritable(location)) throw unwritable;
    const db = new Level<string, unknown>(location, { valueEncoding: "json" });
    try {
      await db.open();
    } catch (error) {
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.message ?? (error as Error).message;
      if (/permission denied|read-only file system|EACCES|EROFS|EPERM/i.test(detail)) throw unwritable;
      if (/lock/i.test(detail) || cause?.code === "LEVEL_LOCKED") {
        throw new BorderLedgerError("CONFIG_INVALID", `the store at ${location} is locked: another BorderLedger node is using it (${detail})`);
      }
      throw new BorderLedgerError("CONFIG_INVALID", `cannot open the store at ${location}: ${detail}`);
    }
    return new Database(db, location);
  }

  /** The table `name`, its values stored as `encoding`. */
  table<E extends Encoding>(name: string, encoding: E): Table<E> {
    return new Table(name, sublevelOf(this.db, name, encoding));
  }

  /** A batch of writes across tables, applied all or nothing. */
  batch(): WriteBatch {
    return new WriteBatch(this.db);
  }

  /**
   * Compacts each table's key range from its least to its greatest key (LevelDB's CompactRange), so that overwritten
   * and deleted values leave the files too.
   */
  async compactKeys(ranges: readonly { table: { prefix: string }; keys: readonly string[] }[]): Promise<void> {
    // classic-level (what `level` is on Node.js) has compactRange; the shared Level typings leave it out.
    const db = this.db as unknown as { compactRange(start: string, end: string): Promise<void> };
    for (const { table, keys } of ranges) {
      const sorted = [...keys].sort();
      const [first, last] = [sorted[0], sorted[sorted.length - 1]];
      if (first === undefined || last === undefined) continue;
      await db.compactRange(table.prefix + first, table.prefix + last);
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}

/**
 * Whether the store directory, or one of the files LevelDB rewrites on open, exists and cannot be written (a missing
 * one is created, so it is not unwritable).
 */
async function isUnwritable(location: string): Promise<boolean> {
  for (const name of [".", "LOCK", "CURRENT", "LOG"]) {
    try {
      await access(path.join(location, name), constants.W_OK);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EACCES" || code === "EROFS" || code === "EPERM") return true;
    }
  }
  return false;
}
