// The addon's own argument checks: a wrong call from JS must throw, never touch memory.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreServer } from "../src/index.js";
import type { NativeGroup } from "../src/native/AddonTypes.js";
import { glooAddon } from "../src/native/binding.js";

let server: StoreServer;
let g: NativeGroup;
beforeAll(async () => {
  server = await StoreServer.start({ token: "t" });
  g = await glooAddon().createGlooGroup({ rank: 0, size: 1, timeoutMs: 5000, hostname: "127.0.0.1", storeHost: "127.0.0.1", storePort: server.address.port, token: "t", jobId: "native" });
});
afterAll(async () => {
  g.close();
  await server.close();
});

describe("native argument checks", () => {
  it("rejects a receive array shorter than its counts", () => {
    expect(() => g.allToAllV(new Float32Array(2), new BigInt64Array([2n]), new Float32Array(1), new BigInt64Array([2n]), 0)).toThrow(
      /expected 2 elements for recv, got 1 \(native\/binding\/AddonGroup\.h:\d+\)/,
    );
  });

  it("rejects an array whose type is not the dtype's", () => {
    expect(() => g.allReduce(new Float64Array(2), 0, 0)).toThrow("expected the typed array of dtype code 0 for data");
    expect(() => g.allReduce(new Float32Array(2), 9, 0)).toThrow("unknown dtype code 9");
  });

  it("rejects calls after close", () => {
    const h = g;
    return glooAddon()
      .createGlooGroup({ rank: 0, size: 1, timeoutMs: 5000, hostname: "127.0.0.1", storeHost: "127.0.0.1", storePort: server.address.port, token: "t", jobId: "native2" })
      .then((other) => {
        other.close();
        expect(() => other.barrier()).toThrow("barrier: process group is closed");
        expect(h.size).toBe(1);
      });
  });
});
