import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** A file of several schema statements, each ending with `;`. */
export function cypherStatements(name: string): string[] {
  return cypher(name)
    .split(/;\s*(?:\n|$)/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
