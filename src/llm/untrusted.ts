import { randomBytes } from 'node:crypto';

/**
 * Untrusted text (documents, questions, graph values) goes to a model between marker lines that
 * carry a random token. The token is chosen so that the text does not contain it: the text cannot
 * fake the end of its own block and smuggle instructions after it.
 */
export function newBoundary(data: string): string {
  for (;;) {
    // 64 random bits: never guessed by text written in advance, and few tokens in every prompt.
    const token = randomBytes(8).toString('hex');
    if (!data.includes(token)) return token;
  }
}

/** The marker lines of one block, e.g. `blockMarkers('UNTRUSTED CONTEXT', boundary)`. */
export function blockMarkers(kind: string, boundary: string): { begin: string; end: string } {
  return { begin: `<<<BEGIN ${kind} ${boundary}>>>`, end: `<<<END ${kind} ${boundary}>>>` };
}
