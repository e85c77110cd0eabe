import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { GRAPH_SCOPE } from '../domain/ids.ts';

/** Cypher lives in `cypher/<area>/<name>.cypher`, one statement per file, loaded by name. */
const CYPHER_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../cypher');
const cache = new Map<string, string>();

export function cypher(name: string): string {
  let text = cache.get(name);
  if (text === undefined) {
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(name)) throw new Error(`Bad Cypher file name: ${name}`);
    text = stripComments(readFileSync(path.join(CYPHER_ROOT, `${name}.cypher`), 'utf8'));
    cache.set(name, text);
  }
  return text;
}

/** Drops `//` comment lines so that the query text sent (and logged) is just the statement. */
function stripComments(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('//'))
    .join('\n')
    .trim();
}

/**
 * Backtick-quotes a label, relationship type or property name that comes from data. Names are
 * first checked against an allowlist pattern by callers; quoting also escapes backticks so that
 * no name can ever break out of its position in the query.
 */
export function quoteName(name: string): string {
  return '`' + name.replaceAll('`', '``') + '`';
}

/**
 * The scope test of one node in generated Cypher: its collection is one of the caller's, where a
 * node without a `collection` (a graph kgrag did not build) belongs to the reserved GRAPH_SCOPE.
 */
export function inScope(variable: string, param = 'collections'): string {
  return `coalesce(${variable}.collection, '${GRAPH_SCOPE}') IN $${param}`;
}

/** A label expression matching any of the stored labels a catalog label stands for: `Person|Kgrag_Person`. */
export function labelExpression(stored: string | readonly string[]): string {
  return (typeof stored === 'string' ? [stored] : stored).map(quoteName).join('|');
}

/** A file of several schema statements, each ending with `;`. */
export function cypherStatements(name: string): string[] {
  return cypher(name)
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
