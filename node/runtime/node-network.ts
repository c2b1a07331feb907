// The network a node belongs to (spec §1.2): the one its operator pins with NETWORK_FILE, checked against the node's
// own chain, contracts and log, or else a one-log network of the node's own. Written to DATA_DIR/network.json.
import { readFile, rename, writeFile } from "node:fs/promises";
import path from "node:path";
import type { ContractAddresses } from "../chain/contracts";
import { BorderLedgerError, messageOf } from "../domain/errors";
import { NETWORK_FORMAT, NetworkSchema, describeNetworkIssues, type Network, type NetworkLog } from "../domain/network";

export type NodeIdentity = { chainId: number; addresses: ContractAddresses; logName: string; logId: string };

/** The one-log network of a node that was given no network file: its log serves every shipment. */
export function ownNetwork({ node, url, confirmations }: { node: NodeIdentity; url: string; confirmations: number }): Network {
  return NetworkSchema.parse({
    format: NETWORK_FORMAT,
    name: node.logName,
    chainId: node.chainId,
    participantRegistry: node.addresses.participantRegistry,
    anchorRegistry: node.addresses.anchorRegistry,
    productRegistry: node.addresses.productRegistry,
    confirmations,
    logs: [{ logId: node.logId, name: node.logName, url, shard: { bits: 0, prefix: 0 } }],
  });
}

/** Reads and parses a network file; CONFIG_INVALID naming the variable and the field that is wrong. */
export async function readNetworkFile(file: string): Promise<Network> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    throw new BorderLedgerError("CONFIG_INVALID", `NETWORK_FILE: cannot read ${file}: ${messageOf(error)}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BorderLedgerError("CONFIG_INVALID", `NETWORK_FILE: ${file} is not JSON: ${messageOf(error)}`);
  }
  const parsed = NetworkSchema.safeParse(value);
  if (!parsed.success)
    throw new BorderLedgerError("CONFIG_INVALID", `NETWORK_FILE: ${file} is not a ${NETWORK_FORMAT} file: ${describeNetworkIssues(parsed.error.issues)}`);
  return parsed.data;
}

/** The node's log in a pinned network, after checking that the network names this node's chain and contracts. */
export function ownLogIn({ network, node }: { network: Network; node: NodeIdentity }): NetworkLog {
  const problems: string[] = [];
  if (network.chainId !== node.chainId) problems.push(`chainId is ${network.chainId}, the node's chain is ${node.chainId}`);
  for (const key of ["participantRegistry", "anchorRegistry", "productRegistry"] as const) {
    if (network[key].toLowerCase() !== node.addresses[key].toLowerCase()) problems.push(`${key} is ${network[key]}, the node's is ${node.addresses[key]}`);
  }
  const log = network.logs.find((l) => l.logId === node.logId);
  if (log === undefined) problems.push(`no log of it is this node's log "${node.logName}" (${node.logId})`);
  if (problems.length > 0 || log === undefined) {
    throw new BorderLedgerError("CONFIG_INVALID", `NETWORK_FILE: the network "${network.name}" is not this node's: ${problems.join("; ")}`);
  }
  return log;
}

/** Writes the network to DATA_DIR/network.json (whole or not at all), for people and tools that start from the data directory. */
export async function writeNetworkFile({ dataDir, network }: { dataDir: string; network: Network }): Promise<string> {
  const file = path.resolve(dataDir, "network.json");
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, `${JSON.stringify(network, null, 2)}\n`);
  await rename(partial, file);
  return file;
}
