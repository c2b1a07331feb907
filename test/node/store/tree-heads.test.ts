// The log store's signed tree heads and checkpoints, answered from memory for the newest and from LevelDB for the
// rest: the head that covers each leaf, the newest head and the newest checkpoint, before and after a reopen.
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { keccak256Utf8 } from "../../../node/domain/hashing";
import { toHex } from "../../../node/domain/hex";
import { ZERO_HASH } from "../../../node/domain/leaf";
import type { NewEntry, StoredTreeHead } from "../../../node/domain/log-entry";
import { openStores, type Stores } from "../../../node/store/stores";

/** More group commits than the store keeps in memory, so that the oldest heads come from LevelDB. */
const COMMITS = 9_000;

const hashOf = (text: string) => toHex(keccak256Utf8(text));
const SIGNATURE = `0x${"11".repeat(65)}`;

/** Commit `c` writes 1, 2 or 3 entries of one shipment: the leaves it covers are [sizes[c-1], sizes[c]). */
async function fill(stores: Stores): Promise<number[]> {
  const sizes: number[] = [];
  let leafIndex = 0;
  for (let commit = 0; commit < COMMITS; commit++) {
    const entries: NewEntry[] = [];
    for (let i = 0; i < 1 + (commit % 3); i++, leafIndex++) {
      const eventDigest = hashOf(`event ${leafIndex}`);
      entries.push({
        leafIndex,
        seq: i,
        shipmentId: `SHIP-${commit}`,
        prevLeafHash: ZERO_HASH,
        leafHash: hashOf(`leaf ${leafIndex}`),
        recordedAt: 1_700_000_000_000 + leafIndex,
        eventDigest,
        storedMembers: `"eventDigest":"${eventDigest}"`,
      });
    }
    await stores.log.append(entries, async (treeSize, rootHash) => ({
      treeSize,
      rootHash: toHex(rootHash),
      timestamp: 1_700_000_000_000 + treeSize,
      signature: SIGNATURE,
    }));
    sizes.push(leafIndex);
  }
  return sizes;
}

/** The head each leaf's receipt names: the first whose size exceeds the leaf's index. */
async function coveringSizes(stores: Stores, leaves: number): Promise<(number | undefined)[]> {
  const out: (number | undefined)[] = [];
  for (let leaf = 0; leaf < leaves; leaf++) out.push((await stores.log.treeHeadCovering(leaf))?.treeSize);
  return out;
}

describe("the log store's tree heads and checkpoints", function () {
  this.timeout(120_000);
  let dir: string;
  let stores: Stores;
  let sizes: number[];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), "bl-tree-heads-"));
    stores = await openStores(path.join(dir, "store"));
    sizes = await fill(stores);
  });

  after(async () => {
    await stores.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every leaf's expected covering head, from the sizes the commits ended at. */
  const expected = () => {
    const out: number[] = [];
    for (const size of sizes) while (out.length < size) out.push(size);
    return out;
  };

  it("names for every leaf the head of the group commit that wrote it, and none for a leaf not yet written", async () => {
    const leaves = sizes.at(-1) as number;
    expect(await coveringSizes(stores, leaves + 2)).to.deep.equal([...expected(), undefined, undefined]);
    const head = (await stores.log.treeHeadCovering(leaves - 1)) as StoredTreeHead;
    expect(head).to.deep.equal({ treeSize: leaves, rootHash: toHex(stores.log.headRoot()), timestamp: 1_700_000_000_000 + leaves, signature: SIGNATURE });
    expect((await stores.log.latestTreeHead())?.treeSize).to.equal(leaves);
  });

  it("keeps the leaves it just wrote side by side in a buffer of its own, not in slices of pool slabs", async () => {
    const leaves = sizes.at(-1) as number;
    const recent = await stores.log.readNodes(Array.from({ length: 100 }, (_, i) => ({ level: 0, index: leaves - 1 - i })));
    for (const [i, hash] of recent.entries()) expect(toHex(hash)).to.equal(hashOf(`leaf ${leaves - 1 - i}`));
    const buffers = new Set(recent.map((hash) => hash.buffer));
    expect(buffers.size).to.equal(1);
    // Node's pool slabs are Buffer.poolSize bytes: one of them kept by a slice would hold other data alive with it.
    expect(recent[0]?.buffer.byteLength).to.be.above(Buffer.poolSize);
  });

  it("answers an inclusion proof in hex the same from the tree and, asked again, from memory", async () => {
    const leaves = sizes.at(-1) as number;
    const asked = [
      [0, 1],
      [0, leaves],
      [7, 100],
      [leaves - 1, leaves],
      [12_345 % leaves, leaves - 3],
    ] as const;
    for (const [leafIndex, size] of asked) {
      const fromTree = (await stores.log.inclusionProof(leafIndex, size)).map(toHex);
      expect(await stores.log.inclusionProofHex(leafIndex, size), `leaf ${leafIndex} in ${size}`).to.deep.equal(fromTree);
      expect(await stores.log.inclusionProofHex(leafIndex, size), `leaf ${leafIndex} in ${size}, again`).to.deep.equal(fromTree);
    }
    const outside = await stores.log.inclusionProofHex(0, leaves + 1).then(
      () => undefined,
      (error: unknown) => error as Error,
    );
    expect(outside?.message).to.equal(`tree size ${leaves + 1} is outside the log (tree size ${leaves})`);
  });

  it("answers the newest checkpoint from memory only until another is put, even one put while it was being read", async () => {
    const at = (treeSize: number) => ({
      treeSize,
      rootHash: hashOf(`root ${treeSize}`),
      headsRoot: hashOf(`heads ${treeSize}`),
      blockNumber: treeSize,
      txHash: hashOf(`tx ${treeSize}`),
      anchoredAt: 1_700_000_000_000 + treeSize,
    });
    await stores.log.putCheckpoint(at(10));
    expect(await stores.log.latestCheckpoint()).to.deep.equal(at(10));
    expect(await stores.log.latestCheckpoint()).to.deep.equal(at(10));
    await stores.log.putCheckpoint(at(20));
    expect(await stores.log.latestCheckpoint()).to.deep.equal(at(20));
    // A read begun before a put may see the store before it: it answers, but is not kept.
    const [during] = await Promise.all([stores.log.latestCheckpoint(), stores.log.putCheckpoint(at(30))]);
    expect([20, 30]).to.include(during?.treeSize);
    expect(await stores.log.latestCheckpoint()).to.deep.equal(at(30));
    await stores.log.putCheckpoint(at(5));
    expect(await stores.log.latestCheckpoint()).to.deep.equal(at(30));
  });

  it("answers the same after a reopen, with the heads and the newest checkpoint read back from disk", async () => {
    const checkpoint = {
      treeSize: sizes[100] as number,
      rootHash: hashOf("root"),
      headsRoot: hashOf("heads"),
      blockNumber: 7,
      txHash: hashOf("tx"),
      anchoredAt: 1_700_000_000_000,
    };
    await stores.log.putCheckpoint({ ...checkpoint, treeSize: sizes[200] as number });
    // An older checkpoint put later (a catch-up) leaves the newest in place.
    await stores.log.putCheckpoint(checkpoint);
    expect((await stores.log.latestCheckpoint())?.treeSize).to.equal(sizes[200]);
    await stores.close();
    stores = await openStores(path.join(dir, "store"));
    const leaves = sizes.at(-1) as number;
    expect(await coveringSizes(stores, leaves + 1)).to.deep.equal([...expected(), undefined]);
    expect((await stores.log.latestTreeHead())?.treeSize).to.equal(leaves);
    expect((await stores.log.latestCheckpoint())?.treeSize).to.equal(sizes[200]);
  });
});
