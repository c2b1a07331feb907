// The JSON limits: depth and size of parsed values and texts, and keys named twice, each reported at its path.
import { expect } from "chai";
import { ENVELOPE_LIMITS, JSON_LIMITS, checkJsonText, checkTextSize, checkValueLimits, limitError } from "../../../node/domain/json-limits";

const LIMITS = { maxDepth: 3, maxBytes: 1000 };

describe("JSON limits", () => {
  describe("checkValueLimits", () => {
    it("accepts a value nested to the limit and refuses one level more at its path", () => {
      expect(checkValueLimits({ a: [{ b: 1 }] }, LIMITS)).to.equal(null);
      expect(checkValueLimits({ a: [{ b: [] }] }, LIMITS)).to.deep.include({ limit: "depth", path: "a[0].b" });
    });

    it("walks a value nested 100,000 deep without overflowing the stack", () => {
      let deep: unknown = [];
      for (let i = 0; i < 100_000; i++) deep = [deep];
      expect(checkValueLimits(deep)?.limit).to.equal("depth");
    });

    it("refuses a cycle as nested too deep", () => {
      const cycle: Record<string, unknown> = {};
      cycle.self = cycle;
      expect(checkValueLimits(cycle)?.limit).to.equal("depth");
    });

    it("refuses a value larger than the size limit", () => {
      expect(checkValueLimits({ a: "x".repeat(100) }, LIMITS)).to.equal(null);
      expect(checkValueLimits({ a: "x".repeat(1000) }, LIMITS)).to.deep.include({ limit: "size", path: "" });
    });
  });

  describe("checkJsonText", () => {
    it("accepts a text with each key once per object, the same key in sibling objects included", () => {
      expect(checkJsonText('{"a":[{"b":1},{"b":2}],"b":{"a":"{\\"a\\":1}"}}', LIMITS)).to.equal(null);
    });

    it("names a duplicate key at its path, escapes decoded", () => {
      expect(checkJsonText('{"event":{"actor":"x","actor":"y"}}', LIMITS)).to.deep.include({ limit: "duplicate-key", path: "event.actor" });
      expect(checkJsonText('{"items":[1,{"id":1,"\\u0069d":2}]}', LIMITS)).to.deep.include({ limit: "duplicate-key", path: "items[1].id" });
      expect(checkJsonText('{"a b":1,"a b":2}', LIMITS)?.message).to.equal('duplicate key "a b" at ["a b"]: an object may name each key once');
    });

    it("is not misled by brackets, commas and quotes inside strings", () => {
      expect(checkJsonText('{"a":"[[[[,\\"]]","b":["{{{{"]}', LIMITS)).to.equal(null);
    });

    it("refuses a text nested past the limit at its path", () => {
      expect(checkJsonText('{"a":[1,{"b":[]}]}', LIMITS)).to.deep.include({ limit: "depth", path: "a[1].b" });
      expect(checkJsonText("[".repeat(100_000) + "]".repeat(100_000))?.limit).to.equal("depth");
    });

    it("counts size in UTF-8 bytes", () => {
      expect(checkTextSize("é".repeat(400), 1000)).to.equal(null);
      expect(checkTextSize("é".repeat(600), 1000)?.limit).to.equal("size");
      expect(checkJsonText(JSON.stringify("€".repeat(400)), LIMITS)?.limit).to.equal("size");
    });
  });

  describe("limitError", () => {
    it("is the 400 of a validation failure naming the issue at its path", () => {
      const issue = checkJsonText('{"events":[{"event":{"seq":0,"seq":1}}]}', ENVELOPE_LIMITS);
      if (issue === null) throw new Error("expected the duplicate key to be found");
      const error = limitError(issue);
      expect(error.code).to.equal("VALIDATION_FAILED");
      expect(error.message).to.equal('duplicate key "seq" at events[0].event.seq: an object may name each key once');
      expect(error.details).to.deep.equal({ issues: [{ path: "events[0].event.seq", message: error.message }] });
    });

    it("holds an envelope a few levels above an event's depth", () => {
      const depth = JSON_LIMITS.maxDepth + 2;
      expect(checkJsonText("[".repeat(depth) + "]".repeat(depth), ENVELOPE_LIMITS)).to.equal(null);
      expect(checkJsonText("[".repeat(depth + 7) + "]".repeat(depth + 7), ENVELOPE_LIMITS)?.limit).to.equal("depth");
    });
  });
});
