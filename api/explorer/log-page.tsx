// /log — the log's size and head, its newest anchored checkpoint, and its checkpoints over time.
import type { FC } from "hono/jsx";
import type { CheckpointView } from "../../node/node-api";
import { Layout } from "./layout";
import { TreeSizeChart } from "./log-chart";
import { count, msText, plural } from "./format";

/** Newest first, this many rows: the table is for looking, the API is for reading everything. */
export const CHECKPOINT_ROWS = 50;

export type LogPageProps = {
  treeSize: number;
  headRoot: string;
  logId: string;
  chainId: number;
  anchorRegistry: string;
  checkpoints: readonly CheckpointView[];
};

export const LogPage: FC<LogPageProps> = ({ treeSize, headRoot, logId, chainId, anchorRegistry, checkpoints }) => {
  const newest = checkpoints.at(-1);
  const rows = checkpoints.slice(-CHECKPOINT_ROWS).reverse();
  return (
    <Layout title="Log" section="log">
      <h1>The log</h1>
      <div class="stats">
        <div class="stat">
          <div class="label">Log size</div>
          <div class="value" data-log-size={treeSize}>
            {plural(treeSize, "event")}
          </div>
        </div>
        <div class="stat">
          <div class="label">Anchored</div>
          <div class="value" data-anchored-size={newest?.treeSize ?? 0}>
            {plural(newest?.treeSize ?? 0, "event")}
          </div>
        </div>
        <div class="stat">
          <div class="label">Checkpoints</div>
          <div class="value">{count(checkpoints.length)}</div>
        </div>
      </div>
      <section class="panel">
        <h2>Head and newest checkpoint</h2>
        <dl class="facts">
          <dt>Head</dt>
          <dd>
            {plural(treeSize, "event")}
            {treeSize > (newest?.treeSize ?? 0) ? `, ${count(treeSize - (newest?.treeSize ?? 0))} waiting for the next checkpoint` : ", all anchored"}
          </dd>
          <dt>Head root</dt>
          <dd>
            <code data-head-root>{headRoot}</code>
          </dd>
          {newest ? (
            <>
              <dt>Checkpoint size</dt>
              <dd>{count(newest.treeSize)}</dd>
              <dt>Checkpoint root</dt>
              <dd>
                <code>{newest.rootHash}</code>
              </dd>
              <dt>Anchoring tx</dt>
              <dd>
                <code>{newest.txHash}</code>
              </dd>
              <dt>Block</dt>
              <dd>{count(newest.blockNumber)}</dd>
              <dt>Anchored at</dt>
              <dd>{msText(newest.anchoredAt)}</dd>
            </>
          ) : (
            <>
              <dt>Checkpoint</dt>
              <dd>none anchored yet</dd>
            </>
          )}
          <dt>Log id</dt>
          <dd>
            <code>{logId}</code>
          </dd>
          <dt>Chain</dt>
          <dd>
            {chainId}, AnchorRegistry <code>{anchorRegistry}</code>
          </dd>
        </dl>
      </section>
      <h2>Tree size over checkpoints</h2>
      <TreeSizeChart checkpoints={checkpoints} />
      <h2>
        {checkpoints.length > CHECKPOINT_ROWS
          ? `The newest ${CHECKPOINT_ROWS} of ${plural(checkpoints.length, "checkpoint")}`
          : plural(checkpoints.length, "checkpoint")}
      </h2>
      <table class="data" data-checkpoints={rows.length}>
        <thead>
          <tr>
            <th class="num" style="width: 7rem">
              Tree size
            </th>
            <th>Root hash</th>
            <th>Anchoring tx</th>
            <th class="num" style="width: 6rem">
              Block
            </th>
            <th style="width: 12rem">Anchored at</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((checkpoint) => (
            <tr data-tree-size={checkpoint.treeSize}>
              <td class="num" data-label="Tree size">
                {count(checkpoint.treeSize)}
              </td>
              <td data-label="Root">
                <code>{checkpoint.rootHash}</code>
              </td>
              <td data-label="Tx">
                <code>{checkpoint.txHash}</code>
              </td>
              <td class="num" data-label="Block">
                {count(checkpoint.blockNumber)}
              </td>
              <td data-label="Anchored">{msText(checkpoint.anchoredAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Layout>
  );
};
