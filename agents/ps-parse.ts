/**
 * Static checks of the PowerShell probes. No PowerShell runs here, so every `.ps1` is parsed with
 * tree-sitter-powershell (web-tree-sitter, wasm) and must parse without ERROR or MISSING nodes; and each probe's
 * `param(...)` block is read so a test can hold it against the probe's entry in PROBES.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { Language, Parser, type Node } from 'web-tree-sitter';
import type { ProbeParam, ProbeParamType } from './probe-catalog.js';

export interface SyntaxProblem {
  file: string;
  line: number;
  column: number;
  kind: 'ERROR' | 'MISSING';
  /** The node's text (ERROR) or the token the parser expected (MISSING), cut short. */
  text: string;
}

let parserPromise: Promise<Parser> | undefined;

export function powerShellParser(): Promise<Parser> {
  parserPromise ??= (async () => {
    // The grammar is a 1 MB wasm module. With V8's default tiering, Node 20 spends 30-70 s of CPU compiling it
    // with TurboFan after the parse is done and holds the process open meanwhile; the baseline compiler alone
    // parses our probes in milliseconds. The flag only affects wasm compiled after this point.
    setFlagsFromString('--liftoff-only');
    await Parser.init();
    const wasm = createRequire(import.meta.url).resolve('tree-sitter-powershell/tree-sitter-powershell.wasm');
    const parser = new Parser();
    parser.setLanguage(await Language.load(wasm));
    return parser;
  })();
  return parserPromise;
}

async function parse(source: string): Promise<Node> {
  const tree = (await powerShellParser()).parse(source);
  if (tree === null) throw new Error('tree-sitter returned no tree');
  return tree.rootNode;
}

/** Every ERROR and MISSING node of `source`, with 1-based line and column. */
export async function findSyntaxProblems(source: string, file: string): Promise<SyntaxProblem[]> {
  const problems: SyntaxProblem[] = [];
  const visit = (node: Node): void => {
    if (node.isError || node.isMissing) {
      problems.push({
        file,
        line: node.startPosition.row + 1,
        column: node.startPosition.column + 1,
        kind: node.isMissing ? 'MISSING' : 'ERROR',
        text: (node.isMissing ? node.type : node.text).slice(0, 60),
      });
    }
    if (node.hasError) for (const child of node.children) visit(child);
  };
  visit(await parse(source));
  return problems;
}

export function formatProblem(p: SyntaxProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.kind} ${JSON.stringify(p.text)}`;
}

export async function checkPowerShellFile(file: string): Promise<SyntaxProblem[]> {
  return findSyntaxProblems(readFileSync(file, 'utf8'), file);
}

const TYPES: Record<string, ProbeParamType> = {
  '[string]': 'string',
  '[string[]]': 'string[]',
  '[int]': 'int',
  '[switch]': 'switch',
};

/**
 * The parameters of the script's own `param(...)` block: name, type ([string], [string[]], [int], [switch]) and
 * whether `[Parameter(Mandatory)]` (or `Mandatory = $true`) marks it required. An undeclared or other type is
 * reported as the type text so a comparison with PROBES fails visibly.
 */
export async function readParamBlock(source: string): Promise<Array<Omit<ProbeParam, 'type'> & { type: string }>> {
  const root = await parse(source);
  const block = root.namedChildren.find((n) => n.type === 'param_block');
  if (block === undefined) return [];
  return block.descendantsOfType('script_parameter').map((parameter) => {
    const variable = parameter.namedChildren.find((n) => n.type === 'variable');
    const attributes = parameter.namedChildren.find((n) => n.type === 'attribute_list')?.namedChildren ?? [];
    let type = '(none)';
    let required = false;
    for (const attribute of attributes) {
      const literal = attribute.namedChildren.find((n) => n.type === 'type_literal');
      if (literal !== undefined) {
        const text = literal.text.replace(/\s+/g, '').toLowerCase();
        type = TYPES[text] ?? text;
        continue;
      }
      const name = attribute.namedChildren.find((n) => n.type === 'attribute_name')?.text.toLowerCase();
      const args = attribute.namedChildren.find((n) => n.type === 'attribute_arguments')?.text.replace(/\s+/g, '').toLowerCase() ?? '';
      if (name === 'parameter' && /(^|[(,])mandatory(=\$true)?([,)]|$)/.test(args)) required = true;
    }
    return { name: (variable?.text ?? '').replace(/^\$/, ''), type, required };
  });
}
