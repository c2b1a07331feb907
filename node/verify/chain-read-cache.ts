// Chain reads shared across verifications (verifyBundles, the node's GET /v1/shipments/{id}/verify and the explorer's
// trace pages): bundles of one checkpoint ask the chain the same questions — the checkpoint's roots, the operator, the
// signers' roles and profiles at the anchoring block — so each is asked once and the answer served to the next
// bundle, and a fresh verification costs lookups rather than JSON-RPC round trips.
import { LruMap } from "../lru-map";
import type { ChainReader } from "./chain-reader";

export type ChainReadCacheOptions = {
  /** How long an answer about the chain's newest state (its head, a log's latest checkpoint, a conviction) is served. */
  latestMs?: number;
  /**
   * How long an answer about a past block is served. Such answers do not change unless the chain reorganises below
   * that block, so this only bounds how long a reorganisation deeper than the node's confirmations could go unseen.
   */
  settledMs?: number;
  /** Most answers kept (the least recently asked are forgotten first). */
  capacity?: number;
  clock?: () => number;
};

type Kept = { answer: Promise<unknown>; until: number };

/** How many of the least recently asked answers are looked at for expiry as each new one is kept. */
const EXAMINED_PER_ANSWER = 8;

/**
 * Wraps `reader` so that identical reads within their lifetime are made once, across every verification that uses
 * it. A read that fails is forgotten at once, so one unanswered call is asked again by the next verification. A
 * verifier that checks one bundle reads the chain afresh (verifyBundle caches per verification); one that checks
 * many at once (verifyBundles) shares the answers among them for their lifetimes.
 */
export function chainReadCache(reader: ChainReader, options: ChainReadCacheOptions = {}): ChainReader & { readonly size: number } {
  const latestMs = options.latestMs ?? 1000;
  const settledMs = options.settledMs ?? 60_000;
  const clock = options.clock ?? Date.now;
  const kept = new LruMap<string, Kept>(options.capacity ?? 20_000);

  function once<T>(key: string, ttl: (answer: T) => number, read: () => Promise<T>): Promise<T> {
    const now = clock();
    const known = kept.get(key);
    if (known !== undefined && known.until >= now) return known.answer as Promise<T>;
    const entry: Kept = { answer: Promise.resolve(), until: now + latestMs };
    const answer = (async () => read())().then(
      (value) => {
        entry.until = clock() + ttl(value);
        return value;
      },
      (error: unknown) => {
        if (kept.get(key) === entry) kept.delete(key);
        throw error;
      },
    );
    entry.answer = answer;
    forgetExpired(now);
    kept.set(key, entry);
    return answer;
  }
  /**
   * Forgets those of the least recently asked answers that are past their lifetime, a few more than each new answer
   * adds, so that the cache holds about the answers of the last minute rather than filling to its capacity with ones
   * that will never be served again (most name a block that has passed): each is a promise and its value, which
   * every major GC would mark.
   */
  function forgetExpired(now: number): void {
    kept.forgetStale(EXAMINED_PER_ANSWER, (entry) => entry.until < now);
  }
  const keyOf = (method: string, params: object) => `${method} ${JSON.stringify(params, Object.keys(params).sort())}`;
  // An answer at a numbered block is settled; one at "latest" is the chain's newest state.
  const atBlock = (blockTag: number | "latest") => () => (blockTag === "latest" ? latestMs : settledMs);
  const latest = () => latestMs;
  const settled = () => settledMs;

  const cached: ChainReader & { readonly size: number } = {
    /** How many answers are kept. */
    get size() {
      return kept.size;
    },
    chainId: () => once("chainId", settled, () => reader.chainId()),
    // A size anchored stays anchored; one not anchored yet (block 0) may be anchored next.
    checkpointAt: (params) =>
      once(
        keyOf("checkpointAt", params),
        (c) => (c.blockNumber > 0 ? settledMs : latestMs),
        () => reader.checkpointAt(params),
      ),
    latestCheckpoint: (params) => once(keyOf("latestCheckpoint", params), latest, () => reader.latestCheckpoint(params)),
    operatorOf: (params) => once(keyOf("operatorOf", params), atBlock(params.blockTag), () => reader.operatorOf(params)),
    compromisedAt: (params) => once(keyOf("compromisedAt", params), latest, () => reader.compromisedAt(params)),
    blockNumber: () => once("blockNumber", latest, () => reader.blockNumber()),
    blockTimestamp: (params) => once(keyOf("blockTimestamp", params), settled, () => reader.blockTimestamp(params)),
    hasRole: (params) => once(keyOf("hasRole", params), atBlock(params.blockTag), () => reader.hasRole(params)),
    profileOf: (params) => once(keyOf("profileOf", params), atBlock(params.blockTag), () => reader.profileOf(params)),
    brandOwnerOf: (params) => once(keyOf("brandOwnerOf", params), atBlock(params.blockTag), () => reader.brandOwnerOf(params)),
  };
  const transactionBlock = reader.transactionBlock?.bind(reader);
  if (transactionBlock) {
    cached.transactionBlock = (params) =>
      once(
        keyOf("transactionBlock", params),
        (block) => (block === null ? latestMs : settledMs),
        () => transactionBlock(params),
      );
  }
  // Events up to a block may still grow while that block is the head: served as briefly as the newest state.
  const checkpoints = reader.checkpoints?.bind(reader);
  if (checkpoints) cached.checkpoints = (params) => once(keyOf("checkpoints", params), latest, () => checkpoints(params));
  return cached;
}
