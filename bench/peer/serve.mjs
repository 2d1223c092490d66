// Serve PostGraphile v5 on 127.0.0.1:PEER_PORT with PEER_WORKERS processes (node:cluster),
// the same process count as the `csm-graphql serve --workers W` it is compared with.
//
// node:cluster's default scheduling (SCHED_RR, every OS but Windows): the primary accepts each
// connection and hands it to the workers in turn; the workers answer the requests.
import cluster from "node:cluster";
import { createServer } from "node:http";
import { postgraphile } from "postgraphile";
import { grafserv } from "postgraphile/grafserv/node";
import preset from "./graphile.config.mjs";

const port = Number(process.env.PEER_PORT);
const workers = Number(process.env.PEER_WORKERS || 1);

if (cluster.isPrimary && workers > 1) {
  for (let i = 0; i < workers; i++) cluster.fork();
  // Ready once every worker has built its schema and listens (the launcher waits for this
  // line, so no measurement runs with a worker still starting).
  let listening = 0;
  cluster.on("message", (_worker, message) => {
    if (message === "listening" && ++listening === workers) {
      console.log(`peer ready (${workers} workers)`);
    }
  });
  let stopping = false;
  cluster.on("exit", (worker, code) => {
    if (!stopping) {
      console.error(`peer worker ${worker.process.pid} exited with ${code}`);
      process.exit(1);
    }
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      stopping = true;
      for (const worker of Object.values(cluster.workers)) worker.kill("SIGTERM");
      setTimeout(() => process.exit(0), 2000).unref();
    });
  }
} else {
  const pgl = postgraphile(preset);
  const serv = pgl.createServ(grafserv);
  const server = createServer();
  server.keepAliveTimeout = 65_000;
  await serv.addTo(server);
  // Build the schema before listening, so "listening" means "ready".
  await pgl.getSchemaResult();
  server.listen(port, "127.0.0.1", () => {
    console.log(`peer listening on http://127.0.0.1:${port}/graphql (pid ${process.pid})`);
    if (cluster.isWorker) process.send("listening");
    else console.log("peer ready (1 worker)");
  });
  for (const signal of ["SIGTERM", "SIGINT"]) {
    process.on(signal, () => {
      server.close();
      pgl.release().finally(() => process.exit(0));
    });
  }
}
