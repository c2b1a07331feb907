#!/usr/bin/env node
// The `borderledger` command (package.json "bin"): loads the TypeScript CLIs through tsx, which the project ships.
require("tsx/cjs");
const argv = process.argv.slice(2);
if (argv[0] === "sign-event" || argv[0] === "sign-read") {
  const output = { out: (text) => console.log(text), err: (text) => console.error(text) };
  require("../node/client/cli")
    .runSignCli({ argv, output })
    .then((status) => (process.exitCode = status));
} else if (argv[0] === "monitor") {
  require("../node/monitor/cli").main(argv.slice(1));
} else {
  require("../node/verify/cli").main(argv);
}
