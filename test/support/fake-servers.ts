import net from "node:net";
import { SMTPServer } from "smtp-server";

/** A TCP server that answers any PostgreSQL startup with one FATAL error, like a real server would. */
export async function startFakePostgres(sqlState: string, message: string) {
  const server = net.createServer((socket) => {
    socket.once("data", () => {
      const fields = Buffer.concat([
        Buffer.from(`SFATAL\0VFATAL\0C${sqlState}\0M${message}\0`, "utf8"),
        Buffer.from([0]),
      ]);
      const header = Buffer.alloc(5);
      header.write("E", 0);
      header.writeInt32BE(fields.length + 4, 1);
      socket.end(Buffer.concat([header, fields]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A real SMTP server on loopback that rejects every login with Gmail's 535 answer. */
export async function startRejectingSmtp() {
  const server = new SMTPServer({
    authOptional: false,
    disabledCommands: ["STARTTLS"],
    allowInsecureAuth: true,
    logger: false,
    onAuth(_auth, _session, callback) {
      const err = Object.assign(new Error("5.7.8 Username and Password not accepted"), { responseCode: 535 });
      callback(err);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

/** A port that nothing listens on: bind, read the number, release. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
