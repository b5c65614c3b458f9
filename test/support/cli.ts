import { Readable } from "node:stream";
import { runCli } from "../../src/cli/program.js";

/**
 * Runs one `crm` command in this process, as bin would (test/doctor.test.ts keeps one spawned run of
 * the real binary): output is collected per stream, `input` is what is piped to stdin.
 */
export async function crm(args: string[], env: Record<string, string | undefined>, input = "") {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const code = await runCli(args, {
    env,
    print: (line) => stdout.push(`${line}\n`),
    printError: (line) => stderr.push(`${line}\n`),
    stdin: Readable.from([Buffer.from(input)]),
  });
  return { code, stdout: stdout.join(""), stderr: stderr.join("") };
}
