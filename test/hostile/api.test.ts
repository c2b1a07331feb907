// Hostile input to the HTTP API and the explorer: random and mutated bodies, paths, queries and signed-read headers.
import { expect } from "chai";
import fc from "fast-check";
import { createApp } from "../../api/app";
import { openApiDocument } from "../../api/openapi";
import { devWallet } from "../../node/chain/dev-participants";
import type { TraceBundle } from "../../node/domain/bundle";
import { signedCatalogRequest } from "../../node/domain/catalog";
import { bundleToEpcis, epcisDocumentOfRequests } from "../../node/domain/epcis/document";
import { signEpcisImport } from "../../node/domain/epcis/import";
import { signErasure } from "../../node/domain/erasure-request";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import type { AppendRequest } from "../../node/domain/event";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { defined, elementAt } from "../helpers/assertions";
import { openTestNode, traceBundleOf } from "../helpers/bundle";
import { happyLifecycle, signedAppend } from "../helpers/events";
import {
  applyMutation,
  defineOwn,
  describeMutation,
  hostileJson,
  hostileString,
  jsonRoundTrip,
  mutated,
  mutationOf,
  nested,
  sameJson,
  wellFormedMutationOf,
  type Json,
} from "./arbitraries";

/** Two full lifecycles and one waiting for its DELIVERY, all anchored. */
const FULL = "HOSTILE-A1";
const OTHER = "HOSTILE-A2";
const PARTIAL = "HOSTILE-A3";
const SHIPMENTS = [FULL, OTHER, PARTIAL];
/** Not a run may take this long; one that does counts as a hang. Not a timing assertion on speed. */
const HANG_MS = 20_000;
const BODY_KEYS = [
  "event",
  "payload",
  "salts",
  "events",
  "declaration",
  "date",
  "buyerYearToDate",
  "document",
  "signature",
  "brand",
  "version",
  "items",
  "sellers",
  "request",
  "bundle",
  "json",
];
const ENVELOPE_CODES = ["VALIDATION_FAILED", "BAD_SIGNATURE", "PAYLOAD_TOO_LARGE"];
const DEV_ADDRESSES = Array.from({ length: 10 }, (_, i) => devWallet(i).address);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read loosely: the assertions check their shape
type Answer = { status: number; text: string; json?: any };
/** What a request body may be (lib "dom" is not loaded, so there is no BodyInit). */
type Body = NonNullable<RequestInit["body"]>;

describe("hostile input to the API", function () {
  this.timeout(180_000);
  let node: { runtime: NodeRuntime; close(): Promise<void> };
  let runtime: NodeRuntime;
  let app: ReturnType<typeof createApp>;
  /** Signed, valid and never sent: a no-op mutation of one is appended (201, then 200), any other is refused. */
  let fresh: AppendRequest[];
  let bundle: TraceBundle;
  let epcisExport: unknown;
  let postRoutes: { method: string; path: string }[];
  /** A valid body for each POST route other than appends: a no-op mutation of one is accepted, any other refused. */
  let validBodies: { url: string; body: Record<string, unknown> }[];
  let getRoutes: string[];

  before(async () => {
    node = await openTestNode({ logName: "hostile-api" });
    runtime = node.runtime;
    // Rate limits are their own subject (429 is a fine answer, but would hide what the input does).
    // Hostile input, not hostile load: no budget and no anonymous share stands between a property and its answer.
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z"), rateLimit: { perSecond: 1e9, burst: 1e9, anonymousWorkMsPerSecond: 0 } });
    const separator = runtime.ledger.domainSeparator;
    const partial = happyLifecycle({ separator, shipmentId: PARTIAL });
    for (const { request } of [
      ...happyLifecycle({ separator, shipmentId: FULL }),
      ...happyLifecycle({ separator, shipmentId: OTHER }),
      ...partial.slice(0, 6),
    ]) {
      const response = await post(`/v1/shipments/${request.event.shipmentId}/events`, JSON.stringify(request));
      expect(response.status, await response.clone().text()).to.equal(201);
    }
    await runtime.anchorer.anchorNow();
    fresh = [
      elementAt(partial, 6).request,
      signedAppend({ separator, signer: 1, shipmentId: "HOSTILE-M1", eventType: "ORDER" }).request,
      signedAppend({ separator, signer: 2, shipmentId: "HOSTILE-M2", eventType: "DISPATCH" }).request,
    ];
    const { chainId, addresses } = runtime.chain;
    const imported = happyLifecycle({ separator, shipmentId: "HOSTILE-E1" }).map(({ request }) => request);
    const document = epcisDocumentOfRequests({ separator, requests: imported, creationDate: "2026-06-02T00:00:00.000Z" });
    validBodies = [
      { url: "/v1/assess", body: { declaration: structuredClone(EXAMPLE_PAYLOADS.DECLARATION), date: "2026-06-01" } },
      {
        url: "/v1/brands/catalog",
        body: signedCatalogRequest({
          chainId,
          productRegistry: addresses.productRegistry,
          brand: "Stridewell",
          version: 1,
          items: [{ gtin: "7612345000028", serial: "SW-0001" }],
          sellers: ["SELLER-SW-1"],
          privateKey: devWallet(7).privateKey,
        }),
      },
      {
        url: "/v1/shipments/HOSTILE-E1/epcis",
        body: jsonRoundTrip(signEpcisImport({ separator, shipmentId: "HOSTILE-E1", document, privateKey: devWallet(1).privateKey })),
      },
      // Not the default fields: a body without "fields" must then be another request.
      {
        url: `/v1/shipments/${OTHER}/erasures`,
        body: signErasure({
          separator,
          privateKey: devWallet(4).privateKey,
          shipmentId: OTHER,
          fields: ["ORDER.buyer"],
          reason: "Case 2026/17",
          requestedAtMs: Date.now(),
        }),
      },
    ];
    bundle = await traceBundleOf({ runtime, shipmentId: FULL });
    epcisExport = jsonRoundTrip(bundleToEpcis({ bundle, separator, creationDate: "2026-06-02T00:00:00.000Z" }));
    const routes = app.routes.filter((r) => r.method !== "ALL");
    // One per method and path, in the app's order.
    postRoutes = [...new Map(routes.filter((r) => r.method !== "GET").map((r) => [`${r.method} ${r.path}`, { method: r.method, path: r.path }])).values()];
    getRoutes = unique(routes.filter((r) => r.method === "GET").map((r) => r.path));
  });
  after(async () => {
    await node?.close();
  });

  function unique<T>(items: T[]): T[] {
    return [...new Set(items)];
  }

  /** A request with `contentType`, or with none at all when it is null. */
  async function post(url: string, body: Body | undefined, contentType: string | null = "application/json", method = "POST"): Promise<Response> {
    return app.request(url, { method, headers: contentType === null ? {} : { "content-type": contentType }, body });
  }

  /** A URL app.request can be given at all (a client could not send one the Request constructor refuses). */
  function isRequestable(url: string, headers: Record<string, string> = {}): boolean {
    try {
      new Request(`http://localhost${url}`, { headers });
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Below 500, and an API error is the JSON envelope `{ error: { code, message } }` and nothing else. Explorer pages
   * (outside /v1) answer errors as HTML pages; a JSON answer there must be the envelope too.
   */
  async function expectSafe(response: Response, what: string): Promise<Answer> {
    const text = await response.text();
    const answer: Answer = { status: response.status, text };
    expect(response.status, `${what} answered ${response.status}: ${text.slice(0, 400)}`).to.be.below(500);
    const type = response.headers.get("content-type") ?? "";
    if (/json/.test(type)) answer.json = JSON.parse(text);
    if (response.status >= 400 && (/^(GET|POST|PUT|PATCH|DELETE) \/v1\//.test(what) || /json/.test(type))) {
      expect(type, `${what}: an API error is JSON`).to.match(/^application\/json/);
      expect(Object.keys(answer.json), what).to.deep.equal(["error"]);
      expect(answer.json.error.code, what).to.be.a("string");
      expect(answer.json.error.message, what).to.be.a("string");
    }
    return answer;
  }

  /** What a refused request must leave as it was: the log, brands' catalogs, erasure records. */
  async function snapshot(): Promise<string> {
    const erasures = await Promise.all(SHIPMENTS.map((id) => runtime.erasures.list(id)));
    const brands = runtime.brands.all().map((b) => [b.brandId, b.version]);
    return JSON.stringify({ treeSize: runtime.log.treeSize, brands, erasures: erasures.map((e) => e.length) });
  }

  const shipmentSegment = fc.oneof(
    fc.constantFrom(FULL, PARTIAL, "HOSTILE-UNKNOWN", "x".repeat(64)),
    fc.constantFrom("%2e%2e", "%00", "x".repeat(65), "a%20b", "%E0%A4%A", "__proto__", "constructor", "%F0%9F%98%80"),
    hostileString.filter((s) => s.length > 0 && s.length < 2000).map(encodeSegment),
  );

  /** A path segment as a careless client would write it: percent-encoded when that works, else the raw characters. */
  function encodeSegment(text: string): string {
    try {
      return encodeURIComponent(text);
    } catch {
      return text.replace(/[/?#]/g, "_");
    }
  }

  describe("random bodies to every POST route", () => {
    const KNOWN = [
      "/v1/shipments/:id/events",
      "/v1/events:batch",
      "/v1/shipments/:id/epcis",
      "/v1/brands/catalog",
      "/v1/assess",
      "/v1/shipments/:id/erasures",
      "/verify",
    ];

    it("enumerates the routes: every POST route of the app and of /openapi.json", () => {
      const posts = postRoutes.map((r) => r.path);
      expect(posts).to.include.members(KNOWN);
      const documented = Object.entries(openApiDocument().paths as Record<string, Record<string, unknown>>)
        .filter(([, ops]) => "post" in ops)
        .map(([p]) => "/v1" + p.replace(/\{(\w+)\}/g, ":$1"));
      expect(posts).to.include.members(documented);
    });

    const bodies = fc.oneof(
      fc.uint8Array({ maxLength: 400 }).map((bytes): { what: string; body: Body } => ({ what: "bytes", body: bytes })),
      hostileJson.map((json) => ({ what: "JSON", body: JSON.stringify(json) as Body })),
      fc.jsonValue().map((json) => ({ what: "JSON", body: JSON.stringify(json) as Body })),
      hostileString.map((text) => ({ what: "text", body: text as Body })),
      // Shaped like the routes' bodies at the top, random below, so that deeper checks are reached too.
      fc.array(fc.tuple(fc.constantFrom(...BODY_KEYS), hostileJson), { minLength: 1, maxLength: 4 }).map((pairs) => {
        const object: Record<string, unknown> = {};
        for (const [key, value] of pairs) object[key] = value;
        return { what: "shaped JSON", body: JSON.stringify(object) as Body };
      }),
      fc.array(hostileJson, { minLength: 1, maxLength: 3 }).map((events) => ({ what: "batch", body: JSON.stringify({ events }) as Body })),
      fc.integer({ min: 100, max: 200_000 }).map((depth) => ({ what: `JSON ${depth} deep`, body: "[".repeat(depth) + "]".repeat(depth) })),
    );
    const contentTypes = fc.constantFrom(
      null,
      "application/json",
      "application/json; charset=utf-8",
      "APPLICATION/JSON",
      "application/ld+json",
      "application/jsonx",
      "text/plain",
      "multipart/form-data; boundary=hostile",
      "application/x-www-form-urlencoded",
      "",
      "application/json; charset=latin1",
    );

    it("never answers 5xx, answers errors in the envelope, and stores nothing", async () => {
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 1_000 }), shipmentSegment, bodies, contentTypes, async (pick, id, { what, body }, contentType) => {
          const route = elementAt(postRoutes, pick % postRoutes.length);
          const url = route.path.replace(":id", id);
          fc.pre(isRequestable(url));
          const label = `${route.method} ${url} with ${what} as ${contentType ?? "no content type"}`;
          const answer = await expectSafe(await post(url, body, contentType, route.method), label);
          if (route.path === "/v1/events:batch" && answer.status === 200) {
            for (const result of answer.json.results) expect(result.status, label).to.be.within(400, 499);
          } else if (route.path !== "/v1/assess" && route.path !== "/verify") {
            expect(answer.status, `${label} was accepted: ${answer.text.slice(0, 300)}`).to.be.at.least(400);
          }
          expect(await snapshot(), label).to.equal(before);
        }),
        { numRuns: 1000, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });

  describe("mutations of valid signed append requests", () => {
    /** Edits of the body's text that keep or change what it parses to. */
    const textEdits = (base: AppendRequest) => {
      const text = JSON.stringify(base);
      return fc.oneof(
        fc.constant({ what: "pretty-printed", text: JSON.stringify(base, null, 2) }),
        fc.constant({ what: "with a byte order mark", text: "\uFEFF" + text }),
        fc.constant({
          what: "with an escaped character",
          text: text.replace(/"shipmentId":"(.)/, (_, c: string) => `"shipmentId":"\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
        }),
        hostileJson.map((json) => ({ what: "with a duplicate event key before", text: `{"event":${JSON.stringify(json)},${text.slice(1)}` })),
        hostileJson.map((json) => ({ what: "with a duplicate event key after", text: `${text.slice(0, -1)},"event":${JSON.stringify(json)}}` })),
        hostileJson.map((json) => ({ what: "with a duplicate payload key after", text: `${text.slice(0, -1)},"payload":${JSON.stringify(json)}}` })),
        fc.integer({ min: 1, max: text.length - 1 }).map((k) => ({ what: `truncated by ${k}`, text: text.slice(0, text.length - k) })),
      );
    };
    /** What the node would parse: the body's text without a byte order mark (fetch's UTF-8 decode drops it). */
    const parsedBody = (text: string): unknown => {
      try {
        return JSON.parse(text.replace(/^\uFEFF/, ""));
      } catch {
        return undefined;
      }
    };

    it("never answers 5xx; answers 201/200 only for the same request, and any other (a key named twice too) is refused with 400/401 (403 in a batch for an actor no one registered), storing nothing", async () => {
      const requests = fc.nat({ max: 2 }).chain((i) =>
        fc.oneof(
          {
            weight: 3,
            arbitrary: mutationOf(elementAt(fresh, i)).map((mutation) => ({
              i,
              what: describeMutation(mutation),
              text: JSON.stringify(applyMutation(elementAt(fresh, i), mutation)),
            })),
          },
          // Values of the right form: only the payloadHash or the signature can tell.
          {
            weight: 3,
            arbitrary: wellFormedMutationOf(elementAt(fresh, i), DEV_ADDRESSES).map((mutation) => ({
              i,
              what: describeMutation(mutation),
              text: JSON.stringify(applyMutation(elementAt(fresh, i), mutation)),
            })),
          },
          // The envelope's own levels (event, payload, salts and their keys), where a random path seldom lands.
          {
            weight: 2,
            arbitrary: mutationOf(elementAt(fresh, i), (p) => p.length <= 2).map((mutation) => ({
              i,
              what: describeMutation(mutation),
              text: JSON.stringify(applyMutation(elementAt(fresh, i), mutation)),
            })),
          },
          { weight: 1, arbitrary: textEdits(elementAt(fresh, i)).map(({ what, text }) => ({ i, what, text })) },
        ),
      );
      await fc.assert(
        fc.asyncProperty(requests, fc.boolean(), async ({ i, what, text }, batch) => {
          const base = elementAt(fresh, i);
          const size = runtime.log.treeSize;
          const same = sameJson(parsedBody(text), base);
          const label = `${what}${batch ? " (in a batch)" : ""}`;
          let status: number;
          let code: string | undefined;
          if (batch) {
            const inner = parsedBody(text);
            fc.pre(inner !== undefined);
            const answer = await expectSafe(await post("/v1/events:batch", JSON.stringify({ events: [inner] })), `POST /v1/events:batch ${label}`);
            if (answer.status !== 200) {
              status = answer.status;
              code = answer.json.error.code;
            } else {
              status = answer.json.results[0].status;
              code = answer.json.results[0].error?.code;
            }
          } else {
            const answer = await expectSafe(
              await post(`/v1/shipments/${base.event.shipmentId}/events`, text),
              `POST /v1/shipments/${base.event.shipmentId}/events ${label}`,
            );
            status = answer.status;
            code = answer.json?.error?.code;
          }
          // A key named twice is refused in the signed body as sent, whatever JSON.parse would keep; a batch carries
          // the event parsed and written again, which names each key once.
          const namedTwice = what.startsWith("with a duplicate") && !batch;
          if (same && !namedTwice) {
            expect([200, 201], `${label}: the same request`).to.include(status);
          } else if (namedTwice) {
            expect([status, code], label).to.deep.equal([400, "VALIDATION_FAILED"]);
          } else if (batch && status === 403) {
            // A batch checks each event's claimed actor against the registry before its signature: an address no
            // participant holds is refused for that.
            const actor = (parsedBody(text) as { event?: { actor?: unknown } } | undefined)?.event?.actor;
            expect(code, label).to.equal("FORBIDDEN");
            const participant = typeof actor === "string" ? await runtime.participants.lookup(actor) : undefined;
            expect(participant?.active === true, `${label}: the actor ${String(actor)} is an active participant`).to.equal(false);
          } else {
            expect([400, 401, 413], `${label} answered ${status} ${code}`).to.include(status);
            expect(ENVELOPE_CODES, label).to.include(code);
          }
          expect(runtime.log.treeSize, label).to.equal(status === 201 ? size + 1 : size);
        }),
        { numRuns: 1000, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("refuses an actor too short to be an address with 400 naming event.actor (once a 500)", async () => {
      const request = structuredClone(elementAt(fresh, 1));
      request.event.actor = request.event.actor.slice(0, 20);
      const answer = await expectSafe(await post(`/v1/shipments/${request.event.shipmentId}/events`, JSON.stringify(request)), "short actor");
      expect(answer.status).to.equal(400);
      expect(answer.json.error.message).to.match(/^event\.actor: must be an address/);
    });

    for (const part of ["payload", "salts"] as const) {
      it(`refuses a ${part} holding a key named __proto__ with 400 (once dropped without a word and the event stored)`, async () => {
        const request = jsonRoundTrip(elementAt(fresh, 1)) as unknown as Record<string, Record<string, unknown>>;
        defineOwn(defined(request[part], part), "__proto__", part === "payload" ? { orderId: "X" } : "0x" + "ab".repeat(16));
        const size = runtime.log.treeSize;
        const answer = await expectSafe(await post("/v1/shipments/HOSTILE-M1/events", JSON.stringify(request)), `__proto__ in ${part}`);
        expect(answer.status, answer.text).to.equal(400);
        expect(answer.json.error.message).to.contain(`${part}.__proto__`);
        expect(runtime.log.treeSize).to.equal(size);
      });
    }
  });

  describe("mutations of valid bodies of the other POST routes", () => {
    it("never answers 5xx; accepts only the same body (any for /v1/assess, which stores nothing), and a refused one changes nothing", async () => {
      const accepted = new Set<string>();
      const changes = fc.nat({ max: validBodies.length - 1 }).chain((i) =>
        fc
          .oneof(
            mutationOf(elementAt(validBodies, i).body),
            mutationOf(elementAt(validBodies, i).body, (p) => p.length <= 2),
            wellFormedMutationOf(elementAt(validBodies, i).body, DEV_ADDRESSES),
          )
          .map((mutation) => ({ i, mutation })),
      );
      await fc.assert(
        fc.asyncProperty(changes, async ({ i, mutation }) => {
          const { url, body } = elementAt(validBodies, i);
          const changed = jsonRoundTrip(applyMutation(body, mutation));
          const before = await snapshot();
          const label = `POST ${url} ${describeMutation(mutation)}`;
          const answer = await expectSafe(await post(url, JSON.stringify(changed)), label);
          const ok = answer.status < 300;
          if (ok) accepted.add(url);
          if (ok && url !== "/v1/assess") expect(sameJson(changed, body), `${label} was accepted: ${answer.text.slice(0, 300)}`).to.equal(true);
          if (!ok) expect(await snapshot(), label).to.equal(before);
        }),
        { numRuns: 400, plugins: [fc.timeout(HANG_MS)] },
      );
      // The bodies were valid: each is accepted when sent as it is (unless an unchanged copy already was).
      for (const { url, body } of validBodies.filter((b) => !accepted.has(b.url))) {
        const answer = await expectSafe(await post(url, JSON.stringify(body)), `POST ${url} unchanged`);
        expect(answer.status, `${url}: ${answer.text.slice(0, 300)}`).to.be.below(300);
      }
    });
    it("refuses an EPCIS import whose document holds a key named __proto__ with 400 (once taken as the signed document without it)", async () => {
      const { url, body } = defined(
        validBodies.find((b) => b.url.endsWith("/epcis")),
        "the EPCIS import body",
      );
      const changed = jsonRoundTrip(body) as { document: Record<string, unknown> };
      defineOwn(changed.document, "__proto__", []);
      const before = await snapshot();
      const answer = await expectSafe(await post(url, JSON.stringify(changed)), "__proto__ in the document");
      expect(answer.status, answer.text).to.equal(400);
      expect(answer.json.error.message).to.contain("document.__proto__");
      expect(await snapshot()).to.equal(before);
    });
  });

  describe("random paths and queries on GET routes", () => {
    const numberish = fc.oneof(
      fc.constantFrom(
        "0",
        "1",
        "-1",
        "-0",
        "00",
        "1e3",
        "0x10",
        " 1",
        "1 ",
        "1.5",
        "NaN",
        "Infinity",
        "999999999999999",
        "9999999999999999",
        "9".repeat(40),
        "",
        "%00",
        "1%00",
      ),
      fc.integer({ min: -1000, max: 1000 }).map(String),
      hostileString.map(encodeSegment),
    );
    const queryValue = fc.oneof(numberish, shipmentSegment, fc.constantFrom("7612345000011", "AO-0001", "%", "%zz"));
    const sizes = fc.oneof(fc.integer({ min: 0, max: 30 }).map(String), numberish);
    const query = fc.oneof(
      fc.record({ from: sizes, to: sizes, treeSize: sizes }).map(({ from, to, treeSize }) => `?from=${from}&to=${to}&treeSize=${treeSize}`),
      fc
        .array(fc.tuple(fc.constantFrom("from", "to", "treeSize", "gtin", "serial", "shipmentId", "shipment", "leafIndex", "__proto__", "x"), queryValue), {
          maxLength: 4,
        })
        .map((pairs) => (pairs.length === 0 ? "" : "?" + pairs.map(([k, v]) => `${k}=${v}`).join("&"))),
    );
    const addressSegment = fc.oneof(
      fc.constantFrom(devWallet(4).address, devWallet(4).address.toLowerCase(), "0x" + "00".repeat(20), "0x" + "zz".repeat(20), devWallet(15).address),
      hostileString.map(encodeSegment),
    );

    it("never answers 5xx to odd ids, %-encodings, long ids, and negative, huge or non-numeric sizes", async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: 1_000 }), shipmentSegment, sizes, addressSegment, query, async (pick, id, n, address, q) => {
          const route = elementAt(getRoutes, pick % getRoutes.length);
          const url = route.replace(":id", id).replace(":leafIndex", n).replace(":address", address) + q;
          fc.pre(isRequestable(url));
          await expectSafe(await app.request(url), `GET ${url}`);
        }),
        { numRuns: 1000, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });

  describe("signed-read headers", () => {
    const SIGNER = 4; // customs of DE: sees every field of these DE-bound shipments
    const routes = [`/v1/shipments/${FULL}/trace`, `/v1/shipments/${FULL}`, `/v1/shipments/${PARTIAL}/epcis`, "/v1/log/entries/3"] as const;
    type Valid = { address: string; timestamp: string; signature: string };
    /** One edit of the three headers, as data; `valueOf` makes the header's new value from the valid one. */
    type Edit = { header: keyof Valid | "all"; how: string; random?: string; digit?: number; bit?: number };
    /** A printable value a client can send in a header. */
    const headerText = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 140 });
    const HEADERS = ["address", "timestamp", "signature"] as const;
    const edits: fc.Arbitrary<Edit> = fc.oneof(
      fc.constantFrom(...HEADERS).map((header): Edit => ({ header, how: "omitted" })),
      fc.tuple(fc.constantFrom(...HEADERS), headerText).map(([header, random]): Edit => ({ header, how: "random", random })),
      fc.constantFrom<Edit>(
        ...["lower case", "upper case digits", "0X prefix", "another participant", "truncated", "extended", "padded with spaces"].map((how): Edit => ({
          header: "address",
          how,
        })),
        ...["leading zero", "plus one", "six minutes ago", "negative", "fraction", "exponent", "huge", "seconds", "padded with spaces"].map((how): Edit => ({
          header: "timestamp",
          how,
        })),
        ...["upper case", "0X prefix", "truncated", "extended", "other v", "v 0 or 1", "for another path"].map((how): Edit => ({ header: "signature", how })),
        { header: "all", how: "omitted (anonymous)" },
      ),
      fc.tuple(fc.nat({ max: 129 }), fc.nat({ max: 3 })).map(([digit, bit]): Edit => ({ header: "signature", how: "bit flipped", digit, bit })),
    );

    /** The edited header's value, or undefined when the edit leaves it out. */
    async function valueOf(edit: Edit, valid: Valid, route: string): Promise<string | undefined> {
      const hex = (s: string) => s.slice(2);
      const { address, timestamp, signature } = valid;
      const values: Record<string, () => string | Promise<string> | undefined> = {
        omitted: () => undefined,
        random: () => edit.random,
        "lower case": () => address.toLowerCase(),
        "upper case digits": () => "0x" + hex(address).toUpperCase(),
        "0X prefix": () => "0X" + hex(edit.header === "address" ? address : signature),
        "another participant": () => devWallet(1).address,
        truncated: () => (edit.header === "address" ? address.slice(0, -1) : signature.slice(0, -2)),
        extended: () => (edit.header === "address" ? address + "0" : signature + "00"),
        "padded with spaces": () => `  ${edit.header === "address" ? address : timestamp} `,
        "leading zero": () => "0" + timestamp,
        "plus one": () => String(Number(timestamp) + 1),
        "six minutes ago": () => String(Number(timestamp) - 6 * 60_000),
        negative: () => "-" + timestamp,
        fraction: () => timestamp + ".0",
        exponent: () => `${Number(timestamp) / 1e12}e12`,
        huge: () => "9".repeat(17),
        seconds: () => timestamp.slice(0, -3),
        "upper case": () => "0x" + hex(signature).toUpperCase(),
        "other v": () => signature.slice(0, -2) + (signature.endsWith("1b") ? "1c" : "1b"),
        "v 0 or 1": () => signature.slice(0, -2) + (signature.endsWith("1b") ? "00" : "01"),
        "for another path": () => devWallet(SIGNER).signMessage(`GET ${route}?x=1 ${timestamp}`),
        "bit flipped": () => {
          const digits = hex(signature);
          const { digit: i, bit } = edit;
          if (i === undefined || bit === undefined) throw new Error("test bug: a bit flip names its digit and bit");
          return "0x" + digits.slice(0, i) + (parseInt(digits.charAt(i), 16) ^ (1 << bit)).toString(16) + digits.slice(i + 1);
        },
      };
      const value = values[edit.how];
      if (value === undefined) throw new Error(`test bug: no value for the edit "${edit.how}"`);
      return value();
    }

    /** HTTP trims a header value's surrounding spaces; what remains is what the node reads. */
    const trimmed = (value: string) => value.replace(/^[ \t]+|[ \t]+$/g, "");
    /** Whether the edited header still says the same: an address or a signature in other letter case, a timestamp with a leading zero. */
    function sameMeaning(header: keyof Valid | "all", value: string | undefined, valid: Valid): boolean {
      if (header === "all") return true;
      if (value === undefined) return false;
      const read = trimmed(value);
      if (header === "address") return /^0x[0-9a-fA-F]{40}$/.test(read) && read.toLowerCase() === valid.address.toLowerCase();
      if (header === "timestamp") return /^[0-9]{1,16}$/.test(read) && Number(read) === Number(valid.timestamp);
      return read.toLowerCase() === valid.signature.toLowerCase();
    }

    it("answers 401 BAD_SIGNATURE to every edited header but those that say the same, which read as before", async () => {
      await fc.assert(
        fc.asyncProperty(fc.constantFrom(...routes), edits, async (route, edit) => {
          const wallet = devWallet(SIGNER);
          const timestamp = String(Date.now());
          const valid: Valid = { address: wallet.address, timestamp, signature: await wallet.signMessage(`GET ${route} ${timestamp}`) };
          const edited = edit.header === "all" ? undefined : await valueOf(edit, valid, route);
          const headers: Record<string, string> = {};
          if (edit.header !== "all") {
            for (const name of HEADERS) {
              const value = edit.header === name ? edited : valid[name];
              if (value !== undefined) headers[`x-bl-${name}`] = value;
            }
          }
          fc.pre(isRequestable(route, headers));
          const label = `${edit.header} ${edit.how}: ${JSON.stringify(headers)}`;
          const answer = await expectSafe(await app.request(route, { headers }), `GET ${route} ${label}`);
          if (sameMeaning(edit.header, edited, valid)) {
            expect(answer.status, `${label} is the same read: ${answer.text.slice(0, 200)}`).to.equal(200);
          } else {
            expect(answer.status, `${label}: ${answer.text.slice(0, 200)}`).to.equal(401);
            expect(answer.json.error.code).to.equal("BAD_SIGNATURE");
          }
        }),
        { numRuns: 300, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("accepts a signature once: the same headers again are refused", async () => {
      const wallet = devWallet(SIGNER);
      const timestamp = String(Date.now());
      const route = routes[0];
      const headers = { "x-bl-address": wallet.address, "x-bl-timestamp": timestamp, "x-bl-signature": await wallet.signMessage(`GET ${route} ${timestamp}`) };
      expect((await app.request(route, { headers })).status).to.equal(200);
      const again = await expectSafe(
        await app.request(route, { headers: { ...headers, "x-bl-signature": headers["x-bl-signature"].toUpperCase().replace("0X", "0x") } }),
        "replay",
      );
      expect(again.status).to.equal(401);
    });
  });

  describe("the explorer", () => {
    const uploads = () =>
      fc.oneof(
        hostileJson.map((json) => ({
          what: "random JSON",
          init: { headers: { "content-type": "application/json" }, body: JSON.stringify(json) } as RequestInit,
        })),
        mutated(bundle).map(({ mutation, value }) => ({
          what: `bundle, ${describeMutation(mutation)}`,
          init: { headers: { "content-type": "application/json" }, body: JSON.stringify(value) } as RequestInit,
        })),
        mutated(epcisExport).map(({ mutation, value }) => ({
          what: `EPCIS, ${describeMutation(mutation)}`,
          init: { headers: { "content-type": "application/json" }, body: JSON.stringify(value) } as RequestInit,
        })),
        fc.tuple(fc.uint8Array({ maxLength: 300 }), hostileString, fc.boolean()).map(([bytes, pasted, asFile]) => {
          const form = new FormData();
          if (asFile) form.set("bundle", new File([bytes], "bundle.json"));
          else form.set("bundle", new TextDecoder().decode(bytes));
          form.set("json", pasted);
          return { what: "a form", init: { body: form } as RequestInit };
        }),
        mutated(bundle).map(({ mutation, value }) => {
          const form = new FormData();
          form.set("bundle", new File([JSON.stringify(value)], "bundle.json"));
          return { what: `bundle file, ${describeMutation(mutation)}`, init: { body: form } as RequestInit };
        }),
        hostileString.map((text) => ({
          what: "urlencoded",
          init: { headers: { "content-type": "application/x-www-form-urlencoded" }, body: `json=${encodeSegment(text)}` } as RequestInit,
        })),
        hostileString.map((text) => ({
          what: "multipart without parts",
          init: { headers: { "content-type": "multipart/form-data; boundary=b" }, body: text } as RequestInit,
        })),
      );

    it("answers any upload to POST /verify with a page below 500", async () => {
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(uploads(), async ({ what, init }) => {
          const response = await app.request("/verify", { method: "POST", ...init });
          const answer = await expectSafe(response, `POST /verify with ${what}`);
          expect(response.headers.get("content-type") ?? "", what).to.match(/^text\/html/);
          expect(answer.text, what).to.contain("<html");
        }),
        { numRuns: 300, plugins: [fc.timeout(HANG_MS)] },
      );
      expect(await snapshot()).to.equal(before);
    });

    it("answers the pages with any shipment id, trace id and authenticity query below 500", async () => {
      const gtin = fc.oneof(fc.constantFrom("7612345000011", "12345678", "0", ""), hostileString.map(encodeSegment));
      const pages = fc.oneof(
        fc.oneof(shipmentSegment, hostileString.map(encodeSegment)).map((id) => `/?shipment=${id}`),
        shipmentSegment.map((id) => `/trace/${id}`),
        fc
          .tuple(gtin, fc.oneof(fc.constantFrom("AO-0001", "%00"), hostileString.map(encodeSegment)), fc.option(shipmentSegment))
          .map(([g, s, id]) => `/authenticity?gtin=${g}&serial=${s}${id === null ? "" : `&shipmentId=${id}`}`),
        fc.constantFrom("/", "/log", "/verify", "/authenticity", "/docs", "/openapi.json", "/metrics", `/trace/${FULL}`),
      );
      await fc.assert(
        fc.asyncProperty(pages, async (url) => {
          fc.pre(isRequestable(url));
          await expectSafe(await app.request(url), `GET ${url}`);
        }),
        { numRuns: 300, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("answers a bundle naming a block far beyond the chain's head with its report, promptly (once it hung the node)", async () => {
      const far = structuredClone(bundle);
      defined(far.checkpoint, "the checkpoint").blockNumber = 2 ** 40;
      const answer = await expectSafe(
        await app.request("/verify", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(far) }),
        "far block",
      );
      expect(answer.status).to.equal(200);
      expect(answer.text).to.contain("checkpoint-anchored");
    });

    it("answers a deeply nested payload in an uploaded bundle with a page below 500", async () => {
      const deep = structuredClone(bundle) as unknown as { entries: { payload: Record<string, Json> }[] };
      elementAt(deep.entries, 0).payload.orderId = nested(3_000, false);
      await expectSafe(
        await app.request("/verify", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(deep) }),
        "deep payload",
      );
    });
  });
});
