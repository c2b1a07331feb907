// The BorderLedger client SDK: for one wallet, build and sign events (salts, digests, EIP-712), append one or a batch
// with retries that are safe (the same signed event is the same eventDigest, so a retry can only replay), sign read
// requests, fetch traces and statuses, and verify traces against a pinned network (spec §1.2, §5).
import type { AppendRequest } from "../domain/event";
import type { EventType } from "../domain/event-types";
import type { ReceiptJson, TraceBundle } from "../domain/bundle";
import { NetworkSchema, describeNetworkIssues, type Network } from "../domain/network";
import { domainSeparator } from "../domain/eip712";
import { addressOfPrivateKey, signDigest } from "../domain/signature";
import { signAppendRequest } from "../domain/sign-event";
import { personalMessageDigest, readMessage } from "../domain/read-message";
import { signedCatalogRequest, type CatalogItem } from "../domain/catalog";
import { epcisDocumentOfRequests, type EpcisDocument } from "../domain/epcis/document";
import { signEpcisImport, type EpcisImportBody } from "../domain/epcis/import";
import type { EpcisImportResult } from "../services/epcis-service";
import { signErasure, type ErasureRecord, type PersonalDataField } from "../domain/erasure-request";
import { randomSalts } from "../prepare/salts";
import { withParties } from "./parties";
import { createRpcChainReader } from "../verify/chain-reader";
import { verifyBundle, type VerificationReport } from "../verify/verify-bundle";

export type ClientOptions = {
  /** The node, e.g. http://127.0.0.1:8787 */
  nodeUrl: string;
  /** The participant's private key (0x + 64 hex). */
  privateKey: string;
  /** The EIP-712 domain; read from GET /v1/chain by connect(). */
  domain: { chainId: number; verifyingContract: string };
  /** The ProductRegistry, the verifying contract of brand catalogs; read from GET /v1/chain by connect(). */
  productRegistry?: string;
  /** Attempts per request when the network fails or the node answers 429/5xx. */
  attempts?: number;
  fetch?: typeof fetch;
};

export type EventInput = {
  shipmentId: string;
  eventType: EventType;
  payload: Record<string, unknown>;
  /**
   * Accounts this ORDER, DISPATCH or DECLARATION brings into the shipment (spec §1.1), set as payload.parties: 1 to
   * 8 checksummed addresses, e.g. the carrier and broker a platform's ORDER names. Only parties may append the
   * shipment's later PLATFORM, CARRIER and BROKER events. buildEvent throws a PartiesError on a bad list.
   */
  parties?: readonly string[];
  /** When it happened; now by default. The node refuses more than 30 days before it records it, or 5 minutes after. */
  occurredAt?: Date | number;
};

/** An error answer of the node: its HTTP status and the envelope's code, message and details. */
export class NodeError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(`${status} ${code}: ${message}`);
    this.name = "NodeError";
  }
}

type MoneyJson = { amount: string; currency: string };

/** POST /v1/assess's answer. */
export type TaxAssessmentJson = {
  ruleSet: string;
  customsValue: MoneyJson;
  duty: MoneyJson;
  vat: MoneyJson;
  fees: MoneyJson;
  total: MoneyJson;
  lines: Record<string, unknown>[];
  explanation: string[];
};

export { PartiesError, withParties } from "./parties";
export type { ReceiptJson, TreeHeadJson } from "../domain/bundle";
export type { Network } from "../domain/network";

/**
 * What an append returns: the v2 receipt (spec §3.1) — the leaf, and the tree head of the group commit that wrote it,
 * signed by the log's operator, with the leaf's inclusion proof in that head — and whether it was a replay.
 */
export type AppendReceipt = ReceiptJson & { replayed: boolean };

export type BatchResult = { index: number; status: number; receipt?: ReceiptJson; error?: { code: string; message: string; details?: unknown } };

/** What verifyTrace takes. */
export type VerifyTraceParams = {
  shipmentId: string;
  /** The chain's JSON-RPC, for the on-chain checks. */
  rpcUrl: string;
  /**
   * The network to pin (spec §1.2): the parsed file, or the http(s) URL of the file the consortium publishes (fetched
   * once by this client, then reused). Learn it from anyone but the node being verified: it decides which chain,
   * contracts and logs count.
   */
  network?: Network | string;
  /**
   * Take the network from the verified node's own GET /v1/network (fetched once). This TRUSTS THE NODE: a node that
   * names look-alike contracts or a log of its own vouches for its own bundles. For a node you run yourself, or
   * development; never together with `network`.
   */
  networkFromNode?: boolean;
  /** Completeness fails when the bundle's checkpoint is older than this and the log has anchored a newer one. */
  maxAgeMs?: number;
};

/**
 * verifyTrace's answer: the bundle, the report (its `status` is the verdict: "verified", "pending", "unpinned" or
 * "failed"), and the network it was pinned to — undefined when none was given, and the report is then "unpinned" at
 * best.
 */
export type VerifiedTrace = { bundle: TraceBundle; report: VerificationReport; network: Network | undefined };

/** Fetches a network file (spec §1.2) and parses it as borderledger.network.v1; throws naming what is wrong. */
export async function fetchNetwork({ url, fetch: doFetch = fetch }: { url: string; fetch?: typeof fetch }): Promise<Network> {
  if (!/^https?:\/\//.test(url)) throw new RangeError(`the network's URL must be http(s): ${url}`);
  const response = await doFetch(url, { headers: { accept: "application/json" } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  let json: unknown;
  try {
    json = await response.json();
  } catch (error) {
    throw new Error(`GET ${url} is not JSON: ${(error as Error).message}`);
  }
  // The network is the verifier's trust root: a file that does not parse is refused, never half used.
  const parsed = NetworkSchema.safeParse(json);
  if (!parsed.success) throw new Error(`GET ${url} is not a borderledger.network.v1 file: ${describeNetworkIssues(parsed.error.issues)}`);
  return parsed.data;
}

export class BorderLedgerClient {
  readonly address: string;
  private readonly separator: Buffer;
  private readonly attempts: number;
  private readonly doFetch: typeof fetch;
  private lastReadAt = 0;
  /** Network files fetched by URL, each once. */
  private readonly networks = new Map<string, Promise<Network>>();

  constructor(private readonly options: ClientOptions) {
    this.address = addressOfPrivateKey(options.privateKey);
    this.separator = domainSeparator(options.domain);
    this.attempts = options.attempts ?? 4;
    this.doFetch = options.fetch ?? fetch;
  }

  /** A client whose EIP-712 domain is read from the node's GET /v1/chain. */
  static async connect({ nodeUrl, privateKey, attempts }: { nodeUrl: string; privateKey: string; attempts?: number }): Promise<BorderLedgerClient> {
    const response = await fetch(`${nodeUrl}/v1/chain`);
    if (!response.ok) throw new Error(`GET ${nodeUrl}/v1/chain answered ${response.status}`);
    const chain = (await response.json()) as { chainId: number; participantRegistry: string; productRegistry: string };
    return new BorderLedgerClient({
      nodeUrl,
      privateKey,
      attempts,
      domain: { chainId: chain.chainId, verifyingContract: chain.participantRegistry },
      productRegistry: chain.productRegistry,
    });
  }

  /** Builds and signs an append request with fresh random salts (16 bytes per field), naming `parties` if given. */
  buildEvent(input: EventInput): { request: AppendRequest; eventDigest: string } {
    const payload = input.parties === undefined ? input.payload : withParties({ eventType: input.eventType, payload: input.payload, parties: input.parties });
    const salts = randomSalts(payload);
    const occurredAtMs = input.occurredAt === undefined ? Date.now() : typeof input.occurredAt === "number" ? input.occurredAt : input.occurredAt.getTime();
    const signed = signAppendRequest({
      separator: this.separator,
      privateKey: this.options.privateKey,
      shipmentId: input.shipmentId,
      eventType: input.eventType,
      occurredAtMs,
      payload,
      salts,
    });
    return { request: signed.request, eventDigest: signed.eventDigest };
  }

  /** Appends one event (built here, or a request built before); retries cannot duplicate it. */
  async append(input: EventInput | AppendRequest): Promise<AppendReceipt> {
    const request = "event" in input ? input : this.buildEvent(input).request;
    const response = await this.send("POST", `/v1/shipments/${encodeURIComponent(request.event.shipmentId)}/events`, request);
    return { ...((await response.json()) as ReceiptJson), replayed: response.status === 200 };
  }

  /** Appends up to 1,000 events in one request; each is answered on its own. */
  async appendBatch(inputs: (EventInput | AppendRequest)[]): Promise<BatchResult[]> {
    const events = inputs.map((input) => ("event" in input ? input : this.buildEvent(input).request));
    const response = await this.send("POST", "/v1/events:batch", { events });
    return ((await response.json()) as { results: BatchResult[] }).results;
  }

  /**
   * An EPCIS document carrying these events (built and signed here, or requests signed by their own actors before),
   * signed as a whole by this participant, ready for importEpcis. All events must be of one shipment.
   */
  buildEpcisImport({ events, creationDate = new Date() }: { events: (EventInput | AppendRequest)[]; creationDate?: Date }): {
    shipmentId: string;
    body: EpcisImportBody;
  } {
    const requests = events.map((input) => ("event" in input ? input : this.buildEvent(input).request));
    const shipmentId = requests[0]?.event.shipmentId;
    if (shipmentId === undefined || requests.some((r) => r.event.shipmentId !== shipmentId)) {
      throw new RangeError("an EPCIS import carries the events of exactly one shipment");
    }
    const document = epcisDocumentOfRequests({ separator: this.separator, requests, creationDate: creationDate.toISOString() });
    return { shipmentId, body: signEpcisImport({ separator: this.separator, shipmentId, document, privateKey: this.options.privateKey }) };
  }

  /** Posts a signed EPCIS document; its events are recorded all or none. */
  async importEpcis({ shipmentId, body }: { shipmentId: string; body: EpcisImportBody }): Promise<EpcisImportResult> {
    const response = await this.send("POST", `/v1/shipments/${encodeURIComponent(shipmentId)}/epcis`, body);
    return (await response.json()) as EpcisImportResult;
  }

  /** The shipment as an EPCIS 2.0 document, as this participant may see it. */
  async epcis(shipmentId: string): Promise<EpcisDocument> {
    return (await (await this.send("GET", `/v1/shipments/${encodeURIComponent(shipmentId)}/epcis`)).json()) as EpcisDocument;
  }

  /**
   * Erases personal data of a shipment (by default its buyer, consignor, consignee, TAX_PAID.payment and
   * DELIVERY.deliveredTo; INSPECTION.findings, RELEASE.reason and CLAIM.detail when named — `fields`, when given, is
   * exactly what is erased). This participant must be customs of the destination country or the registry's admin.
   */
  async erase({ shipmentId, fields, reason }: { shipmentId: string; fields?: PersonalDataField[]; reason: string }): Promise<ErasureRecord> {
    const body = signErasure({ separator: this.separator, privateKey: this.options.privateKey, shipmentId, fields, reason, requestedAtMs: Date.now() });
    return (await (await this.send("POST", `/v1/shipments/${encodeURIComponent(shipmentId)}/erasures`, body)).json()) as ErasureRecord;
  }

  /** A shipment's erasure records, oldest first. */
  async erasures(shipmentId: string): Promise<ErasureRecord[]> {
    return ((await (await this.send("GET", `/v1/shipments/${encodeURIComponent(shipmentId)}/erasures`)).json()) as { erasures: ErasureRecord[] }).erasures;
  }

  /**
   * The X-BL headers of a signed read (spec §9). The node accepts each signature once, and the same read signed in
   * the same millisecond is the same signature, so each read of this client gets a millisecond of its own.
   */
  readHeaders({
    method,
    pathAndQuery,
    timestamp = this.nextReadTimestamp(),
  }: {
    method: string;
    pathAndQuery: string;
    timestamp?: number;
  }): Record<string, string> {
    const digest = personalMessageDigest(readMessage({ method, pathAndQuery, timestamp }));
    return { "x-bl-address": this.address, "x-bl-timestamp": String(timestamp), "x-bl-signature": signDigest({ digest, privateKey: this.options.privateKey }) };
  }

  /** The shipment's trace bundle as this participant may see it. */
  async trace(shipmentId: string): Promise<TraceBundle> {
    return (await (await this.send("GET", `/v1/shipments/${encodeURIComponent(shipmentId)}/trace`)).json()) as TraceBundle;
  }

  /**
   * Fetches the shipment's trace and verifies it against the chain at `rpcUrl` and the pinned `network` (every check
   * of spec §5), trusting nothing the node says beyond the bundle itself — unless `networkFromNode` says to take the
   * network from it. Without a network the report is at best "unpinned": the bundle's own contracts and log are used.
   */
  async verifyTrace({ shipmentId, rpcUrl, network, networkFromNode = false, maxAgeMs }: VerifyTraceParams): Promise<VerifiedTrace> {
    if (network !== undefined && networkFromNode) throw new RangeError("give network or networkFromNode, not both");
    const pinned = networkFromNode
      ? await this.networkAt(`${this.options.nodeUrl}/v1/network`)
      : typeof network === "string"
        ? await this.networkAt(network)
        : network;
    const bundle = await this.trace(shipmentId);
    const chain = createRpcChainReader({ rpcUrl });
    try {
      const report = await verifyBundle({ bundle, chain, network: pinned, shipmentId, ...(maxAgeMs === undefined ? {} : { maxAgeMs }) });
      return { bundle, report, network: pinned };
    } finally {
      chain.close();
    }
  }

  /** The network file at `url`, fetched the first time it is asked for; a failed fetch is tried again next time. */
  private networkAt(url: string): Promise<Network> {
    let network = this.networks.get(url);
    if (network === undefined) {
      network = fetchNetwork({ url, fetch: this.doFetch });
      this.networks.set(url, network);
      network.catch(() => this.networks.delete(url));
    }
    return network;
  }

  /** The shipment's derived status. */
  async status(shipmentId: string): Promise<Record<string, unknown>> {
    return (await (await this.send("GET", `/v1/shipments/${encodeURIComponent(shipmentId)}`)).json()) as Record<string, unknown>;
  }

  /** The duty and taxes due for a DECLARATION payload on a date (YYYY-MM-DD), line by line (POST /v1/assess). */
  async assess({ declaration, date }: { declaration: Record<string, unknown>; date: string }): Promise<TaxAssessmentJson> {
    return (await (await this.send("POST", "/v1/assess", { declaration, date })).json()) as TaxAssessmentJson;
  }

  /** Whether an item is registered by its brand, sold by an authorised seller, and not seen in other shipments. */
  async authenticity({ gtin, serial, shipmentId }: { gtin: string; serial: string; shipmentId?: string }): Promise<Record<string, unknown>> {
    const query = new URLSearchParams({ gtin, serial, ...(shipmentId === undefined ? {} : { shipmentId }) });
    return (await (await this.send("GET", `/v1/authenticity?${query}`)).json()) as Record<string, unknown>;
  }

  /**
   * As a brand owner: signs the brand's next catalog (its authentic items and authorised sellers) and has the node
   * anchor it in ProductRegistry. `version` is the brand's current catalog version + 1.
   */
  async registerCatalog({
    brand,
    version,
    items,
    sellers,
  }: {
    brand: string;
    version: number;
    items: CatalogItem[];
    sellers: string[];
  }): Promise<Record<string, unknown>> {
    if (this.options.productRegistry === undefined) throw new Error("registerCatalog needs the ProductRegistry address: create the client with connect()");
    const request = signedCatalogRequest({
      chainId: this.options.domain.chainId,
      productRegistry: this.options.productRegistry,
      brand,
      version,
      items,
      sellers,
      privateKey: this.options.privateKey,
    });
    return (await (await this.send("POST", "/v1/brands/catalog", request)).json()) as Record<string, unknown>;
  }

  /** The registered brands and their catalog versions. */
  async brands(): Promise<{ brandId: string; name: string; owner: string; catalogVersion: number }[]> {
    return ((await (await this.send("GET", "/v1/brands")).json()) as { brands: never[] }).brands;
  }

  /** The log's newest anchored checkpoint (treeSize 0 and nulls before the first) and its current head (GET /v1/log/checkpoint). */
  async checkpoint(): Promise<{
    logId: string;
    treeSize: number;
    rootHash: string | null;
    headsRoot: string | null;
    txHash: string | null;
    blockNumber: number | null;
    head: { treeSize: number; rootHash: string };
  }> {
    return (await (await this.send("GET", "/v1/log/checkpoint")).json()) as never;
  }

  /**
   * Sends a request, retrying on network failures, 429 (after Retry-After) and 5xx. Appends are safe to retry: the
   * body is the same signed event, so a second arrival can only be answered with the first receipt. Reads are
   * signed anew on every attempt (the node accepts each read signature once).
   */
  private nextReadTimestamp(): number {
    this.lastReadAt = Math.max(Date.now(), this.lastReadAt + 1);
    return this.lastReadAt;
  }

  private async send(method: "GET" | "POST", pathAndQuery: string, body?: unknown): Promise<Response> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt++) {
      const headers: Record<string, string> = method === "GET" ? this.readHeaders({ method, pathAndQuery }) : { "content-type": "application/json" };
      let response: Response;
      try {
        response = await this.doFetch(`${this.options.nodeUrl}${pathAndQuery}`, { method, headers, body: text });
      } catch (error) {
        lastError = error;
        await delay(backoff(attempt));
        continue;
      }
      if (response.ok) return response;
      const envelope = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string; details?: unknown } };
      const error = new NodeError(response.status, envelope.error?.code ?? "UNKNOWN", envelope.error?.message ?? response.statusText, envelope.error?.details);
      if (response.status !== 429 && response.status < 500) throw error;
      lastError = error;
      const retryAfter = Number(response.headers.get("retry-after"));
      await delay(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoff(attempt));
    }
    throw lastError;
  }
}

function backoff(attempt: number): number {
  return Math.min(2000, 100 * 2 ** (attempt - 1));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
