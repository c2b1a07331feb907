// npm run soak, shortened: the soak script against a real node process passes, with every kind of bad request answered as it must be.
import { expect } from "chai";
import { spawn } from "node:child_process";
import path from "node:path";
import { statusOf } from "../../api/errors";
import { BorderLedgerError, type ErrorCode } from "../../node/domain/errors";
import { ATTACKS } from "../../tools/soak/attacks";

const ROOT = path.resolve(__dirname, "../..");

type SoakResult = {
  ok: boolean;
  accepted: number;
  receiptsChecked: number;
  receiptsMissing: number;
  receiptsBad: number;
  treeHeadsChecked: number;
  treeHeadsBad: number;
  tracesVerified: number;
  tracesFailed: number;
  tracesByStatus: Record<string, number>;
  nodeVerifications: Record<string, number>;
  rejected: { total: number; expected: number; unexpected: number; byCode: Record<string, number>; byRule: Record<string, number> };
  byStatus: Record<string, number>;
  badKinds: Record<string, { sent: number; mismatches: number }>;
  memory: { flat: boolean; bounded: boolean };
  phases: Record<string, { appendLatencyMs: { count: number; p99: number }; attackRequests: number; attackByStatus: Record<string, number> }>;
  failures: string[];
};

/** Runs scripts/soak.ts with `env`; resolves with its exit code, its output and its last line parsed. */
function runSoak(env: Record<string, string>): Promise<{ code: number | null; output: string; result: SoakResult }> {
  const child = spawn(process.execPath, ["--require", "tsx/cjs", "scripts/soak.ts"], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) =>
    child.once("close", (code) => {
      const last = output.trim().split("\n").at(-1) ?? "";
      resolve({ code, output, result: (last.startsWith("{") ? JSON.parse(last) : {}) as SoakResult });
    }),
  );
}

describe("npm run soak", function () {
  this.timeout(180_000);
  let soak: Awaited<ReturnType<typeof runSoak>>;

  before(async () => {
    soak = await runSoak({ SOAK_SECONDS: "20", SOAK_WRITERS: "6", SOAK_READERS: "2", SOAK_VERIFY_SAMPLE: "10" });
  });

  it("exits 0 with ok true, every receipt in the log and every sampled trace verified", () => {
    expect(soak.code, soak.output).to.equal(0);
    const { result } = soak;
    expect(result.ok, result.failures?.join("\n")).to.equal(true);
    expect(result.accepted).to.be.greaterThan(0);
    expect(result.receiptsChecked).to.be.at.least(result.accepted);
    expect(result.receiptsMissing).to.equal(0);
    expect(result.receiptsBad).to.equal(0);
    expect(result.tracesVerified).to.be.greaterThan(0);
    expect(result.tracesFailed).to.equal(0);
    expect(result.memory.flat).to.equal(true);
  });

  it("holds every signed tree head of the receipts consistent with the checkpoint anchored at the end", () => {
    const { result } = soak;
    // One head per group commit: at least one, and never more than the events accepted.
    expect(result.treeHeadsChecked).to.be.greaterThan(0).and.at.most(result.accepted);
    expect(result.treeHeadsBad).to.equal(0);
  });

  it("counts as verified only what the report says is verified, pinned to the node's network", () => {
    const { tracesByStatus, tracesVerified, nodeVerifications } = soak.result;
    // The sampled shipments, verified with the library against GET /v1/network and the chain: all verified.
    expect(tracesByStatus).to.deep.equal({ verified: tracesVerified, pending: 0, unpinned: 0, failed: 0 });
    // The node's own verifications pin its network: never unpinned, never failed; pending while a checkpoint is due.
    expect(nodeVerifications.unpinned).to.equal(0);
    expect(nodeVerifications.failed).to.equal(0);
    expect((nodeVerifications.verified ?? 0) + (nodeVerifications.pending ?? 0)).to.be.greaterThan(0);
  });

  it("sends every kind of bad request at least once and gets the answer each must get", () => {
    const kinds = Object.entries(soak.result.badKinds ?? {});
    expect(kinds.length).to.be.greaterThan(20);
    for (const [kind, { sent, mismatches }] of kinds) {
      expect(sent, kind).to.be.greaterThan(0);
      expect(mismatches, kind).to.equal(0);
    }
  });

  it("refuses each protocol v2 attack with its rule, counted as expected, and no valid event", () => {
    const { badKinds, rejected } = soak.result;
    const attacks: [kind: string, rule: string][] = [
      ["stranger-carrier-dispatch", "NOT_A_PARTY"],
      ["second-order", "ORDER_NOT_FIRST"],
      ["declaration-to-another-country", "DESTINATION_CHANGED"],
      ["occurred-40-days-ago", "OCCURRED_AT_WINDOW"],
      ["claim-of-unregistered-brand", "CLAIM_BRAND_NOT_OWNED"],
    ];
    for (const [kind, rule] of attacks) {
      expect(badKinds[kind]?.sent, kind).to.be.greaterThan(0);
      expect(badKinds[kind]?.mismatches, kind).to.equal(0);
      expect(rejected.byRule[rule], rule).to.be.at.least(badKinds[kind]?.sent ?? Infinity);
    }
    expect(rejected.unexpected).to.equal(0);
    expect(rejected.expected).to.be.greaterThan(0);
    // Every refusal is one a bad request had to get, but for the rate limit's 429s, which a writer waits out.
    expect(rejected.expected).to.equal(rejected.total - (rejected.byCode.RATE_LIMITED ?? 0));
  });

  it("gets no 5xx answer", () => {
    const statuses = Object.keys(soak.result.byStatus ?? {}).map(Number);
    expect(statuses).to.not.be.empty;
    expect(statuses.filter((status) => status >= 500)).to.deep.equal([]);
    const serverErrors = Object.keys(soak.result.rejected.byCode).filter((code) => statusOf(new BorderLedgerError(code as ErrorCode, code)) >= 500);
    expect(serverErrors).to.deep.equal([]);
  });

  it("sends every attack in a phase of its own among valid traffic, each answered as it must be, the maps bounded", () => {
    const { phases, memory } = soak.result;
    expect(Object.keys(phases)).to.deep.equal(["quiet", ...ATTACKS.map((a) => a.name)]);
    for (const [name, phase] of Object.entries(phases)) {
      expect(phase.appendLatencyMs.count, name).to.be.greaterThan(0);
      if (name !== "quiet") expect(phase.attackRequests, name).to.be.greaterThan(0);
      expect(
        Object.keys(phase.attackByStatus).filter((status) => Number(status) >= 500),
        name,
      ).to.deep.equal([]);
    }
    expect(memory.bounded).to.equal(true);
  });
});
