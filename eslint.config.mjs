// Lint rules for the whole kit: typescript-eslint's recommended set, plus the
// project's own: no `any` without a same-line reason (eslint-disable comment),
// and no console logging inside Lambdas (they log through Powertools Logger).
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "dist/", "reports/", ".pulumi/", "test/fixtures/build/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
    },
  },
  {
    // Type-aware rules: a promise nobody awaits loses its error, and one passed where a
    // plain callback is expected runs unawaited.
    files: ["**/*.ts", "**/*.mts"],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": "error",
    },
  },
  {
    // CommonJS scripts (test harnesses that must load before TypeScript is registered).
    files: ["**/*.cjs"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", process: "readonly", __dirname: "readonly" },
    },
  },
  {
    // Node scripts the pipeline runs (.github/scripts).
    files: [".github/scripts/*.mjs"],
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
  },
  {
    files: ["lambdas/**/*.ts"],
    rules: { "no-console": "error" },
  },
);
