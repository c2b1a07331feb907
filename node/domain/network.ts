// The network file `borderledger.network.v1` (spec §1.2): the chain, contracts and logs a verifier pins, and which log
// serves which shipments.
import { z } from "zod";
import { keccak256Utf8 } from "./hashing";
import { toHex } from "./hex";
import { shipmentKey } from "./leaf";
import { Address, HexDigest } from "./primitives";

export const NETWORK_FORMAT = "borderledger.network.v1";

/** The largest number of key bits a shard may be chosen by. */
export const MAX_SHARD_BITS = 16;

export const ShardSchema = z
  .strictObject({
    bits: z.number().int().min(0).max(MAX_SHARD_BITS),
    prefix: z.number().int().nonnegative(),
  })
  .refine(({ bits, prefix }) => prefix < 2 ** bits, { message: "prefix must be below 2^bits", path: ["prefix"] });
/** The shipments a log serves: those whose shipmentKey has `prefix` as its top `bits` bits. */
export type Shard = z.infer<typeof ShardSchema>;

export const NetworkLogSchema = z
  .strictObject({
    logId: HexDigest,
    name: z.string().min(1),
    url: z.url({ protocol: /^https?$/ }),
    shard: ShardSchema,
  })
  .refine(({ logId, name }) => logId === toHex(keccak256Utf8(name)), { message: "logId must be keccak256(utf8(name))", path: ["logId"] });
export type NetworkLog = z.infer<typeof NetworkLogSchema>;

export const NetworkSchema = z
  .strictObject({
    format: z.literal(NETWORK_FORMAT),
    name: z.string().min(1),
    chainId: z.number().int().positive(),
    participantRegistry: Address,
    anchorRegistry: Address,
    productRegistry: Address,
    confirmations: z.number().int().nonnegative(),
    logs: z.array(NetworkLogSchema).min(1),
  })
  .superRefine((network, ctx) => {
    const problem = partitionProblem(network.logs);
    if (problem !== null) ctx.addIssue({ code: "custom", message: problem, path: ["logs"] });
  });
/** What a verifier pins (spec §1.2). */
export type Network = z.infer<typeof NetworkSchema>;

/** The top `bits` bits of a 0x-hex 256-bit key, as a number. */
function topBits(key: string, bits: number): number {
  if (bits === 0) return 0;
  return parseInt(key.slice(2, 6), 16) >>> (16 - bits);
}

/** Whether a shipmentKey (0x + 64 hex) falls in a shard. */
export function inShard(key: string, shard: Shard): boolean {
  return topBits(key, shard.bits) === shard.prefix;
}

/** Why the logs' shards do not partition the key space (two overlap, or some keys have no log), or null. */
export function partitionProblem(logs: readonly Pick<NetworkLog, "name" | "shard">[]): string | null {
  for (const [i, a] of logs.entries()) {
    for (const b of logs.slice(i + 1)) {
      const bits = Math.min(a.shard.bits, b.shard.bits);
      if (a.shard.prefix >>> (a.shard.bits - bits) === b.shard.prefix >>> (b.shard.bits - bits)) {
        return `the shards of logs ${JSON.stringify(a.name)} and ${JSON.stringify(b.name)} overlap: a shipment would live in both`;
      }
    }
  }
  // Disjoint shards cover the key space exactly when their shares add up to all of it.
  const covered = logs.reduce((sum, log) => sum + 2 ** (MAX_SHARD_BITS - log.shard.bits), 0);
  if (covered !== 2 ** MAX_SHARD_BITS) return "the logs' shards leave some shipments without a log: together they must cover every key";
  return null;
}

/** The one log of the network that serves a shipment. */
export function logForShipment(network: Network, shipmentId: string): NetworkLog {
  const key = shipmentKey(shipmentId);
  const log = network.logs.find((candidate) => inShard(key, candidate.shard));
  // The schema's partition check gives every key exactly one log.
  if (log === undefined) throw new Error(`invariant failed: no log of network ${network.name} serves key ${key}`);
  return log;
}

/** A one-line account of a parse failure of a network file, naming the first field that is wrong. */
export function describeNetworkIssues(issues: readonly z.core.$ZodIssue[]): string {
  const first = issues[0];
  if (first === undefined) return "not a network file";
  const path = first.path.length === 0 ? "the network file" : first.path.join(".");
  return `${path}: ${first.message}`;
}
