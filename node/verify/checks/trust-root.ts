// Check "trust-root" (spec §5.0, §1.2): the bundle's chain, contracts and log are those of the network the verifier
// pins, and that log serves the shipment.
import type { TraceBundle } from "../../domain/bundle";
import { shipmentKey } from "../../domain/leaf";
import { inShard, logForShipment, type Network, type Shard } from "../../domain/network";
import { sameHex } from "../chain-answers";
import type { CheckOutcome } from "../report";

const CONTRACTS = [
  ["participantRegistry", "ParticipantRegistry"],
  ["anchorRegistry", "AnchorRegistry"],
  ["productRegistry", "ProductRegistry"],
] as const;

/**
 * §5.0: chain id, ParticipantRegistry, AnchorRegistry and ProductRegistry are the network's, the bundle's log is one of
 * the network's logs, and the shipment's key falls in that log's shard. Without a network the bundle's own are used,
 * and anyone able to deploy look-alike registries, or run a log of their own, could point a bundle at them.
 */
export function verifyTrustRoot({ bundle, network }: { bundle: TraceBundle; network: Network | undefined }): CheckOutcome {
  if (network === undefined) return { status: "not-checkable", reason: "unpinned: no network given; the bundle's own contracts and log were used" };
  const problems: string[] = [];
  if (bundle.chain.chainId !== network.chainId)
    problems.push(`the bundle names chain ${bundle.chain.chainId}, network ${network.name} is chain ${network.chainId}`);
  for (const [key, contract] of CONTRACTS) {
    if (!sameHex(bundle.chain[key], network[key]))
      problems.push(`the bundle names ${contract} ${bundle.chain[key]}, network ${network.name}'s is ${network[key]}`);
  }
  const key = shipmentKey(bundle.shipmentId);
  const log = network.logs.find((candidate) => sameHex(candidate.logId, bundle.logId));
  if (log === undefined) {
    problems.push(`the bundle's log ${bundle.logId} is none of network ${network.name}'s logs`);
  } else if (!inShard(key, log.shard)) {
    const server = logForShipment(network, bundle.shipmentId);
    problems.push(
      `shipment ${bundle.shipmentId} (key ${key}) is outside log ${log.name}'s shard (${describeShard(log.shard)}): log ${server.name} (${server.logId}) serves it`,
    );
  }
  // An unknown log is always among the problems: the second test only narrows the type.
  if (problems.length > 0 || log === undefined) return { status: "fail", reason: problems.join("; ") };
  return {
    status: "pass",
    reason:
      `chain ${network.chainId}, ParticipantRegistry ${network.participantRegistry}, AnchorRegistry ${network.anchorRegistry}, ` +
      `ProductRegistry ${network.productRegistry} and log ${log.name} are network ${network.name}'s, ` +
      `and the log serves the shipment's key ${key} (${describeShard(log.shard)})`,
  };
}

function describeShard({ bits, prefix }: Shard): string {
  if (bits === 0) return "every key";
  return `keys whose top ${bits === 1 ? "bit is" : `${bits} bits are`} ${prefix.toString(2).padStart(bits, "0")}`;
}
