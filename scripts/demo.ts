// npm run demo: the customs demo against a running node (NODE_URL, default http://127.0.0.1:8787); exit 1 unless every bundle verifies.
import { runDemo } from "../tools/demo/demo";

const nodeUrl = process.env.NODE_URL ?? "http://127.0.0.1:8787";

runDemo({ nodeUrl })
  .then((result) => {
    console.log(JSON.stringify({ demo: "customs", shipments: result.shipments.length, verified: result.verified.filter((v) => v.ok).length, ok: result.ok }));
    process.exitCode = result.ok ? 0 : 1;
  })
  .catch((error: Error) => {
    const hint = /fetch failed|ECONNREFUSED/.test(String(error.message) + String((error as { cause?: Error }).cause?.message))
      ? ` (is a node running at ${nodeUrl}? start one with npm start)`
      : "";
    console.error(`demo failed: ${error.message}${hint}`);
    process.exitCode = 1;
  });
