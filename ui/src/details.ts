/** The details panel: an entity (properties, aliases, facts with their sources, mentions, relationships), a passage, a document. */
import { documentOfChunk, type DocumentDetail, type EntityDetail, type Mention } from './api.ts';
import type { Ctx } from './context.ts';
import { clear, h, marked, show } from './dom.ts';
import { colourOf } from './graph.ts';
import { defineMessages, formatDate, formatNumber, onLocaleChange } from './i18n.ts';

const t = defineMessages({
  en: {
    empty: 'Click a node, a search result or a citation to see its details here.',
    loading: (what: 'entity' | 'passage' | 'document') => `Loading the ${what}…`,
    failed: 'This could not be loaded (see the message). Choose it again to retry.',
    expand: 'Expand neighbourhood',
    centre: 'Centre',
    aliases: 'Aliases',
    properties: 'Properties',
    record: 'Record keeping',
    facts: 'Facts and their sources',
    relationships: (n: number, more: boolean) => `Relationships (${n}${more ? '+' : ''})`,
    mentioned: (n: number) => `Mentioned in (${n})`,
    sources: ' sources: ',
    importedFrom: (s: string) => ` imported from ${s}`,
    document: 'document',
    passage: 'passage',
    page: (n: number) => `, p. ${n}`,
    pageOf: (n: number) => `page ${n}`,
    gone: 'This passage is no longer in the document (it was re-ingested or deleted).',
    whole: 'Whole document',
    passages: (n: number) => `${formatNumber(n)} passages`,
    // kgrag's own property names, in words.
    createdAt: 'Created',
    updatedAt: 'Updated',
    importKey: 'Import key',
    importSources: 'Imported from',
    id: 'Id',
    sourcesKey: 'Sources',
    confidence: 'Confidence',
  },
  zh: {
    empty: '点击节点、搜索结果或引用，在此查看详情。',
    loading: (what: 'entity' | 'passage' | 'document') => `正在加载${{ entity: '实体', passage: '段落', document: '文档' }[what]}…`,
    failed: '无法加载（见消息）。请再次选择以重试。',
    expand: '展开邻域',
    centre: '居中',
    aliases: '别名',
    properties: '属性',
    record: '记录信息',
    facts: '事实及其来源',
    relationships: (n: number, more: boolean) => `关系（${n}${more ? '+' : ''}）`,
    mentioned: (n: number) => `提及于（${n}）`,
    sources: ' 来源：',
    importedFrom: (s: string) => ` 导入自 ${s}`,
    document: '文档',
    passage: '段落',
    page: (n: number) => `，第 ${n} 页`,
    pageOf: (n: number) => `第 ${n} 页`,
    gone: '此段落已不在文档中（文档已重新导入或删除）。',
    whole: '整篇文档',
    passages: (n: number) => `${formatNumber(n)} 个段落`,
    createdAt: '创建时间',
    updatedAt: '更新时间',
    importKey: '导入键',
    importSources: '导入来源',
    id: 'ID',
    sourcesKey: '来源',
    confidence: '置信度',
  },
});

/** Shown elsewhere in the panel (heading, aliases, facts) or internal to search: never as a property. */
const HIDDEN_PROPS = new Set(['name', 'type', 'collection', 'aliases', 'labels', 'embedding', 'normalizedName', 'aliasKeys', 'facts']);
/** kgrag's record keeping on every node: after the user's own fields, folded. */
const BOOKKEEPING: Record<string, () => string> = {
  id: () => t('id'),
  createdAt: () => t('createdAt'),
  updatedAt: () => t('updatedAt'),
  importKey: () => t('importKey'),
  importSources: () => t('importSources'),
  sources: () => t('sourcesKey'),
  confidence: () => t('confidence'),
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** A property name in words: `createdAt` → "Created at", `order_date` → "Order date"; words are never split. */
export function humanise(key: string): string {
  const words = key
    .replace(/[_-]+/g, ' ')
    .replace(/([a-z\d])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .trim()
    .split(/\s+/);
  return words.map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : /^[A-Z\d]+$/.test(w) ? w : w.toLowerCase())).join(' ');
}

/** A value as a person reads it: dates in the chosen language, numbers grouped, lists joined. */
function readable(value: unknown): string {
  if (typeof value === 'string' && ISO_DATE.test(value)) return formatDate(value);
  if (typeof value === 'number') return formatNumber(value);
  if (Array.isArray(value) && value.every((v) => typeof v !== 'object' || v === null)) return value.map(readable).join(', ');
  return show(value);
}

/** What to call a document's source: the file name, never a server path; URLs as they are. */
export function sourceName(source: string): string {
  if (/^https?:\/\//i.test(source)) return source;
  const bare = source.replace(/^(upload|text):/, '');
  return bare.split(/[\\/]/).pop() || bare;
}

type Shown = { kind: 'empty' } | { kind: 'loading'; what: 'entity' | 'passage' | 'document' } | { kind: 'failed' } | { kind: 'entity'; d: EntityDetail } | { kind: 'passage'; doc: DocumentDetail; chunkId: string; quote?: string | undefined } | { kind: 'document'; doc: DocumentDetail };

export class Details {
  private current: Shown = { kind: 'empty' };

  constructor(private readonly ctx: Ctx, readonly el: HTMLElement) {
    this.empty();
    // What is shown is drawn again in the new language.
    onLocaleChange(() => this.render(this.current));
  }

  private render(s: Shown): void {
    this.current = s;
    switch (s.kind) {
      case 'empty': return clear(this.el, h('p', { class: 'muted', data: { testid: 'details-empty' } }, t('empty')));
      case 'loading': return clear(this.el, h('p', { class: 'muted', role: 'status' }, t('loading', s.what)));
      case 'failed': return clear(this.el, h('p', { class: 'muted', data: { testid: 'details-failed' } }, t('failed')));
      case 'entity': return this.drawEntity(s.d);
      case 'passage': return this.drawPassage(s.doc, s.chunkId, s.quote);
      case 'document': return this.drawDocument(s.doc);
    }
  }

  empty(): void {
    this.render({ kind: 'empty' });
  }

  loading(what: 'entity' | 'passage' | 'document'): void {
    this.render({ kind: 'loading', what });
  }

  /** The request failed; its message was shown already. */
  failed(): void {
    this.render({ kind: 'failed' });
  }

  entity(d: EntityDetail): void {
    this.render({ kind: 'entity', d });
  }

  passage(doc: DocumentDetail, chunkId: string, quote?: string): void {
    this.render({ kind: 'passage', doc, chunkId, quote });
  }

  document(doc: DocumentDetail): void {
    this.render({ kind: 'document', doc });
  }

  /** Moves the keyboard focus to what was just opened (after a choice in the search results). */
  focusHeading(): void {
    const heading = this.el.querySelector<HTMLElement>('h2');
    if (!heading) return;
    heading.tabIndex = -1;
    heading.focus();
  }

  private drawEntity(d: EntityDetail): void {
    const e = d.entity;
    const byChunk = new Map<string, Mention>(d.mentions.map((m) => [m.chunkId, m]));
    // Ids of related entities, shown by their names wherever a value holds one.
    const names = new Map<string, { id: string; name: string }>(d.relationships.map((r) => [r.other.id, r.other]));
    const sourceLink = (chunkId: string) => {
      const m = byChunk.get(chunkId);
      const label = m ? `${m.title ?? t('document')}${m.page ? t('page', m.page) : ''}` : t('passage');
      return h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openPassage(m?.documentId ?? documentOfChunk(chunkId), chunkId, m?.quote), data: { testid: 'fact-source' } }, label);
    };
    const valueOf = (v: unknown): Node | string => {
      const other = typeof v === 'string' ? names.get(v) : undefined;
      return other ? h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openEntity(other.id, { expand: true }) }, other.name) : readable(v);
    };
    const entries = Object.entries(e).filter(([k, v]) => !HIDDEN_PROPS.has(k) && v !== null && v !== undefined);
    const user = entries.filter(([k]) => !(k in BOOKKEEPING)).sort(([a], [b]) => a.localeCompare(b));
    const kept = entries.filter(([k]) => k in BOOKKEEPING).sort(([a], [b]) => Object.keys(BOOKKEEPING).indexOf(a) - Object.keys(BOOKKEEPING).indexOf(b));
    const aliases = (e.aliases ?? []).filter((a) => a !== e.name);
    clear(
      this.el,
      h('div', { class: 'detail-head', data: { testid: 'entity-details' } },
        h('span', { class: 'dot', data: { colour: colourOf(e.type) } }),
        h('h2', { data: { testid: 'entity-name' } }, e.name)),
      h('p', { class: 'muted' }, `${e.type} · ${e.collection}`),
      h('div', { class: 'row' },
        h('button', { type: 'button', onclick: () => void this.ctx.expand(e.id), data: { testid: 'expand' } }, t('expand')),
        h('button', { type: 'button', onclick: () => this.ctx.graph.focus(e.id) }, t('centre'))),
      aliases.length ? section(t('aliases'), h('ul', { class: 'chips' }, ...aliases.map((a) => h('li', {}, a)))) : null,
      user.length ? section(t('properties'), table(user.map(([k, v]) => [humanise(k), valueOf(v)]), 'properties')) : null,
      d.facts.length
        ? section(t('facts'), h('ul', { class: 'facts', data: { testid: 'facts' } }, ...d.facts.map((f) =>
            h('li', {}, h('b', {}, humanise(f.property)), ' = ', valueOf(f.value), ' ', h('span', { class: 'muted' }, '— '),
              f.source.startsWith('doc_') ? sourceLink(f.source) : h('span', { class: 'muted' }, sourceName(f.source))))))
        : null,
      d.relationships.length
        ? section(t('relationships', d.relationships.length, d.truncated), h('ul', { class: 'rels' }, ...d.relationships.map((r) =>
            h('li', {},
              r.direction === 'out' ? `${r.type} → ` : `← ${r.type} `,
              h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openEntity(r.other.id, { expand: true }) }, r.other.name),
              h('span', { class: 'muted' }, ` (${r.other.type})`),
              (r.sources ?? []).length ? h('span', { class: 'sources' }, t('sources'), ...(r.sources ?? []).slice(0, 5).map(sourceLink)) : null,
              (r.importSources ?? []).length ? h('span', { class: 'muted' }, t('importedFrom', (r.importSources ?? []).map(sourceName).join(', '))) : null))))
        : null,
      d.mentions.length
        ? section(t('mentioned', d.mentions.length), h('ul', { class: 'mentions' }, ...d.mentions.map((m) =>
            h('li', {},
              h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openPassage(m.documentId, m.chunkId, m.quote), data: { testid: 'mention' } },
                `${m.title ?? t('document')}${m.page ? t('page', m.page) : ''}`),
              h('blockquote', {}, m.quote)))))
        : null,
      kept.length
        ? h('details', { class: 'bookkeeping', data: { testid: 'bookkeeping' } }, h('summary', {}, t('record')),
            table(kept.map(([k, v]) => [BOOKKEEPING[k]!(), k === 'importSources' && Array.isArray(v) ? v.map((x) => sourceName(String(x))).join(', ') : readable(v)])))
        : null,
    );
    paintDots(this.el);
  }

  private drawPassage(doc: DocumentDetail, chunkId: string, quote?: string): void {
    const chunk = doc.chunks.find((c) => c.id === chunkId);
    clear(
      this.el,
      h('div', { class: 'detail-head', data: { testid: 'passage' } }, h('h2', {}, doc.document.title)),
      h('p', { class: 'muted' }, [sourceName(doc.document.source), chunk?.page ? t('pageOf', chunk.page) : null, doc.document.collection].filter(Boolean).join(' · ')),
      chunk?.headingPath?.length ? h('p', { class: 'crumbs' }, chunk.headingPath.join(' › ')) : null,
      chunk
        ? h('div', { class: 'passage-text', data: { testid: 'passage-text' } }, ...marked(chunk.text, quote ?? ''))
        : h('p', { class: 'error' }, t('gone')),
      h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => this.document(doc) }, t('whole'))),
    );
  }

  private drawDocument(doc: DocumentDetail): void {
    clear(
      this.el,
      h('div', { class: 'detail-head', data: { testid: 'document-details' } }, h('h2', {}, doc.document.title)),
      h('p', { class: 'muted' }, `${sourceName(doc.document.source)} · ${doc.document.mimeType} · ${doc.document.collection} · ${t('passages', doc.chunks.length)}`),
      ...doc.chunks.map((c) =>
        h('section', { class: 'chunk' },
          h('p', { class: 'crumbs' }, `#${c.index}${c.page ? ` · ${t('pageOf', c.page)}` : ''}${c.headingPath?.length ? ` · ${c.headingPath.join(' › ')}` : ''}`),
          h('p', { class: 'passage-text' }, c.text))),
    );
  }
}

function section(title: string, body: Node): HTMLElement {
  return h('section', {}, h('h3', {}, title), body);
}

export function table(rows: Array<[string, Node | string]>, testid?: string): HTMLTableElement {
  return h('table', { class: 'props', ...(testid ? { data: { testid } } : {}) }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { class: 'key' }, k), h('td', {}, v)))));
}

/** Colour swatches get their colour through the CSSOM (the CSP allows no inline style attributes). */
export function paintDots(root: HTMLElement): void {
  for (const dot of root.querySelectorAll<HTMLElement>('[data-colour]')) dot.style.backgroundColor = dot.dataset.colour ?? '';
}
