// What a monitor finds wrong with a log (spec §12): one closed union of stable codes, each with what was seen.

/** A signed tree head as a monitor checks it (spec §3.1), its timestamp in ms. */
export type SignedTreeHead = { treeSize: number; rootHash: string; timestampMs: number; signature: string };

/**
 * A contradiction between the log's leaves, its anchored checkpoints and its signed tree heads. Codes are API (the
 * JSON output carries them); messages are for people.
 */
export type Finding =
  /** The node answered with a leaf at another index than asked, or with fewer leaves than its tree size says. */
  | { code: "leaves-out-of-order"; expected: number; got: number | null }
  /** An anchored checkpoint covers leaves the node does not serve. */
  | { code: "leaves-withheld"; anchoredSize: number; served: number }
  /** The node's leaf hash is not the hash of the five fields it serves with it. */
  | { code: "leaf-hash"; leafIndex: number; served: string; computed: string }
  /** A shipment's seq is not the next after its highest so far (the first must be 0). */
  | { code: "seq-gap"; leafIndex: number; shipmentKey: string; seq: number; expected: number }
  /** Two leaves of one shipment have the same seq: a second history of one shipment. */
  | { code: "duplicate-seq"; shipmentKey: string; seq: number; indexA: number; indexB: number }
  /** A leaf's prevLeafHash is not the leaf hash of its shipment's previous seq (zero for seq 0). */
  | { code: "broken-link"; leafIndex: number; shipmentKey: string; seq: number; prevLeafHash: string; expected: string }
  /** The leaves' RFC 9162 root at an anchored tree size is not the anchored root: the node serves another tree. */
  | { code: "root-mismatch"; treeSize: number; anchored: string; computed: string }
  /** The heads root recomputed from the leaves at an anchored tree size is not the anchored heads root. */
  | { code: "heads-root-mismatch"; treeSize: number; anchored: string; computed: string }
  /** The newest signed tree head is not signed by the log's operator. */
  | { code: "tree-head-signature"; treeSize: number; signer: string | null; operator: string }
  /** A signed tree head and the checkpoint anchored at its size have different roots. */
  | { code: "tree-head-equivocation"; head: SignedTreeHead; anchored: string }
  /** A signed tree head's root is not the root of the leaves the node serves at that size. */
  | { code: "tree-head-root"; treeSize: number; signed: string; computed: string }
  /** The node signed a tree head larger than the log it serves. */
  | { code: "tree-head-ahead"; treeSize: number; served: number }
  /** The node's answer to a monitor route is not what the route returns (spec §9). */
  | { code: "bad-answer"; route: string; detail: string }
  /** The node refused a head proof, or served one that does not hold against the anchored heads root. */
  | { code: "head-proof-refused"; shipmentKey: string; detail: string }
  /** The contradiction is real but no misbehaviour proof the contract takes can show it, with the reason. */
  | { code: "not-provable"; about: FindingCode; detail: string }
  /** Misbehaviour of the log was already proven on-chain (AnchorRegistry.compromisedAt). */
  | { code: "compromised"; blockNumber: number };

export type FindingCode = Finding["code"];

const short = (hex: string) => `${hex.slice(0, 10)}…`;

/** One line for people: what was seen. */
export function describeFinding(finding: Finding): string {
  switch (finding.code) {
    case "leaves-out-of-order":
      return finding.got === null
        ? `the node served no leaf ${finding.expected}, below the tree size it gives`
        : `the node served leaf ${finding.got} where leaf ${finding.expected} was asked`;
    case "leaves-withheld":
      return `tree size ${finding.anchoredSize} is anchored, but the node serves only ${finding.served} leaves`;
    case "leaf-hash":
      return `leaf ${finding.leafIndex}: the node says its hash is ${short(finding.served)}, its five fields hash to ${short(finding.computed)}`;
    case "seq-gap":
      return `leaf ${finding.leafIndex}: shipment ${short(finding.shipmentKey)} has seq ${finding.seq} where seq ${finding.expected} comes next`;
    case "duplicate-seq":
      return `leaves ${finding.indexA} and ${finding.indexB} both hold seq ${finding.seq} of shipment ${short(finding.shipmentKey)}`;
    case "broken-link":
      return `leaf ${finding.leafIndex}: seq ${finding.seq} of shipment ${short(finding.shipmentKey)} links to ${short(finding.prevLeafHash)}, not to its previous leaf ${short(finding.expected)}`;
    case "root-mismatch":
      return `tree size ${finding.treeSize}: the leaves' root is ${short(finding.computed)}, the anchored root ${short(finding.anchored)}`;
    case "heads-root-mismatch":
      return `tree size ${finding.treeSize}: the leaves' heads root is ${short(finding.computed)}, the anchored heads root ${short(finding.anchored)}`;
    case "tree-head-signature":
      return `the signed tree head of size ${finding.treeSize} is signed by ${finding.signer ?? "no recoverable key"}, not by the log's operator ${finding.operator}`;
    case "tree-head-equivocation":
      return `the operator signed root ${short(finding.head.rootHash)} for tree size ${finding.head.treeSize}, where ${short(finding.anchored)} is anchored`;
    case "tree-head-root":
      return `the operator signed root ${short(finding.signed)} for tree size ${finding.treeSize}, the leaves served give ${short(finding.computed)}`;
    case "tree-head-ahead":
      return `the operator signed a tree head of size ${finding.treeSize}, the node serves ${finding.served} leaves`;
    case "bad-answer":
      return `${finding.route}: ${finding.detail}`;
    case "head-proof-refused":
      return `head proof of shipment ${short(finding.shipmentKey)}: ${finding.detail}`;
    case "not-provable":
      return `${finding.about} cannot be proven on-chain: ${finding.detail}`;
    case "compromised":
      return `the log is compromised: misbehaviour was proven on-chain in block ${finding.blockNumber}`;
  }
}
