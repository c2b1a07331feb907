import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { startNode, type RunningNode } from "../../api/server";
import { runDemo } from "../../tools/demo/demo";
import { parseConfig } from "../../node/runtime/config";

describe("npm run demo against a development node", function () {
  this.timeout(300_000);
  let dir: string;
  let node: RunningNode;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-demo-"));
    // The configuration of `npm start`: embedded chain, development participants and brands, risk engine for DE, GB, US.
    node = await startNode({ config: parseConfig({ PORT: "0", CHAIN_PORT: "0", DATA_DIR: dir, ANCHOR_INTERVAL_MS: "300" }), log: () => undefined });
  });

  after(async () => {
    await node?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("tells every story and ends with every bundle verified against the chain, twice in a row", async () => {
    for (let run = 0; run < 2; run++) {
      const lines: string[] = [];
      const result = await runDemo({ nodeUrl: node.url, log: (line) => lines.push(line) });
      const output = lines.join("\n");
      expect(result.ok, output).to.equal(true);
      expect(result.verified).to.have.length(10);
      for (const verified of result.verified) {
        expect(verified.checks["field-digests"]).to.equal("pass");
        expect(verified.checks["checkpoint-anchored"]).to.equal("pass");
        expect(verified.checks.lifecycle).to.equal("pass");
        expect(verified.checks["epcis-gs1-schema"]).to.equal("pass");
      }
      expect(output).to.match(/An undervalued parcel[\s\S]*→ RED[\s\S]*UNDERVALUED_VS_ORDER/);
      expect(output).to.match(/SPLIT3-DE[\s\S]*CONSIGNMENT_SPLITTING: 3 parcels/);
      expect(output).to.contain("suspected_clone");
      expect(output).to.match(/EPCIS 2\.0 document 0x[0-9a-f]+… signed by the platform's gateway[\s\S]*ORDER +by #1 → seq 0[\s\S]*DISPATCH +by #2 → seq 1/);
      expect(output).to.contain("AFTER_FINAL_DECISION");
      expect(output).to.match(/US-2016-03-10: .*total 0\.00 USD/);
      expect(output).to.match(/RELEASE_UNPAID: RELEASE released needs 4\.20 USD/);
    }
  });
});
