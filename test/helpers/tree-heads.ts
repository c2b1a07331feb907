// Test helpers: tree heads for entries written straight into a store, as LogStore.append asks for one per write.
import { domainSeparator, treeHeadDigest } from "../../node/domain/eip712";
import { toHex } from "../../node/domain/hex";
import type { StoredTreeHead } from "../../node/domain/log-entry";
import type { Hash } from "../../node/domain/merkle";
import { signDigest } from "../../node/domain/signature";
import type { NodeRuntime } from "../../node/runtime/node-runtime";

/** A head no one signed, for store tests about something else: zero signature, timestamp 0. */
export async function unsignedHead(treeSize: number, rootHash: Hash): Promise<StoredTreeHead> {
  return { treeSize, rootHash: toHex(rootHash), timestamp: 0, signature: "0x" + "00".repeat(65) };
}

/** Signs heads with `runtime`'s log operator key, as the node itself (or a dishonest operator) does. */
export function operatorHeadSigner(runtime: NodeRuntime, timestampMs: () => number = Date.now): (treeSize: number, rootHash: Hash) => Promise<StoredTreeHead> {
  const separator = domainSeparator({ chainId: runtime.chain.chainId, verifyingContract: runtime.chain.addresses.anchorRegistry });
  return async (treeSize, root) => {
    const rootHash = toHex(root);
    const timestamp = timestampMs();
    const digest = treeHeadDigest({ separator, logId: runtime.chain.logId, treeSize, rootHash, timestampMs: timestamp });
    return { treeSize, rootHash, timestamp, signature: signDigest({ digest, privateKey: runtime.chain.operator.privateKey }) };
  };
}
