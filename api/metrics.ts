// Prometheus metrics of one node: appends, rejects by code, anchor lag, pending leaves, request latency.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { NodeApi } from "../node/node-api";

export type ApiMetrics = {
  registry: Registry;
  appends: Counter<"status">;
  rejects: Counter<"code">;
  requestSeconds: Histogram<"method" | "route" | "status">;
};

/** The API's bounded in-memory state, whose sizes /metrics shows. */
export type BoundedState = Record<"rateLimiter" | "anonymousLimiter" | "replay", { readonly size: number }>;

export function createMetrics(node: Pick<NodeApi, "logHead" | "anchoring">, clock: () => number, state?: BoundedState): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const appends = new Counter({
    name: "borderledger_appends_total",
    help: "Events appended (created) or answered again (replayed)",
    labelNames: ["status"],
    registers: [registry],
  });
  const rejects = new Counter({ name: "borderledger_rejects_total", help: "Refused requests by error code", labelNames: ["code"], registers: [registry] });
  const requestSeconds = new Histogram({
    name: "borderledger_request_duration_seconds",
    help: "HTTP request latency",
    labelNames: ["method", "route", "status"],
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  new Gauge({
    name: "borderledger_log_size",
    help: "Leaves in the log",
    registers: [registry],
    collect() {
      this.set(node.logHead().treeSize);
    },
  });
  new Gauge({
    name: "borderledger_pending_leaves",
    help: "Leaves not yet covered by an anchored checkpoint",
    registers: [registry],
    collect() {
      this.set(node.anchoring().pending);
    },
  });
  new Gauge({
    name: "borderledger_anchor_lag_seconds",
    help: "Seconds since the last anchored checkpoint while leaves are pending (0 when none are)",
    registers: [registry],
    collect() {
      const { pending, lastAnchoredAt } = node.anchoring();
      this.set(pending > 0 && lastAnchoredAt ? (clock() - lastAnchoredAt) / 1000 : 0);
    },
  });
  new Counter({
    name: "borderledger_anchoring_failures_total",
    help: "Anchoring attempts that failed since the node started",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(node.anchoring().failures);
    },
  });
  new Gauge({
    name: "borderledger_anchoring_consecutive_failures",
    help: "Anchoring attempts failed since the last one that succeeded",
    registers: [registry],
    collect() {
      this.set(node.anchoring().consecutiveFailures);
    },
  });
  if (state !== undefined) {
    new Gauge({
      name: "borderledger_bounded_state_entries",
      help: "Entries held by the API's bounded maps: rate-limit budgets of signers and of client addresses, signed-read signatures",
      labelNames: ["map"],
      registers: [registry],
      collect() {
        this.set({ map: "signer_budgets" }, state.rateLimiter.size);
        this.set({ map: "client_budgets" }, state.anonymousLimiter.size);
        this.set({ map: "read_signatures" }, state.replay.size);
      },
    });
  }
  return { registry, appends, rejects, requestSeconds };
}
