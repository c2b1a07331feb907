// Hex conversions: strict lowercase 0x hex, and bytes kept long in buffers of their own rather than in slices of
// Node's shared pool (a kept 32-byte slice held its whole 8 KiB slab: 67 MB of the node's heap after five minutes).
import { expect } from "chai";
import { fromHex, fromHexKept, toHex } from "../../../node/domain/hex";

const HASH = "0x" + "0123456789abcdef".repeat(4);

describe("hex", () => {
  it("reads lowercase 0x hex into bytes and writes them back", () => {
    for (const read of [fromHex, fromHexKept]) {
      expect(toHex(read(HASH))).to.equal(HASH);
      expect(toHex(read("0x"))).to.equal("0x");
      for (const bad of ["0x0", "0xAB", "ab", "0xzz"]) expect(() => read(bad), bad).to.throw(RangeError, /not 0x-prefixed lowercase hex/);
    }
  });

  it("gives bytes kept long a buffer of their own, where a small fromHex is a slice of the shared pool", () => {
    const pooled = fromHex(HASH);
    const kept = fromHexKept(HASH);
    expect(pooled.buffer.byteLength, "fromHex slices Node's pool").to.be.greaterThan(32);
    expect(kept.buffer.byteLength).to.equal(32);
    expect(kept.byteOffset).to.equal(0);
  });
});
