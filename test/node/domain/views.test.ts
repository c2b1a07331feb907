import { expect } from "chai";
import { devWallet } from "../../../node/chain/dev-participants";
import type { RoleName } from "../../../node/domain/roles";
import { BRAND_ORDER_FIELDS, pickVisible, visibleFields, type ViewedEvent, type Viewer } from "../../../node/domain/views";
import { EXAMPLE_PARTIES, EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { elementAt } from "../../helpers/assertions";

const PLATFORM = devWallet(1).address;
const CARRIER = devWallet(2).address;
const BROKER = devWallet(3).address;
const CUSTOMS_DE = devWallet(4).address;
const BRAND_OWNER = devWallet(7).address;
const OTHER_BRAND_OWNER = devWallet(10).address;
const OUTSIDER_PLATFORM = devWallet(8).address;
/** Northsea Post, a registered carrier the example ORDER does not name. */
const OTHER_CARRIER = devWallet(9).address;

const payload = (type: keyof typeof EXAMPLE_PAYLOADS) => structuredClone(EXAMPLE_PAYLOADS[type]) as Record<string, unknown>;

function viewer(address: string, roles: RoleName[], country: string, extra: { active?: boolean; brands?: string[] } = {}): Viewer {
  return { address, roles: new Set(roles), country, active: extra.active ?? true, ...(extra.brands === undefined ? {} : { brands: extra.brands }) };
}

/**
 * A DE-bound parcel whose ORDER holds a Stridewell line, with a claim by the Stridewell owner (#7) and one by another
 * brand owner (#10), each decided by customs DE.
 */
function shipment(): ViewedEvent[] {
  return [
    { eventType: "ORDER", actor: PLATFORM, payload: payload("ORDER") },
    { eventType: "DISPATCH", actor: CARRIER, payload: payload("DISPATCH") },
    { eventType: "DECLARATION", actor: BROKER, payload: payload("DECLARATION") },
    { eventType: "RISK_RESULT", actor: CUSTOMS_DE, payload: payload("RISK_RESULT") },
    { eventType: "CLAIM", actor: BRAND_OWNER, payload: { ...payload("CLAIM"), claimId: "CLM-OWN" } },
    { eventType: "CLAIM", actor: OTHER_BRAND_OWNER, payload: { ...payload("CLAIM"), claimId: "CLM-OTHER", brand: "Nordwind" } },
    { eventType: "CLAIM_DECISION", actor: CUSTOMS_DE, payload: { claimId: "CLM-OWN", decision: "upheld", action: "seize" } },
    { eventType: "CLAIM_DECISION", actor: CUSTOMS_DE, payload: { claimId: "CLM-OTHER", decision: "rejected" } },
  ];
}

const ALL = shipment().map(() => "all");
/** What a viewer who may see nothing sees: the `parties` of the ORDER, DISPATCH and DECLARATION, no other field. */
const PARTIES_ONLY = shipment().map((e) => (["ORDER", "DISPATCH", "DECLARATION"].includes(e.eventType) ? ["parties"] : "none"));

describe("views", () => {
  describe("visibleFields", () => {
    it("shows an anonymous reader nothing of any event but the parties the events name", () => {
      const seen = visibleFields({ viewer: null, events: shipment(), destinationCountry: "DE" });
      expect(seen).to.deep.equal(PARTIES_ONLY);
      const order = payload("ORDER");
      expect(pickVisible(order, elementAt(seen, 0))).to.deep.equal({ parties: EXAMPLE_PARTIES });
      expect(JSON.stringify(shipment().map((e, i) => pickVisible(e.payload ?? {}, elementAt(seen, i)))))
        .to.not.include("Anna Schmidt")
        .and.not.include(`"DE"`);
    });

    it("shows an inactive participant only the parties, even customs of the destination and even a party", () => {
      const events = shipment();
      expect(visibleFields({ viewer: viewer(CUSTOMS_DE, ["CUSTOMS"], "DE", { active: false }), events, destinationCountry: "DE" })).to.deep.equal(PARTIES_ONLY);
      expect(visibleFields({ viewer: viewer(PLATFORM, ["PLATFORM"], "CN", { active: false }), events, destinationCountry: "DE" })).to.deep.equal(PARTIES_ONLY);
    });

    it("shows customs of the destination country every field of every event", () => {
      expect(visibleFields({ viewer: viewer(CUSTOMS_DE, ["CUSTOMS"], "DE"), events: shipment(), destinationCountry: "DE" })).to.deep.equal(ALL);
    });

    it("shows customs of another country only the parties of a shipment it did not act on", () => {
      const gb = viewer(devWallet(5).address, ["CUSTOMS"], "GB");
      expect(visibleFields({ viewer: gb, events: shipment(), destinationCountry: "DE" })).to.deep.equal(PARTIES_ONLY);
    });

    it("shows customs nothing it did not sign when the shipment has no destination yet", () => {
      const events = shipment().slice(0, 1);
      expect(visibleFields({ viewer: viewer(devWallet(6).address, ["CUSTOMS"], "US"), events, destinationCountry: undefined })).to.deep.equal([["parties"]]);
    });

    it("shows the opener and the parties its ORDER names every field of every event", () => {
      for (const [address, role, country] of [
        [PLATFORM, "PLATFORM", "CN"],
        [CARRIER, "CARRIER", "CN"],
        [BROKER, "BROKER", "DE"],
      ] as const) {
        expect(visibleFields({ viewer: viewer(address, [role], country), events: shipment(), destinationCountry: "DE" }), role).to.deep.equal(ALL);
      }
    });

    it("shows a party named by a later event every field, of the events before that one too", () => {
      const declaration = { ...payload("DECLARATION"), parties: [OTHER_CARRIER] };
      const events = [...shipment().slice(0, 2), { eventType: "DECLARATION" as const, actor: BROKER, payload: declaration }];
      expect(visibleFields({ viewer: viewer(OTHER_CARRIER, ["CARRIER"], "GB"), events, destinationCountry: "DE" })).to.deep.equal(["all", "all", "all"]);
      // Without that DECLARATION the same carrier is no party: it sees the parties only.
      expect(visibleFields({ viewer: viewer(OTHER_CARRIER, ["CARRIER"], "GB"), events: events.slice(0, 2), destinationCountry: "DE" })).to.deep.equal([
        ["parties"],
        ["parties"],
      ]);
    });

    it("shows a carrier that opened a shipment with a DISPATCH every field, and the parties that DISPATCH names", () => {
      const dispatch = { ...payload("DISPATCH"), parties: [BROKER] };
      const events: ViewedEvent[] = [
        { eventType: "DISPATCH", actor: OTHER_CARRIER, payload: dispatch },
        { eventType: "DECLARATION", actor: BROKER, payload: payload("DECLARATION") },
      ];
      for (const [address, role] of [
        [OTHER_CARRIER, "CARRIER"],
        [BROKER, "BROKER"],
      ] as const) {
        expect(visibleFields({ viewer: viewer(address, [role], "GB"), events, destinationCountry: "DE" }), role).to.deep.equal(["all", "all"]);
      }
      expect(visibleFields({ viewer: viewer(CARRIER, ["CARRIER"], "CN"), events, destinationCountry: "DE" })).to.deep.equal([["parties"], ["parties"]]);
    });

    it("recognises a party whatever the case of the address it reads with", () => {
      const lower = viewer(CARRIER.toLowerCase(), ["CARRIER"], "CN");
      expect(visibleFields({ viewer: lower, events: shipment(), destinationCountry: "DE" })).to.deep.equal(ALL);
    });

    it("shows a platform that is no party and appended nothing only the parties", () => {
      expect(visibleFields({ viewer: viewer(OUTSIDER_PLATFORM, ["PLATFORM"], "US"), events: shipment(), destinationCountry: "DE" })).to.deep.equal(
        PARTIES_ONLY,
      );
    });

    it("shows a carrier that appended a DISPATCH without being a party that DISPATCH, and of the rest only the parties", () => {
      // Having appended is not taking part (spec §1.1): the buyer, the lane and the amounts stay hidden from it.
      const events: ViewedEvent[] = [...shipment().slice(0, 4), { eventType: "DISPATCH", actor: OTHER_CARRIER, payload: payload("DISPATCH") }];
      const seen = visibleFields({ viewer: viewer(OTHER_CARRIER, ["CARRIER"], "GB"), events, destinationCountry: "DE" });
      expect(seen).to.deep.equal([["parties"], ["parties"], ["parties"], "none", "all"]);
      const shown = events.slice(0, 4).map((e, i) => pickVisible(e.payload ?? {}, elementAt(seen, i)));
      expect(JSON.stringify(shown)).to.not.include("Anna Schmidt").and.not.include("green").and.not.include("34.90");
    });

    it("shows a brand owner the items and seller of an order with its brand, its own claim and the decision on it, and the parties", () => {
      const seen = visibleFields({
        viewer: viewer(BRAND_OWNER, ["BRAND_OWNER"], "CH", { brands: ["Alpine Outdoor", "Stridewell"] }),
        events: shipment(),
        destinationCountry: "DE",
      });
      expect(seen).to.deep.equal([["items", "seller", "parties"], ["parties"], ["parties"], "none", "all", "none", "all", "none"]);
      expect([...BRAND_ORDER_FIELDS]).to.have.members(["items", "seller"]);
      expect(Object.keys(pickVisible(payload("ORDER"), elementAt(seen, 0)))).to.have.members(["items", "seller", "parties"]);
    });

    it("shows a brand owner of no brand in the order only its own claim and the decision on it, and the parties", () => {
      const seen = visibleFields({
        viewer: viewer(OTHER_BRAND_OWNER, ["BRAND_OWNER"], "NO", { brands: ["Nordwind"] }),
        events: shipment(),
        destinationCountry: "DE",
      });
      expect(seen).to.deep.equal([["parties"], ["parties"], ["parties"], "none", "none", "all", "none", "all"]);
    });

    it("shows a brand owner with no registered brand only the parties of the order", () => {
      for (const brands of [[], undefined]) {
        const seen = visibleFields({
          viewer: viewer(BRAND_OWNER, ["BRAND_OWNER"], "CH", { brands }),
          events: shipment().slice(0, 3),
          destinationCountry: "DE",
        });
        expect(seen, JSON.stringify(brands)).to.deep.equal([["parties"], ["parties"], ["parties"]]);
      }
    });

    it("matches a brand only on an order line that names it, not on one brand of the many the owner holds", () => {
      const order = payload("ORDER");
      elementAt(order.items as Record<string, unknown>[], 0).brand = "Alpine Outdoor";
      const events: ViewedEvent[] = [{ eventType: "ORDER", actor: PLATFORM, payload: order }];
      const stridewellOnly = viewer(BRAND_OWNER, ["BRAND_OWNER"], "CH", { brands: ["Stridewell"] });
      expect(visibleFields({ viewer: stridewellOnly, events, destinationCountry: "DE" })).to.deep.equal([["parties"]]);
      const alpine = viewer(BRAND_OWNER, ["BRAND_OWNER"], "CH", { brands: ["Stridewell", "Alpine Outdoor"] });
      expect(visibleFields({ viewer: alpine, events, destinationCountry: "DE" })).to.deep.equal([["items", "seller", "parties"]]);
    });

    it("does not show a brand owner another owner's claim on its brand, nor the decision on it", () => {
      // #7 claims nothing here: a decision on #10's claim stays hidden from it, even though #7 owns the claimed brand.
      const events: ViewedEvent[] = [
        { eventType: "ORDER", actor: PLATFORM, payload: payload("ORDER") },
        { eventType: "CLAIM", actor: OTHER_BRAND_OWNER, payload: payload("CLAIM") },
        { eventType: "CLAIM_DECISION", actor: CUSTOMS_DE, payload: payload("CLAIM_DECISION") },
      ];
      const seen = visibleFields({ viewer: viewer(BRAND_OWNER, ["BRAND_OWNER"], "CH", { brands: ["Stridewell"] }), events, destinationCountry: "DE" });
      expect(seen).to.deep.equal([["items", "seller", "parties"], "none", "none"]);
    });

    it("shows a brand owner only the parties of an order whose payload is not known", () => {
      const events: ViewedEvent[] = [{ eventType: "ORDER", actor: PLATFORM }];
      expect(visibleFields({ viewer: viewer(BRAND_OWNER, ["BRAND_OWNER"], "CH", { brands: ["Stridewell"] }), events, destinationCountry: "DE" })).to.deep.equal(
        [["parties"]],
      );
    });

    it("answers an empty list for a shipment without events", () => {
      expect(visibleFields({ viewer: viewer(CUSTOMS_DE, ["CUSTOMS"], "DE"), events: [], destinationCountry: "DE" })).to.deep.equal([]);
      expect(visibleFields({ viewer: null, events: [], destinationCountry: undefined })).to.deep.equal([]);
    });
  });

  describe("pickVisible", () => {
    const record = { orderId: "o", buyer: { name: "b" }, items: [1], seller: { id: "s" } };

    it("returns every field for all", () => {
      expect(pickVisible(record, "all")).to.deep.equal(record);
    });

    it("returns no field for none", () => {
      expect(pickVisible(record, "none")).to.deep.equal({});
    });

    it("returns exactly the named fields that the record holds", () => {
      expect(pickVisible(record, BRAND_ORDER_FIELDS)).to.deep.equal({ items: [1], seller: { id: "s" } });
      expect(pickVisible({ items: [1] }, ["items", "seller"])).to.deep.equal({ items: [1] });
    });

    it("never picks inherited properties such as toString or __proto__", () => {
      const picked = pickVisible(record, ["toString", "__proto__", "constructor"]);
      expect(Object.keys(picked)).to.deep.equal([]);
      expect(Object.getPrototypeOf(picked)).to.equal(Object.prototype);
    });
  });
});
