/** `portcullis lab run|up|probe|down`: NetworkPolicy enforcement proven with real packets in a lab. */
export { type KeptOptions, type LabUpInfo, labDown, labProbe, labUpOnly } from "./kept.js";
export { orphanMessages, planErrorMessage, runErrorMessage, skipMessages } from "./messages.js";
export { type Orphans, labList, orphanedLabs } from "./orphans.js";
export { DEFAULT_EXTERNAL_PORTS, DEFAULT_MAX_PROBES, planLabRun } from "./plan.js";
export { labView, renderLabDownText, renderLabJson, renderLabText, renderLabUpText } from "./render.js";
export { type RunLabOptions, runLab } from "./run.js";
export { defaultStateDir } from "./state.js";
export { type ToParse, parseTo } from "./to.js";
export type * from "./types.js";
