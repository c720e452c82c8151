/** The inference layer's public functions, in one module that src/engine/index.ts loads on first use. */
export { confint, confintSteps } from "./confint";
export { compareModels, reducedSpec } from "./lrt";
export { predictNew } from "./predict";
export { varianceStdErrors } from "./varianceSE";
export { parametricBootstrap } from "./bootstrap";
