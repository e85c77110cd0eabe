/** The details panel: an entity (properties, aliases, facts with their sources, mentions, relationships), a passage, a document. */
import { documentOfChunk, type DocumentDetail, type EntityDetail, type Mention } from './api.ts';
import type { Ctx } from './context.ts';
import { clear, h, marked, show } from './dom.ts';
import { colourOf } from './graph.ts';

const HIDDEN_PROPS = new Set(['id', 'name', 'type', 'collection', 'aliases', 'labels', 'embedding', 'normalizedName', 'aliasKeys', 'facts']);

export class Details {
  constructor(private readonly ctx: Ctx, readonly el: HTMLElement) {
    this.empty();
  }

  empty(): void {
    clear(this.el, h('p', { class: 'muted' }, 'Click a node, a search result or a citation to see its details here.'));
  }

  loading(what: string): void {
    clear(this.el, h('p', { class: 'muted' }, `Loading ${what}…`));
  }

  entity(d: EntityDetail): void {
    const e = d.entity;
    const byChunk = new Map<string, Mention>(d.mentions.map((m) => [m.chunkId, m]));
    const sourceLink = (chunkId: string) => {
      const m = byChunk.get(chunkId);
      const label = m ? `${m.title ?? 'document'}${m.page ? `, p. ${m.page}` : ''}` : 'passage';
      return h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openPassage(m?.documentId ?? documentOfChunk(chunkId), chunkId, m?.quote), data: { testid: 'fact-source' } }, label);
    };
    const props = Object.entries(e).filter(([k]) => !HIDDEN_PROPS.has(k));
    const aliases = (e.aliases ?? []).filter((a) => a !== e.name);
    clear(
      this.el,
      h('div', { class: 'detail-head', data: { testid: 'entity-details' } },
        h('span', { class: 'dot', data: { colour: colourOf(e.type) } }),
        h('h2', { data: { testid: 'entity-name' } }, e.name)),
      h('p', { class: 'muted' }, `${e.type} · ${e.collection}`),
      h('div', { class: 'row' },
        h('button', { type: 'button', onclick: () => void this.ctx.expand(e.id), data: { testid: 'expand' } }, 'Expand neighbourhood'),
        h('button', { type: 'button', onclick: () => this.ctx.graph.focus(e.id) }, 'Centre')),
      aliases.length ? section('Aliases', h('ul', { class: 'chips' }, ...aliases.map((a) => h('li', {}, a)))) : null,
      props.length ? section('Properties', table(props.map(([k, v]) => [k, show(v)]))) : null,
      d.facts.length
        ? section('Facts and their sources', h('ul', { class: 'facts' }, ...d.facts.map((f) =>
            h('li', {}, h('b', {}, f.property), ' = ', show(f.value), ' ', h('span', { class: 'muted' }, '— '), f.source.startsWith('doc_') ? sourceLink(f.source) : h('span', { class: 'muted' }, f.source)))))
        : null,
      d.relationships.length
        ? section(`Relationships (${d.relationships.length}${d.truncated ? '+' : ''})`, h('ul', { class: 'rels' }, ...d.relationships.map((r) =>
            h('li', {},
              r.direction === 'out' ? `${r.type} → ` : `← ${r.type} `,
              h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openEntity(r.other.id, { expand: true }) }, r.other.name),
              h('span', { class: 'muted' }, ` (${r.other.type})`),
              (r.sources ?? []).length ? h('span', { class: 'sources' }, ' sources: ', ...(r.sources ?? []).slice(0, 5).map(sourceLink)) : null,
              (r.importSources ?? []).length ? h('span', { class: 'muted' }, ` imported from ${(r.importSources ?? []).join(', ')}`) : null))))
        : null,
      d.mentions.length
        ? section(`Mentioned in (${d.mentions.length})`, h('ul', { class: 'mentions' }, ...d.mentions.map((m) =>
            h('li', {},
              h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openPassage(m.documentId, m.chunkId, m.quote), data: { testid: 'mention' } },
                `${m.title ?? 'document'}${m.page ? `, p. ${m.page}` : ''}`),
              h('blockquote', {}, m.quote)))))
        : null,
    );
    paintDots(this.el);
  }

  passage(doc: DocumentDetail, chunkId: string, quote?: string): void {
    const chunk = doc.chunks.find((c) => c.id === chunkId);
    clear(
      this.el,
      h('div', { class: 'detail-head', data: { testid: 'passage' } }, h('h2', {}, doc.document.title)),
      h('p', { class: 'muted' }, [doc.document.source, chunk?.page ? `page ${chunk.page}` : null, doc.document.collection].filter(Boolean).join(' · ')),
      chunk?.headingPath?.length ? h('p', { class: 'crumbs' }, chunk.headingPath.join(' › ')) : null,
      chunk
        ? h('div', { class: 'passage-text', data: { testid: 'passage-text' } }, ...marked(chunk.text, quote ?? ''))
        : h('p', { class: 'error' }, 'This passage is no longer in the document (it was re-ingested or deleted).'),
      h('div', { class: 'row' }, h('button', { type: 'button', onclick: () => this.document(doc) }, 'Whole document')),
    );
  }

  document(doc: DocumentDetail): void {
    clear(
      this.el,
      h('div', { class: 'detail-head', data: { testid: 'document-details' } }, h('h2', {}, doc.document.title)),
      h('p', { class: 'muted' }, `${doc.document.source} · ${doc.document.mimeType} · ${doc.document.collection} · ${doc.chunks.length} passages`),
      ...doc.chunks.map((c) =>
        h('section', { class: 'chunk' },
          h('p', { class: 'crumbs' }, `#${c.index}${c.page ? ` · page ${c.page}` : ''}${c.headingPath?.length ? ` · ${c.headingPath.join(' › ')}` : ''}`),
          h('p', { class: 'passage-text' }, c.text))),
    );
  }
}

function section(title: string, body: Node): HTMLElement {
  return h('section', {}, h('h3', {}, title), body);
}

export function table(rows: Array<[string, string]>): HTMLTableElement {
  return h('table', { class: 'props' }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', {}, k), h('td', {}, v)))));
}

/** Colour swatches get their colour through the CSSOM (the CSP allows no inline style attributes). */
export function paintDots(root: HTMLElement): void {
  for (const dot of root.querySelectorAll<HTMLElement>('[data-colour]')) dot.style.backgroundColor = dot.dataset.colour ?? '';
}
