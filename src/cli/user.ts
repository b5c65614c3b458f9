import { createInterface } from "node:readline";
import type { Config } from "../config.js";
import { runMigrations } from "../db/migrate.js";
import type { UserRole } from "../db/schema/index.js";
import { createUser } from "../modules/users/service.js";
import { createServices } from "../services.js";
import { cliLogger } from "./logger.js";
import { withDatabase } from "./db.js";

async function readStdin(input: AsyncIterable<Buffer | string>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks)
    .toString("utf8")
    .replace(/\r?\n$/, "");
}

/** Asks on the terminal without echoing, so the password is not left on screen or in scrollback. */
async function promptHidden(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new Error("no terminal to ask for the password: use --password-stdin");
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: true });
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  let asked = false;
  output._writeToOutput = (s: string) => {
    if (!asked) {
      process.stdout.write(s);
      asked = true;
    }
  };
  const answer = await new Promise<string>((resolve) => rl.question(question, resolve));
  rl.close();
  process.stdout.write("\n");
  return answer;
}

export async function createAdmin(
  config: Config,
  opts: { email: string; name: string; phone?: string; passwordStdin?: boolean; role?: UserRole },
  print: (line: string) => void,
  stdin: AsyncIterable<Buffer | string> = process.stdin,
) {
  let password: string;
  if (opts.passwordStdin) {
    password = await readStdin(stdin);
  } else {
    password = await promptHidden("Password: ");
    if ((await promptHidden("Repeat password: ")) !== password) throw new Error("the passwords differ");
  }
  await withDatabase(config, async (database) => {
    await runMigrations(database);
    const services = createServices(database, config, cliLogger);
    try {
      const user = await createUser(
        services,
        // The operator typed the address at the console: it starts verified, so the first admin is
        // never locked out by REQUIRE_EMAIL_VERIFICATION on an install without mail yet.
        {
          email: opts.email,
          name: opts.name,
          phone: opts.phone ?? null,
          password,
          role: opts.role ?? "admin",
          emailVerified: true,
        },
        { ip: "cli", userAgent: "crm", requestId: "cli" },
        "user.created",
      );
      print(`created ${user.role} ${user.email} (${user.id})`);
    } finally {
      await services.close();
    }
  });
}
