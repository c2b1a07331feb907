// One monitor of one log (spec §12): each round reads the chain's checkpoints and the node's new leaves and newest
// signed tree head, checks them against each other, and on the first contradiction builds its misbehaviour proof and
// submits it (or hands over its calldata). What it sees it reports as events for the CLI to print.
import { domainSeparator } from "../domain/eip712";
import type { Network, NetworkLog } from "../domain/network";
import type { ChainLog, CheckpointEvent, Submission } from "./chain-log";
import { LogChecker } from "./checker";
import { buildEvidence, type MisbehaviourProof } from "./evidence";
import { describeFinding, type Finding, type FindingCode } from "./findings";
import { LEAVES_PER_PAGE, NodeReadError, type NodeReader } from "./node-reader";

/** What a monitor reports as it goes (the CLI prints each; with --json one line of JSON each). */
export type MonitorEvent =
  | { type: "start"; network: string; log: string; logId: string; node: string; chainId: number; anchorRegistry: string; operator: string }
  | { type: "progress"; from: number; to: number; treeSize: number; checkpointsChecked: number }
  | { type: "finding"; finding: Finding; message: string }
  | { type: "proof"; kind: MisbehaviourProof["kind"]; function: MisbehaviourProof["function"]; proves: FindingCode; args: MisbehaviourProof["args"] }
  | { type: "calldata"; to: string; function: MisbehaviourProof["function"]; data: string }
  | ({ type: "submitted"; function: MisbehaviourProof["function"] } & Submission)
  | { type: "checked"; leaves: number; checkpoints: number; checkpointsChecked: number; treeHead: number | null; findings: number }
  | { type: "error"; message: string };

export type MonitorOptions = {
  network: Network;
  log: NetworkLog;
  node: NodeReader;
  chain: ChainLog;
  /** The key misbehaviour proofs are sent from; without one, their calldata is reported instead. */
  reportKey?: string;
  report: (event: MonitorEvent) => void;
};

export class LogMonitor {
  private readonly options: MonitorOptions;
  private readonly checker: LogChecker;
  private readonly checkpoints: CheckpointEvent[] = [];
  private readonly findings: Finding[] = [];
  private readonly reported = new Set<string>();
  private nextBlock = 0;
  private proofDone = false;
  /** Set once a proof of ours was mined: from then on the log's compromise is our own finding, not news. */
  private compromisedByUs = false;
  private compromised = false;
  private servedSize = 0;
  private lastTreeHead: number | null = null;

  constructor(options: MonitorOptions) {
    this.options = options;
    const { network, log } = options;
    const separator = domainSeparator({ chainId: network.chainId, verifyingContract: network.anchorRegistry });
    this.checker = new LogChecker({ logId: log.logId, separator });
  }

  /** Whether anything was found wrong so far. */
  get failed(): boolean {
    return this.findings.length > 0;
  }

  /** Reports what the monitor checks, and with whose operator. */
  async start(): Promise<void> {
    const { network, log, node, chain } = this.options;
    this.options.report({
      type: "start",
      network: network.name,
      log: log.name,
      logId: log.logId,
      node: node.nodeUrl,
      chainId: network.chainId,
      anchorRegistry: network.anchorRegistry,
      operator: await chain.operator(),
    });
  }

  /**
   * One round: new checkpoints from the chain, the newest signed tree head, the new leaves page by page (checking
   * each checkpoint as the leaves reach it), the tree head, and then the proof of the first contradiction. Rejects
   * when the node or the chain cannot be read (a NodeReadError for the node, unless its answer was malformed: that is
   * a finding).
   */
  async round(): Promise<void> {
    const { chain } = this.options;
    const found: Finding[] = [];
    const compromisedAt = await chain.compromisedAt();
    if (compromisedAt > 0 && !this.compromised) {
      this.compromised = true;
      if (!this.compromisedByUs) found.push({ code: "compromised", blockNumber: compromisedAt });
    }
    const latest = await chain.blockNumber();
    const fresh = (await chain.checkpoints({ fromBlock: this.nextBlock, toBlock: latest })).filter(
      (checkpoint) => checkpoint.treeSize > (this.checkpoints.at(-1)?.treeSize ?? 0),
    );
    this.nextBlock = latest + 1;
    this.checkpoints.push(...fresh);
    found.push(...this.checker.checkReached(this.checkpoints));
    try {
      found.push(...(await this.readNode()));
    } catch (error) {
      if (!(error instanceof NodeReadError && error.problem === "malformed")) throw error;
      found.push({ code: "bad-answer", route: error.route, detail: error.message.slice(error.route.length + 2) });
    }
    const news = this.publish(found);
    if (!this.proofDone && !(this.compromised && !this.compromisedByUs) && this.findings.length > 0 && (news.length > 0 || fresh.length > 0)) {
      await this.prove();
    }
    this.options.report({
      type: "checked",
      leaves: this.checker.size,
      checkpoints: this.checkpoints.length,
      checkpointsChecked: this.checker.checkpointsChecked,
      treeHead: this.lastTreeHead,
      findings: this.findings.length,
    });
  }

  /** The node's newest tree head and new leaves, checked. */
  private async readNode(): Promise<Finding[]> {
    const { node } = this.options;
    const found: Finding[] = [];
    const operator = await this.options.chain.operator();
    // The head first, so that the leaves read after it reach it on an honest node.
    const head = await node.latestTreeHead();
    let treeSize = this.checker.size;
    while (!this.checker.halted) {
      const page = await node.leaves({ start: this.checker.size, count: LEAVES_PER_PAGE });
      if (page.treeSize < this.servedSize) {
        found.push({ code: "bad-answer", route: "/v1/log/leaves", detail: `the tree size went down from ${this.servedSize} to ${page.treeSize}` });
      }
      this.servedSize = Math.max(this.servedSize, page.treeSize);
      treeSize = page.treeSize;
      if (this.checker.size >= treeSize) break;
      if (page.leaves.length === 0) {
        found.push({ code: "leaves-out-of-order", expected: this.checker.size, got: null });
        break;
      }
      const from = this.checker.size;
      found.push(...this.checker.addLeaves(page.leaves));
      found.push(...this.checker.checkReached(this.checkpoints));
      this.options.report({ type: "progress", from, to: this.checker.size - 1, treeSize, checkpointsChecked: this.checker.checkpointsChecked });
    }
    const beyond = this.checkpoints.at(-1);
    if (beyond !== undefined && beyond.treeSize > this.checker.size && !this.checker.halted) {
      found.push({ code: "leaves-withheld", anchoredSize: beyond.treeSize, served: this.checker.size });
    }
    if (head !== null) {
      this.lastTreeHead = head.treeSize;
      const anchored = this.checkpoints.find((checkpoint) => checkpoint.treeSize === head.treeSize);
      const checked = this.checker.checkTreeHead({ head, operator, anchored });
      if (checked === null) found.push({ code: "tree-head-ahead", treeSize: head.treeSize, served: this.checker.size });
      else found.push(...checked);
    }
    return found;
  }

  /** Reports the findings not reported before; returns them. */
  private publish(found: readonly Finding[]): Finding[] {
    const news: Finding[] = [];
    for (const finding of found) {
      const key = JSON.stringify(finding);
      if (this.reported.has(key)) continue;
      this.reported.add(key);
      news.push(finding);
      this.findings.push(finding);
      this.options.report({ type: "finding", finding, message: describeFinding(finding) });
    }
    return news;
  }

  private async prove(): Promise<void> {
    const { node, chain, log, reportKey, report } = this.options;
    const built = await buildEvidence({
      findings: this.findings,
      checker: this.checker,
      checkpoints: this.checkpoints,
      logId: log.logId,
      headProofs: (key) => node.headProof(key),
    });
    this.publish(built.findings);
    if (built.evidence === null) return;
    const { proof, proves } = built.evidence;
    this.proofDone = true;
    report({ type: "proof", kind: proof.kind, function: proof.function, proves: proves.code, args: proof.args });
    if (reportKey === undefined) {
      report({ type: "calldata", to: chain.anchorRegistry, function: proof.function, data: chain.calldata(proof) });
      return;
    }
    const submission = await chain.submit({ proof, privateKey: reportKey });
    if (submission.ok) {
      this.compromisedByUs = true;
      this.compromised = true;
    }
    report({ type: "submitted", function: proof.function, ...submission });
    if (!submission.ok) report({ type: "calldata", to: chain.anchorRegistry, function: proof.function, data: chain.calldata(proof) });
  }
}
