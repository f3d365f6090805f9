export { fans, kaimingNormal, kaimingUniform, xavierNormal, xavierUniform, zerosParam } from "./init.js";
export type { InitOptions } from "./init.js";
export { linear } from "./linear.js";
export { activate, initMlp, mlp } from "./mlp.js";
export type { Activation, InitMlpOptions, LinearParams, MlpOptions } from "./mlp.js";
export { bceWithLogits, mse } from "../ops/loss.js";
