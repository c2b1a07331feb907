// Writes test/fixtures/golden-v1.json: one fixed event (the example ORDER, which names its carrier and broker as
// parties) with fixed salts and every value derived from it. Run only when the protocol or the example ORDER changes;
// test/node/domain/golden.test.ts checks every implementation reproduces it.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { devWallet } from "../node/chain/dev-participants";
import { domainSeparator } from "../node/domain/eip712";
import { toHex } from "../node/domain/hex";
import { ZERO_HASH, encodeLeafData, leafHashOf, shipmentKey } from "../node/domain/leaf";
import { memoryNodeReader, treeRoot } from "../node/domain/merkle";
import { fromHex } from "../node/domain/hex";
import { signAppendRequest } from "../node/domain/sign-event";
import { EXAMPLE_PAYLOADS, EXAMPLE_SHIPMENT_ID } from "../tools/fixtures/payload-examples";

const domain = { chainId: 31337, verifyingContract: "0x5FbDB2315678afecb367f032d93F642f64180aa3" };
const payload = structuredClone(EXAMPLE_PAYLOADS.ORDER) as Record<string, unknown>;
// Fixed salts: 16 bytes each, byte i of field k = (16k + i) mod 256.
const salts = Object.fromEntries(Object.keys(payload).map((name, k) => [name, toHex(Uint8Array.from({ length: 16 }, (_, i) => (16 * k + i) % 256))]));
const occurredAtMs = Date.UTC(2026, 2, 1, 9, 30, 0, 250);
const signed = signAppendRequest({
  separator: domainSeparator(domain),
  privateKey: devWallet(1).privateKey,
  shipmentId: EXAMPLE_SHIPMENT_ID,
  eventType: "ORDER",
  occurredAtMs,
  payload,
  salts,
});
const recordedAtMs = occurredAtMs + 60_000;
const leaves: { seq: number; prevLeafHash: string; recordedAtMs: number; leafData: string; leafHash: string }[] = [];
let prev = ZERO_HASH;
for (let seq = 0; seq < 5; seq++) {
  const fields = { shipmentId: EXAMPLE_SHIPMENT_ID, seq, prevLeafHash: prev, eventDigest: signed.eventDigest, recordedAtMs: recordedAtMs + seq };
  const leafHash = leafHashOf(fields);
  leaves.push({ seq, prevLeafHash: prev, recordedAtMs: fields.recordedAtMs, leafData: toHex(encodeLeafData(fields)), leafHash });
  prev = leafHash;
}
const root = toHex(treeRoot({ size: 5, read: memoryNodeReader(leaves.map((l) => fromHex(l.leafHash))) }));

const golden = {
  format: "borderledger.golden.v1",
  description: "One ORDER event naming two parties, with fixed salts, signed by development account #1, and five chained leaves of it.",
  domain: { name: "BorderLedger", version: "1", ...domain },
  signerPrivateKey: devWallet(1).privateKey,
  request: signed.request,
  fieldDigests: signed.digests,
  payloadHash: signed.request.event.payloadHash,
  eventDigest: signed.eventDigest,
  shipmentKey: shipmentKey(EXAMPLE_SHIPMENT_ID),
  leaves,
  rootOf5: root,
};
const file = path.resolve(__dirname, "../test/fixtures/golden-v1.json");
writeFileSync(file, JSON.stringify(golden, null, 2) + "\n");
console.log(`wrote ${file}`);
