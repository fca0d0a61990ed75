import { existsSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The main entry of @kos/protocol is browser-safe (the dashboard imports it): nothing in its module
 * graph imports a Node built-in or uses a Node global. This walks the graph from src/index.ts —
 * every import, `export … from` and dynamic import of our files, type-only ones included (a
 * `import type … from 'node:crypto'` would reach the .d.ts a browser build typechecks) — and on
 * into the JavaScript files of the third-party packages it reaches, which must be on ALLOWED.
 */

/**
 * Third-party packages the main entry may import, each read for Node built-ins and globals (the
 * walk below checks every file of theirs it reaches, so an upgrade that adds one fails here):
 * - canonicalize 4: one ESM file of plain JSON/string code.
 * - typebox 1: ESM, no Node built-in or Buffer/process use; `typebox/compile` builds validators
 *   with `new Function`, so a page whose Content-Security-Policy forbids `unsafe-eval` needs
 *   typebox's non-eval mode.
 */
const ALLOWED = new Set(['canonicalize', 'typebox']);

/** Node-only globals (and the NodeJS type namespace, which needs @types/node to typecheck). */
const NODE_GLOBALS = new Set([
  'Buffer',
  'process',
  'global',
  'require',
  '__dirname',
  '__filename',
  'setImmediate',
  'clearImmediate',
  'NodeJS',
]);

const SRC = dirname(fileURLToPath(import.meta.url));
const ROOT = join(SRC, '../../..');

interface Problem {
  file: string;
  problem: string;
}

interface Graph {
  files: string[];
  problems: Problem[];
}

/** Walks the module graph from `entry`; reports every Node built-in import and Node global use. */
function walk(entry: string): Graph {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  const queue = [entry];
  for (let file = queue.pop(); file !== undefined; file = queue.pop()) {
    if (seen.has(file)) continue;
    seen.add(file);
    const name = relative(ROOT, file);
    const source = parse(file);
    for (const global of nodeGlobalsUsed(source)) problems.push({ file: name, problem: `uses ${global}` });
    for (const specifier of importsOf(source)) {
      if (specifier.startsWith('.')) {
        queue.push(join(dirname(file), specifier));
        continue;
      }
      if (specifier.startsWith('node:') || builtinModules.includes(specifier.split('/')[0]!)) {
        problems.push({ file: name, problem: `imports the Node built-in ${specifier}` });
        continue;
      }
      const pkg = packageName(specifier);
      if (!ALLOWED.has(pkg)) {
        problems.push({ file: name, problem: `imports ${specifier}, a package not checked as browser-safe` });
        continue;
      }
      queue.push(resolvePackage(specifier, file));
    }
  }
  return { files: [...seen].map((f) => relative(ROOT, f)), problems };
}

function parse(file: string): ts.SourceFile {
  const kind = file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS;
  return ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, kind);
}

/** Specifiers of static imports and re-exports (type-only ones too), dynamic import() and require(). */
function importsOf(source: ts.SourceFile): string[] {
  const found: string[] = [];
  const visit = (node: ts.Node): void => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      found.push(node.moduleSpecifier.text);
    } else if (
      ts.isCallExpression(node) &&
      (node.expression.kind === ts.SyntaxKind.ImportKeyword ||
        (ts.isIdentifier(node.expression) && node.expression.text === 'require'))
    ) {
      const [arg] = node.arguments;
      found.push(arg !== undefined && ts.isStringLiteralLike(arg) ? arg.text : '<computed specifier>');
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      const literal = node.argument.literal;
      if (ts.isStringLiteral(literal)) found.push(literal.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Node globals the file refers to (as values or types), skipping property names and its own bindings. */
function nodeGlobalsUsed(source: ts.SourceFile): Set<string> {
  const declared = new Set<string>();
  const used = new Set<string>();
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node) && NODE_GLOBALS.has(node.text)) {
      const parent = node.parent;
      const isPropertyName =
        (ts.isPropertyAccessExpression(parent) && parent.name === node) ||
        (ts.isQualifiedName(parent) && parent.right === node) ||
        ((ts.isPropertyAssignment(parent) ||
          ts.isPropertyDeclaration(parent) ||
          ts.isPropertySignature(parent) ||
          ts.isMethodDeclaration(parent) ||
          ts.isMethodSignature(parent) ||
          ts.isGetAccessor(parent) ||
          ts.isSetAccessor(parent)) &&
          parent.name === node);
      const isBinding =
        (ts.isVariableDeclaration(parent) ||
          ts.isParameter(parent) ||
          ts.isFunctionDeclaration(parent) ||
          ts.isClassDeclaration(parent) ||
          ts.isImportSpecifier(parent) ||
          ts.isImportClause(parent) ||
          ts.isNamespaceImport(parent) ||
          ts.isBindingElement(parent)) &&
        parent.name === node;
      if (isBinding) declared.add(node.text);
      else if (!isPropertyName) used.add(node.text);
    }
    // globalThis.Buffer, globalThis.process
    if (
      ts.isPropertyAccessExpression(node) &&
      ts.isIdentifier(node.expression) &&
      node.expression.text === 'globalThis' &&
      NODE_GLOBALS.has(node.name.text)
    ) {
      used.add(`globalThis.${node.name.text}`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return new Set([...used].filter((g) => !declared.has(g)));
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/**
 * The file a bundler targeting browsers would load for a bare specifier: the package found up
 * the node_modules chain, its `exports` entry for the subpath, conditions in the map's own order
 * (browser, import, module, default), else `module` or `main`.
 */
function resolvePackage(specifier: string, from: string): string {
  const pkg = packageName(specifier);
  const subpath = '.' + specifier.slice(pkg.length);
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const root = join(dir, 'node_modules', pkg);
    if (existsSync(join(root, 'package.json'))) {
      const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        exports?: unknown;
        module?: string;
        main?: string;
      };
      const target =
        manifest.exports !== undefined
          ? pickExport(manifest.exports, subpath)
          : subpath === '.'
            ? (manifest.module ?? manifest.main ?? 'index.js')
            : subpath;
      if (target === undefined) throw new Error(`${specifier}: ${pkg} does not export ${subpath}`);
      return join(root, target);
    }
    if (dirname(dir) === dir) throw new Error(`${specifier}: package ${pkg} not found from ${from}`);
  }
}

const CONDITIONS = new Set(['browser', 'import', 'module', 'default']);

function pickExport(exports: unknown, subpath: string): string | undefined {
  const isSubpathMap =
    typeof exports === 'object' && exports !== null && Object.keys(exports).some((k) => k.startsWith('.'));
  const entry = isSubpathMap
    ? (exports as Record<string, unknown>)[subpath]
    : subpath === '.'
      ? exports
      : undefined;
  const pick = (value: unknown): string | undefined => {
    if (typeof value === 'string') return value;
    if (Array.isArray(value)) return value.map(pick).find((v) => v !== undefined);
    if (typeof value !== 'object' || value === null) return undefined;
    for (const [condition, target] of Object.entries(value)) {
      if (CONDITIONS.has(condition)) {
        const found = pick(target);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return pick(entry);
}

describe('the main entry of @kos/protocol', () => {
  const graph = walk(join(SRC, 'index.ts'));

  it('imports no Node built-in and uses no Node global anywhere in its module graph', () => {
    expect(graph.problems.map((p) => `${p.file}: ${p.problem}`)).toEqual([]);
  });

  it('is checked down into the third-party files it loads', () => {
    // Guards the walk itself: a resolver that silently stopped would make the check above vacuous.
    expect(graph.files).toContain('packages/protocol/src/codec.ts');
    expect(graph.files).toContain('packages/protocol/src/receipts.ts');
    expect(graph.files.some((f) => f.includes('node_modules/canonicalize/'))).toBe(true);
    expect(graph.files.some((f) => f.includes('node_modules/typebox/build/compile/'))).toBe(true);
    expect(graph.files.some((f) => f.includes('/src/node/'))).toBe(false);
  });
});

describe('the browser-safety walk', () => {
  it('names the files of @kos/protocol/node that need Node', () => {
    const problems = walk(join(SRC, 'node.ts')).problems;
    expect(problems).toContainEqual({
      file: 'packages/protocol/src/node/keys.ts',
      problem: 'imports the Node built-in node:crypto',
    });
    expect(problems).toContainEqual({ file: 'packages/protocol/src/node/keys.ts', problem: 'uses Buffer' });
    expect(problems).toContainEqual({ file: 'packages/protocol/src/node/keys.ts', problem: 'uses NodeJS' });
    expect(problems).toContainEqual({ file: 'packages/protocol/src/node/keys.ts', problem: 'uses process' });
  });
});
