import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createApp } from "../../api/app";
import { openNodeRuntime, type NodeRuntime } from "../../node/runtime/node-runtime";
import { signedAppend } from "../helpers/events";

type HealthBody = {
  status: "ok" | "degraded";
  reason?: string;
  chain: { reachable: boolean };
  anchoring: { anchoredSize: number; pending: number; lastError: string | null; consecutiveFailures: number; failures: number };
};

/** Polls `condition` every 50 ms until it returns something truthy; fails naming `what` after `timeoutMs`. */
async function waitFor<T>(what: string, condition: () => T | Promise<T>, timeoutMs = 20_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await condition();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("API: health while anchoring fails", function () {
  this.timeout(60_000);
  let dataDir: string;
  let runtime: NodeRuntime;
  let app: ReturnType<typeof createApp>;
  const logged: string[] = [];

  before(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-health-"));
    runtime = await openNodeRuntime({
      chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "health-test-log", devParticipants: true },
      dataDir,
      anchorMaxEvents: 1,
      anchorIntervalMs: 50,
      prepareWorkers: 0,
      log: (line) => logged.push(line),
    });
    app = createApp({ node: runtime.api, startedAt: new Date() });
  });
  after(async () => {
    await runtime?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const health = async (): Promise<{ status: number; body: HealthBody }> => {
    const response = await app.request("/v1/health");
    return { status: response.status, body: (await response.json()) as HealthBody };
  };

  it("turns degraded (503, one-line reason naming the unfunded operator) and counts failures in /metrics", async () => {
    expect((await health()).status).to.equal(200);
    const operator = runtime.chain.operator.address;
    await runtime.chain.provider.send("hardhat_setBalance", [operator, "0x0"]);
    const separator = runtime.ledger.domainSeparator;
    const { request } = signedAppend({ separator, signer: 1, shipmentId: "HLT001", eventType: "ORDER" });
    const appended = await app.request("/v1/shipments/HLT001/events", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(request),
    });
    expect(appended.status).to.equal(201);

    const degraded = await waitFor("health to turn degraded", async () => {
      const answer = await health();
      return answer.status === 503 ? answer : undefined;
    });
    expect(degraded.body.status).to.equal("degraded");
    expect(degraded.body.chain.reachable).to.equal(true);
    expect(degraded.body.anchoring.consecutiveFailures).to.be.at.least(3);
    expect(degraded.body.anchoring.pending).to.equal(1);
    const reason = degraded.body.reason ?? "";
    expect(reason).to.not.include("\n");
    expect(reason).to.include(operator).and.to.include("funds");
    const lastError = degraded.body.anchoring.lastError ?? "";
    expect(lastError).to.include(operator);
    expect(lastError.length).to.be.below(300);
    expect(lastError).to.not.match(/0x[0-9a-f]{200}/i);
    expect(JSON.stringify(degraded.body) + logged.join("\n")).to.not.contain(runtime.chain.operator.privateKey.slice(2));

    const metrics = await (await app.request("/metrics")).text();
    const failures = Number(/^borderledger_anchoring_failures_total (\d+)$/m.exec(metrics)?.[1]);
    expect(failures).to.be.at.least(3);
    expect(metrics).to.match(/^borderledger_anchoring_consecutive_failures [1-9]\d*$/m);
    // The same failure is logged once, on one short line, not once per attempt.
    const lines = logged.filter((line) => line.startsWith("anchoring failed"));
    expect(lines).to.have.length(1);
    expect(lines[0]?.length).to.be.below(400);

    // Funded again: the next attempt anchors and health is ok.
    await runtime.chain.provider.send("hardhat_setBalance", [operator, "0x56BC75E2D63100000"]);
    const ok = await waitFor("health to be ok again", async () => {
      const answer = await health();
      return answer.status === 200 ? answer : undefined;
    });
    expect(ok.body.anchoring).to.include({ anchoredSize: 1, pending: 0, consecutiveFailures: 0, lastError: null });
  });
});
