/** `portcullis scaffold`: pure core. Options in, YAML text (or every problem with the options) out. */
export { type ScaffoldError, scaffold } from "./scaffold.js";
export { scaffoldCluster } from "./cluster.js";
