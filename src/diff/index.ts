/** `portcullis diff`: pure core. Read both versions, compile engines, `diffClusters`, render. */
export { diffClusters, shouldFail } from "./diff.js";
export { renderDiffJson, renderDiffText } from "./render-text.js";
export { renderDiffMarkdown, MARKDOWN_MARKER } from "./render-md.js";
export { CLASSIFIERS } from "./classify.js";
export { describeAddresses } from "./addresses.js";
export type { ChangeClass, ChangeKind, DiffChange, DiffReport, DiffSummary, FailOn } from "./types.js";
export { CHANGE_CLASSES, CHANGE_KINDS } from "./types.js";
