// The demo's five stories, each a parcel (or a few) taken through its lifecycle by the actors who own each step.
import { createHash } from "node:crypto";
import { compareDecimals } from "../../node/domain/decimal";
import {
  BRAND_OWNER,
  BROKER,
  CARRIER,
  CUSTOMS_OF,
  PLATFORM,
  assessFor,
  awaitRisk,
  declarationDate,
  declarationPayload,
  expectRefused,
  orderDispatchDeclare,
  payWhatIsDue,
  short,
  step,
  type Line,
  type Parcel,
  type Party,
  type StoryContext,
} from "./steps";

export async function cleanParcel(ctx: StoryContext): Promise<void> {
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
  await payWhatIsDue(ctx, parcel, { payer: PLATFORM });
  if (risk.lane !== "green") ctx.log(`   (the node's risk engine said ${risk.lane}; the demo expected green)`);
  await step(ctx, CUSTOMS_OF.DE, parcel, "RELEASE", { decision: "released", reference: `REL-${ctx.run}-1` });
  await step(ctx, CARRIER, parcel, "DELIVERY", { deliveredTo: "Lena Vogel" });
}

export async function undervaluedParcel(ctx: StoryContext): Promise<void> {
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
  await payWhatIsDue(ctx, parcel, { payer: PLATFORM });
  await step(ctx, CUSTOMS_OF.DE, parcel, "RELEASE", { decision: "released", reference: `REL-${ctx.run}-2` });
  await step(ctx, CARRIER, parcel, "DELIVERY", { deliveredTo: "Jonas Becker" });
}

export async function splitConsignment(ctx: StoryContext): Promise<void> {
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

export async function counterfeit(ctx: StoryContext): Promise<void> {
  ctx.log("");
  ctx.log("== 4. A counterfeit found by the brand's check, claimed and seized ==");
  const brandOwner = await ctx.as(BRAND_OWNER);
  const brand = "Alpine Outdoor";
  const gtin = "7612345000012";
  const serials = Array.from({ length: 50 }, (_, i) => `AO-${ctx.run}-${String(i + 1).padStart(4, "0")}`);
  // The serial the official store sells, and the counterfeit copies.
  const soldSerial = serials[6];
  if (soldSerial === undefined) throw new Error(`the ${brand} catalog has ${serials.length} serials, too few to sell the seventh`);
  const current = (await brandOwner.brands()).find((b) => b.name === brand);
  if (!current) throw new Error(`the node has no brand "${brand}": run the demo against a development node (npm start)`);
  const catalog = await brandOwner.registerCatalog({
    brand,
    version: current.catalogVersion + 1,
    items: serials.map((serial) => ({ gtin, serial })),
    sellers: ["SELLER-ALPINE-OFFICIAL"],
  });
  ctx.log(
    `   brand owner anchors ${brand} catalog v${catalog.version}: ${catalog.itemCount} items, ${catalog.sellerCount} authorised seller (tx ${short(String(catalog.txHash))})`,
  );

  const shoe = (price: string): Line => ({
    lineId: "1",
    description: "Trail running shoes, textile upper, size 42",
    hsCode: "640411",
    quantity: 1,
    unitPrice: price,
    originCountry: "VN",
    gtin,
    serial: soldSerial,
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
  const genuineCheck = await (await ctx.as(CUSTOMS_OF.DE)).authenticity({ gtin, serial: soldSerial, shipmentId: genuine.shipmentId });
  ctx.log(`   authenticity of ${soldSerial} in the genuine parcel: ${genuineCheck.verdict}`);

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
  const check = await (await ctx.as(CUSTOMS_OF.DE)).authenticity({ gtin, serial: soldSerial, shipmentId: fake.shipmentId });
  ctx.log(`   authenticity of ${soldSerial} in ${fake.shipmentId}: ${check.verdict}`);
  for (const reason of check.reasons as string[]) ctx.log(`     - ${reason}`);
  const evidenceHash = "0x" + createHash("sha256").update(JSON.stringify(check)).digest("hex");
  const claimId = `CLM-${ctx.run}-1`;
  await step(ctx, BRAND_OWNER, fake, "CLAIM", {
    claimId,
    brand,
    lineIds: ["1"],
    ground: "counterfeit",
    evidenceHash,
    detail: `Serial ${soldSerial} belongs to an item sold by the official store in ${genuine.shipmentId}; this seller is not authorised.`,
  });
  const view = await brandOwner.trace(fake.shipmentId);
  const shown = view.entries.map((e) => `${e.event.eventType}${Object.keys(e.payload).length ? `(${Object.keys(e.payload).join(",")})` : ""}`);
  ctx.log(`   the brand owner's view of the parcel: ${shown.join(" ")}`);
  await step(ctx, CUSTOMS_OF.DE, fake, "INSPECTION", {
    method: "physical",
    outcome: "counterfeit_suspected",
    findings: "Logo and stitching differ from the brand's reference pair.",
    evidenceHash,
  });
  await step(ctx, CUSTOMS_OF.DE, fake, "CLAIM_DECISION", { claimId, decision: "upheld", action: "seize" });
  await expectRefused(ctx, CUSTOMS_OF.DE, fake, "RELEASE", { decision: "released" });
  const status = await (await ctx.as(CUSTOMS_OF.DE)).status(fake.shipmentId);
  ctx.log(`   status: final decision ${status.finalDecision}, claims ${JSON.stringify(status.claims)}`);
}

/** The last day of the US de minimis exemption for all countries: Executive Order 14324 suspends it from 2025-08-29. */
const LAST_DE_MINIMIS_DAY = "2025-08-28";

export async function usDeMinimis(ctx: StoryContext): Promise<void> {
  ctx.log("");
  ctx.log(`== 5. A US parcel after the de minimis suspension: what it owed on ${LAST_DE_MINIMIS_DAY}, what it owes today ==`);
  const parcel: Parcel = {
    shipmentId: `DEMO-${ctx.run}-DEMINIMIS-US`,
    destination: "US",
    currency: "USD",
    seller: { id: "SELLER-5120", name: "Ningbo Bright Camp Supplies", country: "CN" },
    buyer: { name: "Emily Carter", country: "US", address: `410 Pine Street, Apt ${ctx.run}\nSeattle, WA 98101` },
    lines: [{ lineId: "1", description: "Rechargeable LED camping lantern", hsCode: "940540", quantity: 2, unitPrice: "60.00", originCountry: "CN" }],
    // An informal entry: the Type 86 de minimis entry is no longer open to it.
    procedure: "11",
  };
  // The broker the platform's ORDER names files the entry.
  await orderDispatchDeclare(ctx, parcel, { declarant: BROKER, quiet: true });
  await awaitRisk(ctx, parcel);
  const accepted = await declarationDate(ctx, parcel);
  ctx.log(`   the same DECLARATION under the rule set of ${LAST_DE_MINIMIS_DAY}, the last de minimis day:`);
  await assessFor(ctx, parcel, LAST_DE_MINIMIS_DAY);
  ctx.log(`   and under that of ${accepted}, the day the ledger accepted it, which dates its duty (spec §7):`);
  const due = await assessFor(ctx, parcel, accepted);
  if (compareDecimals(due.total.amount, "0") > 0) {
    await expectRefused(ctx, CUSTOMS_OF.US, parcel, "RELEASE", { decision: "released" });
    await payWhatIsDue(ctx, parcel, { payer: BROKER, assessment: due });
  }
  await step(ctx, CUSTOMS_OF.US, parcel, "RELEASE", { decision: "released", reference: `CBP-${ctx.run}` });
  await step(ctx, CARRIER, parcel, "DELIVERY", { deliveredTo: "Emily Carter" });
}
