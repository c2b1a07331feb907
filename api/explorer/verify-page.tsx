// /verify — upload or paste a trace bundle, and see it verified against the chain like any shipment.
import type { FC } from "hono/jsx";
import { ErrorBox, Layout } from "./layout";
import { TRACE_FORMAT } from "../../node/domain/bundle";
import { plural } from "./format";
import { TraceReport, type TraceReportProps } from "./trace-report";

const VerifyForm: FC<{ pasted?: string; limitBytes: number }> = ({ pasted, limitBytes }) => (
  <form class="stack" method="post" action="/verify" enctype="multipart/form-data">
    <label>
      A bundle file{" "}
      <span class="hint">
        {TRACE_FORMAT} JSON from GET /v1/shipments/&#123;id&#125;/trace, or an EPCIS 2.0 export from GET /v1/shipments/&#123;id&#125;/epcis
      </span>
      <input type="file" name="bundle" accept=".json,.jsonld,application/json,application/ld+json" />
    </label>
    <label>
      or its JSON, pasted
      <textarea name="json" rows={8} spellcheck={false} placeholder={`{ "format": "${TRACE_FORMAT}", … }`}>
        {pasted ?? ""}
      </textarea>
    </label>
    <p class="muted">Up to {plural(limitBytes, "byte")}. The bundle is checked and forgotten: nothing is stored.</p>
    <div>
      <button type="submit">Verify</button>
    </div>
  </form>
);

export const VerifyPage: FC<{ limitBytes: number; error?: { message: string; code: string }; pasted?: string }> = ({ limitBytes, error, pasted }) => (
  <Layout title="Verify a bundle" section="verify">
    <h1>Verify a trace bundle</h1>
    <p class="muted">
      Every check of the BorderLedger specification (§5) runs on the bundle alone and on the chain's JSON-RPC: the network's chain, contracts and log, field
      digests, signatures, the shipment chain, inclusion in the anchored checkpoint, actors' roles, lifecycle, payment and completeness.
    </p>
    <p class="muted">
      This node runs the checks against its own network file (<a href="/v1/network">/v1/network</a>): a bundle naming other contracts or another log fails. To
      trust no node, run <code>npx borderledger verify bundle.json --network FILE --rpc URL</code> with the network file and the chain you choose.
    </p>
    {error ? <ErrorBox title="This is not a bundle that can be verified" message={error.message} code={error.code} /> : null}
    <VerifyForm pasted={pasted} limitBytes={limitBytes} />
  </Layout>
);

export const VerifyResultPage: FC<Omit<TraceReportProps, "viewNote"> & { source: string }> = ({ bundle, report, actors, network, source }) => (
  <Layout title={`Verified bundle ${bundle.shipmentId}`} section="verify">
    <h1>
      Bundle of shipment <span class="mono">{bundle.shipmentId}</span>
    </h1>
    <p class="muted">
      From {source}. <a href="/verify">Verify another bundle</a>
    </p>
    <TraceReport
      bundle={bundle}
      report={report}
      actors={actors}
      network={network}
      viewNote="Fields are shown as the uploaded bundle discloses them; the names of the signers come from this node's participant directory."
    />
  </Layout>
);
