// The payload schema of each event type (spec §6): strict zod objects, money as decimal strings, cross-field sums checked exactly.
import { z } from "zod";
import { BorderLedgerError } from "./errors";
import { EVENT_TYPES, type EventType } from "./event-types";
import { compareDecimals, multiplyDecimal, sumDecimals } from "./decimal";
import { MAX_PARTIES } from "./parties";
import { HexDigest } from "./primitives";
import { checksumAddress } from "./signature";

// Payloads arrive from HTTP bodies and trace bundles written by other parties, so every field is parsed here
// before it is hashed, stored or shown; unknown fields are rejected rather than stripped (spec §6), because a
// stripped field would still be covered by the signer's payloadHash and the committed payload would differ.

// ---------------------------------------------------------------------------------------------------------------
// Shared pieces

/** Longest array in any payload: enough for a consolidated B2C shipment, small enough to bound the work per event. */
export const MAX_ARRAY_LENGTH = 1000;

/** String limits. Ids fit shipmentId's 64 (spec §2); URLs follow the common 2048-character browser limit. */
export const MAX_LENGTH = { id: 64, name: 200, text: 500, findings: 2000, url: 2048 } as const;

// One line, no control characters, no leading or trailing whitespace: what an officer can read back and a
// JCS-canonical hash cannot be confused by ("ACME" and "ACME " commit differently).
const SINGLE_LINE = /^[^\s\p{Cc}](?:[^\p{Cc}]*[^\s\p{Cc}])?$/u;
// Free text may also hold line breaks and tabs (an address, an inspector's findings).
const MULTI_LINE = /^[^\s\p{Cc}](?:(?:[^\p{Cc}]|[\t\n])*[^\s\p{Cc}])?$/u;

function singleLine(max: number) {
  return z.string().min(1).max(max).regex(SINGLE_LINE, "must be one line without leading or trailing whitespace or control characters");
}

function multiLine(max: number) {
  return z.string().min(1).max(max).regex(MULTI_LINE, "must not have leading or trailing whitespace or control characters other than line breaks and tabs");
}

/** A reference chosen by a party: order, line, declaration, claim, tracking, rule set, office. */
export const Identifier = singleLine(MAX_LENGTH.id);
/** A person's, company's or brand's name. */
export const Name = singleLine(MAX_LENGTH.name);
/** A goods description, a reason, a detail. */
export const Description = multiLine(MAX_LENGTH.text);

/** An http(s) URL. */
export const HttpUrl = z.url({ protocol: /^https?$/, error: "must be an http or https URL" }).max(MAX_LENGTH.url);

/** ISO 3166-1 alpha-2. */
export const Country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code such as "DE"');

/** ISO 4217 alphabetic code. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 currency code such as "EUR"');

/** Up to 18 integer and 6 fraction digits: no sign, exponent or leading zeros, so one value has few spellings. */
export const AMOUNT_PATTERN = /^(0|[1-9][0-9]{0,17})(\.[0-9]{1,6})?$/;

// A JSON number is rejected with its own message: floats cannot carry money exactly (spec §2.1).
function decimalString(what: string) {
  return z
    .string({ error: (issue) => (issue.input === undefined ? undefined : `${what} are decimal strings such as "24.90", not JSON numbers`) })
    .regex(AMOUNT_PATTERN, `${what} are decimal strings with up to 18 integer and 6 fraction digits, no sign or exponent, such as "24.90"`);
}

/** `{ "amount": "12.50", "currency": "EUR" }` (spec §2.1). */
export const Money = z.strictObject({ amount: decimalString("amounts"), currency: Currency });
export type Money = z.infer<typeof Money>;

/** A weight in kilograms as a decimal string, greater than zero: "1.25". */
export const WeightKg = decimalString("weights").refine((value) => /[1-9]/.test(value), "must be greater than 0");

/** Harmonized System code: the 6-digit WCO subheading, or a national extension up to 10 digits. */
export const HsCode = z.string().regex(/^[0-9]{6,10}$/, 'must be an HS code of 6 to 10 digits such as "640399"');

/** GS1 GTIN-8, -12, -13 or -14. */
export const Gtin = z.string().regex(/^[0-9]{8}$|^[0-9]{12,14}$/, "must be a GTIN of 8, 12, 13 or 14 digits");

/** A count of units or packages. */
export const PositiveInteger = z.int().min(1);

/** Low-value import collection schemes: EU IOSS, UK VAT at sale, AU GST at sale, SG GST (OVR), or none. */
export const COLLECTION_SCHEMES = ["IOSS", "UK_VAT", "AU_GST", "SG_GST", "NONE"] as const;
export const Collection = z.strictObject({ scheme: z.enum(COLLECTION_SCHEMES), registrationId: Identifier.optional() });
export type Collection = z.infer<typeof Collection>;

/** A party named with its country: a consignor. */
export const Party = z.strictObject({ name: Name, country: Country });
/** A party that may also give a postal address: a buyer, a consignee. */
export const AddressedParty = z.strictObject({ name: Name, country: Country, address: Description.optional() });
/** A seller on a platform, with the platform's id for it. */
export const Seller = z.strictObject({ id: Identifier, name: Name, country: Country });
/** The platform the order was placed on. */
export const Platform = z.strictObject({ name: Name, url: HttpUrl.optional() });

/** What an address the protocol stores must be: spelled as EIP-55 says, one spelling per address. */
export const CHECKSUM_RULE = "must be in EIP-55 checksum form";

/** An account in EIP-55 checksum form: an event's actor, a party of the shipment (spec §1.1). */
export const ChecksummedAddress = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be an address")
  // Only on an address: zod runs a refinement after a failed regex, and checksumAddress reads 40 hex digits.
  .refine((a) => checksumAddress(a) === a, { message: CHECKSUM_RULE, when: (payload) => payload.issues.length === 0 });

/** The accounts an ORDER, DISPATCH or DECLARATION brings in as parties (spec §1.1): 1 to 8, each once. */
export const Parties = z
  .array(ChecksummedAddress)
  .min(1)
  .max(MAX_PARTIES)
  .superRefine((parties, ctx) => {
    parties.forEach((party, index) => {
      const first = parties.findIndex((p) => typeof p === "string" && p.toLowerCase() === party.toLowerCase());
      if (first !== index) ctx.addIssue({ code: "custom", path: [index], message: `duplicate party ${party}, first named at parties[${first}]` });
    });
  });

function list<T extends z.ZodType>(item: T, { min }: { min: 0 | 1 }) {
  return z.array(item).min(min).max(MAX_ARRAY_LENGTH);
}

// A line is addressed by its lineId (CLAIM.lineIds, per-line assessment), so two lines may not share one.
// This runs even when other fields of the lines failed, so a duplicate is reported with them; hence the guard.
function uniqueLineIds<T extends z.ZodType<{ lineId: string }>>(item: T) {
  return list(item, { min: 1 }).superRefine((items, ctx) => {
    const firstIndex = new Map<string, number>();
    items.forEach((line, index) => {
      const lineId: unknown = line?.lineId;
      if (typeof lineId !== "string") return;
      const first = firstIndex.get(lineId);
      if (first === undefined) firstIndex.set(lineId, index);
      else ctx.addIssue({ code: "custom", path: [index, "lineId"], message: `duplicate lineId ${JSON.stringify(lineId)}, first used by items[${first}]` });
    });
  });
}

// Sums and currencies are compared only once every field parsed: zod would otherwise run the refinement after
// non-aborting failures (a malformed amount, an empty list), reporting a sum over values that were never valid.
const WHEN_OTHERWISE_VALID = { when: (payload: z.core.ParsePayload) => payload.issues.length === 0 };

// Reports every money field whose currency differs from `currency`; true when all agree (sums then make sense).
function checkCurrencies(ctx: z.RefinementCtx, currency: string, fields: { path: (string | number)[]; money: Money }[]): boolean {
  let agree = true;
  for (const { path, money } of fields) {
    if (money.currency === currency) continue;
    agree = false;
    ctx.addIssue({ code: "custom", path: [...path, "currency"], message: `currency ${money.currency} differs from ${currency}` });
  }
  return agree;
}

function checkSum(ctx: z.RefinementCtx, path: (string | number)[], stated: string, parts: string[], what: string): void {
  const sum = sumDecimals(parts);
  if (compareDecimals(stated, sum) !== 0) {
    ctx.addIssue({ code: "custom", path, message: `${stated} does not equal ${what}, ${sum}` });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Event payloads (spec §6)

export const OrderItem = z.strictObject({
  lineId: Identifier,
  description: Description,
  quantity: PositiveInteger,
  unitPrice: Money,
  hsCode: HsCode.optional(),
  originCountry: Country,
  gtin: Gtin.optional(),
  serial: Identifier.optional(),
  brand: Name.optional(),
  productUrl: HttpUrl.optional(),
});
export type OrderItem = z.infer<typeof OrderItem>;

export const OrderPayload = z
  .strictObject({
    orderId: Identifier,
    parties: Parties.optional(),
    platform: Platform,
    seller: Seller,
    buyer: AddressedParty,
    destinationCountry: Country,
    items: uniqueLineIds(OrderItem),
    total: Money,
    collection: Collection.optional(),
  })
  .superRefine((order, ctx) => {
    const prices = order.items.map((item, index) => ({ path: ["items", index, "unitPrice"], money: item.unitPrice }));
    if (!checkCurrencies(ctx, order.total.currency, prices)) return;
    const lines = order.items.map((item) => multiplyDecimal(item.unitPrice.amount, item.quantity));
    checkSum(ctx, ["total", "amount"], order.total.amount, lines, "the sum of quantity × unitPrice over items");
  }, WHEN_OTHERWISE_VALID);
export type OrderPayload = z.infer<typeof OrderPayload>;

export const TRANSPORT_MODES = ["post", "air", "road", "sea", "rail"] as const;

export const DispatchPayload = z.strictObject({
  trackingNumber: Identifier,
  parties: Parties.optional(),
  transportMode: z.enum(TRANSPORT_MODES),
  packages: PositiveInteger,
  grossWeightKg: WeightKg,
  consignor: Party,
  consignee: AddressedParty,
  departureCountry: Country,
  destinationCountry: Country,
});
export type DispatchPayload = z.infer<typeof DispatchPayload>;

export const DeclarationItem = z.strictObject({
  lineId: Identifier,
  description: Description,
  hsCode: HsCode,
  quantity: PositiveInteger,
  /** The line's value (all units together), not a unit price. */
  value: Money,
  originCountry: Country,
});
export type DeclarationItem = z.infer<typeof DeclarationItem>;

export const DeclarationPayload = z
  .strictObject({
    declarationId: Identifier,
    parties: Parties.optional(),
    /** The customs procedure, e.g. EU "H7", US "T86", China "CN-9610". */
    procedure: Identifier,
    destinationCountry: Country,
    items: uniqueLineIds(DeclarationItem),
    totalValue: Money,
    collection: Collection.optional(),
  })
  .superRefine((declaration, ctx) => {
    const values = declaration.items.map((item, index) => ({ path: ["items", index, "value"], money: item.value }));
    if (!checkCurrencies(ctx, declaration.totalValue.currency, values)) return;
    const lines = declaration.items.map((item) => item.value.amount);
    checkSum(ctx, ["totalValue", "amount"], declaration.totalValue.amount, lines, "the sum of item values");
  }, WHEN_OTHERWISE_VALID);
export type DeclarationPayload = z.infer<typeof DeclarationPayload>;

export const LANES = ["green", "amber", "red"] as const;

export const RiskReason = z.strictObject({ code: Identifier, detail: Description.optional() });

export const RiskResultPayload = z.strictObject({
  lane: z.enum(LANES),
  score: z.int().min(0).max(100),
  reasons: list(RiskReason, { min: 0 }),
  ruleSet: Identifier,
  officeCode: Identifier.optional(),
});
export type RiskResultPayload = z.infer<typeof RiskResultPayload>;

export const INSPECTION_METHODS = ["xray", "physical", "documentary"] as const;
export const INSPECTION_OUTCOMES = ["conformant", "discrepancy", "counterfeit_suspected", "prohibited"] as const;

export const InspectionPayload = z.strictObject({
  method: z.enum(INSPECTION_METHODS),
  outcome: z.enum(INSPECTION_OUTCOMES),
  findings: multiLine(MAX_LENGTH.findings).optional(),
  evidenceHash: HexDigest.optional(),
});
export type InspectionPayload = z.infer<typeof InspectionPayload>;

/** What is due: total = duty + vat + fees, every amount in the one currency of the assessment. */
export const Assessment = z.strictObject({ customsValue: Money, duty: Money, vat: Money, fees: Money, total: Money }).superRefine((assessment, ctx) => {
  const fields = (["customsValue", "duty", "vat", "fees"] as const).map((name) => ({ path: [name], money: assessment[name] }));
  if (!checkCurrencies(ctx, assessment.total.currency, fields)) return;
  const parts = [assessment.duty.amount, assessment.vat.amount, assessment.fees.amount];
  checkSum(ctx, ["total", "amount"], assessment.total.amount, parts, "duty + vat + fees");
}, WHEN_OTHERWISE_VALID);
export type Assessment = z.infer<typeof Assessment>;

export const Payment = z.strictObject({ reference: Identifier, amount: Money, payer: Name });

export const TaxPaidPayload = z.strictObject({ ruleSet: Identifier, assessment: Assessment, payment: Payment }).superRefine((taxPaid, ctx) => {
  // Whether the payment covers what is due is a lifecycle question (spec §7); here only the currency must match.
  checkCurrencies(ctx, taxPaid.assessment.total.currency, [{ path: ["payment", "amount"], money: taxPaid.payment.amount }]);
}, WHEN_OTHERWISE_VALID);
export type TaxPaidPayload = z.infer<typeof TaxPaidPayload>;

export const RELEASE_DECISIONS = ["released", "held", "seized", "returned"] as const;

export const ReleasePayload = z.strictObject({
  decision: z.enum(RELEASE_DECISIONS),
  reference: Identifier.optional(),
  reason: Description.optional(),
});
export type ReleasePayload = z.infer<typeof ReleasePayload>;

export const DeliveryPayload = z.strictObject({
  proofHash: HexDigest.optional(),
  deliveredTo: Name.optional(),
});
export type DeliveryPayload = z.infer<typeof DeliveryPayload>;

export const CLAIM_GROUNDS = ["counterfeit", "unauthorised_seller", "trademark"] as const;

export const ClaimPayload = z.strictObject({
  claimId: Identifier,
  brand: Name,
  lineIds: list(Identifier, { min: 1 }).superRefine((lineIds, ctx) => {
    lineIds.forEach((lineId, index) => {
      if (lineIds.indexOf(lineId) !== index) ctx.addIssue({ code: "custom", path: [index], message: `duplicate lineId ${JSON.stringify(lineId)}` });
    });
  }),
  ground: z.enum(CLAIM_GROUNDS),
  evidenceHash: HexDigest,
  detail: Description.optional(),
});
export type ClaimPayload = z.infer<typeof ClaimPayload>;

export const CLAIM_DECISIONS = ["upheld", "rejected"] as const;
export const CLAIM_ACTIONS = ["seize", "destroy", "release", "return"] as const;

export const ClaimDecisionPayload = z.strictObject({
  claimId: Identifier,
  decision: z.enum(CLAIM_DECISIONS),
  action: z.enum(CLAIM_ACTIONS).optional(),
});
export type ClaimDecisionPayload = z.infer<typeof ClaimDecisionPayload>;

/** The payload schema of each event type. */
export const PAYLOAD_SCHEMAS = {
  ORDER: OrderPayload,
  DISPATCH: DispatchPayload,
  DECLARATION: DeclarationPayload,
  RISK_RESULT: RiskResultPayload,
  INSPECTION: InspectionPayload,
  TAX_PAID: TaxPaidPayload,
  RELEASE: ReleasePayload,
  DELIVERY: DeliveryPayload,
  CLAIM: ClaimPayload,
  CLAIM_DECISION: ClaimDecisionPayload,
} as const satisfies Record<EventType, z.ZodObject>;

/** The parsed payload of an event of type T. */
export type PayloadOf<T extends EventType> = z.output<(typeof PAYLOAD_SCHEMAS)[T]>;

// ---------------------------------------------------------------------------------------------------------------
// Parsing

/** One reason a payload was refused; `path` is zod's path inside the payload ("items", 2, "hsCode"). */
export type PayloadIssue = { path: (string | number)[]; message: string; code: string };

export type ParsePayloadResult<P> = { ok: true; payload: P } | { ok: false; issues: PayloadIssue[] };

/** Parses an untrusted payload against its event type's schema; never throws for bad payloads. */
export function parsePayload<T extends EventType>({ eventType, payload }: { eventType: T; payload: unknown }): ParsePayloadResult<PayloadOf<T>> {
  const schema: z.ZodType = schemaFor(eventType);
  const result = schema.safeParse(payload, {
    // A missing field fails as a type (invalid_type) or, for an enum, as a value (invalid_value): say what happened.
    error: (issue) => (issue.code !== "custom" && issue.input === undefined ? "required field is missing" : undefined),
  });
  if (result.success) return { ok: true, payload: result.data as PayloadOf<T> };
  return { ok: false, issues: result.error.issues.flatMap(toPayloadIssues) };
}

// zod reports unknown keys once, at the enclosing object; an API client wants each key's own path.
function toPayloadIssues(issue: z.core.$ZodIssue): PayloadIssue[] {
  const path = issue.path.map((segment) => (typeof segment === "symbol" ? String(segment) : segment));
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: [...path, key], message: `unknown field ${JSON.stringify(key)}`, code: issue.code }));
  }
  return [{ path, message: issue.message, code: issue.code }];
}

const IDENTIFIER_SEGMENT = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** ["items", 2, "hsCode"] → "items[2].hsCode"; keys that are not plain names are quoted: ["a b"] → '["a b"]'. */
export function formatIssuePath(path: readonly (string | number)[]): string {
  let out = "";
  for (const segment of path) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (IDENTIFIER_SEGMENT.test(segment)) out += out === "" ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** A request body's schema failure as the one 400 every route gives: each issue at its path, all in the message. */
export function validationFailed(error: z.ZodError): BorderLedgerError {
  const issues = error.issues.map((issue) => ({ path: formatIssuePath(issue.path as (string | number)[]), message: issue.message }));
  return new BorderLedgerError("VALIDATION_FAILED", issues.map((i) => `${i.path || "(body)"}: ${i.message}`).join("; "), { issues });
}

/** The top-level field names of an event type's payload, in spec §6 order: each is committed on its own (§2.1). */
export type PayloadFieldNames = { required: string[]; optional: string[] };

export function payloadFieldNames(eventType: EventType): PayloadFieldNames {
  const names: PayloadFieldNames = { required: [], optional: [] };
  for (const [name, field] of Object.entries(schemaFor(eventType).shape)) {
    (field instanceof z.ZodOptional ? names.optional : names.required).push(name);
  }
  return names;
}

// eventType may come straight from a request; an unknown one is the caller's mistake, not a payload issue.
function schemaFor(eventType: EventType): (typeof PAYLOAD_SCHEMAS)[EventType] {
  if (!(EVENT_TYPES as readonly string[]).includes(eventType)) {
    throw new BorderLedgerError("VALIDATION_FAILED", `unknown eventType ${JSON.stringify(eventType)}`);
  }
  return PAYLOAD_SCHEMAS[eventType];
}
