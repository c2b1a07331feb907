// A small inline SVG chart of the log's size at each checkpoint, oldest to newest.
import type { FC } from "hono/jsx";
import type { CheckpointView } from "../../node/node-api";
import { count, msText } from "./format";

// The plot stretches to any width (preserveAspectRatio none, strokes that do not scale); its labels are HTML, so
// they keep their size on a phone and on a wide screen alike.
const WIDTH = 600;
const HEIGHT = 150;
/** More points than pixels only slow the page: keep an even sample, always with the newest. */
const MAX_POINTS = 300;

function sample(checkpoints: readonly CheckpointView[]): CheckpointView[] {
  if (checkpoints.length <= MAX_POINTS) return [...checkpoints];
  const step = (checkpoints.length - 1) / (MAX_POINTS - 1);
  // Every index is in range (the last is length - 1); the filter only tells the type checker so.
  return Array.from({ length: MAX_POINTS }, (_, i) => checkpoints[Math.round(i * step)]).filter((c): c is CheckpointView => c !== undefined);
}

export const TreeSizeChart: FC<{ checkpoints: readonly CheckpointView[] }> = ({ checkpoints }) => {
  const points = sample(checkpoints);
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return <p class="muted">No checkpoint yet.</p>;
  const max = Math.max(...points.map((p) => p.treeSize));
  const x = (i: number) => (points.length === 1 ? WIDTH : (i / (points.length - 1)) * WIDTH);
  const y = (size: number) => HEIGHT - (size / max) * (HEIGHT - 4);
  const line = points.map((p, i) => `${x(i).toFixed(1)},${y(p.treeSize).toFixed(1)}`).join(" ");
  const area = `0,${HEIGHT} ${line} ${x(points.length - 1).toFixed(1)},${HEIGHT}`;
  const summary = `Tree size over ${checkpoints.length} checkpoints, from ${first.treeSize} to ${last.treeSize} events`;
  return (
    <figure class="chart" data-points={points.length}>
      <div class="chart-y" aria-hidden="true">
        <span>{count(max)}</span>
        <span>0</span>
      </div>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} preserveAspectRatio="none" role="img" aria-label={summary}>
        <polygon class="area" points={area} />
        <polyline class="line" points={line} vector-effect="non-scaling-stroke" />
      </svg>
      <figcaption class="chart-x">
        <span>{msText(first.anchoredAt)}</span>
        <span>{msText(last.anchoredAt)}</span>
      </figcaption>
    </figure>
  );
};
