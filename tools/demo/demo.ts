// The customs demo (`npm run demo`): five parcels' stories told through the client SDK against a running node, each
// step printed, ending with every bundle verified against the chain. It uses only the HTTP API and the development
// accounts, as any outside party would.
import { devWallet } from "../../node/chain/dev-participants";
import { validateEpcis } from "../../node/domain/epcis/validate";
import { BorderLedgerClient, fetchNetwork } from "../../node/client/client";
import { CUSTOMS_OF, PLATFORM, short, type StoryContext } from "./steps";
import { cleanParcel, counterfeit, splitConsignment, undervaluedParcel, usDeMinimis } from "./stories";

export type DemoOptions = {
  nodeUrl: string;
  log?: (line: string) => void;
  /** How long to wait for the node's RISK_RESULT after a DECLARATION, and for anchoring at the end. */
  waitMs?: number;
};

export type DemoResult = {
  shipments: string[];
  verified: { shipmentId: string; ok: boolean; status: string; checks: Record<string, string> }[];
  ok: boolean;
};

/** Runs the five stories, then verifies every shipment's bundle; the result says whether every verification passed. */
export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const waitMs = options.waitMs ?? 30_000;
  const clients = new Map<number, BorderLedgerClient>();
  const as = async (index: number): Promise<BorderLedgerClient> => {
    let client = clients.get(index);
    if (!client) {
      client = await BorderLedgerClient.connect({ nodeUrl: options.nodeUrl, privateKey: devWallet(index).privateKey });
      clients.set(index, client);
    }
    return client;
  };
  const chain = (await (await fetch(`${options.nodeUrl}/v1/chain`)).json()) as { rpcUrl: string; chainId: number };
  const run = Date.now().toString(36).toUpperCase();
  const shipments: string[] = [];
  const ctx: StoryContext = { as, log, waitMs, run, shipments };
  log(`BorderLedger demo against ${options.nodeUrl} (chain ${chain.chainId}, run ${run})`);

  await cleanParcel(ctx);
  await undervaluedParcel(ctx);
  await splitConsignment(ctx);
  await counterfeit(ctx);
  await usDeMinimis(ctx);

  log("");
  log("== Verifying every bundle against the chain and the node's network ==");
  await waitAnchored({ client: await as(PLATFORM), waitMs, log });
  // The demo pins the network the node publishes: it runs against a node it trusts to say which network it is in.
  const network = await fetchNetwork({ url: `${options.nodeUrl}/v1/network` });
  const verified: DemoResult["verified"] = [];
  for (const shipmentId of shipments) {
    const destination = shipmentId.includes("-US") ? "US" : "DE";
    const { report } = await (await as(CUSTOMS_OF[destination])).verifyTrace({ shipmentId, rpcUrl: chain.rpcUrl, network });
    const checks = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    // The same reader's EPCIS 2.0 export must pass the GS1 schema.
    const epcis = validateEpcis(await (await as(CUSTOMS_OF[destination])).epcis(shipmentId));
    checks["epcis-gs1-schema"] = epcis.valid ? "pass" : "fail";
    const ok = report.status === "verified" && epcis.valid;
    verified.push({ shipmentId, ok, status: report.status, checks });
    const failed = report.checks.filter((c) => c.status === "fail");
    const summary = report.checks.map((c) => `${c.name} ${c.status}`).join(", ");
    log(`${ok ? "✓" : "✗"} ${shipmentId}: ${report.status.toUpperCase()} — ${summary}`);
    for (const check of failed) log(`    ${check.name}: ${check.reason}`);
    if (!epcis.valid)
      log(
        `    EPCIS export refused by the GS1 schema: ${epcis.issues
          .slice(0, 3)
          .map((i) => `${i.path}: ${i.message}`)
          .join("; ")}`,
      );
  }
  const ok = verified.every((v) => v.ok);
  log(ok ? `All ${verified.length} bundles verified against the chain; their EPCIS 2.0 exports pass the GS1 schema.` : "Some bundles did not verify.");
  return { shipments, verified, ok };
}

async function waitAnchored({ client, waitMs, log }: { client: BorderLedgerClient; waitMs: number; log: (line: string) => void }): Promise<void> {
  const target = (await client.checkpoint()).head.treeSize;
  const deadline = Date.now() + waitMs;
  for (;;) {
    const checkpoint = await client.checkpoint();
    if (checkpoint.treeSize >= target) {
      log(`log anchored at tree size ${checkpoint.treeSize} (root ${short(String(checkpoint.rootHash))})`);
      return;
    }
    if (Date.now() > deadline) {
      log(`the log is not anchored up to ${target} yet: recent entries will verify as pending`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
