// duckdb_query.mjs -- run one SQL query in DuckDB (through @duckdb/node-api) for the liq benchmark.
//
// usage: node bench/duckdb_query.mjs [--threads N] [--copy] SQL
//
// Prints the result rows as TSV (no header) on stdout, and on stderr one line
// "duckdb-query-ms <ms>": the time of the query alone, without node's and DuckDB's start-up,
// so the harness can report both the wall time a user sees and the engine's own time.
// Threads default to 2 (the benchmark machine has 2 cores). With --copy the query runs as
// COPY (SQL) TO '/dev/stdout' (tab-separated, no header): DuckDB writes the rows itself,
// inside the timed part, as liq does -- for answers of millions of rows, which node could
// not hold as one string.
import { DuckDBInstance } from '@duckdb/node-api';

let threads = '2';
let copy = false;
const args = process.argv.slice(2);
for (;;) {
  if (args[0] === '--threads') { threads = args[1]; args.splice(0, 2); }
  else if (args[0] === '--copy') { copy = true; args.splice(0, 1); }
  else break;
}
if (args.length !== 1) {
  console.error('usage: node duckdb_query.mjs [--threads N] [--copy] SQL');
  process.exit(2);
}
const instance = await DuckDBInstance.create(':memory:', { threads });
const conn = await instance.connect();
const t0 = process.hrtime.bigint();
if (copy) {
  await conn.run(`COPY (${args[0]}) TO '/dev/stdout' (FORMAT csv, DELIMITER '\t', HEADER false)`);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  console.error(`duckdb-query-ms ${ms.toFixed(1)}`);
  process.exit(0);
}
const reader = await conn.runAndReadAll(args[0]);
const ms = Number(process.hrtime.bigint() - t0) / 1e6;
const out = [];
for (const row of reader.getRows()) {
  out.push(row.map((v) => (v === null ? '' : String(v))).join('\t'));
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
console.error(`duckdb-query-ms ${ms.toFixed(1)}`);
