import { tensor } from "@gmeta/tensor";
import { describe, expect, it } from "vitest";
import { checkFiniteFlat, checkFiniteStep, NonFiniteError } from "../src/trainer/finiteCheck.js";

describe("the step's finite check", () => {
  it("names the step, the tensor and the element of the first NaN or infinity, per tensor and in flat buckets", () => {
    const a = tensor(Float32Array.from([1, 2, 3]));
    const b = tensor(Float32Array.from([0, 5, Infinity, NaN]));
    expect(() => checkFiniteStep(7, { "query loss": 0.5 }, [a, a], ["w", "v"])).not.toThrow();
    expect(() => checkFiniteStep(7, { "query loss": 0.5 }, [a, b], ["w", "v"])).toThrow(/training stopped at step 7: the gradient of v holds Infinity at element 2 of 4;/);
    expect(() => checkFiniteStep(3, { "query loss": NaN }, [a], ["w"])).toThrow(NonFiniteError);
    // Two tensors packed in one bucket: the second's places start after the first's.
    const bucket = tensor(Float32Array.from([1, 2, 3, 4, -Infinity, 6]));
    const places = [{ bucket: 0, offset: 0, length: 3 }, { bucket: 0, offset: 3, length: 3 }];
    expect(() => checkFiniteFlat(9, { buffers: [bucket], places }, ["w", "v"])).toThrow(/step 9: the gradient of v holds -Infinity at element 1 of 3;/);
    expect(() => checkFiniteFlat(9, { buffers: [bucket], places: places.slice(0, 1) }, ["w"])).not.toThrow();
    for (const t of [a, b, bucket]) t.dispose();
  });
});
