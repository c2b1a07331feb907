// /trace/:id — a shipment as an anonymous reader sees it, verified as that reader's bundle.
import type { FC } from "hono/jsx";
import { Layout } from "./layout";
import { SearchForm } from "./home-page";
import { TraceReport, type TraceReportProps } from "./trace-report";

export const TracePage: FC<Omit<TraceReportProps, "viewNote">> = ({ bundle, report, actors, network }) => {
  const id = encodeURIComponent(bundle.shipmentId);
  return (
    <Layout title={`Shipment ${bundle.shipmentId}`} section="trace">
      <SearchForm />
      <h1>
        Shipment <span class="mono">{bundle.shipmentId}</span>
      </h1>
      <p class="muted">
        The bundle as JSON: <a href={`/v1/shipments/${id}/trace`}>trace</a> · <a href={`/v1/shipments/${id}/verify`}>verification</a>
      </p>
      <TraceReport
        bundle={bundle}
        report={report}
        actors={actors}
        network={network}
        viewNote="Shown and verified as an anonymous reader sees it: payload fields by their digests, and who the events made parties. Checks that need hidden fields are not checkable here; a signed GET /v1/shipments/{id}/verify runs them on what its reader may see."
      />
    </Layout>
  );
};
