// The sizes and durations the benchmarks and the soak read from the environment, each checked with one rule.

/** The integer `text` (an environment variable called `name`) says, undefined when unset; 0 only where `zero` allows it. */
export function integerSetting(name: string, text: string | undefined, { zero = false } = {}): number | undefined {
  if (text === undefined || text === "") return undefined;
  if (!/^[1-9][0-9]{0,6}$/.test(text) && !(zero && text === "0")) {
    throw new Error(`${name}: must be ${zero ? "0 or " : ""}a positive integer, not ${JSON.stringify(text)}`);
  }
  return Number(text);
}

/** The environment variable `name` as an integer, `fallback` when unset. */
export const envInteger = (name: string, fallback: number, env: NodeJS.ProcessEnv = process.env): number => integerSetting(name, env[name]) ?? fallback;
