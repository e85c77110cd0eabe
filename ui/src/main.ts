/**
 * kgrag's web UI: graph exploration, questions and documents in one page. Everything the server
 * returns is shown as text (textContent), never parsed as HTML; the server's Content-Security-Policy
 * allows only this bundle's own script and stylesheet.
 */
import { Api, UiError, query, type DocumentDetail, type EntityDetail, type EntitySummary, type Health, type Neighbourhood, type Page, type SearchHit } from './api.ts';
import { Chat } from './chat.ts';
import type { Ctx, PanelName } from './context.ts';
import { Details, paintDots } from './details.ts';
import { Documents } from './documents.ts';
import { clear, h, keepFocus, tablist } from './dom.ts';
import { GraphView, colourOf, yieldToPage } from './graph.ts';
import { defineMessages, formatNumber, locale, onLocaleChange, setLocale, type Locale } from './i18n.ts';

const t = defineMessages({
  en: {
    allCollections: 'All collections',
    collection: 'Collection',
    search: 'Search entities and documents',
    language: 'Language',
    apiKey: 'API key',
    keyHelp: 'This server needs an API key. Create one with',
    keyHelp2: 'and paste it here. It is kept for this browser tab only.',
    useKey: 'Use this key',
    forgetKey: 'Forget key',
    keyForgotten: 'The API key was forgotten.',
    hideLeft: 'Hide the side panel',
    showLeft: 'Show the side panel',
    hideRight: 'Hide the details',
    showRight: 'Show the details',
    tabAsk: 'Ask',
    tabDocuments: 'Documents',
    tabFilters: 'Filters',
    panels: 'Panels',
    views: 'Views',
    viewGraph: 'Graph',
    viewPanel: 'Ask & docs',
    viewDetails: 'Details',
    offline: 'The kgrag server cannot be reached. What you see may be out of date.',
    retry: 'Retry now',
    dismiss: 'Dismiss',
    somethingWrong: (m: string) => `Something went wrong: ${m}`,
    counts: (n: number, r: number) => `${formatNumber(n)} nodes · ${formatNumber(r)} relationships`,
    loadingGraph: 'Loading the graph…',
    graphCleared: 'The graph is empty. Search for an entity, or choose “Top entities” under Filters.',
    graphNothing: 'This collection holds no entities yet. Upload documents or import records under Documents.',
    graphFailed: 'The graph could not be loaded. See the message below, then try again.',
    graphOffline: 'The server cannot be reached, so there is no graph to show.',
    expanding: 'Expanding…',
    truncated: (n: number, name: string, cap: number) => `Showing ${n} of more neighbours of "${name}" (the cap is ${cap}; raise it under Filters).`,
    allShown: (name: string) => `All neighbours of "${name}" are already shown.`,
    noNeighbours: (name: string) => `"${name}" has no neighbours.`,
    inView: (n: number, r: number) => `${formatNumber(n)} nodes, ${formatNumber(r)} relationships in view. Click a node to see it and expand its neighbourhood.`,
    expandBy: 'Expand by',
    hops: (n: number) => (n === 1 ? '1 hop' : `${n} hops`),
    upTo: (n: number) => `up to ${n} nodes`,
    clearHighlight: 'Clear highlight',
    fit: 'Fit',
    clearGraph: 'Clear graph',
    topEntities: 'Top entities',
    labelsColour: 'Labels (colour)',
    relTypes: 'Relationship types',
    noneYet: 'None yet.',
    entities: 'Entities',
    passages: 'Passages',
    mentions: (type: string, n: number) => `${type} · ${formatNumber(n)} mentions`,
    noEntity: 'No entity by that name.',
    noPassage: 'No passage matches.',
    searchFailed: (m: string) => `Search failed: ${m}`,
    searching: 'Searching…',
    page: (n: number) => ` p. ${n}`,
  },
  zh: {
    allCollections: '所有集合',
    collection: '集合',
    search: '搜索实体和文档',
    language: '语言',
    apiKey: 'API 密钥',
    keyHelp: '此服务器需要 API 密钥。请用以下命令创建：',
    keyHelp2: '然后粘贴到这里。它只保存在此浏览器标签页中。',
    useKey: '使用此密钥',
    forgetKey: '忘记密钥',
    keyForgotten: '已忘记 API 密钥。',
    hideLeft: '隐藏侧边栏',
    showLeft: '显示侧边栏',
    hideRight: '隐藏详情',
    showRight: '显示详情',
    tabAsk: '提问',
    tabDocuments: '文档',
    tabFilters: '筛选',
    panels: '面板',
    views: '视图',
    viewGraph: '图谱',
    viewPanel: '提问与文档',
    viewDetails: '详情',
    offline: '无法连接 kgrag 服务器。您看到的内容可能已过时。',
    retry: '立即重试',
    dismiss: '关闭',
    somethingWrong: (m: string) => `出错了：${m}`,
    counts: (n: number, r: number) => `${formatNumber(n)} 个节点 · ${formatNumber(r)} 条关系`,
    loadingGraph: '正在加载图谱…',
    graphCleared: '图谱为空。请搜索实体，或在“筛选”下选择“热门实体”。',
    graphNothing: '此集合还没有实体。请在“文档”下上传文档或导入记录。',
    graphFailed: '无法加载图谱。请查看下方消息，然后重试。',
    graphOffline: '无法连接服务器，因此没有可显示的图谱。',
    expanding: '正在展开…',
    truncated: (n: number, name: string, cap: number) => `显示“${name}”的 ${n} 个邻居（还有更多；上限为 ${cap}，可在“筛选”下调高）。`,
    allShown: (name: string) => `“${name}”的所有邻居都已显示。`,
    noNeighbours: (name: string) => `“${name}”没有邻居。`,
    inView: (n: number, r: number) => `当前显示 ${formatNumber(n)} 个节点、${formatNumber(r)} 条关系。点击节点查看并展开其邻域。`,
    expandBy: '展开范围',
    hops: (n: number) => `${n} 跳`,
    upTo: (n: number) => `最多 ${n} 个节点`,
    clearHighlight: '清除高亮',
    fit: '适应窗口',
    clearGraph: '清空图谱',
    topEntities: '热门实体',
    labelsColour: '标签（颜色）',
    relTypes: '关系类型',
    noneYet: '暂无。',
    entities: '实体',
    passages: '段落',
    mentions: (type: string, n: number) => `${type} · ${formatNumber(n)} 次提及`,
    noEntity: '没有该名称的实体。',
    noPassage: '没有匹配的段落。',
    searchFailed: (m: string) => `搜索失败：${m}`,
    searching: '正在搜索…',
    page: (n: number) => ` 第 ${n} 页`,
  },
});

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
const banner = $('banner');
const localeSelect = $<HTMLSelectElement>('locale');
const keyButton = $<HTMLButtonElement>('key-button');

let knownCollections: string[] = [];
let knownRole = '';
let neighbourhoodHops = 1;
let neighbourhoodLimit = 200;
/** What the empty graph says: true at every moment (loading, cleared, nothing there, failed, offline). */
let graphState: 'loading' | 'cleared' | 'nothing' | 'failed' | 'offline' = 'loading';
let selectedNode: string | null = null;

const graph = new GraphView(graphEl);
// Panels fold, widen and switch: the canvas follows its box, whatever changed it.
new ResizeObserver(() => {
  graph.sigma.resize();
  graph.sigma.refresh();
}).observe(graphEl);

// ---- messages: one toast per message, repeated ones counted instead of stacked --------------------

const shown = new Map<string, { drop: () => void; count: HTMLElement; n: number; timer: ReturnType<typeof setTimeout> }>();

function notify(message: string, kind: 'error' | 'info' = 'error'): void {
  const key = `${kind}:${message}`;
  const ttl = kind === 'error' ? 12_000 : 5000;
  const existing = shown.get(key);
  if (existing) {
    existing.n++;
    existing.count.textContent = ` ×${existing.n}`;
    clearTimeout(existing.timer);
    // The first toast's own drop: this call made no toast of its own.
    existing.timer = setTimeout(existing.drop, ttl);
    return;
  }
  const count = h('span', { class: 'count', data: { testid: 'toast-count' } });
  const toast = h('div', { class: `toast ${kind}`, role: kind === 'error' ? 'alert' : 'status', data: { testid: `toast-${kind}` } },
    h('span', {}, message), count, h('button', { type: 'button', class: 'close', title: t('dismiss'), aria: { label: t('dismiss') }, onclick: drop }, '×'));
  function drop() {
    const entry = shown.get(key);
    if (entry) clearTimeout(entry.timer);
    shown.delete(key);
    toast.remove();
  }
  shown.set(key, { drop, count, n: 1, timer: setTimeout(drop, ttl) });
  toasts.append(toast);
}

async function guard<T>(what: Promise<T>): Promise<T | undefined> {
  try {
    return await what;
  } catch (err) {
    // A missing key opens the key dialog: that says it better than a message behind it.
    if (err instanceof UiError && err.status === 401 && keyDialog.open) return undefined;
    // An unreachable server is said once, by the banner.
    if (err instanceof UiError && err.code === 'NETWORK') return undefined;
    notify(err instanceof UiError ? err.message : t('somethingWrong', err instanceof Error ? err.message : String(err)));
    return undefined;
  }
}

// ---- offline banner -------------------------------------------------------------------------------

let healthTimer: ReturnType<typeof setInterval> | undefined;
api.onReachable = (reachable) => {
  if (reachable === banner.hidden) return;
  banner.hidden = reachable;
  document.body.dataset.offline = String(!reachable);
  if (!reachable) {
    if (graph.nodeCount === 0) setGraphState('offline');
    healthTimer ??= setInterval(() => void checkHealth(), 5000);
  } else {
    clearInterval(healthTimer);
    healthTimer = undefined;
    if (graph.nodeCount === 0) void loadStart();
  }
};
$('banner-retry').addEventListener('click', () => void checkHealth());

async function checkHealth(): Promise<Health | undefined> {
  try {
    return await api.get<Health>('/health');
  } catch {
    return undefined;
  }
}

// ---- the view in the URL: collection, selected node, open panel, view on small screens ------------

type View = 'graph' | 'panel' | 'details';
const VIEWS: View[] = ['graph', 'panel', 'details'];
const PANELS: PanelName[] = ['ask', 'documents', 'filters'];
const initial = new URLSearchParams(location.search);

function saveUrl(): void {
  const params = new URLSearchParams();
  if (collectionSelect.value) params.set('collection', collectionSelect.value);
  if (selectedNode) params.set('node', selectedNode);
  params.set('panel', currentPanel);
  if (currentView !== 'graph') params.set('view', currentView);
  const next = `${location.pathname}?${params}`;
  if (next !== `${location.pathname}${location.search}`) history.replaceState(null, '', next);
}

/** The graph's selection changed (a click, a search result, a link in the details): kept in the URL. */
function selectionChanged(id: string | null): void {
  selectedNode = id;
  saveUrl();
}

// ---- context ------------------------------------------------------------------------------------

const ctx: Ctx = {
  api,
  graph,
  collection: () => collectionSelect.value,
  collections: () => knownCollections,
  isAdmin: () => knownRole === 'admin',
  refreshCollections,
  notify,
  guard,
  openEntity,
  expand,
  openPassage,
  openDocument,
  showPanel,
  refreshFilters,
  selectionChanged,
};

const details = new Details(ctx, detailsEl);
const chat = new Chat(ctx);
const documents = new Documents(ctx);
const filters = h('div', { class: 'filters', data: { testid: 'filters' } });

// ---- panels (tabs in the side panel) and views (tabs for the whole page on small screens) ---------

const panels: Record<PanelName, HTMLElement> = { ask: chat.el, documents: documents.el, filters };
let currentPanel: PanelName = PANELS.includes(initial.get('panel') as PanelName) ? (initial.get('panel') as PanelName) : 'ask';
let currentView: View = VIEWS.includes(initial.get('view') as View) ? (initial.get('view') as View) : 'graph';

const panelTabs = tablist($('tabs'), PANELS.map((name) => ({ name, controls: 'panel', testid: `tab-${name}` })), (name) => showPanel(name as PanelName));
const viewTabs = tablist($('views'), VIEWS.map((name) => ({ name, controls: { graph: 'graph-view', panel: 'left', details: 'details' }[name], testid: `view-${name}` })), (name) => showView(name as View));

function showPanel(name: PanelName, reveal = true): void {
  currentPanel = name;
  document.body.dataset.panel = name;
  panelTabs.select(name);
  panelEl.setAttribute('aria-labelledby', panelTabs.tab(name).id);
  if (panelEl.firstChild !== panels[name]) clear(panelEl, panels[name]);
  if (name === 'documents') void documents.refresh();
  if (name === 'filters') refreshFilters();
  if (reveal && currentView !== 'panel') showView('panel', false);
  saveUrl();
}

/** On small screens one view at a time; on wide ones every view shows and this only records the choice. */
function showView(name: View, remember = true): void {
  if (!narrow.matches && !remember) return;
  currentView = name;
  viewTabs.select(name);
  document.body.dataset.view = name;
  for (const v of VIEWS) {
    const el = $({ graph: 'graph-view', panel: 'left', details: 'details' }[v]);
    el.setAttribute('role', narrow.matches ? 'tabpanel' : v === 'graph' ? 'region' : 'complementary');
    if (narrow.matches) el.setAttribute('aria-labelledby', viewTabs.tab(v).id);
    else el.removeAttribute('aria-labelledby');
  }
  if (name === 'graph') requestAnimationFrame(() => graph.sigma.resize());
  saveUrl();
}

const narrow = window.matchMedia('(max-width: 768px)');
narrow.addEventListener('change', () => {
  showView(currentView);
  requestAnimationFrame(() => graph.sigma.resize());
});

function togglePanel(side: 'left' | 'right'): void {
  const cls = `${side}-collapsed`;
  document.body.classList.toggle(cls);
  updateToggles();
  requestAnimationFrame(() => graph.sigma.resize());
}

function updateToggles(): void {
  for (const side of ['left', 'right'] as const) {
    const button = $(`toggle-${side}`);
    const open = !document.body.classList.contains(`${side}-collapsed`);
    button.setAttribute('aria-expanded', String(open));
    const label = side === 'left' ? (open ? t('hideLeft') : t('showLeft')) : open ? t('hideRight') : t('showRight');
    button.title = label;
    button.setAttribute('aria-label', label);
  }
}
$('toggle-left').addEventListener('click', () => togglePanel('left'));
$('toggle-right').addEventListener('click', () => togglePanel('right'));

function refreshFilters(): void {
  const labels = [...graph.labels()].sort((a, b) => b[1] - a[1]);
  const rels = [...graph.relTypes()].sort((a, b) => b[1] - a[1]);
  const toggle = (set: Set<string>, name: string, count: number, colour?: string) => {
    const box = h('input', { type: 'checkbox', checked: !set.has(name), data: { testid: 'filter', focus: `filter:${name}` } });
    box.addEventListener('change', () => {
      if (box.checked) set.delete(name);
      else set.add(name);
      graph.refresh();
      graph.controls.renderLegend(); // the legend shows the label hidden too, now
    });
    return h('label', { class: 'check' }, box, colour ? h('span', { class: 'dot', data: { colour } }) : null, ` ${name} `, h('span', { class: 'muted' }, formatNumber(count)));
  };
  const hops = h('select', { data: { testid: 'hops', focus: 'hops' }, aria: { label: t('expandBy') } }, ...[1, 2, 3].map((n) => h('option', { value: String(n) }, t('hops', n))));
  hops.value = String(neighbourhoodHops);
  hops.addEventListener('change', () => (neighbourhoodHops = Number(hops.value)));
  const limit = h('select', { data: { focus: 'limit' }, aria: { label: t('upTo', neighbourhoodLimit) } }, ...[50, 200, 500, 2000, 5000].map((n) => h('option', { value: String(n) }, t('upTo', n))));
  limit.value = String(neighbourhoodLimit);
  limit.addEventListener('change', () => (neighbourhoodLimit = Number(limit.value)));
  const button = (key: string, label: string, onclick: () => void) => h('button', { type: 'button', data: { focus: key, testid: key }, onclick }, label);
  keepFocus(filters, () => {
    clear(filters,
      h('p', { class: 'muted' }, t('inView', graph.nodeCount, graph.graph.size)),
      h('div', { class: 'row' }, t('expandBy'), ' ', hops, limit),
      h('div', { class: 'row' },
        button('clear-highlight', t('clearHighlight'), () => graph.highlight([])),
        button('fit', t('fit'), () => graph.resetCamera()),
        button('clear-graph', t('clearGraph'), () => {
          graph.clear();
          details.empty();
          selectionChanged(null);
          setGraphState('cleared');
          refreshFilters();
        }),
        button('top-entities', t('topEntities'), () => void loadStart())),
      h('h3', {}, t('labelsColour')),
      labels.length ? h('div', { class: 'checks' }, ...labels.map(([l, c]) => toggle(graph.hiddenLabels, l, c, colourOf(l)))) : h('p', { class: 'muted' }, t('noneYet')),
      h('h3', {}, t('relTypes')),
      rels.length ? h('div', { class: 'checks' }, ...rels.map(([ty, c]) => toggle(graph.hiddenRelTypes, ty, c))) : h('p', { class: 'muted' }, t('noneYet')));
  });
  paintDots(filters);
}

graph.onChange = () => {
  updateEmpty();
  if (currentPanel === 'filters') refreshFilters();
};

function setGraphState(state: typeof graphState): void {
  graphState = state;
  updateEmpty();
}

function updateEmpty(): void {
  emptyEl.hidden = graph.nodeCount > 0;
  document.body.dataset.graphState = graph.nodeCount > 0 ? 'shown' : graphState;
  $('graph-empty-text').textContent = {
    loading: t('loadingGraph'),
    cleared: t('graphCleared'),
    nothing: t('graphNothing'),
    failed: t('graphFailed'),
    offline: t('graphOffline'),
  }[graphState];
  // Counts are of what is drawn: none while loading or after a failure.
  statusEl.textContent = graph.nodeCount > 0 ? t('counts', graph.nodeCount, graph.graph.size) : '';
}

// ---- entities, passages, documents -------------------------------------------------------------

/** On small screens the details are a view of their own: opening something there shows it. */
function revealDetails(): void {
  if (narrow.matches) showView('details');
}

async function openEntity(id: string, opts: { expand?: boolean } = {}): Promise<void> {
  details.loading('entity');
  revealDetails();
  graph.setSelected(id);
  selectionChanged(id);
  const d = await guard(api.get<EntityDetail>(`/v1/entities/${encodeURIComponent(id)}`));
  if (!d) {
    details.failed();
    return;
  }
  details.entity(d);
  if (opts.expand) await expand(id);
  graph.setSelected(id);
}

async function expand(id: string): Promise<void> {
  statusEl.textContent = t('expanding');
  const nb = await guard(api.get<Neighbourhood>(`/v1/entities/${encodeURIComponent(id)}/neighbourhood${query({ hops: neighbourhoodHops, limit: neighbourhoodLimit })}`));
  if (!nb) return updateEmpty();
  await yieldToPage();
  const added = graph.addNeighbourhood(nb);
  updateEmpty();
  if (nb.truncated) notify(t('truncated', nb.nodes.length, nb.center.name, neighbourhoodLimit), 'info');
  else if (added === 0) notify(nb.nodes.length > 1 ? t('allShown', nb.center.name) : t('noNeighbours', nb.center.name), 'info');
  document.body.dataset.expanded = String(Number(document.body.dataset.expanded ?? 0) + 1);
}

async function openPassage(documentId: string, chunkId: string, quote?: string): Promise<void> {
  details.loading('passage');
  revealDetails();
  const doc = await guard(api.get<DocumentDetail>(`/v1/documents/${encodeURIComponent(documentId)}`));
  if (doc) details.passage(doc, chunkId, quote);
  else details.failed();
}

async function openDocument(documentId: string): Promise<void> {
  details.loading('document');
  revealDetails();
  const doc = await guard(api.get<DocumentDetail>(`/v1/documents/${encodeURIComponent(documentId)}`));
  if (doc) details.document(doc);
  else details.failed();
}

// A click on the canvas selects (and opens) a node; expanding is its own action (double click, Expand, E).
graph.onSelect = (id) => {
  if (id) void openEntity(id);
  else selectionChanged(null);
};
graph.onExpand = (id) => void expand(id);

// ---- search: a combobox whose results are reached with the arrow keys -----------------------------

let searchSeq = 0;
let lastSearch = '';
async function search(text: string): Promise<void> {
  const seq = ++searchSeq;
  lastSearch = text;
  const collection = ctx.collection();
  if (text.trim().length < 2) {
    closeResults();
    return;
  }
  clear(searchResults, h('p', { class: 'muted' }, t('searching')));
  openResults();
  let failure: string | null = null;
  const fail = (err: unknown) => {
    failure = err instanceof UiError && err.code === 'NETWORK' ? t('offline') : err instanceof Error ? err.message : String(err);
    return undefined;
  };
  const [entities, hits] = await Promise.all([
    api.get<Page<EntitySummary>>(`/v1/entities${query({ q: text, collection, limit: 50 })}`).catch(fail),
    api.post<{ results: SearchHit[] }>('/v1/search', { text, k: 5, mode: 'hybrid', ...(collection ? { collections: [collection] } : {}) }).catch(fail),
  ]);
  if (seq !== searchSeq) return;
  if (failure !== null) {
    // A failed search is not an empty one: say why nothing is listed.
    clear(searchResults, h('p', { class: 'error', role: 'alert', data: { testid: 'search-error' } }, t('searchFailed', failure)));
    openResults();
    return;
  }
  // The API matches names containing the text; the closest names come first here.
  const q = text.trim().toLowerCase();
  const rank = (e: EntitySummary) => { const n = e.name.toLowerCase(); return n === q ? 0 : n.startsWith(q) ? 1 : n.split(/\s+/).includes(q) ? 2 : 3; };
  const found = (entities?.items ?? []).map((e, i) => ({ e, i })).sort((a, b) => rank(a.e) - rank(b.e) || a.i - b.i).slice(0, 10).map((x) => x.e);
  const docs = new Map<string, SearchHit>();
  for (const hit of hits?.results ?? []) if (!docs.has(hit.documentId)) docs.set(hit.documentId, hit);
  let n = 0;
  const option = (testid: string, onChoose: () => void, ...children: Array<Node | string>) =>
    h('div', { role: 'option', id: `search-option-${n++}`, class: 'result', tabIndex: -1, aria: { selected: 'false' }, data: { testid }, onclick: () => { closeResults(); onChoose(); } }, ...children);
  clear(searchResults,
    h('div', { role: 'group', aria: { label: t('entities') } },
      h('h4', { aria: { hidden: 'true' } }, t('entities')),
      ...(found.length
        ? found.map((e) => option('search-entity', () => void openEntity(e.id, { expand: true }).then(() => details.focusHeading()),
            h('span', { class: 'dot', data: { colour: colourOf(e.type) } }), ` ${e.name} `, h('span', { class: 'muted' }, t('mentions', e.type, e.mentions))))
        : [h('p', { class: 'muted' }, t('noEntity'))])),
    h('div', { role: 'group', aria: { label: t('passages') } },
      h('h4', { aria: { hidden: 'true' } }, t('passages')),
      ...(docs.size
        ? [...docs.values()].map((d) => option('search-document', () => void openPassage(d.documentId, d.chunkId, '').then(() => details.focusHeading()),
            h('b', {}, d.title), d.page ? t('page', d.page) : '', h('div', { class: 'muted snippet' }, d.text.slice(0, 160))))
        : [h('p', { class: 'muted' }, t('noPassage'))])));
  paintDots(searchResults);
  openResults();
}

function options(): HTMLElement[] {
  return [...searchResults.querySelectorAll<HTMLElement>('[role="option"]')];
}

function openResults(): void {
  searchResults.hidden = false;
  searchResults.setAttribute('role', 'listbox');
  searchInput.setAttribute('aria-expanded', 'true');
}

function closeResults(): void {
  searchResults.hidden = true;
  searchInput.setAttribute('aria-expanded', 'false');
  searchInput.removeAttribute('aria-activedescendant');
}

/** Moves the active option; the input keeps focus (aria-activedescendant), as a combobox does. */
function moveActive(delta: number | 'first' | 'last'): void {
  const all = options();
  if (!all.length) return;
  const current = all.findIndex((o) => o.getAttribute('aria-selected') === 'true');
  const next = delta === 'first' ? 0 : delta === 'last' ? all.length - 1 : current < 0 ? (delta > 0 ? 0 : all.length - 1) : (current + delta + all.length) % all.length;
  all.forEach((o, i) => o.setAttribute('aria-selected', String(i === next)));
  searchInput.setAttribute('aria-activedescendant', all[next]!.id);
  all[next]!.scrollIntoView({ block: 'nearest' });
}

let searchTimer: ReturnType<typeof setTimeout> | undefined;
searchInput.addEventListener('input', () => {
  clearTimeout(searchTimer);
  searchTimer = setTimeout(() => void search(searchInput.value), 250);
});
searchInput.addEventListener('keydown', (ev) => {
  if (ev.key === 'Escape') closeResults();
  else if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
    ev.preventDefault();
    if (searchResults.hidden && searchInput.value.trim().length >= 2) void search(searchInput.value).then(() => moveActive(ev.key === 'ArrowDown' ? 'first' : 'last'));
    else moveActive(ev.key === 'ArrowDown' ? 1 : -1);
  } else if (ev.key === 'Enter') {
    const active = options().find((o) => o.getAttribute('aria-selected') === 'true');
    if (active && !searchResults.hidden) {
      ev.preventDefault();
      active.click();
      return;
    }
    clearTimeout(searchTimer);
    void search(searchInput.value);
  }
});
document.addEventListener('click', (ev) => {
  if (!searchResults.contains(ev.target as Node) && ev.target !== searchInput) closeResults();
});

// ---- API key ----------------------------------------------------------------------------------

const keyInput = $<HTMLInputElement>('key-input');
keyButton.addEventListener('click', () => openKeyDialog());
function openKeyDialog(): void {
  keyInput.value = '';
  keyButton.hidden = false;
  if (!keyDialog.open) keyDialog.showModal();
}
api.onUnauthenticated = () => openKeyDialog();
$('key-form').addEventListener('submit', (ev) => {
  ev.preventDefault();
  api.key = keyInput.value.trim() || null;
  keyDialog.close();
  keyButton.focus();
  void start();
});
$('key-forget').addEventListener('click', () => {
  api.key = null;
  keyDialog.close();
  keyButton.focus();
  notify(t('keyForgotten'), 'info');
});

// ---- collections and start --------------------------------------------------------------------

async function refreshCollections(): Promise<boolean> {
  const res = await guard(api.get<{ collections: string[]; role?: string }>('/v1/collections'));
  if (!res) return false;
  knownCollections = res.collections;
  knownRole = res.role ?? '';
  const current = collectionSelect.value || initial.get('collection') || '';
  clear(collectionSelect, h('option', { value: '' }, t('allCollections')), ...knownCollections.map((c) => h('option', { value: c }, c)));
  collectionSelect.value = knownCollections.includes(current) ? current : '';
  documents.collectionsChanged();
  return true;
}

collectionSelect.addEventListener('change', () => {
  graph.clear();
  details.empty();
  selectionChanged(null);
  documents.collectionsChanged(true);
  chat.setCollection(ctx.collection()); // uiask: each collection has its own conversation
  void loadStart();
  if (currentPanel === 'documents') void documents.refresh();
});

/** The first view: the most mentioned entities, and the neighbourhoods of the top few. */
async function loadStart(): Promise<void> {
  const collection = ctx.collection();
  graph.clear();
  setGraphState('loading');
  const top = await guard(api.get<Page<EntitySummary>>(`/v1/entities${query({ collection, sort: 'mentions', limit: 40 })}`));
  if (collection !== ctx.collection()) return; // another collection was chosen meanwhile
  if (!top) {
    setGraphState(banner.hidden ? 'failed' : 'offline');
    return;
  }
  if (top.items.length === 0) {
    setGraphState('nothing');
    return;
  }
  top.items.forEach((e, i) => graph.addNode({ id: e.id, name: e.name, type: e.type, collection: e.collection }, undefined, i, top.items.length));
  // The neighbourhoods of the top few, fetched together.
  const nbs = await Promise.all(top.items.slice(0, 5).map((e) => guard(api.get<Neighbourhood>(`/v1/entities/${encodeURIComponent(e.id)}/neighbourhood${query({ hops: 1, limit: 60 })}`))));
  await yieldToPage();
  if (collection !== ctx.collection()) return;
  graph.addNeighbourhoods(nbs.filter((nb): nb is Neighbourhood => nb !== undefined));
  setGraphState('cleared');
}

async function start(): Promise<void> {
  const health = await checkHealth();
  // A server without authentication needs no key, so the UI offers none.
  keyButton.hidden = health?.auth === 'disabled' || (health === undefined && !api.key);
  if (!health) {
    setGraphState('offline');
    document.body.dataset.ready = 'true';
    return;
  }
  if (!(await refreshCollections())) {
    setGraphState(banner.hidden ? 'failed' : 'offline');
    return;
  }
  chat.setCollection(ctx.collection()); // uiask: reopens the collection's conversation after a reload
  showPanel(currentPanel, false);
  showView(currentView);
  await loadStart();
  const node = initial.get('node');
  if (node && !selectedNode) {
    initial.delete('node');
    await openEntity(node);
  }
  document.body.dataset.ready = 'true';
}

// ---- language ---------------------------------------------------------------------------------

/** The shell's own text (index.html holds none of it), in the current language. */
function applyShellText(): void {
  const all = collectionSelect.querySelector('option[value=""]');
  if (all) all.textContent = t('allCollections');
  collectionSelect.setAttribute('aria-label', t('collection'));
  searchInput.placeholder = t('search');
  searchInput.setAttribute('aria-label', t('search'));
  localeSelect.setAttribute('aria-label', t('language'));
  localeSelect.value = locale();
  keyButton.textContent = t('apiKey');
  $('key-title').textContent = t('apiKey');
  $('key-help').textContent = t('keyHelp');
  $('key-help2').textContent = t('keyHelp2');
  keyInput.setAttribute('aria-label', t('apiKey'));
  $('key-save').textContent = t('useKey');
  $('key-forget').textContent = t('forgetKey');
  $('banner-text').textContent = t('offline');
  $('banner-retry').textContent = t('retry');
  $('tabs').setAttribute('aria-label', t('panels'));
  $('views').setAttribute('aria-label', t('views'));
  panelTabs.label({ ask: t('tabAsk'), documents: t('tabDocuments'), filters: t('tabFilters') });
  viewTabs.label({ graph: t('viewGraph'), panel: t('viewPanel'), details: t('viewDetails') });
  updateToggles();
  updateEmpty();
}

localeSelect.addEventListener('change', () => setLocale(localeSelect.value as Locale));
onLocaleChange(() => {
  applyShellText();
  if (currentPanel === 'filters') refreshFilters();
  if (!searchResults.hidden && lastSearch) void search(lastSearch);
});

document.documentElement.lang = locale() === 'zh' ? 'zh-CN' : 'en';
applyShellText();
showPanel(currentPanel, false);
showView(currentView);
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
