// The checkpoint a bundle is proven against, and the chain, log and contracts it names.
import type { FC } from "hono/jsx";
import type { TraceBundle } from "../../node/domain/bundle";
import type { Network } from "../../node/domain/network";
import { count } from "./format";

/** What of the bundle's chain, contracts and log is not the network's (spec §1.2): the reasons trust-root fails. */
function differences(bundle: TraceBundle, network: Network): string[] {
  const differ: string[] = [];
  if (bundle.chain.chainId !== network.chainId) differ.push(`chain ${bundle.chain.chainId} (the network's: ${network.chainId})`);
  for (const key of ["participantRegistry", "anchorRegistry", "productRegistry"] as const) {
    if (bundle.chain[key].toLowerCase() !== network[key].toLowerCase()) differ.push(key);
  }
  if (!network.logs.some((log) => log.logId === bundle.logId)) differ.push("logId (none of the network's logs)");
  return differ;
}

export const CheckpointPanel: FC<{ bundle: TraceBundle; network?: Network }> = ({ bundle, network }) => {
  const checkpoint = bundle.checkpoint;
  const differ = network ? differences(bundle, network) : [];
  const log = network?.logs.find((candidate) => candidate.logId === bundle.logId);
  return (
    <section class="panel" data-checkpoint={checkpoint ? String(checkpoint.treeSize) : "none"}>
      <h2>Checkpoint</h2>
      {checkpoint ? null : <p class="muted">No checkpoint had been anchored when this bundle was made: every entry is pending.</p>}
      <dl class="facts">
        {checkpoint ? (
          <>
            <dt>Tree size</dt>
            <dd data-tree-size>{count(checkpoint.treeSize)}</dd>
            <dt>Root hash</dt>
            <dd>
              <code>{checkpoint.rootHash}</code>
            </dd>
            <dt>Heads root</dt>
            <dd>
              <code>{checkpoint.headsRoot}</code>
            </dd>
            <dt>Anchoring tx</dt>
            <dd>
              <code>{checkpoint.txHash}</code>
            </dd>
            <dt>Block</dt>
            <dd>{count(checkpoint.blockNumber)}</dd>
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
      {network ? (
        // This node verifies every bundle against its own network file, uploaded ones too (spec §1.2): say whether the
        // bundle names it, and if not, why trust-root fails.
        differ.length === 0 ? (
          <p class="muted" data-node-contracts="same">
            The chain and contracts of this node's network {network.name}, and its log {log?.name ?? bundle.logId}.
          </p>
        ) : (
          <p class="error" data-node-contracts="different">
            Not this node's network {network.name}: {differ.join(", ")} differ. This node verifies every bundle against its own network, so trust-root fails.
          </p>
        )
      ) : null}
    </section>
  );
};
