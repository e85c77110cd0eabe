/** A document as the documents list shows it (GET /v1/documents, the web UI's table). No behaviour here. */
export interface DocumentSummary {
  id: string;
  collection: string;
  title: string;
  /** What to call it: the title, or the file name when the title says nothing (empty, about:blank, a path). */
  name: string;
  source: string;
  mimeType: string;
  chunks: number;
  /** Characters of extracted text. */
  characters: number | null;
  /** Pages, for paged formats (PDF). */
  pages: number | null;
  /** Distinct entities its passages mention. */
  entities: number;
  /** `extracted`: passages and entities; `indexed`: passages only (searchable, no entities found); `empty`: no text. */
  status: 'extracted' | 'indexed' | 'empty';
  createdAt: string;
  updatedAt: string;
}

/** Keys the documents list may be sorted by (documents/list.cypher knows each). */
export const DOCUMENT_SORTS = ['updatedAt', 'createdAt', 'name', 'type', 'size', 'chunks', 'entities', 'collection'] as const;
export type DocumentSort = (typeof DOCUMENT_SORTS)[number];
