// The README's layout section against the tree: every path it lists exists, and every folder a newcomer looks for is listed.
import { expect } from "chai";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");

/** The paths in the first code block after "## Layout", one per line, first word. */
function listedPaths(readme: string): string[] {
  const section = readme.split(/^## Layout$/m)[1];
  if (section === undefined) throw new Error("README.md has no ## Layout section");
  const block = /```\n([\s\S]*?)```/.exec(section)?.[1];
  if (block === undefined) throw new Error("the ## Layout section has no code block");
  return block
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => line.split(/\s+/)[0] ?? "");
}

/** Tracked files (and untracked ones git does not ignore), as the repository holds them. */
function treeFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { cwd: ROOT, encoding: "utf8" });
  return out.split("\n").filter((file) => file !== "");
}

/** The folders and files the layout must name: top-level folders, the folders in node/, api/, tools/ and contracts/, node/domain's folders, and node/'s own files. */
function requiredPaths(files: readonly string[]): string[] {
  const required = new Set<string>();
  for (const file of files) {
    const parts = file.split("/");
    if (parts.length < 2 || (parts[0] ?? "").startsWith(".")) continue;
    required.add(`${parts[0]}/`);
    if (["node", "api", "tools", "contracts"].includes(parts[0] ?? "") && parts.length > 2) required.add(`${parts[0]}/${parts[1]}/`);
    if (parts[0] === "node" && parts[1] === "domain" && parts.length > 3) required.add(`node/domain/${parts[2]}/`);
    if (parts[0] === "node" && parts.length === 2) required.add(file);
  }
  return [...required].sort();
}

describe("README layout", () => {
  const readme = readFileSync(path.join(ROOT, "README.md"), "utf8");
  const listed = listedPaths(readme);
  const files = treeFiles();

  it("lists only paths that exist in the tree", () => {
    const missing = listed.filter((entry) => (entry.endsWith("/") ? !files.some((f) => f.startsWith(entry)) : !files.includes(entry)));
    expect(missing, "listed in README.md's layout but not in the tree").to.deep.equal([]);
  });

  it("lists every top-level folder, every folder of node/, api/, tools/ and contracts/, node/domain's folders and node/'s files", () => {
    const unlisted = requiredPaths(files).filter((entry) => !listed.includes(entry));
    expect(unlisted, "in the tree but not in README.md's layout").to.deep.equal([]);
  });

  it("lists each path once", () => {
    expect(listed.filter((entry, i) => listed.indexOf(entry) !== i)).to.deep.equal([]);
  });
});
