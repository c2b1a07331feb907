// A node pinned to a network of two logs (spec §1.2): it serves its own shard only, and refuses a v1 store.
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { id } from "ethers";
import { predictContractAddresses } from "../../../node/chain/contracts";
import { devWallet } from "../../../node/chain/dev-participants";
import { BorderLedgerError } from "../../../node/domain/errors";
import { shipmentKey } from "../../../node/domain/leaf";
import { NETWORK_FORMAT } from "../../../node/domain/network";
import { openNodeRuntime, type NodeRuntime } from "../../../node/runtime/node-runtime";
import { openStores } from "../../../node/store/stores";
import { rejectionOf } from "../../helpers/assertions";
import { signedAppend } from "../../helpers/events";

const NEVER = 1_000_000_000;

/** Shipment ids whose key's top bit is `bit`. */
function shipmentsWithTopBit(bit: number, count: number): string[] {
  const out: string[] = [];
  for (let i = 0; out.length < count; i++) {
    const shipmentId = `SH${String(i).padStart(9, "0")}DE`;
    if (parseInt(shipmentKey(shipmentId).slice(2, 3), 16) >> 3 === bit) out.push(shipmentId);
  }
  return out;
}

describe("a node in a network of two shards", function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  const open = (dataDir: string, networkFile?: string) =>
    openNodeRuntime({
      chain: { chainHost: "127.0.0.1", chainPort: 0, logName: "eu-1", devParticipants: true },
      dataDir,
      anchorMaxEvents: NEVER,
      anchorIntervalMs: NEVER,
      prepareWorkers: 0,
      ...(networkFile === undefined ? {} : { network: { file: networkFile } }),
    });
  const tempDir = () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bl-shard-"));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("accepts the shipments of its shard and refuses the other log's with OTHER_SHARD, storing nothing", async () => {
    const dir = tempDir();
    // The embedded chain deploys from development account #0 at nonce 0, so its addresses are known before it starts.
    const addresses = predictContractAddresses({ deployer: devWallet(0).address, nonce: 0 });
    const file = path.join(dir, "eu.json");
    writeFileSync(
      file,
      JSON.stringify({
        format: NETWORK_FORMAT,
        name: "eu",
        chainId: 31337,
        ...addresses,
        confirmations: 0,
        logs: [
          { logId: id("eu-1"), name: "eu-1", url: "http://127.0.0.1:8787", shard: { bits: 1, prefix: 0 } },
          { logId: id("eu-2"), name: "eu-2", url: "http://127.0.0.1:8788", shard: { bits: 1, prefix: 1 } },
        ],
      }),
    );
    const runtime: NodeRuntime = await open(path.join(dir, "data"), file);
    try {
      expect(runtime.network.logs).to.have.length(2);
      const separator = runtime.ledger.domainSeparator;
      const [mine] = shipmentsWithTopBit(0, 1);
      const [theirs] = shipmentsWithTopBit(1, 1);
      const ok = await runtime.ledger.append({ body: signedAppend({ separator, signer: 1, shipmentId: String(mine), eventType: "ORDER" }).request });
      expect(ok.status).to.equal("created");
      const refused = await rejectionOf(
        runtime.ledger.append({ body: signedAppend({ separator, signer: 1, shipmentId: String(theirs), eventType: "ORDER" }).request }),
      );
      expect(refused.code).to.equal("FORBIDDEN");
      expect(refused.details).to.deep.equal({ rule: "OTHER_SHARD" });
      expect(refused.message).to.equal(
        `shipment ${theirs} belongs to another log of the network: this log serves the shipments whose key starts with the 1 bits 0`,
      );
      expect(runtime.ledger.treeSize).to.equal(1);
    } finally {
      await runtime.close();
    }
  });

  it("refuses to start on a network file that does not name its contracts, saying which", async () => {
    const dir = tempDir();
    const file = path.join(dir, "other.json");
    const logs = [{ logId: id("eu-1"), name: "eu-1", url: "http://127.0.0.1:8787", shard: { bits: 0, prefix: 0 } }];
    const someone = "0x0000000000000000000000000000000000000001";
    writeFileSync(
      file,
      JSON.stringify({
        format: NETWORK_FORMAT,
        name: "eu",
        chainId: 31337,
        participantRegistry: someone,
        anchorRegistry: someone,
        productRegistry: someone,
        confirmations: 0,
        logs,
      }),
    );
    const error = await rejectionOf(open(path.join(dir, "data"), file));
    expect(error).to.be.instanceOf(BorderLedgerError);
    expect(error.message).to.match(/^NETWORK_FILE: the network "eu" is not this node's: participantRegistry is 0x0{39}1, the node's is 0x/);
  });

  it("refuses a store written by protocol v1, saying to use a new DATA_DIR", async () => {
    const dataDir = tempDir();
    const stores = await openStores(path.join(dataDir, "ledger"));
    const addresses = predictContractAddresses({ deployer: devWallet(0).address, nonce: 0 });
    await stores.log.putChainBinding({ format: "borderledger.store.v1", chainId: 31337, ...addresses, logId: id("eu-1") });
    await stores.close();
    const error = await rejectionOf(open(dataDir));
    expect(error.code).to.equal("CHAIN_SETUP_FAILED");
    expect(error.message).to.match(/^the store is borderledger.store.v1, written by protocol v1: .*set DATA_DIR to a new directory/);
  });
});
