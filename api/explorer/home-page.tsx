// The explorer's front page: find a shipment by id, and where the log stands.
import type { FC } from "hono/jsx";
import type { CheckpointView } from "../../node/node-api";
import { ErrorBox, Layout } from "./layout";
import { count, msText } from "./format";

export type LogSummary = { treeSize: number; checkpoint: CheckpointView | undefined; chainId: number; logId: string };

export const SearchForm: FC<{ value?: string }> = ({ value }) => (
  <form class="inline" method="get" action="/" role="search">
    <input
      type="text"
      name="shipment"
      value={value}
      placeholder="e.g. RR123456785CN"
      aria-label="Shipment id"
      required
      maxlength={64}
      autocomplete="off"
      spellcheck={false}
    />
    <button type="submit">Find</button>
  </form>
);

export const HomePage: FC<{ summary: LogSummary; error?: string; value?: string }> = ({ summary, error, value }) => {
  const { checkpoint } = summary;
  return (
    <Layout title="Trace explorer" section="trace">
      <h1>Find a shipment by id</h1>
      {error ? <ErrorBox title="Not a shipment id" message={error} code="VALIDATION_FAILED" /> : null}
      <SearchForm value={value} />
      <p class="muted">A UPU S10 number, a house air waybill or any id the platform used: 1 to 64 characters of A–Z a–z 0–9 . _ : -</p>
      <h2>The log</h2>
      <div class="stats">
        <div class="stat">
          <div class="label">Log size</div>
          <div class="value" data-log-size={summary.treeSize}>
            {count(summary.treeSize)} events
          </div>
        </div>
        <div class="stat">
          <div class="label">Latest checkpoint</div>
          <div class="value">{checkpoint ? `${count(checkpoint.treeSize)} events` : "none yet"}</div>
          {checkpoint ? (
            <div class="muted">
              block {count(checkpoint.blockNumber)}, {msText(checkpoint.anchoredAt)}
            </div>
          ) : null}
        </div>
        <div class="stat">
          <div class="label">Waiting for the next checkpoint</div>
          <div class="value">{count(summary.treeSize - (checkpoint?.treeSize ?? 0))} events</div>
        </div>
      </div>
      <p>
        Chain {summary.chainId}, log <code>{summary.logId}</code>. <a href="/log">Checkpoints over time</a>
      </p>
    </Layout>
  );
};
