import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { id } from "ethers";
import { NETWORK_FORMAT, NetworkSchema } from "../../../node/domain/network";
import { ownLogIn, ownNetwork, readNetworkFile, writeNetworkFile } from "../../../node/runtime/node-network";
import { rejectionOf } from "../../helpers/assertions";

const addresses = {
  participantRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
  anchorRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
  productRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
};
const node = { chainId: 31337, addresses, logName: "eu-1", logId: id("eu-1") };

describe("the node's network (spec §1.2)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-network-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const sharded = () => ({
    format: NETWORK_FORMAT,
    name: "eu",
    chainId: 31337,
    ...addresses,
    confirmations: 2,
    logs: [
      { logId: id("eu-1"), name: "eu-1", url: "https://eu-1.example", shard: { bits: 1, prefix: 0 } },
      { logId: id("eu-2"), name: "eu-2", url: "https://eu-2.example", shard: { bits: 1, prefix: 1 } },
    ],
  });

  it("publishes a one-log network of its own when given none, and writes it whole to DATA_DIR/network.json", async () => {
    const network = ownNetwork({ node, url: "http://127.0.0.1:8787", confirmations: 0 });
    expect(network.logs).to.deep.equal([{ logId: node.logId, name: "eu-1", url: "http://127.0.0.1:8787", shard: { bits: 0, prefix: 0 } }]);
    const file = await writeNetworkFile({ dataDir: dir, network });
    expect(NetworkSchema.parse(JSON.parse(readFileSync(file, "utf8")))).to.deep.equal(network);
  });

  it("takes its shard from a pinned network that names its chain, contracts and log", async () => {
    const file = path.join(dir, "eu.json");
    writeFileSync(file, JSON.stringify(sharded()));
    const network = await readNetworkFile(file);
    expect(ownLogIn({ network, node }).shard).to.deep.equal({ bits: 1, prefix: 0 });
  });

  it("refuses a network of other contracts or without its log, saying which", async () => {
    const other = NetworkSchema.parse({ ...sharded(), anchorRegistry: "0x0000000000000000000000000000000000000001" });
    expect(() => ownLogIn({ network: other, node })).to.throw(/NETWORK_FILE: the network "eu" is not this node's: anchorRegistry is 0x0{39}1/);
    expect(() => ownLogIn({ network: NetworkSchema.parse(sharded()), node: { ...node, logName: "us-1", logId: id("us-1") } })).to.throw(
      /no log of it is this node's log "us-1"/,
    );
  });

  it("refuses an unreadable or malformed network file naming the variable and the field", async () => {
    expect((await rejectionOf(readNetworkFile(path.join(dir, "none.json")))).message).to.match(/^NETWORK_FILE: cannot read /);
    const file = path.join(dir, "bad.json");
    writeFileSync(file, JSON.stringify({ ...sharded(), logs: sharded().logs.slice(0, 1) }));
    expect((await rejectionOf(readNetworkFile(file))).message).to.match(
      /^NETWORK_FILE: .* is not a borderledger.network.v1 file: logs: the logs' shards leave/,
    );
  });
});
