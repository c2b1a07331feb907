// The trace explorer's HTML pages through app.request(): trace, search, log, authenticity and bundle upload.
import { expect } from "chai";
import { jsx } from "hono/jsx";
import { createApp, DEFAULT_RATE_LIMIT } from "../../api/app";
import { VerdictBanner } from "../../api/explorer/checks";
import { devWallet } from "../../node/chain/dev-participants";
import { TRACE_FORMAT, type TraceBundle } from "../../node/domain/bundle";
import { keccak256Utf8 } from "../../node/domain/hashing";
import { toHex } from "../../node/domain/hex";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { CHECK_NAMES, verifyBundle } from "../../node/verify/verify-bundle";
import { defined } from "../helpers/assertions";
import { openTestNode } from "../helpers/bundle";
import { HAPPY_PATH, happyLifecycle, signedAppend } from "../helpers/events";
import { EXAMPLE_PARTIES, EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";

type Attributes = Record<string, string>;

/** The attributes of every start tag in `html` that carries `name` (the pages' stable data-* hooks). */
function tagsWith(html: string, name: string): Attributes[] {
  const out: Attributes[] = [];
  for (const [tag] of html.matchAll(/<[a-z][a-z0-9]*\s[^>]*>/g)) {
    const attributes: Attributes = {};
    for (const [, key, value] of tag.matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)="([^"]*)"/g)) {
      if (key !== undefined && value !== undefined) attributes[key] = value;
    }
    if (name in attributes) out.push(attributes);
  }
  return out;
}

/** Each data-check's status, in page order. */
function checkStatuses(html: string): Record<string, string> {
  return Object.fromEntries(tagsWith(html, "data-check").map((a) => [a["data-check"], a["data-status"]]));
}

/** The value of `name` on the first start tag that carries it; undefined when no tag does. */
function attributeOf(html: string, name: string): string | undefined {
  return tagsWith(html, name)[0]?.[name];
}

function verdictOf(html: string): string | undefined {
  return attributeOf(html, "data-verdict");
}

/** The verdict banner's headline, the words a reader takes in first. */
function headlineOf(html: string): string | undefined {
  return /<strong class="verdict-title">([^<]*)<\/strong>/.exec(html)?.[1];
}

/** The text of the check `name`'s reason on the page. */
function reasonOf(html: string, name: string): string | undefined {
  const at = html.indexOf(`data-check="${name}"`);
  if (at < 0) return undefined;
  return /<p class="reason">([^<]*)<\/p>/.exec(html.slice(at))?.[1];
}

describe("Trace explorer pages", function () {
  this.timeout(120_000);
  const RELEASED = "EXPL-0001";
  const PENDING = "EXPL-0002";
  let node: { runtime: NodeRuntime; close(): Promise<void> };
  let app: ReturnType<typeof createApp>;

  before(async () => {
    node = await openTestNode({ logName: "explorer-test-log" });
    // Pages one after another, as fast as the test asks: the anonymous share of the node's time (tested in
    // rate-limits.test.ts) is not what these tests are about.
    app = createApp({ node: node.runtime.api, startedAt: new Date(), rateLimit: { ...DEFAULT_RATE_LIMIT, anonymousWorkMsPerSecond: 0 } });
    const separator = node.runtime.ledger.domainSeparator;
    for (const { request } of happyLifecycle({ separator, shipmentId: RELEASED })) await appendOk(RELEASED, request);
    await node.runtime.anchorer.anchorNow();
    // Appended after the checkpoint: covered only by its receipt until the next one.
    await appendOk(PENDING, signedAppend({ separator, signer: 1, shipmentId: PENDING, eventType: "ORDER" }).request);
  });

  after(async () => {
    await node?.close();
  });

  async function appendOk(shipmentId: string, request: unknown): Promise<void> {
    const response = await app.request(`/v1/shipments/${shipmentId}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(response.status, await response.clone().text()).to.equal(201);
  }

  async function page(url: string, init?: RequestInit): Promise<{ status: number; html: string; response: Response }> {
    const response = await app.request(url, init);
    const html = await response.text();
    return { status: response.status, html, response };
  }

  function expectHtml(response: Response): void {
    expect(response.headers.get("content-type")).to.match(/^text\/html/);
  }

  /** The bundle as development account `index` may read it, signed as DESIGN §9 says. */
  async function bundleAs(index: number, shipmentId: string): Promise<TraceBundle> {
    const pathAndQuery = `/v1/shipments/${shipmentId}/trace`;
    const wallet = devWallet(index);
    const timestamp = Date.now();
    const headers = {
      "x-bl-address": wallet.address,
      "x-bl-timestamp": String(timestamp),
      "x-bl-signature": await wallet.signMessage(`GET ${pathAndQuery} ${timestamp}`),
    };
    const response = await app.request(pathAndQuery, { headers });
    expect(response.status).to.equal(200);
    return (await response.json()) as TraceBundle;
  }

  function upload(text: string, name = "bundle.json"): Promise<{ status: number; html: string; response: Response }> {
    const form = new FormData();
    form.append("bundle", new File([text], name, { type: "application/json" }));
    form.append("json", "");
    return page("/verify", { method: "POST", body: form });
  }

  describe("/trace/:id", () => {
    it("lists every event of a released shipment in order, anchored, with the verification the API reports", async () => {
      const { status, html, response } = await page(`/trace/${RELEASED}`);
      expect(status).to.equal(200);
      expectHtml(response);
      expect(html).to.match(/^<!DOCTYPE html>/);
      expect(html).to.contain('<meta name="viewport" content="width=device-width, initial-scale=1"');
      const events = tagsWith(html, "data-event-type");
      expect(events.map((e) => e["data-event-type"])).to.deep.equal(HAPPY_PATH.map((step) => step.eventType));
      expect(events.every((e) => e["data-anchored"] === "true")).to.equal(true);

      const api = (await (await app.request(`/v1/shipments/${RELEASED}/verify`)).json()) as { checks: { name: string; status: string }[] };
      const statuses = checkStatuses(html);
      expect(Object.keys(statuses)).to.deep.equal([...CHECK_NAMES]);
      expect(statuses).to.deep.equal(Object.fromEntries(api.checks.map((check) => [check.name, check.status])));
      expect(statuses["field-digests"]).to.equal("pass");
      expect(statuses["checkpoint-anchored"]).to.equal("pass");
      // The page verifies the anonymous bundle: the rules that need hidden fields cannot be run on it.
      expect(statuses.lifecycle).to.equal("not-checkable");
      expect(statuses.payment).to.equal("not-checkable");
      // Pinned to the node's own network, and complete: the anchored heads map's head is the bundle's last entry.
      expect(statuses["trust-root"]).to.equal("pass");
      expect(statuses.completeness).to.equal("pass");
      expect(verdictOf(html)).to.equal("verified");
      expect(headlineOf(html)).to.equal("✔ Verified");
    });

    it("says how complete the trace is: as of which tree size, block and time, and how far the log has moved since", async () => {
      const { html } = await page(`/trace/${RELEASED}`);
      const api = (await (await app.request(`/v1/shipments/${RELEASED}/verify`)).json()) as { checks: { name: string; status: string; reason: string }[] };
      const completeness = defined(
        api.checks.find((check) => check.name === "completeness"),
        "the completeness check",
      );
      const checkpoint = defined(await node.runtime.log.latestCheckpoint(), "the latest checkpoint");
      expect(completeness.reason).to.match(
        new RegExp(`^complete as of tree size ${checkpoint.treeSize}, block ${checkpoint.blockNumber}, \\d{4}-\\d\\d-\\d\\dT`),
      );
      expect(attributeOf(html, "data-completeness")).to.equal("pass");
      // The banner repeats the reason word for word (HTML-escaped): the age, and whether a newer checkpoint exists. The
      // page and the API verified a moment apart, so the ages ("(3 s ago)") may differ by a tick: compare without them.
      const banner = defined(/<p data-completeness="pass">([\s\S]*?)<\/p>/.exec(html)?.[1], "the banner's completeness line");
      const withoutAges = (text: string) => text.replace(/(\d+[a-z]+ )*\d+[a-z]+ ago/g, "… ago");
      expect(withoutAges(banner)).to.contain(withoutAges(`Completeness: ${completeness.reason.replace(/'/g, "&#39;")}`));
      expect(banner).to.match(/ ago\)/);
    });

    it("names each signer from the participant directory and shows the checkpoint with its chain and contracts", async () => {
      const { html } = await page(`/trace/${RELEASED}`);
      const { chain, log: store } = node.runtime;
      const checkpoint = defined(await store.latestCheckpoint(), "the latest checkpoint");
      expect(html).to.contain("ShopWorld Marketplace").and.to.contain("Customs of Germany").and.to.contain("PLATFORM");
      expect(html).to.contain(devWallet(1).address);
      expect(attributeOf(html, "data-checkpoint")).to.equal(String(checkpoint.treeSize));
      for (const value of [checkpoint.rootHash, checkpoint.txHash, chain.logId, chain.addresses.participantRegistry, chain.addresses.anchorRegistry]) {
        expect(html).to.contain(value);
      }
    });

    it("shows the anonymous reader no payload value but the parties: every other field is listed hidden with its digest", async () => {
      const { html } = await page(`/trace/${RELEASED}`);
      const fields = tagsWith(html, "data-disclosed");
      expect(fields).to.not.be.empty;
      // The example ORDER names its carrier and broker: parties is disclosed in every view (spec §1.1).
      expect(fields.filter((f) => f["data-disclosed"] === "true").map((f) => f["data-field"])).to.deep.equal(["parties"]);
      expect(fields.filter((f) => f["data-field"] !== "parties").every((f) => f["data-disclosed"] === "false")).to.equal(true);
      for (const party of EXAMPLE_PARTIES) expect(html).to.contain(party);
      const full = await bundleAs(4, RELEASED);
      for (const entry of full.entries) {
        for (const [name, digest] of Object.entries(entry.digests)) if (name !== "parties") expect(html, name).to.contain(digest);
      }
      expect(html).to.contain("hidden — digest");
      // Values from the example payloads (the page's reasons come from the anonymous bundle, so none repeats them).
      for (const secret of [
        "Anna Schmidt",
        "SG-2025-0614-88231",
        "25DEH7000000123456",
        EXAMPLE_PAYLOADS.TAX_PAID.payment.reference,
        "Shenzhen Stride",
        "Hauptstraße",
        "IM2760000742",
      ]) {
        expect(html, secret).to.not.contain(secret);
      }
    });

    it("marks an entry the newest checkpoint does not cover as pending, with a pending verdict that never says Verified as its headline", async () => {
      const { status, html } = await page(`/trace/${PENDING}`);
      expect(status).to.equal(200);
      expect(tagsWith(html, "data-event-type")[0]).to.include({ "data-event-type": "ORDER", "data-anchored": "false" });
      expect(checkStatuses(html).inclusion).to.equal("pending");
      expect(verdictOf(html)).to.equal("pending");
      expect(headlineOf(html)).to.equal("… Pending anchoring");
      expect(headlineOf(html)).to.not.match(/verified/i);
      expect(html).to.contain("Verified so far — 1 entry waits for anchoring");
    });

    it("answers an unknown shipment with a 404 page saying so", async () => {
      const { status, html, response } = await page("/trace/NO-SUCH-PARCEL");
      expect(status).to.equal(404);
      expectHtml(response);
      expect(html).to.contain("no shipment NO-SUCH-PARCEL in this log");
      expect(attributeOf(html, "data-error")).to.equal("NOT_FOUND");
    });

    it("reads a shipment id with a colon from its percent-encoded path", async () => {
      const redirect = await app.request("/?shipment=" + encodeURIComponent(" RR:404 "));
      expect(redirect.headers.get("location")).to.equal("/trace/RR%3A404");
      const { status, html } = await page("/trace/RR%3A404");
      expect(status).to.equal(404);
      expect(html).to.contain("no shipment RR:404 in this log");
    });

    it("answers an invalid shipment id with a 400 page naming the rule", async () => {
      const { status, html, response } = await page(`/trace/${"A".repeat(65)}`);
      expect(status).to.equal(400);
      expectHtml(response);
      expect(html).to.contain("shipmentId: must be 1..64 characters of A-Z a-z 0-9 . _ : -");
    });
  });

  describe("/", () => {
    it("shows the search form and the log's size and latest checkpoint", async () => {
      const { status, html } = await page("/");
      expect(status).to.equal(200);
      expect(html).to.contain('name="shipment"');
      expect(attributeOf(html, "data-log-size")).to.equal(String(node.runtime.log.treeSize));
      expect(html).to.contain(`${defined(await node.runtime.log.latestCheckpoint(), "the latest checkpoint").treeSize} events`);
    });

    it("redirects a search for a shipment id to its trace page", async () => {
      const response = await app.request(`/?shipment=${RELEASED}`);
      expect(response.status).to.equal(302);
      expect(response.headers.get("location")).to.equal(`/trace/${RELEASED}`);
    });

    it("answers a search for an invalid id with the form again and the rule, status 400", async () => {
      const { status, html } = await page("/?shipment=" + encodeURIComponent("not an id!"));
      expect(status).to.equal(400);
      expect(html).to.contain("shipmentId: must be 1..64 characters of A-Z a-z 0-9 . _ : -");
      expect(html).to.contain('value="not an id!"');
    });
  });

  describe("/log", () => {
    it("shows the log size, the head root, the newest checkpoint and the checkpoints newest first", async () => {
      const { log: store } = node.runtime;
      const separator = node.runtime.ledger.domainSeparator;
      await node.runtime.anchorer.anchorNow();
      await appendOk("EXPL-0003", signedAppend({ separator, signer: 1, shipmentId: "EXPL-0003", eventType: "ORDER" }).request);
      await node.runtime.anchorer.anchorNow();
      const checkpoints = await store.listCheckpoints();
      expect(checkpoints.length).to.be.at.least(3);
      const { status, html } = await page("/log");
      expect(status).to.equal(200);
      const latest = defined(checkpoints.at(-1), "the latest checkpoint");
      expect(attributeOf(html, "data-log-size")).to.equal(String(store.treeSize));
      expect(attributeOf(html, "data-anchored-size")).to.equal(String(latest.treeSize));
      expect(html).to.contain(latest.rootHash).and.to.contain(latest.txHash);
      const rows = tagsWith(html, "data-tree-size");
      expect(rows.map((r) => Number(r["data-tree-size"]))).to.deep.equal(checkpoints.map((c) => c.treeSize).reverse());
      expect(attributeOf(html, "data-points")).to.equal(String(checkpoints.length));
    });
  });

  describe("/authenticity", () => {
    it("shows the form alone when nothing was asked", async () => {
      const { status, html } = await page("/authenticity");
      expect(status).to.equal(200);
      expect(html).to.contain('name="gtin"').and.to.contain('name="serial"').and.to.contain('name="shipmentId"');
      expect(verdictOf(html)).to.equal(undefined);
    });

    it("answers a malformed GTIN with a 400 page naming the field", async () => {
      const { status, html } = await page("/authenticity?gtin=12ab&serial=SN-1&shipmentId=");
      expect(status).to.equal(400);
      expect(html).to.contain("gtin: must be a GTIN of 8, 12, 13 or 14 digits");
      expect(html).to.contain('value="12ab"');
    });

    it("answers a missing serial with a 400 page naming the field", async () => {
      const { status, html } = await page("/authenticity?gtin=7612345000012&serial=");
      expect(status).to.equal(400);
      expect(html).to.contain("serial: required query parameter is missing");
    });

    it("renders the verdict of the service behind GET /v1/authenticity", async () => {
      const query = "gtin=7612345000012&serial=NOT-IN-ANY-CATALOG";
      const api = (await (await app.request(`/v1/authenticity?${query}`)).json()) as { verdict: string; reasons: string[] };
      const { status, html } = await page(`/authenticity?${query}&shipmentId=`);
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal(api.verdict).and.to.equal("not_registered");
      for (const reason of api.reasons) expect(html).to.contain(reason);
    });
  });

  describe("the verdict banner", () => {
    it("says an unpinned report was not checked against the network: contracts and log taken from the bundle", async () => {
      const bundle = await bundleAs(4, RELEASED);
      // What a verifier that pins no network reports (the node's own verifications always pin one).
      const report = await verifyBundle({ bundle, chain: node.runtime.chainReader });
      expect(report.status).to.equal("unpinned");
      const html = String(await jsx(VerdictBanner, { report }).toString());
      expect(verdictOf(html)).to.equal("unpinned");
      expect(headlineOf(html)).to.equal("? Unpinned: not checked against the network");
      expect(html).to.contain("the chain, contracts and log were taken from the bundle and were not checked against a network");
      expect(html).to.not.contain("✔ Verified");
    });
  });

  describe("/verify", () => {
    it("shows a form with a file input and a text area", async () => {
      const { status, html } = await page("/verify");
      expect(status).to.equal(200);
      expect(html).to.contain('enctype="multipart/form-data"').and.to.contain('type="file" name="bundle"').and.to.contain('<textarea name="json"');
    });

    it("answers malformed JSON with a 400 page naming the problem", async () => {
      const { status, html, response } = await upload('{"format": ');
      expect(status).to.equal(400);
      expectHtml(response);
      expect(html).to.contain("malformed JSON");
      expect(verdictOf(html)).to.equal(undefined);
    });

    it("answers JSON that is not a trace bundle with a 400 page naming what is wrong", async () => {
      const { status, html } = await upload(JSON.stringify({ format: "borderledger.trace.v0", entries: [] }));
      expect(status).to.equal(400);
      expect(html).to.contain(`not a ${TRACE_FORMAT} bundle`).and.to.contain("format");
    });

    it("answers an empty form with a 400 page asking for a bundle", async () => {
      const { status, html } = await upload("");
      expect(status).to.equal(400);
      expect(html).to.contain("no bundle given");
    });

    it("verifies a customs viewer's bundle and shows its disclosed fields", async () => {
      const bundle = await bundleAs(4, RELEASED);
      const { status, html } = await upload(JSON.stringify(bundle));
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("verified");
      expect(checkStatuses(html)["field-digests"]).to.equal("pass");
      expect(tagsWith(html, "data-disclosed").every((f) => f["data-disclosed"] === "true")).to.equal(true);
      expect(html).to.contain("Anna Schmidt");
      expect(attributeOf(html, "data-node-contracts")).to.equal("same");
      expect(checkStatuses(html)["trust-root"]).to.equal("pass");
      expect(checkStatuses(html).completeness).to.equal("pass");
    });

    it("fails trust-root for an uploaded bundle that names other contracts: the page verifies against this node's network", async () => {
      const bundle = await bundleAs(4, RELEASED);
      const lookAlike = devWallet(12).address;
      bundle.chain.productRegistry = lookAlike;
      const { status, html } = await upload(JSON.stringify(bundle));
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("failed");
      expect(headlineOf(html)).to.equal("✘ Verification failed");
      const statuses = checkStatuses(html);
      expect(statuses["trust-root"]).to.equal("fail");
      // Only the contract the network does not name is wrong: the events' signatures still hold.
      expect(statuses["event-signatures"]).to.equal("pass");
      const network = node.runtime.network;
      expect(reasonOf(html, "trust-root")).to.equal(
        `the bundle names ProductRegistry ${lookAlike}, network ${network.name}&#39;s is ${network.productRegistry}`,
      );
      expect(attributeOf(html, "data-node-contracts")).to.equal("different");
      expect(html).to.contain("productRegistry differ");
    });

    it("fails trust-root for an uploaded bundle of a log the network does not name", async () => {
      const bundle = await bundleAs(4, RELEASED);
      const otherLog = toHex(keccak256Utf8("another-log"));
      bundle.logId = otherLog;
      const { status, html } = await upload(JSON.stringify(bundle));
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("failed");
      expect(checkStatuses(html)["trust-root"]).to.equal("fail");
      expect(reasonOf(html, "trust-root")).to.contain(`the bundle&#39;s log ${otherLog} is none of network ${node.runtime.network.name}&#39;s logs`);
      expect(attributeOf(html, "data-node-contracts")).to.equal("different");
    });

    it("shows an uploaded bundle with an entry past the checkpoint as pending, never as Verified", async () => {
      const shipmentId = "EXPL-0005";
      await appendOk(shipmentId, signedAppend({ separator: node.runtime.ledger.domainSeparator, signer: 1, shipmentId, eventType: "ORDER" }).request);
      const bundle = await bundleAs(1, shipmentId);
      expect(defined(bundle.entries[0], "the ORDER entry").inclusionProof).to.equal(null);
      const { status, html } = await upload(JSON.stringify(bundle));
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("pending");
      expect(headlineOf(html)).to.equal("… Pending anchoring");
      expect(html).to.contain("Verified so far — 1 entry waits for anchoring");
      expect(html).to.not.contain("✔ Verified");
    });

    it("verifies an EPCIS 2.0 export as the trace bundle it carries, and names the member a plain EPCIS document lacks", async () => {
      const pathAndQuery = `/v1/shipments/${RELEASED}/epcis`;
      const wallet = devWallet(4);
      const timestamp = Date.now();
      const signature = await wallet.signMessage(`GET ${pathAndQuery} ${timestamp}`);
      const exported = await app.request(pathAndQuery, {
        headers: { "x-bl-address": wallet.address, "x-bl-timestamp": String(timestamp), "x-bl-signature": signature },
      });
      expect(exported.status).to.equal(200);
      const good = await upload(await exported.text(), "shipment.jsonld");
      expect(good.status).to.equal(200);
      expect(verdictOf(good.html)).to.equal("verified");
      expect(good.html).to.contain("Anna Schmidt");
      const plain = await upload(JSON.stringify({ type: "EPCISDocument", schemaVersion: "2.0", epcisBody: { eventList: [] } }), "plain.jsonld");
      expect(plain.status).to.equal(400);
      expect(plain.html).to.match(/not a BorderLedger export carrying a trace bundle: bl:format: /);
    });

    it("verifies pasted JSON sent as a urlencoded form", async () => {
      const bundle = await bundleAs(4, RELEASED);
      const { status, html } = await page("/verify", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ json: JSON.stringify(bundle) }).toString(),
      });
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("verified");
    });

    it("fails field-digests on the entry whose payload value was changed", async () => {
      const bundle = await bundleAs(4, RELEASED);
      (defined(bundle.entries[0], "the ORDER entry").payload.buyer as { name: string }).name = "Mallory Fake";
      const { status, html } = await upload(JSON.stringify(bundle));
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("failed");
      const statuses = checkStatuses(html);
      expect(statuses["field-digests"]).to.equal("fail");
      expect(statuses["event-signatures"]).to.equal("pass");
      const chip = tagsWith(html, "data-entry-check").find((a) => a["data-entry-check"] === "field-digests" && a["data-status"] === "fail");
      expect(chip, "a failed field-digests mark on the entry").to.not.equal(undefined);
      expect(html).to.contain("payload.buyer does not match its digest");
    });

    it("fails the inclusion check when a byte of an inclusion proof is flipped", async () => {
      const bundle = await bundleAs(4, RELEASED);
      const proof = defined(bundle.entries[3]?.inclusionProof, "the RISK_RESULT's inclusion proof");
      const hash = defined(proof[0], "the proof's first hash");
      const last = hash.slice(-2);
      proof[0] = hash.slice(0, -2) + (parseInt(last, 16) ^ 0x01).toString(16).padStart(2, "0");
      const { status, html } = await upload(JSON.stringify(bundle));
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("failed");
      const statuses = checkStatuses(html);
      expect(statuses.inclusion).to.equal("fail");
      expect(statuses["field-digests"]).to.equal("pass");
    });

    it("escapes whatever markup an uploaded bundle carries in field names and values", async () => {
      const bundle = await bundleAs(4, RELEASED);
      const markup = '"><script>alert(1)</script>';
      const order = defined(bundle.entries[0], "the ORDER entry");
      order.digests[markup] = defined(order.digests.orderId, "the orderId digest");
      order.payload[markup] = markup;
      const { status, html } = await upload(JSON.stringify(bundle));
      expect(status).to.equal(200);
      expect(verdictOf(html)).to.equal("failed");
      expect(html).to.not.contain("<script>");
      expect(html).to.contain("&lt;script&gt;");
    });

    it("answers an upload over the body limit with a 413 page", async () => {
      const small = createApp({ node: node.runtime.api, startedAt: new Date(), limits: { bodyBytes: 2048 } });
      const form = new FormData();
      form.append("bundle", new File(["x".repeat(4096)], "big.json", { type: "application/json" }));
      const response = await small.request("/verify", { method: "POST", body: form });
      expect(response.status).to.equal(413);
      expectHtml(response);
      expect(await response.text()).to.contain("larger than 2048 bytes");
    });
  });
});
