import { reasons } from "../diag/catalogue.js";

/**
 * The API server's name rules (k8s.io/apimachinery/pkg/util/validation). Each returns the reason a
 * text breaks the rule, or undefined when it is valid.
 */

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

/** IsDNS1123Label: namespaces and services. */
export function dns1123LabelProblem(text: string): string | undefined {
  if (text === "") return reasons.empty();
  if (text.length > 63) return reasons.tooLong(63);
  return DNS1123_LABEL.test(text) ? undefined : reasons.dns1123Label();
}

/** IsDNS1123Subdomain: most object names. */
export function dns1123SubdomainProblem(text: string): string | undefined {
  if (text === "") return reasons.empty();
  if (text.length > 253) return reasons.tooLong(253);
  return DNS1123_SUBDOMAIN.test(text) ? undefined : reasons.dns1123Subdomain();
}

/** IsQualifiedName: a label key, `[prefix/]name`. */
export function labelKeyProblem(key: string): string | undefined {
  const parts = key.split("/");
  if (parts.length > 2) return reasons.labelKeyParts();
  const name = parts.length === 2 ? (parts[1] ?? "") : key;
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    if (prefix === "" || dns1123SubdomainProblem(prefix) !== undefined) return reasons.labelKeyPrefix(prefix);
  }
  if (name === "") return reasons.labelKeyParts();
  if (name.length > 63) return reasons.tooLong(63);
  return QUALIFIED_NAME.test(name) ? undefined : reasons.qualifiedName();
}

/** IsValidLabelValue: may be empty. */
export function labelValueProblem(value: string): string | undefined {
  if (value.length > 63) return reasons.tooLong(63);
  return LABEL_VALUE.test(value) ? undefined : reasons.labelValue();
}

/**
 * IsValidPortName (IANA_SVC_NAME): 1-15 characters of a-z, 0-9 and '-', at least one letter, not
 * starting or ending with '-', no '--'.
 */
export function isValidPortName(name: string): boolean {
  return (
    name.length >= 1 &&
    name.length <= 15 &&
    /^[-a-z0-9]+$/.test(name) &&
    /[a-z]/.test(name) &&
    !name.includes("--") &&
    !name.startsWith("-") &&
    !name.endsWith("-")
  );
}

/** IsValidPortNum. */
export function isValidPortNumber(port: number): boolean {
  return Number.isInteger(port) && port >= 1 && port <= 65535;
}
