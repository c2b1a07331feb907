// The log: newest checkpoint and head, consistency proofs, entries with inclusion proofs (spec §3, §9).
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { viewerOf, type ApiContext } from "../context";

function sizeParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^[0-9]{1,15}$/.test(value)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `${name}: must be a non-negative integer`, {
      issues: [{ path: name, message: "must be a non-negative integer" }],
    });
  }
  return Number(value);
}

export function logRoutes(ctx: ApiContext): Hono {
  return new Hono()
    .get("/log/checkpoint", async (c) => {
      const checkpoint = await ctx.node.latestCheckpoint();
      return c.json({
        logId: ctx.node.network.logId,
        treeSize: checkpoint?.treeSize ?? 0,
        rootHash: checkpoint?.rootHash ?? null,
        txHash: checkpoint?.txHash ?? null,
        blockNumber: checkpoint?.blockNumber ?? null,
        head: ctx.node.logHead(),
      });
    })
    .get("/log/proof/consistency", async (c) => {
      const from = sizeParam(c.req.query("from"), "from");
      const to = sizeParam(c.req.query("to"), "to");
      return c.json({ from, to, proof: await ctx.node.consistencyProof({ from, to }) });
    })
    .get("/log/entries/:leafIndex", async (c) => {
      const leafIndex = sizeParam(c.req.param("leafIndex"), "leafIndex");
      const treeSizeText = c.req.query("treeSize");
      const treeSize = treeSizeText === undefined ? undefined : sizeParam(treeSizeText, "treeSize");
      return c.json(await ctx.node.logEntry({ leafIndex, treeSize, viewer: await viewerOf(ctx, c) }));
    });
}
