/**
 * yaml 2.9 can take the process down (V8 "RegExpCompiler Allocation failed - process out of
 * memory") on a document indented a few thousand columns deep, once its lexer's regexes have
 * warmed up; found by test/fuzz/parsers.fuzz.test.ts. No configuration or template needs more than
 * a few levels, so deeper documents are refused before they are parsed.
 */
export const MAX_YAML_INDENT = 256;

/** Why `source` is not given to the YAML parser, or null when it may be. */
export function yamlIndentProblem(source: string): string | null {
  let deepest = 0;
  for (const m of source.matchAll(/^[ \t]+/gm)) deepest = Math.max(deepest, m[0].length);
  return deepest > MAX_YAML_INDENT
    ? `malformed YAML: a line is indented ${deepest} columns (at most ${MAX_YAML_INDENT})`
    : null;
}
