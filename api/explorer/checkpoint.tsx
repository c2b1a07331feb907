// The checkpoint a bundle is proven against, and the chain, log and contracts it names.
import type { FC } from "hono/jsx";
import type { TraceBundle } from "../../node/domain/bundle";
import type { NetworkView } from "../../node/node-api";

/** This node's own chain and contracts, to say whether an uploaded bundle names the same ones. */
export type NodeChain = Pick<NetworkView, "chainId" | "logId" | "addresses">;

function sameContracts(bundle: TraceBundle, node: NodeChain): string[] {
  const differ: string[] = [];
  if (bundle.chain.chainId !== node.chainId) differ.push(`chain ${bundle.chain.chainId} (this node: ${node.chainId})`);
  for (const key of ["participantRegistry", "anchorRegistry", "productRegistry"] as const) {
    if (bundle.chain[key].toLowerCase() !== node.addresses[key].toLowerCase()) differ.push(key);
  }
  if (bundle.logId !== node.logId) differ.push("logId");
  return differ;
}

export const CheckpointPanel: FC<{ bundle: TraceBundle; node?: NodeChain }> = ({ bundle, node }) => {
  const checkpoint = bundle.checkpoint;
  const differ = node ? sameContracts(bundle, node) : [];
  return (
    <section class="panel" data-checkpoint={checkpoint ? String(checkpoint.treeSize) : "none"}>
      <h2>Checkpoint</h2>
      {checkpoint ? null : <p class="muted">No checkpoint had been anchored when this bundle was made: every entry is pending.</p>}
      <dl class="facts">
        {checkpoint ? (
          <>
            <dt>Tree size</dt>
            <dd data-tree-size>{checkpoint.treeSize.toLocaleString("en")}</dd>
            <dt>Root hash</dt>
            <dd>
              <code>{checkpoint.rootHash}</code>
            </dd>
            <dt>Anchoring tx</dt>
            <dd>
              <code>{checkpoint.txHash}</code>
            </dd>
            <dt>Block</dt>
            <dd>{checkpoint.blockNumber.toLocaleString("en")}</dd>
          </>
        ) : null}
        <dt>Log id</dt>
        <dd>
          <code>{bundle.logId}</code>
        </dd>
        <dt>Chain id</dt>
        <dd>{bundle.chain.chainId}</dd>
        <dt>ParticipantRegistry</dt>
        <dd>
          <code>{bundle.chain.participantRegistry}</code>
        </dd>
        <dt>AnchorRegistry</dt>
        <dd>
          <code>{bundle.chain.anchorRegistry}</code>
        </dd>
        <dt>ProductRegistry</dt>
        <dd>
          <code>{bundle.chain.productRegistry}</code>
        </dd>
      </dl>
      {node ? (
        // The report uses the bundle's own contracts (as GET /v1/shipments/{id}/verify does); say whether they are ours.
        differ.length === 0 ? (
          <p class="muted" data-node-contracts="same">
            The same chain, log and contracts as this node.
          </p>
        ) : (
          <p class="error" data-node-contracts="different">
            Not this node's: {differ.join(", ")} differ. The checks ran against the contracts the bundle names.
          </p>
        )
      ) : null}
    </section>
  );
};
