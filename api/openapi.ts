// /openapi.json, generated from the same zod schemas that check requests, and a small docs page.
import { z } from "zod";
import { TraceBundleSchema, ReceiptSchema } from "../node/domain/bundle";
import { AppendRequestSchema } from "../node/domain/event";
import { EVENT_TYPES } from "../node/domain/event-types";
import { Gtin, Identifier, PAYLOAD_SCHEMAS } from "../node/domain/payloads";
import { EpcisImportBodySchema } from "../node/domain/epcis/import";
import { ErasureBodySchema } from "../node/domain/erasure-request";

function schema(type: z.ZodType): Record<string, unknown> {
  return z.toJSONSchema(type, { unrepresentable: "any", io: "input" }) as Record<string, unknown>;
}

const errorSchema = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "object", required: ["code", "message"], properties: { code: { type: "string" }, message: { type: "string" }, details: {} } } },
};

const json = (s: unknown) => ({ content: { "application/json": { schema: s } } });
const errors = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [String(s), { description: "error", ...json({ $ref: "#/components/schemas/Error" }) }]));
const readAuth = [{ blAddress: [], blTimestamp: [], blSignature: [] }, {}];
const shipmentId = { name: "id", in: "path", required: true, schema: { type: "string", pattern: "^[A-Za-z0-9._:-]{1,64}$" } };

export function openApiDocument(): Record<string, unknown> {
  return {
    openapi: "3.1.0",
    info: {
      title: "BorderLedger API",
      version: "1",
      description:
        "Signed shipment lifecycle events in an RFC 9162 log anchored on an EVM chain. Protocol: docs/specification.md in the BorderLedger repository.",
    },
    servers: [{ url: "/v1" }],
    components: {
      schemas: {
        AppendRequest: schema(AppendRequestSchema),
        Receipt: schema(ReceiptSchema),
        TraceBundle: schema(TraceBundleSchema),
        Error: errorSchema,
        ...Object.fromEntries(EVENT_TYPES.map((t) => [`${t}Payload`, schema(PAYLOAD_SCHEMAS[t])])),
      },
      securitySchemes: {
        blAddress: { type: "apiKey", in: "header", name: "X-BL-Address" },
        blTimestamp: { type: "apiKey", in: "header", name: "X-BL-Timestamp" },
        blSignature: { type: "apiKey", in: "header", name: "X-BL-Signature", description: "EIP-191 personal_sign of `${METHOD} ${pathAndQuery} ${timestamp}`" },
      },
    },
    paths: {
      "/shipments/{id}/events": {
        post: {
          summary: "Append one signed event",
          parameters: [shipmentId],
          requestBody: { required: true, ...json({ $ref: "#/components/schemas/AppendRequest" }) },
          responses: {
            "201": { description: "appended", ...json({ $ref: "#/components/schemas/Receipt" }) },
            "200": { description: "the same event again: its first receipt", ...json({ $ref: "#/components/schemas/Receipt" }) },
            ...errors(400, 401, 403, 409, 413, 415, 429),
          },
        },
      },
      "/events:batch": {
        post: {
          summary: "Append up to 1,000 events, each answered on its own",
          requestBody: {
            required: true,
            ...json({
              type: "object",
              required: ["events"],
              properties: { events: { type: "array", maxItems: 1000, items: { $ref: "#/components/schemas/AppendRequest" } } },
            }),
          },
          responses: { "200": { description: "one result per event, in order" }, ...errors(400, 413, 415, 429) },
        },
      },
      "/shipments/{id}": {
        get: {
          summary: "Derived status",
          parameters: [shipmentId],
          security: readAuth,
          responses: { "200": { description: "status" }, ...errors(400, 401, 404) },
        },
      },
      "/shipments/{id}/epcis": {
        get: {
          summary: "The shipment as an EPCIS 2.0 JSON-LD document for this viewer (GS1 schema-valid; carries the trace bundle in bl: members)",
          parameters: [shipmentId],
          security: readAuth,
          responses: { "200": { description: "EPCISDocument", content: { "application/ld+json": { schema: { type: "object" } } } }, ...errors(400, 401, 404) },
        },
        post: {
          summary: "Record the events of an EPCIS 2.0 document signed as a whole (EIP-712 EpcisDocument), all or none",
          parameters: [shipmentId],
          requestBody: {
            required: true,
            content: { "application/ld+json": { schema: schema(EpcisImportBodySchema) }, "application/json": { schema: schema(EpcisImportBodySchema) } },
          },
          responses: {
            "201": { description: "recorded; one receipt per event" },
            "200": { description: "every event was already recorded: their receipts" },
            ...errors(400, 401, 403, 409, 413, 415, 429),
          },
        },
      },
      "/shipments/{id}/erasures": {
        get: {
          summary: "The shipment's personal data erasures: signed requests and what each erased (never the values)",
          parameters: [shipmentId],
          responses: { "200": { description: "erasure records, oldest first" }, ...errors(400, 404) },
        },
        post: {
          summary:
            "Erase personal data (by default buyer, consignor, consignee, payment and recipient; on request the free-text findings, release reason and claim detail) at a request signed by customs of the destination or the registry's admin (EIP-712 Erasure); digests stay, bundles still verify",
          parameters: [shipmentId],
          requestBody: { required: true, ...json(schema(ErasureBodySchema)) },
          responses: {
            "201": { description: "erased; the erasure record" },
            "200": { description: "the same signed request again: its record" },
            ...errors(400, 401, 403, 404, 409, 413, 415, 429, 503),
          },
        },
      },
      "/shipments/{id}/trace": {
        get: {
          summary: "Trace bundle borderledger.trace.v2 for this viewer",
          parameters: [shipmentId],
          security: readAuth,
          responses: { "200": { description: "bundle", ...json({ $ref: "#/components/schemas/TraceBundle" }) }, ...errors(400, 401, 404) },
        },
      },
      "/shipments/{id}/verify": {
        get: {
          summary:
            "Verification report (spec §5) of the trace bundle this viewer would get, checked against the chain: anonymous readers get the checks of the digests-and-parties bundle, so no reason names a value the reader may not see",
          parameters: [shipmentId],
          security: readAuth,
          responses: { "200": { description: "report: status and every check by name with its reason" }, ...errors(400, 401, 404) },
        },
      },
      "/authenticity": {
        get: {
          summary:
            "Is an item (GTIN + serial) in its brand's anchored catalog, and in other shipments: everyone gets the verdict and the catalog proof; the sightings (shipments, sellers, times) only the brand's owner and customs, who sign the read",
          parameters: [
            { name: "gtin", in: "query", required: true, schema: schema(Gtin) },
            { name: "serial", in: "query", required: true, schema: schema(Identifier) },
            { ...shipmentId, name: "shipmentId", in: "query", required: false },
          ],
          security: readAuth,
          responses: { "200": { description: "authenticity report" }, ...errors(400, 401) },
        },
      },
      "/log/checkpoint": {
        get: { summary: "Newest anchored checkpoint (root and heads root) and the log's head", responses: { "200": { description: "checkpoint" } } },
      },
      "/log/leaves": {
        get: {
          summary: "Leaves of the log with their five fields and hashes, for monitors (at most 1,000 a call)",
          parameters: [
            { name: "start", in: "query", required: true, schema: { type: "integer", minimum: 0 } },
            { name: "count", in: "query", required: false, schema: { type: "integer", minimum: 1, maximum: 1000, default: 1000 } },
          ],
          responses: { "200": { description: "leaves" }, ...errors(400) },
        },
      },
      "/log/heads/{shipment}": {
        get: {
          summary: "A shipment's head proof in the heads map of the newest anchored checkpoint, by shipmentId or shipmentKey",
          parameters: [{ name: "shipment", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "head proof" }, ...errors(400, 404) },
        },
      },
      "/log/tree-heads/latest": {
        get: { summary: "The newest tree head the log operator signed (EIP-712 TreeHead)", responses: { "200": { description: "tree head" }, ...errors(404) } },
      },
      "/network": {
        get: {
          summary: "The network file this node belongs to (borderledger.network.v1), which verifiers pin",
          responses: { "200": { description: "network" } },
        },
      },
      "/log/proof/consistency": {
        get: {
          summary: "RFC 9162 consistency proof between two tree sizes",
          parameters: [
            { name: "from", in: "query", required: true, schema: { type: "integer", minimum: 0 } },
            { name: "to", in: "query", required: true, schema: { type: "integer", minimum: 0 } },
          ],
          responses: { "200": { description: "proof" }, ...errors(400) },
        },
      },
      "/log/entries/{leafIndex}": {
        get: {
          summary: "A log entry with its inclusion proof",
          parameters: [
            { name: "leafIndex", in: "path", required: true, schema: { type: "integer", minimum: 0 } },
            { name: "treeSize", in: "query", required: false, schema: { type: "integer", minimum: 1 } },
          ],
          security: readAuth,
          responses: { "200": { description: "entry" }, ...errors(400, 401, 404) },
        },
      },
      "/chain": { get: { summary: "Chain id, JSON-RPC URL, contract addresses, log id, dev accounts", responses: { "200": { description: "chain" } } } },
      "/participants/{address}": {
        get: {
          summary: "A participant's profile and roles",
          parameters: [{ name: "address", in: "path", required: true, schema: { type: "string" } }],
          responses: { "200": { description: "participant" }, ...errors(400, 404) },
        },
      },
      "/health": {
        get: {
          summary: "Node and chain health: ok, or degraded with a one-line reason",
          responses: { "200": { description: "ok" }, "503": { description: "degraded: the chain unreachable, or the last anchoring attempts failed" } },
        },
      },
    },
  };
}

/** A readable page listing every route, from the same document. */
export function docsPage(): string {
  const doc = openApiDocument() as { paths: Record<string, Record<string, { summary: string }>> };
  const rows = Object.entries(doc.paths)
    .flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => `<tr><td><code>${method.toUpperCase()}</code></td><td><code>/v1${path}</code></td><td>${op.summary}</td></tr>`),
    )
    .join("\n");
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>BorderLedger API</title>
<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse;width:100%}td{border-bottom:1px solid #ddd;padding:.4rem}</style></head>
<body><h1>BorderLedger API v1</h1><p>Machine-readable: <a href="/openapi.json">/openapi.json</a>. Metrics: <a href="/metrics">/metrics</a>.</p>
<p>Errors are <code>{"error":{"code","message","details"}}</code>. Reads that return payloads take <code>X-BL-Address</code>, <code>X-BL-Timestamp</code> and <code>X-BL-Signature</code> (EIP-191 of <code>METHOD pathAndQuery timestamp</code>).</p>
<table>${rows}</table></body></html>`;
}
