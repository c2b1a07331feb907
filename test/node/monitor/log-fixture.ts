// A log built in memory for the monitor's tests: leaves of a few shipments, anchored checkpoints over them (with roots
// computed independently of the checker), signed tree heads, and ways to make the log or the node lie.
import { devWallet } from "../../../node/chain/dev-participants";
import { domainSeparator, treeHeadDigest } from "../../../node/domain/eip712";
import { keccak256Utf8 } from "../../../node/domain/hashing";
import { headsRootOf, proveHead, type Head } from "../../../node/domain/heads-map";
import { fromHex, toHex } from "../../../node/domain/hex";
import { shipmentKey, ZERO_HASH } from "../../../node/domain/leaf";
import { memoryNodeReader, treeRoot } from "../../../node/domain/merkle";
import { signDigest } from "../../../node/domain/signature";
import { LogChecker, type AnchoredCheckpoint } from "../../../node/monitor/checker";
import { buildEvidence, type HeadProofSource, type MisbehaviourProof } from "../../../node/monitor/evidence";
import type { Finding, SignedTreeHead } from "../../../node/monitor/findings";
import { leafHashOfFields, type LogLeaf } from "../../../node/monitor/log-leaf";

export const LOG_ID = toHex(keccak256Utf8("monitor-test"));
export const DOMAIN = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
export const SEPARATOR = domainSeparator(DOMAIN);
export const OPERATOR = devWallet(0);

/** The key of a test shipment named by a letter. */
export const keyOf = (name: string) => shipmentKey(`MON-${name}`);

/**
 * The leaves of a log whose i-th leaf is the next event of shipment `order[i]`, chained as an honest node chains them
 * (`tamper` may change a leaf's fields before its hash is taken, and so before the next leaf links to it).
 */
export function buildLeaves(order: readonly string[], tamper: (leaf: LogLeaf, position: number) => void = () => undefined): LogLeaf[] {
  const last = new Map<string, { seq: number; leafHash: string }>();
  return order.map((name, leafIndex) => {
    const key = keyOf(name);
    const previous = last.get(key);
    const leaf: LogLeaf = {
      leafIndex,
      shipmentKey: key,
      seq: previous === undefined ? 0 : previous.seq + 1,
      prevLeafHash: previous?.leafHash ?? ZERO_HASH,
      eventDigest: toHex(keccak256Utf8(`event ${leafIndex}`)),
      recordedAtMs: 1_790_000_000_000 + leafIndex * 1000,
      leafHash: ZERO_HASH,
    };
    tamper(leaf, leafIndex);
    leaf.leafHash = leafHashOfFields(leaf);
    last.set(key, { seq: leaf.seq, leafHash: leaf.leafHash });
    return leaf;
  });
}

/** The heads map H_size of leaves (spec §3.2): each shipment's leaf with the highest seq, the later one on a tie. */
export function headsAt(leaves: readonly LogLeaf[], size: number): Map<string, Head> {
  const heads = new Map<string, Head>();
  for (const leaf of leaves.slice(0, size)) {
    const current = heads.get(leaf.shipmentKey);
    if (current === undefined || leaf.seq >= current.seq) heads.set(leaf.shipmentKey, { seq: leaf.seq, leafIndex: leaf.leafIndex, leafHash: leaf.leafHash });
  }
  return heads;
}

/** The RFC 9162 root of the first `size` leaves. */
export function rootOf(leaves: readonly LogLeaf[], size: number): string {
  return toHex(treeRoot({ size, read: memoryNodeReader(leaves.map((leaf) => fromHex(leaf.leafHash))) }));
}

/** The checkpoints an honest node anchors at `sizes` over `leaves`. */
export function anchorAt(leaves: readonly LogLeaf[], sizes: readonly number[]): AnchoredCheckpoint[] {
  return sizes.map((treeSize) => ({ treeSize, rootHash: rootOf(leaves, treeSize), headsRoot: headsRootOf(headsAt(leaves, treeSize)) }));
}

/**
 * A tree head of `leaves` at `size` signed by dev account `signer` (the operator by default), for log `logId` under the
 * tree-head domain `separator` (AnchorRegistry's).
 */
export function signTreeHead(
  leaves: readonly LogLeaf[],
  size: number,
  {
    signer = 0,
    rootHash = rootOf(leaves, size),
    logId = LOG_ID,
    separator = SEPARATOR,
  }: { signer?: number; rootHash?: string; logId?: string; separator?: Uint8Array } = {},
): SignedTreeHead {
  const timestampMs = (leaves[size - 1]?.recordedAtMs ?? 0) + 5;
  const digest = treeHeadDigest({ separator, logId, treeSize: size, rootHash, timestampMs });
  return { treeSize: size, rootHash, timestampMs, signature: signDigest({ digest, privateKey: devWallet(signer).privateKey }) };
}

/** A node serving head proofs from `map`, anchored at `treeSize` with the map's root. */
export function headProofsFrom(map: ReadonlyMap<string, Head>, treeSize: number): HeadProofSource & { asked: string[] } {
  const headsRoot = headsRootOf(map);
  const asked: string[] = [];
  const source = async (key: string) => {
    asked.push(key);
    return { treeSize, headsRoot, proof: proveHead(map, key) };
  };
  return Object.assign(source, { asked });
}

/** A node that refuses every head proof. */
export const refusingHeadProofs: HeadProofSource = async () => {
  throw new Error("HTTP 404: no head proof");
};

/** A copy of the leaves, as a node serving them would send them. */
export const copyLeaves = (leaves: readonly LogLeaf[]) => leaves.map((leaf) => ({ ...leaf }));

export type CheckRun = { findings: Finding[]; evidence: MisbehaviourProof | null; met: Finding[]; checker: LogChecker };

/** Runs the checker as the monitor does: pages of three leaves, each checkpoint once reached, then the tree head. */
export async function checkLog({
  leaves,
  checkpoints,
  treeHead,
  headProofs = refusingHeadProofs,
  logId = LOG_ID,
  separator = SEPARATOR,
}: {
  leaves: readonly LogLeaf[];
  checkpoints: readonly AnchoredCheckpoint[];
  treeHead?: SignedTreeHead;
  headProofs?: HeadProofSource;
  logId?: string;
  separator?: Uint8Array;
}): Promise<CheckRun> {
  const checker = new LogChecker({ logId, separator });
  const findings: Finding[] = [];
  for (let start = 0; start < leaves.length && !checker.halted; start += 3) {
    findings.push(...checker.addLeaves(leaves.slice(start, start + 3)));
    findings.push(...checker.checkReached(checkpoints));
  }
  if (treeHead !== undefined) {
    const anchored = checkpoints.find((checkpoint) => checkpoint.treeSize === treeHead.treeSize);
    findings.push(...(checker.checkTreeHead({ head: treeHead, operator: OPERATOR.address, anchored }) ?? []));
  }
  const built = await buildEvidence({ findings, checker, checkpoints, logId, headProofs });
  return { findings, evidence: built.evidence?.proof ?? null, met: built.findings, checker };
}
