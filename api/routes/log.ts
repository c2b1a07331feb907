// The log: newest checkpoint and head, consistency proofs, entries with inclusion proofs (DESIGN §3, §9).
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { toHex } from "../../node/domain/hex";
import { bundleEntry, visibilityOf } from "../../node/services/trace-service";
import { viewerOf, type ApiContext } from "../context";

function sizeParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^[0-9]{1,15}$/.test(value)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `${name}: must be a non-negative integer`, { issues: [{ path: name, message: "must be a non-negative integer" }] });
  }
  return Number(value);
}

export function logRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/log/checkpoint", async (c) => {
      const { store, chain } = ctx.runtime;
      const checkpoint = await store.latestCheckpoint();
      return c.json({
        logId: chain.logId,
        treeSize: checkpoint?.treeSize ?? 0,
        rootHash: checkpoint?.rootHash ?? null,
        txHash: checkpoint?.txHash ?? null,
        blockNumber: checkpoint?.blockNumber ?? null,
        head: { treeSize: store.treeSize, rootHash: toHex(store.headRoot()) },
      });
    })
    .get("/log/proof/consistency", async (c) => {
      const from = sizeParam(c.req.query("from"), "from");
      const to = sizeParam(c.req.query("to"), "to");
      const proof = await ctx.runtime.store.consistencyProof(from, to);
      return c.json({ from, to, proof: proof.map(toHex) });
    })
    .get("/log/entries/:leafIndex", async (c) => {
      const leafIndex = sizeParam(c.req.param("leafIndex"), "leafIndex");
      const { store, ledger } = ctx.runtime;
      const treeSizeText = c.req.query("treeSize");
      const treeSize = treeSizeText === undefined ? store.treeSize : sizeParam(treeSizeText, "treeSize");
      const entry = await store.getEntry(leafIndex);
      if (!entry || leafIndex >= store.treeSize) throw new BorderLedgerError("NOT_FOUND", `no entry ${leafIndex} in this log (size ${store.treeSize})`);
      const viewer = await viewerOf(ctx, c);
      if (leafIndex >= treeSize) throw new BorderLedgerError("BAD_REQUEST", `leaf index ${leafIndex} is not inside a tree of size ${treeSize}`);
      const visible = visibilityOf({ viewer, entries: await store.getShipmentEntries(entry.event.shipmentId) })[entry.seq];
      const { inclusionProof, ...shown } = await bundleEntry({ source: { ledger, store }, entry, proofTreeSize: treeSize, visible });
      return c.json({ leafIndex, treeSize, rootHash: toHex(await store.rootAt(treeSize)), inclusionProof, entry: shown });
    });
}
