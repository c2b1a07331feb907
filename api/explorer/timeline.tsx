// A shipment's entries as a timeline: what happened, when, who signed it, what is disclosed and what only committed.
import type { FC } from "hono/jsx";
import type { BundleEntry, TraceBundle } from "../../node/domain/bundle";
import type { CheckStatus, VerificationReport } from "../../node/verify/verify-bundle";
import { count, STATUS_LABELS, timeText, valueText } from "./format";

/** A participant as the node's directory knows it; undefined when the address is not registered. */
export type ActorInfo = { name: string; roles: string[]; country: string; active: boolean } | undefined;

type EntryCheck = { name: string; status: CheckStatus; reason: string };

/** The report's per-entry results regrouped by entry: the timeline shows each entry's own outcome. */
function resultsByEntry(report: VerificationReport | undefined): Map<number, EntryCheck[]> {
  const out = new Map<number, EntryCheck[]>();
  for (const check of report?.checks ?? []) {
    for (const entry of check.entries ?? []) {
      out.set(entry.index, [...(out.get(entry.index) ?? []), { name: check.name, status: entry.status, reason: entry.reason }]);
    }
  }
  return out;
}

const Actor: FC<{ address: string; info: ActorInfo }> = ({ address, info }) => (
  <>
    {info ? (
      <span data-actor-name>
        <strong>{info.name || "(no profile name)"}</strong>
        {` · ${info.roles.length > 0 ? info.roles.join(", ") : "no role"} · ${info.country || "no country"}`}
        {info.active ? "" : " · not active"}
      </span>
    ) : (
      <span class="muted">not a registered participant</span>
    )}
    <br />
    <code>{address}</code>
  </>
);

/** When each (seq, field) was erased from the shipment, from the bundle's erasure records. */
function erasuresBySeq(bundle: TraceBundle): Map<string, string> {
  const out = new Map<string, string>();
  for (const record of bundle.erasures ?? []) {
    for (const { seq, fields } of record.erased) for (const field of fields) out.set(`${seq}/${field}`, record.erasedAt);
  }
  return out;
}

const Fields: FC<{ entry: BundleEntry; erased: ReadonlyMap<string, string> }> = ({ entry, erased }) => {
  // Every committed field, in commitment order: the disclosed ones with their value, the others by digest only.
  const names = Object.keys(entry.digests);
  const extra = Object.keys(entry.payload).filter((name) => !Object.prototype.hasOwnProperty.call(entry.digests, name));
  return (
    <ul class="fields">
      {[...names, ...extra].map((name) => {
        if (Object.prototype.hasOwnProperty.call(entry.payload, name)) {
          return (
            <li class="disclosed" data-field={name} data-disclosed="true">
              <span class="fname">{name}</span>
              <pre>{valueText(entry.payload[name])}</pre>
            </li>
          );
        }
        const erasedAt = erased.get(`${entry.seq}/${name}`);
        return (
          <li class="hidden" data-field={name} data-disclosed="false" data-erased={erasedAt === undefined ? "false" : "true"}>
            <span class="fname">{name}</span> {erasedAt === undefined ? "hidden" : `erased ${timeText(erasedAt)}`} — digest <code>{entry.digests[name]}</code>
          </li>
        );
      })}
    </ul>
  );
};

const EntryItem: FC<{
  entry: BundleEntry;
  index: number;
  actor: ActorInfo;
  checks: EntryCheck[];
  treeSize: number | undefined;
  erased: ReadonlyMap<string, string>;
}> = ({ entry, index, actor, checks, treeSize, erased }) => {
  const anchored = entry.inclusionProof !== null;
  const notes = checks.filter((check) => check.status !== "pass");
  return (
    <li class="event" data-seq={entry.seq} data-index={index} data-event-type={entry.event.eventType} data-anchored={anchored ? "true" : "false"}>
      <div class="event-head">
        <span class="seq">#{entry.seq}</span>
        <strong class="etype">{entry.event.eventType}</strong>
        {anchored ? (
          <span class="tag s-pass" title={`inclusion proof of ${entry.inclusionProof?.length ?? 0} hashes`}>
            anchored{treeSize !== undefined ? ` in tree size ${count(treeSize)}` : ""}
          </span>
        ) : (
          <span class="tag s-pending">pending — receipt only</span>
        )}
      </div>
      <dl class="facts">
        <dt>Occurred</dt>
        <dd>
          <time datetime={entry.event.occurredAt}>{timeText(entry.event.occurredAt)}</time>
        </dd>
        <dt>Recorded</dt>
        <dd>
          <time datetime={entry.recordedAt}>{timeText(entry.recordedAt)}</time>
        </dd>
        <dt>Signed by</dt>
        <dd>
          <Actor address={entry.event.actor} info={actor} />
        </dd>
        <dt>Leaf</dt>
        <dd>
          index {count(entry.leafIndex)} · <code>{entry.leafHash}</code>
        </dd>
      </dl>
      <Fields entry={entry} erased={erased} />
      {checks.length > 0 ? (
        <div class="chips" aria-label="checks of this entry">
          {checks.map((check) => (
            <span class={`chip s-${check.status}`} data-entry-check={check.name} data-status={check.status} title={check.reason}>
              {check.name} {STATUS_LABELS[check.status].split(" ")[0]}
            </span>
          ))}
        </div>
      ) : null}
      {notes.length > 0 ? (
        <ul class="notes">
          {notes.map((check) => (
            <li class={`s-${check.status}`}>
              <code>{check.name}</code> {check.status}: {check.reason}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
};

export const Timeline: FC<{ bundle: TraceBundle; report?: VerificationReport; actors: ReadonlyMap<string, ActorInfo> }> = ({ bundle, report, actors }) => {
  const results = resultsByEntry(report);
  const erased = erasuresBySeq(bundle);
  return (
    <ol class="timeline">
      {bundle.entries.map((entry, index) => (
        <EntryItem
          entry={entry}
          index={index}
          actor={actors.get(entry.event.actor.toLowerCase())}
          checks={results.get(index) ?? []}
          treeSize={bundle.checkpoint?.treeSize}
          erased={erased}
        />
      ))}
    </ol>
  );
};
