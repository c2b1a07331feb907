// The EIP-712 definitions of spec §2.2 and §3.1: domain, TraceEvent and TreeHead digests.
// Encoded by hand (the spec's encodeData for these fixed types) because the ingest path computes one per event and
// ethers' generic TypedDataEncoder is many times slower; test/node/domain/eip712.test.ts checks both agree.
import { keccak256, keccak256Utf8 } from "./hashing";
import { fromHex, toHex } from "./hex";

export type Eip712Domain = { chainId: number; verifyingContract: string };

export const EIP712_NAME = "BorderLedger";
export const EIP712_VERSION = "1";

/** The types as ethers' signTypedData takes them (for wallets and the SDK). */
export const TRACE_EVENT_TYPES = {
  TraceEvent: [
    { name: "shipmentId", type: "string" },
    { name: "eventType", type: "string" },
    { name: "occurredAt", type: "uint64" },
    { name: "payloadHash", type: "bytes32" },
  ],
} as const;

/** The log operator's signed tree head (spec §3.1), under the domain whose verifyingContract is AnchorRegistry. */
export const TREE_HEAD_TYPES = {
  TreeHead: [
    { name: "logId", type: "bytes32" },
    { name: "treeSize", type: "uint64" },
    { name: "rootHash", type: "bytes32" },
    { name: "timestamp", type: "uint64" },
  ],
} as const;

const DOMAIN_TYPEHASH = keccak256Utf8("EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)");
const TRACE_EVENT_TYPEHASH = keccak256Utf8("TraceEvent(string shipmentId,string eventType,uint64 occurredAt,bytes32 payloadHash)");
const TREE_HEAD_TYPEHASH = keccak256Utf8("TreeHead(bytes32 logId,uint64 treeSize,bytes32 rootHash,uint64 timestamp)");

function uint256Word(value: bigint | number): Buffer {
  const word = Buffer.alloc(32);
  let v = BigInt(value);
  if (v < 0n || v >= 2n ** 256n) throw new RangeError(`${value} does not fit in uint256`);
  for (let i = 31; i >= 0 && v > 0n; i--) {
    word[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  return word;
}

function addressWord(address: string): Buffer {
  const bytes = Buffer.from(address.slice(2), "hex");
  if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new RangeError(`not an address: ${address}`);
  return Buffer.concat([Buffer.alloc(12), bytes]);
}

/** The domain separator; compute once per domain and pass it to the digest functions. */
export function domainSeparator(domain: Eip712Domain): Buffer {
  return keccak256(
    Buffer.concat([
      DOMAIN_TYPEHASH,
      keccak256Utf8(EIP712_NAME),
      keccak256Utf8(EIP712_VERSION),
      uint256Word(domain.chainId),
      addressWord(domain.verifyingContract),
    ]),
  );
}

function typedDataDigest(separator: Uint8Array, structHash: Uint8Array): Buffer {
  return keccak256(Buffer.concat([Buffer.from([0x19, 0x01]), separator, structHash]));
}

/** keccak256(0x19 0x01 || domainSeparator || structHash) (EIP-712) as 0x hex, for types defined beside their use (catalog.ts). */
export function hashTypedData({ separator, structHash }: { separator: Uint8Array; structHash: Uint8Array }): string {
  return toHex(typedDataDigest(separator, structHash));
}

const UINT64_MAX = 2n ** 64n - 1n;

function uint64Word(value: number | bigint, what: string): Buffer {
  const v = BigInt(value);
  if (v < 0n || v > UINT64_MAX) throw new RangeError(`${what} ${value} does not fit in uint64`);
  return uint256Word(v);
}

/** eventDigest = hashTypedData(domain, TraceEvent, event) — what the actor signs (spec §2.2). */
export function traceEventDigest({
  separator,
  shipmentId,
  eventType,
  occurredAtMs,
  payloadHash,
}: {
  separator: Uint8Array;
  shipmentId: string;
  eventType: string;
  occurredAtMs: number;
  payloadHash: string;
}): string {
  const structHash = keccak256(
    Buffer.concat([TRACE_EVENT_TYPEHASH, keccak256Utf8(shipmentId), keccak256Utf8(eventType), uint64Word(occurredAtMs, "occurredAt"), fromHex(payloadHash)]),
  );
  return toHex(typedDataDigest(separator, structHash));
}

/**
 * The digest the log operator signs once per group commit: TreeHead(bytes32 logId,uint64 treeSize,bytes32 rootHash,
 * uint64 timestamp) under the domain of AnchorRegistry (spec §3.1), so that the contract can check it (§4.1).
 */
export function treeHeadDigest({
  separator,
  logId,
  treeSize,
  rootHash,
  timestampMs,
}: {
  separator: Uint8Array;
  logId: string;
  treeSize: number;
  rootHash: string;
  timestampMs: number;
}): string {
  const structHash = keccak256(
    Buffer.concat([TREE_HEAD_TYPEHASH, fromHex(logId), uint64Word(treeSize, "treeSize"), fromHex(rootHash), uint64Word(timestampMs, "timestamp")]),
  );
  return toHex(typedDataDigest(separator, structHash));
}
