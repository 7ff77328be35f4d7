import { CST } from "yaml";

/**
 * Kubernetes objects nest a few dozen levels at most (a CustomResourceDefinition schema perhaps a
 * hundred). Deeper input is hostile or broken, and yaml's composer recurses once per level, so it
 * is refused before composing: a stack overflow there is caught by yaml, but running that close
 * to the stack limit is not safe in V8.
 */
export const MAX_NESTING = 256;

/**
 * The offset of the first collection nested deeper than `limit`, or undefined. Walks yaml's
 * concrete syntax tree (built without recursion) with an explicit stack, so it cannot overflow.
 */
export function findTooDeep(tokens: readonly CST.Token[], limit: number = MAX_NESTING): number | undefined {
  const stack: { token: CST.Token; depth: number }[] = [];
  for (const token of tokens) stack.push({ token, depth: 0 });
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const { token, depth } = next;
    if (token.type === "document") {
      if (token.value !== undefined) stack.push({ token: token.value, depth });
      continue;
    }
    if (!CST.isCollection(token)) continue;
    if (depth + 1 > limit) return token.offset;
    for (const item of token.items) {
      if (item.key !== undefined && item.key !== null) stack.push({ token: item.key, depth: depth + 1 });
      if (item.value !== undefined) stack.push({ token: item.value, depth: depth + 1 });
    }
  }
  return undefined;
}
