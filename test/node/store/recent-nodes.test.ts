import { expect } from "chai";
import { RecentNodes } from "../../../node/store/recent-nodes";

const hash = (byte: number) => new Uint8Array(32).fill(byte);

describe("RecentNodes", () => {
  it("answers the hashes kept, and drops the older generation whole when the newer fills", () => {
    const nodes = new RecentNodes(2);
    nodes.add("a", hash(1));
    nodes.add("b", hash(2));
    expect([nodes.get("a")?.[0], nodes.get("b")?.[31], nodes.size]).to.deep.equal([1, 2, 2]);
    // "c" starts a generation; "a" and "b" are the older one.
    nodes.add("c", hash(3));
    expect([nodes.get("a")?.[0], nodes.get("c")?.[0], nodes.size]).to.deep.equal([1, 3, 3]);
    nodes.add("d", hash(4));
    nodes.add("e", hash(5));
    expect([nodes.get("a"), nodes.get("b"), nodes.get("c")?.[0], nodes.get("e")?.[0], nodes.size]).to.deep.equal([undefined, undefined, 3, 5, 3]);
  });

  it("keeps a node added twice once, its first hash unchanged and the others' places intact", () => {
    const nodes = new RecentNodes(4);
    nodes.add("a", hash(1));
    nodes.add("b", hash(2));
    nodes.add("a", hash(9));
    nodes.add("c", hash(3));
    expect([nodes.get("a")?.[0], nodes.get("b")?.[0], nodes.get("c")?.[0], nodes.size]).to.deep.equal([1, 2, 3, 3]);
  });

  it("keeps a copy: changing the hash given afterwards changes nothing kept", () => {
    const nodes = new RecentNodes(4);
    const given = hash(7);
    nodes.add("a", given);
    given.fill(0);
    expect(Buffer.from(nodes.get("a") ?? []).equals(Buffer.from(hash(7)))).to.equal(true);
  });

  it("refuses a hash that is not 32 bytes, and a generation of no nodes", () => {
    const nodes = new RecentNodes(4);
    expect(() => nodes.add("a", new Uint8Array(31))).to.throw(RangeError, "node a: a hash is 32 bytes, not 31");
    expect(() => new RecentNodes(0)).to.throw(RangeError, "perGeneration 0 is not a positive count");
  });
});
