import { expect } from "chai";
import { mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApp } from "../../api/app";
import { devWallet } from "../../node/chain/dev-participants";
import type { TraceBundle } from "../../node/domain/bundle";
import { epcisToBundle } from "../../node/domain/epcis/document";
import { PERSONAL_DATA_FIELDS, signErasure, type ErasureRecord } from "../../node/domain/erasure-request";
import type { EventType } from "../../node/domain/event-types";
import { openNodeRuntime, type NodeRuntime } from "../../node/runtime/node-runtime";
import { verifyBundle, type CheckName, type VerificationReport } from "../../node/verify/verify-bundle";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { defined } from "../helpers/assertions";
import { signedAppend } from "../helpers/events";
import { signedReader } from "../helpers/reads";

// A full lifecycle on a node of its own, so that no other shipment holds the person's name: then finding the name
// anywhere in the node's files or answers means the erasure left it there.
const NAME = "Anna Schmidt";
const ADDRESS = "Hauptstraße 5";
const FINDINGS = "Opened before the addressee Anna Schmidt, marker Q7X2-FINDINGS";
const REASON = "Released to Anna Schmidt in person, marker K9P4-RELEASE-REASON";
const DETAIL = "Sold to Anna Schmidt below cost, marker M3V8-CLAIM-DETAIL";
/** What must leave the node: the name, the buyer's address, and a marker of each free-text field. */
const PERSONAL = [NAME, ADDRESS, "Q7X2-FINDINGS", "K9P4-RELEASE-REASON", "M3V8-CLAIM-DETAIL"];
const NEVER = 1_000_000_000;

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? filesUnder(path.join(dir, d.name)) : [path.join(dir, d.name)]));
}

/** The strings of PERSONAL that `text` holds (as UTF-8 bytes, or as JSON escapes them). */
function personalIn(text: string): string[] {
  return PERSONAL.filter((s) => text.includes(s) || text.includes(JSON.stringify(s).slice(1, -1)));
}

/** The strings of PERSONAL that any file under `dir` holds, as raw bytes, with the files that hold them. */
function personalOnDisk(dir: string): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const bytes = readFileSync(file);
    for (const s of PERSONAL) if (bytes.includes(Buffer.from(s, "utf8"))) found.push(`${s} in ${path.relative(dir, file)}`);
  }
  return found;
}

describe("personal data erasure of a full lifecycle (every default field, and the free text on request)", function () {
  this.timeout(180_000);
  const shipmentId = "ERASE-FULL-0001";
  let dataDir: string;
  let runtime: NodeRuntime | undefined;
  let app: ReturnType<typeof createApp>;
  let read: ReturnType<typeof signedReader>;
  let separator: Buffer;
  let original: TraceBundle;
  let record: ErasureRecord;

  const live = (): NodeRuntime => defined(runtime, "the running node");
  const post = (url: string, body: unknown) =>
    app.request(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

  async function text(index: number | null, pathAndQuery: string): Promise<string> {
    const response = index === null ? await app.request(pathAndQuery) : await read(index, pathAndQuery);
    const body = await response.text();
    expect(response.status, `${pathAndQuery}: ${body}`).to.equal(200);
    return body;
  }

  /** What customs of the destination (who sees every field) and the platform get, and the anonymous explorer page. */
  async function exports(): Promise<Record<string, string>> {
    const trace = await text(4, `/v1/shipments/${shipmentId}/trace`);
    const bundle = JSON.parse(trace) as TraceBundle;
    const out: Record<string, string> = {
      "customs' trace": trace,
      "the platform's trace": await text(1, `/v1/shipments/${shipmentId}/trace`),
      "customs' EPCIS export": await text(4, `/v1/shipments/${shipmentId}/epcis`),
      "customs' verification report": await text(4, `/v1/shipments/${shipmentId}/verify`),
      "the explorer's trace page": await text(null, `/trace/${shipmentId}`),
    };
    for (const entry of bundle.entries) out[`log entry ${entry.leafIndex}`] = await text(4, `/v1/log/entries/${entry.leafIndex}`);
    return out;
  }

  function personalInExports(all: Record<string, string>): string[] {
    return Object.entries(all).flatMap(([what, body]) => personalIn(body).map((s) => `${s} in ${what}`));
  }

  const verify = (bundle: unknown) => verifyBundle({ bundle, chain: live().chainReader });
  const check = (report: VerificationReport, name: CheckName) =>
    defined(
      report.checks.find((c) => c.name === name),
      `the ${name} check`,
    );

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-erasure-"));
    runtime = await openNodeRuntime({
      chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "erasure-lifecycle-log", devParticipants: true },
      dataDir,
      anchorMaxEvents: NEVER,
      anchorIntervalMs: NEVER,
      prepareWorkers: 0,
    });
    separator = runtime.ledger.domainSeparator;
    app = createApp({ node: runtime.api, startedAt: new Date("2026-01-01T00:00:00Z") });
    read = signedReader(runtime, app);

    // The example parcel (its buyer and consignee are Anna Schmidt), red lane, inspected, paid by her, released to
    // her, delivered to her, then claimed against.
    const steps: { eventType: EventType; signer: number; payload?: Record<string, unknown> }[] = [
      { eventType: "ORDER", signer: 1 },
      { eventType: "DISPATCH", signer: 2 },
      { eventType: "DECLARATION", signer: 3 },
      { eventType: "RISK_RESULT", signer: 4, payload: { ...structuredClone(EXAMPLE_PAYLOADS.RISK_RESULT), lane: "red", score: 81 } },
      { eventType: "INSPECTION", signer: 4, payload: { ...structuredClone(EXAMPLE_PAYLOADS.INSPECTION), findings: FINDINGS } },
      {
        eventType: "TAX_PAID",
        signer: 1,
        payload: { ...structuredClone(EXAMPLE_PAYLOADS.TAX_PAID), payment: { ...EXAMPLE_PAYLOADS.TAX_PAID.payment, payer: NAME } },
      },
      { eventType: "RELEASE", signer: 4, payload: { ...structuredClone(EXAMPLE_PAYLOADS.RELEASE), reason: REASON } },
      { eventType: "DELIVERY", signer: 2, payload: { ...structuredClone(EXAMPLE_PAYLOADS.DELIVERY), deliveredTo: NAME } },
      { eventType: "CLAIM", signer: 7, payload: { ...structuredClone(EXAMPLE_PAYLOADS.CLAIM), detail: DETAIL } },
      { eventType: "CLAIM_DECISION", signer: 4 },
    ];
    const start = Date.now() - (steps.length + 1) * 60_000;
    for (const [i, step] of steps.entries()) {
      const { request } = signedAppend({ separator, shipmentId, occurredAtMs: start + i * 60_000, ...step });
      const response = await post(`/v1/shipments/${shipmentId}/events`, request);
      expect(response.status, `${step.eventType}: ${await response.clone().text()}`).to.equal(201);
    }
    await runtime.anchorer.anchorNow();
    original = JSON.parse(await text(4, `/v1/shipments/${shipmentId}/trace`)) as TraceBundle;

    // Preconditions: each search below would find what it looks for if it were still there.
    const before = await exports();
    expect(personalIn(defined(before["customs' trace"], "customs' trace"))).to.deep.equal(PERSONAL);
    expect(personalIn(defined(before["customs' EPCIS export"], "the EPCIS export"))).to.deep.equal(PERSONAL);
    expect(personalOnDisk(runtime.db.location).map((found) => found.split(" in ")[0])).to.include.members(PERSONAL);

    const body = signErasure({
      separator,
      privateKey: devWallet(4).privateKey,
      shipmentId,
      fields: [...PERSONAL_DATA_FIELDS],
      reason: "GDPR Art. 17 request, case DE-2026-0107",
      requestedAtMs: Date.now(),
    });
    const response = await post(`/v1/shipments/${shipmentId}/erasures`, body);
    expect(response.status, await response.clone().text()).to.equal(201);
    record = (await response.json()) as ErasureRecord;
  });

  after(async () => {
    await runtime?.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it("erases every default field and the free text the request names, from the entries that held them", () => {
    expect(record.fields).to.deep.equal([
      "ORDER.buyer",
      "DISPATCH.consignor",
      "DISPATCH.consignee",
      "TAX_PAID.payment",
      "DELIVERY.deliveredTo",
      "INSPECTION.findings",
      "RELEASE.reason",
      "CLAIM.detail",
    ]);
    expect(record.erased).to.deep.equal([
      { seq: 0, fields: ["buyer"] },
      { seq: 1, fields: ["consignor", "consignee"] },
      { seq: 4, fields: ["findings"] },
      { seq: 5, fields: ["payment"] },
      { seq: 6, fields: ["reason"] },
      { seq: 7, fields: ["deliveredTo"] },
      { seq: 8, fields: ["detail"] },
    ]);
  });

  it("leaves the name and the free text in none of the node's answers: traces, EPCIS, verification, log entries, explorer", async () => {
    expect(personalInExports(await exports())).to.deep.equal([]);
  });

  it("leaves them in no file of the LevelDB directory while the node runs", () => {
    expect(personalOnDisk(live().db.location)).to.deep.equal([]);
  });

  it("serves a bundle that still verifies: every digest kept, the payment not checkable, never failed", async () => {
    const bundle = JSON.parse(await text(4, `/v1/shipments/${shipmentId}/trace`)) as TraceBundle;
    expect(bundle.erasures).to.deep.equal([record]);
    expect(bundle.entries.map((e) => e.digests)).to.deep.equal(original.entries.map((e) => e.digests));
    expect(bundle.entries.map((e) => e.leafHash)).to.deep.equal(original.entries.map((e) => e.leafHash));
    expect(bundle.checkpoint).to.deep.equal(original.checkpoint);
    const report = await verify(bundle);
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    expect(report.ok).to.equal(true);
    for (const name of ["field-digests", "event-signatures", "shipment-chain", "inclusion", "checkpoint-anchored", "actor-roles", "erasures"] as const) {
      expect(check(report, name).status, name).to.equal("pass");
    }
    const payment = check(report, "payment");
    expect(payment.status).to.equal("not-checkable");
    expect(payment.reason).to.contain("payment of TAX_PAID at seq 5 is not disclosed");
    expect(check(report, "erasures").reason).to.contain("payment of seq 5");
  });

  it("carries the record in the EPCIS export, whose bundle verifies as well", async () => {
    const bundle = epcisToBundle(JSON.parse(await text(4, `/v1/shipments/${shipmentId}/epcis`)));
    expect(bundle.erasures).to.deep.equal([record]);
    const report = await verify(bundle);
    expect(report.checks.filter((c) => c.status === "fail")).to.deep.equal([]);
    expect(check(report, "erasures").status).to.equal("pass");
  });

  it("leaves them in no file of the node's data directory once the node is closed", async () => {
    await live().close();
    runtime = undefined;
    expect(filesUnder(dataDir).length).to.be.greaterThan(0);
    expect(personalOnDisk(dataDir)).to.deep.equal([]);
  });
});
