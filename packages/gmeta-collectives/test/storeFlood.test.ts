// A store under attack before authentication: oversized first frames, silent clients, and a
// client over its cap are dropped and logged, memory and CPU stay bounded, the job finishes.
import { connect, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { StoreClient, StoreServer } from "../src/index.js";
import { launchWorker, workerCommand } from "./helpers.js";

let server: StoreServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const closed = (s: Socket) => new Promise<void>((r) => (s.destroyed ? r() : s.once("close", () => r())));
const open = (port: number) =>
  new Promise<Socket>((resolve, reject) => {
    const s = connect({ host: "127.0.0.1", port }, () => resolve(s));
    s.once("error", reject);
  });

describe("the store refuses what comes before the token", () => {
  it("drops a 64 MiB first frame unread, silent clients after the deadline, and a client over its cap; logs each", async () => {
    const logs: string[] = [];
    server = await StoreServer.start({ token: "secret", log: (l) => logs.push(l), authTimeoutMs: 300, maxClientBytes: 1 << 20 });
    const { port } = server.address;
    const big = await open(port);
    big.on("error", () => undefined);
    const header = Buffer.alloc(4);
    header.writeUInt32LE(64 << 20);
    big.write(header);
    big.write(Buffer.alloc(1 << 20));
    await closed(big);
    expect(logs.some((l) => /refused 127\.0\.0\.1:\d+: frame of 67108864 bytes exceeds the limit of 1024/.test(l)), logs.join("\n")).toBe(true);

    const t0 = Date.now();
    const silent = await Promise.all(Array.from({ length: 50 }, () => open(port)));
    for (const s of silent) s.on("error", () => undefined);
    await Promise.all(silent.map(closed));
    expect(Date.now() - t0).toBeLessThan(3000);
    expect(logs.filter((l) => l.includes("no job token within 300 ms")).length).toBeGreaterThan(0);

    const c = await StoreClient.connect({ host: "127.0.0.1", port, token: "secret" });
    await c.set("a", Buffer.alloc(600 << 10));
    await expect(c.set("b", Buffer.alloc(600 << 10))).rejects.toThrow(/connection closed|ECONNRESET|EPIPE/);
    expect(logs.some((l) => l.includes("of 1048576 bytes")), logs.join("\n")).toBe(true);
    expect(server.refused).toBeGreaterThanOrEqual(52);
    // Twenty lines for the anonymous ones at most: a flood does not flood the log.
    expect(logs.filter((l) => l.includes("refused")).length).toBeLessThanOrEqual(22);
  });

  it("a job finishes while its store is flooded; the launcher's memory and CPU stay bounded", async () => {
    const port = 20000 + Math.floor(Math.random() * 20000);
    let flooding = true;
    const sent = { frames: 0 };
    const junk = Buffer.alloc(4 << 20);
    const floodOne = async (): Promise<void> => {
      while (flooding) {
        const s = await open(port).catch(() => null);
        if (!s) {
          await new Promise((r) => setTimeout(r, 20));
          continue;
        }
        s.on("error", () => undefined);
        const header = Buffer.alloc(4);
        header.writeUInt32LE(64 << 20);
        s.write(header);
        s.write(junk);
        sent.frames++;
        await closed(s);
      }
    };
    const idle: Socket[] = [];
    const rss0 = process.memoryUsage().rss;
    const cpu0 = process.cpuUsage();
    const t0 = Date.now();
    // Floods start before the ranks, as soon as the store listens.
    const floods = (async () => {
      for (let i = 0; i < 100 && flooding; i++) {
        const s = await open(port).catch(() => null);
        if (s) {
          s.on("error", () => undefined);
          idle.push(s);
          break;
        }
        await new Promise((r) => setTimeout(r, 20));
      }
      for (let i = 0; i < 49; i++) {
        const s = await open(port).catch(() => null);
        if (s) {
          s.on("error", () => undefined);
          idle.push(s);
        }
      }
      await Promise.all(Array.from({ length: 8 }, floodOne));
    })();
    const { result, out } = await launchWorker(2, workerCommand("failureWorker.ts", "join"), { GMETA_STORE_PORT: String(port) }, `127.0.0.1:${port}`);
    const wall = Date.now() - t0;
    flooding = false;
    await floods;
    for (const s of idle) s.destroy();
    const cpu = process.cpuUsage(cpu0);
    const grown = (process.memoryUsage().rss - rss0) / 2 ** 20;
    console.info(`flooded store: job ${wall} ms, ${sent.frames} oversized frames refused, launcher RSS +${grown.toFixed(1)} MiB, CPU ${((cpu.user + cpu.system) / 1000).toFixed(0)} ms`);
    expect(result.exitCode, out).toBe(0);
    expect(sent.frames).toBeGreaterThan(0);
    expect(grown).toBeLessThan(64);
    // The test process both floods and hosts the store; the CPU of both stays well under the wall time.
    expect((cpu.user + cpu.system) / 1000).toBeLessThan(wall * 1.5);
  });
});
