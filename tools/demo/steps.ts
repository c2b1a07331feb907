// The steps the demo's stories are told in: events signed by their actors as they happen, risk results awaited, taxes
// assessed and paid. Every amount the demo states is one the node answered.
import { DEV_PARTICIPANTS } from "../../node/chain/dev-participants";
import { compareDecimals, multiplyDecimal, subtractDecimalsFloor, sumDecimals } from "../../node/domain/decimal";
import type { EventType } from "../../node/domain/event-types";
import { NodeError, type BorderLedgerClient, type TaxAssessmentJson } from "../../node/client/client";
import type { AppendRequest } from "../../node/domain/event";

type Money = { amount: string; currency: string };
// Every amount the demo states has two decimal places; decimal.ts keeps its inputs' scale, so sums and products do too.
export type Line = {
  lineId: string;
  description: string;
  hsCode: string;
  quantity: number;
  unitPrice: string;
  originCountry: string;
  gtin?: string;
  serial?: string;
  brand?: string;
};
export type Party = { name: string; country: string; address?: string };
export type Parcel = {
  shipmentId: string;
  destination: Destination;
  currency: string;
  seller: { id: string; name: string; country: string };
  buyer: Party;
  lines: Line[];
  collection?: { scheme: string; registrationId?: string };
  /** The value the DECLARATION states, when it is not the order's. */
  declaredTotal?: string;
  procedure: string;
};

// The development accounts of DESIGN §1 (README table). Addresses carry the run id, so that parcels of an earlier
// run against the same node are other consignees and every run tells the same story.
export const PLATFORM = 1;
export const CARRIER = 2;
export const BROKER = 3;
export const CUSTOMS_OF = { DE: 4, GB: 5, US: 6 } as const;
/** A country whose customs has a development account, so a parcel bound there has someone to clear it. */
export type Destination = keyof typeof CUSTOMS_OF;
export const BRAND_OWNER = 7;

/** What every step of a story needs: a client per development account, the log, and the run id that makes this run's parcels its own. */
export type StoryContext = {
  as: (index: number) => Promise<BorderLedgerClient>;
  log: (line: string) => void;
  waitMs: number;
  run: string;
  shipments: string[];
};

export async function orderDispatchDeclare(
  ctx: StoryContext,
  parcel: Parcel,
  { declarant, quiet = false, viaEpcis = false }: { declarant: number; quiet?: boolean; viaEpcis?: boolean },
): Promise<void> {
  ctx.shipments.push(parcel.shipmentId);
  // The platform brings in its carrier and its broker (spec §1.1): only parties may speak for the parcel after seq 0.
  const parties = [CARRIER, BROKER];
  const total = sumDecimals(parcel.lines.map((l) => multiplyDecimal(l.unitPrice, l.quantity)));
  const order: Record<string, unknown> = {
    orderId: `ORD-${parcel.shipmentId}`,
    platform: { name: "ShopWorld Marketplace", url: "https://shopworld.example.com" },
    seller: parcel.seller,
    buyer: parcel.buyer,
    destinationCountry: parcel.destination,
    items: parcel.lines.map((l) => {
      const item: Record<string, unknown> = {
        lineId: l.lineId,
        description: l.description,
        quantity: l.quantity,
        unitPrice: money(l.unitPrice, parcel.currency),
        hsCode: l.hsCode,
        originCountry: l.originCountry,
      };
      if (l.gtin) Object.assign(item, { gtin: l.gtin, serial: l.serial, brand: l.brand });
      return item;
    }),
    total: money(total, parcel.currency),
  };
  if (parcel.collection) order.collection = parcel.collection;
  const dispatch: Record<string, unknown> = {
    trackingNumber: parcel.shipmentId,
    transportMode: "post",
    packages: 1,
    grossWeightKg: "0.80",
    consignor: { name: parcel.seller.name, country: parcel.seller.country },
    consignee: parcel.buyer,
    departureCountry: parcel.seller.country,
    destinationCountry: parcel.destination,
  };
  if (viaEpcis)
    await feedEpcis(ctx, parcel, [
      { signer: PLATFORM, eventType: "ORDER", payload: order, parties },
      { signer: CARRIER, eventType: "DISPATCH", payload: dispatch },
    ]);
  else {
    await step(ctx, PLATFORM, parcel, "ORDER", order, { quiet, parties });
    await step(ctx, CARRIER, parcel, "DISPATCH", dispatch, { quiet });
  }
  await step(ctx, declarant, parcel, "DECLARATION", declarationPayload(parcel, { value: parcel.declaredTotal }));
}

export function declarationPayload(parcel: Parcel, { value, suffix = "" }: { value?: string; suffix?: string }): Record<string, unknown> {
  // A stated value replaces the line's own only when there is one line to give it to.
  const stated = parcel.lines.length === 1 ? value : undefined;
  const lines = parcel.lines.map((l) => ({ ...l, value: stated ?? multiplyDecimal(l.unitPrice, l.quantity) }));
  const declaration: Record<string, unknown> = {
    declarationId: `DEC-${parcel.shipmentId}${suffix}`.slice(0, 64),
    procedure: parcel.procedure,
    destinationCountry: parcel.destination,
    items: lines.map((l) => ({
      lineId: l.lineId,
      description: l.description,
      hsCode: l.hsCode,
      quantity: l.quantity,
      value: money(l.value, parcel.currency),
      originCountry: l.originCountry,
    })),
    totalValue: money(sumDecimals(lines.map((l) => l.value)), parcel.currency),
  };
  if (parcel.collection) declaration.collection = parcel.collection;
  return declaration;
}

/**
 * Events signed by their actors, fed as one EPCIS 2.0 document that the platform's EPCIS gateway signs as a whole —
 * how an existing EPCIS system feeds the ledger.
 */
async function feedEpcis(
  ctx: StoryContext,
  parcel: Parcel,
  events: { signer: number; eventType: EventType; payload: Record<string, unknown>; parties?: number[] }[],
): Promise<void> {
  const requests: AppendRequest[] = [];
  for (const e of events) {
    const parties = await addressesOf(ctx, e.parties);
    requests.push((await ctx.as(e.signer)).buildEvent({ shipmentId: parcel.shipmentId, eventType: e.eventType, payload: e.payload, parties }).request);
  }
  const gateway = await ctx.as(PLATFORM);
  const { shipmentId, body } = gateway.buildEpcisImport({ events: requests });
  const result = await gateway.importEpcis({ shipmentId, body });
  ctx.log(`   EPCIS 2.0 document ${short(result.documentHash)} signed by the platform's gateway, POST /v1/shipments/${shipmentId}/epcis:`);
  for (const [i, e] of result.events.entries()) {
    const sent = events[i];
    const request = requests[i];
    if (sent === undefined || request === undefined) throw new Error(`the EPCIS import answered ${result.events.length} events for the ${events.length} sent`);
    ctx.log(
      `   ${e.eventType.padEnd(14)} by #${sent.signer} → seq ${e.receipt.seq}, leaf ${e.receipt.leafIndex}${describe(sent.eventType, request.payload, sent.parties)}`,
    );
  }
}

export async function step(
  ctx: StoryContext,
  signer: number,
  parcel: Parcel,
  eventType: EventType,
  payload: Record<string, unknown>,
  { quiet = false, parties }: { quiet?: boolean; parties?: number[] } = {},
): Promise<void> {
  const client = await ctx.as(signer);
  // Signed now, as it happens: the node takes an occurredAt at most 30 days old (OCCURRED_AT_WINDOW).
  const { request } = client.buildEvent({ shipmentId: parcel.shipmentId, eventType, payload, parties: await addressesOf(ctx, parties) });
  const receipt = await client.append(request);
  if (!quiet)
    ctx.log(`   ${eventType.padEnd(14)} by #${signer} → seq ${receipt.seq}, leaf ${receipt.leafIndex}${describe(eventType, request.payload, parties)}`);
  else if (eventType === "ORDER") ctx.log(`   ${parcel.shipmentId}: ORDER, DISPATCH, DECLARATION …`);
}

export async function expectRefused(ctx: StoryContext, signer: number, parcel: Parcel, eventType: EventType, payload: Record<string, unknown>): Promise<void> {
  try {
    await (await ctx.as(signer)).append({ shipmentId: parcel.shipmentId, eventType, payload });
  } catch (error) {
    if (error instanceof NodeError && error.status === 409) {
      ctx.log(`   ${eventType} ${JSON.stringify(payload)} refused, as it must be: ${error.message}`);
      return;
    }
    throw error;
  }
  throw new Error(`${eventType} on ${parcel.shipmentId} was accepted, but the lifecycle rules should have refused it`);
}

/** Waits for the RISK_RESULT the node's customs risk engine appends for the latest DECLARATION, and prints it. */
export async function awaitRisk(ctx: StoryContext, parcel: Parcel): Promise<{ lane: string; score: number; reasons: { code: string; detail?: string }[] }> {
  const customs = await ctx.as(CUSTOMS_OF[parcel.destination]);
  const deadline = Date.now() + ctx.waitMs;
  for (;;) {
    const bundle = await customs.trace(parcel.shipmentId);
    // The risk result is in once the latest of the DECLARATIONs and RISK_RESULTs is a RISK_RESULT.
    const latest = bundle.entries.filter((e) => e.event.eventType === "DECLARATION" || e.event.eventType === "RISK_RESULT").at(-1);
    if (latest?.event.eventType === "RISK_RESULT") {
      const payload = latest.payload as { lane: string; score: number; reasons: { code: string; detail?: string }[] };
      ctx.log(`   RISK_RESULT    by customs of ${parcel.destination} (risk engine) → ${payload.lane.toUpperCase()}, score ${payload.score}`);
      for (const reason of payload.reasons) ctx.log(`     - ${reason.code}: ${reason.detail ?? ""}`);
      return payload;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `no RISK_RESULT for ${parcel.shipmentId} within ${ctx.waitMs} ms: is the node assessing risk for ${parcel.destination}? (CUSTOMS_AUTO_RISK)`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The UTC date on which the ledger accepted the parcel's latest DECLARATION (its recordedAt): the tax date, whose rule
 * set decides what is due (spec §7).
 */
export async function declarationDate(ctx: StoryContext, parcel: Parcel): Promise<string> {
  const bundle = await (await ctx.as(CUSTOMS_OF[parcel.destination])).trace(parcel.shipmentId);
  const declaration = bundle.entries.filter((e) => e.event.eventType === "DECLARATION").at(-1);
  if (declaration === undefined) throw new Error(`${parcel.shipmentId} has no DECLARATION to date`);
  return declaration.recordedAt.slice(0, 10);
}

/** What the parcel's latest DECLARATION owes under the rule set in force on `date`, as POST /v1/assess answers it. */
export async function assessFor(ctx: StoryContext, parcel: Parcel, date: string): Promise<TaxAssessmentJson> {
  const customs = await ctx.as(CUSTOMS_OF[parcel.destination]);
  const bundle = await customs.trace(parcel.shipmentId);
  const declaration = bundle.entries.filter((e) => e.event.eventType === "DECLARATION").at(-1);
  if (declaration === undefined) throw new Error(`${parcel.shipmentId} has no DECLARATION to assess`);
  const assessment = await (await ctx.as(PLATFORM)).assess({ declaration: declaration.payload, date });
  ctx.log(
    `   POST /v1/assess (${date}) → ${assessment.ruleSet}: duty ${fmt(assessment.duty)}, VAT ${fmt(assessment.vat)}, fees ${fmt(assessment.fees)}, total ${fmt(assessment.total)}`,
  );
  // The headline steps of the explanation; the full one is in the /v1/assess answer.
  for (const line of assessment.explanation.filter((l) => /^(Threshold test|Regime:|Line |Total due)/.test(l))) ctx.log(`     · ${line}`);
  return assessment;
}

/**
 * Assesses the latest DECLARATION on the date the ledger accepted it (unless the assessment is given) and appends a
 * TAX_PAID for what is still due, if anything is.
 */
export async function payWhatIsDue(ctx: StoryContext, parcel: Parcel, { payer, assessment }: { payer: number; assessment?: TaxAssessmentJson }): Promise<void> {
  const due = assessment ?? (await assessFor(ctx, parcel, await declarationDate(ctx, parcel)));
  if (compareDecimals(due.total.amount, "0") === 0) {
    ctx.log("   nothing is due: no TAX_PAID needed");
    return;
  }
  const bundle = await (await ctx.as(CUSTOMS_OF[parcel.destination])).trace(parcel.shipmentId);
  const paid = sumDecimals(
    bundle.entries
      .filter((e) => e.event.eventType === "TAX_PAID")
      .map((e) => (e.payload as { payment: { amount: Money } }).payment.amount)
      .filter((m) => m.currency === due.total.currency)
      .map((m) => m.amount),
  );
  const outstanding = subtractDecimalsFloor(due.total.amount, paid);
  await step(ctx, payer, parcel, "TAX_PAID", {
    ruleSet: due.ruleSet,
    assessment: { customsValue: due.customsValue, duty: due.duty, vat: due.vat, fees: due.fees, total: due.total },
    payment: {
      reference: `PAY-${parcel.shipmentId}-${bundle.entries.length}`.slice(0, 64),
      amount: money(outstanding, due.total.currency),
      payer: nameOf(payer),
    },
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

/** The display name of development account `index` (spec §1.2). */
function nameOf(index: number): string {
  const participant = DEV_PARTICIPANTS.find((p) => p.index === index);
  if (participant === undefined) throw new Error(`no development participant #${index}`);
  return participant.name;
}

/** The addresses of development accounts `indexes`, or undefined for none. */
async function addressesOf(ctx: StoryContext, indexes: number[] | undefined): Promise<string[] | undefined> {
  if (indexes === undefined) return undefined;
  return Promise.all(indexes.map(async (index) => (await ctx.as(index)).address));
}

/** What the log line of an event adds: its gist, and the development accounts `parties` it names. */
function describe(eventType: EventType, payload: Record<string, unknown>, parties?: number[]): string {
  const named = parties === undefined ? "" : `, naming ${parties.map((index) => `#${index} ${nameOf(index)}`).join(" and ")} as parties`;
  return gistOf(eventType, payload) + named;
}

function gistOf(eventType: EventType, payload: Record<string, unknown>): string {
  switch (eventType) {
    case "DECLARATION":
      return `: declared ${fmt(payload.totalValue as Money)}`;
    case "TAX_PAID":
      return `: paid ${fmt((payload.payment as { amount: Money }).amount)} under ${payload.ruleSet}`;
    case "RELEASE":
      return `: ${payload.decision}`;
    case "INSPECTION":
      return `: ${payload.method}, ${payload.outcome}`;
    case "CLAIM":
      return `: ${payload.ground} claim ${payload.claimId}`;
    case "CLAIM_DECISION":
      return `: ${payload.decision}, ${payload.action ?? "no action"}`;
    default:
      return "";
  }
}

const money = (amount: string, currency: string): Money => ({ amount, currency });
const fmt = (m: Money): string => `${m.amount} ${m.currency}`;
export const short = (hex: string): string => `${hex.slice(0, 10)}…`;
