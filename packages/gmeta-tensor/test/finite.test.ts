// Tensor.firstNonFinite: the trainer's finite check of every step's gradients.
import { describe, expect, it } from "vitest";
import * as T from "../src/index.js";
import { rng } from "./helpers.js";

describe("firstNonFinite", () => {
  it("finds the first NaN or infinity of a span as a scan does, in float32 and float64", () => {
    const r = rng();
    for (const dtype of ["float32", "float64"] as const) {
      for (const n of [0, 1, 7, 511, 512, 513, 3000]) {
        const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
        for (let i = 0; i < n; i++) data[i] = (r.next() - 0.5) * 1e30;
        const bad = [NaN, Infinity, -Infinity];
        // A few spans each with its own first bad element (or none), across block boundaries.
        for (let trial = 0; trial < 6; trial++) {
          const a = data.slice();
          const marks = trial === 0 ? 0 : 1 + Math.floor(r.next() * 3);
          for (let m = 0; m < marks && n > 0; m++) a[Math.floor(r.next() * n)] = bad[m % 3]!;
          const t = T.tensor(a, { dtype });
          const offset = Math.floor(r.next() * (n + 1));
          const length = Math.floor(r.next() * (n - offset + 1));
          let want = -1;
          for (let k = 0; k < length; k++) if (!Number.isFinite(a[offset + k]!)) { want = k; break; }
          expect(t.firstNonFinite(offset, length), `${dtype} n=${n} span [${offset}, +${length})`).toBe(want);
          let whole = -1;
          for (let k = 0; k < n; k++) if (!Number.isFinite(a[k]!)) { whole = k; break; }
          expect(t.firstNonFinite(), `${dtype} n=${n} whole`).toBe(whole);
          t.dispose();
        }
      }
    }
  });

  it("names a bad span or dtype", () => {
    const t = T.zeros([4]);
    expect(() => t.firstNonFinite(3, 2)).toThrow(/offset \+ length <= 4, got offset 3, length 2/);
    expect(() => t.firstNonFinite(-1, 1)).toThrow(/got offset -1/);
    const i = T.zeros([4], { dtype: "int32" });
    expect(() => i.firstNonFinite()).toThrow(/expected a float tensor for this, got int32/);
    t.dispose();
    i.dispose();
  });
});
