// The node's monitor routes (spec §9): its leaves, page by page, the head proofs of its newest anchored heads map, and
// its newest signed tree head — each answer parsed, since the node is the party the monitor checks.
import { z } from "zod";
import { IsoMillis } from "../domain/event";
import { HeadProofSchema } from "../domain/heads-map";
import { HexDigest, SignatureHex } from "../domain/primitives";
import type { ServedHeadProof } from "./evidence";
import type { SignedTreeHead } from "./findings";
import type { LogLeaf } from "./log-leaf";

/** The most leaves one GET /v1/log/leaves answers (spec §9). */
export const LEAVES_PER_PAGE = 1000;

/** Why a read of the node failed: it could not be reached, it answered with an HTTP error, or its answer is malformed. */
export type NodeReadProblem = "unreachable" | "http" | "malformed";

export class NodeReadError extends Error {
  readonly problem: NodeReadProblem;
  readonly route: string;
  constructor(problem: NodeReadProblem, route: string, message: string) {
    super(`${route}: ${message}`);
    this.name = "NodeReadError";
    this.problem = problem;
    this.route = route;
  }
}

export type LeavesPage = { treeSize: number; leaves: LogLeaf[] };

/** What a monitor reads from a node. */
export type NodeReader = {
  readonly nodeUrl: string;
  /** Leaves [start, start + count) and the node's tree size now. */
  leaves(params: { start: number; count: number }): Promise<LeavesPage>;
  /** The head proof of a shipment key at the node's newest anchored checkpoint. */
  headProof(shipmentKey: string): Promise<ServedHeadProof>;
  /** The newest signed tree head, null while the log is empty. */
  latestTreeHead(): Promise<SignedTreeHead | null>;
};

const Uint = z.number().int().nonnegative();

const LeafAnswer = z.object({
  leafIndex: Uint,
  shipmentKey: HexDigest,
  seq: Uint,
  prevLeafHash: HexDigest,
  eventDigest: HexDigest,
  recordedAt: IsoMillis,
  leafHash: HexDigest,
});
const LeavesAnswer = z.object({ start: Uint, treeSize: Uint, leaves: z.array(LeafAnswer).max(LEAVES_PER_PAGE) });
const HeadsAnswer = z.object({ logId: HexDigest, shipmentKey: HexDigest, treeSize: Uint, headsRoot: HexDigest, proof: HeadProofSchema });
const TreeHeadAnswer = z.object({
  logId: HexDigest,
  treeSize: z.number().int().positive(),
  rootHash: HexDigest,
  timestamp: IsoMillis,
  signature: SignatureHex,
});

function describeIssues(error: z.ZodError): string {
  const first = error.issues[0];
  if (first === undefined) return "not the answer this route gives";
  return `${first.path.length === 0 ? "the answer" : first.path.join(".")}: ${first.message}`;
}

/** Reads the monitor routes of the node at `nodeUrl`; every answer must be about log `logId`. */
export function createNodeReader({ nodeUrl, logId, timeoutMs = 15_000 }: { nodeUrl: string; logId: string; timeoutMs?: number }): NodeReader {
  const base = nodeUrl.replace(/\/+$/, "");

  async function getJson(route: string): Promise<{ status: number; body: unknown }> {
    let response: Response;
    try {
      response = await fetch(`${base}${route}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
    } catch (error) {
      const cause = (error as { cause?: { message?: unknown } }).cause?.message;
      throw new NodeReadError("unreachable", route, `cannot reach ${base}: ${typeof cause === "string" ? cause : (error as Error).message}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new NodeReadError("malformed", route, `HTTP ${response.status}, and the body is not JSON`);
    }
    return { status: response.status, body };
  }

  function parse<T>(schema: z.ZodType<T>, route: string, body: unknown): T {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new NodeReadError("malformed", route, describeIssues(parsed.error));
    return parsed.data;
  }

  function httpError(route: string, status: number, body: unknown): NodeReadError {
    const message = (body as { error?: { message?: unknown } } | null)?.error?.message;
    return new NodeReadError("http", route, `HTTP ${status}${typeof message === "string" ? `: ${message}` : ""}`);
  }

  function sameLog(route: string, answered: string): void {
    if (answered !== logId) throw new NodeReadError("malformed", route, `the answer is about log ${answered}, not ${logId}`);
  }

  return {
    nodeUrl: base,
    async leaves({ start, count }) {
      const route = `/v1/log/leaves?start=${start}&count=${count}`;
      const { status, body } = await getJson(route);
      if (status !== 200) throw httpError(route, status, body);
      const answer = parse(LeavesAnswer, route, body);
      return {
        treeSize: answer.treeSize,
        leaves: answer.leaves.map(({ recordedAt, ...leaf }) => ({ ...leaf, recordedAtMs: Date.parse(recordedAt) })),
      };
    },
    async headProof(shipmentKey) {
      const route = `/v1/log/heads/${shipmentKey}`;
      const { status, body } = await getJson(route);
      if (status !== 200) throw httpError(route, status, body);
      const answer = parse(HeadsAnswer, route, body);
      sameLog(route, answer.logId);
      if (answer.shipmentKey !== shipmentKey) throw new NodeReadError("malformed", route, `the proof is of shipment key ${answer.shipmentKey}`);
      return { treeSize: answer.treeSize, headsRoot: answer.headsRoot, proof: answer.proof };
    },
    async latestTreeHead() {
      const route = "/v1/log/tree-heads/latest";
      const { status, body } = await getJson(route);
      if (status === 404) return null;
      if (status !== 200) throw httpError(route, status, body);
      const answer = parse(TreeHeadAnswer, route, body);
      sameLog(route, answer.logId);
      return { treeSize: answer.treeSize, rootHash: answer.rootHash, timestampMs: Date.parse(answer.timestamp), signature: answer.signature };
    },
  };
}
