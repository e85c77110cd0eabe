/** The chat panel: ask a question, read the answer with clickable citations, the plan and the Cypher that ran. */
import type { AskResult } from './api.ts';
import type { Ctx } from './context.ts';
import { clear, h, show } from './dom.ts';

export class Chat {
  readonly el: HTMLElement;
  private readonly log: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly button: HTMLButtonElement;

  constructor(private readonly ctx: Ctx) {
    this.input = h('textarea', { placeholder: 'Ask a question, e.g. "Which employees report to Jane Smith?"', data: { testid: 'question' } });
    this.input.rows = 3;
    this.button = h('button', { type: 'submit', class: 'primary', data: { testid: 'ask' } }, 'Ask');
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey) {
        ev.preventDefault();
        void this.ask();
      }
    });
    this.log = h('div', { class: 'chat-log', data: { testid: 'chat-log' } });
    this.el = h('div', { class: 'chat' },
      h('form', { class: 'ask-form', onsubmit: (ev) => { ev.preventDefault(); void this.ask(); } }, this.input, this.button),
      this.log);
  }

  async ask(): Promise<void> {
    const question = this.input.value.trim();
    if (!question) return;
    this.button.disabled = true;
    const pending = h('div', { class: 'turn' }, h('p', { class: 'q' }, question), h('p', { class: 'muted' }, 'Thinking…'));
    this.log.prepend(pending);
    const collection = this.ctx.collection();
    try {
      const result = await this.ctx.api.post<AskResult>('/v1/ask', { question, ...(collection ? { collections: [collection] } : {}) });
      pending.replaceWith(this.render(result));
      this.input.value = '';
      this.highlight(result);
    } catch (err) {
      pending.remove();
      this.ctx.notify(err instanceof Error ? err.message : String(err));
    } finally {
      this.button.disabled = false;
    }
  }

  /** The answer's subgraph: the entities and relationships of its facts, added to the graph and highlighted. */
  private highlight(r: AskResult): void {
    const g = this.ctx.graph;
    if (r.facts.length === 0) {
      g.highlight([]);
      return;
    }
    const nodes = new Set<string>();
    const edges: string[] = [];
    for (const f of r.facts) {
      g.addNode({ id: f.subjectId, name: f.subject, type: f.subjectType, collection: '' });
      g.addNode({ id: f.objectId, name: f.object, type: f.objectType, collection: '' });
      nodes.add(f.subjectId).add(f.objectId);
      const key = g.addEdge({ source: f.subjectId, target: f.objectId, type: f.predicate });
      if (key) edges.push(key);
    }
    g.layout();
    g.highlight(nodes, edges);
    this.ctx.refreshFilters();
  }

  render(r: AskResult): HTMLElement {
    const cite = (n: number) => {
      const c = r.citations.find((x) => x.n === n);
      return c ? () => void this.ctx.openPassage(c.documentId, c.chunkId, c.quote) : undefined;
    };
    // "[n]" markers become buttons; everything else stays text.
    const answer = h('p', { class: r.found ? 'answer' : 'answer not-found', data: { testid: 'answer' } });
    for (const part of r.answer.split(/(\[\d+\])/)) {
      const m = part.match(/^\[(\d+)\]$/);
      const open = m ? cite(Number(m[1])) : undefined;
      answer.append(open ? h('button', { class: 'cite', type: 'button', onclick: open, data: { testid: 'cite-marker' } }, part) : document.createTextNode(part));
    }
    const hasRows = r.rows.length > 0 && r.plan.strategy !== 'semantic';
    const columns = hasRows ? Object.keys(r.rows[0] ?? {}) : [];
    return h('div', { class: 'turn', data: { testid: 'answer-turn' } },
      h('p', { class: 'q' }, r.question),
      answer,
      r.citations.length
        ? h('ol', { class: 'citations', data: { testid: 'citations' } }, ...r.citations.map((c) =>
            h('li', {},
              h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openPassage(c.documentId, c.chunkId, c.quote), data: { testid: 'citation' } },
                `[${c.n}] ${c.title}${c.page ? `, p. ${c.page}` : ''}`),
              h('blockquote', {}, c.quote))))
        : null,
      hasRows
        ? h('details', { class: 'rows' }, h('summary', {}, `Rows (${r.rows.length})`),
            h('table', { class: 'props' },
              h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c)))),
              h('tbody', {}, ...r.rows.slice(0, 50).map((row) => h('tr', {}, ...columns.map((c) => h('td', {}, show(row[c]))))))))
        : null,
      h('details', { class: 'plan', data: { testid: 'plan' } },
        h('summary', {}, `Plan: ${r.plan.strategy}${r.timings.total ? ` · ${Math.round(r.timings.total)} ms` : ''}`),
        r.plan.message ? h('p', { class: 'muted' }, r.plan.message) : null,
        h('ol', {}, ...r.plan.steps.map((s) => h('li', {}, h('b', {}, s.kind), ` ${s.detail}`, s.ms !== undefined ? h('span', { class: 'muted' }, ` ${Math.round(s.ms)} ms`) : null)))),
      r.cypher.length
        ? h('details', { class: 'cypher', data: { testid: 'cypher' } },
            h('summary', {}, `Cypher (${r.cypher.length})`),
            ...r.cypher.map((c) =>
              h('div', {},
                h('p', { class: 'muted' }, `${c.origin}${c.rows !== undefined ? ` · ${c.rows} rows` : ''}${c.error ? ` · ${c.error}` : ''}`),
                h('pre', {}, c.query),
                Object.keys(c.params).length ? h('pre', { class: 'params' }, JSON.stringify(c.params, null, 2)) : null)))
        : null,
      r.facts.length
        ? h('details', { class: 'facts' }, h('summary', {}, `Graph facts (${r.facts.length}), highlighted in the graph`),
            h('ul', {}, ...r.facts.map((f) =>
              h('li', {},
                h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openEntity(f.subjectId) }, f.subject),
                ` ${f.predicate} `,
                h('button', { class: 'link', type: 'button', onclick: () => void this.ctx.openEntity(f.objectId) }, f.object)))))
        : null,
    );
  }

  clear(): void {
    clear(this.log);
  }
}
