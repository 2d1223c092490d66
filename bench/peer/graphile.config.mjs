// PostGraphile v5, the peer of csm-graphql's benchmark (python -m bench.peer).
//
// The Amber preset (PostGraphile's recommended defaults) over the application's `public`
// schema, plus `bench_peer` (bench/peer/relations.sql: computed columns for the polymorphic
// activity and attachment lists), connected as the benchmark's database user: no row-level
// security, no JWT, so it serves every row, which is what this project's internal agent
// persona sees of the records the benchmark reads. Relay-style global ids (`id` is a node
// id, `rowId` the column) come from the Amber preset as well.
import { PostGraphileAmberPreset } from "postgraphile/presets/amber";
import { makePgService } from "postgraphile/adaptors/pg";

const connectionString = process.env.PEER_DATABASE_URL;
if (!connectionString) {
  throw new Error("PEER_DATABASE_URL is not set");
}

/** @type {GraphileConfig.Preset} */
const preset = {
  extends: [PostGraphileAmberPreset],
  pgServices: [
    makePgService({
      connectionString,
      schemas: ["public", "bench_peer"],
      // Per process, like the project's own pool per worker (CSM_DATABASE_POOL_SIZE).
      poolConfig: { max: Number(process.env.PEER_POOL_SIZE || 10) },
    }),
  ],
  // PostGraphile hides relations and orderings whose columns no index leads with; the
  // project reads those same relations (PostgreSQL plans them with the indexes it has), so
  // the peer must offer them too. This is PostGraphile's documented switch for it.
  disablePlugins: ["PgIndexBehaviorsPlugin"],
  grafserv: {
    // Production: no GraphiQL (Ruru), no explain, no schema watching.
    graphiql: false,
    watch: false,
  },
  grafast: { explain: false },
  schema: {
    // For debugging the documents in bench/peer/documents.py: where to write the SDL.
    exportSchemaSDLPath: process.env.PEER_SCHEMA_PATH || undefined,
  },
};

export default preset;
