import { z } from "zod";

/** A loader position as `MetaLoader.state()` gives it (a checkpoint's loader.json). */
export const loaderStateSchema = z.strictObject({
  epoch: z.number().int().nonnegative(),
  batch: z.number().int().nonnegative(),
  seed: z.number().int().nonnegative(),
});
