// Misbehaviour proofs of spec §4.1 built from what the monitor found: the AnchorRegistry call that puts each on-chain,
// with its arguments as the contract takes them (Leaf, HeadProof and TreeHead structs, RFC 9162 inclusion proofs).
import { verifyHeadProof, type Head, type HeadProof } from "../domain/heads-map";
import { ZERO_HASH } from "../domain/leaf";
import type { AnchoredCheckpoint, LogChecker } from "./checker";
import type { Finding, SignedTreeHead } from "./findings";
import type { LeafFields } from "./log-leaf";

/** AnchorRegistry's Leaf struct (spec §3): the five fields, recordedAt in ms. */
export type LeafArg = { shipmentKey: string; seq: number; prevLeafHash: string; eventDigest: string; recordedAt: number };

/** HeadsMap.HeadProof as the contract takes it: kind 0 no key there, 1 the key's own head, 2 another key's head. */
export type HeadProofArg = { key: string; kind: 0 | 1 | 2; otherKey: string; seq: number; leafIndex: number; leafHash: string; siblings: string[] };

/** AnchorRegistry's TreeHead struct (spec §3.1), timestamp in ms. */
export type TreeHeadArg = { treeSize: number; rootHash: string; timestamp: number; signature: string };

/** One misbehaviour proof: the contract function, its arguments by name, and the reason it records (LogCompromised). */
export type MisbehaviourProof =
  | {
      kind: "omission";
      function: "proveOmission";
      args: { logId: string; leaf: LeafArg; leafIndex: number; inTreeSize: number; inclusionProof: string[]; mapTreeSize: number; headProof: HeadProofArg };
    }
  | {
      kind: "false-head";
      function: "proveFalseHead";
      args: { logId: string; mapTreeSize: number; headProof: HeadProofArg; leaf: LeafArg; inclusionProof: string[] };
    }
  | {
      kind: "duplicate-seq";
      function: "proveDuplicateSeq";
      args: { logId: string; treeSize: number; leafA: LeafArg; indexA: number; proofA: string[]; leafB: LeafArg; indexB: number; proofB: string[] };
    }
  | {
      kind: "equivocation";
      function: "proveEquivocation";
      args: {
        logId: string;
        treeHead: TreeHeadArg;
        leafIndex: number;
        leafHashA: string;
        proofA: string[];
        anchoredSize: number;
        leafHashB: string;
        proofB: string[];
      };
    };

export type ProofKind = MisbehaviourProof["kind"];

/** The arguments of a proof in the order of the contract function's parameters (for ABI encoding). */
export function proofArguments(proof: MisbehaviourProof): unknown[] {
  switch (proof.kind) {
    case "omission": {
      const a = proof.args;
      return [a.logId, a.leaf, a.leafIndex, a.inTreeSize, a.inclusionProof, a.mapTreeSize, a.headProof];
    }
    case "false-head": {
      const a = proof.args;
      return [a.logId, a.mapTreeSize, a.headProof, a.leaf, a.inclusionProof];
    }
    case "duplicate-seq": {
      const a = proof.args;
      return [a.logId, a.treeSize, a.leafA, a.indexA, a.proofA, a.leafB, a.indexB, a.proofB];
    }
    case "equivocation": {
      const a = proof.args;
      return [a.logId, a.treeHead, a.leafIndex, a.leafHashA, a.proofA, a.anchoredSize, a.leafHashB, a.proofB];
    }
  }
}

/** A head proof of the anchored heads map as the node serves it (GET /v1/log/heads/{key}): at which checkpoint, against which root. */
export type ServedHeadProof = { treeSize: number; headsRoot: string; proof: HeadProof };

/** Asks the node for the head proof of a shipment key at its newest anchored checkpoint; rejects when it will not answer. */
export type HeadProofSource = (shipmentKey: string) => Promise<ServedHeadProof>;

/** A proof and the finding it proves. */
export type Evidence = { proof: MisbehaviourProof; proves: Finding };

/** The struct a leaf is passed as. */
export function leafArg(fields: LeafFields): LeafArg {
  return {
    shipmentKey: fields.shipmentKey,
    seq: fields.seq,
    prevLeafHash: fields.prevLeafHash,
    eventDigest: fields.eventDigest,
    recordedAt: fields.recordedAtMs,
  };
}

/** HeadsMap.HeadProof's kinds (contracts/libraries/HeadsMap.sol): no key there, the key's own head, another key's. */
export const HEAD_PROOF_KIND = { absent: 0, head: 1, other: 2 } as const;

/** The HeadsMap.HeadProof struct a head proof for `key`, in its JSON shape (spec §3.2), is passed to the contract as. */
export function headProofArg({ key, proof }: { key: string; proof: HeadProof }): HeadProofArg {
  const { head, other, siblings } = proof;
  if (head !== null)
    return { key, kind: HEAD_PROOF_KIND.head, otherKey: ZERO_HASH, seq: head.seq, leafIndex: head.leafIndex, leafHash: head.leafHash, siblings: [...siblings] };
  if (other !== null)
    return {
      key,
      kind: HEAD_PROOF_KIND.other,
      otherKey: other.key,
      seq: other.seq,
      leafIndex: other.leafIndex,
      leafHash: other.leafHash,
      siblings: [...siblings],
    };
  return { key, kind: HEAD_PROOF_KIND.absent, otherKey: ZERO_HASH, seq: 0, leafIndex: 0, leafHash: ZERO_HASH, siblings: [...siblings] };
}

/** The leaf a false-head proof passes when the head points past the log: the contract ignores it then. */
const NO_LEAF: LeafArg = { shipmentKey: ZERO_HASH, seq: 0, prevLeafHash: ZERO_HASH, eventDigest: ZERO_HASH, recordedAt: 0 };

const sameHead = (a: Head, b: Head) => a.seq === b.seq && a.leafIndex === b.leafIndex && a.leafHash === b.leafHash;

type Context = {
  logId: string;
  checker: LogChecker;
  /** Every anchored checkpoint known, by growing tree size. */
  checkpoints: readonly AnchoredCheckpoint[];
  headProofs: HeadProofSource;
};

/**
 * The first misbehaviour proof that `findings` (in the order found) allow, and the findings met on the way: a head
 * proof the node refused, or why a contradiction cannot be put on-chain. Leaves and inclusion proofs come from the
 * leaves the checker holds, used only at checkpoints whose anchored root they reproduce, so the contract takes them.
 */
export async function buildEvidence({
  findings,
  ...context
}: Context & { findings: readonly Finding[] }): Promise<{ evidence: Evidence | null; findings: Finding[] }> {
  const met: Finding[] = [];
  let askedHeads = false;
  for (const finding of findings) {
    let proof: MisbehaviourProof | null = null;
    if (finding.code === "duplicate-seq") proof = duplicateSeqProof(context, finding, met);
    else if (finding.code === "tree-head-equivocation") proof = equivocationProof(context.logId, finding.head);
    else if (finding.code === "heads-root-mismatch" && !askedHeads) {
      // The node serves proofs of one map only, its newest anchored one: asking once covers every mismatch.
      askedHeads = true;
      proof = await headsProof(context, finding, met);
    }
    if (proof !== null) return { evidence: { proof, proves: finding }, findings: met };
  }
  return { evidence: null, findings: met };
}

/** A checkpoint whose anchored root the leaves held reproduce (so inclusion proofs in it hold on-chain). */
function reproduced(context: Context, checkpoint: AnchoredCheckpoint): boolean {
  return context.checker.checkedAt(checkpoint.treeSize)?.computedRoot === checkpoint.rootHash;
}

function duplicateSeqProof(context: Context, finding: Finding & { code: "duplicate-seq" }, met: Finding[]): MisbehaviourProof | null {
  const { checker, logId } = context;
  const { indexA, indexB } = finding;
  const covering = context.checkpoints.find((checkpoint) => checkpoint.treeSize > indexB && reproduced(context, checkpoint));
  if (covering === undefined) {
    met.push({ code: "not-provable", about: "duplicate-seq", detail: `no anchored checkpoint the leaves reproduce holds leaf ${indexB} yet` });
    return null;
  }
  const treeSize = covering.treeSize;
  return {
    kind: "duplicate-seq",
    function: "proveDuplicateSeq",
    args: {
      logId,
      treeSize,
      leafA: leafArg(checker.leaf(indexA)),
      indexA,
      proofA: checker.inclusionProof(indexA, treeSize),
      leafB: leafArg(checker.leaf(indexB)),
      indexB,
      proofB: checker.inclusionProof(indexB, treeSize),
    },
  };
}

function equivocationProof(logId: string, head: SignedTreeHead): MisbehaviourProof {
  // Same size, other root: the contract compares the roots and ignores the leaf arguments.
  return {
    kind: "equivocation",
    function: "proveEquivocation",
    args: {
      logId,
      treeHead: { treeSize: head.treeSize, rootHash: head.rootHash, timestamp: head.timestampMs, signature: head.signature },
      leafIndex: 0,
      leafHashA: ZERO_HASH,
      proofA: [],
      anchoredSize: head.treeSize,
      leafHashB: ZERO_HASH,
      proofB: [],
    },
  };
}

/**
 * An omission or false-head proof for a heads root the leaves do not reproduce. The node serves head proofs of its
 * newest anchored map only, so the keys touched up to the mismatch are asked first, then every other key, until one
 * proven head differs from what the leaves say.
 */
async function headsProof(context: Context, finding: Finding & { code: "heads-root-mismatch" }, met: Finding[]): Promise<MisbehaviourProof | null> {
  const { checker, checkpoints } = context;
  const notProvable = (detail: string) => {
    met.push({ code: "not-provable", about: "heads-root-mismatch", detail });
    return null;
  };
  const before = checkpoints.filter((checkpoint) => checkpoint.treeSize < finding.treeSize).at(-1)?.treeSize ?? 0;
  const candidates = [...new Set([...checker.keysIn(before, finding.treeSize), ...checker.keys()])];
  let map: AnchoredCheckpoint | undefined;
  for (const key of candidates) {
    let served: ServedHeadProof;
    try {
      served = await context.headProofs(key);
    } catch (error) {
      met.push({ code: "head-proof-refused", shipmentKey: key, detail: error instanceof Error ? error.message : String(error) });
      return null;
    }
    if (map === undefined) {
      map = checkpoints.find((checkpoint) => checkpoint.treeSize === served.treeSize);
      if (map === undefined && served.treeSize > (checkpoints.at(-1)?.treeSize ?? 0)) {
        return notProvable(`the node proves heads at tree size ${served.treeSize}, beyond the checkpoints read from the chain: run again`);
      }
      if (map === undefined || map.headsRoot !== served.headsRoot) {
        met.push({
          code: "head-proof-refused",
          shipmentKey: key,
          detail: `proves against heads root ${served.headsRoot} at tree size ${served.treeSize}, which is not anchored`,
        });
        return null;
      }
      const checked = checker.checkedAt(map.treeSize);
      if (checked === undefined) return notProvable(`the node proves heads at tree size ${map.treeSize}, which the leaves served do not reach`);
      if (checked.computedRoot !== map.rootHash) return notProvable(`the leaves served are not the tree anchored at size ${map.treeSize}`);
      if (checked.computedHeadsRoot === map.headsRoot) {
        return notProvable(
          `the node proves heads only at tree size ${map.treeSize}, whose anchored heads root holds; the one anchored at ${finding.treeSize} does not`,
        );
      }
    } else if (served.treeSize !== map.treeSize) {
      return notProvable(`the node's newest checkpoint moved from tree size ${map.treeSize} to ${served.treeSize} while its proofs were asked: run again`);
    }
    if (!verifyHeadProof({ key, proof: served.proof, root: map.headsRoot })) {
      met.push({ code: "head-proof-refused", shipmentKey: key, detail: `the proof does not lead to the heads root anchored at tree size ${map.treeSize}` });
      return null;
    }
    const proof = proofFromServedHead(context, map.treeSize, key, served.proof);
    if (proof !== null) return proof;
  }
  return notProvable(`every shipment's head proof at tree size ${map?.treeSize ?? finding.treeSize} agrees with the leaves`);
}

/** The proof that a verified head proof of `key` in the map anchored at `size` contradicts the leaves, or null. */
function proofFromServedHead(context: Context, size: number, key: string, served: HeadProof): MisbehaviourProof | null {
  const { checker } = context;
  const truth = checker.headAt(key, size);
  const provenHead = served.head;
  if (provenHead === null || (truth !== null && provenHead.seq < truth.seq)) {
    // No head, or an older one, for a shipment whose newer leaf the checkpoint holds.
    if (truth === null) return served.other === null ? null : falseHeadOfOther(context, size, served);
    return omissionProof(context, size, key, truth, served);
  }
  if (truth !== null && sameHead(provenHead, truth)) return null;
  return falseHeadProof(context, size, key, provenHead, served);
}

function omissionProof(context: Context, size: number, key: string, truth: Head, served: HeadProof): MisbehaviourProof {
  const { checker, logId } = context;
  return {
    kind: "omission",
    function: "proveOmission",
    args: {
      logId,
      leaf: leafArg(checker.leaf(truth.leafIndex)),
      leafIndex: truth.leafIndex,
      inTreeSize: size,
      inclusionProof: checker.inclusionProof(truth.leafIndex, size),
      mapTreeSize: size,
      headProof: headProofArg({ key, proof: served }),
    },
  };
}

/** A false-head proof of `head`, proven for `key`: past the log's end, or not the leaf the log holds there. */
function falseHeadProof(context: Context, size: number, key: string, head: Head, served: HeadProof): MisbehaviourProof | null {
  const { checker, logId } = context;
  const headProof = headProofArg({ key, proof: { head, other: null, siblings: served.siblings } });
  if (head.leafIndex >= size) {
    return { kind: "false-head", function: "proveFalseHead", args: { logId, mapTreeSize: size, headProof, leaf: NO_LEAF, inclusionProof: [] } };
  }
  const leaf = checker.leaf(head.leafIndex);
  // The leaf there is this very head (seq, key and hash): the head is a real entry, and the contract would agree.
  if (leaf.leafHash === head.leafHash && leaf.shipmentKey === key && leaf.seq === head.seq) return null;
  return {
    kind: "false-head",
    function: "proveFalseHead",
    args: { logId, mapTreeSize: size, headProof, leaf: leafArg(leaf), inclusionProof: checker.inclusionProof(head.leafIndex, size) },
  };
}

/**
 * The key that holds another key's place is proven by the same siblings (it shares the path so far), so a head the
 * map holds for a key whose leaves say otherwise — one the log never had, say — is shown false as that key's own.
 */
function falseHeadOfOther(context: Context, size: number, served: HeadProof): MisbehaviourProof | null {
  const other = served.other;
  if (other === null) return null;
  const truth = context.checker.headAt(other.key, size);
  const head = { seq: other.seq, leafIndex: other.leafIndex, leafHash: other.leafHash };
  if (truth !== null && head.seq < truth.seq) return omissionProof(context, size, other.key, truth, { head, other: null, siblings: served.siblings });
  if (truth !== null && sameHead(head, truth)) return null;
  return falseHeadProof(context, size, other.key, head, served);
}
