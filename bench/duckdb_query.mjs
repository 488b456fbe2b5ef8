// duckdb_query.mjs -- run one SQL query in DuckDB (through @duckdb/node-api) for the liq benchmark.
//
// usage: node bench/duckdb_query.mjs [--threads N] SQL
//
// Prints the result rows as TSV (no header) on stdout, and on stderr one line
// "duckdb-query-ms <ms>": the time of the query alone, without node's and DuckDB's start-up,
// so the harness can report both the wall time a user sees and the engine's own time.
// Threads default to 2 (the benchmark machine has 2 cores).
import { DuckDBInstance } from '@duckdb/node-api';

let threads = '2';
const args = process.argv.slice(2);
if (args[0] === '--threads') { threads = args[1]; args.splice(0, 2); }
if (args.length !== 1) {
  console.error('usage: node duckdb_query.mjs [--threads N] SQL');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:', { threads });
const conn = await instance.connect();
const t0 = process.hrtime.bigint();
const reader = await conn.runAndReadAll(args[0]);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const out = [];
for (const row of reader.getRows()) {
  out.push(row.map((v) => (v === null ? '' : String(v))).join('\t'));
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
console.error(`duckdb-query-ms ${ms.toFixed(1)}`);
