import { expect } from "chai";
import fc from "fast-check";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { devWallet } from "../../../node/chain/dev-participants";
import { domainSeparator } from "../../../node/domain/eip712";
import { epcisDocumentOf, epcisDocumentOfRequests, epcisEventsOf, epcisToBundle } from "../../../node/domain/epcis/document";
import { planEpcisImport } from "../../../node/domain/epcis/import";
import { jsonPointerToPath, validateEpcis } from "../../../node/domain/epcis/validate";
import { BL_NAMESPACE, EVENT_MAPPING, digitalLink, dispositionOf, eventTypeOfBizStep } from "../../../node/domain/epcis/vocabulary";
import { EVENT_TYPES, type EventType } from "../../../node/domain/event-types";
import { fieldDigests } from "../../../node/domain/hashing";
import { signAppendRequest } from "../../../node/domain/sign-event";
import { pickVisible } from "../../../node/domain/views";
import { EXAMPLE_PAYLOADS, EXAMPLE_SHIPMENT_ID } from "../../../tools/fixtures/payload-examples";
import { defined } from "../../helpers/assertions";
import { randomSalts } from "../../helpers/events";

const VECTORS = path.join(__dirname, "../../vectors/epcis");
const separator = domainSeparator({ chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" });
const ORDER_OF_EVENTS: EventType[] = [
  "ORDER",
  "DISPATCH",
  "DECLARATION",
  "RISK_RESULT",
  "INSPECTION",
  "TAX_PAID",
  "RELEASE",
  "DELIVERY",
  "CLAIM",
  "CLAIM_DECISION",
];

/** One signed request per event type, from the example parcel, a minute apart. */
function exampleRequests() {
  return ORDER_OF_EVENTS.map((eventType, i) => {
    const payload = structuredClone(EXAMPLE_PAYLOADS[eventType]) as Record<string, unknown>;
    return signAppendRequest({
      separator,
      privateKey: devWallet(1).privateKey,
      shipmentId: EXAMPLE_SHIPMENT_ID,
      eventType,
      occurredAtMs: Date.UTC(2026, 5, 1, 8) + i * 60_000,
      payload,
      salts: randomSalts(payload),
    }).request;
  });
}

describe("EPCIS 2.0 mapping and validation", () => {
  describe("the GS1 schema", () => {
    it("ships a byte-for-byte copy of the conformance vector's schema", () => {
      const shipped = readFileSync(path.join(__dirname, "../../../node/domain/epcis/gs1/EPCIS-JSON-Schema.json"));
      expect(shipped.equals(readFileSync(path.join(VECTORS, "EPCIS-JSON-Schema.json")))).to.equal(true);
    });

    it("accepts every official example document beside the schema", () => {
      const examples = readdirSync(VECTORS).filter((name) => name.startsWith("examples-"));
      expect(examples.length).to.be.at.least(3);
      for (const name of examples) {
        const result = validateEpcis(JSON.parse(readFileSync(path.join(VECTORS, name), "utf8")));
        expect(result, name).to.deep.equal({ valid: true });
      }
    });

    it("refuses broken copies of the official examples, naming the path and the schema's rule", () => {
      const example = JSON.parse(readFileSync(path.join(VECTORS, "examples-Example_9.6.1-ObjectEvent.jsonld"), "utf8"));
      const noTime = structuredClone(example);
      delete noTime.epcisBody.eventList[0].eventTime;
      const badAction = structuredClone(example);
      badAction.epcisBody.eventList[0].action = "UPDATE";
      const badStep = structuredClone(example);
      badStep.epcisBody.eventList[0].bizStep = "urn:epcglobal:cbv:bizstep:shipping";
      const noContext = structuredClone(example);
      delete noContext["@context"];
      const cases: [unknown, string, RegExp][] = [
        [noTime, "epcisBody.eventList[0].eventTime", /must have required property 'eventTime'/],
        [badAction, "epcisBody.eventList[0].action", /must be equal to one of the allowed values \(OBSERVE, ADD, DELETE\)/],
        [badStep, "epcisBody.eventList[0].bizStep", /must match pattern/],
        [noContext, "@context", /must have required property '@context'/],
      ];
      for (const [document, where, message] of cases) {
        const result = validateEpcis(document);
        expect(result.valid, where).to.equal(false);
        if (result.valid) continue;
        const issue = result.issues.find((i) => i.path === where);
        expect(issue, JSON.stringify(result.issues)).to.not.equal(undefined);
        expect(defined(issue, `the issue at ${where}`).message).to.match(message);
      }
    });

    it("writes JSON pointers as the paths every other 400 uses", () => {
      expect(jsonPointerToPath("")).to.equal("");
      expect(jsonPointerToPath("/epcisBody/eventList/12/bizStep")).to.equal("epcisBody.eventList[12].bizStep");
      expect(jsonPointerToPath("/a~1b/c~0d")).to.equal("a/b.c~d");
    });
  });

  describe("the vocabulary", () => {
    it("gives every event type its own bizStep, read back to the same event type", () => {
      const steps = EVENT_TYPES.map((type) => EVENT_MAPPING[type].bizStep);
      expect(new Set(steps).size).to.equal(EVENT_TYPES.length);
      for (const type of EVENT_TYPES) expect(eventTypeOfBizStep(EVENT_MAPPING[type].bizStep)).to.equal(type);
      expect(eventTypeOfBizStep("receiving")).to.equal(undefined);
    });

    it("uses CBV words where one fits and BorderLedger URIs under the documented namespace otherwise", () => {
      const cbv = /^[a-z_]+$/;
      for (const type of EVENT_TYPES) {
        const step = EVENT_MAPPING[type].bizStep;
        expect(cbv.test(step) || step.startsWith(`${BL_NAMESPACE}bizstep/`), step).to.equal(true);
      }
      expect(dispositionOf({ eventType: "INSPECTION", payload: { outcome: "conformant" } })).to.equal("conformant");
      expect(dispositionOf({ eventType: "INSPECTION", payload: { outcome: "counterfeit_suspected" } })).to.equal("non_conformant");
      expect(dispositionOf({ eventType: "RELEASE", payload: { decision: "seized" } })).to.equal(`${BL_NAMESPACE}disp/seized`);
      expect(dispositionOf({ eventType: "RELEASE", payload: {} })).to.equal(undefined);
      expect(dispositionOf({ eventType: "CLAIM_DECISION", payload: { action: "destroy" } })).to.equal("destroyed");
    });

    it("names items by GS1 Digital Link with the GTIN padded to 14 digits and the serial encoded", () => {
      expect(digitalLink({ gtin: "6941234500017" })).to.equal("https://id.gs1.org/01/06941234500017");
      expect(digitalLink({ gtin: "12345670", serial: "AO/2026 3" })).to.equal("https://id.gs1.org/01/00000012345670/21/AO%2F2026%203");
    });
  });

  describe("documents", () => {
    it("maps one event of every type to a document the GS1 schema accepts, with items as EPCs and quantities", () => {
      const document = epcisDocumentOfRequests({ separator, requests: exampleRequests(), creationDate: "2026-06-02T00:00:00.000Z" });
      expect(validateEpcis(document)).to.deep.equal({ valid: true });
      const events = document.epcisBody.eventList;
      expect(events.map((e) => e["bl:eventType"])).to.deep.equal(ORDER_OF_EVENTS);
      expect(defined(events[0], "event 0").epcList).to.include("https://id.gs1.org/01/06941234500017/21/SW-43-000917");
      expect(defined(events[8], "event 8").epcList, "the claimed line's item").to.include("https://id.gs1.org/01/06941234500017/21/SW-43-000917");
      expect(events.map((e) => e.type)).to.deep.equal(ORDER_OF_EVENTS.map((t) => EVENT_MAPPING[t].type));
    });

    it("stays GS1-valid whatever fields a view hides (property)", () => {
      const requests = exampleRequests();
      fc.assert(
        fc.property(fc.array(fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), { minLength: requests.length, maxLength: requests.length }), (masks) => {
          const views = requests.map(({ event, payload, salts }, i) => {
            const mask = defined(masks[i], `mask ${i}`);
            const shown = Object.keys(payload).filter((_, f) => mask[f]);
            return { event, payload: pickVisible(payload, shown), salts: pickVisible(salts, shown), digests: fieldDigests({ payload, salts }) };
          });
          const events = epcisEventsOf({ separator, events: views });
          const result = validateEpcis(epcisDocumentOf({ creationDate: "2026-06-02T00:00:00.000Z", events }));
          return result.valid || (console.error(JSON.stringify(result.issues)), false);
        }),
        { numRuns: 60 },
      );
    });

    it("plans an import of its own document event by event, and reports members it does not record", () => {
      const requests = exampleRequests();
      const document = epcisDocumentOfRequests({ separator, requests, creationDate: "2026-06-02T00:00:00.000Z" });
      const plan = planEpcisImport({ document, shipmentId: EXAMPLE_SHIPMENT_ID, separator });
      expect(plan.ok).to.equal(true);
      if (!plan.ok) return;
      expect(plan.events.map((e) => e.request)).to.deep.equal(requests.map(({ event, payload, salts }) => ({ event, payload, salts })));
      expect(defined(plan.events[5], "planned event 5").notRecorded).to.include("bizTransactionList");
    });

    it("refuses an import whose eventID or digests do not belong to the signed event", () => {
      const document = epcisDocumentOfRequests({ separator, requests: exampleRequests().slice(0, 2), creationDate: "2026-06-02T00:00:00.000Z" });
      defined(document.epcisBody.eventList[0], "event 0").eventID = `${BL_NAMESPACE}event/0x${"00".repeat(32)}`;
      (defined(document.epcisBody.eventList[1], "event 1")["bl:digests"] as Record<string, string>).trackingNumber = `0x${"11".repeat(32)}`;
      const plan = planEpcisImport({ document, shipmentId: EXAMPLE_SHIPMENT_ID, separator });
      expect(plan.ok).to.equal(false);
      if (plan.ok) return;
      expect(plan.issues.map((i) => i.path)).to.deep.equal(["document.epcisBody.eventList[0].eventID", "document.epcisBody.eventList[1].bl:digests"]);
    });

    it("leaves an event dated before the epoch to the append's own refusal instead of failing on its eventID", () => {
      const document = epcisDocumentOfRequests({ separator, requests: exampleRequests().slice(0, 1), creationDate: "2026-06-02T00:00:00.000Z" });
      const event = defined(document.epcisBody.eventList[0], "event 0");
      (event["bl:event"] as Record<string, unknown>).occurredAt = "1969-12-31T23:59:59.000Z";
      event.eventTime = "1969-12-31T23:59:59.000Z";
      const plan = planEpcisImport({ document, shipmentId: EXAMPLE_SHIPMENT_ID, separator });
      expect(plan.ok).to.equal(true);
      if (plan.ok) expect(defined(plan.events[0], "planned event 0").eventID).to.equal(undefined);
    });

    it("refuses to read a bundle from a document that is not a BorderLedger export, naming the member", () => {
      const document = epcisDocumentOfRequests({ separator, requests: exampleRequests().slice(0, 1), creationDate: "2026-06-02T00:00:00.000Z" });
      expect(() => epcisToBundle(document)).to.throw(/bl:anchoring/);
      expect(() => epcisToBundle({ ...document, "bl:format": "other.v9" })).to.throw(/bl:format/);
    });
  });
});
