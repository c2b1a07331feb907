// Many trace bundles verified at once (spec §5): each exactly as verifyBundle verifies it alone, with the chain's
// answers shared among them, so bundles of one checkpoint cost its reads once rather than once each.
import { chainReadCache, type ChainReadCacheOptions } from "./chain-read-cache";
import type { VerificationReport } from "./report";
import { verifyBundle, type VerifyBundleParams } from "./verify-bundle";

export type VerifyBundlesParams = Omit<VerifyBundleParams, "bundle" | "shipmentId"> & {
  /** The bundles as parsed JSON, from anyone: each is validated before anything else. */
  bundles: readonly unknown[];
  /** The shipment each bundle was asked for, by index (`shipmentId@nodeURL`); a bundle of another fails shipment-chain. */
  shipmentIds?: readonly (string | undefined)[];
  /** How many bundles are verified at a time: their identical reads in flight are asked once. Default 8. */
  concurrency?: number;
  /** How long shared answers are served (chainReadCache's defaults: the newest state 1 s, past blocks 60 s). */
  shared?: ChainReadCacheOptions;
};

const DEFAULT_CONCURRENCY = 8;

/** Verifies every bundle; the reports in the bundles' order. Never throws: every problem is in its bundle's report. */
export async function verifyBundles({
  bundles,
  shipmentIds,
  concurrency = DEFAULT_CONCURRENCY,
  shared,
  chain,
  ...rest
}: VerifyBundlesParams): Promise<VerificationReport[]> {
  const sharedChain = chain === undefined ? undefined : chainReadCache(chain, shared);
  const reports: VerificationReport[] = new Array<VerificationReport>(bundles.length);
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < bundles.length; i = next++) {
      reports[i] = await verifyBundle({ ...rest, bundle: bundles[i], chain: sharedChain, shipmentId: shipmentIds?.[i] });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, bundles.length)) }, lane));
  return reports;
}
