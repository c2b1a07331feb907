import { expect } from "chai";
import { divideDecimals, multiplyDecimals, sumDecimals } from "../../../node/domain/decimal";
import { DeclarationPayload, OrderPayload, RiskResultPayload, parsePayload, type Money } from "../../../node/domain/payloads";
import {
  DEFAULT_RISK_CONFIG,
  RISK_CONFIG_FORMAT,
  assessRisk,
  parseRiskConfig,
  riskResultPayload,
  type ConsigneeParcel,
  type RiskAssessment,
  type RiskConfig,
  type RiskInput,
  type RiskReason,
  type RiskReasonCode,
  type SellerCheck,
} from "../../../node/domain/risk";
import { BorderLedgerError } from "../../../node/domain/errors";
import { defined } from "../../helpers/assertions";

// ---------------------------------------------------------------------------------------------------------------
// Fixtures: a CN → DE parcel of headphones and phone cases, ordered on a platform and declared under H7.

const HOUR = 60 * 60 * 1000;
/** When the declaration under test was made: 10 March 2026, 09:30 UTC. */
const DECLARED_AT = Date.UTC(2026, 2, 10, 9, 30);
const SHIPMENT_ID = "RR470000011CN";

const money = (amount: string, currency = "EUR"): Money => ({ amount, currency });

type Line = { lineId: string; description: string; hsCode: string; quantity: number; value: Money; originCountry: string };

function line(lineId: string, description: string, hsCode: string, quantity: number, value: Money, originCountry = "CN"): Line {
  return { lineId, description, hsCode, quantity, value, originCountry };
}

/** Wireless headphones and two phone cases: no high-risk chapter, values at reference level. */
const CLEAN_LINES: readonly [Line, Line] = [
  line("1", "Wireless over-ear headphones, Bluetooth", "851830", 1, money("39.90")),
  line("2", "Silicone phone case", "392690", 2, money("9.80")),
];

/** The currency of the first of `lines`, which a test's declaration and order use throughout. */
function currencyOf(lines: readonly Line[]): string {
  return defined(lines[0], "a first line").value.currency;
}

/** A DECLARATION of `lines`, its total the sum of their values, parsed as the ledger would. */
function declaration(lines: readonly Line[] = CLEAN_LINES): DeclarationPayload {
  return DeclarationPayload.parse({
    declarationId: "26DEH7000000412345",
    procedure: "H7",
    destinationCountry: "DE",
    items: lines,
    totalValue: money(sumDecimals(lines.map((item) => item.value.amount)), currencyOf(lines)),
  });
}

/** A DECLARATION of one pair of headphones worth `value`. */
function headphonesDeclared(value: Money): DeclarationPayload {
  return declaration([line("1", "Wireless over-ear headphones, Bluetooth", "851830", 1, value)]);
}

/** The ORDER behind `lines`: one unit price per line (value ÷ quantity), so its total matches the declaration's. */
function order(lines: readonly Line[] = CLEAN_LINES, currency = currencyOf(lines)): OrderPayload {
  const items = lines.map((item) => ({
    lineId: item.lineId,
    description: item.description,
    quantity: item.quantity,
    unitPrice: money(divideDecimals({ dividend: item.value.amount, divisor: String(item.quantity), places: 2 }), currency),
    hsCode: item.hsCode,
    originCountry: item.originCountry,
  }));
  return OrderPayload.parse({
    orderId: "SG-2026-0310-40721",
    platform: { name: "ShopGlobal", url: "https://shop.example.com" },
    seller: { id: "SELLER-40721", name: "Shenzhen Sonic Audio Co., Ltd.", country: "CN" },
    buyer: { name: "Anna Schmidt", country: "DE", address: "Hauptstraße 5\n10115 Berlin" },
    destinationCountry: "DE",
    items,
    total: money(sumDecimals(items.map((item) => multiplyDecimals({ a: item.unitPrice.amount, b: String(item.quantity) }))), currency),
  });
}

/** An ORDER of one line whose total is `total`: for tests of the declared-vs-ordered ratio. */
function orderTotalling(total: Money): OrderPayload {
  return order([line("1", "Wireless over-ear headphones, Bluetooth", "851830", 1, total)]);
}

/** Another parcel to the same consignee, declared `hoursBefore` hours before the one under test. */
function parcel(shipmentId: string, hoursBefore: number, total: Money): ConsigneeParcel {
  return { shipmentId, declaredAt: DECLARED_AT - hoursBefore * HOUR, totalValue: total };
}

function input(overrides: Partial<RiskInput> = {}): RiskInput {
  return { shipmentId: SHIPMENT_ID, declaration: declaration(), declaredAt: DECLARED_AT, ...overrides };
}

/** An assessment of `input(overrides)` under `config` (default DEFAULT_RISK_CONFIG). */
function assess(overrides: Partial<RiskInput> = {}, config?: RiskConfig): RiskAssessment {
  return assessRisk({ input: input(overrides), config });
}

/** A parcel that passes every rule: matching order, reference-level values, no splitting, authorised seller, tier 0. */
function cleanInput(): RiskInput {
  return input({
    order: order(),
    declarantTrustTier: 0,
    consigneeParcels: [parcel("RR470000025CN", 20, money("24.90"))],
    sellerChecks: [{ lineId: "1", brand: "Sonara", sellerId: "SELLER-40721", authorised: true }],
  });
}

function reason(assessment: RiskAssessment, code: RiskReasonCode): RiskReason | undefined {
  return assessment.reasons.find((candidate) => candidate.code === code);
}

function codes(assessment: RiskAssessment): RiskReasonCode[] {
  return assessment.reasons.map((candidate) => candidate.code);
}

/** A risk config as an operator writes it: any JSON, wrong fields and types included. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the tests write deliberately wrong fields into it
type ConfigFile = Record<string, any>;

/** The default config with some fields replaced, parsed as an operator's file would be. */
function configWith(patch: (config: ConfigFile) => void): RiskConfig {
  const config = structuredClone(DEFAULT_RISK_CONFIG) as ConfigFile;
  patch(config);
  return parseRiskConfig({ config });
}

function expectError(run: () => unknown, code: string, ...fragments: string[]): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown, "expected an error").to.be.instanceOf(BorderLedgerError);
  const error = thrown as BorderLedgerError;
  expect(error.code).to.equal(code);
  for (const fragment of fragments) expect(error.message).to.contain(fragment);
}

// ---------------------------------------------------------------------------------------------------------------

describe("risk engine", () => {
  describe("a clean declaration", () => {
    it("stays green with only the no-trust-tier reason and a score of 5", () => {
      const assessment = assessRisk({ input: cleanInput() });
      expect(assessment).to.deep.equal({
        ruleSet: "risk-2026.1",
        score: 5,
        lane: "green",
        reasons: [{ code: "NO_TRUST_TIER", weight: 5, detail: "declarant holds no trust tier (tier 0): not AEO-certified" }],
      });
    });

    it("gives the same assessment whatever the order of the consignee parcels", () => {
      const parcels = [parcel("RR470000025CN", 20, money("60.00")), parcel("RR470000039CN", 40, money("45.00")), parcel("RR470000025CN", 20, money("61.00"))];
      const forward = assess({ consigneeParcels: parcels });
      const backward = assess({ consigneeParcels: [...parcels].reverse() });
      expect(forward).to.deep.equal(backward);
      expect(codes(forward)).to.deep.equal(["CONSIGNMENT_SPLITTING"]);
    });
  });

  describe("UNDERVALUED_VS_ORDER", () => {
    it("fires with weight 60, sending the parcel red, when the declared total is below 0.8 × the order total", () => {
      const assessment = assess({ declaration: headphonesDeclared(money("19.90")), order: order() });
      expect(assessment.reasons).to.deep.equal([
        {
          code: "UNDERVALUED_VS_ORDER",
          weight: 60,
          detail: "declared total EUR 19.90 is below 0.8 × the order total EUR 49.70 = EUR 39.76: 0.40 of the order",
        },
      ]);
      expect(assessment).to.include({ score: 60, lane: "red" });
    });

    it("does not fire at exactly 0.8 × the order total, and fires a cent below", () => {
      const at = assess({ declaration: headphonesDeclared(money("40.00")), order: orderTotalling(money("50.00")) });
      expect(reason(at, "UNDERVALUED_VS_ORDER")).to.equal(undefined);
      const below = assess({ declaration: headphonesDeclared(money("39.99")), order: orderTotalling(money("50.00")) });
      expect(reason(below, "UNDERVALUED_VS_ORDER")?.weight).to.equal(60);
    });

    it("does not fire without an order", () => {
      const assessment = assess({ declaration: headphonesDeclared(money("1.00")) });
      expect(reason(assessment, "UNDERVALUED_VS_ORDER")).to.equal(undefined);
    });

    it("compares in EUR at the reference rate when the currencies differ", () => {
      // USD 100.00 ≈ EUR 86.00 at the default 0.86; 0.8 × 86.00 = 68.80.
      const usdOrder = orderTotalling(money("100.00", "USD"));
      const atLimit = assess({ declaration: headphonesDeclared(money("68.80")), order: usdOrder });
      expect(reason(atLimit, "UNDERVALUED_VS_ORDER")).to.equal(undefined);
      const below = assess({ declaration: headphonesDeclared(money("60.00")), order: usdOrder });
      expect(reason(below, "UNDERVALUED_VS_ORDER")).to.deep.equal({
        code: "UNDERVALUED_VS_ORDER",
        weight: 60,
        detail:
          "declared total EUR 60.00 is below 0.8 × the order total USD 100.00 (≈ EUR 86.00) = EUR 68.80: 0.70 of the order; compared at approximate reference rates",
      });
    });

    it("compares in the shared currency directly, even one without a reference rate", () => {
      const brl = (amount: string) => money(amount, "BRL");
      const assessment = assess({ declaration: headphonesDeclared(brl("100.00")), order: orderTotalling(brl("300.00")) });
      expect(reason(assessment, "UNDERVALUED_VS_ORDER")?.detail).to.equal(
        "declared total BRL 100.00 is below 0.8 × the order total BRL 300.00 = BRL 240.00: 0.33 of the order",
      );
    });

    it("is skipped, not fired, when one of two different currencies has no reference rate", () => {
      const assessment = assess({ declaration: headphonesDeclared(money("1.00", "BRL")), order: orderTotalling(money("300.00")) });
      expect(reason(assessment, "UNDERVALUED_VS_ORDER")).to.equal(undefined);
    });
  });

  describe("UNDERVALUED_VS_REFERENCE", () => {
    const sneakers = (value: Money) => line("1", "Men's leather sneakers, rubber soles", "640399", 2, value);

    it("fires with weight 35 when a line's unit value is below 0.5 × its heading's reference, naming line, heading and values", () => {
      const assessment = assess({ declaration: declaration([sneakers(money("30.00")), ...CLEAN_LINES.slice(1)]) });
      expect(reason(assessment, "UNDERVALUED_VS_REFERENCE")).to.deep.equal({
        code: "UNDERVALUED_VS_REFERENCE",
        weight: 35,
        detail: "line 1, heading 6403: unit value EUR 15.00 is below 0.5 × the reference EUR 40.00",
      });
    });

    it("does not fire at exactly 0.5 × the reference, and fires just below", () => {
      // Two pairs at EUR 20.00 each: exactly half of the EUR 40.00 reference for heading 6403.
      expect(reason(assess({ declaration: declaration([sneakers(money("40.00"))]) }), "UNDERVALUED_VS_REFERENCE")).to.equal(undefined);
      expect(reason(assess({ declaration: declaration([sneakers(money("39.98"))]) }), "UNDERVALUED_VS_REFERENCE")?.weight).to.equal(35);
    });

    it("fires once for several low lines and names each", () => {
      const lines = [sneakers(money("10.00")), line("2", "Plastic building-block set", "950300", 4, money("4.00"))];
      const assessment = assess({ declaration: declaration(lines) });
      expect(assessment.reasons.filter((candidate) => candidate.code === "UNDERVALUED_VS_REFERENCE")).to.have.length(1);
      expect(reason(assessment, "UNDERVALUED_VS_REFERENCE")?.detail).to.equal(
        "line 1, heading 6403: unit value EUR 5.00 is below 0.5 × the reference EUR 40.00; line 2, heading 9503: unit value EUR 1.00 is below 0.5 × the reference EUR 5.00",
      );
    });

    it("converts a non-EUR unit value at the reference rate and shows both", () => {
      // USD 6.00 ≈ EUR 5.16 for three toys: EUR 1.72 each, below 0.5 × EUR 5.00.
      const assessment = assess({ declaration: declaration([line("1", "Plastic building-block set", "950300", 3, money("6.00", "USD"))]) });
      expect(reason(assessment, "UNDERVALUED_VS_REFERENCE")?.detail).to.equal(
        "line 1, heading 9503: unit value EUR 1.72 (USD 2.00) is below 0.5 × the reference EUR 5.00",
      );
    });

    it("does not fire for headings without a reference value or currencies without a rate", () => {
      const noReference = line("1", "Blank SD memory card", "852351", 10, money("1.00"));
      expect(reason(assess({ declaration: declaration([noReference]) }), "UNDERVALUED_VS_REFERENCE")).to.equal(undefined);
      const noRate = line("1", "Plastic building-block set", "950300", 3, money("0.30", "BRL"));
      expect(reason(assess({ declaration: declaration([noRate]) }), "UNDERVALUED_VS_REFERENCE")).to.equal(undefined);
    });
  });

  describe("CONSIGNMENT_SPLITTING", () => {
    // The parcel under test is worth EUR 49.70 (CLEAN_LINES).
    const splitting = (consigneeParcels: ConsigneeParcel[], overrides: Partial<RiskInput> = {}) =>
      reason(assess({ consigneeParcels, ...overrides }), "CONSIGNMENT_SPLITTING");

    it("fires with weight 60 for three low-value parcels within 72 h whose combined value exceeds EUR 150", () => {
      const found = splitting([parcel("RR470000025CN", 5, money("60.00")), parcel("RR470000039CN", 30, money("60.00"))]);
      expect(found).to.deep.equal({
        code: "CONSIGNMENT_SPLITTING",
        weight: 60,
        detail:
          "3 parcels to the same consignee within 72 h, each at or below EUR 150, together EUR 169.70 (above EUR 150): this one and RR470000039CN, RR470000025CN",
      });
    });

    it("counts a parcel declared exactly 72 h before and not one a millisecond earlier", () => {
      const inside = parcel("RR470000039CN", 72, money("60.00"));
      expect(splitting([parcel("RR470000025CN", 5, money("60.00")), inside])?.weight).to.equal(60);
      const outside = { ...inside, declaredAt: inside.declaredAt - 1 };
      expect(splitting([parcel("RR470000025CN", 5, money("60.00")), outside])).to.equal(undefined);
    });

    it("does not count parcels declared after this one", () => {
      expect(splitting([parcel("RR470000025CN", 5, money("60.00")), parcel("RR470000039CN", -1, money("60.00"))])).to.equal(undefined);
    });

    it("does not fire for two parcels, however valuable together", () => {
      expect(splitting([parcel("RR470000025CN", 5, money("150.00"))])).to.equal(undefined);
    });

    it("does not fire when the combined value is exactly EUR 150, and fires a cent above", () => {
      expect(splitting([parcel("RR470000025CN", 5, money("50.00")), parcel("RR470000039CN", 6, money("50.30"))])).to.equal(undefined);
      expect(splitting([parcel("RR470000025CN", 5, money("50.00")), parcel("RR470000039CN", 6, money("50.31"))])?.weight).to.equal(60);
    });

    it("ignores earlier declarations of the same shipment", () => {
      const earlierOfThisOne = [parcel(SHIPMENT_ID, 5, money("60.00")), parcel(SHIPMENT_ID, 6, money("60.00"))];
      expect(splitting([...earlierOfThisOne, parcel("RR470000039CN", 30, money("60.00"))])).to.equal(undefined);
    });

    it("counts a shipment declared twice once", () => {
      expect(splitting([parcel("RR470000025CN", 5, money("60.00")), parcel("RR470000025CN", 8, money("80.00"))])).to.equal(undefined);
    });

    it("does not count parcels above EUR 150, nor flag a parcel that is itself above it", () => {
      expect(splitting([parcel("RR470000025CN", 5, money("60.00")), parcel("RR470000039CN", 30, money("150.01"))])).to.equal(undefined);
      const valuable = declaration([line("1", "Noise-cancelling headphones", "851830", 1, money("189.00"))]);
      const lowParcels = [parcel("RR470000025CN", 5, money("60.00")), parcel("RR470000039CN", 30, money("60.00"))];
      expect(splitting(lowParcels, { declaration: valuable })).to.equal(undefined);
    });

    it("converts other currencies at the reference rate and leaves out parcels in currencies without one", () => {
      // USD 120.00 ≈ EUR 103.20: low-value, and with EUR 49.70 and EUR 10.00 above EUR 150.
      const usd = splitting([parcel("RR470000025CN", 5, money("120.00", "USD")), parcel("RR470000039CN", 30, money("10.00"))]);
      expect(usd?.detail).to.contain("together EUR 162.90");
      expect(splitting([parcel("RR470000025CN", 5, money("500.00", "BRL")), parcel("RR470000039CN", 30, money("10.00"))])).to.equal(undefined);
    });

    it("shortens a long list of shipment ids to fit the 500-character detail", () => {
      const parcels = Array.from({ length: 60 }, (_, index) => parcel(`RR5100${String(index).padStart(5, "0")}CN`, 1 + index, money("2.50")));
      const found = splitting(parcels);
      expect(found?.detail.length).to.be.at.most(500);
      expect(found?.detail).to.match(/^61 parcels to the same consignee .*: this one and RR510000059CN, .* and \d+ more$/);
    });
  });

  describe("HIGH_RISK_HS_CHAPTER", () => {
    it("fires once with weight 15, naming the lines and chapters", () => {
      const lines = [
        line("1", "Men's leather sneakers", "640399", 1, money("49.90")),
        line("2", "Leather handbag", "420221", 1, money("59.00")),
        line("3", "Canvas sneakers", "640419", 1, money("29.90")),
        ...CLEAN_LINES.map((item, index) => ({ ...item, lineId: String(index + 4) })),
      ];
      const assessment = assess({ declaration: declaration(lines) });
      expect(assessment.reasons).to.deep.equal([
        { code: "HIGH_RISK_HS_CHAPTER", weight: 15, detail: "HS chapter 64 (footwear): lines 1, 3; HS chapter 42 (leather goods and handbags): line 2" },
      ]);
    });

    it("does not fire for chapters outside the list", () => {
      // Chapter 85 (headphones) and 39 (phone cases) are not high-risk by default.
      expect(reason(assess(), "HIGH_RISK_HS_CHAPTER")).to.equal(undefined);
    });
  });

  describe("HIGH_RISK_ORIGIN", () => {
    // Which origins are high-risk is an administration's call: none by default, so this one configures one for the test.
    const config = configWith((c) => {
      c.rules.HIGH_RISK_ORIGIN.countries = ["TH"];
    });

    it("fires once with weight 15 for lines from a listed origin", () => {
      const lines = [
        line("1", "Cotton T-shirt", "610910", 2, money("16.00"), "TH"),
        line("2", "Silk scarf", "621410", 1, money("25.00"), "TH"),
        CLEAN_LINES[0],
      ].map((item, index) => ({ ...item, lineId: String(index + 1) }));
      const assessment = assess({ declaration: declaration(lines) }, config);
      expect(reason(assessment, "HIGH_RISK_ORIGIN")).to.deep.equal({ code: "HIGH_RISK_ORIGIN", weight: 15, detail: "high-risk origin TH: lines 1, 2" });
    });

    it("does not fire for unlisted origins, nor for any origin with the default empty list", () => {
      expect(reason(assess({}, config), "HIGH_RISK_ORIGIN")).to.equal(undefined);
      expect(DEFAULT_RISK_CONFIG.rules.HIGH_RISK_ORIGIN.countries).to.deep.equal([]);
      const fromTh = declaration([line("1", "Cotton T-shirt", "610910", 2, money("16.00"), "TH")]);
      expect(reason(assess({ declaration: fromTh }), "HIGH_RISK_ORIGIN")).to.equal(undefined);
    });
  });

  describe("UNAUTHORISED_SELLER", () => {
    const check = (lineId: string, brand: string, authorised: boolean): SellerCheck => ({ lineId, brand, sellerId: "SELLER-40721", authorised });

    it("fires with weight 40, naming brand, seller and lines", () => {
      const assessment = assess({ sellerChecks: [check("1", "Sonara", false), check("2", "Sonara", false), check("3", "Casewise", true)] });
      expect(assessment.reasons).to.deep.equal([
        { code: "UNAUTHORISED_SELLER", weight: 40, detail: "brand Sonara has not authorised seller SELLER-40721: lines 1, 2" },
      ]);
      expect(assessment.lane).to.equal("amber");
    });

    it("does not fire when every checked seller is authorised", () => {
      expect(reason(assess({ sellerChecks: [check("1", "Sonara", true)] }), "UNAUTHORISED_SELLER")).to.equal(undefined);
    });
  });

  describe("trust tier", () => {
    it("lowers the score by 20 for an AEO declarant", () => {
      const sellerChecks: SellerCheck[] = [{ lineId: "1", brand: "Sonara", sellerId: "SELLER-40721", authorised: false }];
      const unknown = assess({ sellerChecks });
      const aeo = assess({ sellerChecks, declarantTrustTier: 1 });
      expect(unknown).to.include({ score: 40, lane: "amber" });
      expect(aeo).to.include({ score: 20, lane: "green" });
      expect(reason(aeo, "AEO_DECLARANT")).to.deep.equal({ code: "AEO_DECLARANT", weight: -20, detail: "declarant is AEO-certified (trust tier 1)" });
    });

    it("adds 5 for a declarant with no trust tier and nothing when the tier is unknown", () => {
      expect(assess({ declarantTrustTier: 0 }).reasons).to.deep.equal([
        { code: "NO_TRUST_TIER", weight: 5, detail: "declarant holds no trust tier (tier 0): not AEO-certified" },
      ]);
      expect(assess().reasons).to.deep.equal([]);
    });

    it("refuses a trust tier that is not a non-negative integer", () => {
      expectError(() => assess({ declarantTrustTier: -1 }), "VALIDATION_FAILED", "declarantTrustTier");
      expectError(() => assess({ declaredAt: Number.NaN }), "VALIDATION_FAILED", "declaredAt");
    });
  });

  describe("score and lane", () => {
    const footwear = line("1", "Men's leather sneakers", "640399", 1, money("49.90"), "TH");
    const withOrigin = configWith((c) => {
      c.rules.HIGH_RISK_ORIGIN.countries = ["TH"];
    });
    const unauthorised: SellerCheck[] = [{ lineId: "1", brand: "Stridewell", sellerId: "SELLER-40721", authorised: false }];

    it("is green at 20 and amber at exactly 30", () => {
      const green = assess({ declaration: declaration([footwear]), declarantTrustTier: 0 });
      expect(green).to.include({ score: 20, lane: "green" });
      const amber = assess({ declaration: declaration([footwear]) }, withOrigin);
      expect(amber).to.include({ score: 30, lane: "amber" });
      expect(codes(amber)).to.deep.equal(["HIGH_RISK_HS_CHAPTER", "HIGH_RISK_ORIGIN"]);
    });

    it("is amber at 55 and red at exactly 60", () => {
      const amber = assess({ declaration: declaration([footwear]), sellerChecks: unauthorised });
      expect(amber).to.include({ score: 55, lane: "amber" });
      const red = assess({ declaration: declaration([footwear]), sellerChecks: unauthorised, declarantTrustTier: 0 });
      expect(red).to.include({ score: 60, lane: "red" });
    });

    it("clamps at 100 and lists every reason, highest weight first and ties by code", () => {
      const cheap = line("1", "Men's leather sneakers", "640399", 2, money("10.00"), "TH");
      const assessment = assessRisk({
        input: input({
          declaration: declaration([cheap]),
          order: orderTotalling(money("99.80")),
          consigneeParcels: [parcel("RR470000025CN", 5, money("80.00")), parcel("RR470000039CN", 30, money("80.00"))],
          sellerChecks: unauthorised,
          declarantTrustTier: 1,
        }),
        config: withOrigin,
      });
      expect(assessment).to.include({ score: 100, lane: "red" });
      expect(codes(assessment)).to.deep.equal([
        "CONSIGNMENT_SPLITTING",
        "UNDERVALUED_VS_ORDER",
        "UNAUTHORISED_SELLER",
        "UNDERVALUED_VS_REFERENCE",
        "HIGH_RISK_HS_CHAPTER",
        "HIGH_RISK_ORIGIN",
        "AEO_DECLARANT",
      ]);
    });

    it("clamps at 0 when relief outweighs every finding", () => {
      const assessment = assess({ declarantTrustTier: 1 });
      expect(assessment).to.include({ score: 0, lane: "green" });
      expect(codes(assessment)).to.deep.equal(["AEO_DECLARANT"]);
    });
  });

  describe("riskResultPayload", () => {
    it("builds a RISK_RESULT payload that parses, with the office code when given", () => {
      const assessment = assess({
        declaration: declaration([line("1", "Men's leather sneakers", "640399", 1, money("9.90"))]),
        order: order(),
        declarantTrustTier: 0,
      });
      const payload = riskResultPayload({ assessment, officeCode: "DE004851" });
      expect(RiskResultPayload.parse(payload)).to.deep.equal(payload);
      expect(parsePayload({ eventType: "RISK_RESULT", payload }).ok).to.equal(true);
      expect(payload).to.deep.equal({
        lane: "red",
        score: 100,
        reasons: assessment.reasons.map(({ code, detail }) => ({ code, detail })),
        ruleSet: "risk-2026.1",
        officeCode: "DE004851",
      });
      expect(riskResultPayload({ assessment })).to.not.have.property("officeCode");
    });

    it("keeps a long detail within the payload's limits", () => {
      const parcels = Array.from({ length: 200 }, (_, index) => parcel(`RR5100${String(index).padStart(5, "0")}CN`, index / 10, money("1.00")));
      const payload = riskResultPayload({ assessment: assess({ consigneeParcels: parcels }) });
      expect(RiskResultPayload.safeParse(payload).success).to.equal(true);
    });

    it("refuses an office code the payload would not accept", () => {
      expectError(() => riskResultPayload({ assessment: assess(), officeCode: "DE 0048 51 " }), "VALIDATION_FAILED", "officeCode");
    });
  });

  describe("configuration", () => {
    it("has the documented defaults", () => {
      expect(DEFAULT_RISK_CONFIG).to.include({ format: RISK_CONFIG_FORMAT, id: "risk-2026.1" });
      expect(DEFAULT_RISK_CONFIG.lanes).to.deep.equal({ amber: 30, red: 60 });
      const weights = Object.fromEntries(Object.entries(DEFAULT_RISK_CONFIG.rules).map(([code, rule]) => [code, rule.weight]));
      expect(weights).to.deep.equal({
        UNDERVALUED_VS_ORDER: 60,
        UNDERVALUED_VS_REFERENCE: 35,
        CONSIGNMENT_SPLITTING: 60,
        HIGH_RISK_HS_CHAPTER: 15,
        HIGH_RISK_ORIGIN: 15,
        UNAUTHORISED_SELLER: 40,
        AEO_DECLARANT: -20,
        NO_TRUST_TIER: 5,
      });
      expect(DEFAULT_RISK_CONFIG.rules.CONSIGNMENT_SPLITTING).to.include({ windowMs: 72 * HOUR, minParcels: 3, lowValueEur: "150" });
      expect(Object.keys(DEFAULT_RISK_CONFIG.rules.HIGH_RISK_HS_CHAPTER.chapters)).to.have.members(["30", "33", "42", "61", "62", "64", "71", "91", "93"]);
      expect(DEFAULT_RISK_CONFIG.referenceRates.approximate).to.equal(true);
      expect(Object.isFrozen(DEFAULT_RISK_CONFIG.rules.HIGH_RISK_ORIGIN.countries)).to.equal(true);
    });

    it("loads an operator's JSON file and round-trips the default through JSON", () => {
      const file = `{
        "format": "borderledger.riskconfig.v1",
        "id": "risk-de-2026.2",
        "lanes": { "amber": 25, "red": 50 },
        "rules": {
          "UNDERVALUED_VS_ORDER": { "weight": 50, "ratio": "0.75" },
          "UNDERVALUED_VS_REFERENCE": { "weight": 30, "ratio": "0.4" },
          "CONSIGNMENT_SPLITTING": { "weight": 50, "windowMs": 604800000, "minParcels": 4, "lowValueEur": "150" },
          "HIGH_RISK_HS_CHAPTER": { "weight": 20, "chapters": { "64": "footwear", "85": "electrical equipment" } },
          "HIGH_RISK_ORIGIN": { "weight": 10, "countries": ["TH"] },
          "UNAUTHORISED_SELLER": { "weight": 45 },
          "AEO_DECLARANT": { "weight": -25 },
          "NO_TRUST_TIER": { "weight": 0 }
        },
        "referenceRates": { "approximate": true, "note": "Rounded rates for risk comparisons only.", "toEur": { "USD": "0.86", "CNY": "0.12" } },
        "referenceUnitValues": { "note": "Illustrative; replace with the administration's data.", "eurPerUnit": { "8518": "12.00" } }
      }`;
      const config = parseRiskConfig({ config: JSON.parse(file) });
      expect(config.id).to.equal("risk-de-2026.2");
      expect(parseRiskConfig({ config: JSON.parse(JSON.stringify(DEFAULT_RISK_CONFIG)) })).to.deep.equal(DEFAULT_RISK_CONFIG);
    });

    it("applies a custom config's weights, thresholds and lists and names its rule set", () => {
      const config = configWith((c) => {
        c.id = "risk-de-2026.2";
        c.lanes = { amber: 10, red: 20 };
        c.rules.HIGH_RISK_HS_CHAPTER = { weight: 25, chapters: { "85": "electrical equipment" } };
        c.rules.NO_TRUST_TIER.weight = 0;
      });
      const assessment = assessRisk({ input: cleanInput(), config });
      expect(assessment).to.deep.equal({
        ruleSet: "risk-de-2026.2",
        score: 25,
        lane: "red",
        reasons: [
          { code: "HIGH_RISK_HS_CHAPTER", weight: 25, detail: "HS chapter 85 (electrical equipment): line 1" },
          { code: "NO_TRUST_TIER", weight: 0, detail: "declarant holds no trust tier (tier 0): not AEO-certified" },
        ],
      });
      const footwear = declaration([line("1", "Men's leather sneakers", "640399", 1, money("49.90"))]);
      expect(reason(assess({ declaration: footwear }, config), "HIGH_RISK_HS_CHAPTER")).to.equal(undefined);
    });

    it("applies a custom splitting window, parcel count and ratio", () => {
      const config = configWith((c) => {
        c.rules.CONSIGNMENT_SPLITTING = { weight: 60, windowMs: 24 * HOUR, minParcels: 2, lowValueEur: "150" };
        c.rules.UNDERVALUED_VS_ORDER.ratio = "0.5";
      });
      const assessment = assessRisk({
        input: input({
          consigneeParcels: [parcel("RR470000025CN", 23, money("130.00"))],
          declaration: headphonesDeclared(money("30.00")),
          order: orderTotalling(money("50.00")),
        }),
        config,
      });
      expect(codes(assessment)).to.deep.equal(["CONSIGNMENT_SPLITTING"]);
      expect(reason(assessment, "CONSIGNMENT_SPLITTING")?.detail).to.equal(
        "2 parcels to the same consignee within 24 h, each at or below EUR 150, together EUR 160.00 (above EUR 150): this one and RR470000025CN",
      );
    });

    it("refuses a bad config with CONFIG_INVALID naming the field", () => {
      const refused = (patch: (c: ConfigFile) => void, ...fragments: string[]) => expectError(() => configWith(patch), "CONFIG_INVALID", ...fragments);
      refused((c) => (c.lanes = { amber: 60, red: 30 }), "lanes.red", "greater than lanes.amber");
      refused((c) => (c.rules.UNDERVALUED_VS_ORDER.ratio = 0.8), "rules.UNDERVALUED_VS_ORDER.ratio", "not JSON numbers");
      refused((c) => (c.rules.UNDERVALUED_VS_REFERENCE.ratio = "1.5"), "rules.UNDERVALUED_VS_REFERENCE.ratio", "at most 1");
      refused((c) => (c.rules.UNAUTHORISED_SELLER.wieght = 40), "rules.UNAUTHORISED_SELLER.wieght", "unknown field");
      refused((c) => delete c.rules.HIGH_RISK_ORIGIN, "rules.HIGH_RISK_ORIGIN", "missing");
      refused((c) => (c.rules.AEO_DECLARANT.weight = 20), "rules.AEO_DECLARANT.weight");
      refused((c) => (c.rules.HIGH_RISK_HS_CHAPTER.chapters = { "6": "footwear" }), 'rules.HIGH_RISK_HS_CHAPTER.chapters["6"]', "2-digit HS chapter");
      refused((c) => (c.referenceUnitValues.eurPerUnit["64039"] = "40.00"), 'referenceUnitValues.eurPerUnit["64039"]', "4-digit HS heading");
      refused((c) => (c.referenceRates.toEur.usd = "0.86"), "referenceRates.toEur.usd", "ISO 4217");
      refused((c) => (c.referenceRates.approximate = false), "referenceRates.approximate");
      refused((c) => (c.format = "borderledger.riskconfig.v2"), "format", RISK_CONFIG_FORMAT);
    });

    it("refuses a bad config handed straight to assessRisk", () => {
      const config = { ...DEFAULT_RISK_CONFIG, lanes: { amber: 60, red: 30 } };
      expectError(() => assess({}, config), "CONFIG_INVALID", "lanes.red");
    });
  });

  describe("divideDecimals", () => {
    it("divides rounding half-up, for showing unit values and ratios", () => {
      expect(divideDecimals({ dividend: "24.90", divisor: "3", places: 2 })).to.equal("8.30");
      expect(divideDecimals({ dividend: "0.005", divisor: "1", places: 2 })).to.equal("0.01");
      expect(divideDecimals({ dividend: "0.00499", divisor: "1", places: 2 })).to.equal("0.00");
      expect(divideDecimals({ dividend: "19.90", divisor: "49.70", places: 2 })).to.equal("0.40");
      expect(divideDecimals({ dividend: "1", divisor: "3", places: 0 })).to.equal("0");
    });

    it("refuses a zero divisor", () => {
      expectError(() => divideDecimals({ dividend: "1", divisor: "0.00", places: 2 }), "VALIDATION_FAILED", "by zero");
    });
  });
});
