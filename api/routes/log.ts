// The log: newest checkpoint and head, consistency proofs, entries with inclusion proofs, and for monitors the leaves,
// the heads map's proofs and the newest signed tree head (spec §3, §9, §12).
import { Hono } from "hono";
import { BorderLedgerError } from "../../node/domain/errors";
import { SHIPMENT_ID } from "../../node/domain/event";
import { viewerOf, type ApiContext } from "../context";

function sizeParam(value: string | undefined, name: string): number {
  if (value === undefined || !/^[0-9]{1,15}$/.test(value)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `${name}: must be a non-negative integer`, {
      issues: [{ path: name, message: "must be a non-negative integer" }],
    });
  }
  return Number(value);
}

/** The most leaves one GET /v1/log/leaves answers (spec §9). */
export const MAX_LEAVES_PER_PAGE = 1000;

const SHIPMENT_KEY = /^0x[0-9a-f]{64}$/;

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
        headsRoot: checkpoint?.headsRoot ?? null,
        head: ctx.node.logHead(),
      });
    })
    .get("/log/leaves", async (c) => {
      const start = sizeParam(c.req.query("start"), "start");
      const countText = c.req.query("count");
      const count = countText === undefined ? MAX_LEAVES_PER_PAGE : sizeParam(countText, "count");
      if (count < 1 || count > MAX_LEAVES_PER_PAGE) {
        throw new BorderLedgerError("VALIDATION_FAILED", `count: must be 1 to ${MAX_LEAVES_PER_PAGE}`, {
          issues: [{ path: "count", message: `must be 1 to ${MAX_LEAVES_PER_PAGE}` }],
        });
      }
      const treeSize = ctx.node.logHead().treeSize;
      return c.json({ start, treeSize, leaves: await ctx.node.logLeaves({ start, count }) });
    })
    .get("/log/heads/:shipment", async (c) => {
      const shipment = c.req.param("shipment");
      // A shipment id has at most 64 characters, a key is 0x and 64 hex digits: the two never collide.
      if (SHIPMENT_KEY.test(shipment)) return c.json(await ctx.node.headProof({ shipmentKey: shipment }));
      if (!SHIPMENT_ID.test(shipment)) {
        throw new BorderLedgerError(
          "VALIDATION_FAILED",
          "shipment: must be a shipmentId (1..64 characters of A-Z a-z 0-9 . _ : -) or a shipmentKey (0x and 64 lowercase hex digits)",
          {
            issues: [{ path: "shipment", message: "must be a shipmentId or a shipmentKey" }],
          },
        );
      }
      return c.json(await ctx.node.headProof({ shipmentId: shipment }));
    })
    .get("/log/tree-heads/latest", async (c) => {
      const head = await ctx.node.latestTreeHead();
      if (head === undefined) throw new BorderLedgerError("NOT_FOUND", "the log is empty: no tree head is signed yet");
      return c.json({ logId: ctx.node.network.logId, ...head });
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
