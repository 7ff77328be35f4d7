/** `portcullis diff`: pure core. Read both versions, compile engines, `diffClusters`, render. */
export { diffClusters, shouldFail } from "./diff.js";
export { renderDiffText } from "./render-text.js";
export { renderDiffMarkdown } from "./render-md.js";
