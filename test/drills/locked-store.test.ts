// Drill: a second node process started on the DATA_DIR a running node holds. It must stop at once with one clear
// line (which store, held by another node), not a stack trace, and leave the running node serving.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { domainSeparator } from "../../node/domain/eip712";
import { elementAt } from "../helpers/assertions";
import { appendOverHttp, getJson, happyLifecycleRequests, type ChainAnswer, type HealthAnswer } from "../helpers/http-load";
import { NodeProcesses, stopNode } from "../helpers/node-process";

describe("drill: store directory already locked", function () {
  this.timeout(60_000);
  const nodes = new NodeProcesses();
  let dataDir: string | undefined;

  afterEach(async () => {
    await nodes.killAll();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    dataDir = undefined;
  });

  it("stops a second node on the same DATA_DIR with exit code 1 and one line naming the store and its other node; the first keeps serving", async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), "bl-drill-locked-"));
    const first = nodes.start({ DATA_DIR: dataDir });
    const url = await first.ready;

    // Its own free API and chain ports: only the store is shared.
    const second = nodes.start({ DATA_DIR: dataDir });
    const { code } = await second.exited;
    expect(code, second.stdout() + second.stderr()).to.equal(1);
    const lines = second
      .stderr()
      .split("\n")
      .filter((line) => line.trim() !== "");
    expect(lines, second.stderr()).to.have.length(1);
    const [line] = lines;
    expect(line).to.contain(path.resolve(dataDir, "ledger"));
    expect(line).to.match(/is locked: another BorderLedger node is using it/);
    expect(second.stderr()).to.not.match(/^\s+at /m);
    // It stopped before it started a chain or an API.
    expect(second.stdout()).to.not.contain("embedded Hardhat chain");
    expect(second.stdout()).to.not.contain("API on");

    // The first node is untouched: healthy, and it appends.
    expect((await getJson<HealthAnswer>(`${url}/v1/health`)).status).to.equal(200);
    const { body: info } = await getJson<ChainAnswer>(`${url}/v1/chain`);
    const separator = domainSeparator({ chainId: info.chainId, verifyingContract: info.participantRegistry });
    const order = elementAt(happyLifecycleRequests({ separator, shipmentId: "LOCKED-STORE-1" }), 0);
    const { receipt } = await appendOverHttp(url, order);
    expect(receipt.leafIndex).to.equal(0);
    expect((await stopNode(first)).code).to.equal(0);
    console.log(`      the second node said: ${line}`);
  });
});
