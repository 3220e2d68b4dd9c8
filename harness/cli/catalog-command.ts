/**
 * `dmc catalog`: prints the DMClient catalogue read from Microsoft's DDF, as a table (path, access, format) or,
 * with --json, as a JSON array with one object per node (every catalogue field; absent values are null so each
 * object has the same keys).
 */
import { Option, type Command } from 'commander';
import { loadCatalog } from '../csp/catalog.js';
import type { CatalogNode, Scope } from '../csp/types.js';

export interface CatalogCommandOptions {
  /** Where the output goes; process.stdout by default. */
  write?: (text: string) => void;
}

export function registerCatalogCommand(program: Command, options: CatalogCommandOptions = {}): void {
  program
    .command('catalog')
    .description("list the DMClient CSP nodes of the catalogue read from Microsoft's DDF")
    .option('--json', 'print the catalogue as a JSON array, one object per node')
    .addOption(new Option('--scope <scope>', 'only the nodes of one tree').choices(['Device', 'User']))
    .action((flags: { json?: boolean; scope?: Scope }) => {
      const write = options.write ?? ((text: string) => void process.stdout.write(text));
      const nodes = loadCatalog().nodes.filter((n) => flags.scope === undefined || n.scope === flags.scope);
      write(flags.json === true ? catalogJson(nodes) : catalogTable(nodes));
    });
}

export function catalogJson(nodes: readonly CatalogNode[]): string {
  return `${JSON.stringify(nodes, (_key, value: unknown) => (value === undefined ? null : value), 2)}\n`;
}

export function catalogTable(nodes: readonly CatalogNode[]): string {
  const rows = nodes.map((n) => [n.path, n.accessTypes.join(','), n.format]);
  const header = ['PATH', 'ACCESS', 'FORMAT'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] as number)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line), `${nodes.length} nodes`].join('\n') + '\n';
}
