// ESLint (typescript-eslint, type-aware) for src/ and bench/. Run by `npm test` before the tests.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import { builtinModules } from "node:module";

/** Folders whose code is a function of its inputs: no Node built-ins, no adapters (see src/purity.test.ts). */
export const PURE = ["net", "dns", "feeds", "model", "diag", "text", "k8s", "engine", "reference", "analysis", "render", "lint", "diff", "graph", "scaffold", "nft", "ui-model"];
export const ADAPTERS = ["feeds-io", "io", "enforce", "lab", "labrun", "cli", "kube", "agent", "verify", "ui-server"];

export const purity = {
  "no-restricted-imports": [
    "error",
    {
      paths: builtinModules.map((name) => ({ name, message: "pure folders use no Node built-ins: move I/O to an adapter (src/io, enforce, lab, labrun, cli)" })),
      patterns: [
        { regex: "^node:", message: "pure folders use no Node built-ins: move I/O to an adapter" },
        { regex: `^(\\.\\./)+(${ADAPTERS.join("|")})/`, allowTypeImports: true, message: "pure folders do not import the adapters" },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "eslint.config.js"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
      "@typescript-eslint/await-thenable": "error",
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  { files: PURE.map((folder) => `src/${folder}/**/*.ts`), ignores: ["**/*.test.ts"], rules: purity },
  // node:test's test() returns a promise the runner itself awaits.
  { files: ["**/*.test.ts"], rules: { "@typescript-eslint/no-floating-promises": "off" } },
);
