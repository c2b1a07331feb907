// Customs risk assessment on arrival (spec §8, CUSTOMS_AUTO_RISK): for every DECLARATION to a country this node
// assesses for, gather what the risk rules need from the store and the registries, and append a RISK_RESULT signed
// with that country's customs key through the normal append path.
import type { BrandDirectory } from "../chain/brand-directory";
import type { ParticipantLookup } from "../ports";
import { consigneeKeysOf } from "../domain/consignee";
import type { DeclarationPayload, OrderPayload } from "../domain/payloads";
import { assessRisk, riskResultPayload, type ConsigneeParcel, type RiskAssessment, type RiskConfig, type SellerCheck } from "../domain/risk";
import { signAppendRequest } from "../domain/sign-event";
import type { AppendedEvent, Ledger } from "../ledger";
import { randomSalts } from "../prepare/salts";
import type { CatalogStore } from "../store/catalog-store";
import type { StoredEntry } from "../domain/log-entry";
import type { IndexStore } from "../store/index-store";
import type { LogStore } from "../store/log-store";

/** A customs administration this node assesses for: its country and its account's key. */
export type CustomsSigner = { country: string; privateKey: string };

export type AutoRiskOptions = {
  ledger: Ledger;
  store: LogStore;
  index: IndexStore;
  catalogs: CatalogStore;
  brands: BrandDirectory;
  participants: ParticipantLookup;
  signers: readonly CustomsSigner[];
  config?: RiskConfig;
  clock?: () => number;
  log?: (line: string) => void;
};

/** What the risk rules read of one shipment, gathered from the store and the registries. */
export type RiskInputSources = Pick<AutoRiskOptions, "store" | "index" | "catalogs" | "brands" | "participants">;

export class AutoRisk {
  private readonly byCountry: Map<string, CustomsSigner>;
  private queue: Promise<void> = Promise.resolve();
  private pending = 0;
  private readonly clock: () => number;
  private readonly log: (line: string) => void;
  /** RISK_RESULTs appended and assessments that failed, for /metrics and tests. */
  readonly counts = { appended: 0, failed: 0 };

  constructor(private readonly options: AutoRiskOptions) {
    this.byCountry = new Map(options.signers.map((s) => [s.country, s]));
    this.clock = options.clock ?? Date.now;
    this.log = options.log ?? (() => undefined);
  }

  /** The countries whose DECLARATIONs are assessed. */
  get countries(): string[] {
    return [...this.byCountry.keys()];
  }

  /** Subscribes to the ledger: each written DECLARATION is queued for assessment. */
  start(): void {
    if (this.byCountry.size === 0) return;
    this.options.ledger.onAppended((events) => {
      for (const event of events) if (event.eventType === "DECLARATION") this.enqueue(event);
    });
  }

  /** Resolves when every queued assessment is done. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.queue;
  }

  private enqueue(event: AppendedEvent): void {
    this.pending++;
    this.queue = this.queue
      .then(() => this.assessAndAppend(event))
      .catch((error) => {
        this.counts.failed++;
        this.log(`risk assessment of ${event.shipmentId} failed: ${(error as Error).message}`);
      })
      .finally(() => {
        this.pending--;
      });
  }

  private async assessAndAppend(event: AppendedEvent): Promise<void> {
    const entries = await this.options.store.getShipmentEntries(event.shipmentId);
    const declaration = entries.find((e) => e.leafIndex === event.leafIndex);
    if (!declaration) return;
    const destination = (declaration.payload as DeclarationPayload).destinationCountry;
    const signer = this.byCountry.get(destination);
    if (!signer) return;
    // A newer DECLARATION of the shipment will be assessed on its own; this one no longer decides the lane.
    if (entries.some((e) => e.event.eventType === "DECLARATION" && e.seq > declaration.seq)) return;
    const assessment = await assessShipmentRisk({ sources: this.options, entries, declaration, config: this.options.config });
    const payload = riskResultPayload({ assessment, officeCode: `${destination}-AUTO` }) as Record<string, unknown>;
    const signed = signAppendRequest({
      separator: this.options.ledger.domainSeparator,
      privateKey: signer.privateKey,
      shipmentId: event.shipmentId,
      eventType: "RISK_RESULT",
      occurredAtMs: this.clock(),
      payload,
      salts: randomSalts(payload),
    });
    await this.options.ledger.append({ body: signed.request, shipmentId: event.shipmentId });
    this.counts.appended++;
    this.log(`risk ${event.shipmentId}: ${assessment.lane} (${assessment.score}) ${assessment.reasons.map((r) => r.code).join(", ") || "no reasons"}`);
  }
}

/** Runs the risk rules on a shipment's DECLARATION with everything the node knows about it. */
export async function assessShipmentRisk({
  sources,
  entries,
  declaration,
  config,
}: {
  sources: RiskInputSources;
  entries: readonly StoredEntry[];
  declaration: StoredEntry;
  config?: RiskConfig;
}): Promise<RiskAssessment> {
  const order = entries.filter((e) => e.event.eventType === "ORDER").at(-1);
  const orderPayload = order?.payload as OrderPayload | undefined;
  const declarant = await sources.participants.lookup(declaration.event.actor);
  const declaredAt = Date.parse(declaration.event.occurredAt);
  return assessRisk({
    input: {
      shipmentId: declaration.event.shipmentId,
      declaration: declaration.payload as DeclarationPayload,
      declaredAt,
      order: orderPayload,
      declarantTrustTier: declarant?.trustTier,
      consigneeParcels: await consigneeParcelsOf({
        sources,
        entries,
        aroundMs: declaration.recordedAt,
        windowMs: config?.rules.CONSIGNMENT_SPLITTING.windowMs,
      }),
      sellerChecks: orderPayload ? await sellerChecksOf({ sources, order: orderPayload }) : [],
    },
    config,
  });
}

const DEFAULT_WINDOW_MS = 72 * 3600_000;

/**
 * Other parcels to this shipment's consignee (its ORDER's buyer, its DISPATCH's consignee) recorded within two
 * windows before `aroundMs`: each with its latest DECLARATION's value and time, or its ORDER's when not declared yet.
 */
async function consigneeParcelsOf({
  sources,
  entries,
  aroundMs,
  windowMs = DEFAULT_WINDOW_MS,
}: {
  sources: RiskInputSources;
  entries: readonly StoredEntry[];
  aroundMs: number;
  windowMs?: number;
}): Promise<ConsigneeParcel[]> {
  const self = entries[0]?.event.shipmentId;
  const keys = new Set(entries.flatMap((e) => consigneeKeysOf({ eventType: e.event.eventType, payload: e.payload })));
  const others = new Set<string>();
  for (const key of keys) {
    for (const ref of await sources.index.consigneeParcels({ key, fromMs: aroundMs - 2 * windowMs, toMs: aroundMs })) {
      if (ref.shipmentId !== self) others.add(ref.shipmentId);
    }
  }
  const parcels: ConsigneeParcel[] = [];
  for (const shipmentId of others) {
    const theirs = await sources.store.getShipmentEntries(shipmentId);
    const declared = theirs.filter((e) => e.event.eventType === "DECLARATION").at(-1);
    if (declared) {
      const payload = declared.payload as DeclarationPayload;
      parcels.push({ shipmentId, declaredAt: Date.parse(declared.event.occurredAt), totalValue: payload.totalValue });
      continue;
    }
    const ordered = theirs.filter((e) => e.event.eventType === "ORDER").at(-1);
    if (ordered) parcels.push({ shipmentId, declaredAt: Date.parse(ordered.event.occurredAt), totalValue: (ordered.payload as OrderPayload).total });
  }
  return parcels;
}

/** For each ORDER line of a brand with an anchored catalog: whether the order's seller is in the brand's newest one. */
export async function sellerChecksOf({
  sources,
  order,
}: {
  sources: Pick<RiskInputSources, "catalogs" | "brands">;
  order: OrderPayload;
}): Promise<SellerCheck[]> {
  const checks: SellerCheck[] = [];
  for (const item of order.items) {
    if (item.brand === undefined) continue;
    const brand = sources.brands.byBrandName(item.brand);
    if (!brand || brand.version === 0) continue;
    const ref = await sources.catalogs.findSeller({ brandId: brand.brandId, sellerId: order.seller.id });
    checks.push({ lineId: item.lineId, brand: item.brand, sellerId: order.seller.id, authorised: ref !== undefined && ref.version === brand.version });
  }
  return checks;
}
