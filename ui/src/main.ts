/**
 * kgrag's web UI: graph exploration, questions and documents in one page. Everything the server
 * returns is shown as text (textContent), never parsed as HTML; the server's Content-Security-Policy
 * allows only this bundle's own script and stylesheet.
 */
import { Api, UiError, query, type CollectionStats, type DocumentDetail, type EntityDetail, type EntitySummary, type Neighbourhood, type Page, type SearchHit } from './api.ts';
import { Chat } from './chat.ts';
import type { Ctx } from './context.ts';
import { Details, paintDots } from './details.ts';
import { Documents } from './documents.ts';
import { clear, h } from './dom.ts';
import { GraphView, colourOf } from './graph.ts';

const api = new Api();
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

const toasts = $('toasts');
const collectionSelect = $<HTMLSelectElement>('collection');
const graphEl = $('graph');
const detailsEl = $('details');
const panelEl = $('panel');
const searchInput = $<HTMLInputElement>('search');
const searchResults = $('search-results');
const statusEl = $('status');
const emptyEl = $('graph-empty');
const keyDialog = $<HTMLDialogElement>('key-dialog');

let knownCollections: string[] = [];
let neighbourhoodHops = 1;
let neighbourhoodLimit = 200;

const graph = new GraphView(graphEl);

function notify(message: string, kind: 'error' | 'info' = 'error'): void {
  const toast = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status', data: { testid: `toast-${kind}` } },
    h('span', {}, message), h('button', { type: 'button', class: 'close', title: 'Dismiss', onclick: () => toast.remove() }, '×'));
  toasts.append(toast);
  setTimeout(() => toast.remove(), kind === 'error' ? 12_000 : 5000);
}

async function guard<T>(what: Promise<T>): Promise<T | undefined> {
  try {
    return await what;
  } catch (err) {
    // A missing key opens the key dialog: that says it better than a message behind it.
    if (err instanceof UiError && err.status === 401 && keyDialog.open) return undefined;
    notify(err instanceof UiError ? err.message : `Something went wrong: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
}

const ctx: Ctx = {
  api,
  graph,
  collection: () => collectionSelect.value,
  collections: () => knownCollections,
  refreshCollections,
  notify,
  guard,
  openEntity,
  expand,
  openPassage,
  openDocument,
  showPanel,
  refreshFilters,
};

const details = new Details(ctx, detailsEl);
const chat = new Chat(ctx);
const documents = new Documents(ctx);
const filters = h('div', { class: 'filters', data: { testid: 'filters' } });

// ---- panels -------------------------------------------------------------------------------------

const panels = { ask: chat.el, documents: documents.el, filters } as const;
const tabs = new Map<string, HTMLButtonElement>();
for (const name of Object.keys(panels) as Array<keyof typeof panels>) {
  const label = { ask: 'Ask', documents: 'Documents', filters: 'Graph' }[name];
  const tab = h('button', { type: 'button', role: 'tab', class: 'tab', data: { testid: `tab-${name}` }, onclick: () => showPanel(name) }, label);
  tabs.set(name, tab);
  $('tabs').append(tab);
}

function showPanel(name: keyof typeof panels): void {
  for (const [n, tab] of tabs) tab.setAttribute('aria-selected', String(n === name));
  clear(panelEl, panels[name]);
  if (name === 'documents') void documents.refresh();
  if (name === 'filters') refreshFilters();
}

function refreshFilters(): void {
  const labels = [...graph.labels()].sort((a, b) => b[1] - a[1]);
  const rels = [...graph.relTypes()].sort((a, b) => b[1] - a[1]);
  const toggle = (set: Set<string>, name: string, count: number, colour?: string) => {
    const box = h('input', { type: 'checkbox', checked: !set.has(name), data: { testid: 'filter' } });
    box.addEventListener('change', () => {
      if (box.checked) set.delete(name);
      else set.add(name);
      graph.refresh();
    });
    return h('label', { class: 'check' }, box, colour ? h('span', { class: 'dot', data: { colour } }) : null, ` ${name} `, h('span', { class: 'muted' }, String(count)));
  };
  const hops = h('select', { data: { testid: 'hops' } }, ...[1, 2, 3].map((n) => h('option', { value: String(n) }, `${n} hop${n > 1 ? 's' : ''}`)));
  hops.value = String(neighbourhoodHops);
  hops.addEventListener('change', () => (neighbourhoodHops = Number(hops.value)));
  const limit = h('select', {}, ...[50, 200, 500].map((n) => h('option', { value: String(n) }, `up to ${n} nodes`)));
  limit.value = String(neighbourhoodLimit);
  limit.addEventListener('change', () => (neighbourhoodLimit = Number(limit.value)));
  clear(filters,
    h('p', { class: 'muted' }, `${graph.nodeCount} nodes, ${graph.graph.size} relationships in view. Click a node to see it and expand its neighbourhood.`),
    h('div', { class: 'row' }, 'Expand by ', hops, limit),
    h('div', { class: 'row' },
      h('button', { type: 'button', onclick: () => graph.highlight([]) }, 'Clear highlight'),
      h('button', { type: 'button', onclick: () => graph.resetCamera() }, 'Fit'),
      h('button', { type: 'button', onclick: () => { graph.clear(); details.empty(); refreshFilters(); updateEmpty(); } }, 'Clear graph'),
      h('button', { type: 'button', onclick: () => void loadStart() }, 'Top entities')),
    h('h3', {}, 'Labels (colour)'),
    labels.length ? h('div', { class: 'checks' }, ...labels.map(([l, c]) => toggle(graph.hiddenLabels, l, c, colourOf(l)))) : h('p', { class: 'muted' }, 'None yet.'),
    h('h3', {}, 'Relationship types'),
    rels.length ? h('div', { class: 'checks' }, ...rels.map(([t, c]) => toggle(graph.hiddenRelTypes, t, c))) : h('p', { class: 'muted' }, 'None yet.'));
  paintDots(filters);
}

graph.onChange = () => {
  updateEmpty();
  if (tabs.get('filters')?.getAttribute('aria-selected') === 'true') refreshFilters();
};

function updateEmpty(): void {
  emptyEl.hidden = graph.nodeCount > 0;
  statusEl.textContent = `${graph.nodeCount} nodes · ${graph.graph.size} relationships`;
}

// ---- entities, passages, documents -------------------------------------------------------------

async function openEntity(id: string, opts: { expand?: boolean } = {}): Promise<void> {
  details.loading('the entity');
  graph.setSelected(id);
  const d = await guard(api.get<EntityDetail>(`/v1/entities/${encodeURIComponent(id)}`));
  if (!d) {
    details.empty();
    return;
  }
  details.entity(d);
  if (opts.expand) await expand(id);
  graph.setSelected(id);
}

async function expand(id: string): Promise<void> {
  statusEl.textContent = 'Expanding…';
  const nb = await guard(api.get<Neighbourhood>(`/v1/entities/${encodeURIComponent(id)}/neighbourhood${query({ hops: neighbourhoodHops, limit: neighbourhoodLimit })}`));
  if (!nb) return updateEmpty();
  const added = graph.addNeighbourhood(nb);
  updateEmpty();
  if (nb.truncated) notify(`Showing ${nb.nodes.length} of more neighbours of "${nb.center.name}" (the cap is ${neighbourhoodLimit}; raise it under Graph).`, 'info');
  else if (added === 0) notify(nb.nodes.length > 1 ? `All neighbours of "${nb.center.name}" are already shown.` : `"${nb.center.name}" has no neighbours.`, 'info');
  document.body.dataset.expanded = String(Number(document.body.dataset.expanded ?? 0) + 1);
}

async function openPassage(documentId: string, chunkId: string, quote?: string): Promise<void> {
  details.loading('the passage');
  const doc = await guard(api.get<DocumentDetail>(`/v1/documents/${encodeURIComponent(documentId)}`));
  if (doc) details.passage(doc, chunkId, quote);
  else details.empty();
}

async function openDocument(documentId: string): Promise<void> {
  details.loading('the document');
  const doc = await guard(api.get<DocumentDetail>(`/v1/documents/${encodeURIComponent(documentId)}`));
  if (doc) details.document(doc);
  else details.empty();
}

graph.sigma.on('clickNode', ({ node }) => void openEntity(node, { expand: !graph.graph.getNodeAttribute(node, 'expanded') }));
graph.sigma.on('clickStage', () => graph.setSelected(null));
graph.sigma.on('enterNode', () => graphEl.classList.add('pointer'));
graph.sigma.on('leaveNode', () => graphEl.classList.remove('pointer'));

// ---- search -----------------------------------------------------------------------------------

let searchSeq = 0;
async function search(text: string): Promise<void> {
  const seq = ++searchSeq;
  const collection = ctx.collection();
  if (text.trim().length < 2) {
    searchResults.hidden = true;
    return;
  }
  const [entities, hits] = await Promise.all([
    guard(api.get<Page<EntitySummary>>(`/v1/entities${query({ q: text, collection, limit: 50 })}`)),
    guard(api.post<{ results: SearchHit[] }>('/v1/search', { text, k: 5, mode: 'hybrid', ...(collection ? { collections: [collection] } : {}) })),
  ]);
  if (seq !== searchSeq) return;
  // The API matches names containing the text; the closest names come first here.
  const t = text.trim().toLowerCase();
  const rank = (e: EntitySummary) => { const n = e.name.toLowerCase(); return n === t ? 0 : n.startsWith(t) ? 1 : n.split(/\s+/).includes(t) ? 2 : 3; };
  const found = (entities?.items ?? []).map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).slice(0, 10).map((x) => x.e);
  const docs = new Map<string, SearchHit>();
  for (const hit of hits?.results ?? []) if (!docs.has(hit.documentId)) docs.set(hit.documentId, hit);
  const close = () => (searchResults.hidden = true);
  clear(searchResults,
    h('h4', {}, 'Entities'),
    ...(found.length
      ? found.map((e) => h('button', { type: 'button', class: 'result', data: { testid: 'search-entity' }, onclick: () => { close(); void openEntity(e.id, { expand: true }); } },
          h('span', { class: 'dot', data: { colour: colourOf(e.type) } }), ` ${e.name} `, h('span', { class: 'muted' }, `${e.type} · ${e.mentions} mentions`)))
      : [h('p', { class: 'muted' }, 'No entity by that name.')]),
    h('h4', {}, 'Passages'),
    ...(docs.size
      ? [...docs.values()].map((d) => h('button', { type: 'button', class: 'result', data: { testid: 'search-document' }, onclick: () => { close(); void openPassage(d.documentId, d.chunkId, ''); } },
          h('b', {}, d.title), d.page ? ` p. ${d.page}` : '', h('div', { class: 'muted snippet' }, d.text.slice(0, 160))))
      : [h('p', { class: 'muted' }, 'No passage matches.')]));
  paintDots(searchResults);
  searchResults.hidden = false;
}

let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void search(searchInput.value), 250);
});
searchInput.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') searchResults.hidden = true;
  if (ev.key === 'Enter') {
    clearTimeout(searchTimer);
    void search(searchInput.value);
  }
});
document.addEventListener('click', (ev) => {
  if (!searchResults.contains(ev.target as Node) && ev.target !== searchInput) searchResults.hidden = true;
});

// ---- API key ----------------------------------------------------------------------------------

const keyInput = $<HTMLInputElement>('key-input');
$('key-button').addEventListener('click', () => openKeyDialog());
function openKeyDialog(): void {
  keyInput.value = '';
  if (!keyDialog.open) keyDialog.showModal();
}
api.onUnauthenticated = () => openKeyDialog();
$('key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  api.key = keyInput.value.trim() || null;
  keyDialog.close();
  void start();
});
$('key-forget').addEventListener('click', () => {
  api.key = null;
  keyDialog.close();
  notify('The API key was forgotten.', 'info');
});

// ---- collections and start --------------------------------------------------------------------

async function refreshCollections(): Promise<boolean> {
  const res = await guard(api.get<{ collections: string[] }>('/v1/collections'));
  if (!res) return false;
  knownCollections = res.collections;
  const current = collectionSelect.value;
  clear(collectionSelect, h('option', { value: '' }, 'All collections'), ...knownCollections.map((c) => h('option', { value: c }, c)));
  collectionSelect.value = knownCollections.includes(current) ? current : '';
  clear($('collection-names'), ...knownCollections.map((c) => h('option', { value: c })));
  return true;
}

collectionSelect.addEventListener('change', () => {
  graph.clear();
  details.empty();
  chat.setCollection(ctx.collection()); // uiask: each collection has its own conversation
  void loadStart();
  if (tabs.get('documents')?.getAttribute('aria-selected') === 'true') void documents.refresh();
});

/** The first view: the most mentioned entities, and the neighbourhoods of the top few. */
async function loadStart(): Promise<void> {
  const collection = ctx.collection();
  const [top, stats] = await Promise.all([
    guard(api.get<Page<EntitySummary>>(`/v1/entities${query({ collection, sort: 'mentions', limit: 40 })}`)),
    guard(api.get<{ collections: CollectionStats[] }>('/v1/stats')),
  ]);
  if (!top) return;
  const counts = (stats?.collections ?? []).filter((s) => !collection || s.collection === collection);
  const sum = (k: keyof CollectionStats) => counts.reduce((n, s) => n + Number(s[k]), 0);
  clear(emptyEl, h('p', {}, top.items.length ? 'Loading the graph…' : 'The graph is empty.'),
    h('p', { class: 'muted' }, `${sum('documents')} documents · ${sum('entities')} entities · ${sum('relationships')} relationships. Upload documents under "Documents", or search above.`));
  top.items.forEach((e, i) => graph.addNode(e, undefined, i, top.items.length));
  for (const e of top.items.slice(0, 5)) {
    const nb = await guard(api.get<Neighbourhood>(`/v1/entities/${encodeURIComponent(e.id)}/neighbourhood${query({ limit: 60 })}`));
    if (nb) graph.addNeighbourhood(nb);
  }
  graph.layout();
  graph.refresh();
  updateEmpty();
  refreshFilters();
}

async function start(): Promise<void> {
  // Without a usable key the 401 has opened the key dialog; start() runs again once a key is given.
  if (!(await refreshCollections())) return;
  graph.clear();
  chat.setCollection(ctx.collection()); // uiask: reopens the collection's conversation after a reload
  await loadStart();
  document.body.dataset.ready = 'true';
}

showPanel('ask');
updateEmpty();
void start();

/** Read-only hooks for the end-to-end tests and the 5,000-node measurement (positions of drawn nodes). */
Object.assign(window, {
  kgragView: {
    nodeCount: () => graph.nodeCount,
    edgeCount: () => graph.graph.size,
    hasNode: (id: string) => graph.graph.hasNode(id),
    screenPosition: (id: string) => graph.screenPosition(id),
    highlighted: () => graph.highlightedNodes,
    expand: (id: string) => expand(id),
  },
});
