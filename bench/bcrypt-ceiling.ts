/**
 * What bcrypt alone allows on this machine: the upper bound for logins per second, since every
 * login costs one bcrypt.compare at BCRYPT_COST. Measured in the bench process while the server
 * is idle, so nothing else competes for the cores.
 */
import os from "node:os";
import bcrypt from "bcrypt";

export interface BcryptCeiling {
  cost: number;
  concurrency: number;
  seconds: number;
  compares: number;
  comparesPerSecond: number;
  /** libuv's pool runs the native compares; its size caps parallelism whatever the concurrency. */
  threadpoolSize: number;
}

export async function measureBcryptCeiling(seconds: number, cost = 10): Promise<BcryptCeiling> {
  // Two in flight per core keeps every pool thread fed while callbacks return to the event loop.
  const concurrency = os.cpus().length * 2;
  const hash = await bcrypt.hash("bench-ceiling-password", cost);
  // Warm the pool threads first so their start-up is not counted.
  await Promise.all(Array.from({ length: concurrency }, () => bcrypt.compare("bench-ceiling-password", hash)));

  let compares = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const worker = async () => {
    while (performance.now() < deadline) {
      if (!(await bcrypt.compare("bench-ceiling-password", hash))) throw new Error("bcrypt.compare returned false");
      compares += 1;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const elapsed = (performance.now() - started) / 1000;
  return {
    cost,
    concurrency,
    seconds: elapsed,
    compares,
    comparesPerSecond: compares / elapsed,
    threadpoolSize: Number(process.env.UV_THREADPOOL_SIZE ?? 4),
  };
}
