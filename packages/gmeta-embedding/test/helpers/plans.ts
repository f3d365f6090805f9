import { planSharding } from "../../src/index.js";
import { TABLES } from "./scenario.js";

/** 4 ranks: user row-wise, item pinned to rank 3, tag wherever the balance puts it. */
export const mixed4 = () => planSharding({ tables: TABLES, worldSize: 4, constraints: { user: { strategy: "row-wise" }, item: { rank: 3 } } });
/** Every table row-wise over `world` ranks. */
export const rowWise = (world: number) =>
  planSharding({ tables: TABLES, worldSize: world, constraints: Object.fromEntries(TABLES.map((t) => [t.name, { strategy: "row-wise" as const }])) });
