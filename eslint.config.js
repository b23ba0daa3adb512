// eslint for the app's browser code (latentlab/ui/components) and its unit tests (tests/js): the recommended
// rules, browser globals for the components, Node's for the tests. Run by tests/test_js_units.py.
import js from "@eslint/js";
import globals from "globals";

export default [
  { ignores: ["node_modules/", "static/", "labtools/vendor/", "docs/"] },
  js.configs.recommended,
  {
    files: ["latentlab/ui/components/**/*.js"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.browser } },
    rules: {
      "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
    },
  },
  {
    files: ["tests/js/**/*.mjs"],
    languageOptions: { ecmaVersion: 2022, sourceType: "module", globals: { ...globals.node } },
  },
];
