import type { Api } from './api.ts';
import type { GraphView } from './graph.ts';

export type PanelName = 'ask' | 'documents' | 'filters';

/** What every panel shares: the API, the graph view, the chosen collection and the ways to speak to the user. */
export interface Ctx {
  api: Api;
  graph: GraphView;
  /** The chosen collection, or '' for every collection the key may read. */
  collection(): string;
  /** Collections the key may read, as last listed. */
  collections(): string[];
  /** Whether the key may create and delete collections (admin), as last listed. */
  isAdmin(): boolean;
  refreshCollections(): Promise<boolean>;
  notify(message: string, kind?: 'error' | 'info'): void;
  /** Runs an action and shows its error, if any, as a message. */
  guard<T>(what: Promise<T>): Promise<T | undefined>;
  openEntity(id: string, opts?: { expand?: boolean }): Promise<void>;
  expand(id: string): Promise<void>;
  openPassage(documentId: string, chunkId: string, quote?: string): Promise<void>;
  openDocument(documentId: string): Promise<void>;
  showPanel(name: PanelName): void;
  refreshFilters(): void;
  /**
   * The graph's selection changed (node id, or null when cleared): kept in the URL so that a reload
   * or a shared link opens it again. Whatever selects a node calls it (openEntity does).
   */
  selectionChanged(id: string | null): void;
}
