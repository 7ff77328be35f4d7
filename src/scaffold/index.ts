/** `portcullis scaffold`: pure core. Options in, YAML text (or every problem with the options) out. */
export { type ScaffoldError, type ScaffoldOptions, type ScaffoldResult, scaffold } from "./scaffold.js";
export { type AllowDestination, type AllowPort, type AllowSpec, type Parsed, parseAllowSpec } from "./spec.js";
export { scaffoldCodes, scaffoldMessages } from "./messages.js";
