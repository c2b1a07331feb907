// A dishonest node writes into its own log what its ledger refuses (spec §1.1, §7), anchors it and serves the bundle.
// Every hash, signature and proof in such a bundle holds: the verifier must fail it on the rules, reading parties'
// eligibility and brand owners on the chain at the block that anchored each event.
import { expect } from "chai";
import { devWallet } from "../../../node/chain/dev-participants";
import type { TraceBundle } from "../../../node/domain/bundle";
import type { BorderLedgerError } from "../../../node/domain/errors";
import type { EventType } from "../../../node/domain/event-types";
import { roleId } from "../../../node/domain/roles";
import type { NodeRuntime } from "../../../node/runtime/node-runtime";
import { createRpcChainReader, type RpcChainReader } from "../../../node/verify/chain-reader";
import { verifyBundle, type CheckName, type CheckResult, type VerificationReport } from "../../../node/verify/verify-bundle";
import { defined, rejectionOf } from "../../helpers/assertions";
import { openTestNode, slipIn, traceBundleOf } from "../../helpers/bundle";
import { happyLifecycle, signedAppend } from "../../helpers/events";
import { EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** Development account #9, Northsea Post: an active carrier that no event of these shipments names. */
const OUTSIDER = 9;
/** Development account #10, registered below as a brand owner that owns no brand (account #7 owns Stridewell). */
const PRETENDER = 10;

/** A shipment whose last events the dishonest node slipped in, the honest node's answer to the first of them, and the bundle. */
type Attack = { shipmentId: string; refusal: BorderLedgerError; bundle: TraceBundle };

function payloadOf(eventType: EventType, change: (payload: Record<string, unknown>) => void = () => {}): Record<string, unknown> {
  const payload = structuredClone(EXAMPLE_PAYLOADS[eventType]) as Record<string, unknown>;
  change(payload);
  return payload;
}

function check(report: VerificationReport, name: CheckName): CheckResult {
  return defined(
    report.checks.find((c) => c.name === name),
    `the ${name} check`,
  );
}

function failed(report: VerificationReport): CheckName[] {
  return report.checks.filter((c) => c.status === "fail").map((c) => c.name);
}

/** The entries of check `name` that fail, as [seq, reason]. */
function failingEntries(report: VerificationReport, name: CheckName): [number, string][] {
  return (check(report, name).entries ?? []).filter((e) => e.status === "fail").map((e) => [e.seq, e.reason]);
}

describe("a bundle from a dishonest node", function () {
  this.timeout(180_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let reader: RpcChainReader;
  const refusals = new Map<string, BorderLedgerError>();
  const attacks = new Map<string, Attack>();
  let honestClaim: TraceBundle;

  const verify = (bundle: TraceBundle) => verifyBundle({ bundle, chain: reader, network: runtime.network });

  const attack = (shipmentId: string) => defined(attacks.get(shipmentId), `the attack on ${shipmentId}`);

  before(async () => {
    node = await openTestNode({ logName: "dishonest-node-log" });
    runtime = node.runtime;
    reader = createRpcChainReader({ rpcUrl: runtime.chain.rpcUrl });
    const separator = runtime.ledger.domainSeparator;

    // A second brand owner, which owns no brand: the role lets it claim, ProductRegistry says whose brand it is.
    const admin = runtime.chain.contracts.participantRegistry.connect(
      devWallet(0).connect(runtime.chain.provider),
    ) as typeof runtime.chain.contracts.participantRegistry;
    await (await admin.register(devWallet(PRETENDER).address, "Lookalike Brands Ltd", "GB", 0, [roleId("BRAND_OWNER")])).wait();
    for (const deadline = Date.now() + 10_000; (await runtime.participants.lookup(devWallet(PRETENDER).address))?.active !== true;) {
      if (Date.now() > deadline) throw new Error("the node did not see the new brand owner");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    /**
     * Appends the first `honest` steps of the happy lifecycle through the ledger, offers the first forged event to the
     * ledger (which must refuse it), then slips every forged event into the store.
     */
    async function stage(
      shipmentId: string,
      honest: number,
      forged: { signer: number; eventType: EventType; payload: Record<string, unknown>; occurredAtMs?: number; recordedAtMs?: number }[],
    ): Promise<void> {
      for (const { request } of happyLifecycle({ separator, shipmentId }).slice(0, honest)) await runtime.ledger.append({ body: request });
      const signed = forged.map(({ signer, eventType, payload, occurredAtMs, recordedAtMs }) => ({
        eventType,
        recordedAtMs,
        request: signedAppend({ separator, shipmentId, signer, eventType, payload, occurredAtMs }).request,
      }));
      const first = defined(signed[0], "the first forged event");
      const size = runtime.log.treeSize;
      const refusal = await rejectionOf(runtime.ledger.append({ body: first.request }));
      expect(runtime.log.treeSize, `the honest ledger refuses the forged ${first.eventType} of ${shipmentId}`).to.equal(size);
      for (const { request, recordedAtMs } of signed) await slipIn({ runtime, request, recordedAtMs });
      refusals.set(shipmentId, refusal);
    }

    // A carrier no event names declares the parcel.
    await stage("DISHONEST-NOT-A-PARTY", 2, [{ signer: OUTSIDER, eventType: "DECLARATION", payload: payloadOf("DECLARATION") }]);
    // The platform places a second ORDER for the parcel.
    await stage("DISHONEST-SECOND-ORDER", 2, [{ signer: 1, eventType: "ORDER", payload: payloadOf("ORDER", (p) => void (p.orderId = "SG-2025-0614-99999")) }]);
    // The broker declares the parcel, which its ORDER sends to DE, to GB; customs of GB then assess it.
    const toGb = payloadOf("DECLARATION", (p) => {
      p.destinationCountry = "GB";
      for (const item of p.items as { value: { currency: string } }[]) item.value.currency = "GBP";
      (p.totalValue as { currency: string }).currency = "GBP";
    });
    await stage("DISHONEST-DESTINATION", 2, [
      { signer: 3, eventType: "DECLARATION", payload: toGb },
      { signer: 5, eventType: "RISK_RESULT", payload: payloadOf("RISK_RESULT") },
    ]);
    // A brand owner claims another owner's brand.
    await stage("DISHONEST-CLAIM", 1, [{ signer: PRETENDER, eventType: "CLAIM", payload: payloadOf("CLAIM") }]);
    // The platform names customs of DE, which holds no platform, carrier or broker role, as a party of its ORDER.
    const customsDe = devWallet(4).address;
    await stage("DISHONEST-NOT-ELIGIBLE", 0, [
      { signer: 1, eventType: "ORDER", payload: payloadOf("ORDER", (p) => void (p.parties = [devWallet(2).address, customsDe])) },
    ]);
    // The carrier back-dates its DISPATCH by 31 days, then signs another dated 5 minutes and 1 second after it is recorded.
    // Recorded a minute from now, so after the honest ORDER: recordedAt never goes back along a shipment.
    const recordedAt = Date.now() + MINUTE;
    await stage("DISHONEST-DATES", 1, [
      { signer: 2, eventType: "DISPATCH", payload: payloadOf("DISPATCH"), occurredAtMs: recordedAt - 31 * DAY, recordedAtMs: recordedAt },
      { signer: 2, eventType: "DISPATCH", payload: payloadOf("DISPATCH"), occurredAtMs: recordedAt + 1 + 5 * MINUTE + 1_000, recordedAtMs: recordedAt + 1 },
    ]);
    // The control: the brand's own owner claims it through the honest ledger.
    for (const { request } of happyLifecycle({ separator, shipmentId: "HONEST-CLAIM" }).slice(0, 1)) await runtime.ledger.append({ body: request });
    await runtime.ledger.append({ body: signedAppend({ separator, signer: 7, shipmentId: "HONEST-CLAIM", eventType: "CLAIM" }).request });

    await runtime.anchorer.anchorNow();
    for (const [shipmentId, refusal] of refusals) attacks.set(shipmentId, { shipmentId, refusal, bundle: await traceBundleOf({ runtime, shipmentId }) });
    honestClaim = await traceBundleOf({ runtime, shipmentId: "HONEST-CLAIM" });
  });
  after(async () => {
    reader?.close();
    await node?.close();
  });

  it("anchors every slipped-in event: each bundle's hashes, signatures, inclusion and head proofs hold", async () => {
    for (const { shipmentId, bundle } of attacks.values()) {
      const report = await verify(bundle);
      for (const name of [
        "trust-root",
        "field-digests",
        "event-signatures",
        "payload-schema",
        "shipment-chain",
        "inclusion",
        "checkpoint-anchored",
        "completeness",
      ] as const) {
        expect(check(report, name).status, `${shipmentId}: ${name}: ${check(report, name).reason}`).to.equal("pass");
      }
      expect(report.ok, shipmentId).to.equal(false);
    }
  });

  it("fails an event from an account that is not a party under NOT_A_PARTY, in actor-roles and lifecycle", async () => {
    const { bundle, refusal } = attack("DISHONEST-NOT-A-PARTY");
    expect(refusal).to.include({ code: "FORBIDDEN" });
    expect(refusal.details).to.deep.equal({ rule: "NOT_A_PARTY" });
    const report = await verify(bundle);
    expect(failed(report)).to.deep.equal(["actor-roles", "lifecycle"]);
    const [[seq, roles] = [-1, ""]] = failingEntries(report, "actor-roles");
    expect(seq).to.equal(2);
    expect(roles)
      .to.contain(`${devWallet(OUTSIDER).address} held CARRIER and was active at block`)
      .and.contain(`NOT_A_PARTY: ${devWallet(OUTSIDER).address} is not a party of this shipment`);
    expect(failingEntries(report, "lifecycle")).to.deep.equal([
      [
        2,
        `NOT_A_PARTY: ${devWallet(OUTSIDER).address} is not a party of this shipment: only its opener and the accounts its ORDER, DISPATCH or DECLARATION events name in parties may append DECLARATION`,
      ],
    ]);
  });

  it("fails a second ORDER under ORDER_NOT_FIRST", async () => {
    const { bundle, refusal } = attack("DISHONEST-SECOND-ORDER");
    expect(refusal).to.include({ code: "CONFLICT" });
    expect(refusal.details).to.deep.equal({ rule: "ORDER_NOT_FIRST" });
    const report = await verify(bundle);
    // The platform is the shipment's opener: it may speak, only not with a second ORDER.
    expect(failed(report)).to.deep.equal(["lifecycle"]);
    expect(check(report, "actor-roles").status).to.equal("pass");
    const [[seq, reason] = [-1, ""]] = failingEntries(report, "lifecycle");
    expect(seq).to.equal(2);
    expect(reason).to.match(/^ORDER_NOT_FIRST: an ORDER only at seq 0, not at seq 2/);
  });

  it("fails a changed destination under DESTINATION_CHANGED, and the other country's customs under CUSTOMS_JURISDICTION", async () => {
    const { bundle, refusal } = attack("DISHONEST-DESTINATION");
    expect(refusal).to.include({ code: "CONFLICT" });
    expect(refusal.details).to.deep.equal({ rule: "DESTINATION_CHANGED" });
    const report = await verify(bundle);
    expect(failed(report)).to.deep.equal(["actor-roles", "lifecycle"]);
    expect(failingEntries(report, "lifecycle")).to.deep.equal([
      [2, "DESTINATION_CHANGED: destinationCountry GB differs from DE, which the ORDER at seq 0 fixed for this shipment"],
      [3, "CUSTOMS_JURISDICTION: customs of GB may not append RISK_RESULT for this shipment: only customs of its destination country may"],
    ]);
    // Customs of GB held its role: what it lacked is jurisdiction over a parcel whose seq 0 sends it to DE.
    const roles = failingEntries(report, "actor-roles");
    expect(roles.map(([seq]) => seq)).to.deep.equal([3]);
    expect(defined(roles[0], "the RISK_RESULT's result")[1])
      .to.contain("held CUSTOMS")
      .and.contain("CUSTOMS_JURISDICTION: customs of GB may not append RISK_RESULT");
  });

  it("fails a claim by an account that does not own the brand under CLAIM_BRAND_NOT_OWNED, read from ProductRegistry", async () => {
    const { bundle, refusal } = attack("DISHONEST-CLAIM");
    expect(refusal).to.include({ code: "FORBIDDEN" });
    expect(refusal.details).to.deep.equal({ rule: "CLAIM_BRAND_NOT_OWNED" });
    const report = await verify(bundle);
    expect(failed(report)).to.deep.equal(["actor-roles", "lifecycle"]);
    const pretender = devWallet(PRETENDER).address;
    const [[seq, roles] = [-1, ""]] = failingEntries(report, "actor-roles");
    expect(seq).to.equal(1);
    expect(roles).to.contain(`${pretender} held BRAND_OWNER and was active`);
    expect(failingEntries(report, "lifecycle")).to.deep.equal([
      [1, `CLAIM_BRAND_NOT_OWNED: ${pretender} does not own brand Stridewell in ProductRegistry; only its owner may claim it`],
    ]);
  });

  it("passes the same claim by the brand's owner", async () => {
    const report = await verify(honestClaim);
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    const claim = defined(check(report, "actor-roles").entries?.[1], "the CLAIM's actor-roles result");
    expect(claim).to.include({ status: "pass" });
    expect(claim.reason).to.contain("CLAIM_BRAND_NOT_OWNED holds");
  });

  it("fails an ORDER naming an account that may not be a party under PARTY_NOT_ELIGIBLE", async () => {
    const { bundle, refusal } = attack("DISHONEST-NOT-ELIGIBLE");
    expect(refusal).to.include({ code: "CONFLICT" });
    expect(refusal.details).to.deep.equal({ rule: "PARTY_NOT_ELIGIBLE" });
    const report = await verify(bundle);
    expect(failed(report)).to.deep.equal(["actor-roles", "lifecycle"]);
    const expected = `PARTY_NOT_ELIGIBLE: parties names ${devWallet(4).address}, which is not an active PLATFORM, CARRIER or BROKER participant`;
    expect(failingEntries(report, "lifecycle")).to.deep.equal([[0, expected]]);
    const [[seq, roles] = [-1, ""]] = failingEntries(report, "actor-roles");
    expect(seq).to.equal(0);
    expect(roles).to.contain(expected);
  });

  it("fails an occurredAt more than 30 days before, or 5 minutes after, the leaf's recordedAt under OCCURRED_AT_WINDOW", async () => {
    const { bundle, refusal } = attack("DISHONEST-DATES");
    expect(refusal).to.include({ code: "CONFLICT" });
    expect(refusal.details).to.deep.equal({ rule: "OCCURRED_AT_WINDOW" });
    const report = await verify(bundle);
    expect(failed(report)).to.deep.equal(["lifecycle"]);
    const [early, late] = [defined(bundle.entries[1], "the back-dated DISPATCH"), defined(bundle.entries[2], "the post-dated DISPATCH")];
    expect(failingEntries(report, "lifecycle")).to.deep.equal([
      [
        1,
        `OCCURRED_AT_WINDOW: occurredAt ${early.event.occurredAt} is more than 30 days before the event was recorded (${early.recordedAt}); events are recorded as they happen`,
      ],
      [
        2,
        `OCCURRED_AT_WINDOW: occurredAt ${late.event.occurredAt} is more than 5 minutes after the event was recorded (${late.recordedAt}); it has not happened yet`,
      ],
    ]);
  });
});
