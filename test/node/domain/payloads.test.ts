import { expect } from "chai";
import { EVENT_TYPES, type EventType } from "../../../node/domain/event-types";
import { Money, PAYLOAD_SCHEMAS, formatIssuePath, parsePayload, payloadFieldNames, type PayloadIssue } from "../../../node/domain/payloads";
import { BorderLedgerError } from "../../../node/domain/errors";
import { EXAMPLE_PAYLOADS } from "../../../tools/fixtures/payload-examples";
import { defined } from "../../helpers/assertions";

type Path = (string | number)[];
type Json = Record<string, unknown>;

const REMOVE = Symbol("remove");

/** A deep copy of the example payload of `eventType` with the value at `path` replaced (or removed). */
function changed(eventType: EventType, path: Path, value: unknown): Json {
  const payload = structuredClone(EXAMPLE_PAYLOADS[eventType]) as Json;
  let parent: Record<string | number, unknown> = payload;
  for (const segment of path.slice(0, -1)) {
    const child = parent[segment];
    if (child === null || typeof child !== "object") throw new Error(`test bug: ${formatIssuePath(path)} is not in the ${eventType} example`);
    parent = child as Record<string | number, unknown>;
  }
  const last = path.at(-1);
  if (last === undefined) throw new Error("test bug: an empty path");
  if (value === REMOVE) {
    if (!(last in parent)) throw new Error(`test bug: ${formatIssuePath(path)} is not in the ${eventType} example`);
    Reflect.deleteProperty(parent, last);
  } else {
    parent[last] = value;
  }
  return payload;
}

function issuesOf(eventType: EventType, payload: unknown): PayloadIssue[] {
  const result = parsePayload({ eventType, payload });
  if (result.ok) expect.fail(`expected the ${eventType} payload to be rejected`);
  expect(result.issues).to.not.be.empty;
  return result.issues;
}

/** Asserts the payload is rejected and that every issue points at `path`; returns the first issue. */
function expectRejectedAt(eventType: EventType, payload: unknown, path: Path): PayloadIssue {
  const issues = issuesOf(eventType, payload);
  expect(issues.map((issue) => formatIssuePath(issue.path))).to.deep.equal(issues.map(() => formatIssuePath(path)));
  for (const issue of issues) expect(issue.path).to.deep.equal(path);
  return defined(issues[0], "the first issue");
}

function expectAccepted(eventType: EventType, payload: unknown): void {
  const result = parsePayload({ eventType, payload });
  if (!result.ok) expect.fail(`expected ${eventType} to be accepted, got ${JSON.stringify(result.issues)}`);
}

// Required fields of DESIGN §6, nested ones included; removing any one of them must be reported at its path.
const REQUIRED: Record<EventType, Path[]> = {
  ORDER: [
    ["orderId"],
    ["platform"],
    ["platform", "name"],
    ["seller"],
    ["seller", "id"],
    ["seller", "name"],
    ["seller", "country"],
    ["buyer"],
    ["buyer", "name"],
    ["buyer", "country"],
    ["destinationCountry"],
    ["items"],
    ["items", 0, "lineId"],
    ["items", 0, "description"],
    ["items", 0, "quantity"],
    ["items", 0, "unitPrice"],
    ["items", 0, "unitPrice", "amount"],
    ["items", 0, "unitPrice", "currency"],
    ["items", 1, "originCountry"],
    ["total"],
    ["total", "amount"],
    ["total", "currency"],
    ["collection", "scheme"],
  ],
  DISPATCH: [
    ["trackingNumber"],
    ["transportMode"],
    ["packages"],
    ["grossWeightKg"],
    ["consignor"],
    ["consignor", "name"],
    ["consignor", "country"],
    ["consignee"],
    ["consignee", "name"],
    ["consignee", "country"],
    ["departureCountry"],
    ["destinationCountry"],
  ],
  DECLARATION: [
    ["declarationId"],
    ["procedure"],
    ["destinationCountry"],
    ["items"],
    ["items", 1, "lineId"],
    ["items", 1, "description"],
    ["items", 1, "hsCode"],
    ["items", 1, "quantity"],
    ["items", 1, "value"],
    ["items", 1, "value", "amount"],
    ["items", 1, "originCountry"],
    ["totalValue"],
    ["totalValue", "currency"],
    ["collection", "scheme"],
  ],
  RISK_RESULT: [["lane"], ["score"], ["reasons"], ["reasons", 0, "code"], ["ruleSet"]],
  INSPECTION: [["method"], ["outcome"]],
  TAX_PAID: [
    ["ruleSet"],
    ["assessment"],
    ["assessment", "customsValue"],
    ["assessment", "duty"],
    ["assessment", "vat"],
    ["assessment", "fees"],
    ["assessment", "total"],
    ["assessment", "vat", "amount"],
    ["payment"],
    ["payment", "reference"],
    ["payment", "amount"],
    ["payment", "amount", "currency"],
    ["payment", "payer"],
  ],
  RELEASE: [["decision"]],
  DELIVERY: [],
  CLAIM: [["claimId"], ["brand"], ["lineIds"], ["ground"], ["evidenceHash"]],
  CLAIM_DECISION: [["claimId"], ["decision"]],
};

// Optional fields (`?` in DESIGN §6) present in the examples; removing one leaves a valid payload.
const OPTIONAL: Record<EventType, Path[]> = {
  ORDER: [
    ["parties"],
    ["platform", "url"],
    ["buyer", "address"],
    ["items", 0, "hsCode"],
    ["items", 0, "gtin"],
    ["items", 0, "serial"],
    ["items", 0, "brand"],
    ["items", 0, "productUrl"],
    ["collection"],
    ["collection", "registrationId"],
  ],
  DISPATCH: [["consignee", "address"]],
  DECLARATION: [["collection"]],
  RISK_RESULT: [["reasons", 0, "detail"], ["officeCode"]],
  INSPECTION: [["findings"], ["evidenceHash"]],
  TAX_PAID: [],
  RELEASE: [["reference"]],
  DELIVERY: [["proofHash"], ["deliveredTo"]],
  CLAIM: [["detail"]],
  CLAIM_DECISION: [],
};

// Every nested object of each example; an unknown field in any of them is reported at that field's path.
const NESTED_OBJECTS: Record<EventType, Path[]> = {
  ORDER: [["platform"], ["seller"], ["buyer"], ["items", 1], ["items", 0, "unitPrice"], ["total"], ["collection"]],
  DISPATCH: [["consignor"], ["consignee"]],
  DECLARATION: [["items", 0], ["items", 1, "value"], ["totalValue"], ["collection"]],
  RISK_RESULT: [["reasons", 0]],
  INSPECTION: [],
  TAX_PAID: [["assessment"], ["assessment", "customsValue"], ["assessment", "fees"], ["payment"], ["payment", "amount"]],
  RELEASE: [],
  DELIVERY: [],
  CLAIM: [],
  CLAIM_DECISION: [],
};

// One wrong value for every enum of DESIGN §6 (wrong case counts as wrong).
const WRONG_ENUM_VALUES: Record<EventType, [Path, string][]> = {
  ORDER: [[["collection", "scheme"], "VAT_OSS"]],
  DISPATCH: [
    [["transportMode"], "courier"],
    [["transportMode"], "Post"],
  ],
  DECLARATION: [[["collection", "scheme"], "ioss"]],
  RISK_RESULT: [[["lane"], "yellow"]],
  INSPECTION: [
    [["method"], "scan"],
    [["outcome"], "ok"],
  ],
  TAX_PAID: [],
  RELEASE: [[["decision"], "approved"]],
  DELIVERY: [],
  CLAIM: [[["ground"], "fraud"]],
  CLAIM_DECISION: [
    [["decision"], "accepted"],
    [["action"], "burn"],
  ],
};

const MONEY_AMOUNTS: Partial<Record<EventType, Path[]>> = {
  ORDER: [
    ["items", 0, "unitPrice", "amount"],
    ["total", "amount"],
  ],
  DECLARATION: [
    ["items", 1, "value", "amount"],
    ["totalValue", "amount"],
  ],
  TAX_PAID: [
    ["assessment", "vat", "amount"],
    ["payment", "amount", "amount"],
  ],
};

describe("payloads", () => {
  it("has a schema for exactly the ten event types", () => {
    expect(Object.keys(PAYLOAD_SCHEMAS)).to.have.members([...EVENT_TYPES]);
  });

  for (const eventType of EVENT_TYPES) {
    describe(eventType, () => {
      it(`accepts the example ${eventType} payload and returns it unchanged`, () => {
        const result = parsePayload({ eventType, payload: structuredClone(EXAMPLE_PAYLOADS[eventType]) });
        if (!result.ok) expect.fail(JSON.stringify(result.issues));
        expect(result.payload).to.deep.equal(EXAMPLE_PAYLOADS[eventType]);
      });

      it(`rejects an unknown top-level field of ${eventType} at its own path`, () => {
        const issue = expectRejectedAt(eventType, changed(eventType, ["note"], "hello"), ["note"]);
        expect(issue.code).to.equal("unrecognized_keys");
        expect(issue.message).to.contain('"note"');
      });

      for (const path of NESTED_OBJECTS[eventType]) {
        it(`rejects an unknown field inside ${eventType} ${formatIssuePath(path)} at its own path`, () => {
          const issue = expectRejectedAt(eventType, changed(eventType, [...path, "extra"], 1), [...path, "extra"]);
          expect(issue.code).to.equal("unrecognized_keys");
        });
      }

      for (const path of REQUIRED[eventType]) {
        it(`rejects ${eventType} without ${formatIssuePath(path)}, naming it`, () => {
          const issue = expectRejectedAt(eventType, changed(eventType, path, REMOVE), path);
          expect(issue.message).to.equal("required field is missing");
        });
      }

      for (const path of OPTIONAL[eventType]) {
        it(`accepts ${eventType} without the optional ${formatIssuePath(path)}`, () => {
          expectAccepted(eventType, changed(eventType, path, REMOVE));
        });
      }

      for (const [path, value] of WRONG_ENUM_VALUES[eventType]) {
        it(`rejects ${eventType} ${formatIssuePath(path)} "${value}" as not one of its values`, () => {
          expect(expectRejectedAt(eventType, changed(eventType, path, value), path).code).to.equal("invalid_value");
        });
      }

      for (const path of MONEY_AMOUNTS[eventType] ?? []) {
        it(`rejects a JSON number as ${eventType} ${formatIssuePath(path)}, saying amounts are decimal strings`, () => {
          const issue = expectRejectedAt(eventType, changed(eventType, path, 6.63), path);
          expect(issue.message).to.match(/amounts are decimal strings/);
        });
      }
    });
  }

  describe("payload as a whole", () => {
    it("rejects a payload that is not an object at the empty path", () => {
      for (const payload of [null, [], "ORDER", 1, undefined]) {
        expect(issuesOf("ORDER", payload).map((issue) => issue.path)).to.deep.equal([[]]);
      }
    });

    it("reports each unknown field on its own, nested ones with their full path", () => {
      const payload = changed("ORDER", ["a"], 1);
      payload.b = 2;
      defined((payload.items as Json[])[1], "item 1").colour = "red";
      expect(issuesOf("ORDER", payload).map((issue) => formatIssuePath(issue.path))).to.have.members(["a", "b", "items[1].colour"]);
    });

    it("rejects a __proto__ key from a JSON body as an unknown field", () => {
      const payload = JSON.parse(`{"__proto__":{"admin":true},${JSON.stringify(EXAMPLE_PAYLOADS.CLAIM_DECISION).slice(1)}`);
      expectRejectedAt("CLAIM_DECISION", payload, ["__proto__"]);
    });

    it("reports every problem of a payload, not only the first", () => {
      const payload = changed("DISPATCH", ["departureCountry"], "cn");
      payload.packages = 0;
      expect(issuesOf("DISPATCH", payload).map((issue) => formatIssuePath(issue.path))).to.have.members(["packages", "departureCountry"]);
    });

    it("refuses an event type it does not know as the caller's mistake", () => {
      expect(() => parsePayload({ eventType: "REFUND" as EventType, payload: {} }))
        .to.throw(BorderLedgerError)
        .with.property("code", "VALIDATION_FAILED");
    });
  });

  describe("money", () => {
    it("accepts amounts from 0 up to 18 integer and 6 fraction digits", () => {
      for (const amount of ["0", "0.5", "24.90", "100", "0.000001", "999999999999999999.999999"]) {
        expect(Money.safeParse({ amount, currency: "EUR" }).success, amount).to.equal(true);
      }
    });

    it("rejects signed, exponent, padded, over-long and over-precise amounts at the amount", () => {
      for (const amount of ["-1.00", "+1", "1e3", "01.50", "1.", ".5", "1,50", "1.1234567", "1234567890123456789", " 1.00", ""]) {
        expectRejectedAt("TAX_PAID", changed("TAX_PAID", ["payment", "amount", "amount"], amount), ["payment", "amount", "amount"]);
      }
    });

    it("rejects currencies that are not three upper-case letters at the currency", () => {
      for (const currency of ["eur", "EURO", "EU", "€"]) {
        expectRejectedAt("TAX_PAID", changed("TAX_PAID", ["payment", "amount", "currency"], currency), ["payment", "amount", "currency"]);
      }
    });
  });

  describe("countries", () => {
    const places: [EventType, Path][] = [
      ["ORDER", ["destinationCountry"]],
      ["ORDER", ["seller", "country"]],
      ["ORDER", ["items", 1, "originCountry"]],
      ["DISPATCH", ["departureCountry"]],
      ["DISPATCH", ["consignee", "country"]],
      ["DECLARATION", ["items", 0, "originCountry"]],
    ];
    for (const [eventType, path] of places) {
      it(`rejects "de" and "DEU" as ${eventType} ${formatIssuePath(path)}`, () => {
        for (const country of ["de", "DEU"]) {
          const issue = expectRejectedAt(eventType, changed(eventType, path, country), path);
          expect(issue.message).to.contain("ISO 3166-1 alpha-2");
        }
      });
    }
  });

  describe("HS codes and GTINs", () => {
    it("rejects a 4-digit heading, an 11-digit code and a dotted code in DECLARATION items", () => {
      for (const hsCode of ["6403", "64039912345", "6403.99"]) {
        expectRejectedAt("DECLARATION", changed("DECLARATION", ["items", 0, "hsCode"], hsCode), ["items", 0, "hsCode"]);
      }
    });

    it("accepts 8- and 10-digit national tariff codes in DECLARATION items", () => {
      expectAccepted("DECLARATION", changed("DECLARATION", ["items", 0, "hsCode"], "64039993"));
      expectAccepted("DECLARATION", changed("DECLARATION", ["items", 0, "hsCode"], "6403999300"));
    });

    it("rejects a malformed optional HS code in ORDER items", () => {
      expectRejectedAt("ORDER", changed("ORDER", ["items", 0, "hsCode"], "6403"), ["items", 0, "hsCode"]);
      expectRejectedAt("ORDER", changed("ORDER", ["items", 0, "hsCode"], "64039912345"), ["items", 0, "hsCode"]);
    });

    it("accepts GTIN-8, -12 and -14 and rejects other lengths and non-digits", () => {
      for (const gtin of ["96385074", "036000291452", "10614141000415"]) expectAccepted("ORDER", changed("ORDER", ["items", 0, "gtin"], gtin));
      for (const gtin of ["1234567", "123456789", "12345678901", "123456789012345", "694123450001X"]) {
        expectRejectedAt("ORDER", changed("ORDER", ["items", 0, "gtin"], gtin), ["items", 0, "gtin"]);
      }
    });
  });

  describe("digests", () => {
    const places: [EventType, Path][] = [
      ["INSPECTION", ["evidenceHash"]],
      ["CLAIM", ["evidenceHash"]],
      ["DELIVERY", ["proofHash"]],
    ];
    for (const [eventType, path] of places) {
      it(`rejects upper-case, unprefixed and short hex as ${eventType} ${formatIssuePath(path)}`, () => {
        const good = EXAMPLE_PAYLOADS.CLAIM.evidenceHash;
        for (const hex of [good.toUpperCase().replace("0X", "0x"), good.slice(2), good.slice(0, -2), `${good}00`]) {
          expectRejectedAt(eventType, changed(eventType, path, hex), path);
        }
      });
    }
  });

  describe("strings and URLs", () => {
    it("rejects empty, over-long and padded ids", () => {
      for (const orderId of ["", "A".repeat(65), " SG-1", "SG-1 "]) {
        expectRejectedAt("ORDER", changed("ORDER", ["orderId"], orderId), ["orderId"]);
      }
      expectAccepted("ORDER", changed("ORDER", ["orderId"], "A".repeat(64)));
    });

    it("rejects control characters and line breaks in names but accepts line breaks in an address", () => {
      expectRejectedAt("ORDER", changed("ORDER", ["buyer", "name"], "Anna\nSchmidt"), ["buyer", "name"]);
      expectRejectedAt("ORDER", changed("ORDER", ["seller", "name"], "Stride\u0000"), ["seller", "name"]);
      expectAccepted("ORDER", changed("ORDER", ["buyer", "address"], "Hauptstraße 5\n10115 Berlin"));
    });

    it("bounds descriptions at 500 characters", () => {
      expectAccepted("DECLARATION", changed("DECLARATION", ["items", 0, "description"], "x".repeat(500)));
      expectRejectedAt("DECLARATION", changed("DECLARATION", ["items", 0, "description"], "x".repeat(501)), ["items", 0, "description"]);
    });

    it("accepts only http and https URLs up to 2048 characters", () => {
      const path = ["items", 0, "productUrl"];
      expectAccepted("ORDER", changed("ORDER", path, "http://shop.example.com/p/1"));
      for (const url of ["ftp://shop.example.com/p/1", "javascript:alert(1)", "shop.example.com/p/1", `https://shop.example.com/${"p".repeat(2030)}`]) {
        expectRejectedAt("ORDER", changed("ORDER", path, url), path);
      }
    });
  });

  describe("counts, weights and scores", () => {
    it("rejects a quantity that is not a positive integer", () => {
      for (const quantity of [0, -1, 1.5, "1"]) {
        expectRejectedAt("DECLARATION", changed("DECLARATION", ["items", 0, "quantity"], quantity), ["items", 0, "quantity"]);
      }
    });

    it("rejects zero packages", () => {
      expectRejectedAt("DISPATCH", changed("DISPATCH", ["packages"], 0), ["packages"]);
    });

    it("rejects a zero or numeric gross weight and accepts a gram", () => {
      for (const weight of ["0", "0.000", "-1.25"]) expectRejectedAt("DISPATCH", changed("DISPATCH", ["grossWeightKg"], weight), ["grossWeightKg"]);
      const issue = expectRejectedAt("DISPATCH", changed("DISPATCH", ["grossWeightKg"], 1.25), ["grossWeightKg"]);
      expect(issue.message).to.match(/decimal strings/);
      expectAccepted("DISPATCH", changed("DISPATCH", ["grossWeightKg"], "0.001"));
    });

    it("accepts scores 0 and 100 and rejects 101, -1 and 50.5", () => {
      for (const score of [0, 100]) expectAccepted("RISK_RESULT", changed("RISK_RESULT", ["score"], score));
      for (const score of [101, -1, 50.5]) expectRejectedAt("RISK_RESULT", changed("RISK_RESULT", ["score"], score), ["score"]);
    });
  });

  describe("arrays", () => {
    it("rejects an empty ORDER items, DECLARATION items and CLAIM lineIds", () => {
      expectRejectedAt("ORDER", changed("ORDER", ["items"], []), ["items"]);
      expectRejectedAt("DECLARATION", changed("DECLARATION", ["items"], []), ["items"]);
      expectRejectedAt("CLAIM", changed("CLAIM", ["lineIds"], []), ["lineIds"]);
    });

    it("accepts a RISK_RESULT with no reasons", () => {
      expectAccepted("RISK_RESULT", changed("RISK_RESULT", ["reasons"], []));
    });

    it("accepts 1000 ORDER items and rejects 1001", () => {
      const items = (count: number) =>
        Array.from({ length: count }, (_, index) => ({
          lineId: String(index + 1),
          description: "Button",
          quantity: 1,
          unitPrice: { amount: "1.00", currency: "EUR" },
          originCountry: "CN",
        }));
      const order = (count: number) => ({ ...changed("ORDER", ["items"], items(count)), total: { amount: `${count}.00`, currency: "EUR" } });
      expectAccepted("ORDER", order(1000));
      expectRejectedAt("ORDER", order(1001), ["items"]);
    });

    it("rejects 1001 RISK_RESULT reasons", () => {
      const reasons = Array.from({ length: 1001 }, () => ({ code: "HS_CHAPTER_64" }));
      expectRejectedAt("RISK_RESULT", changed("RISK_RESULT", ["reasons"], reasons), ["reasons"]);
    });
  });

  describe("parties", () => {
    /** Development accounts #1 to #9, checksummed: nine distinct accounts. */
    const ACCOUNTS = [
      "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
      "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
      "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
      "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
      "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc",
      "0x976EA74026E726554dB657fA54763abd0C3a0aa9",
      "0x14dC79964da2C08b23698B3D3cc7Ca32193d9955",
      "0x23618e81E3f5cdF7f54C3d65f7FBc0aBf5B21E8f",
      "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
    ];
    const NAMING: EventType[] = ["ORDER", "DISPATCH", "DECLARATION"];

    for (const eventType of NAMING) {
      it(`accepts ${eventType} naming one party and eight parties`, () => {
        expectAccepted(eventType, changed(eventType, ["parties"], ACCOUNTS.slice(0, 1)));
        expectAccepted(eventType, changed(eventType, ["parties"], ACCOUNTS.slice(0, 8)));
      });

      it(`rejects ${eventType} naming no party or nine at parties`, () => {
        expectRejectedAt(eventType, changed(eventType, ["parties"], []), ["parties"]);
        expectRejectedAt(eventType, changed(eventType, ["parties"], ACCOUNTS), ["parties"]);
      });
    }

    it("rejects a party that is not an address, or not in checksum form, at its index", () => {
      const [first, second] = [defined(ACCOUNTS[0], "account #1"), defined(ACCOUNTS[1], "account #2")];
      expect(expectRejectedAt("DISPATCH", changed("DISPATCH", ["parties"], [first, second.toLowerCase()]), ["parties", 1]).message).to.equal(
        "must be in EIP-55 checksum form",
      );
      for (const party of ["0x1234", "ShopGlobal", 42, null]) expectRejectedAt("DECLARATION", changed("DECLARATION", ["parties"], [party]), ["parties", 0]);
    });

    it("rejects a party named twice at the second place, naming the first", () => {
      const [first, second] = [defined(ACCOUNTS[0], "account #1"), defined(ACCOUNTS[1], "account #2")];
      const issue = expectRejectedAt("ORDER", changed("ORDER", ["parties"], [first, second, first]), ["parties", 2]);
      expect(issue.message).to.equal(`duplicate party ${first}, first named at parties[0]`);
    });

    it("is a field of ORDER, DISPATCH and DECLARATION only", () => {
      for (const eventType of EVENT_TYPES.filter((type) => !NAMING.includes(type))) {
        expect(expectRejectedAt(eventType, changed(eventType, ["parties"], ACCOUNTS.slice(0, 1)), ["parties"]).code, eventType).to.equal("unrecognized_keys");
      }
    });
  });

  describe("line ids", () => {
    it("rejects a duplicate ORDER lineId at the second line, naming the duplicate", () => {
      const issue = expectRejectedAt("ORDER", changed("ORDER", ["items", 1, "lineId"], "1"), ["items", 1, "lineId"]);
      expect(issue.message).to.contain('"1"');
    });

    it("rejects a duplicate DECLARATION lineId at the second line, naming the duplicate", () => {
      const issue = expectRejectedAt("DECLARATION", changed("DECLARATION", ["items", 1, "lineId"], "1"), ["items", 1, "lineId"]);
      expect(issue.message).to.contain('"1"');
    });

    it("reports a duplicate lineId together with other problems of the lines", () => {
      const payload = changed("ORDER", ["items", 1, "lineId"], "1");
      defined((payload.items as Json[])[0], "item 0").hsCode = "6403";
      expect(issuesOf("ORDER", payload).map((issue) => formatIssuePath(issue.path))).to.have.members(["items[0].hsCode", "items[1].lineId"]);
    });

    it("rejects a CLAIM naming the same line twice", () => {
      const issue = expectRejectedAt("CLAIM", changed("CLAIM", ["lineIds"], ["1", "2", "1"]), ["lineIds", 2]);
      expect(issue.message).to.contain('"1"');
    });
  });

  describe("ORDER total", () => {
    it("rejects a total that is not the sum of quantity × unitPrice at total.amount", () => {
      const issue = expectRejectedAt("ORDER", changed("ORDER", ["total", "amount"], "29.90"), ["total", "amount"]);
      expect(issue.message).to.contain("34.90");
    });

    it("rejects a total that ignores a line's quantity", () => {
      expectRejectedAt("ORDER", changed("ORDER", ["items", 1, "quantity"], 3), ["total", "amount"]);
    });

    it("accepts a total written with fewer trailing zeros", () => {
      expectAccepted("ORDER", changed("ORDER", ["total", "amount"], "34.9"));
    });

    it("adds sub-cent prices exactly", () => {
      const payload = changed("ORDER", ["items", 1, "unitPrice", "amount"], "0.1");
      defined((payload.items as Json[])[1], "item 1").quantity = 3;
      (payload.total as Json).amount = "25.2";
      expectAccepted("ORDER", payload);
    });

    it("reports a malformed unit price alone, without a sum over it", () => {
      expectRejectedAt("ORDER", changed("ORDER", ["items", 0, "unitPrice", "amount"], "2.49e1"), ["items", 0, "unitPrice", "amount"]);
    });

    it("rejects a unit price in another currency at that price's currency, without a sum issue", () => {
      expectRejectedAt("ORDER", changed("ORDER", ["items", 1, "unitPrice", "currency"], "USD"), ["items", 1, "unitPrice", "currency"]);
    });

    it("rejects every line whose currency differs from the total's", () => {
      const issues = issuesOf("ORDER", changed("ORDER", ["total", "currency"], "USD"));
      expect(issues.map((issue) => formatIssuePath(issue.path))).to.deep.equal(["items[0].unitPrice.currency", "items[1].unitPrice.currency"]);
    });
  });

  describe("DECLARATION totalValue", () => {
    it("rejects a totalValue that is not the sum of item values at totalValue.amount", () => {
      expectRejectedAt("DECLARATION", changed("DECLARATION", ["totalValue", "amount"], "35.00"), ["totalValue", "amount"]);
    });

    it("reads value as the line's value, so a unit price there breaks the sum", () => {
      expectRejectedAt("DECLARATION", changed("DECLARATION", ["items", 1, "value", "amount"], "5.00"), ["totalValue", "amount"]);
    });

    it("rejects an item value in another currency at that value's currency", () => {
      expectRejectedAt("DECLARATION", changed("DECLARATION", ["items", 0, "value", "currency"], "CNY"), ["items", 0, "value", "currency"]);
    });
  });

  describe("TAX_PAID assessment", () => {
    it("rejects a total that is not duty + vat + fees at assessment.total.amount", () => {
      expectRejectedAt("TAX_PAID", changed("TAX_PAID", ["assessment", "total", "amount"], "6.64"), ["assessment", "total", "amount"]);
      expectRejectedAt("TAX_PAID", changed("TAX_PAID", ["assessment", "fees", "amount"], "2.00"), ["assessment", "total", "amount"]);
    });

    it("reports a malformed vat alone, without a sum or currency check over it", () => {
      const payload = changed("TAX_PAID", ["assessment", "vat", "amount"], "6.63e0");
      ((payload.payment as Json).amount as Json).currency = "USD";
      expectRejectedAt("TAX_PAID", payload, ["assessment", "vat", "amount"]);
    });

    it("leaves the customs value out of the total", () => {
      // The example's vat 7.77 and fees 0.00 with a duty of 3.00: the total is 10.77, not 10.77 + its customsValue 34.90.
      const payload = changed("TAX_PAID", ["assessment", "duty", "amount"], "3.00");
      ((payload.assessment as Json).total as Json).amount = "10.77";
      expectAccepted("TAX_PAID", payload);
    });

    it("rejects an assessment field in another currency at that field's currency", () => {
      for (const field of ["customsValue", "duty", "vat", "fees"]) {
        const path = ["assessment", field, "currency"];
        expectRejectedAt("TAX_PAID", changed("TAX_PAID", path, "CNY"), path);
      }
    });

    it("rejects a payment in another currency than the assessment at payment.amount.currency", () => {
      expectRejectedAt("TAX_PAID", changed("TAX_PAID", ["payment", "amount", "currency"], "USD"), ["payment", "amount", "currency"]);
    });

    it("accepts a payment for another amount than the total, leaving coverage to the lifecycle rules", () => {
      expectAccepted("TAX_PAID", changed("TAX_PAID", ["payment", "amount", "amount"], "5.00"));
    });
  });

  describe("payloadFieldNames", () => {
    const expected: Record<EventType, { required: string[]; optional: string[] }> = {
      ORDER: { required: ["orderId", "platform", "seller", "buyer", "destinationCountry", "items", "total"], optional: ["parties", "collection"] },
      DISPATCH: {
        required: ["trackingNumber", "transportMode", "packages", "grossWeightKg", "consignor", "consignee", "departureCountry", "destinationCountry"],
        optional: ["parties"],
      },
      DECLARATION: { required: ["declarationId", "procedure", "destinationCountry", "items", "totalValue"], optional: ["parties", "collection"] },
      RISK_RESULT: { required: ["lane", "score", "reasons", "ruleSet"], optional: ["officeCode"] },
      INSPECTION: { required: ["method", "outcome"], optional: ["findings", "evidenceHash"] },
      TAX_PAID: { required: ["ruleSet", "assessment", "payment"], optional: [] },
      RELEASE: { required: ["decision"], optional: ["reference", "reason"] },
      DELIVERY: { required: [], optional: ["proofHash", "deliveredTo"] },
      CLAIM: { required: ["claimId", "brand", "lineIds", "ground", "evidenceHash"], optional: ["detail"] },
      CLAIM_DECISION: { required: ["claimId", "decision"], optional: ["action"] },
    };
    for (const eventType of EVENT_TYPES) {
      it(`lists the required and optional top-level fields of ${eventType} in DESIGN §6 order`, () => {
        expect(payloadFieldNames(eventType)).to.deep.equal(expected[eventType]);
      });
    }
  });

  describe("formatIssuePath", () => {
    it("writes indexes in brackets and names after dots", () => {
      expect(formatIssuePath(["items", 2, "hsCode"])).to.equal("items[2].hsCode");
      expect(formatIssuePath(["assessment", "total", "amount"])).to.equal("assessment.total.amount");
      expect(formatIssuePath([0, "lineId"])).to.equal("[0].lineId");
    });

    it("writes the payload itself as the empty string", () => {
      expect(formatIssuePath([])).to.equal("");
    });

    it("quotes keys that are not plain names", () => {
      expect(formatIssuePath(["items", 0, "unit price"])).to.equal('items[0]["unit price"]');
      expect(formatIssuePath(["a.b"])).to.equal('["a.b"]');
    });
  });

  describe("the examples", () => {
    it("describe one parcel: the same lines, values, claim and destination throughout", () => {
      const { ORDER, DISPATCH, DECLARATION, TAX_PAID, CLAIM, CLAIM_DECISION } = EXAMPLE_PAYLOADS;
      expect(DECLARATION.items.map((item) => item.lineId)).to.deep.equal(ORDER.items.map((item) => item.lineId));
      expect(DECLARATION.totalValue).to.deep.equal(ORDER.total);
      expect(TAX_PAID.assessment.customsValue).to.deep.equal(DECLARATION.totalValue);
      expect(TAX_PAID.payment.amount).to.deep.equal(TAX_PAID.assessment.total);
      expect([DISPATCH.destinationCountry, DECLARATION.destinationCountry]).to.deep.equal([ORDER.destinationCountry, ORDER.destinationCountry]);
      expect(ORDER.items.map((item) => item.lineId)).to.include.members(CLAIM.lineIds);
      expect(CLAIM_DECISION.claimId).to.equal(CLAIM.claimId);
    });

    it("are frozen so one test cannot change them for another", () => {
      expect(() => {
        (EXAMPLE_PAYLOADS.ORDER.items[0] as Json).quantity = 2;
      }).to.throw(TypeError);
    });
  });
});
