/**
 * `npm run cluster -- up|down|status`: a primary, a hot standby, PgBouncer, Redis and two service
 * instances on this machine (see scripts/cluster/index.ts). CLUSTER_DIR and CLUSTER_BASE_PORT choose
 * where; the defaults are $TMPDIR/crm-cluster and 25430.
 */
import { clusterDown, clusterStatus, clusterUp, type Layout, layoutOf } from "./cluster/index.js";

function printLayout(l: Layout) {
  const rows = clusterStatus({ dir: l.dir, basePort: l.ports.primary, instances: l.ports.instances.length });
  console.log(`cluster in ${l.dir}`);
  for (const c of rows.components) console.log(`  ${c.name.padEnd(11)} ${c.running ? "up  " : "down"}  ${c.url}`);
  console.log(`logs: ${l.pgDir}/*.log, ${l.bouncerDir}/pgbouncer.log, ${l.serviceDir}/instance-*.log`);
}

async function main(command: string | undefined) {
  const started = Date.now();
  switch (command) {
    case "up": {
      const layout = await clusterUp();
      printLayout(layout);
      console.log(`up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      return;
    }
    case "down": {
      const dir = layoutOf().dir;
      // CLUSTER_DIR is easy to forget in a new shell: say which directory was (or was not) there.
      console.log((await clusterDown()) ? `cluster in ${dir} stopped and removed` : `no cluster in ${dir}`);
      return;
    }
    case "status": {
      const { layout, components } = clusterStatus();
      printLayout(layout);
      // Non-zero when any part is down, so scripts can test it.
      if (components.some((c) => !c.running)) process.exitCode = 1;
      return;
    }
    default:
      console.error("usage: npm run cluster -- up|down|status");
      process.exitCode = 2;
  }
}

main(process.argv[2]).catch((err: Error) => {
  console.error(`cluster: ${err.message}`);
  process.exitCode = 1;
});
