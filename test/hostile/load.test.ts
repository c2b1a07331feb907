// Hostile load as properties, through the in-process HTTP API: junk actors, a victim's address in any spelling, keys
// named twice, batches nested past the depth limit among valid traffic, and a flood of signed reads against a small
// replay guard. Each property says who pays, what the node keeps and what it refuses.
import { expect } from "chai";
import fc, { type Arbitrary } from "fast-check";
import { createApp } from "../../api/app";
import { RateLimiter } from "../../api/rate-limit";
import { READ_WINDOW_MS, ReplayGuard } from "../../api/read-auth";
import { devWallet } from "../../node/chain/dev-participants";
import type { AppendRequest } from "../../node/domain/event";
import { ENVELOPE_LIMITS, JSON_LIMITS } from "../../node/domain/json-limits";
import { formatIssuePath } from "../../node/domain/payloads";
import { personalMessageDigest, readMessage } from "../../node/domain/read-message";
import { signAppendRequest } from "../../node/domain/sign-event";
import { addressOfPrivateKey, signDigest } from "../../node/domain/signature";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { openTestNode } from "../helpers/bundle";
import { randomSalts, signedAppend } from "../helpers/events";
import { defineOwn, getAt, hostileJson, hostileNumber, hostileString, pathsOf, type Json, type Path } from "./arbitraries";

const PLATFORM = 1;
/** A second platform of the development network: the other signer. */
const OTHER_PLATFORM = 8;
/** Every development participant is registered. */
const REGISTERED = Array.from({ length: 10 }, (_, i) => i);
/** Not a run may take this long; one that does counts as a hang. Not a timing assertion on speed. */
const HANG_MS = 20_000;
/** secp256k1's group order n: private keys are 1..n-1, and a high-s signature has s' = n - s. */
const CURVE_ORDER = BigInt("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");

type ErrorBody = { error: { code: string; message: string } };
type BatchBody = { results: { index: number; status: number; error?: { code: string; message: string } }[] };

/** The server bindings @hono/node-server passes: the socket a request came in on. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

/** A private key any caller could make: nobody registered it. */
const privateKeyArb: Arbitrary<string> = fc.bigInt({ min: 1n, max: CURVE_ORDER - 1n }).map((k) => "0x" + k.toString(16).padStart(64, "0"));

/** A client's network address, IPv4 or IPv6. */
const clientArb: Arbitrary<string> = fc.oneof(fc.ipV4(), fc.ipV6());

/** `address` with each hex letter's case taken from `upper` (cycled): one address, many spellings. */
function spelling(address: string, upper: readonly boolean[]): string {
  let bit = 0;
  const digits = [...address.slice(2)].map((ch) => {
    if (!/[a-f]/i.test(ch)) return ch;
    return upper[bit++ % upper.length] ? ch.toUpperCase() : ch.toLowerCase();
  });
  return "0x" + digits.join("");
}

/** A key as JSON text, with the character at `escape` (if any) written as a \uXXXX escape: the same key to a parser. */
function keyText(key: string, escape: number | null): string {
  if (escape === null || key.length === 0) return JSON.stringify(key);
  const at = escape % key.length;
  const chars = [...key].map((ch, i) => (i === at ? `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}` : JSON.stringify(ch).slice(1, -1)));
  return `"${chars.join("")}"`;
}

/**
 * A key named twice in the object at `at`: its two values (the first is the object's own when it has the key and
 * `keepOriginal` says so), where they go among the other keys, and their spellings.
 */
type Decoy = {
  at: Path;
  key: string;
  values: [Json, Json];
  keepOriginal: boolean;
  positions: [number, number];
  escapes: [number | null, number | null];
};

const samePath = (a: Path, b: Path) => a.length === b.length && a.every((segment, i) => segment === b[i]);

/** `value` as JSON text, with the decoy's key named twice in the object at its path. */
function textWithDecoy(value: unknown, decoy: Decoy): string {
  const write = (node: unknown, path: Path): string => {
    if (Array.isArray(node)) return `[${node.map((item, i) => write(item, [...path, i])).join(",")}]`;
    if (typeof node !== "object" || node === null) return JSON.stringify(node);
    const members = Object.entries(node).flatMap(([key, v]) =>
      samePath(path, decoy.at) && key === decoy.key ? [] : [`${JSON.stringify(key)}:${write(v, [...path, key])}`],
    );
    if (samePath(path, decoy.at)) {
      const own = (node as Record<string, unknown>)[decoy.key];
      const values = [decoy.keepOriginal && own !== undefined ? own : decoy.values[0], decoy.values[1]];
      const [first, second] = values.map((v, i) => `${keyText(decoy.key, decoy.escapes[i] ?? null)}:${JSON.stringify(v)}`);
      const p1 = decoy.positions[0] % (members.length + 1);
      members.splice(p1, 0, first as string);
      const p2 = p1 + 1 + (decoy.positions[1] % (members.length - p1));
      members.splice(p2, 0, second as string);
    }
    return `{${members.join(",")}}`;
  };
  return write(value, []);
}

/**
 * JSON text of arrays (or objects) nested `depth` deep around a string of `fill` characters, written as text: a value
 * thousands deep is more than JSON.stringify's recursion can take.
 */
function deepText(depth: number, inObjects: boolean, fill: number): string {
  const inner = JSON.stringify("d".repeat(fill));
  return inObjects ? '{"a":'.repeat(depth) + inner + "}".repeat(depth) : "[".repeat(depth) + inner + "]".repeat(depth);
}

/** The paths of `value` that hold an object (not an array), the root's first. */
function objectPaths(value: unknown): Path[] {
  return pathsOf(value).filter((path) => {
    const node = getAt(value, path);
    return typeof node === "object" && node !== null && !Array.isArray(node);
  });
}

/** A signature with s replaced by n - s and v flipped: the same signer recovers from it, were high s allowed. */
function highS(signature: string): string {
  const s = BigInt("0x" + signature.slice(66, 130));
  const v = parseInt(signature.slice(130, 132), 16);
  return signature.slice(0, 66) + (CURVE_ORDER - s).toString(16).padStart(64, "0") + (v === 27 ? "1c" : "1b");
}

describe("hostile load, as properties of the HTTP API", function () {
  this.timeout(180_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let separator: Buffer;
  let shipment = 0;
  const nextShipment = () => `LOAD-${String(shipment++).padStart(5, "0")}`;

  before(async () => {
    node = await openTestNode({ logName: "hostile-load", prepareWorkers: 2 });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
  });
  after(async () => {
    await node?.close();
  });

  const order = (signer: number): AppendRequest => signedAppend({ separator, signer, shipmentId: nextShipment(), eventType: "ORDER" }).request;

  /** A valid ORDER signed by a key nobody registered: the node refuses it only after its signature checks. */
  const orderOfKey = (privateKey: string): AppendRequest => {
    const payload = structuredClone(EXAMPLE_PAYLOADS.ORDER) as Record<string, unknown>;
    return signAppendRequest({
      separator,
      privateKey,
      shipmentId: nextShipment(),
      eventType: "ORDER",
      occurredAtMs: Date.now(),
      payload,
      salts: randomSalts(payload),
    }).request;
  };

  function post(app: ReturnType<typeof createApp>, url: string, body: string, client = "192.0.2.1") {
    return app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body }, from(client));
  }

  const appendUrl = (shipmentId: unknown) =>
    `/v1/shipments/${typeof shipmentId === "string" && /^[A-Za-z0-9._:-]{1,64}$/.test(shipmentId) ? shipmentId : "LOAD-JUNK"}/events`;

  /** The answer's text, after checking it is below 500 (the message names the request for a failing run). */
  async function below500(response: Response, what: string): Promise<string> {
    const text = await response.text();
    expect(response.status, `${what} answered ${response.status}: ${text.slice(0, 300)}`).to.be.below(500);
    return text;
  }

  describe("unique junk actors", () => {
    /** Whatever an attacker puts in event.actor. */
    const junkActor: Arbitrary<unknown> = fc.oneof(
      fc.string({ maxLength: 60 }),
      hostileString,
      privateKeyArb.map(addressOfPrivateKey),
      privateKeyArb.map((key) => addressOfPrivateKey(key).toLowerCase()),
      hostileNumber,
      hostileJson,
      fc.integer({ min: 100, max: 5_000 }).map((n) => "0x" + "ab".repeat(n)),
    );
    /** An event that will not append: a bare actor, a signed event given a junk actor, or a key nobody registered. */
    type Junk = { kind: "bare"; actor: unknown } | { kind: "relabelled"; actor: unknown } | { kind: "unregistered"; privateKey: string };
    const junkEvent: Arbitrary<Junk> = fc.oneof(
      junkActor.map((actor): Junk => ({ kind: "bare", actor })),
      junkActor.map((actor): Junk => ({ kind: "relabelled", actor })),
      privateKeyArb.map((privateKey): Junk => ({ kind: "unregistered", privateKey })),
    );
    const bodyOf = (junk: Junk): unknown => {
      if (junk.kind === "bare") return { event: { actor: junk.actor } };
      if (junk.kind === "unregistered") return orderOfKey(junk.privateKey);
      const request = order(OTHER_PLATFORM);
      return { ...request, event: { ...request.event, actor: junk.actor } };
    };
    const attack = fc.oneof(
      fc.record({ batch: fc.array(junkEvent, { minLength: 1, maxLength: 12 }), client: clientArb }),
      fc.record({ single: junkEvent, client: clientArb }),
    );

    it("never answers 5xx to junk actors, keeps both limiters within their bound, and still appends a participant's event", async () => {
      const maxKeys = 4;
      await fc.assert(
        fc.asyncProperty(fc.array(attack, { minLength: 1, maxLength: 6 }), async (attacks) => {
          const rateLimiter = new RateLimiter({ perSecond: 1000, burst: 1000, clock: Date.now, maxKeys });
          const anonymousLimiter = new RateLimiter({ perSecond: 1e6, burst: 1e6, clock: Date.now, maxKeys });
          const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter, anonymousLimiter } });
          for (const step of attacks) {
            if ("batch" in step) {
              const text = await below500(await post(app, "/v1/events:batch", JSON.stringify({ events: step.batch.map(bodyOf) }), step.client), "batch");
              const answer = JSON.parse(text) as Partial<BatchBody>;
              for (const result of answer.results ?? []) expect(result.status, JSON.stringify(result)).to.be.within(400, 499);
            } else {
              const body = bodyOf(step.single) as { event?: { shipmentId?: unknown } };
              const response = await post(app, appendUrl(body.event?.shipmentId), JSON.stringify(body), step.client);
              await below500(response, "single append");
              expect(response.status).to.be.at.least(400);
            }
            expect(rateLimiter.size).to.be.at.most(maxKeys);
            expect(anonymousLimiter.size).to.be.at.most(maxKeys);
          }
          const victim = order(PLATFORM);
          const response = await post(app, appendUrl(victim.event.shipmentId), JSON.stringify(victim), "192.0.2.200");
          expect(response.status, await response.clone().text()).to.equal(201);
        }),
        { numRuns: 100, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });

  describe("a victim's address in any spelling", () => {
    const victim = devWallet(PLATFORM).address;
    const victimKey = victim.toLowerCase();
    /** How the claim of the victim's address is signed: never by the victim for this event. */
    type Forgery =
      { kind: "other-signer" } | { kind: "random-bytes"; hex: string } | { kind: "victims-signature-of-another-event" } | { kind: "malformed"; text: string };
    const forgery: Arbitrary<Forgery> = fc.oneof(
      fc.constant<Forgery>({ kind: "other-signer" }),
      fc.stringMatching(/^[0-9a-f]{130}$/).map((hex): Forgery => ({ kind: "random-bytes", hex })),
      fc.constant<Forgery>({ kind: "victims-signature-of-another-event" }),
      hostileString.map((text): Forgery => ({ kind: "malformed", text })),
    );
    const claim = fc.record({ upper: fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), forgery });
    type Claim = { upper: boolean[]; forgery: Forgery };
    const forged = ({ upper, forgery: how }: Claim): AppendRequest => {
      const request = order(OTHER_PLATFORM);
      const signature =
        how.kind === "other-signer"
          ? request.event.signature
          : how.kind === "random-bytes"
            ? "0x" + how.hex
            : how.kind === "malformed"
              ? how.text
              : order(PLATFORM).event.signature;
      return { ...request, event: { ...request.event, actor: spelling(victim, upper), signature } };
    };
    const attack = fc.oneof(
      fc.record({ batch: fc.array(claim, { minLength: 1, maxLength: 15 }), client: clientArb }),
      fc.record({ single: claim, client: clientArb }),
    );

    it("charges the victim nothing for events naming its address in random spellings, and appends all of the victim's own", async () => {
      const burst = 20;
      await fc.assert(
        fc.asyncProperty(fc.array(attack, { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: 3 }), async (attacks, own) => {
          // Next to no refill: one token charged to the victim stays missing for the whole run.
          const rateLimiter = new RateLimiter({ perSecond: 0.001, burst, clock: Date.now });
          const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter } });
          for (const step of attacks) {
            if ("batch" in step) {
              const response = await post(app, "/v1/events:batch", JSON.stringify({ events: step.batch.map(forged) }), step.client);
              const text = await below500(response, "batch");
              expect(response.status, text.slice(0, 300)).to.equal(200);
              const { results } = JSON.parse(text) as BatchBody;
              for (const result of results) expect(result.status, JSON.stringify(result)).to.be.oneOf([400, 401]);
            } else {
              const request = forged(step.single);
              const response = await post(app, appendUrl(request.event.shipmentId), JSON.stringify(request), step.client);
              const text = await below500(response, "single append");
              expect(response.status, text.slice(0, 300)).to.be.oneOf([400, 401]);
            }
            expect(rateLimiter.wait(victimKey, burst)).to.equal(0);
          }
          for (let i = 0; i < own; i++) {
            const request = order(PLATFORM);
            const response = await post(app, appendUrl(request.event.shipmentId), JSON.stringify(request), "192.0.2.10");
            expect(response.status, await response.clone().text()).to.equal(201);
          }
        }),
        { numRuns: 60, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });

  describe("a victim's own request, resent by another party", () => {
    // Any participant whose trace shows an event whole (customs, carrier, broker) can rebuild its signed request: a
    // resend is charged to the client that sent it (once it was charged to the event's signer).
    it("charges the victim nothing when customs resends the victim's appended event, rebuilt from its trace", async () => {
      const rateLimiter = new RateLimiter({ perSecond: 0.001, burst: 3, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter } });
      const victim = devWallet(PLATFORM).address.toLowerCase();
      const request = order(PLATFORM);
      expect((await post(app, appendUrl(request.event.shipmentId), JSON.stringify(request), "192.0.2.10")).status).to.equal(201);
      const url = `/v1/shipments/${request.event.shipmentId}/trace`;
      const timestamp = Date.now();
      const customs = devWallet(4);
      const headers = {
        "x-bl-address": customs.address,
        "x-bl-timestamp": String(timestamp),
        "x-bl-signature": signDigest({
          digest: personalMessageDigest(readMessage({ method: "GET", pathAndQuery: url, timestamp })),
          privateKey: customs.privateKey,
        }),
      };
      const trace = (await (await app.request(url, { headers })).json()) as { entries: { event: unknown; payload: unknown; salts: unknown }[] };
      const [entry] = trace.entries;
      const rebuilt = JSON.stringify({ event: entry?.event, payload: entry?.payload, salts: entry?.salts });
      for (let i = 0; i < 2; i++) expect((await post(app, appendUrl(request.event.shipmentId), rebuilt, "203.0.113.99")).status).to.equal(200);
      expect(rateLimiter.wait(victim, 2)).to.equal(0);
      const batch = await post(app, "/v1/events:batch", `{"events":[${rebuilt},${rebuilt}]}`, "203.0.113.99");
      expect(((await batch.json()) as { results: { status: number }[] }).results.map((r) => r.status)).to.deep.equal([200, 200]);
      expect(rateLimiter.wait(victim, 2)).to.equal(0);
    });
  });

  describe("decoy keys", () => {
    /** The keys a decoy is most worth placing, and any key the chosen object already has. */
    const DECOY_KEYS = ["actor", "signature", "shipmentId"];
    const decoyOf = (body: unknown, targets: Path[]): Arbitrary<Decoy> =>
      fc.constantFrom(...targets).chain((at) => {
        const target = getAt(body, at) as Record<string, Json>;
        return fc
          .record({
            at: fc.constant(at),
            key: fc.constantFrom(...DECOY_KEYS, ...Object.keys(target)),
            first: fc.oneof(privateKeyArb.map(addressOfPrivateKey), fc.jsonValue({ maxDepth: 2 }) as Arbitrary<Json>),
            second: fc.oneof(privateKeyArb.map(addressOfPrivateKey), fc.jsonValue({ maxDepth: 2 }) as Arbitrary<Json>),
            keepOriginal: fc.boolean(),
            positions: fc.tuple(fc.nat(), fc.nat()),
            escapes: fc.tuple(fc.option(fc.nat(), { nil: null }), fc.option(fc.nat(), { nil: null })),
          })
          .map(({ key, first, second, keepOriginal, positions, escapes }): Decoy => ({ at, key, values: [first, second], keepOriginal, positions, escapes }));
      });
    // A template of the bodies: the shape the decoy is placed in (the signed request itself is fresh in each run).
    let template: AppendRequest;
    before(() => {
      template = order(OTHER_PLATFORM);
    });

    it("refuses a body naming a key twice anywhere, in any spelling, with 400 naming the key; stores nothing and charges no signer", async () => {
      const singles = objectPaths(template);
      const batches = [[], ...singles.map((path) => ["events", 0, ...path])];
      const decoyAttack = fc.oneof(
        fc.record({ route: fc.constant("single" as const), decoy: decoyOf(template, singles) }),
        fc.record({ route: fc.constant("batch" as const), decoy: decoyOf({ events: [template] }, batches) }),
      );
      await fc.assert(
        fc.asyncProperty(decoyAttack, async ({ route, decoy }) => {
          const rateLimiter = new RateLimiter({ perSecond: 0.001, burst: 10, clock: Date.now });
          const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter } });
          // The template's shape, freshly signed: a body that, but for the decoy, would be appended.
          const request = order(OTHER_PLATFORM);
          const body = route === "single" ? request : { events: [request] };
          const text = textWithDecoy(body, decoy);
          const treeSize = runtime.log.treeSize;
          const url = route === "single" ? appendUrl(request.event.shipmentId) : "/v1/events:batch";
          const response = await post(app, url, text, "203.0.113.7");
          const answer = await below500(response, `${route} with ${text.slice(0, 200)}`);
          expect(response.status, answer.slice(0, 300)).to.equal(400);
          const { error } = JSON.parse(answer) as ErrorBody;
          expect(error.code).to.equal("VALIDATION_FAILED");
          expect(error.message).to.contain(`duplicate key ${JSON.stringify(decoy.key)} at ${formatIssuePath([...decoy.at, decoy.key])}`);
          expect(runtime.log.treeSize).to.equal(treeSize);
          expect(rateLimiter.size).to.equal(0);
          // The same body with each key named once goes through: the decoy alone was refused.
          const control = await post(app, url, JSON.stringify(body), "203.0.113.7");
          const created = route === "single" ? control.status : ((await control.json()) as BatchBody).results[0]?.status;
          expect(created).to.equal(201);
        }),
        { numRuns: 300, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });

  describe("deep events among valid traffic", () => {
    /** Where the deep value goes (an object of the request), how deep the event then nests, and its innermost size. */
    const deepEvent = fc.record({
      placement: fc.nat(),
      key: fc.constantFrom("note", "deep", "x"),
      eventDepth: fc.oneof(
        fc.integer({ min: JSON_LIMITS.maxDepth + 1, max: ENVELOPE_LIMITS.maxDepth - 2 }),
        fc.integer({ min: ENVELOPE_LIMITS.maxDepth - 1, max: 5_000 }),
      ),
      inObjects: fc.boolean(),
      fill: fc.integer({ min: 0, max: 20_000 }),
    });
    type Deep = { placement: number; key: string; eventDepth: number; inObjects: boolean; fill: number };
    const batchArb = fc.array(fc.oneof(fc.constant<"valid">("valid"), deepEvent), { minLength: 2, maxLength: 6 }).filter((items) => items.includes("valid"));

    it("answers each deep event of a batch 400 naming the depth limit and appends the valid ones, while another signer's concurrent appends all succeed", async () => {
      const app = createApp({ node: runtime.api, startedAt: new Date(), rateLimit: { perSecond: 1e9, burst: 1e9 } });
      /** The request with a placeholder string where its deep value goes, and that value's text. */
      const deepened = (deep: Deep, index: number): { request: AppendRequest; placeholder: string; text: string } => {
        const request = order(PLATFORM);
        const targets = objectPaths(request);
        const at = targets[deep.placement % targets.length] as Path;
        const placeholder = `__deep_${index}__`;
        defineOwn(getAt(request, at) as Record<string, unknown>, deep.key, placeholder);
        // The object at `at` nests at.length + 1 deep; the value under its new key adds the rest.
        return { request, placeholder, text: deepText(deep.eventDepth - at.length - 1, deep.inObjects, deep.fill) };
      };
      await fc.assert(
        fc.asyncProperty(batchArb, fc.integer({ min: 1, max: 6 }), async (items, concurrent) => {
          const deep = items.map((item, i) => (item === "valid" ? undefined : deepened(item, i)));
          const events = deep.map((d) => d?.request ?? order(PLATFORM));
          let batchText = JSON.stringify({ events });
          for (const d of deep) if (d !== undefined) batchText = batchText.replace(JSON.stringify(d.placeholder), d.text);
          // {"events":[…]} nests two above each event.
          const wholeBatchTooDeep = items.some((item) => item !== "valid" && item.eventDepth + 2 > ENVELOPE_LIMITS.maxDepth);
          const others = Array.from({ length: concurrent }, () => order(OTHER_PLATFORM));
          const treeSize = runtime.log.treeSize;
          const [batchResponse, ...responses] = await Promise.all([
            post(app, "/v1/events:batch", batchText),
            ...others.map((request) => post(app, appendUrl(request.event.shipmentId), JSON.stringify(request), "192.0.2.77")),
          ]);
          for (const response of responses) expect(response.status, await response.clone().text()).to.equal(201);
          const text = await below500(batchResponse as Response, "deep batch");
          if (wholeBatchTooDeep) {
            expect(batchResponse?.status, text.slice(0, 300)).to.equal(400);
            expect((JSON.parse(text) as ErrorBody).error.message).to.contain(`the JSON depth limit is ${ENVELOPE_LIMITS.maxDepth}`);
            expect(runtime.log.treeSize).to.equal(treeSize + concurrent);
            return;
          }
          expect(batchResponse?.status, text.slice(0, 300)).to.equal(200);
          const { results } = JSON.parse(text) as BatchBody;
          expect(results.map((r) => r.status)).to.deep.equal(items.map((item) => (item === "valid" ? 201 : 400)));
          for (const result of results.filter((r) => r.status === 400)) {
            expect(result.error?.code).to.equal("VALIDATION_FAILED");
            expect(result.error?.message).to.contain(`the JSON depth limit is ${JSON_LIMITS.maxDepth}`);
          }
          expect(runtime.log.treeSize).to.equal(treeSize + concurrent + items.filter((item) => item === "valid").length);
        }),
        { numRuns: 60, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });

  describe("a flood of signed reads against a small replay guard", () => {
    let url: string;
    const devKeys = REGISTERED.map((i) => devWallet(i).privateKey);
    before(async () => {
      const request = order(PLATFORM);
      url = `/v1/shipments/${request.event.shipmentId}`;
      const app = createApp({ node: runtime.api, startedAt: new Date() });
      expect((await post(app, appendUrl(request.event.shipmentId), JSON.stringify(request))).status).to.equal(201);
    });

    type Signer = { registered: number } | { unregistered: string };
    type Read = { kind: "read"; signer: Signer; offset: number };
    /** An earlier read sent again: as it was, with its signature in upper case, its address in lower case, or with high s. */
    type Replay = { kind: "replay"; pick: number; variant: "same" | "upper-signature" | "lower-address" | "high-s" };
    const signer: Arbitrary<Signer> = fc.oneof(
      fc.constantFrom(...REGISTERED).map((registered): Signer => ({ registered })),
      privateKeyArb.map((unregistered): Signer => ({ unregistered })),
    );
    const action: Arbitrary<Read | Replay> = fc.oneof(
      {
        weight: 3,
        arbitrary: fc.record({ kind: fc.constant("read" as const), signer, offset: fc.integer({ min: -READ_WINDOW_MS + 1000, max: READ_WINDOW_MS - 1000 }) }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant("replay" as const),
          pick: fc.nat(),
          variant: fc.constantFrom<Replay["variant"]>("same", "upper-signature", "lower-address", "high-s"),
        }),
      },
    );

    it("answers new signed reads 429 with Retry-After once full, never accepts a replay, and records no unregistered signer", async () => {
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 4 }), fc.array(action, { minLength: 1, maxLength: 30 }), async (capacity, actions) => {
          const now = Date.now();
          const replay = new ReplayGuard(capacity);
          const app = createApp({ node: runtime.api, startedAt: new Date(), clock: () => now, state: { replay } });
          /** The signatures the guard has accepted, as the model of what it holds. */
          const recorded = new Set<string>();
          const sent: { headers: Record<string, string>; registered: boolean }[] = [];
          for (const step of actions) {
            let headers: Record<string, string>;
            let registered: boolean;
            let malleated = false;
            if (step.kind === "read") {
              const privateKey = "registered" in step.signer ? (devKeys[step.signer.registered] as string) : step.signer.unregistered;
              const timestamp = now + step.offset;
              const digest = personalMessageDigest(readMessage({ method: "GET", pathAndQuery: url, timestamp }));
              headers = {
                "x-bl-address": addressOfPrivateKey(privateKey),
                "x-bl-timestamp": String(timestamp),
                "x-bl-signature": signDigest({ digest, privateKey }),
              };
              registered = "registered" in step.signer;
              sent.push({ headers, registered });
            } else {
              const earlier = sent[step.pick % Math.max(sent.length, 1)];
              if (earlier === undefined) continue;
              headers = { ...earlier.headers };
              registered = earlier.registered;
              const signature = headers["x-bl-signature"] as string;
              if (step.variant === "upper-signature") headers["x-bl-signature"] = "0x" + signature.slice(2).toUpperCase();
              if (step.variant === "lower-address") headers["x-bl-address"] = (headers["x-bl-address"] as string).toLowerCase();
              if (step.variant === "high-s") headers["x-bl-signature"] = highS(signature);
              malleated = step.variant === "high-s";
            }
            const key = (headers["x-bl-signature"] as string).toLowerCase();
            const response = await app.request(url, { headers }, from("198.51.100.9"));
            const text = await below500(response, `${step.kind} ${JSON.stringify(headers)}`);
            const what = `${JSON.stringify(step)}: ${text.slice(0, 200)}`;
            if (malleated || recorded.has(key)) {
              // A replay of an accepted signature, or one spelt anew with high s: refused, never read.
              expect(response.status, what).to.equal(401);
              expect((JSON.parse(text) as ErrorBody).error.code, what).to.equal("BAD_SIGNATURE");
            } else if (!registered) {
              // Read as anyone reads; nothing recorded.
              expect(response.status, what).to.equal(200);
            } else if (recorded.size < capacity) {
              expect(response.status, what).to.equal(200);
              recorded.add(key);
            } else {
              expect(response.status, what).to.equal(429);
              expect((JSON.parse(text) as ErrorBody).error.code, what).to.equal("RATE_LIMITED");
              expect(Number(response.headers.get("retry-after")), what).to.be.at.least(1);
            }
            expect(replay.size, what).to.equal(recorded.size);
          }
        }),
        { numRuns: 150, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });
});
