// The contract handles name exactly the functions the compiled contracts declare.
import { expect } from "chai";
import { CONTRACT_NAMES, loadArtifact } from "../../../node/chain/artifacts";
import { CONTRACT_FUNCTIONS } from "../../../node/chain/contracts";

describe("contract handles", function () {
  for (const name of CONTRACT_NAMES) {
    it(`name every function of the ${name} ABI and no other`, function () {
      const declared = loadArtifact(name).abi.flatMap((item) => {
        const { type, name: functionName } = item as { type?: unknown; name?: unknown };
        return type === "function" && typeof functionName === "string" ? [functionName] : [];
      });
      expect([...CONTRACT_FUNCTIONS[name]].sort()).to.deep.equal([...new Set(declared)].sort());
    });
  }
});
