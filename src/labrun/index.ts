/** `portcullis lab run|up|probe|down`: NetworkPolicy enforcement proven with real packets in a lab. */
export { type LabUpInfo, labDown, labProbe, labUpOnly } from "./kept.js";
export { orphanMessages, runErrorMessage } from "./messages.js";
export { labList, orphanedLabs } from "./orphans.js";
export { labView, renderLabText } from "./render.js";
export { runLab } from "./run.js";
export type * from "./types.js";
