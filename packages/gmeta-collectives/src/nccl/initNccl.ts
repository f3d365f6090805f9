import { randomBytes } from "node:crypto";
import { assertDeviceAvailable, backends, type Device, useDevice } from "@gmeta/tensor";
import type { InitOptions } from "../initArrayGroup.js";
import { invalidArgument } from "../errors.js";
import { readLaunchEnv } from "../launchEnv.js";
import { glooAddon } from "../native/binding.js";
import { StoreClient } from "../store/StoreClient.js";
import { StoreServer } from "../store/StoreServer.js";
import { ncclAvailability } from "./ncclStatus.js";
import { NcclProcessGroup } from "./NcclProcessGroup.js";

/**
 * Joins the job as an NCCL process group: rank 0 creates the unique id and publishes it in
 * the rendezvous store; every rank reads it, says it has, and only when all have does anyone
 * call ncclCommInitRank (which blocks this thread, and rank 0's thread also serves the store).
 */
export async function initNccl(opts: InitOptions & { device?: Device }, timeoutMs: number): Promise<NcclProcessGroup> {
  const avail = ncclAvailability();
  if (!avail.available) {
    throw new Error(`initProcessGroup: backend "nccl" is unavailable here: ${avail.reason}. Use backend "gloo" for CPU tensors.`);
  }
  const env = opts.env ?? process.env;
  const launch = readLaunchEnv(env);
  const device = opts.device ?? (`cuda:${launch.localRank % backends().cuda.devices}` as Device);
  assertDeviceAvailable("initProcessGroup", device);
  if (opts.store && opts.store.kind !== "tcp") {
    throw invalidArgument("initProcessGroup", 'a "tcp" store for backend "nccl"', "store", opts.store.kind);
  }
  let token = launch.token;
  if (!token) {
    if (launch.size > 1) {
      throw new Error("initProcessGroup: no job token; set GMETA_STORE_TOKEN to the same secret on every rank (the gmeta launcher does this)");
    }
    token = randomBytes(16).toString("hex");
  }
  const host = opts.store?.host ?? launch.masterAddr;
  let port = opts.store?.port ?? (launch.size === 1 && launch.hostsStore ? 0 : launch.masterPort);
  if (launch.hostsStore) {
    const server = await StoreServer.start({ token, host, port });
    server.unref();
    port = server.address.port;
  }
  const client = await StoreClient.connect({ host, port, token, rank: launch.rank, timeoutMs });
  const prefix = `${launch.jobId}/nccl`;
  const addon = glooAddon();
  let id: Uint8Array;
  try {
    if (launch.rank === 0) {
      id = addon.ncclUniqueId();
      await client.set(`${prefix}/id`, id);
    } else {
      id = new Uint8Array(await client.get(`${prefix}/id`, timeoutMs));
    }
    await client.set(`${prefix}/has-id/${launch.rank}`, "1");
    await client.wait(Array.from({ length: launch.size }, (_, r) => `${prefix}/has-id/${r}`), timeoutMs);
  } finally {
    client.close();
  }
  useDevice(device);
  const comm = new addon.NcclComm(id, launch.size, launch.rank);
  return new NcclProcessGroup(comm, launch.rank, launch.size, device, timeoutMs);
}
