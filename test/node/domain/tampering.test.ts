import { expect } from "chai";
import { domainSeparator } from "../../../node/domain/eip712";
import { prepareEvent } from "../../../node/domain/event";
import { ZERO_HASH, leafHashOf } from "../../../node/domain/leaf";
import { findChainProblems, type ChainEntry } from "../../../node/domain/shipment-chain";
import { elementAt } from "../../helpers/assertions";
import { happyLifecycle } from "../../helpers/events";

const separator = domainSeparator({ chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
const SHIPMENT = "RR555000111DE";

/** A shipment's chain as the node builds it, from a signed happy lifecycle. */
function honestChain(): { chain: ChainEntry[]; requests: ReturnType<typeof happyLifecycle> } {
  const requests = happyLifecycle({ separator, shipmentId: SHIPMENT });
  let prev = ZERO_HASH;
  const chain = requests.map(({ eventDigest }, seq) => {
    const recordedAtMs = Date.UTC(2026, 5, 2) + seq;
    const leafHash = leafHashOf({ shipmentId: SHIPMENT, seq, prevLeafHash: prev, eventDigest, recordedAtMs });
    const entry = { seq, prevLeafHash: prev, leafHash, recordedAtMs, shipmentId: SHIPMENT, eventDigest };
    prev = leafHash;
    return entry;
  });
  return { chain, requests };
}

describe("tampering is detected", () => {
  it("an honest chain has no problems", () => {
    expect(findChainProblems({ shipmentId: SHIPMENT, entries: honestChain().chain })).to.deep.equal([]);
  });

  it("a changed payload field no longer matches the signed payloadHash", () => {
    const { requests } = honestChain();
    const request = structuredClone(elementAt(requests, 2).request);
    (request.payload as { declarationId: string }).declarationId = "25DEH7000000999999";
    const result = prepareEvent({ body: request, separator });
    expect(result.ok).to.equal(false);
    if (!result.ok) expect(elementAt(result.failure.issues, 0).path).to.equal("event.payloadHash");
  });

  it("a changed salt no longer matches the signed payloadHash", () => {
    const request = structuredClone(elementAt(honestChain().requests, 0).request);
    request.salts.orderId = "0x" + "00".repeat(16);
    const result = prepareEvent({ body: request, separator });
    expect(result.ok).to.equal(false);
  });

  it("a changed occurredAt or event type changes the digest, so the signature names another signer", () => {
    const request = structuredClone(elementAt(honestChain().requests, 1).request);
    request.event.occurredAt = new Date(Date.parse(request.event.occurredAt) + 1).toISOString();
    const result = prepareEvent({ body: request, separator });
    expect(result.ok === false && result.failure.code).to.equal("BAD_SIGNATURE");
  });

  it("reordered entries break seq and the prevLeafHash links", () => {
    const { chain } = honestChain();
    const reordered = [elementAt(chain, 0), elementAt(chain, 2), elementAt(chain, 1), ...chain.slice(3)];
    const checks = findChainProblems({ shipmentId: SHIPMENT, entries: reordered }).map((p) => `${p.index}:${p.check}`);
    expect(checks).to.include.members(["1:SEQ", "1:PREV_LINK", "2:SEQ", "2:PREV_LINK", "3:PREV_LINK"]);
  });

  it("a dropped middle entry breaks seq and the link of the entry after it", () => {
    const { chain } = honestChain();
    const dropped = [...chain.slice(0, 3), ...chain.slice(4)];
    const problems = findChainProblems({ shipmentId: SHIPMENT, entries: dropped });
    expect(problems.map((p) => `${p.index}:${p.check}`)).to.include.members(["3:SEQ", "3:PREV_LINK"]);
  });

  it("a dropped last entry leaves the shipment chain whole: the anchored heads map is what shows it (completeness)", () => {
    const { chain } = honestChain();
    expect(findChainProblems({ shipmentId: SHIPMENT, entries: chain.slice(0, -1) })).to.deep.equal([]);
  });

  it("an entry replayed into the chain a second time breaks seq and its link", () => {
    const { chain } = honestChain();
    const replayed = [...chain.slice(0, 3), elementAt(chain, 2), ...chain.slice(3)];
    const checks = findChainProblems({ shipmentId: SHIPMENT, entries: replayed }).map((p) => `${p.index}:${p.check}`);
    expect(checks).to.include.members(["3:SEQ", "3:PREV_LINK"]);
  });

  it("a rewritten recordedAt or eventDigest no longer matches the leafHash", () => {
    const { chain } = honestChain();
    const edited = chain.map((e, i) =>
      i === 4 ? { ...e, recordedAtMs: e.recordedAtMs + 1 } : i === 5 ? { ...e, eventDigest: elementAt(chain, 0).eventDigest } : e,
    );
    const checks = findChainProblems({ shipmentId: SHIPMENT, entries: edited }).map((p) => `${p.index}:${p.check}`);
    expect(checks).to.deep.equal(["4:LEAF_HASH", "5:LEAF_HASH"]);
  });

  it("an entry recorded before the one it follows is named, even with its leaf hashed anew (a back-dated DECLARATION)", () => {
    const { chain } = honestChain();
    // The operator re-chains from seq 2 on with the DECLARATION recorded a year earlier, every hash recomputed.
    let prev = elementAt(chain, 1).leafHash;
    const backDated = chain.map((e, i) => {
      if (i < 2) return e;
      const recordedAtMs = i === 2 ? e.recordedAtMs - 365 * 86_400_000 : e.recordedAtMs;
      const leafHash = leafHashOf({ shipmentId: SHIPMENT, seq: e.seq, prevLeafHash: prev, eventDigest: e.eventDigest, recordedAtMs });
      const entry = { ...e, prevLeafHash: prev, leafHash, recordedAtMs };
      prev = leafHash;
      return entry;
    });
    const problems = findChainProblems({ shipmentId: SHIPMENT, entries: backDated });
    expect(problems.map((p) => `${p.index}:${p.check}`)).to.deep.equal(["2:RECORDED_AT"]);
    expect(elementAt(problems, 0).message).to.include("2025-06-02").and.to.include("before entry 1");
  });

  it("an entry of another shipment spliced in is named", () => {
    const { chain } = honestChain();
    const spliced = chain.map((e, i) => (i === 3 ? { ...e, shipmentId: "RR999999999DE" } : e));
    const checks = findChainProblems({ shipmentId: SHIPMENT, entries: spliced }).map((p) => `${p.index}:${p.check}`);
    expect(checks).to.include("3:SHIPMENT");
    expect(checks).to.include("3:LEAF_HASH");
  });
});
