// EPCIS imports in LevelDB: who submitted which document, with their signature over it, and where its events went.
import { z } from "zod";
import { Address, HexDigest } from "../domain/primitives";
import { epcisImportKey } from "./keys";
import { parseStored, type Database, type Table } from "./database";

export const EPCIS_IMPORT_FORMAT = "borderledger.epcisimport.v1";

// Read back from disk, so parsed before use (a corrupted record is refused with its key named).
const StoredEpcisImportSchema = z.strictObject({
  format: z.literal(EPCIS_IMPORT_FORMAT),
  documentHash: HexDigest,
  shipmentId: z.string(),
  submitter: Address,
  signature: z.string(),
  leafIndices: z.array(z.number().int().nonnegative()),
  importedAt: z.number().int().nonnegative(),
});
export type StoredEpcisImport = z.infer<typeof StoredEpcisImportSchema>;

export class EpcisImportStore {
  private readonly imports: Table<"json">;

  constructor(db: Database) {
    this.imports = db.table("epcisImports", "json");
  }

  /** Records an import unless the same document was recorded before (the first submission is kept). */
  async putIfAbsent(record: Omit<StoredEpcisImport, "format">): Promise<StoredEpcisImport> {
    const earlier = await this.get(record.documentHash);
    if (earlier) return earlier;
    const stored: StoredEpcisImport = { format: EPCIS_IMPORT_FORMAT, ...record };
    await this.imports.put(epcisImportKey(record.documentHash), stored);
    return stored;
  }

  async get(documentHash: string): Promise<StoredEpcisImport | undefined> {
    const key = epcisImportKey(documentHash);
    const value = await this.imports.get(key);
    return value === undefined ? undefined : parseStored(StoredEpcisImportSchema, "epcisImports", key, value);
  }
}
