import { randomBytes } from 'node:crypto';

/**
 * Untrusted text (documents, questions, graph values) goes to a model between marker lines that
 * carry a random token. The token is chosen so that the text does not contain it: the text cannot
 * fake the end of its own block and smuggle instructions after it.
 */
export function newBoundary(data: string): string {
  for (;;) {
    const token = randomBytes(12).toString('hex');
    if (!data.includes(token)) return token;
  }
}

/** The marker lines of one block, e.g. `blockMarkers('UNTRUSTED CONTEXT', boundary)`. */
export function blockMarkers(kind: string, boundary: string): { begin: string; end: string } {
  return { begin: `<<<BEGIN ${kind} ${boundary}>>>`, end: `<<<END ${kind} ${boundary}>>>` };
}
