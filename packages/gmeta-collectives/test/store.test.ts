// The rendezvous store: its protocol from TypeScript, the job token from TS and from C++.
import { afterEach, describe, expect, it } from "vitest";
import { StoreClient, StoreServer } from "../src/index.js";
import { glooAddon } from "../src/native/binding.js";

let server: StoreServer | undefined;
const logs: string[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  logs.length = 0;
});

const start = async () => (server = await StoreServer.start({ token: "secret", log: (l) => logs.push(l) }));

describe("StoreServer", () => {
  it("binds to loopback by default", async () => {
    expect((await start()).address.host).toBe("127.0.0.1");
  });

  it("sets, gets (waiting for the key), waits, adds, and reports ranks that left", async () => {
    const { port } = (await start()).address;
    const a = await StoreClient.connect({ host: "127.0.0.1", port, token: "secret", rank: 0 });
    const b = await StoreClient.connect({ host: "127.0.0.1", port, token: "secret", rank: 1 });
    const pending = b.get("k");
    await a.set("k", "v1");
    expect((await pending).toString()).toBe("v1");
    await a.wait(["k"]);
    await expect(a.wait(["k", "nope"], 100)).rejects.toThrow("wait: keys nope missing after 100 ms");
    expect(await a.add("n", 2)).toBe(2);
    expect(await b.add("n", 3)).toBe(5);
    expect(await a.gone()).toEqual([]);
    b.close();
    await new Promise((r) => setTimeout(r, 50));
    expect(await a.gone()).toEqual([1]);
    a.close();
  });

  it("refuses and logs a client with a wrong token", async () => {
    const s = await start();
    await expect(StoreClient.connect({ host: "127.0.0.1", port: s.address.port, token: "wrong" })).rejects.toThrow("refused: wrong job token");
    expect(s.refused).toBe(1);
    expect(logs.join("\n")).toContain("refused");
  });

  it("refuses the native Gloo store client with a wrong token", async () => {
    const s = await start();
    await expect(
      glooAddon().createGlooGroup({ rank: 0, size: 2, timeoutMs: 2000, hostname: "127.0.0.1", storeHost: "127.0.0.1", storePort: s.address.port, token: "wrong", jobId: "j" }),
    ).rejects.toThrow("refused: wrong job token");
    expect(s.refused).toBe(1);
  });

  it("drops a client that sends a malformed frame without crashing", async () => {
    const s = await start();
    const { connect } = await import("node:net");
    const sock = connect(s.address.port, "127.0.0.1");
    await new Promise((r) => sock.on("connect", r));
    sock.write(Buffer.from([0xff, 0xff, 0xff, 0x7f]));
    await new Promise((r) => sock.on("close", r));
    const c = await StoreClient.connect({ host: "127.0.0.1", port: s.address.port, token: "secret" });
    await c.set("still", "up");
    c.close();
  });
});
