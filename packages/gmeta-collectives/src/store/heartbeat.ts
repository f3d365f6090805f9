import { StoreClient } from "./StoreClient.js";

/** How often a rank tells the store it is alive (ms). */
export const BEAT_MS = 500;

/**
 * A rank's heartbeat through the rendezvous store. A rank that is stopped (SIGSTOP) or frozen
 * keeps its sockets open, so the store cannot see it go; its beats stop instead, and a failed
 * collective can name it. Beats come from the event loop, which stays free while collectives
 * run on worker threads.
 */
export class Heartbeat {
  private constructor(
    private readonly client: StoreClient,
    private readonly timer: NodeJS.Timeout,
  ) {}

  /** Connects with the job's token and beats until stopped; never keeps the process alive. */
  static async start(opts: { host: string; port: number; token: string; rank: number }): Promise<Heartbeat> {
    const client = await StoreClient.connect({ ...opts, timeoutMs: 5000 });
    client.unref();
    client.beat();
    const timer = setInterval(() => client.beat(), BEAT_MS);
    timer.unref();
    return new Heartbeat(client, timer);
  }

  stop(): void {
    clearInterval(this.timer);
    this.client.close();
  }
}
