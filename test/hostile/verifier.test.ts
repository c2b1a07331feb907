// Hostile input to the verifier: random JSON and every single mutation of a valid, anchored, fully disclosed bundle.
import { expect } from "chai";
import fc from "fast-check";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ReceiptSchema, TraceBundleSchema, type TraceBundle } from "../../node/domain/bundle";
import { EpcisBundleError, bundleToEpcis, epcisToBundle } from "../../node/domain/epcis/document";
import { devWallet } from "../../node/chain/dev-participants";
import type { NodeRuntime } from "../../node/runtime/node-runtime";
import { createRpcChainReader, type RpcChainReader } from "../../node/verify/chain-reader";
import { runCli } from "../../node/verify/cli";
import type { Network } from "../../node/domain/network";
import { CHECK_NAMES, VERIFICATION_STATUSES, verifyBundle, type VerificationReport } from "../../node/verify/verify-bundle";
import { defined, elementAt } from "../helpers/assertions";
import { openTestNode, redact, traceBundleOf } from "../helpers/bundle";
import { happyLifecycle } from "../helpers/events";
import {
  deeperThan,
  defineOwn,
  describeMutation,
  getAt,
  hexMutations,
  hostileJson,
  hostileString,
  jsonRoundTrip,
  mutated,
  mutationOf,
  pathsOf,
  sameJson,
  applyMutation,
  type Mutation,
  type Path,
  wellFormedMutationOf,
} from "./arbitraries";

/** Fully anchored (in the second of two checkpoints) and read with every field disclosed. */
const HONEST = "HOSTILE-V1";
/** Anchored in the same checkpoint; only there so the log has more than one shipment. */
const NEIGHBOUR = "HOSTILE-V2";
/** Its last event comes after the newest checkpoint: pending, held to its receipt. */
const PENDING = "HOSTILE-V3";

const HASH_HEX = /^0x[0-9a-f]{64}$/;
const SALT_HEX = /^0x[0-9a-f]{32}$/;
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;
const DEV_ADDRESSES = Array.from({ length: 10 }, (_, i) => devWallet(i).address);
const STATUSES = ["pass", "fail", "pending", "not-checkable"];
/** No verification may take this long; a run that does counts as a hang. Not a timing assertion on speed. */
const HANG_MS = 20_000;

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mutated bundles, read loosely: any member may be anything
type Json = Record<string, any>;

function isObject(value: unknown): value is Json {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function hasOwn(value: object, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(value, key);
}

/** A report is a report: every check named and in order, a status and a reason each, one status, ok only without a failure. */
function expectWellFormed(report: VerificationReport): void {
  expect(report.format).to.equal("borderledger.verification.v2");
  expect(VERIFICATION_STATUSES).to.include(report.status);
  expect(report.ok).to.equal(report.status !== "failed");
  expect(report.checks.length).to.be.greaterThan(0);
  expect(report.checks.map((c) => c.name)).to.deep.equal(CHECK_NAMES.slice(0, report.checks.length));
  for (const check of report.checks) {
    expect(STATUSES, check.name).to.include(check.status);
    expect(check.reason, check.name).to.be.a("string");
  }
  expect(report.ok).to.equal(report.checks.every((c) => c.status !== "fail"));
}

/** Check `name` of a report; fails the test when the report has none. */
function checkOf(report: VerificationReport, name: string): VerificationReport["checks"][number] {
  return defined(
    report.checks.find((c) => c.name === name),
    `the ${name} check`,
  );
}

function failures(report: VerificationReport): string {
  return report.checks
    .filter((c) => c.status !== "pass")
    .map((c) => `${c.name}: ${c.status}: ${c.reason.slice(0, 240)}`)
    .join("\n  ");
}

/**
 * Why a changed bundle may still verify, or undefined when it must fail. A single mutation of an honest bundle need
 * not fail when it only
 *  - is the same JSON value (key order, -0 for 0): nothing changed;
 *  - leaves out disclosed payload fields, with or without their salts: that is redaction (DESIGN §2.1), and every
 *    view verifies; the checks that need the field say not-checkable;
 *  - changes or adds the salt of a field that is not disclosed: a salt alone states nothing and is checked only with
 *    its field's value;
 *  - changes checkpoint.txHash to another well-formed hash the chain does not know: the verifier fails a txHash only
 *    when the chain places it in another block (the checkpoint is found by log and tree size, not by transaction);
 *  - changes the tree head (size, root, time, signature) or the inclusion proof in the receipt of an entry the
 *    checkpoint covers, keeping the receipt well formed: a receipt stands for its entry only until a checkpoint covers
 *    it (DESIGN §5: pending entries are verified against their heads *instead of* 5–7); the same change on a pending
 *    entry must fail, and is tested so below;
 *  - changes chain.productRegistry, when no network is pinned: of a trace, only a CLAIM's brand owner is read there
 *    (rule CLAIM_BRAND_NOT_OWNED), and this bundle has no CLAIM (a pinned network fails it in trust-root);
 *  - changes the letter case of any of the three registries in chain: an address is its 20 bytes.
 * Keys named "__proto__" never count as any of these.
 */
function exceptionOf(original: TraceBundle, candidate: unknown, { pinned }: { pinned: boolean }): string | undefined {
  // Nothing in a bundle nests this deep: a deeply nested value is a change no exception covers.
  if (!isObject(candidate) || deeperThan(candidate, 64)) return undefined;
  if (sameJson(original, candidate)) return "the same JSON value";
  const normal = structuredClone(candidate);
  const applied: string[] = [];
  const originalTxHash = original.checkpoint?.txHash;
  if (
    originalTxHash !== undefined &&
    isObject(normal.checkpoint) &&
    typeof normal.checkpoint.txHash === "string" &&
    HASH_HEX.test(normal.checkpoint.txHash) &&
    normal.checkpoint.txHash !== originalTxHash
  ) {
    normal.checkpoint.txHash = originalTxHash;
    applied.push("another checkpoint.txHash");
  }
  if (isObject(normal.chain)) {
    if (
      !pinned &&
      typeof normal.chain.productRegistry === "string" &&
      ADDRESS.test(normal.chain.productRegistry) &&
      normal.chain.productRegistry !== original.chain.productRegistry
    ) {
      normal.chain.productRegistry = original.chain.productRegistry;
      applied.push("another chain.productRegistry");
    }
    for (const key of ["participantRegistry", "anchorRegistry", "productRegistry"] as const) {
      const value = normal.chain[key];
      if (typeof value === "string" && value !== original.chain[key] && value.toLowerCase() === original.chain[key].toLowerCase() && ADDRESS.test(value)) {
        normal.chain[key] = original.chain[key];
        applied.push(`the case of chain.${key}`);
      }
    }
  }
  if (Array.isArray(normal.entries) && normal.entries.length === original.entries.length) {
    normal.entries.forEach((entry: unknown, i: number) => {
      const honest = original.entries[i];
      if (honest === undefined || !isObject(entry)) return;
      // The honest bundle's entries are all anchored: their receipts' heads and proofs are not what verifies them.
      const receipt = entry.receipt;
      if (isObject(receipt) && ReceiptSchema.safeParse(receipt).success) {
        if (!sameJson(receipt.treeHead, honest.receipt.treeHead)) {
          receipt.treeHead = structuredClone(honest.receipt.treeHead);
          applied.push(`entries[${i}].receipt.treeHead of an anchored entry`);
        }
        if (!sameJson(receipt.inclusionProof, honest.receipt.inclusionProof)) {
          receipt.inclusionProof = structuredClone(honest.receipt.inclusionProof);
          applied.push(`entries[${i}].receipt.inclusionProof of an anchored entry`);
        }
      }
      if (!isObject(entry.payload) || !isObject(entry.salts)) return;
      const payload = entry.payload;
      const salts = entry.salts;
      if (hasOwn(payload, "__proto__") || hasOwn(salts, "__proto__")) return;
      const disclosed = Object.keys(payload);
      const subset = disclosed.every(
        (name) => hasOwn(honest.payload, name) && sameJson(payload[name], honest.payload[name]) && salts[name] === honest.salts[name],
      );
      const otherSalts = Object.keys(salts).filter((name) => !hasOwn(payload, name));
      const wellFormed = otherSalts.every((name) => typeof salts[name] === "string" && SALT_HEX.test(salts[name]));
      if (!subset || !wellFormed) return;
      if (disclosed.length < Object.keys(honest.payload).length) applied.push(`entries[${i}].payload redacted`);
      if (
        !sameJson(
          otherSalts.map((n) => [n, salts[n]]),
          otherSalts.map((n) => [n, honest.salts[n]]),
        )
      )
        applied.push(`entries[${i}].salts of undisclosed fields`);
      entry.payload = structuredClone(honest.payload);
      entry.salts = structuredClone(honest.salts);
    });
  }
  return applied.length > 0 && sameJson(normal, original) ? applied.join(", ") : undefined;
}

describe("hostile input to the verifier", function () {
  this.timeout(180_000);
  let node: { runtime: NodeRuntime; close(): Promise<void> };
  let chain: RpcChainReader;
  let honest: TraceBundle;
  let pending: TraceBundle;
  let network: Network;
  let workDir: string;
  // A customs administration's configuration: the network it pins comes from elsewhere than the bundle.
  const verify = (bundle: unknown) => verifyBundle({ bundle, chain, network });

  before(async () => {
    node = await openTestNode({ logName: "hostile-verifier" });
    const { ledger, anchorer } = node.runtime;
    const separator = ledger.domainSeparator;
    for (const { request } of happyLifecycle({ separator, shipmentId: HONEST })) await ledger.append({ body: request });
    await anchorer.anchorNow();
    for (const { request } of happyLifecycle({ separator, shipmentId: NEIGHBOUR })) await ledger.append({ body: request });
    const late = happyLifecycle({ separator, shipmentId: PENDING });
    for (const { request } of late.slice(0, 6)) await ledger.append({ body: request });
    await anchorer.anchorNow();
    await ledger.append({ body: elementAt(late, 6).request });
    honest = await traceBundleOf({ runtime: node.runtime, shipmentId: HONEST });
    pending = await traceBundleOf({ runtime: node.runtime, shipmentId: PENDING });
    chain = createRpcChainReader({ rpcUrl: node.runtime.chain.rpcUrl });
    network = node.runtime.network;
    workDir = mkdtempSync(path.join(tmpdir(), "bl-hostile-"));
  });
  after(async () => {
    chain?.close();
    await node?.close();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  it("starts from bundles that verify: every check passes on the honest one, the pending one only waits", async () => {
    const report = await verify(honest);
    expect(
      report.checks.filter((c) => c.status !== "pass"),
      failures(report),
    ).to.deep.equal([]);
    const checkpoint = defined(honest.checkpoint, "the honest bundle's checkpoint");
    expect(honest.entries.every((e) => e.leafIndex < checkpoint.treeSize)).to.equal(true);
    const waiting = await verify(pending);
    expect(waiting.ok, failures(waiting)).to.equal(true);
    expect(elementAt(defined(checkOf(waiting, "inclusion").entries, "the inclusion check's entries"), -1).status).to.equal("pending");
  });

  describe("never throws", () => {
    /** Values shaped like a bundle at the top, random below, so the schema's deeper paths are reached too. */
    const bundleShaped = fc.record(
      {
        format: fc.oneof(fc.constant("borderledger.trace.v2"), hostileString),
        shipmentId: fc.oneof(fc.constant(HONEST), hostileString),
        chain: hostileJson,
        logId: hostileJson,
        checkpoint: hostileJson,
        entries: fc.array(hostileJson, { maxLength: 3 }),
      },
      { requiredKeys: [] },
    );

    it("answers any JSON value with a report whose format check fails, never with a throw", async () => {
      await fc.assert(
        fc.asyncProperty(fc.oneof(hostileJson, fc.jsonValue(), bundleShaped), async (input) => {
          const report = await verify(input);
          expectWellFormed(report);
          if (!TraceBundleSchema.safeParse(input).success) {
            expect(report.ok).to.equal(false);
            expect(report.checks.map((c) => [c.name, c.status])).to.deep.equal([["format", "fail"]]);
          }
        }),
        { numRuns: 500, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("answers every mutation of a valid bundle with a report, with and without a chain", async () => {
      await fc.assert(
        fc.asyncProperty(mutated(honest), async ({ value }) => {
          expectWellFormed(await verifyBundle({ bundle: value }));
        }),
        { numRuns: 400, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("turns any EPCIS document, random or a mutated export, into a bundle or an EpcisBundleError, and verifies the bundle without a throw", async () => {
      const exported = jsonRoundTrip(
        bundleToEpcis({ bundle: honest, separator: node.runtime.ledger.domainSeparator, creationDate: "2026-06-02T00:00:00.000Z" }),
      );
      const documents = fc.oneof(
        mutated(exported).map(({ value }) => value as unknown),
        hostileJson.map((json) => ({ type: "EPCISDocument", epcisBody: json }) as unknown),
      );
      await fc.assert(
        fc.asyncProperty(documents, async (document) => {
          let bundle: unknown;
          try {
            bundle = epcisToBundle(document);
          } catch (error) {
            expect(error, String(error)).to.be.instanceOf(EpcisBundleError);
            return;
          }
          expectWellFormed(await verifyBundle({ bundle }));
        }),
        { numRuns: 300, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("exits the CLI with 1, 2 or 3, never a throw, for any file: random text, random JSON, a mutated bundle or EPCIS export", async () => {
      const exported = jsonRoundTrip(
        bundleToEpcis({ bundle: honest, separator: node.runtime.ledger.domainSeparator, creationDate: "2026-06-02T00:00:00.000Z" }),
      );
      const files = fc.oneof(
        fc.string({ unit: "binary", maxLength: 200 }).map((text) => ({ text, json: false })),
        hostileJson.map((json) => ({ text: JSON.stringify(json), json: true })),
        mutated(honest).map(({ value }) => ({ text: JSON.stringify(value), json: true })),
        mutated(exported).map(({ value }) => ({ text: JSON.stringify(value), json: true })),
      );
      let n = 0;
      await fc.assert(
        fc.asyncProperty(files, async ({ text }) => {
          const file = path.join(workDir, `input-${n++}.json`);
          writeFileSync(file, text);
          const lines: string[] = [];
          const output = { out: (t: string) => lines.push(t), err: (t: string) => lines.push(t) };
          const code = await runCli({ argv: ["verify", file, "--json"], output });
          // Without a network nothing is verified (3, unpinned, for the documented exceptions a mutation may hit).
          expect([1, 2, 3], lines.join("\n")).to.include(code);
          let parsed: unknown;
          try {
            parsed = JSON.parse(text);
          } catch {
            expect(code, "a file that is not JSON is an input error").to.equal(2);
          }
          if (parsed !== undefined && code !== 2) expectWellFormed(JSON.parse(lines.join("\n")) as VerificationReport);
        }),
        { numRuns: 60, plugins: [fc.timeout(HANG_MS)] },
      );
    });
  });

  describe("every mutation of a valid bundle fails, but the documented exceptions", () => {
    const hexPaths = (bundle: TraceBundle): Path[] =>
      pathsOf(bundle).filter((p) => typeof getAt(bundle, p) === "string" && /^0x[0-9a-fA-F]*$/.test(getAt(bundle, p) as string));
    /** Changes to hex strings only: case changes, single-bit flips, truncation and extension. */
    const hexMutation = (bundle: TraceBundle): fc.Arbitrary<Mutation> =>
      fc
        .constantFrom(...hexPaths(bundle))
        .chain((p) => hexMutations(getAt(bundle, p) as string).map(({ how, value }): Mutation => ({ path: p, op: "replace", how, value })));
    /** The parts outside the payloads, where a random path seldom lands: chain, checkpoint, log fields, the order of entries. */
    const framing = (p: Path) => p.length <= 2 || (p[0] === "entries" && p.length <= 4 && !["payload", "digests", "salts"].includes(String(p[2])));

    async function expectFails(value: unknown, mutation: Mutation): Promise<void> {
      const report = await verify(value);
      expectWellFormed(report);
      const exception = exceptionOf(honest, value, { pinned: true });
      fc.pre(exception === undefined);
      expect(report.ok, `${describeMutation(mutation)} verified:\n  ${failures(report)}`).to.equal(false);
      expect(report.checks.some((c) => c.status === "fail")).to.equal(true);
    }

    it("fails any single change at any path: values, types, keys, nesting, entry order", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            mutationOf(honest),
            mutationOf(honest, framing),
            mutationOf(honest, (p) => p.length <= 1 || (p[0] === "entries" && p.length === 2)),
          ),
          async (mutation) => {
            await expectFails(jsonRoundTrip(applyMutation(honest, mutation)), mutation);
          },
        ),
        { numRuns: 800, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("fails any other spelling of any hex value: letter case, one bit, truncated, extended", async () => {
      await fc.assert(
        fc.asyncProperty(hexMutation(honest), async (mutation) => {
          await expectFails(jsonRoundTrip(applyMutation(honest, mutation)), mutation);
        }),
        { numRuns: 400, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("fails every well-formed change: same-form hex, other addresses and instants, neighbouring integers, other strings", async () => {
      await fc.assert(
        fc.asyncProperty(wellFormedMutationOf(honest, DEV_ADDRESSES), async (mutation) => {
          await expectFails(jsonRoundTrip(applyMutation(honest, mutation)), mutation);
        }),
        { numRuns: 600, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("fails the same changes without a pinned network: a registry address that holds no such contract fails on the chain's answer", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.oneof(
            wellFormedMutationOf(honest, DEV_ADDRESSES),
            mutationOf(honest, (p) => p.length <= 2),
          ),
          async (mutation) => {
            const value = jsonRoundTrip(applyMutation(honest, mutation));
            const report = await verifyBundle({ bundle: value, chain });
            expectWellFormed(report);
            fc.pre(exceptionOf(honest, value, { pinned: false }) === undefined);
            expect(report.ok, `${describeMutation(mutation)} verified:\n  ${failures(report)}`).to.equal(false);
          },
        ),
        { numRuns: 300, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("fails entries removed from the front or middle, duplicated, swapped or reversed", async () => {
      const n = honest.entries.length;
      const reorders = fc.oneof(
        fc.integer({ min: 0, max: n - 2 }).map((index): Mutation => ({ path: ["entries", index], op: "delete" })),
        fc.nat({ max: n - 1 }).map((index): Mutation => ({ path: ["entries"], op: "duplicate", index })),
        fc
          .tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }))
          .filter(([i, j]) => i !== j)
          .map(([i, j]): Mutation => ({ path: ["entries"], op: "swap", i, j })),
        fc.constant<Mutation>({ path: ["entries"], op: "reverse" }),
      );
      await fc.assert(
        fc.asyncProperty(reorders, async (mutation) => {
          await expectFails(jsonRoundTrip(applyMutation(honest, mutation)), mutation);
        }),
        { numRuns: 40, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("fails a checkpoint that names a block after the anchoring one, even one the chain has not reached", async () => {
      for (const later of [1, 2, 1_000, 2 ** 40]) {
        const bundle = structuredClone(honest);
        defined(bundle.checkpoint, "the checkpoint").blockNumber += later;
        const report = await verify(bundle);
        expect(report.ok, `block + ${later}:\n  ${failures(report)}`).to.equal(false);
        expect(checkOf(report, "checkpoint-anchored").status).to.equal("fail");
      }
    });

    for (const part of ["payload", "digests", "salts"] as const) {
      it(`fails a bundle whose entry ${part} holds a key named __proto__ (a parser that dropped it would check another bundle)`, async () => {
        const bundle = jsonRoundTrip(honest);
        const value = part === "payload" ? { polluted: true } : part === "digests" ? "0x" + "ab".repeat(32) : "0x" + "cd".repeat(16);
        defineOwn(elementAt(bundle.entries, 1)[part] as Record<string, unknown>, "__proto__", value);
        const report = await verify(jsonRoundTrip(bundle));
        expect(report.ok, failures(report)).to.equal(false);
        expect(elementAt(report.checks, 0).reason).to.contain(`entries[1].${part}`);
      });
    }
  });

  describe("the exceptions verify, and stay narrow", () => {
    // Every field but parties, which every view discloses (spec §1.1): hiding it fails payload-schema (test/node/verify/hidden-parties.test.ts).
    const fieldsOf = (bundle: TraceBundle) =>
      bundle.entries.flatMap((entry, seq) =>
        Object.keys(entry.payload)
          .filter((field) => field !== "parties")
          .map((field) => ({ seq, field })),
      );

    it("verifies any redaction: payload fields hidden with their salts, none failing, those needing them not-checkable", async () => {
      await fc.assert(
        fc.asyncProperty(fc.subarray(fieldsOf(honest), { minLength: 1 }), async (hidden) => {
          const byEntry: Record<number, string[]> = {};
          for (const { seq, field } of hidden) (byEntry[seq] ??= []).push(field);
          const report = await verify(redact(honest, byEntry));
          expect(report.ok, `${JSON.stringify(byEntry)}:\n  ${failures(report)}`).to.equal(true);
          expect(checkOf(report, "field-digests").status).to.equal("pass");
        }),
        { numRuns: 25, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("verifies a payload field left out while its salt stays, and a salt for a field that is not disclosed", async () => {
      const bundle = structuredClone(honest);
      delete elementAt(bundle.entries, 2).payload.items;
      elementAt(bundle.entries, 2).salts.notAField = "0x" + "ef".repeat(16);
      expect((await verify(bundle)).ok).to.equal(true);
    });

    it("fails a prefix of the entries in completeness: the anchored heads map holds the later events", async () => {
      for (const length of [0, 1, honest.entries.length - 1]) {
        const bundle = structuredClone(honest);
        bundle.entries = bundle.entries.slice(0, length);
        const report = await verify(bundle);
        expect(report.status, `${length} entries:\n  ${failures(report)}`).to.equal("failed");
        expect(checkOf(report, "completeness").status).to.equal("fail");
      }
    });

    it("verifies a txHash the chain does not know, and says so; fails one the chain has in another block", async () => {
      const unknown = structuredClone(honest);
      defined(unknown.checkpoint, "the checkpoint").txHash = "0x" + "ab".repeat(32);
      const report = await verify(unknown);
      expect(report.ok).to.equal(true);
      expect(checkOf(report, "checkpoint-anchored").reason).to.contain("not known to this chain");
      const first = elementAt(await node.runtime.log.listCheckpoints(), 0);
      const other = structuredClone(honest);
      defined(other.checkpoint, "the checkpoint").txHash = first.txHash;
      expect((await verify(other)).ok).to.equal(false);
    });

    it("verifies another tree head signature on an anchored entry's receipt, and fails it on a pending one", async () => {
      await fc.assert(
        fc.asyncProperty(fc.nat({ max: honest.entries.length - 1 }), fc.stringMatching(/^0x[0-9a-f]{130}$/), async (index, signature) => {
          const anchored = structuredClone(honest);
          elementAt(anchored.entries, index).receipt.treeHead.signature = signature;
          expect((await verify(anchored)).ok).to.equal(true);
          const waiting = structuredClone(pending);
          elementAt(waiting.entries, -1).receipt.treeHead.signature = signature;
          const report = await verify(waiting);
          expect(report.ok).to.equal(false);
          expect(checkOf(report, "inclusion").status).to.equal("fail");
        }),
        { numRuns: 10, plugins: [fc.timeout(HANG_MS)] },
      );
    });

    it("verifies the other letter case of the registries' addresses, and another productRegistry only unpinned", async () => {
      const bundle = structuredClone(honest);
      bundle.chain.participantRegistry = bundle.chain.participantRegistry.toLowerCase();
      bundle.chain.anchorRegistry = "0x" + bundle.chain.anchorRegistry.slice(2).toUpperCase();
      expect((await verify(bundle)).status).to.equal("verified");
      bundle.chain.productRegistry = "0x" + "12".repeat(20);
      const pinned = await verify(bundle);
      expect(pinned.status).to.equal("failed");
      expect(checkOf(pinned, "trust-root").status).to.equal("fail");
      expect((await verifyBundle({ bundle, chain })).status).to.equal("unpinned");
    });
  });
});
