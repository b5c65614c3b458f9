import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { closedPort } from "./fake-servers.js";

export const PGBOUNCER = "/usr/sbin/pgbouncer";
/** Why the PgBouncer tests are skipped here, or null when they run (CI installs the package). */
export const pgbouncerMissing = existsSync(PGBOUNCER)
  ? null
  : `${PGBOUNCER} is not installed (apt-get install pgbouncer): the PgBouncer tests are skipped`;

/**
 * Debian's PgBouncer in transaction mode on a free port, in front of the server of `serverUrl`,
 * trusting everyone (its own temporary ini and auth file). `url(database)` connects through it.
 */
export async function startPgBouncer(serverUrl: string, poolSize = 4) {
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username) || "postgres";
  const dir = mkdtempSync(path.join(tmpdir(), "crm-pgbouncer-"));
  const port = await closedPort();
  writeFileSync(path.join(dir, "users.txt"), `"${user}" ""\n`);
  writeFileSync(
    path.join(dir, "pgbouncer.ini"),
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || "5432"}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${path.join(dir, "users.txt")}`,
      "pool_mode = transaction",
      `default_pool_size = ${poolSize}`,
      "max_client_conn = 500",
      "",
    ].join("\n"),
  );
  // PgBouncer refuses to run as root; it then needs to read its files as the user it switches to.
  chmodSync(dir, 0o755);
  const asRoot = process.getuid?.() === 0;
  let output = "";
  const child: ChildProcess = spawn(
    PGBOUNCER,
    [...(asRoot ? ["-u", "postgres"] : []), path.join(dir, "pgbouncer.ini")],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  child.stdout?.on("data", (d) => (output += d));
  child.stderr?.on("data", (d) => (output += d));
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited:\n${output}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => {
        socket.destroy();
        resolve(true);
      });
      socket.on("error", () => resolve(false));
    });
    if (open) break;
    if (Date.now() > deadline) throw new Error(`pgbouncer did not listen on ${port}:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    port,
    /** The URL of `database` through PgBouncer. */
    url(database: string) {
      return `postgres://${encodeURIComponent(user)}@127.0.0.1:${port}/${database}`;
    },
    log: () => output,
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
