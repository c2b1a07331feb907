// npm run soak — a bounded soak test of the real node in its own process (tools/soak/soak.ts says what it sends and checks).
// `--seconds N` or SOAK_SECONDS (default 120), SOAK_WRITERS (12), SOAK_READERS (4), SOAK_VERIFY_SAMPLE (50),
// SOAK_RATE (valid events a second the writers offer together, default 100; 0 for as fast as they go);
// `--no-attacks` or SOAK_ATTACKS=0 leaves the attack phases out (tools/soak/attacks.ts), SOAK_ATTACKS=name,… sends
// only the attacks named (for measuring one: SOAK_ATTACKS=expensive-anonymous). Prints
// `[soak]` lines, a progress line every 10 s, and last one line of JSON. Exits 0 iff every check held.
import { integerSetting } from "../tools/bench/settings";
import { ATTACKS } from "../tools/soak/attacks";
import { runSoak, type SoakSettings } from "../tools/soak/soak";

const say = (line: string) => console.log(`[soak] ${line}`);

/** The attacks SOAK_ATTACKS names: all when unset, none for "0", else those of its comma-separated names. */
function attacksOf(noAttacks: boolean, text: string | undefined): string[] {
  const names = ATTACKS.map((attack) => attack.name);
  if (noAttacks || text === "0") return [];
  if (text === undefined || text === "") return names;
  const chosen = text.split(",").map((name) => name.trim());
  const unknown = chosen.filter((name) => !names.includes(name));
  if (unknown.length > 0) throw new Error(`SOAK_ATTACKS: no attack is called ${unknown.join(", ")}; set 0, or names of ${names.join(", ")}`);
  return names.filter((name) => chosen.includes(name));
}

function settingsOf(argv: string[], env: NodeJS.ProcessEnv): SoakSettings {
  const at = argv.indexOf("--seconds");
  return {
    seconds: (at >= 0 ? integerSetting("--seconds", argv[at + 1] ?? "") : undefined) ?? integerSetting("SOAK_SECONDS", env.SOAK_SECONDS) ?? 120,
    writers: integerSetting("SOAK_WRITERS", env.SOAK_WRITERS) ?? 12,
    readers: integerSetting("SOAK_READERS", env.SOAK_READERS) ?? 4,
    rate: integerSetting("SOAK_RATE", env.SOAK_RATE, { zero: true }) ?? 100,
    verifySample: integerSetting("SOAK_VERIFY_SAMPLE", env.SOAK_VERIFY_SAMPLE) ?? 50,
    attacks: attacksOf(argv.includes("--no-attacks"), env.SOAK_ATTACKS),
  };
}

async function main(): Promise<void> {
  const summary = await runSoak({ settings: settingsOf(process.argv.slice(2), process.env), log: say });
  console.log(JSON.stringify(summary));
  process.exitCode = summary.ok ? 0 : 1;
}

main().catch((error) => {
  console.error(`[soak] failed: ${(error as Error).message}`);
  process.exitCode = 1;
});
