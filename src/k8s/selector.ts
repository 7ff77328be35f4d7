import { messages } from "../diag/catalogue.js";
import type { Labels } from "../model/labels.js";
import type { LabelSelector, Operator, Requirement } from "../model/selector.js";
import { codes } from "./codes.js";
import { type Field, type Reader, checkFields, child, readItemMap, readItemString, readList, readMap, requireString } from "./reader.js";
import { labelKeyProblem, labelValueProblem } from "./validate.js";
import { exact } from "./values.js";

const OPERATORS: readonly Operator[] = ["In", "NotIn", "Exists", "DoesNotExist"];

export function checkLabelKey(r: Reader, key: string, field: Field): void {
  const problem = labelKeyProblem(key);
  if (problem !== undefined) r.error(codes.invalidLabelKey, messages.invalidLabelKeyBecause(key, problem), field.path);
}

export function checkLabelValue(r: Reader, value: string, field: Field): void {
  const problem = labelValueProblem(value);
  if (problem !== undefined) r.error(codes.invalidLabelValue, messages.invalidLabelValueBecause(value, problem), field.path);
}

/**
 * A `map[string]string` (labels, annotations, matchLabels, a Service selector). A `null` value
 * reads as `""`, as Go decodes it. With `validate`, keys and values must be valid labels.
 */
export function readStringMap(r: Reader, field: Field, validate: boolean): Map<string, string> | undefined {
  const record = readMap(r, field);
  if (record === undefined) return undefined;
  const out = new Map<string, string>();
  for (const key of Object.keys(record)) {
    const entry = child(field, key);
    const value = readItemString(r, entry);
    if (validate) checkLabelKey(r, key, entry);
    if (value === undefined) continue;
    if (validate) checkLabelValue(r, value, entry);
    out.set(key, value);
  }
  return out;
}

export function readLabels(r: Reader, field: Field): Labels {
  return readStringMap(r, field, true) ?? new Map();
}

/**
 * A metav1.LabelSelector, present (the caller decides what absent means).
 * "matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is
 * equivalent to an element of matchExpressions, whose key field is "key", the operator is "In",
 * and the values array contains only "value". The requirements are ANDed."
 */
export function readSelector(r: Reader, field: Field): LabelSelector {
  const record = readMap(r, field);
  if (record === undefined) return { requirements: [] };
  checkFields(r, field, record, ["matchLabels", "matchExpressions"]);
  const requirements: Requirement[] = [];
  for (const [key, value] of readStringMap(r, child(field, "matchLabels"), true) ?? []) {
    requirements.push({ key, operator: "In", values: [value] });
  }
  for (const item of readList(r, child(field, "matchExpressions")) ?? []) {
    const requirement = readRequirement(r, item);
    if (requirement !== undefined) requirements.push(requirement);
  }
  return { requirements: exact(requirements) };
}

function readRequirement(r: Reader, field: Field): Requirement | undefined {
  const record = readItemMap(r, field);
  if (record === undefined) return undefined;
  checkFields(r, field, record, ["key", "operator", "values"]);
  const keyField = child(field, "key");
  const key = requireString(r, keyField);
  if (key !== undefined) checkLabelKey(r, key, keyField);
  const operatorField = child(field, "operator");
  const operatorText = requireString(r, operatorField);
  const valuesField = child(field, "values");
  const values: string[] = [];
  for (const item of readList(r, valuesField) ?? []) {
    const value = readItemString(r, item);
    if (value === undefined) continue;
    checkLabelValue(r, value, item);
    values.push(value);
  }
  if (operatorText === undefined) return undefined;
  const operator = OPERATORS.find((op) => op === operatorText);
  if (operator === undefined) {
    r.error(codes.invalidOperator, messages.invalidOperator(operatorText), operatorField.path);
    return undefined;
  }
  const written = Array.isArray(valuesField.value) ? valuesField.value.length : 0;
  if (operator === "In" || operator === "NotIn") {
    // "If the operator is In or NotIn, the values array must be non-empty."
    if (written === 0) r.error(codes.valuesRequired, messages.valuesRequired(operator), valuesField.path);
    return key === undefined ? undefined : { key, operator, values: exact(values) };
  }
  // "If the operator is Exists or DoesNotExist, the values array must be empty."
  if (written > 0) r.error(codes.valuesForbidden, messages.valuesForbidden(operator), valuesField.path);
  return key === undefined ? undefined : { key, operator };
}

