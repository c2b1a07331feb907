// The node's own verifications of its bundles (GET /v1/shipments/{id}/verify, the explorer's trace page), remembered
// per bundle for a few seconds: many readers of one shipment cost one verification through the chain's JSON-RPC, not
// one each, and readers asking at once share the one under way.
import { createHash } from "node:crypto";
import type { TraceBundle } from "../domain/bundle";
import { LruMap } from "../lru-map";
import type { VerificationReport } from "../verify/verify-bundle";
import type { WorkGate } from "./work-gate";

export type VerificationCacheOptions = {
  /** Verifies a bundle, given also as its JSON text, against the chain and the node's network. */
  verify: (bundle: TraceBundle, text: string) => Promise<VerificationReport>;
  /** How many bundles' reports are kept (the least recently asked are forgotten first). */
  capacity?: number;
  /**
   * How long a report is served again. Chain facts a bundle does not show can change meanwhile (a role revoked, the
   * log proven to misbehave), so it is short; an outside verifier always verifies afresh.
   */
  maxAgeMs?: number;
  clock?: () => number;
};

/** The report of a bundle verified at most `maxAgeMs` ago, or a fresh verification shared by every caller. */
export class VerificationCache {
  private readonly reports: LruMap<string, { report: VerificationReport; at: number }>;
  private readonly running = new Map<string, Promise<VerificationReport>>();
  private readonly verifyBundle: (bundle: TraceBundle, text: string) => Promise<VerificationReport>;
  private readonly maxAgeMs: number;
  private readonly clock: () => number;

  constructor(options: VerificationCacheOptions) {
    this.verifyBundle = options.verify;
    this.reports = new LruMap(options.capacity ?? 1000);
    this.maxAgeMs = options.maxAgeMs ?? 10_000;
    this.clock = options.clock ?? Date.now;
  }

  /** `gate`, when given, bounds the fresh verifications this caller may start (a cached report passes it by). */
  async verify(bundle: TraceBundle, gate?: WorkGate): Promise<VerificationReport> {
    // The bundle is the whole question: another entry, checkpoint, erasure or view is another key.
    const text = JSON.stringify(bundle);
    const key = createHash("sha256").update(text).digest("hex");
    const known = this.reports.get(key);
    if (known !== undefined && this.clock() - known.at <= this.maxAgeMs) return known.report;
    const running = this.running.get(key);
    if (running !== undefined) return running;
    const verification = (gate ? gate.run(() => this.verifyBundle(bundle, text)) : this.verifyBundle(bundle, text)).then(
      (report) => {
        this.running.delete(key);
        const now = this.clock();
        this.forgetExpired(now);
        this.reports.set(key, { report, at: now });
        return report;
      },
      (error: unknown) => {
        this.running.delete(key);
        throw error;
      },
    );
    this.running.set(key, verification);
    return verification;
  }

  /**
   * Forgets the least recently used reports while they are too old to be served: a report is thousands of objects,
   * which the garbage collector would otherwise keep marking until the capacity pushed it out.
   */
  private forgetExpired(now: number): void {
    for (let oldest = this.reports.oldest(); oldest !== undefined && now - oldest[1].at > this.maxAgeMs; oldest = this.reports.oldest()) {
      this.reports.delete(oldest[0]);
    }
  }

  /** How many reports are kept. */
  get size(): number {
    return this.reports.size;
  }
}
