import { messages } from "../diag/catalogue.js";
import { codes } from "./codes.js";
import type { FieldPath } from "./path.js";
import { describeValue, isRecord } from "./values.js";

export interface ListObject {
  readonly base: FieldPath;
  readonly value: unknown;
}

export interface ListProblem {
  readonly code: string;
  readonly message: string;
  readonly path: FieldPath;
}

/** Lists inside lists are unusual; this bounds the expansion all the same. */
const MAX_LIST_NESTING = 8;

/**
 * Expands `kind: List` (what `kubectl get -o yaml` prints) and typed lists such as
 * `NetworkPolicyList` (what the API returns) into their items. Items of a typed list may omit
 * `kind` and `apiVersion`; they take them from the list, as kubectl does.
 */
export function expandLists(value: unknown): { objects: ListObject[]; problems: ListProblem[] } {
  const objects: ListObject[] = [];
  const problems: ListProblem[] = [];
  const visit = (v: unknown, base: FieldPath, depth: number): void => {
    if (!isRecord(v) || typeof v["kind"] !== "string" || !v["kind"].endsWith("List") || depth >= MAX_LIST_NESTING) {
      objects.push({ base, value: v });
      return;
    }
    const items = v["items"];
    if (items === undefined || items === null) return; // an empty list
    if (!Array.isArray(items)) {
      problems.push({ code: codes.wrongType, message: messages.wrongType("a list", describeValue(items)), path: [...base, "items"] });
      return;
    }
    const itemKind = v["kind"] === "List" ? undefined : v["kind"].slice(0, -"List".length);
    items.forEach((item: unknown, i) => {
      const path = [...base, "items", i];
      if (!isRecord(item)) {
        problems.push({ code: codes.notAnObject, message: messages.notAnObject(describeValue(item)), path });
        return;
      }
      const inherited = itemKind === undefined ? {} : { apiVersion: v["apiVersion"], kind: itemKind };
      visit(itemKind === undefined || item["kind"] !== undefined ? item : { ...inherited, ...item }, path, depth + 1);
    });
  };
  visit(value, [], 0);
  return { objects, problems };
}
