// The explorer's one stylesheet, inlined into every page: no front-end build and no external resources to fetch.
export const EXPLORER_CSS = `
:root {
  --text: #1f2328; --muted: #57606a; --line: #d0d7de; --panel: #f6f8fa; --bg: #ffffff;
  --accent: #0a58a8; --head: #0f2a44;
  --pass: #116329; --pass-bg: #dafbe1; --fail: #a40e26; --fail-bg: #ffebe9;
  --pending: #7a4b00; --pending-bg: #fff4d1; --nc: #424a53; --nc-bg: #eaeef2;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; color: var(--text); background: var(--bg); font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif; }
a { color: var(--accent); }
header.site { background: var(--head); color: #fff; }
header.site .bar { max-width: 1200px; margin: 0 auto; padding: .6rem 1rem; display: flex; flex-wrap: wrap; align-items: baseline; gap: .25rem 1.25rem; }
header.site .brand { color: #fff; font-weight: 700; text-decoration: none; font-size: 1.1rem; }
header.site nav { display: flex; flex-wrap: wrap; gap: .1rem .9rem; }
header.site nav a { color: #d6e6f7; text-decoration: none; padding: .15rem 0; }
header.site nav a:hover, header.site nav a[aria-current="page"] { color: #fff; text-decoration: underline; text-underline-offset: .3em; }
main { max-width: 1200px; margin: 0 auto; padding: 1rem; }
footer.site { max-width: 1200px; margin: 2rem auto 1rem; padding: 0 1rem; color: var(--muted); font-size: .85rem; }
h1 { font-size: 1.5rem; margin: .5rem 0 1rem; overflow-wrap: anywhere; }
h2 { font-size: 1.2rem; margin: 1.5rem 0 .6rem; }
h3 { font-size: 1rem; margin: 0; }
p { margin: .4rem 0; }
code, .mono { font-family: var(--mono); font-size: .85em; overflow-wrap: anywhere; word-break: break-word; }
pre { font-family: var(--mono); font-size: .82rem; margin: .2rem 0 0; white-space: pre-wrap; overflow-wrap: anywhere; background: var(--panel); border-radius: 4px; padding: .4rem .5rem; }
.muted { color: var(--muted); }
.panel { border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem; background: var(--bg); margin-bottom: 1rem; }
.panel > h2:first-child { margin-top: 0; }
dl.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
.stats { display: grid; grid-template-columns: repeat(auto-fit, minmax(12rem, 1fr)); gap: .8rem; margin: 0 0 1rem; }
.stat { border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem; background: var(--panel); min-width: 0; }
.stat .label { color: var(--muted); font-size: .85rem; }
.stat .value { font-size: 1.35rem; font-weight: 600; overflow-wrap: anywhere; }
form.stack { display: grid; gap: .7rem; max-width: 40rem; }
form.inline { display: flex; flex-wrap: wrap; gap: .5rem; max-width: 40rem; }
form.inline input[type="text"] { flex: 1 1 14rem; min-width: 0; }
label { display: grid; gap: .2rem; font-weight: 600; }
label .hint { font-weight: 400; color: var(--muted); font-size: .85rem; }
input[type="text"], input[type="search"], textarea { font: inherit; padding: .45rem .6rem; border: 1px solid #8c959f; border-radius: 6px; width: 100%; min-width: 0; }
textarea { font-family: var(--mono); font-size: .85rem; min-height: 10rem; }
input[type="file"] { max-width: 100%; }
button { font: inherit; font-weight: 600; padding: .45rem 1rem; border-radius: 6px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; }
.error { border: 1px solid var(--fail); background: var(--fail-bg); color: var(--fail); border-radius: 8px; padding: .7rem 1rem; margin: 0 0 1rem; overflow-wrap: anywhere; }
.error strong { display: block; }
.s-pass { --c: var(--pass); --cb: var(--pass-bg); }
.s-fail { --c: var(--fail); --cb: var(--fail-bg); }
.s-pending { --c: var(--pending); --cb: var(--pending-bg); }
.s-not-checkable { --c: var(--nc); --cb: var(--nc-bg); }
.status { display: inline-block; white-space: nowrap; font-size: .8rem; font-weight: 700; color: var(--c); background: var(--cb); border: 1px solid var(--c); border-radius: 999px; padding: 0 .5rem; }
.verdict { border-radius: 8px; padding: .8rem 1rem; margin: 0 0 1rem; color: var(--c); background: var(--cb); border: 1px solid var(--c); }
.verdict strong { font-size: 1.2rem; display: block; }
.verdict p { color: var(--text); overflow-wrap: anywhere; }
.verdict p.muted { color: var(--muted); }
ol.checks { list-style: none; padding: 0; margin: 0; display: grid; gap: .5rem; }
ol.checks > li { border: 1px solid var(--line); border-left: 4px solid var(--c); border-radius: 6px; padding: .5rem .7rem; min-width: 0; }
.check-head { display: flex; flex-wrap: wrap; gap: .2rem .5rem; align-items: baseline; }
.check-head code { color: var(--muted); }
.reason { margin: .25rem 0 0; font-size: .9rem; overflow-wrap: anywhere; }
details { margin-top: .3rem; }
summary { cursor: pointer; color: var(--accent); font-size: .9rem; }
ol.entry-results { list-style: none; padding: 0; margin: .3rem 0 0; display: grid; gap: .3rem; font-size: .85rem; }
ol.entry-results li { overflow-wrap: anywhere; }
ol.timeline { list-style: none; padding: 0; margin: 0; display: grid; gap: .8rem; }
li.event { border: 1px solid var(--line); border-radius: 8px; padding: .7rem .9rem; min-width: 0; position: relative; }
li.event .event-head { display: flex; flex-wrap: wrap; gap: .3rem .6rem; align-items: baseline; margin-bottom: .4rem; }
li.event .seq { color: var(--muted); font-family: var(--mono); }
li.event .etype { font-size: 1.05rem; }
.tag { display: inline-block; font-size: .78rem; font-weight: 600; border-radius: 4px; padding: 0 .4rem; border: 1px solid var(--c); color: var(--c); background: var(--cb); }
ul.fields { list-style: none; padding: 0; margin: .5rem 0 0; display: grid; gap: .35rem; }
ul.fields li { min-width: 0; overflow-wrap: anywhere; }
ul.fields .fname { font-family: var(--mono); font-weight: 600; font-size: .85rem; }
ul.fields li.hidden { color: var(--muted); font-size: .88rem; }
.chips { display: flex; flex-wrap: wrap; gap: .25rem; margin-top: .5rem; }
.chip { font-size: .72rem; border-radius: 4px; padding: 0 .35rem; color: var(--c); background: var(--cb); border: 1px solid var(--c); font-family: var(--mono); }
ul.notes { margin: .3rem 0 0; padding-left: 1.1rem; font-size: .85rem; }
ul.notes li { overflow-wrap: anywhere; }
.trace-grid { display: grid; grid-template-columns: minmax(0, 1fr); gap: 0 1.5rem; }
@media (min-width: 1000px) { .trace-grid { grid-template-columns: minmax(0, 1.5fr) minmax(0, 1fr); } }
table.data { border-collapse: collapse; width: 100%; font-size: .88rem; table-layout: fixed; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: .35rem .5rem; text-align: left; vertical-align: top; overflow-wrap: anywhere; }
table.data th { background: var(--panel); font-weight: 600; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; }
@media (max-width: 700px) {
  table.data thead { display: none; }
  table.data, table.data tbody, table.data tr, table.data td { display: block; width: 100%; }
  table.data tr { border: 1px solid var(--line); border-radius: 6px; margin-bottom: .5rem; padding: .2rem 0; }
  table.data td { border: 0; padding: .15rem .6rem; }
  table.data td.num { text-align: left; }
  table.data td::before { content: attr(data-label) ": "; color: var(--muted); font-family: system-ui, sans-serif; }
  dl.facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  dl.facts dd { margin-bottom: .35rem; }
}
figure.chart { margin: 0 0 1rem; display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: .2rem .5rem; }
figure.chart .chart-y { display: flex; flex-direction: column; justify-content: space-between; text-align: right; font-size: .8rem; color: var(--muted); }
figure.chart svg { display: block; width: 100%; height: 150px; border-left: 1px solid var(--line); border-bottom: 1px solid var(--line); }
figure.chart .line { fill: none; stroke: var(--accent); stroke-width: 2; }
figure.chart .area { fill: #0a58a81f; }
figure.chart .chart-x { grid-column: 2; display: flex; flex-wrap: wrap; justify-content: space-between; gap: 0 1rem; font-size: .8rem; color: var(--muted); }
figure.chart .chart-x span:last-child { margin-left: auto; }
`;
