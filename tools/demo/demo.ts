// The customs demo (`npm run demo`): five parcels' stories told through the client SDK against a running node, each
// step printed, ending with every bundle verified against the chain. It uses only the HTTP API and the development
// accounts, as any outside party would.
import { createHash } from "node:crypto";
import { devWallet } from "../../node/chain/dev-participants";
import { compareDecimals, multiplyDecimal, subtractDecimalsFloor, sumDecimals } from "../../node/domain/decimal";
import type { EventType } from "../../node/domain/event-types";
import { validateEpcis } from "../../node/domain/epcis/validate";
import { BorderLedgerClient, NodeError, type TaxAssessmentJson } from "../../node/client/client";

export type DemoOptions = {
  nodeUrl: string;
  log?: (line: string) => void;
  /** How long to wait for the node's RISK_RESULT after a DECLARATION, and for anchoring at the end. */
  waitMs?: number;
};

export type DemoResult = {
  shipments: string[];
  verified: { shipmentId: string; ok: boolean; checks: Record<string, string> }[];
  ok: boolean;
};

type Money = { amount: string; currency: string };
// Every amount the demo states has two decimal places; decimal.ts keeps its inputs' scale, so sums and products do too.
type Line = { lineId: string; description: string; hsCode: string; quantity: number; unitPrice: string; originCountry: string; gtin?: string; serial?: string; brand?: string };
type Party = { name: string; country: string; address?: string };
type Parcel = {
  shipmentId: string;
  destination: string;
  currency: string;
  seller: { id: string; name: string; country: string };
  buyer: Party;
  lines: Line[];
  collection?: { scheme: string; registrationId?: string };
  /** The value the DECLARATION states, when it is not the order's. */
  declaredTotal?: string;
  procedure: string;
  /** occurredAt of ORDER, DISPATCH and DECLARATION (one hour apart); now by default. */
  startMs?: number;
};

// The development accounts of DESIGN §1 (README table). Addresses carry the run id, so that parcels of an earlier
// run against the same node are other consignees and every run tells the same story.
const PLATFORM = 1;
const CARRIER = 2;
const CUSTOMS_OF: Record<string, number> = { DE: 4, GB: 5, US: 6 };
const BRAND_OWNER = 7;

const HOUR = 3600_000;

/** Runs the five stories, then verifies every shipment's bundle; the result says whether every verification passed. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const waitMs = options.waitMs ?? 30_000;
  const clients = new Map<number, BorderLedgerClient>();
  const as = async (index: number): Promise<BorderLedgerClient> => {
    let client = clients.get(index);
    if (!client) {
      client = await BorderLedgerClient.connect({ nodeUrl: options.nodeUrl, privateKey: devWallet(index).privateKey });
      clients.set(index, client);
    }
    return client;
  };
  const chain = (await (await fetch(`${options.nodeUrl}/v1/chain`)).json()) as { rpcUrl: string; chainId: number };
  const run = Date.now().toString(36).toUpperCase();
  const shipments: string[] = [];
  const ctx: StoryContext = { as, log, waitMs, run, shipments };
  log(`BorderLedger demo against ${options.nodeUrl} (chain ${chain.chainId}, run ${run})`);

  await cleanParcel(ctx);
  await undervaluedParcel(ctx);
  await splitConsignment(ctx);
  await counterfeit(ctx);
  await usDeMinimis(ctx);

  log("");
  log("== Verifying every bundle against the chain ==");
  await waitAnchored({ client: await as(PLATFORM), waitMs, log });
  const verified: DemoResult["verified"] = [];
  for (const shipmentId of shipments) {
    const destination = shipmentId.includes("-US") ? "US" : "DE";
    const { report } = await (await as(CUSTOMS_OF[destination])).verifyTrace({ shipmentId, rpcUrl: chain.rpcUrl });
    const checks = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    // The same reader's EPCIS 2.0 export must pass the GS1 schema.
    const epcis = validateEpcis(await (await as(CUSTOMS_OF[destination])).epcis(shipmentId));
    checks["epcis-gs1-schema"] = epcis.valid ? "pass" : "fail";
    verified.push({ shipmentId, ok: report.ok && epcis.valid, checks });
    const failed = report.checks.filter((c) => c.status === "fail");
    const summary = report.checks.map((c) => `${c.name} ${c.status}`).join(", ");
    log(`${report.ok ? "✓" : "✗"} ${shipmentId}: ${report.ok ? "verified" : "FAILED"} — ${summary}`);
    for (const check of failed) log(`    ${check.name}: ${check.reason}`);
    if (!epcis.valid) log(`    EPCIS export refused by the GS1 schema: ${epcis.issues.slice(0, 3).map((i) => `${i.path}: ${i.message}`).join("; ")}`);
  }
  const ok = verified.every((v) => v.ok);
  log(ok ? `All ${verified.length} bundles verified against the chain; their EPCIS 2.0 exports pass the GS1 schema.` : "Some bundles did not verify.");
  return { shipments, verified, ok };
}

type StoryContext = {
  as: (index: number) => Promise<BorderLedgerClient>;
  log: (line: string) => void;
  waitMs: number;
  run: string;
  shipments: string[];
};

// ---------------------------------------------------------------------------------------------------------------
// Stories

async function cleanParcel(ctx: StoryContext): Promise<void> {
  ctx.log("");
  ctx.log("== 1. A clean parcel, released on green ==");
  const parcel: Parcel = {
    shipmentId: `DEMO-${ctx.run}-CLEAN-DE`,
    destination: "DE",
    currency: "EUR",
    seller: { id: "SELLER-1001", name: "Hangzhou Trail Gear Co., Ltd.", country: "CN" },
    buyer: { name: "Lena Vogel", country: "DE", address: `Gartenweg 12, Whg. ${ctx.run}\n80331 München` },
    lines: [{ lineId: "1", description: "Insulated steel water bottle, 750 ml", hsCode: "961700", quantity: 1, unitPrice: "18.50", originCountry: "CN" }],
    collection: { scheme: "IOSS", registrationId: "IM1560000158" },
    procedure: "H7",
  };
  await orderDispatchDeclare(ctx, parcel, { declarant: CARRIER, viaEpcis: true });
  const risk = await awaitRisk(ctx, parcel);
  await payWhatIsDue(ctx, parcel, { payer: PLATFORM, date: today() });
  if (risk.lane !== "green") ctx.log(`   (the node's risk engine said ${risk.lane}; the demo expected green)`);
  await step(ctx, CUSTOMS_OF.DE, parcel, "RELEASE", { decision: "released", reference: `REL-${ctx.run}-1` });
  await step(ctx, CARRIER, parcel, "DELIVERY", { deliveredTo: "Lena Vogel" });
}

async function undervaluedParcel(ctx: StoryContext): Promise<void> {
  ctx.log("");
  ctx.log("== 2. An undervalued parcel: red, inspected, re-declared, re-assessed, released ==");
  const parcel: Parcel = {
    shipmentId: `DEMO-${ctx.run}-UNDERVALUED-DE`,
    destination: "DE",
    currency: "EUR",
    seller: { id: "SELLER-2040", name: "Guangzhou Peak Apparel Trading", country: "CN" },
    buyer: { name: "Jonas Becker", country: "DE", address: `Lindenstraße 3, Whg. ${ctx.run}\n50674 Köln` },
    lines: [{ lineId: "1", description: "Men's down jacket, polyester shell", hsCode: "620193", quantity: 1, unitPrice: "189.00", originCountry: "CN" }],
    declaredTotal: "39.00",
    procedure: "H7",
  };
  await orderDispatchDeclare(ctx, parcel, { declarant: PLATFORM });
  await awaitRisk(ctx, parcel);
  await step(ctx, CUSTOMS_OF.DE, parcel, "INSPECTION", {
    method: "physical",
    outcome: "discrepancy",
    findings: "Invoice in the parcel shows EUR 189.00, not the declared EUR 39.00.",
  });
  ctx.log("   the platform corrects the declaration to the order's value");
  await step(ctx, PLATFORM, parcel, "DECLARATION", declarationPayload(parcel, { value: "189.00", suffix: "R1" }));
  await awaitRisk(ctx, parcel);
  await payWhatIsDue(ctx, parcel, { payer: PLATFORM, date: today() });
  await step(ctx, CUSTOMS_OF.DE, parcel, "RELEASE", { decision: "released", reference: `REL-${ctx.run}-2` });
  await step(ctx, CARRIER, parcel, "DELIVERY", { deliveredTo: "Jonas Becker" });
}

async function splitConsignment(ctx: StoryContext): Promise<void> {
  ctx.log("");
  ctx.log("== 3. One consignment split into many low-value parcels ==");
  const buyer: Party = { name: "Marco Rossi", country: "DE", address: `Hafenstraße 40, Whg. ${ctx.run}\n20459 Hamburg` };
  const prices = ["96.00", "98.00", "97.00", "99.00"];
  for (const [i, price] of prices.entries()) {
    const parcel: Parcel = {
      shipmentId: `DEMO-${ctx.run}-SPLIT${i + 1}-DE`,
      destination: "DE",
      currency: "EUR",
      seller: { id: "SELLER-3300", name: "Shenzhen Sonic Devices Co.", country: "CN" },
      buyer,
      lines: [{ lineId: "1", description: "Wireless earbuds with charging case", hsCode: "851830", quantity: 1, unitPrice: price, originCountry: "CN" }],
      procedure: "H7",
    };
    await orderDispatchDeclare(ctx, parcel, { declarant: PLATFORM, quiet: true });
    const risk = await awaitRisk(ctx, parcel);
    if (risk.lane === "red") {
      await step(ctx, CUSTOMS_OF.DE, parcel, "RELEASE", { decision: "held", reason: "Consignment split into parcels under EUR 150: to be declared as one." });
    }
  }
}

async function counterfeit(ctx: StoryContext): Promise<void> {
  ctx.log("");
  ctx.log("== 4. A counterfeit found by the brand's check, claimed and seized ==");
  const brandOwner = await ctx.as(BRAND_OWNER);
  const brand = "Alpine Outdoor";
  const gtin = "7612345000012";
  const serials = Array.from({ length: 50 }, (_, i) => `AO-${ctx.run}-${String(i + 1).padStart(4, "0")}`);
  const current = (await brandOwner.brands()).find((b) => b.name === brand);
  if (!current) throw new Error(`the node has no brand "${brand}": run the demo against a development node (npm start)`);
  const catalog = await brandOwner.registerCatalog({
    brand,
    version: current.catalogVersion + 1,
    items: serials.map((serial) => ({ gtin, serial })),
    sellers: ["SELLER-ALPINE-OFFICIAL"],
  });
  ctx.log(`   brand owner anchors ${brand} catalog v${catalog.version}: ${catalog.itemCount} items, ${catalog.sellerCount} authorised seller (tx ${short(String(catalog.txHash))})`);

  const shoe = (price: string): Line => ({
    lineId: "1",
    description: "Trail running shoes, textile upper, size 42",
    hsCode: "640411",
    quantity: 1,
    unitPrice: price,
    originCountry: "VN",
    gtin,
    serial: serials[6],
    brand,
  });
  const genuine: Parcel = {
    shipmentId: `DEMO-${ctx.run}-GENUINE-DE`,
    destination: "DE",
    currency: "EUR",
    seller: { id: "SELLER-ALPINE-OFFICIAL", name: "Alpine Outdoor Official Store", country: "CH" },
    buyer: { name: "Sofia Wagner", country: "DE", address: `Bahnhofstraße 8, Whg. ${ctx.run}\n70173 Stuttgart` },
    lines: [shoe("129.00")],
    procedure: "H7",
  };
  await orderDispatchDeclare(ctx, genuine, { declarant: PLATFORM, quiet: true });
  await awaitRisk(ctx, genuine);
  const genuineCheck = await (await ctx.as(CUSTOMS_OF.DE)).authenticity({ gtin, serial: serials[6], shipmentId: genuine.shipmentId });
  ctx.log(`   authenticity of ${serials[6]} in the genuine parcel: ${genuineCheck.verdict}`);

  const fake: Parcel = {
    shipmentId: `DEMO-${ctx.run}-FAKE-DE`,
    destination: "DE",
    currency: "EUR",
    seller: { id: "SELLER-7781", name: "Bargain Outlet 7781", country: "CN" },
    buyer: { name: "Paul Schneider", country: "DE", address: `Ringstraße 21, Whg. ${ctx.run}\n04109 Leipzig` },
    lines: [{ ...shoe("24.00"), originCountry: "CN" }],
    procedure: "H7",
  };
  await orderDispatchDeclare(ctx, fake, { declarant: PLATFORM, quiet: true });
  await awaitRisk(ctx, fake);
  const check = await (await ctx.as(CUSTOMS_OF.DE)).authenticity({ gtin, serial: serials[6], shipmentId: fake.shipmentId });
  ctx.log(`   authenticity of ${serials[6]} in ${fake.shipmentId}: ${check.verdict}`);
  for (const reason of check.reasons as string[]) ctx.log(`     - ${reason}`);
  const evidenceHash = "0x" + createHash("sha256").update(JSON.stringify(check)).digest("hex");
  const claimId = `CLM-${ctx.run}-1`;
  await step(ctx, BRAND_OWNER, fake, "CLAIM", {
    claimId,
    brand,
    lineIds: ["1"],
    ground: "counterfeit",
    evidenceHash,
    detail: `Serial ${serials[6]} belongs to an item sold by the official store in ${genuine.shipmentId}; this seller is not authorised.`,
  });
  const view = await brandOwner.trace(fake.shipmentId);
  const shown = view.entries.map((e) => `${e.event.eventType}${Object.keys(e.payload).length ? `(${Object.keys(e.payload).join(",")})` : ""}`);
  ctx.log(`   the brand owner's view of the parcel: ${shown.join(" ")}`);
  await step(ctx, CUSTOMS_OF.DE, fake, "INSPECTION", { method: "physical", outcome: "counterfeit_suspected", findings: "Logo and stitching differ from the brand's reference pair.", evidenceHash });
  await step(ctx, CUSTOMS_OF.DE, fake, "CLAIM_DECISION", { claimId, decision: "upheld", action: "seize" });
  await expectRefused(ctx, CUSTOMS_OF.DE, fake, "RELEASE", { decision: "released" });
  const status = await (await ctx.as(CUSTOMS_OF.DE)).status(fake.shipmentId);
  ctx.log(`   status: final decision ${status.finalDecision}, claims ${JSON.stringify(status.claims)}`);
}

async function usDeMinimis(ctx: StoryContext): Promise<void> {
  ctx.log("");
  ctx.log("== 5. A US parcel on either side of the de minimis suspension (2025-08-29) ==");
  for (const day of ["2025-08-28", "2025-08-29"]) {
    const startMs = Date.parse(`${day}T09:00:00.000Z`) - 2 * HOUR;
    const parcel: Parcel = {
      shipmentId: `DEMO-${ctx.run}-${day.replaceAll("-", "")}-US`,
      destination: "US",
      currency: "USD",
      seller: { id: "SELLER-5120", name: "Ningbo Bright Camp Supplies", country: "CN" },
      buyer: { name: "Emily Carter", country: "US", address: `410 Pine Street, Apt ${ctx.run}\nSeattle, WA 98101` },
      lines: [{ lineId: "1", description: "Rechargeable LED camping lantern", hsCode: "940540", quantity: 2, unitPrice: "60.00", originCountry: "CN" }],
      procedure: day === "2025-08-28" ? "T86" : "11",
      startMs,
    };
    await orderDispatchDeclare(ctx, parcel, { declarant: CARRIER, quiet: true });
    await awaitRisk(ctx, parcel);
    const assessment = await assessFor(ctx, parcel, day);
    if (compareDecimals(assessment.total.amount, "0") > 0) {
      await expectRefused(ctx, CUSTOMS_OF.US, parcel, "RELEASE", { decision: "released" });
      await payWhatIsDue(ctx, parcel, { payer: CARRIER, date: day, assessment });
    }
    await step(ctx, CUSTOMS_OF.US, parcel, "RELEASE", { decision: "released", reference: `CBP-${ctx.run}-${day}` });
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Steps

async function orderDispatchDeclare(
  ctx: StoryContext,
  parcel: Parcel,
  { declarant, quiet = false, viaEpcis = false }: { declarant: number; quiet?: boolean; viaEpcis?: boolean },
): Promise<void> {
  ctx.shipments.push(parcel.shipmentId);
  const start = parcel.startMs;
  const at = (i: number) => (start === undefined ? undefined : start + i * HOUR);
  const total = sumDecimals(parcel.lines.map((l) => multiplyDecimal(l.unitPrice, l.quantity)));
  const order: Record<string, unknown> = {
    orderId: `ORD-${parcel.shipmentId}`,
    platform: { name: "ShopWorld Marketplace", url: "https://shopworld.example.com" },
    seller: parcel.seller,
    buyer: parcel.buyer,
    destinationCountry: parcel.destination,
    items: parcel.lines.map((l) => {
      const item: Record<string, unknown> = { lineId: l.lineId, description: l.description, quantity: l.quantity, unitPrice: money(l.unitPrice, parcel.currency), hsCode: l.hsCode, originCountry: l.originCountry };
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
  if (viaEpcis) await feedEpcis(ctx, parcel, [{ signer: PLATFORM, eventType: "ORDER", payload: order, occurredAt: at(0) }, { signer: CARRIER, eventType: "DISPATCH", payload: dispatch, occurredAt: at(1) }]);
  else {
    await step(ctx, PLATFORM, parcel, "ORDER", order, { occurredAt: at(0), quiet });
    await step(ctx, CARRIER, parcel, "DISPATCH", dispatch, { occurredAt: at(1), quiet });
  }
  await step(ctx, declarant, parcel, "DECLARATION", declarationPayload(parcel, { value: parcel.declaredTotal }), { occurredAt: at(2) });
}

function declarationPayload(parcel: Parcel, { value, suffix = "" }: { value?: string; suffix?: string }): Record<string, unknown> {
  const lines = parcel.lines.map((l) => ({ ...l, value: multiplyDecimal(l.unitPrice, l.quantity) }));
  if (value !== undefined && lines.length === 1) lines[0].value = value;
  const declaration: Record<string, unknown> = {
    declarationId: `DEC-${parcel.shipmentId}${suffix}`.slice(0, 64),
    procedure: parcel.procedure,
    destinationCountry: parcel.destination,
    items: lines.map((l) => ({ lineId: l.lineId, description: l.description, hsCode: l.hsCode, quantity: l.quantity, value: money(l.value, parcel.currency), originCountry: l.originCountry })),
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
  events: { signer: number; eventType: EventType; payload: Record<string, unknown>; occurredAt?: number }[],
): Promise<void> {
  const requests = await Promise.all(
    events.map(async (e) => (await ctx.as(e.signer)).buildEvent({ shipmentId: parcel.shipmentId, eventType: e.eventType, payload: e.payload, occurredAt: e.occurredAt }).request),
  );
  const gateway = await ctx.as(PLATFORM);
  const { shipmentId, body } = gateway.buildEpcisImport({ events: requests });
  const result = await gateway.importEpcis({ shipmentId, body });
  ctx.log(`   EPCIS 2.0 document ${short(result.documentHash)} signed by the platform's gateway, POST /v1/shipments/${shipmentId}/epcis:`);
  for (const [i, e] of result.events.entries()) ctx.log(`   ${e.eventType.padEnd(14)} by #${events[i].signer} → seq ${e.receipt.seq}, leaf ${e.receipt.leafIndex}${describe(events[i].eventType, events[i].payload)}`);
}

async function step(
  ctx: StoryContext,
  signer: number,
  parcel: Parcel,
  eventType: EventType,
  payload: Record<string, unknown>,
  { occurredAt, quiet = false }: { occurredAt?: number; quiet?: boolean } = {},
): Promise<void> {
  const client = await ctx.as(signer);
  const receipt = await client.append({ shipmentId: parcel.shipmentId, eventType, payload, occurredAt });
  if (!quiet) ctx.log(`   ${eventType.padEnd(14)} by #${signer} → seq ${receipt.seq}, leaf ${receipt.leafIndex}${describe(eventType, payload)}`);
  else if (eventType === "ORDER") ctx.log(`   ${parcel.shipmentId}: ORDER, DISPATCH, DECLARATION …`);
}

async function expectRefused(ctx: StoryContext, signer: number, parcel: Parcel, eventType: EventType, payload: Record<string, unknown>): Promise<void> {
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
async function awaitRisk(ctx: StoryContext, parcel: Parcel): Promise<{ lane: string; score: number; reasons: { code: string; detail?: string }[] }> {
  const customs = await ctx.as(CUSTOMS_OF[parcel.destination]);
  const deadline = Date.now() + ctx.waitMs;
  for (;;) {
    const bundle = await customs.trace(parcel.shipmentId);
    const types = bundle.entries.map((e) => e.event.eventType);
    const declaration = types.lastIndexOf("DECLARATION");
    const risk = types.lastIndexOf("RISK_RESULT");
    if (risk > declaration) {
      const payload = bundle.entries[risk].payload as { lane: string; score: number; reasons: { code: string; detail?: string }[] };
      ctx.log(`   RISK_RESULT    by customs of ${parcel.destination} (risk engine) → ${payload.lane.toUpperCase()}, score ${payload.score}`);
      for (const reason of payload.reasons) ctx.log(`     - ${reason.code}: ${reason.detail ?? ""}`);
      return payload;
    }
    if (Date.now() > deadline) {
      throw new Error(`no RISK_RESULT for ${parcel.shipmentId} within ${ctx.waitMs} ms: is the node assessing risk for ${parcel.destination}? (CUSTOMS_AUTO_RISK)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function assessFor(ctx: StoryContext, parcel: Parcel, date: string): Promise<TaxAssessmentJson> {
  const customs = await ctx.as(CUSTOMS_OF[parcel.destination]);
  const bundle = await customs.trace(parcel.shipmentId);
  const declaration = bundle.entries.filter((e) => e.event.eventType === "DECLARATION").at(-1)!;
  const assessment = await (await ctx.as(PLATFORM)).assess({ declaration: declaration.payload, date });
  ctx.log(`   POST /v1/assess (${date}) → ${assessment.ruleSet}: duty ${fmt(assessment.duty)}, VAT ${fmt(assessment.vat)}, fees ${fmt(assessment.fees)}, total ${fmt(assessment.total)}`);
  // The headline steps of the explanation; the full one is in the /v1/assess answer.
  for (const line of assessment.explanation.filter((l) => /^(Threshold test|Regime:|Line |Total due)/.test(l))) ctx.log(`     · ${line}`);
  return assessment;
}

/** Assesses the latest DECLARATION (unless given) and appends a TAX_PAID for what is still due, if anything is. */
async function payWhatIsDue(ctx: StoryContext, parcel: Parcel, { payer, date, assessment }: { payer: number; date: string; assessment?: TaxAssessmentJson }): Promise<void> {
  const due = assessment ?? (await assessFor(ctx, parcel, date));
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
    payment: { reference: `PAY-${parcel.shipmentId}-${bundle.entries.length}`.slice(0, 64), amount: money(outstanding, due.total.currency), payer: payer === PLATFORM ? "ShopWorld Marketplace" : "SwiftParcel Express" },
  });
}

async function waitAnchored({ client, waitMs, log }: { client: BorderLedgerClient; waitMs: number; log: (line: string) => void }): Promise<void> {
  const target = (await client.checkpoint()).head.treeSize;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const checkpoint = await client.checkpoint();
    if (checkpoint.treeSize >= target) {
      log(`log anchored at tree size ${checkpoint.treeSize} (root ${short(String(checkpoint.rootHash))})`);
      return;
    }
    if (Date.now() > deadline) {
      log(`the log is not anchored up to ${target} yet: recent entries will verify as pending`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers

function describe(eventType: EventType, payload: Record<string, unknown>): string {
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
const short = (hex: string): string => `${hex.slice(0, 10)}…`;
const today = (): string => new Date().toISOString().slice(0, 10);
