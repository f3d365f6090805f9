// The public surface of @gmeta/collectives.
export type { AllGatherVResult, AllToAllVResult, ArrayCollectives, Backend } from "./ArrayCollectives.js";
export { DTYPES } from "./ArrayCollectives.js";
export type { DType, HostArray } from "./dtype.js";
export { allocArray, dtypeOfArray } from "./dtype.js";
export type { ReduceOp } from "./ReduceOp.js";
export { defaultBackend, initArrayGroup } from "./initArrayGroup.js";
export type { InitOptions, StoreOption } from "./initArrayGroup.js";
export { readLaunchEnv } from "./launchEnv.js";
export type { LaunchEnv, LaunchedBy } from "./launchEnv.js";
export { launch } from "./launch/launch.js";
export type { LaunchOptions, LaunchResult, RankExit } from "./launch/launch.js";
export { StoreServer } from "./store/StoreServer.js";
export type { StoreServerOptions } from "./store/StoreServer.js";
export { StoreClient } from "./store/StoreClient.js";
export type { StoreClientOptions } from "./store/StoreClient.js";
export { mpiBuilt } from "./native/binding.js";
