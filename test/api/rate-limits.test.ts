// Who pays for a request, as an attacker with no key would try it through the HTTP API: junk actors must not grow
// the node's memory, a victim's address (in any spelling, or as a decoy key) must not spend the victim's budget,
// and a flood of signed reads must not push a captured signature out of the replay guard.
import { expect } from "chai";
import { Wallet } from "ethers";
import { createApp } from "../../api/app";
import { RateLimiter } from "../../api/rate-limit";
import { ReplayGuard } from "../../api/read-auth";
import { devWallet } from "../../node/chain/dev-participants";
import { epcisDocumentOfRequests } from "../../node/domain/epcis/document";
import { signEpcisImport } from "../../node/domain/epcis/import";
import { signAppendRequest } from "../../node/domain/sign-event";
import { randomSalts } from "../../node/prepare/salts";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { openTestNode } from "../helpers/bundle";
import { spelling } from "../../tools/soak/attacks";
import { signedAppend } from "../helpers/events";

type ErrorBody = { error: { code: string; message: string } };
type BatchBody = { results: { index: number; status: number; error?: { code: string } }[] };

const PLATFORM = 1;
const CUSTOMS_DE = 4;
const OTHER_PLATFORM = 8;

/** The server bindings @hono/node-server passes: the socket a request came in on. */
const from = (address: string) => ({ incoming: { socket: { remoteAddress: address } } });

describe("rate limits charge the real party, with bounded state", function () {
  this.timeout(120_000);
  let node: Awaited<ReturnType<typeof openTestNode>>;
  let runtime: NodeRuntime;
  let separator: Buffer;
  let shipment = 0;
  const nextShipment = () => `RL${String(shipment++).padStart(4, "0")}`;

  before(async () => {
    node = await openTestNode({ logName: "rate-limit-test-log" });
    runtime = node.runtime;
    separator = runtime.ledger.domainSeparator;
  });
  after(async () => {
    await node?.close();
  });

  const order = (signer: number) => signedAppend({ separator, signer, shipmentId: nextShipment(), eventType: "ORDER" }).request;
  /** A valid ORDER signed by a key made for it, which no one registered (refused FORBIDDEN once its signature checks). */
  const freshKeyOrder = () =>
    signAppendRequest({
      separator,
      privateKey: Wallet.createRandom().privateKey,
      shipmentId: nextShipment(),
      eventType: "ORDER",
      occurredAtMs: Date.now(),
      payload: structuredClone(EXAMPLE_PAYLOADS.ORDER) as Record<string, unknown>,
      salts: randomSalts(EXAMPLE_PAYLOADS.ORDER as Record<string, unknown>),
    }).request;

  function post(app: ReturnType<typeof createApp>, url: string, body: string, client: string) {
    return app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body }, from(client));
  }

  describe("out of memory", () => {
    it("keeps both limiters under their bound while junk actors, fresh keys and fresh addresses arrive", async () => {
      const maxKeys = 64;
      const clock = Date.now;
      const rateLimiter = new RateLimiter({ perSecond: 1000, burst: 1000, clock, maxKeys });
      const anonymousLimiter = new RateLimiter({ perSecond: 1e6, burst: 1e6, clock, maxKeys });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter, anonymousLimiter } });
      // Unique junk actors, as the attack sent them: well-formed addresses on events that fail validation, and
      // strings that are no address at all.
      for (let batch = 0; batch < 10; batch++) {
        const events = Array.from({ length: 500 }, (_, i) => ({
          event: { actor: i % 2 === 0 ? Wallet.createRandom().address : `junk-${batch}-${i}-${"x".repeat(64)}` },
        }));
        const response = await post(app, "/v1/events:batch", JSON.stringify({ events }), `198.51.100.${batch}`);
        expect(response.status).to.equal(200);
        expect(rateLimiter.size).to.equal(0);
      }
      // Validly signed appends by keys nobody registered (refused FORBIDDEN after the signature checks), each from
      // an address of its own.
      for (let i = 0; i < 150; i++) {
        const request = freshKeyOrder();
        const response = await post(app, `/v1/shipments/${request.event.shipmentId}/events`, JSON.stringify(request), `2001:db8::${i.toString(16)}`);
        expect(response.status).to.equal(403);
        expect(rateLimiter.size).to.be.at.most(maxKeys);
        expect(anonymousLimiter.size).to.be.at.most(maxKeys);
      }
      // What fresh keys sign is charged to the clients that sent it: no signer's budget is made for them.
      expect(rateLimiter.size).to.equal(0);
      expect(anonymousLimiter.size).to.equal(maxKeys);
      // /metrics tells an operator how full each map is.
      const metrics = await (await app.request("/metrics")).text();
      expect(metrics).to.match(new RegExp(`^borderledger_bounded_state_entries\\{map="signer_budgets"\\} ${rateLimiter.size}$`, "m"));
      expect(metrics).to.match(new RegExp(`^borderledger_bounded_state_entries\\{map="client_budgets"\\} ${anonymousLimiter.size}$`, "m"));
      // The participants' own appends still go through.
      const response = await post(app, "/v1/events:batch", JSON.stringify({ events: [order(PLATFORM)] }), "192.0.2.1");
      expect(((await response.json()) as BatchBody).results.map((r) => r.status)).to.deep.equal([201]);
    });

    it("forgets a full bucket before a drained one, so a flood of new keys cannot wipe a key's debt", () => {
      let now = 0;
      const limiter = new RateLimiter({ perSecond: 0.001, burst: 10, clock: () => now, maxKeys: 8 });
      limiter.charge("drained", 10);
      for (let i = 0; i < 200; i++) {
        now += 10;
        expect(limiter.take(`fresh-${i}`)).to.equal(0);
        expect(limiter.size).to.be.at.most(8);
      }
      expect(limiter.wait("drained")).to.be.greaterThan(0);
    });
  });

  describe("someone else's budget", () => {
    it("charges the victim nothing for batches naming its address in 1,000 spellings", async () => {
      const rateLimiter = new RateLimiter({ perSecond: 0.001, burst: 1000, clock: Date.now });
      const anonymousLimiter = new RateLimiter({ perSecond: 1e6, burst: 1e6, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter, anonymousLimiter } });
      const victim = devWallet(PLATFORM).address;
      for (let round = 0; round < 3; round++) {
        // Signed by another participant, so each claim of the victim's address fails its signature check.
        const events = Array.from({ length: 1000 }, (_, n) => {
          const request = order(OTHER_PLATFORM);
          return { ...request, event: { ...request.event, actor: spelling(victim, n + round * 1000) } };
        });
        const response = await post(app, "/v1/events:batch", JSON.stringify({ events }), "203.0.113.66");
        expect(response.status).to.equal(200);
        const { results } = (await response.json()) as BatchBody;
        expect(results.every((r) => r.status === 400 || r.status === 401)).to.equal(true);
      }
      expect(rateLimiter.wait(victim.toLowerCase(), 1000)).to.equal(0);
      // The victim's own appends: all accepted.
      for (let i = 0; i < 8; i++) {
        const request = order(PLATFORM);
        const response = await post(app, `/v1/shipments/${request.event.shipmentId}/events`, JSON.stringify(request), "192.0.2.10");
        expect(response.status, await response.clone().text()).to.equal(201);
      }
    });

    it("lets no decoy actor placed first in the raw JSON decide whose budget pays", async () => {
      const rateLimiter = new RateLimiter({ perSecond: 0.001, burst: 2, clock: Date.now });
      const anonymousLimiter = new RateLimiter({ perSecond: 0.001, burst: 100, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter, anonymousLimiter } });
      const signer = devWallet(OTHER_PLATFORM).address.toLowerCase();
      const decoys: string[] = [];
      // A regex would read the decoy; JSON.parse keeps the last duplicate, the signed actor.
      const withDecoy = (text: string) => {
        const decoy = Wallet.createRandom().address;
        decoys.push(decoy.toLowerCase());
        return text.replace('"event":{', `"event":{"actor":"${decoy}",`);
      };
      const single = (text: string, shipmentId: string) => post(app, `/v1/shipments/${shipmentId}/events`, text, "203.0.113.77");
      const batch = (text: string) => post(app, "/v1/events:batch", `{"events":[${text}]}`, "203.0.113.77");
      const client = "client:203.0.113.77";

      // A signed body with a duplicate key is refused before anyone's budget but the client's pays.
      let request = order(OTHER_PLATFORM);
      const refusedSingle = await single(withDecoy(JSON.stringify(request)), request.event.shipmentId);
      expect(refusedSingle.status).to.equal(400);
      expect(((await refusedSingle.json()) as ErrorBody).error.message).to.contain('duplicate key "actor"');
      request = order(OTHER_PLATFORM);
      const refusedBatch = await batch(withDecoy(JSON.stringify(request)));
      expect(refusedBatch.status).to.equal(400);
      expect(((await refusedBatch.json()) as ErrorBody).error.message).to.contain('duplicate key "actor"');
      expect(anonymousLimiter.wait(client, 100)).to.be.greaterThan(0);
      expect(rateLimiter.wait(signer, 2)).to.equal(0);
      for (const decoy of decoys) expect(rateLimiter.wait(decoy, 2)).to.equal(0);

      // The signer's own budget spent, a decoy does not let its next request through.
      for (let i = 0; i < 2; i++) {
        request = order(OTHER_PLATFORM);
        expect((await single(JSON.stringify(request), request.event.shipmentId)).status).to.equal(201);
      }
      request = order(OTHER_PLATFORM);
      const limited = await single(withDecoy(JSON.stringify(request)), request.event.shipmentId);
      expect(limited.status).to.equal(429);
      expect(((await limited.json()) as ErrorBody).error.code).to.equal("RATE_LIMITED");
      expect(Number(limited.headers.get("retry-after"))).to.be.at.least(1);
      expect((await batch(JSON.stringify(order(OTHER_PLATFORM)))).status).to.equal(429);
      for (const decoy of decoys) expect(rateLimiter.wait(decoy, 2)).to.equal(0);
    });
  });

  describe("anonymous traffic", () => {
    it("charges reads signed by keys no one registered to the client's address, as anonymous reads", async () => {
      const request = order(PLATFORM);
      const anonymousLimiter = new RateLimiter({ perSecond: 0.001, burst: 3, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { anonymousLimiter } });
      expect((await post(app, `/v1/shipments/${request.event.shipmentId}/events`, JSON.stringify(request), "192.0.2.60")).status).to.equal(201);
      const url = `/v1/shipments/${request.event.shipmentId}/trace`;
      const signedBy = async (wallet: { address: string; signMessage(m: string): Promise<string> }, timestamp: number) => ({
        "x-bl-address": wallet.address,
        "x-bl-timestamp": String(timestamp),
        "x-bl-signature": await wallet.signMessage(`GET ${url} ${timestamp}`),
      });
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++)
        statuses.push((await app.request(url, { headers: await signedBy(Wallet.createRandom(), Date.now() + i) }, from("198.51.100.60"))).status);
      expect(statuses).to.deep.equal([200, 200, 200, 429]);
      // A registered participant's signed read pays from its own budget, not its client's (a burst of 3 here).
      expect((await app.request(url, { headers: await signedBy(devWallet(CUSTOMS_DE), Date.now() + 10) }, from("198.51.100.61"))).status).to.equal(200);
      expect(anonymousLimiter.wait("client:198.51.100.61", 3)).to.equal(0);
    });

    it("charges a body refused before any signature checked one unit per KiB, on every route", async () => {
      const anonymousLimiter = new RateLimiter({ perSecond: 0.001, burst: 100, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { anonymousLimiter } });
      const pad = (kib: number, open: string) => open + " ".repeat(kib * 1024 - open.length);
      // 50 KiB each: malformed, nested past the depth limit, and a catalog no one signed.
      const bodies: [string, string, number][] = [
        ["/v1/events:batch", pad(50, '{"events": ['), 400],
        ["/v1/events:batch", pad(50, `{"events": [${"[".repeat(100)}${"]".repeat(100)}]}`), 400],
        ["/v1/shipments/RL9997/events", pad(50, "{"), 400],
        ["/v1/brands/catalog", pad(50, "{"), 400],
      ];
      for (const [n, [url, body, status]] of bodies.entries()) {
        const client = `198.51.100.${50 + n}`;
        expect((await post(app, url, body, client)).status, url).to.equal(status);
        expect(anonymousLimiter.wait(`client:${client}`, 50), url).to.equal(0);
        expect(anonymousLimiter.wait(`client:${client}`, 51), url).to.be.greaterThan(0);
      }
    });

    it("charges events signed by keys no one registered to the client, at what checking them cost", async () => {
      const rateLimiter = new RateLimiter({ perSecond: 1000, burst: 1000, clock: Date.now });
      const anonymousLimiter = new RateLimiter({ perSecond: 0.001, burst: 1000, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { rateLimiter, anonymousLimiter } });
      const fresh = freshKeyOrder;
      const response = await post(app, "/v1/events:batch", JSON.stringify({ events: Array.from({ length: 20 }, fresh) }), "198.51.100.70");
      expect(((await response.json()) as BatchBody).results.map((r) => r.status)).to.deep.equal(Array(20).fill(403));
      const single = fresh();
      expect((await post(app, `/v1/shipments/${single.event.shipmentId}/events`, JSON.stringify(single), "198.51.100.70")).status).to.equal(403);
      // 21 events checked, 10 units each, and no budget made for any of the 21 keys.
      expect(anonymousLimiter.wait("client:198.51.100.70", 790)).to.equal(0);
      expect(anonymousLimiter.wait("client:198.51.100.70", 791)).to.be.greaterThan(0);
      expect(rateLimiter.size).to.equal(0);
    });

    it("holds a body's declared KiB before reading it, so requests sent at once cannot spend one budget twice", async () => {
      const anonymousLimiter = new RateLimiter({ perSecond: 0.001, burst: 100, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { anonymousLimiter } });
      const body = `{"events": [`.padEnd(60 * 1024);
      for (const [n, url] of ["/v1/events:batch", "/v1/shipments/RL9996/events", "/v1/brands/catalog"].entries()) {
        const client = `198.51.100.${80 + n}`;
        const send = () =>
          app.request(url, { method: "POST", headers: { "content-type": "application/json", "content-length": String(body.length) }, body }, from(client));
        const statuses = (await Promise.all([send(), send(), send()])).map((r) => r.status);
        // The first is read (and refused as malformed); the other two would have overspent the client's 100 units.
        expect(statuses, url).to.deep.equal([400, 429, 429]);
        expect(anonymousLimiter.wait(`client:${client}`, 40), url).to.equal(0);
        expect(anonymousLimiter.wait(`client:${client}`, 41), url).to.be.greaterThan(0);
      }
    });

    it("refuses a client whose budget is spent before reading its appends' bodies", async () => {
      const anonymousLimiter = new RateLimiter({ perSecond: 0.001, burst: 2, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { anonymousLimiter } });
      anonymousLimiter.charge("client:198.51.100.40", 2);
      // Malformed bodies: read, each would get 400; unread, the spent client gets 429 and the node parses nothing.
      for (const url of ["/v1/events:batch", "/v1/shipments/RL9998/events"]) {
        const response = await post(app, url, `{"events": [${"{".repeat(1000)}`, "198.51.100.40");
        expect(response.status, url).to.equal(429);
        expect(((await response.json()) as ErrorBody).error.code).to.equal("RATE_LIMITED");
      }
      expect((await post(app, "/v1/events:batch", "{", "198.51.100.41")).status).to.equal(400);
    });

    it("gives each client address its own budget, and a bad signature charges the client", async () => {
      const anonymousLimiter = new RateLimiter({ perSecond: 0.001, burst: 3, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { anonymousLimiter } });
      const get = (url: string, client: string, headers: Record<string, string> = {}) => app.request(url, { headers }, from(client));
      expect((await get("/v1/brands", "198.51.100.20")).status).to.equal(200);
      const forged = { "x-bl-address": devWallet(CUSTOMS_DE).address, "x-bl-timestamp": String(Date.now()), "x-bl-signature": "0x" + "11".repeat(65) };
      expect((await get("/v1/shipments/RL9999/trace", "198.51.100.20", forged)).status).to.equal(401);
      expect((await get("/authenticity?gtin=4006381333931&serial=A1", "198.51.100.20")).status).to.equal(200);
      const refused = await get("/v1/brands", "198.51.100.20");
      expect(refused.status).to.equal(429);
      expect(Number(refused.headers.get("retry-after"))).to.be.at.least(1);
      const catalog = await post(app, "/v1/brands/catalog", "{}", "198.51.100.20");
      expect(catalog.status).to.equal(429);
      expect((await get("/v1/brands", "198.51.100.21")).status).to.equal(200);
      expect((await get("/v1/health", "198.51.100.20")).status).to.not.equal(429);
    });
  });

  describe("expensive anonymous routes", () => {
    it("verifies a few shipments at a time for anonymous readers, refusing the rest with 429, while customs' verifications go on", async () => {
      const app = createApp({ node: runtime.api, startedAt: new Date() });
      const orders = Array.from({ length: 50 }, () => order(PLATFORM));
      const appended = await post(app, "/v1/events:batch", JSON.stringify({ events: orders }), "192.0.2.70");
      expect(((await appended.json()) as BatchBody).results.every((r) => r.status === 201)).to.equal(true);
      const verifyUrl = (shipmentId: string) => `/v1/shipments/${shipmentId}/verify`;
      const customsUrl = verifyUrl(orders[0]?.event.shipmentId ?? "");
      const timestamp = Date.now();
      const customsHeaders = {
        "x-bl-address": devWallet(CUSTOMS_DE).address,
        "x-bl-timestamp": String(timestamp),
        "x-bl-signature": await devWallet(CUSTOMS_DE).signMessage(`GET ${customsUrl} ${timestamp}`),
      };
      // Fifty anonymous readers at once, each of another shipment (no two share a verification), from fifty addresses.
      const anonymous = orders.map((o, n) => app.request(verifyUrl(o.event.shipmentId), {}, from(`203.0.113.${n + 1}`)));
      const customs = app.request(customsUrl, { headers: customsHeaders }, from("192.0.2.71"));
      const statuses = (await Promise.all(anonymous)).map((r) => r.status);
      expect(statuses.filter((s) => s === 429).length).to.be.at.least(50 - 1 - 16);
      expect(statuses.every((s) => s === 200 || s === 429)).to.equal(true);
      expect((await customs).status).to.equal(200);
    });

    it("holds the most one request may take from the share before it runs, so a crowd arriving together cannot all start", async () => {
      // 100 ms of share and 50 ms held per request: two at once, whatever the requests then take.
      const anonymousWork = new RateLimiter({ perSecond: 0.001, burst: 100, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { anonymousWork } });
      const orders = Array.from({ length: 6 }, () => order(PLATFORM));
      await post(app, "/v1/events:batch", JSON.stringify({ events: orders }), "192.0.2.73");
      const pages = orders.map((o, n) => app.request(`/trace/${o.event.shipmentId}`, {}, from(`203.0.115.${n + 1}`)));
      const statuses = (await Promise.all(pages)).map((r) => r.status);
      expect(
        statuses.filter((s) => s === 200),
        statuses.join(", "),
      ).to.have.length(2);
      expect(statuses.filter((s) => s === 429)).to.have.length(4);
      // What the two did not take of the 50 ms each was given back (without it, the share would be empty now).
      expect(anonymousWork.wait("anonymous", 1)).to.equal(0);
    });

    it("gives anonymous traffic from every address together a share of the node's time, while participants go on", async () => {
      const anonymousWork = new RateLimiter({ perSecond: 0.001, burst: 30, clock: Date.now });
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { anonymousWork } });
      const orders = Array.from({ length: 40 }, () => order(PLATFORM));
      const appended = await post(app, "/v1/events:batch", JSON.stringify({ events: orders }), "192.0.2.72");
      expect(((await appended.json()) as BatchBody).results.every((r) => r.status === 201)).to.equal(true);
      // Trace pages from forty addresses, one after another, each within its own address's budget.
      const statuses: number[] = [];
      let refusal = "";
      for (const [n, o] of orders.entries()) {
        const response = await app.request(`/trace/${o.event.shipmentId}`, {}, from(`203.0.114.${n + 1}`));
        statuses.push(response.status);
        if (response.status === 429) refusal = ((await response.json()) as ErrorBody).error.message;
      }
      // Each page takes a millisecond or more: the 30 ms share is used after a few dozen at most, and the rest refused.
      expect(statuses.slice(0, 1)).to.deep.equal([200]);
      expect(statuses.at(-1)).to.equal(429);
      expect(statuses.every((s) => s === 200 || s === 429)).to.equal(true);
      expect(refusal).to.match(/^anonymous requests have used their share of this node's time \(RATE_LIMIT_ANONYMOUS_WORK_MS\): retry in \d+ s/);
      // A registered participant's signed read and its appends are not anonymous work.
      const url = `/v1/shipments/${orders[0]?.event.shipmentId ?? ""}/trace`;
      const timestamp = Date.now();
      const headers = {
        "x-bl-address": devWallet(CUSTOMS_DE).address,
        "x-bl-timestamp": String(timestamp),
        "x-bl-signature": await devWallet(CUSTOMS_DE).signMessage(`GET ${url} ${timestamp}`),
      };
      expect((await app.request(url, { headers }, from("203.0.114.200"))).status).to.equal(200);
      const next = order(PLATFORM);
      expect((await post(app, `/v1/shipments/${next.event.shipmentId}/events`, JSON.stringify(next), "203.0.114.201")).status).to.equal(201);
      // Headers that prove no registered participant do not take a request past the spent share: a throw-away key's
      // signature is anonymous, a made-up one refused; customs' signed read of the same route goes through.
      const checkpointUrl = "/v1/log/checkpoint";
      const signedAt = (wallet: { address: string; signMessage(m: string): Promise<string> }, at: number) =>
        wallet.signMessage(`GET ${checkpointUrl} ${at}`).then((signature) => ({
          "x-bl-address": wallet.address,
          "x-bl-timestamp": String(at),
          "x-bl-signature": signature,
        }));
      const now = Date.now();
      expect((await app.request(checkpointUrl, { headers: await signedAt(Wallet.createRandom(), now) }, from("203.0.114.203"))).status).to.equal(429);
      const madeUp = { "x-bl-address": devWallet(CUSTOMS_DE).address, "x-bl-timestamp": String(now), "x-bl-signature": "0x" + "11".repeat(65) };
      expect((await app.request(checkpointUrl, { headers: madeUp }, from("203.0.114.204"))).status).to.equal(401);
      expect((await app.request(checkpointUrl, { headers: await signedAt(devWallet(CUSTOMS_DE), now + 1) }, from("203.0.114.205"))).status).to.not.equal(429);
      // Nor is an EPCIS import whose body the platform signed: it pays, not its client's address or the share.
      const imported = order(PLATFORM);
      const document = epcisDocumentOfRequests({ separator, requests: [imported], creationDate: new Date().toISOString() });
      const body = signEpcisImport({ separator, shipmentId: imported.event.shipmentId, document, privateKey: devWallet(PLATFORM).privateKey });
      const epcis = await post(app, `/v1/shipments/${imported.event.shipmentId}/epcis`, JSON.stringify(body), "203.0.114.202");
      expect(epcis.status, await epcis.clone().text()).to.equal(201);
    });
  });

  describe("replay after flooding", () => {
    const readHeaders = async (wallet: { address: string; signMessage(m: string): Promise<string> }, url: string, timestamp: number) => ({
      "x-bl-address": wallet.address,
      "x-bl-timestamp": String(timestamp),
      "x-bl-signature": await wallet.signMessage(`GET ${url} ${timestamp}`),
    });

    it("refuses new signed reads with 429 when full, and never accepts a replay", async () => {
      const shipmentId = nextShipment();
      const request = signedAppend({ separator, signer: PLATFORM, shipmentId, eventType: "ORDER" }).request;
      const replay = new ReplayGuard(3);
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { replay } });
      expect((await post(app, `/v1/shipments/${shipmentId}/events`, JSON.stringify(request), "192.0.2.30")).status).to.equal(201);
      const url = `/v1/shipments/${shipmentId}/trace`;
      const base = Date.now();
      const captured = await readHeaders(devWallet(CUSTOMS_DE), url, base);
      expect((await app.request(url, { headers: captured })).status).to.equal(200);
      // Throw-away keys nobody registered: their reads are answered as anonymous ones and nothing is recorded.
      for (let i = 0; i < 20; i++) {
        const response = await app.request(url, { headers: await readHeaders(Wallet.createRandom(), url, base + i + 1) });
        expect(response.status).to.equal(200);
      }
      expect(replay.size).to.equal(1);
      // Registered participants' reads fill the guard; then a new one is refused rather than an old one forgotten.
      for (let i = 0; i < 2; i++)
        expect((await app.request(url, { headers: await readHeaders(devWallet(PLATFORM), url, base + 100 + i) })).status).to.equal(200);
      const full = await app.request(url, { headers: await readHeaders(devWallet(PLATFORM), url, base + 200) });
      expect(full.status).to.equal(429);
      expect(full.headers.get("retry-after")).to.equal("1");
      expect(replay.size).to.equal(3);
      const replayed = await app.request(url, { headers: captured });
      expect(replayed.status).to.equal(401);
      expect(((await replayed.json()) as ErrorBody).error.code).to.equal("BAD_SIGNATURE");
    });

    it("keeps one registered signer to its share of the guard, so its flood shuts no one else's signed reads out", async () => {
      const shipmentId = nextShipment();
      const request = signedAppend({ separator, signer: PLATFORM, shipmentId, eventType: "ORDER" }).request;
      const replay = new ReplayGuard(6, 3);
      const app = createApp({ node: runtime.api, startedAt: new Date(), state: { replay } });
      expect((await post(app, `/v1/shipments/${shipmentId}/events`, JSON.stringify(request), "192.0.2.31")).status).to.equal(201);
      const url = `/v1/shipments/${shipmentId}/trace`;
      const base = Date.now();
      for (let i = 0; i < 3; i++)
        expect((await app.request(url, { headers: await readHeaders(devWallet(OTHER_PLATFORM), url, base + i) })).status).to.equal(200);
      const over = await app.request(url, { headers: await readHeaders(devWallet(OTHER_PLATFORM), url, base + 3) });
      expect(over.status).to.equal(429);
      expect(over.headers.get("retry-after")).to.equal("1");
      expect(((await over.json()) as ErrorBody).error.message).to.include(devWallet(OTHER_PLATFORM).address);
      expect(replay.size).to.equal(3);
      // Customs' reads still get their view, and each is still accepted once.
      const customs = await readHeaders(devWallet(CUSTOMS_DE), url, base + 10);
      expect((await app.request(url, { headers: customs })).status).to.equal(200);
      expect((await app.request(url, { headers: customs })).status).to.equal(401);
      expect(replay.size).to.equal(4);
    });

    it("gives a signer room again as its own signatures expire", () => {
      const guard = new ReplayGuard(10, 2);
      expect(guard.accept("0xa", 1000, 0, "0xSigner")).to.equal("accepted");
      expect(guard.accept("0xb", 5000, 0, "0xsigner")).to.equal("accepted");
      expect(guard.accept("0xc", 5000, 10, "0xSIGNER")).to.equal("signer-full");
      expect(guard.accept("0xd", 5000, 10, "0xother")).to.equal("accepted");
      expect(guard.accept("0xc", 5000, 1500, "0xsigner")).to.equal("accepted");
      expect(guard.accept("0xe", 5000, 1600, "0xsigner")).to.equal("signer-full");
      expect(guard.size).to.equal(3);
    });

    it("forgets the signatures recorded first as they expire, long before it is full", () => {
      const guard = new ReplayGuard(100);
      for (let i = 0; i < 10; i++) expect(guard.accept(`0xa${i}`, 1000 + i, 0)).to.equal("accepted");
      expect(guard.accept("0xb", 9000, 1005)).to.equal("accepted");
      // 0xa0..0xa4 expired: the one accepted forgets at most four of them.
      expect(guard.size).to.equal(7);
      expect(guard.accept("0xc", 9000, 1005)).to.equal("accepted");
      expect(guard.size).to.equal(7);
      expect(guard.accept("0xa9", 1009, 1008)).to.equal("replayed");
    });

    it("makes room only as signatures expire", () => {
      const guard = new ReplayGuard(2);
      // The one that expires first is not the first recorded: only a sweep finds it.
      expect(guard.accept("0xb", 5000, 0)).to.equal("accepted");
      expect(guard.accept("0xa", 1000, 0)).to.equal("accepted");
      expect(guard.accept("0xc", 5000, 500)).to.equal("full");
      expect(guard.accept("0xa", 1000, 900)).to.equal("replayed");
      // One sweep a second: at 1001 the last sweep (at 500) is too recent, at 1600 the expired 0xa goes.
      expect(guard.accept("0xc", 5000, 1001)).to.equal("full");
      expect(guard.accept("0xc", 5000, 1600)).to.equal("accepted");
      expect(guard.accept("0xb", 5000, 1601)).to.equal("replayed");
      expect(guard.size).to.equal(2);
    });
  });
});
