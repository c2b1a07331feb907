// ESLint 9 flat config: typescript-eslint's strict rules, and the import arrows of docs' "Shape of the house" as zones.
// @ts-check
import js from "@eslint/js";
import importPlugin from "eslint-plugin-import";
import tseslint from "typescript-eslint";

/**
 * One import/no-restricted-paths block for `files`: each layer gets its own block (the layers' files are disjoint),
 * because a later block's options for the same rule replace an earlier block's rather than adding to them.
 * @param {{ files: string[]; ignores?: string[]; zones: { target: string | string[]; from: string | string[]; except?: string[]; message: string }[] }} layer
 */
function layer({ files, ignores = [], zones }) {
  return { files, ignores, rules: { "import/no-restricted-paths": ["error", { basePath: import.meta.dirname, zones }] } };
}

export default tseslint.config(
  { ignores: ["node_modules/**", "artifacts/**", "cache/**", "contracts/**", "docs/**", "**/*.json"] },
  {
    plugins: { import: importPlugin },
    settings: {
      // Relative imports without extensions, as tsc resolves them (moduleResolution "node"): the plain node resolver
      // with TypeScript's extensions is enough, so no type-aware resolver plugin is needed.
      "import/resolver": { node: { extensions: [".ts", ".tsx", ".js", ".json"] } },
      "import/extensions": [".ts", ".tsx", ".js"],
    },
  },
  {
    files: ["**/*.{ts,tsx,mts,cts}"],
    extends: [js.configs.recommended, tseslint.configs.strict],
    rules: {
      // `_name` marks a parameter kept for its position (a callback's signature), as tsc's noUnusedParameters allows.
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      // A let that a callback reads before its one assignment (a process the callback will stop, started after the
      // callback is handed over) cannot be a const.
      "prefer-const": ["error", { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // chai's property assertions (`expect(ok).to.be.true`) are expression statements that do assert.
    files: ["test/**"],
    rules: { "@typescript-eslint/no-unused-expressions": "off" },
  },
  {
    // The `borderledger` bin stays plain CommonJS so it runs before tsx is loaded.
    files: ["scripts/**/*.js"],
    extends: [js.configs.recommended],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", process: "readonly", console: "readonly", __dirname: "readonly" },
    },
  },

  // Dependencies point inward (docs STYLE "Shape of the house"); each zone below is one arrow that must not be drawn.
  // Type-only imports count too: a port's type must not come from its adapter.
  layer({
    files: ["node/domain/**"],
    zones: [
      {
        // The domain is pure: it must be usable by the node, the verifier, the API and the scripts alike, so it cannot
        // lean on any of them. npm packages and node: builtins are fine (they resolve under node_modules or not at all).
        target: "./node/domain",
        from: ".",
        except: ["./node/domain", "./node_modules"],
        message: "node/domain imports nothing of the project outside node/domain.",
      },
    ],
  }),
  layer({
    files: ["node/verify/**"],
    zones: [
      {
        // The verifier checks a bundle with nothing but the bundle and a chain reader: an outside party runs it
        // without a node, so it cannot reach the ledger, its store or the node's wiring.
        target: "./node/verify",
        from: ["./node/ledger.ts", "./node/store", "./node/services", "./node/runtime", "./node/prepare"],
        message: "node/verify uses node/domain and its chain reader port only, never the node's ledger, store or wiring.",
      },
    ],
  }),
  layer({
    files: ["node/ledger.ts", "node/ports.ts"],
    zones: [
      {
        // Ports belong to their user: the ledger declares in node/ports.ts what it needs, and the store and chain
        // adapters implement those ports, so the arrow runs from the adapters to the ledger and never back.
        target: ["./node/ledger.ts", "./node/ports.ts"],
        from: ["./node/store", "./node/chain"],
        message: "The ledger and its ports import no adapter: declare the need in node/ports.ts and let node/store or node/chain implement it.",
      },
    ],
  }),
  layer({
    files: ["node/chain/**"],
    zones: [
      {
        // The chain adapters and the store are siblings behind the ledger's ports; the wiring joins them, they do not.
        target: "./node/chain",
        from: "./node/store",
        message: "node/chain does not import node/store: both are adapters of the ledger's ports.",
      },
    ],
  }),
  layer({
    files: ["api/**"],
    ignores: ["api/server.ts"],
    zones: [
      {
        // The API sees the node through one narrow interface and the domain's view types, so the store, chain and
        // services can change shape without touching a route. api/server.ts (the process entry) does the wiring.
        target: "./api",
        from: "./node",
        except: ["./node-api.ts", "./domain", "./verify"],
        message: "api/ reaches the node only through node/node-api.ts, node/domain and node/verify (api/server.ts wires the rest).",
      },
    ],
  }),
  layer({
    files: ["scripts/**", "tools/**"],
    zones: [
      {
        // Scripts and tools ship and run on their own; test helpers are free to change (and to cheat) for a test's sake.
        target: ["./scripts", "./tools"],
        from: "./test",
        message: "scripts/ and tools/ never import test/: move what both need into node/ or tools/.",
      },
    ],
  }),
);
