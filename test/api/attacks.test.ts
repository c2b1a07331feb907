// The attacks on who may speak for a shipment (spec §1.1, §7), each sent through the HTTP API as an attacker would:
// each is refused with its rule's name, stores nothing, and discloses nothing the attacker may not read.
import { expect } from "chai";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import type { EventType } from "../../node/domain/event-types";
import type { PayloadOf } from "../../node/domain/payloads";
import { roleId } from "../../node/domain/roles";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { openTestNode } from "../helpers/bundle";
import { signedAppend } from "../helpers/events";
import { signedReader } from "../helpers/reads";

/** The error envelope of spec §9, as far as these tests read it. */
type ApiError = { error: { code: string; message: string; details?: { rule?: string } } };

const PLATFORM = 1;
const CARRIER = 2;
const BROKER = 3;
const CUSTOMS_DE = 4;
const CUSTOMS_US = 6;
const BRAND_OWNER = 7;
/** A second platform and a second carrier of the development network: registered, but strangers to these parcels. */
const OTHER_PLATFORM = 8;
const OTHER_CARRIER = 9;
/** A brand owner registered by these tests, owning no brand of the example parcel. */
const OTHER_BRAND_OWNER = 11;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What the example parcel's reader may not learn unless it is a party: the buyer, the amounts, the lane. */
const BUYER_SECRETS = ["Anna Schmidt", "Hauptstraße", "SELLER-88231"];
/** The engine's figures for the example DECLARATION today (EU-2026-07-01): customs value, duty, VAT, total. */
const ENGINE_FIGURES = ["34.90", "6.00", "7.77", "13.77"];

const example = <T extends EventType>(type: T): PayloadOf<T> => structuredClone(EXAMPLE_PAYLOADS[type]);

describe("attacks on who may speak for a shipment, through the HTTP API", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let separator: Buffer;
  let app: ReturnType<typeof createApp>;
  let signedGet: ReturnType<typeof signedReader>;
  let counter = 0;

  before(async () => {
    node = await openTestNode({ logName: "attacks-test-log" });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z") });
    signedGet = signedReader(runtime, app);
    const { participantRegistry } = runtime.chain.contracts;
    await (await participantRegistry.register(devWallet(OTHER_BRAND_OWNER).address, "Nordwind Outfitters", "NO", 0, [roleId("BRAND_OWNER")])).wait();
    await runtime.participants.refresh();
  });
  after(async () => {
    await node?.close();
  });

  /** Signs and posts one event; the answer's status and body. */
  async function append({
    shipmentId,
    eventType,
    signer,
    payload = example(eventType) as Record<string, unknown>,
    occurredAtMs = Date.now() - MINUTE,
  }: {
    shipmentId: string;
    eventType: EventType;
    signer: number;
    payload?: Record<string, unknown>;
    occurredAtMs?: number;
  }): Promise<{ status: number; body: unknown; text: string }> {
    const { request } = signedAppend({ separator, signer, shipmentId, eventType, payload, occurredAtMs });
    const response = await app.request(`/v1/shipments/${shipmentId}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    const text = await response.text();
    return { status: response.status, body: JSON.parse(text), text };
  }

  /** A fresh parcel with the example ORDER (naming carrier and broker), DISPATCH and DECLARATION, optionally more. */
  async function parcel(steps: readonly { eventType: EventType; signer: number; payload?: Record<string, unknown> }[] = []): Promise<string> {
    counter++;
    const shipmentId = `RR${String(counter).padStart(9, "0")}AT`;
    const all = [
      { eventType: "ORDER" as const, signer: PLATFORM },
      { eventType: "DISPATCH" as const, signer: CARRIER },
      { eventType: "DECLARATION" as const, signer: BROKER },
      ...steps,
    ];
    for (const step of all) {
      const answer = await append({ shipmentId, ...step });
      expect(answer.status, `${step.eventType}: ${answer.text}`).to.equal(201);
    }
    return shipmentId;
  }

  /** Expects a refusal with `status` naming `rule`, and that the shipment and the log did not grow. */
  async function expectRefused(
    attempt: () => Promise<{ status: number; body: unknown; text: string }>,
    { status, rule, shipmentId }: { status: number; rule: string; shipmentId: string },
  ): Promise<ApiError & { text: string }> {
    const size = runtime.ledger.treeSize;
    const before = (await runtime.ledger.getShipmentEntries(shipmentId)).length;
    const answer = await attempt();
    expect(answer.status, answer.text).to.equal(status);
    const body = answer.body as ApiError;
    expect(body.error.code).to.equal(status === 403 ? "FORBIDDEN" : "CONFLICT");
    expect(body.error.details?.rule).to.equal(rule);
    expect(body.error.message.startsWith(`${rule}: `), body.error.message).to.equal(true);
    expect(runtime.ledger.treeSize).to.equal(size);
    expect((await runtime.ledger.getShipmentEntries(shipmentId)).length).to.equal(before);
    return { ...body, text: answer.text };
  }

  async function readText(signer: number, path: string): Promise<{ status: number; text: string }> {
    const response = await signedGet(signer, path);
    return { status: response.status, text: await response.text() };
  }

  describe("joining a stranger's parcel to read it", () => {
    it("refuses a DISPATCH from a carrier that is not a party (403 NOT_A_PARTY), and that carrier still reads nothing", async () => {
      const shipmentId = await parcel();
      await expectRefused(() => append({ shipmentId, eventType: "DISPATCH", signer: OTHER_CARRIER }), { status: 403, rule: "NOT_A_PARTY", shipmentId });
      for (const path of [`/v1/shipments/${shipmentId}/trace`, `/v1/shipments/${shipmentId}`]) {
        const read = await readText(OTHER_CARRIER, path);
        expect(read.status, read.text).to.equal(200);
        for (const secret of [...BUYER_SECRETS, 'destinationCountry":"DE', '"lane"']) expect(read.text, `${path} shows ${secret}`).not.to.include(secret);
      }
      // A party reads what the stranger may not: the test would pass vacuously if the trace never held the buyer.
      const party = await readText(CARRIER, `/v1/shipments/${shipmentId}/trace`);
      expect(party.text).to.include("Anna Schmidt");
    });

    it("refuses it after RELEASE held as well", async () => {
      const shipmentId = await parcel([{ eventType: "RELEASE", signer: CUSTOMS_DE, payload: { decision: "held", reason: "documents requested" } }]);
      await expectRefused(() => append({ shipmentId, eventType: "DISPATCH", signer: OTHER_CARRIER }), { status: 403, rule: "NOT_A_PARTY", shipmentId });
    });

    it("refuses a carrier named as a party by a stranger's event only because the stranger is refused first", async () => {
      const shipmentId = await parcel();
      const payload = { ...example("DECLARATION"), parties: [devWallet(OTHER_CARRIER).address] };
      await expectRefused(() => append({ shipmentId, eventType: "DECLARATION", signer: OTHER_PLATFORM, payload }), {
        status: 403,
        rule: "NOT_A_PARTY",
        shipmentId,
      });
      await expectRefused(() => append({ shipmentId, eventType: "DISPATCH", signer: OTHER_CARRIER }), { status: 403, rule: "NOT_A_PARTY", shipmentId });
    });

    it("lets a carrier that a party named speak, and read the parcel", async () => {
      const shipmentId = await parcel();
      const handover = { ...example("DISPATCH"), parties: [devWallet(OTHER_CARRIER).address] };
      expect((await append({ shipmentId, eventType: "DISPATCH", signer: CARRIER, payload: handover })).status).to.equal(201);
      expect((await append({ shipmentId, eventType: "DISPATCH", signer: OTHER_CARRIER })).status).to.equal(201);
      expect((await readText(OTHER_CARRIER, `/v1/shipments/${shipmentId}/trace`)).text).to.include("Anna Schmidt");
    });

    it("refuses parties that are not active platforms, carriers or brokers (409 PARTY_NOT_ELIGIBLE)", async () => {
      counter++;
      const shipmentId = `RR${String(counter).padStart(9, "0")}AT`;
      for (const party of [devWallet(CUSTOMS_US).address, devWallet(BRAND_OWNER).address, devWallet(42).address]) {
        const payload = { ...example("ORDER"), parties: [party] };
        await expectRefused(() => append({ shipmentId, eventType: "ORDER", signer: PLATFORM, payload }), {
          status: 409,
          rule: "PARTY_NOT_ELIGIBLE",
          shipmentId,
        });
      }
    });
  });

  describe("moving a parcel to another customs and back in time", () => {
    it("refuses an unrelated platform's DECLARATION to the US dated on the last day of the de minimis (403 NOT_A_PARTY)", async () => {
      const shipmentId = await parcel();
      const payload = { ...example("DECLARATION"), destinationCountry: "US" };
      await expectRefused(() => append({ shipmentId, eventType: "DECLARATION", signer: OTHER_PLATFORM, payload, occurredAtMs: Date.UTC(2025, 7, 28, 12) }), {
        status: 403,
        rule: "NOT_A_PARTY",
        shipmentId,
      });
    });

    it("refuses a party's DECLARATION to another country (409 DESTINATION_CHANGED), and customs of the destination keeps its parcel", async () => {
      const shipmentId = await parcel();
      const payload = { ...example("DECLARATION"), destinationCountry: "US" };
      const refused = await expectRefused(() => append({ shipmentId, eventType: "DECLARATION", signer: BROKER, payload }), {
        status: 409,
        rule: "DESTINATION_CHANGED",
        shipmentId,
      });
      expect(refused.error.message).to.include("US");
      const risk = await append({ shipmentId, eventType: "RISK_RESULT", signer: CUSTOMS_DE });
      expect(risk.status, risk.text).to.equal(201);
      const read = await readText(CUSTOMS_DE, `/v1/shipments/${shipmentId}/trace`);
      expect(read.text).to.include("Anna Schmidt");
    });

    it("refuses customs of another country without naming the destination (403 CUSTOMS_JURISDICTION)", async () => {
      const shipmentId = await parcel();
      const refused = await expectRefused(() => append({ shipmentId, eventType: "RISK_RESULT", signer: CUSTOMS_US }), {
        status: 403,
        rule: "CUSTOMS_JURISDICTION",
        shipmentId,
      });
      expect(refused.text).not.to.match(/\bDE\b/);
      const read = await readText(CUSTOMS_US, `/v1/shipments/${shipmentId}/trace`);
      for (const secret of BUYER_SECRETS) expect(read.text).not.to.include(secret);
    });

    it("refuses a back-dated DECLARATION and a future ORDER (409 OCCURRED_AT_WINDOW)", async () => {
      const shipmentId = await parcel();
      await expectRefused(() => append({ shipmentId, eventType: "DECLARATION", signer: BROKER, occurredAtMs: Date.UTC(2025, 7, 28, 12) }), {
        status: 409,
        rule: "OCCURRED_AT_WINDOW",
        shipmentId,
      });
      await expectRefused(() => append({ shipmentId, eventType: "DECLARATION", signer: BROKER, occurredAtMs: Date.now() - 31 * DAY }), {
        status: 409,
        rule: "OCCURRED_AT_WINDOW",
        shipmentId,
      });
      counter++;
      const fresh = `RR${String(counter).padStart(9, "0")}AT`;
      await expectRefused(() => append({ shipmentId: fresh, eventType: "ORDER", signer: PLATFORM, occurredAtMs: Date.UTC(2099, 0, 1) }), {
        status: 409,
        rule: "OCCURRED_AT_WINDOW",
        shipmentId: fresh,
      });
    });

    it("assesses duty on the day the ledger accepts the DECLARATION, whatever day it is signed for", async () => {
      counter++;
      const shipmentId = `RR${String(counter).padStart(9, "0")}AT`;
      const order = { ...example("ORDER"), destinationCountry: "US", buyer: { name: "Sam Lee", country: "US" } };
      const dispatch = { ...example("DISPATCH"), destinationCountry: "US", consignee: { name: "Sam Lee", country: "US" } };
      const usd = (amount: string) => ({ amount, currency: "USD" });
      const declaration = {
        declarationId: "US-T86-0001",
        procedure: "T86",
        destinationCountry: "US",
        items: [{ lineId: "1", description: "Leather sneakers", hsCode: "640399", quantity: 1, value: usd("300.00"), originCountry: "CN" }],
        totalValue: usd("300.00"),
      };
      expect((await append({ shipmentId, eventType: "ORDER", signer: PLATFORM, payload: order })).status).to.equal(201);
      expect((await append({ shipmentId, eventType: "DISPATCH", signer: CARRIER, payload: dispatch })).status).to.equal(201);
      // Signed 29 days ago, inside the window: still assessed under today's rule set, not the day it names.
      expect(
        (await append({ shipmentId, eventType: "DECLARATION", signer: BROKER, payload: declaration, occurredAtMs: Date.now() - 29 * DAY })).status,
      ).to.equal(201);
      const status = (await (await signedGet(CUSTOMS_US, `/v1/shipments/${shipmentId}`)).json()) as { ruleSet: string; due: { amount: string } };
      const today = new Date().toISOString().slice(0, 10);
      const assessed = (await (
        await app.request("/v1/assess", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ declaration, date: today }) })
      ).json()) as { ruleSet: string; total: { amount: string } };
      expect(status.ruleSet).to.equal(assessed.ruleSet);
      expect(status.due.amount).to.equal(assessed.total.amount);
      expect(status.ruleSet).to.equal("US-2025-08-29");
    });
  });

  describe("a second ORDER to defeat the undervaluation rule", () => {
    it("refuses any ORDER after seq 0 (409 ORDER_NOT_FIRST)", async () => {
      const shipmentId = await parcel();
      const cheaper = example("ORDER");
      await expectRefused(() => append({ shipmentId, eventType: "ORDER", signer: PLATFORM, payload: cheaper }), {
        status: 409,
        rule: "ORDER_NOT_FIRST",
        shipmentId,
      });
    });
  });

  describe("a claim for someone else's brand", () => {
    it("refuses a claim of an unregistered brand (403 CLAIM_BRAND_NOT_OWNED), and customs can still release", async () => {
      const shipmentId = await parcel([{ eventType: "RISK_RESULT", signer: CUSTOMS_DE }]);
      const claim = { ...example("CLAIM"), brand: "Nike", lineIds: ["99"] };
      await expectRefused(() => append({ shipmentId, eventType: "CLAIM", signer: BRAND_OWNER, payload: claim }), {
        status: 403,
        rule: "CLAIM_BRAND_NOT_OWNED",
        shipmentId,
      });
      expect((await append({ shipmentId, eventType: "TAX_PAID", signer: PLATFORM })).status).to.equal(201);
      const release = await append({ shipmentId, eventType: "RELEASE", signer: CUSTOMS_DE });
      expect(release.status, release.text).to.equal(201);
    });

    it("refuses a claim of a brand registered to another owner (403 CLAIM_BRAND_NOT_OWNED)", async () => {
      const shipmentId = await parcel();
      await expectRefused(() => append({ shipmentId, eventType: "CLAIM", signer: OTHER_BRAND_OWNER }), {
        status: 403,
        rule: "CLAIM_BRAND_NOT_OWNED",
        shipmentId,
      });
    });

    it("refuses the owner's claim on a line that does not exist or is not of its brand (409 CLAIM_LINES_UNKNOWN)", async () => {
      const shipmentId = await parcel();
      for (const lineIds of [["99"], ["2"], ["1", "99"]]) {
        const claim = { ...example("CLAIM"), lineIds };
        await expectRefused(() => append({ shipmentId, eventType: "CLAIM", signer: BRAND_OWNER, payload: claim }), {
          status: 409,
          rule: "CLAIM_LINES_UNKNOWN",
          shipmentId,
        });
      }
      expect((await append({ shipmentId, eventType: "CLAIM", signer: BRAND_OWNER })).status).to.equal(201);
    });

    it("tells a brand owner refused by a state rule only the rule, not what the rule found", async () => {
      const shipmentId = await parcel([{ eventType: "RELEASE", signer: CUSTOMS_DE, payload: { decision: "seized", reason: "prohibited goods" } }]);
      const refused = await expectRefused(() => append({ shipmentId, eventType: "CLAIM", signer: BRAND_OWNER }), {
        status: 409,
        rule: "AFTER_FINAL_DECISION",
        shipmentId,
      });
      expect(refused.text).not.to.include("seized");
      expect(refused.text).not.to.include("prohibited");
    });
  });

  describe("side doors in refusals", () => {
    it("gives an unrelated platform's TAX_PAID no figures of a declaration it may not read", async () => {
      const shipmentId = await parcel([{ eventType: "RISK_RESULT", signer: CUSTOMS_DE }]);
      const wrong = {
        ...example("TAX_PAID"),
        assessment: { customsValue: eur("1.00"), duty: eur("0.00"), vat: eur("0.00"), fees: eur("0.00"), total: eur("0.00") },
      };
      wrong.payment = { ...wrong.payment, amount: eur("0.00") };
      const refused = await expectRefused(() => append({ shipmentId, eventType: "TAX_PAID", signer: OTHER_PLATFORM, payload: wrong }), {
        status: 403,
        rule: "NOT_A_PARTY",
        shipmentId,
      });
      for (const figure of ENGINE_FIGURES) expect(refused.text, `the refusal shows ${figure}`).not.to.include(figure);
      // The party that may read the declaration is told what the engine found.
      const told = await expectRefused(() => append({ shipmentId, eventType: "TAX_PAID", signer: PLATFORM, payload: wrong }), {
        status: 409,
        rule: "TAX_PAID_ASSESSMENT",
        shipmentId,
      });
      expect(told.text).to.include("13.77");
    });
  });
});

function eur(amount: string) {
  return { amount, currency: "EUR" };
}
