// The trace explorer in a real browser (Debian's Chromium through playwright-core) against a node the demo filled.
import { expect } from "chai";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { startNode, type RunningNode } from "../../api/server";
import { devWallet } from "../../node/chain/dev-participants";
import { BorderLedgerClient } from "../../node/client/client";
import { runDemo, type DemoResult } from "../../tools/demo/demo";
import { parseConfig } from "../../node/runtime/config";
import type { TraceBundle } from "../../node/domain/bundle";
import { CHECK_NAMES } from "../../node/verify/verify-bundle";
import { defined, elementAt } from "../helpers/assertions";

const CHROMIUM = "/usr/bin/chromium";
const SHOTS = path.resolve(__dirname, "../../test-results/explorer");
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 390, height: 844 };
/** The gtin of the catalog the demo's brand owner anchors (node/client/demo.ts, story 4). */
const DEMO_GTIN = "7612345000012";

/** Polls `condition` until it holds or `ms` pass; throws with `what` on timeout. */
async function waitFor(what: string, condition: () => Promise<boolean>, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("The trace explorer in a browser", function () {
  this.timeout(300_000);
  let dir: string | undefined;
  let node: RunningNode | undefined;
  let browser: Browser | undefined;
  let demo: DemoResult;
  let run: string;
  let released: string;

  const shipment = (suffix: string) => {
    const id = demo.shipments.find((s) => s.endsWith(suffix));
    if (!id) throw new Error(`the demo made no shipment ending in ${suffix}: ${demo.shipments.join(", ")}`);
    return id;
  };
  /** The node and the browser before() starts (after() closes whichever it got to). */
  const runningNode = () => defined(node, "the node started by before()");
  const runningBrowser = () => defined(browser, "the browser launched by before()");
  const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });

  async function newPage(viewport = DESKTOP): Promise<Page> {
    const context = await runningBrowser().newContext({ viewport });
    return context.newPage();
  }

  async function checkStatuses(page: Page): Promise<Record<string, string>> {
    const pairs = await page
      .locator("[data-check]")
      .evaluateAll((elements) => elements.map((e) => [e.getAttribute("data-check"), e.getAttribute("data-status")]));
    return Object.fromEntries(pairs);
  }

  async function customsBundle(shipmentId: string): Promise<TraceBundle> {
    const customs = await BorderLedgerClient.connect({ nodeUrl: runningNode().url, privateKey: devWallet(4).privateKey });
    return customs.trace(shipmentId);
  }

  async function uploadBundle(page: Page, name: string, bundle: TraceBundle): Promise<void> {
    await page.goto(`${runningNode().url}/verify`);
    await page.setInputFiles('input[type="file"][name="bundle"]', { name, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bundle)) });
    await Promise.all([page.waitForURL(`${runningNode().url}/verify`), page.click('button[type="submit"]')]);
    await page.locator("[data-verdict]").waitFor();
  }

  before(async () => {
    // A missing browser is a broken test machine, not a reason to skip: say how to fix it.
    if (!existsSync(CHROMIUM))
      throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (sudo apt-get install chromium) to run the explorer's browser tests`);
    dir = mkdtempSync(path.join(tmpdir(), "bl-explorer-"));
    node = await startNode({ config: parseConfig({ PORT: "0", CHAIN_PORT: "0", DATA_DIR: dir, ANCHOR_INTERVAL_MS: "300" }), log: () => undefined });
    demo = await runDemo({ nodeUrl: node.url, log: () => undefined });
    expect(demo.ok, "the demo verified every bundle").to.equal(true);
    released = shipment("-CLEAN-DE");
    run = elementAt(released.split("-"), 1);
    const size = node.runtime.log.treeSize;
    await waitFor(`a checkpoint covering the demo's ${size} events`, async () => ((await runningNode().runtime.log.latestCheckpoint())?.treeSize ?? 0) >= size);
    mkdirSync(SHOTS, { recursive: true });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
  });

  after(async () => {
    await browser?.close();
    await node?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("finds a released demo shipment from the search form and shows its anonymous trace verified, with nothing failing", async () => {
    const page = await newPage();
    await page.goto(`${runningNode().url}/`);
    await shot(page, "home");
    await page.fill('input[name="shipment"]', released);
    await Promise.all([page.waitForURL(`${runningNode().url}/trace/${released}`), page.click('form[role="search"] button')]);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("verified");
    const statuses = await checkStatuses(page);
    expect(Object.keys(statuses)).to.deep.equal([...CHECK_NAMES]);
    // The report is an anonymous GET /v1/shipments/{id}/verify's: pinned to the node's own network, complete, and run
    // on the anonymous bundle, whose hidden fields the lifecycle and payment rules need.
    expect(statuses, JSON.stringify(statuses)).to.include({
      "trust-root": "pass",
      "field-digests": "pass",
      "event-signatures": "pass",
      "shipment-chain": "pass",
      inclusion: "pass",
      "checkpoint-anchored": "pass",
      lifecycle: "not-checkable",
      payment: "not-checkable",
      completeness: "pass",
    });
    expect(await page.textContent(".verdict-title")).to.equal("✔ Verified");
    expect(await page.textContent("[data-completeness]")).to.match(/Completeness: complete as of tree size \d+, block \d+, \d{4}-/);
    expect(Object.values(statuses), JSON.stringify(statuses)).to.not.include("fail");
    const types = await page.locator("[data-event-type]").evaluateAll((elements) => elements.map((e) => e.getAttribute("data-event-type")));
    expect(types).to.include.members(["ORDER", "DISPATCH", "DECLARATION", "RISK_RESULT", "TAX_PAID", "RELEASE", "DELIVERY"]);
    expect(await page.locator('[data-anchored="false"]').count()).to.equal(0);
    // Of the payloads an anonymous reader sees only who the events made parties (spec §1.1).
    const disclosed = await page.locator('[data-disclosed="true"]').evaluateAll((elements) => elements.map((e) => e.getAttribute("data-field")));
    expect(
      disclosed.every((field) => field === "parties"),
      JSON.stringify(disclosed),
    ).to.equal(true);
    await shot(page, "trace-verified");
    await page.context().close();
  });

  it("names the failed check of a tampered or look-alike bundle uploaded as a file, and verifies the untampered one", async () => {
    const page = await newPage();
    const bundle = await customsBundle(released);
    const tampered = structuredClone(bundle);
    (elementAt(tampered.entries, 0).payload.buyer as { name: string }).name = "Someone Else";
    await uploadBundle(page, "tampered.json", tampered);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
    expect(await page.getAttribute('[data-check="field-digests"]', "data-status")).to.equal("fail");
    expect(await page.textContent('[data-check="field-digests"]')).to.contain("payload.buyer does not match its digest");
    await shot(page, "tampered-upload");

    // The node verifies uploads against its own network: a bundle naming a look-alike ProductRegistry fails trust-root.
    const lookAlike = structuredClone(bundle);
    lookAlike.chain.productRegistry = devWallet(12).address;
    await uploadBundle(page, "look-alike.json", lookAlike);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("failed");
    expect(await page.getAttribute('[data-check="trust-root"]', "data-status")).to.equal("fail");
    expect(await page.getAttribute("[data-node-contracts]", "data-node-contracts")).to.equal("different");

    await uploadBundle(page, "bundle.json", bundle);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("verified");
    expect(await page.getAttribute('[data-check="field-digests"]', "data-status")).to.equal("pass");
    expect(await page.locator('[data-disclosed="true"]').count()).to.be.greaterThan(0);
    await page.context().close();
  });

  it("fits a 390-pixel-wide phone screen without scrolling sideways", async () => {
    const page = await newPage(PHONE);
    const pages = [`/trace/${released}`, "/", "/log", `/authenticity?gtin=${DEMO_GTIN}&serial=AO-${run}-0007`, "/verify"];
    for (const url of pages) {
      await page.goto(`${runningNode().url}${url}`);
      // A string, not a function: the project's TypeScript has no DOM library.
      const { scrollWidth, innerWidth } = (await page.evaluate("({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth })")) as {
        scrollWidth: number;
        innerWidth: number;
      };
      expect(scrollWidth, `${url} is ${scrollWidth} px wide`).to.be.at.most(innerWidth);
      if (url.startsWith("/trace/")) await shot(page, "trace-phone");
    }
    await page.context().close();
  });

  it("shows the log's size, its newest checkpoint and its checkpoints over time", async () => {
    const page = await newPage();
    await page.goto(`${runningNode().url}/log`);
    const { log: store } = runningNode().runtime;
    expect(Number(await page.getAttribute("[data-log-size]", "data-log-size"))).to.equal(store.treeSize);
    const newest = defined(await store.latestCheckpoint(), "the newest checkpoint");
    expect(Number(await page.getAttribute("[data-anchored-size]", "data-anchored-size"))).to.equal(newest.treeSize);
    expect(await page.locator("tr[data-tree-size]").count()).to.equal(Math.min(50, (await store.listCheckpoints()).length));
    expect(await page.locator("figure.chart svg polyline").count()).to.equal(1);
    await shot(page, "log");
    await page.context().close();
  });

  it("checks a demo item's authenticity from the form: a catalog item is authentic, the sold serial a suspected clone", async () => {
    const page = await newPage();
    await page.goto(`${runningNode().url}/authenticity`);
    await page.fill('input[name="gtin"]', DEMO_GTIN);
    await page.fill('input[name="serial"]', `AO-${run}-0001`);
    await Promise.all([page.waitForURL(/\/authenticity\?/), page.click('button[type="submit"]')]);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("authentic");

    // Serial 7 was sold by the official store and again in the counterfeit parcel (story 4).
    await page.fill('input[name="serial"]', `AO-${run}-0007`);
    await page.fill('input[name="shipmentId"]', shipment("-FAKE-DE"));
    await Promise.all([page.waitForURL(/serial=AO-.*-0007/), page.click('button[type="submit"]')]);
    expect(await page.getAttribute("[data-verdict]", "data-verdict")).to.equal("suspected_clone");
    // Where the serial was seen, and who sold it, only the brand's owner and customs are told: not this anonymous page.
    expect(await page.locator("tr[data-sighting]").count()).to.equal(0);
    expect(await page.locator('[data-sightings="withheld"]').count()).to.equal(1);
    expect(await page.content())
      .to.not.contain(shipment("-GENUINE-DE"))
      .and.not.contain("SELLER-7781");
    await shot(page, "authenticity");
    await page.context().close();
  });
});
