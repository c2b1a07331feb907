// Hardhat configuration: offline solc from the `solc` npm package, the embedded development chain, mocha tests.
import { createRequire } from "node:module";
import path from "node:path";
import { subtask } from "hardhat/config";
import { TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD } from "hardhat/builtin-tasks/task-names";
import type { HardhatUserConfig } from "hardhat/types";
import "@nomicfoundation/hardhat-ethers";
import "@nomicfoundation/hardhat-chai-matchers";
import solcPackage from "solc/package.json";

// The machine has no route to the compiler download site: compile with the soljson.js shipped in `solc`.
const SOLC_VERSION: string = solcPackage.version;

/** What the emscripten build of solc exports that this file reads. */
type Soljson = { version?: () => string };

subtask(TASK_COMPILE_SOLIDITY_GET_SOLC_BUILD, async (args: { solcVersion: string }, _hre, runSuper) => {
  if (args.solcVersion !== SOLC_VERSION) return runSuper(args);
  const load = createRequire(__filename);
  const compilerPath = load.resolve("solc/soljson.js");
  // Loaded only here: soljson.js is a large emscripten build, needed only when Hardhat compiles with it.
  const soljson = load(compilerPath) as Soljson;
  return { compilerPath, isSolcJs: true, version: SOLC_VERSION, longVersion: soljson.version?.() ?? SOLC_VERSION };
});

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: { optimizer: { enabled: true, runs: 200 }, evmVersion: "cancun" },
  },
  networks: {
    hardhat: {
      chainId: 31337,
      // Development accounts from the well-known Hardhat mnemonic (spec §1).
      accounts: { mnemonic: "test test test test test test test test test test test junk", count: 20 },
      // Anchoring is one transaction per checkpoint; mine each at once so receipts come back without waiting.
      mining: { auto: true },
    },
  },
  paths: {
    sources: path.join(__dirname, "contracts"),
    tests: path.join(__dirname, "test"),
    artifacts: path.join(__dirname, "artifacts"),
    cache: path.join(__dirname, "cache"),
  },
  mocha: { timeout: 120_000 },
};

export default config;
