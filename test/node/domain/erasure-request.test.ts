import { expect } from "chai";
import fc from "fast-check";
import { TypedDataEncoder, Wallet, verifyTypedData } from "ethers";
import { domainSeparator } from "../../../node/domain/eip712";
import {
  DEFAULT_ERASED_FIELDS,
  ERASURE_TYPES,
  ErasureBodySchema,
  ON_REQUEST_ERASABLE_FIELDS,
  PERSONAL_DATA_FIELDS,
  erasureDigest,
  judgeErasureAuthority,
  signErasure,
  splitField,
  type ErasureRequest,
} from "../../../node/domain/erasure-request";
import { payloadFieldNames } from "../../../node/domain/payloads";
import { recoverSigner } from "../../../node/domain/signature";
import { defined } from "../../helpers/assertions";

const domain = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const eip712Domain = { name: "BorderLedger", version: "1", ...domain };
const separator = domainSeparator(domain);

const request: ErasureRequest = {
  shipmentId: "RR123456785CN",
  fields: ["ORDER.buyer", "DISPATCH.consignee"],
  reason: "GDPR Art. 17, case 42",
  requestedAt: "2026-11-21T10:00:00.000Z",
};
const typed = (r: ErasureRequest) => ({ ...r, requestedAt: Date.parse(r.requestedAt) });

describe("erasure requests (EIP-712 Erasure)", () => {
  it("declares the type the digest hashes", () => {
    expect(TypedDataEncoder.from(ERASURE_TYPES).encodeType("Erasure")).to.equal("Erasure(string shipmentId,string[] fields,string reason,uint64 requestedAt)");
  });

  it("computes the digest ethers' TypedDataEncoder computes, for any request", () => {
    const shipmentId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
    const fields = fc.uniqueArray(fc.constantFrom(...PERSONAL_DATA_FIELDS), { minLength: 1 });
    const time = fc.integer({ min: 0, max: 8.64e15 }).map((ms) => new Date(ms).toISOString());
    fc.assert(
      fc.property(shipmentId, fields, fc.string({ maxLength: 80 }), time, (id, names, reason, requestedAt) => {
        const r: ErasureRequest = { shipmentId: id, fields: names, reason, requestedAt };
        expect(erasureDigest({ separator, request: r })).to.equal(TypedDataEncoder.hash(eip712Domain, ERASURE_TYPES, typed(r)));
      }),
      { numRuns: 200 },
    );
  });

  it("is the digest a wallet's signTypedData signs, and signErasure signs it too", async () => {
    const wallet = Wallet.createRandom();
    const signature = await wallet.signTypedData(eip712Domain, ERASURE_TYPES, typed(request));
    expect(verifyTypedData(eip712Domain, ERASURE_TYPES, typed(request), signature)).to.equal(wallet.address);
    const body = signErasure({
      separator,
      privateKey: wallet.privateKey,
      shipmentId: request.shipmentId,
      fields: request.fields,
      reason: request.reason,
      requestedAtMs: Date.parse(request.requestedAt),
    });
    expect(recoverSigner({ digest: erasureDigest({ separator, request }), signature: body.signature })).to.equal(wallet.address);
  });

  it("changes with every member: a request for one shipment or field list is no request for another", () => {
    const digest = erasureDigest({ separator, request });
    const others: ErasureRequest[] = [
      { ...request, shipmentId: "RR123456786CN" },
      { ...request, fields: ["ORDER.buyer"] },
      { ...request, fields: ["DISPATCH.consignee", "ORDER.buyer"] },
      { ...request, reason: "another case" },
      { ...request, requestedAt: "2026-11-21T10:00:00.001Z" },
    ];
    for (const other of others) expect(erasureDigest({ separator, request: other })).to.not.equal(digest);
  });

  it("takes the default fields when a body names none, and refuses fields that are not personal data, naming them", () => {
    const parsed = ErasureBodySchema.parse({ request: { reason: "x", requestedAt: request.requestedAt }, signature: "0x" + "11".repeat(65) });
    expect(parsed.request.fields).to.deep.equal(["ORDER.buyer", "DISPATCH.consignor", "DISPATCH.consignee", "TAX_PAID.payment", "DELIVERY.deliveredTo"]);
    const named = ErasureBodySchema.parse({
      request: { fields: ["CLAIM.detail", "RELEASE.reason", "INSPECTION.findings"], reason: "x", requestedAt: request.requestedAt },
      signature: "0x" + "11".repeat(65),
    });
    expect(named.request.fields, "a named list is taken as it is, without the defaults").to.deep.equal([
      "CLAIM.detail",
      "RELEASE.reason",
      "INSPECTION.findings",
    ]);
    for (const [field, text] of [
      ["DELIVERY.proofHash", '"DELIVERY.proofHash"'],
      ["deliveredTo", '"deliveredTo"'],
      [7, "a number"],
    ] as const) {
      const outside = ErasureBodySchema.safeParse({
        request: { fields: ["ORDER.buyer", field], reason: "x", requestedAt: request.requestedAt },
        signature: "0x" + "11".repeat(65),
      });
      const issue = defined(outside.error?.issues[0], `the issue of ${String(field)}`);
      expect(issue.path).to.deep.equal(["request", "fields", 1]);
      expect(issue.message).to.equal(`${text} is not an erasable field; a request may name ${PERSONAL_DATA_FIELDS.join(", ")}`);
    }
    const refused = ErasureBodySchema.safeParse({
      request: { fields: ["ORDER.buyer", "ORDER.buyer"], reason: "x", requestedAt: request.requestedAt },
      signature: "0x" + "11".repeat(65),
    });
    expect(refused.success).to.equal(false);
    expect(defined(refused.error?.issues[0], "the first issue").message).to.equal("must not name a field twice");
  });
});

describe("the erasable fields (spec §8)", () => {
  it("are the defaults (names, the payment and the recipient), then the free text erased only on request", () => {
    expect(DEFAULT_ERASED_FIELDS).to.deep.equal(["ORDER.buyer", "DISPATCH.consignor", "DISPATCH.consignee", "TAX_PAID.payment", "DELIVERY.deliveredTo"]);
    expect(ON_REQUEST_ERASABLE_FIELDS).to.deep.equal(["INSPECTION.findings", "RELEASE.reason", "CLAIM.detail"]);
    expect(PERSONAL_DATA_FIELDS).to.deep.equal([...DEFAULT_ERASED_FIELDS, ...ON_REQUEST_ERASABLE_FIELDS]);
  });

  it("each name a top-level field of its event type's payload schema", () => {
    for (const name of PERSONAL_DATA_FIELDS) {
      const { eventType, field } = splitField(name);
      const { required, optional } = payloadFieldNames(eventType);
      expect([...required, ...optional], name).to.include(field);
    }
  });
});

describe("who may erase (judgeErasureAuthority)", () => {
  const account = "0x976EA74026E726554dB657fA54763abd0C3a0aa9";
  const judge = (over: Partial<Parameters<typeof judgeErasureAuthority>[0]>) =>
    judgeErasureAuthority({
      account,
      block: 12,
      holdsCustoms: true,
      holdsAdmin: false,
      profile: { active: true, country: "DE" },
      destinationCountry: "DE",
      ...over,
    });

  it("allows active customs of the destination country, and the registry's admin of any country", () => {
    expect(judge({})).to.deep.equal({ ok: true, authority: "CUSTOMS" });
    expect(judge({ holdsCustoms: false, holdsAdmin: true, profile: { active: false, country: "" } })).to.deep.equal({ ok: true, authority: "ADMIN" });
  });

  it("refuses customs of another country and inactive customs, naming the block", () => {
    expect(judge({ destinationCountry: "US" })).to.deep.equal({
      ok: false,
      reason: `${account} is CUSTOMS of DE, not of the destination country US at block 12`,
      undetermined: false,
    });
    expect(judge({ profile: { active: false, country: "DE" } })).to.deep.equal({
      ok: false,
      reason: `${account} is an inactive CUSTOMS participant at block 12`,
      undetermined: false,
    });
    expect(judge({ holdsCustoms: false })).to.deep.equal({
      ok: false,
      reason: `${account} is neither CUSTOMS nor the registry's admin at block 12`,
      undetermined: false,
    });
  });

  it("leaves customs undetermined when the destination country is not known", () => {
    expect(judge({ destinationCountry: undefined })).to.include({ ok: false, undetermined: true });
  });
});
