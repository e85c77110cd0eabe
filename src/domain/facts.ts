/**
 * Facts: every value a source claimed for a property of an entity or relationship, kept as
 * strings `property␟JSON value␟source` in a list property, so that disagreeing sources stay
 * visible and a source's claims can be withdrawn with a string match in Cypher.
 * Sources: `chunk:<chunkId>` for text, `import:<file>#row<n>` for records.
 */
export const FACT_SEPARATOR = '\u001f';

export type FactValue = string | number | boolean | null;

export interface Fact {
  property: string;
  value: unknown;
  source: string;
}

export function fact(property: string, value: FactValue, source: string): string {
  return [property, JSON.stringify(value), source].join(FACT_SEPARATOR);
}

export const chunkSource = (chunkId: string): string => `chunk:${chunkId}`;

export const importSource = (file: string, row: number): string => `import:${file}#row${row}`;

/** Matches every fact whose source starts with `sourcePrefix` (e.g. all chunks of one document). */
export const factSourceMarker = (sourcePrefix: string): string => FACT_SEPARATOR + sourcePrefix;

export function parseFacts(raw: unknown): Fact[] {
  if (!Array.isArray(raw)) return [];
  return raw.flatMap((f) => {
    if (typeof f !== 'string') return [];
    const [property, json, source] = f.split(FACT_SEPARATOR);
    if (!property || json === undefined || !source) return [];
    try {
      return [{ property, value: JSON.parse(json) as unknown, source }];
    } catch {
      return [{ property, value: json, source }];
    }
  });
}
