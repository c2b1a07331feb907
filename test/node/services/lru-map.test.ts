// LruMap: forgets the least recently used key past its count, and past its weight when values are weighed.
import { expect } from "chai";
import { LruMap } from "../../../node/lru-map";

describe("LruMap", () => {
  it("forgets the least recently used key once it holds more than its capacity", () => {
    const map = new LruMap<string, number>(2);
    map.set("a", 1);
    map.set("b", 2);
    expect(map.get("a")).to.equal(1);
    map.set("c", 3);
    expect([map.get("a"), map.get("b"), map.get("c")]).to.deep.equal([1, undefined, 3]);
    expect(map.size).to.equal(2);
  });

  it("forgets the least recently used keys until its values weigh at most maxWeight, counting a replaced value once", () => {
    const map = new LruMap<string, string>(100, (v) => v.length, 10);
    map.set("a", "xxxx");
    map.set("b", "xxxx");
    map.set("a", "xxxxx");
    expect(map.size).to.equal(2);
    map.set("c", "xxx");
    expect([map.get("a"), map.get("b"), map.get("c")]).to.deep.equal(["xxxxx", undefined, "xxx"]);
    map.delete("a");
    map.set("d", "xxxxxxx");
    expect([map.get("c"), map.get("d")]).to.deep.equal(["xxx", "xxxxxxx"]);
  });

  it("keeps no value heavier than maxWeight alone", () => {
    const map = new LruMap<string, string>(100, (v) => v.length, 3);
    map.set("a", "xx");
    map.set("b", "xxxx");
    expect([map.get("a"), map.get("b"), map.size]).to.deep.equal([undefined, undefined, 0]);
  });

  it("forgets the stale among the least recently used keys it examines, and no others", () => {
    const map = new LruMap<string, number>(100);
    for (const [key, age] of [
      ["a", 9],
      ["b", 1],
      ["c", 9],
      ["d", 9],
    ] as const)
      map.set(key, age);
    map.forgetStale(3, (age) => age > 5);
    expect([map.get("a"), map.get("b"), map.get("c"), map.get("d"), map.size]).to.deep.equal([undefined, 1, undefined, 9, 2]);
  });
});
