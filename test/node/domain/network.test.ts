import { expect } from "chai";
import { id } from "ethers";
import { shipmentKey } from "../../../node/domain/leaf";
import { NETWORK_FORMAT, NetworkSchema, describeNetworkIssues, inShard, logForShipment, type Network } from "../../../node/domain/network";

const log = (name: string, bits: number, prefix: number) => ({ logId: id(name), name, url: `https://${name}.example`, shard: { bits, prefix } });

function network(logs: ReturnType<typeof log>[]): unknown {
  return {
    format: NETWORK_FORMAT,
    name: "borderledger-test",
    chainId: 31337,
    participantRegistry: "0x5FbDB2315678afecb367f032d93F642f64180aa3",
    anchorRegistry: "0xe7f1725E7734CE288F8367e1Bb143E90bb3F0512",
    productRegistry: "0x9fE46736679d2D9a65F0992F2272dE9f3c7fa6e0",
    confirmations: 0,
    logs,
  };
}

function problemOf(value: unknown): string {
  const parsed = NetworkSchema.safeParse(value);
  expect(parsed.success, "the network file should be refused").to.equal(false);
  return parsed.success ? "" : describeNetworkIssues(parsed.error.issues);
}

describe("network file (spec §1.2)", () => {
  it("accepts one log serving every shipment", () => {
    const parsed = NetworkSchema.parse(network([log("eu-1", 0, 0)]));
    expect(logForShipment(parsed, "RR123456785CN").name).to.equal("eu-1");
  });

  it("sends every shipment to exactly one of three shards of different sizes, by the top bits of its key", () => {
    const parsed: Network = NetworkSchema.parse(network([log("a", 2, 0), log("b", 2, 1), log("c", 1, 1)]));
    for (let i = 0; i < 200; i++) {
      const shipmentId = `RR${String(i).padStart(9, "0")}CN`;
      const key = shipmentKey(shipmentId);
      const serving = parsed.logs.filter((l) => inShard(key, l.shard));
      expect(serving, shipmentId).to.have.length(1);
      expect(logForShipment(parsed, shipmentId)).to.equal(serving[0]);
      const top = parseInt(key.slice(2, 3), 16) >> 2;
      expect(serving[0]?.name).to.equal(top === 0 ? "a" : top === 1 ? "b" : "c");
    }
  });

  it("refuses shards that overlap, naming both logs", () => {
    expect(problemOf(network([log("a", 0, 0), log("b", 1, 1)]))).to.equal('logs: the shards of logs "a" and "b" overlap: a shipment would live in both');
  });

  it("refuses shards that leave shipments without a log", () => {
    expect(problemOf(network([log("a", 1, 0)]))).to.match(/^logs: the logs' shards leave some shipments without a log/);
  });

  it("refuses a logId that is not keccak256 of the log's name", () => {
    const wrong = { ...log("a", 0, 0), logId: id("b") };
    expect(problemOf(network([wrong]))).to.equal("logs.0.logId: logId must be keccak256(utf8(name))");
  });

  it("refuses a prefix outside its bits and more than 16 bits", () => {
    expect(problemOf(network([log("a", 1, 2), log("b", 1, 0)]))).to.equal("logs.0.shard.prefix: prefix must be below 2^bits");
    expect(problemOf(network([log("a", 17, 0)]))).to.match(/^logs\.0\.shard\.bits: /);
  });

  it("refuses another format and a missing registry", () => {
    expect(problemOf({ ...(network([log("a", 0, 0)]) as object), format: "borderledger.network.v0" })).to.match(/^format: /);
    const { anchorRegistry: _, ...rest } = network([log("a", 0, 0)]) as Record<string, unknown>;
    expect(problemOf(rest)).to.match(/^anchorRegistry: /);
  });
});
