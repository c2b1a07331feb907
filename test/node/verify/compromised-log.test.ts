// A log proven to misbehave on-chain (spec §4.1) fails checkpoint-anchored for every bundle from then on, read from
// AnchorRegistry.compromisedAt on a real chain.
import { expect } from "chai";
import { devWallet } from "../../../node/chain/dev-participants";
import type { TraceBundle } from "../../../node/domain/bundle";
import { fromHex } from "../../../node/domain/hex";
import { createRpcChainReader, type RpcChainReader } from "../../../node/verify/chain-reader";
import { verifyBundle } from "../../../node/verify/verify-bundle";
import { defined } from "../../helpers/assertions";
import { openTestNode, traceBundleOf } from "../../helpers/bundle";
import { anchorRegistryAt } from "../../helpers/checkpoints";
import { happyLifecycle } from "../../helpers/events";
import { operatorHeadSigner } from "../../helpers/tree-heads";
import { checkOf, failedChecks } from "./report-lookup";

const ZERO = "0x" + "00".repeat(32);

describe("a log proven to misbehave", function () {
  this.timeout(60_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let chain: RpcChainReader;
  let bundles: TraceBundle[];

  before(async () => {
    node = await openTestNode({ logName: "compromised-log" });
    const { ledger, anchorer } = node.runtime;
    for (const shipmentId of ["RR800000001DE", "RR800000002DE"])
      for (const { request } of happyLifecycle({ separator: ledger.domainSeparator, shipmentId }).slice(0, 3)) await ledger.append({ body: request });
    await anchorer.anchorNow();
    bundles = await Promise.all(["RR800000001DE", "RR800000002DE"].map((shipmentId) => traceBundleOf({ runtime: node.runtime, shipmentId })));
    chain = createRpcChainReader({ rpcUrl: node.runtime.chain.rpcUrl });
  });
  after(async () => {
    chain?.close();
    await node?.close();
  });

  it("fails checkpoint-anchored for every bundle of the log, naming the block of the proof", async () => {
    const { runtime } = node;
    const verify = (bundle: TraceBundle) => verifyBundle({ bundle, chain, network: runtime.network });
    for (const bundle of bundles) expect((await verify(bundle)).status).to.equal("verified");

    // The operator signed a head of the anchored size with another root: anyone may put that on-chain (§4.1).
    const size = defined(bundles[0]?.checkpoint, "the checkpoint").treeSize;
    const head = await operatorHeadSigner(runtime)(size, fromHex("0x" + "ab".repeat(32)));
    const reporter = anchorRegistryAt(runtime.chain.addresses.anchorRegistry, devWallet(9).connect(runtime.chain.provider));
    const tx = await reporter.proveEquivocation(runtime.chain.logId, head, 0, ZERO, [], size, ZERO, []);
    const block = defined(await tx.wait(), "the proof's receipt").blockNumber;

    for (const bundle of bundles) {
      const report = await verify(bundle);
      expect(failedChecks(report)).to.deep.equal(["checkpoint-anchored"]);
      expect(checkOf(report, "checkpoint-anchored").reason).to.equal(
        `log ${runtime.chain.logId} was proven to misbehave at block ${block}: AnchorRegistry holds it compromised`,
      );
      expect(report).to.include({ status: "failed", ok: false });
    }
  });
});
