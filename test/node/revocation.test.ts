import { expect } from "chai";
import { devWallet } from "../../node/chain/dev-participants";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { createRpcChainReader, type RpcChainReader } from "../../node/verify/chain-reader";
import { verifyBundle } from "../../node/verify/verify-bundle";
import { defined, rejectionOf } from "../helpers/assertions";
import { openTestNode, traceBundleOf } from "../helpers/bundle";
import { happyLifecycle } from "../helpers/events";

/** Polls until `condition` holds; fails naming `what` after 10 s. */
async function waitFor(what: string, condition: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 10_000; !(await condition());) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

// A carrier's key is stolen. The registry's admin revokes the carrier: the node refuses the key from then on, what the
// carrier signed and the log anchored before stays verified, and what was not anchored before the revocation fails.
describe("a stolen key, revoked", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let reader: RpcChainReader;
  const carrier = devWallet(2);

  before(async () => {
    node = await openTestNode({ logName: "revocation-test-log" });
    runtime = node.runtime;
    reader = createRpcChainReader({ rpcUrl: runtime.chain.rpcUrl });
  });
  after(async () => {
    reader?.close();
    await node?.close();
  });

  it("is refused by the node once revoked, while its earlier anchored events still verify and its unanchored one fails", async () => {
    const separator = runtime.ledger.domainSeparator;
    const anchoredFirst = happyLifecycle({ separator, shipmentId: "REVOKE-BEFORE" });
    const notAnchored = happyLifecycle({ separator, shipmentId: "REVOKE-PENDING" });
    const afterwards = happyLifecycle({ separator, shipmentId: "REVOKE-AFTER" });
    // ORDER by the platform, naming the carrier among its parties; DISPATCH by the carrier.
    for (const step of anchoredFirst.slice(0, 2)) await runtime.ledger.append({ body: step.request });
    await runtime.anchorer.anchorNow();
    for (const step of notAnchored.slice(0, 2)) await runtime.ledger.append({ body: step.request });
    // A parcel the platform handed to the carrier while it held its role: the thief will try to speak for it.
    const [order, dispatch] = afterwards;
    await runtime.ledger.append({ body: defined(order, "the ORDER").request });

    const admin = runtime.chain.contracts.participantRegistry.connect(
      devWallet(0).connect(runtime.chain.provider),
    ) as typeof runtime.chain.contracts.participantRegistry;
    await (await admin.revoke(carrier.address)).wait();
    await waitFor("the node to see the revocation", async () => (await runtime.participants.lookup(carrier.address))?.active === false);

    // The thief's next event never enters the log, though the ORDER names the carrier as a party.
    const size = runtime.log.treeSize;
    const refused = await rejectionOf(runtime.ledger.append({ body: defined(dispatch, "the carrier's DISPATCH").request }));
    expect(refused).to.include({ code: "FORBIDDEN" });
    expect(refused.message).to.contain(`actor ${carrier.address} is not a registered participant`);
    expect(runtime.log.treeSize).to.equal(size);
    // Nor can a platform bring the revoked carrier into a new parcel (spec §1.1: only active participants are named).
    const named = defined(happyLifecycle({ separator, shipmentId: "REVOKE-NAMED" })[0], "the ORDER naming the carrier");
    const notEligible = await rejectionOf(runtime.ledger.append({ body: named.request }));
    expect(notEligible).to.include({ code: "CONFLICT" });
    expect(notEligible.details).to.deep.equal({ rule: "PARTY_NOT_ELIGIBLE" });
    expect(notEligible.message).to.contain(`parties names ${carrier.address}, which is not an active PLATFORM, CARRIER or BROKER participant`);
    expect(runtime.log.treeSize).to.equal(size);

    await runtime.anchorer.anchorNow();
    const roles = async (shipmentId: string) => {
      const report = await verifyBundle({ bundle: await traceBundleOf({ runtime, shipmentId }), chain: reader });
      return defined(
        report.checks.find((c) => c.name === "actor-roles"),
        "the actor-roles check",
      );
    };
    // Anchored while the carrier held its role: still verified.
    expect((await roles("REVOKE-BEFORE")).status).to.equal("pass");
    // Accepted before the revocation but anchored after it: the role is read at the anchoring block, so it fails —
    // a revocation also catches what a thief signed that the chain had not yet fixed.
    const pending = await roles("REVOKE-PENDING");
    expect(pending.status).to.equal("fail");
    expect(defined(pending.entries?.[1], "the DISPATCH's actor-roles result").reason).to.contain(carrier.address);
  });
});
