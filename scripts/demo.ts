// npm run demo: the customs demo against a running node (NODE_URL, default http://127.0.0.1:8787), then every bundle
// verified against the network file the node serves, saved to DEMO_NETWORK_FILE (default: borderledger-demo-network.json
// in the system's temporary directory). Exit 1 unless every bundle is verified.
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { devWallet } from "../node/chain/dev-participants";
import { BorderLedgerClient, fetchNetwork } from "../node/client/client";
import { NetworkSchema, type Network } from "../node/domain/network";
import { VERIFICATION_STATUSES, type VerificationStatus } from "../node/verify/verify-bundle";
import { runDemo } from "../tools/demo/demo";
import { CUSTOMS_OF } from "../tools/demo/steps";

const nodeUrl = process.env.NODE_URL ?? "http://127.0.0.1:8787";
const networkFile = path.resolve(process.env.DEMO_NETWORK_FILE ?? path.join(tmpdir(), "borderledger-demo-network.json"));
/** How long to wait for a checkpoint covering the whole log before the pinned verification. */
const ANCHOR_WAIT_MS = 30_000;

const MARK: Record<VerificationStatus, string> = { verified: "✔", pending: "…", unpinned: "?", failed: "✘" };

/** Saves the node's GET /v1/network to `file` and reads it back as a verifier would: parsed, or refused. */
async function saveNetwork(file: string): Promise<Network> {
  const network = await fetchNetwork({ url: `${nodeUrl}/v1/network` });
  await writeFile(file, `${JSON.stringify(network, null, 2)}\n`);
  return NetworkSchema.parse(JSON.parse(await readFile(file, "utf8")));
}

async function waitForFullCheckpoint(client: BorderLedgerClient): Promise<void> {
  const deadline = Date.now() + ANCHOR_WAIT_MS;
  const { head } = await client.checkpoint();
  while ((await client.checkpoint()).treeSize < head.treeSize && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
}

async function main(): Promise<void> {
  const result = await runDemo({ nodeUrl });
  const chain = (await (await fetch(`${nodeUrl}/v1/chain`)).json()) as { rpcUrl: string };
  const customs = Object.fromEntries(
    await Promise.all(
      Object.entries(CUSTOMS_OF).map(async ([country, index]) => [
        country,
        await BorderLedgerClient.connect({ nodeUrl, privateKey: devWallet(index).privateKey }),
      ]),
    ),
  ) as Record<keyof typeof CUSTOMS_OF, BorderLedgerClient>;

  console.log("");
  console.log("== Verifying every bundle against the network file ==");
  const network = await saveNetwork(networkFile);
  const logs = network.logs.length === 1 ? "1 log" : `${network.logs.length} logs`;
  console.log(`GET ${nodeUrl}/v1/network saved to ${networkFile}: network ${network.name}, chain ${network.chainId}, ${logs}`);
  await waitForFullCheckpoint(customs.DE);
  const statuses: { shipmentId: string; status: VerificationStatus }[] = [];
  for (const shipmentId of result.shipments) {
    // Each bundle as the customs of its destination reads it (every field), so every check has something to run on.
    const reader = customs[shipmentId.endsWith("-US") ? "US" : "DE"];
    const { report } = await reader.verifyTrace({ shipmentId, rpcUrl: chain.rpcUrl, network });
    statuses.push({ shipmentId, status: report.status });
    const completeness = report.checks.find((check) => check.name === "completeness");
    console.log(`${MARK[report.status]} ${shipmentId}: ${report.status}${completeness ? ` — ${completeness.reason}` : ""}`);
    for (const check of report.checks.filter((c) => c.status === "fail" || c.status === "pending"))
      console.log(`    ${check.name} ${check.status}: ${check.reason}`);
  }
  const byStatus = Object.fromEntries(VERIFICATION_STATUSES.map((status) => [status, statuses.filter((s) => s.status === status).length]));
  const verified = byStatus.verified ?? 0;
  const ok = result.ok && verified === statuses.length;
  const counts = VERIFICATION_STATUSES.filter((status) => (byStatus[status] ?? 0) > 0)
    .map((status) => `${byStatus[status]} ${status}`)
    .join(", ");
  console.log(
    ok ? `All ${verified} bundles verified against network ${network.name}.` : `Not every bundle verified against network ${network.name}: ${counts}.`,
  );
  const example = result.shipments[0];
  if (example !== undefined) {
    console.log("Verify one yourself, against the network file and the chain alone:");
    console.log(`  npx borderledger verify ${example}@${nodeUrl} --network ${networkFile} --rpc ${chain.rpcUrl}`);
  }
  console.log(JSON.stringify({ demo: "customs", shipments: result.shipments.length, verified, statuses: byStatus, network: networkFile, ok }));
  process.exitCode = ok ? 0 : 1;
}

main().catch((error: Error) => {
  const hint = /fetch failed|ECONNREFUSED/.test(String(error.message) + String((error as { cause?: Error }).cause?.message))
    ? ` (is a node running at ${nodeUrl}? start one with npm start)`
    : "";
  console.error(`demo failed: ${error.message}${hint}`);
  process.exitCode = 1;
});
