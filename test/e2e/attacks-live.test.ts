// The attacks on who may speak for a shipment, against the node process `npm start` runs, over real HTTP.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { domainSeparator } from "../../node/domain/eip712";
import type { EventType } from "../../node/domain/event-types";
import { EXAMPLE_PAYLOADS } from "../../tools/fixtures/payload-examples";
import { signedAppend } from "../helpers/events";
import { NodeProcesses, stopNode, type NodeProcess } from "../helpers/node-process";

type ErrorBody = { error: { code: string; message: string; details?: { rule?: string } } };

describe("attacks on a node started as npm start starts it", function () {
  this.timeout(120_000);
  const nodes = new NodeProcesses();
  let dataDir: string;
  let url: string;
  let separator: Buffer;
  let running: NodeProcess | undefined;

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-attacks-live-"));
    const node = nodes.start({ DATA_DIR: dataDir, CUSTOMS_AUTO_RISK: "DE" });
    url = await node.ready;
    const chain = (await (await fetch(`${url}/v1/chain`)).json()) as { chainId: number; participantRegistry: string };
    separator = domainSeparator({ chainId: chain.chainId, verifyingContract: chain.participantRegistry });
    running = node;
  });
  after(async () => {
    try {
      if (running !== undefined) expect((await stopNode(running)).code).to.equal(0);
    } finally {
      await nodes.killAll();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  async function post(shipmentId: string, eventType: EventType, signer: number, change: Record<string, unknown> = {}, occurredAtMs = Date.now() - 60_000) {
    const payload = { ...(structuredClone(EXAMPLE_PAYLOADS[eventType]) as Record<string, unknown>), ...change };
    const { request } = signedAppend({ separator, signer, shipmentId, eventType, payload, occurredAtMs });
    const response = await fetch(`${url}/v1/shipments/${shipmentId}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    return { status: response.status, body: (await response.json()) as ErrorBody };
  }

  const treeSize = async () => ((await (await fetch(`${url}/v1/log/checkpoint`)).json()) as { head: { treeSize: number } }).head.treeSize;

  it("refuses a stranger, a re-routing, a back-dated declaration, a second ORDER and a foreign brand's claim, storing nothing", async () => {
    const shipmentId = "RR000000444DE";
    for (const [type, signer] of [
      ["ORDER", 1],
      ["DISPATCH", 2],
    ] as const) {
      expect((await post(shipmentId, type, signer)).status).to.equal(201);
    }
    const size = await treeSize();
    const attempts: { what: string; answer: Promise<{ status: number; body: ErrorBody }>; status: number; rule: string }[] = [
      { what: "a stranger carrier's DISPATCH", answer: post(shipmentId, "DISPATCH", 9), status: 403, rule: "NOT_A_PARTY" },
      { what: "a DECLARATION to the US", answer: post(shipmentId, "DECLARATION", 3, { destinationCountry: "US" }), status: 409, rule: "DESTINATION_CHANGED" },
      {
        what: "a DECLARATION signed for 2025-08-28",
        answer: post(shipmentId, "DECLARATION", 3, {}, Date.UTC(2025, 7, 28, 12)),
        status: 409,
        rule: "OCCURRED_AT_WINDOW",
      },
      { what: "a second ORDER", answer: post(shipmentId, "ORDER", 1, { orderId: "SECOND" }), status: 409, rule: "ORDER_NOT_FIRST" },
      { what: "a claim of Nike", answer: post(shipmentId, "CLAIM", 7, { brand: "Nike", lineIds: ["99"] }), status: 403, rule: "CLAIM_BRAND_NOT_OWNED" },
    ];
    for (const attempt of attempts) {
      const { status, body } = await attempt.answer;
      expect(status, `${attempt.what}: ${JSON.stringify(body)}`).to.equal(attempt.status);
      expect(body.error.details?.rule, attempt.what).to.equal(attempt.rule);
    }
    expect(await treeSize()).to.equal(size);
  });
});
