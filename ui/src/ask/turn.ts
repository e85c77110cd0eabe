/**
 * One question and its answer in the conversation: while it is asked (elapsed time, cancel, the
 * plan and the answer as it is written), then the answer with its citations, rows, plan and
 * Cypher, the names in it linked to their nodes, and what can be done with it (copy, ask again,
 * show in the graph). Everything from the server is set as text.
 */
import type { AskResult, Citation } from '../api.ts';
import { clear, h, show, type Child } from '../dom.ts';
import type { AskResponse } from './client.ts';
import { answerFacts, wordRe, type EntityRef } from './entities.ts';
import { t } from './messages.ts';

export type TurnState = 'pending' | 'done' | 'failed' | 'cancelled';

/** A reading of the question chosen among those offered ("did you mean"). */
export interface Reading { index: number; label: string }

export interface TurnHooks {
  ask(question: string, reading?: Reading): void;
  retry(turn: TurnView): void;
  cancel(): void;
  openEntity(id: string): void;
  openPassage(c: Citation): void;
  showInGraph(turn: TurnView): void;
  notify(message: string): void;
}

export class TurnView {
  readonly el: HTMLElement;
  state: TurnState = 'pending';
  result: AskResponse | undefined;
  /** The names in the answer that link to their nodes, once known. */
  links = new Map<string, EntityRef>();
  private readonly started = performance.now();
  private streamed = '';
  private plan: Pick<AskResult['plan'], 'strategy' | 'steps'> | undefined;
  private error = '';
  private statusEl: HTMLElement | undefined;
  private streamEl: HTMLElement | undefined;
  private copied = false;

  constructor(
    readonly question: string,
    readonly asOf: string,
    private readonly hooks: TurnHooks,
    readonly reading?: Reading,
  ) {
    this.el = h('div', { class: 'turn' });
    this.render();
  }

  /** The elapsed time while waiting (called by the panel's clock). */
  tick(): void {
    if (this.state !== 'pending' || !this.statusEl) return;
    const ms = performance.now() - this.started;
    this.statusEl.textContent = this.streamed ? t('writing', ms) : t('thinking', ms);
  }

  onPlan(plan: Pick<AskResult['plan'], 'strategy' | 'steps'>): void {
    this.plan = plan;
    this.render();
  }

  /** A piece of the answer: appended as text, so that nothing re-renders while it is written. */
  onToken(text: string): void {
    this.streamed += text;
    if (this.streamEl) this.streamEl.append(document.createTextNode(text));
    this.tick();
  }

  done(result: AskResponse): void {
    this.state = 'done';
    this.result = result;
    this.render();
  }

  failed(message: string): void {
    this.state = 'failed';
    this.error = message;
    this.render();
  }

  cancelled(): void {
    this.state = 'cancelled';
    this.render();
  }

  setLinks(links: Map<string, EntityRef>): void {
    this.links = links;
    if (this.state === 'done') this.render();
  }

  render(): void {
    const r = this.result;
    this.el.dataset.testid = this.state === 'done' ? 'answer-turn' : this.state === 'pending' ? 'pending-turn' : 'failed-turn';
    this.el.dataset.state = this.state;
    // The log is a live region: an answer being written is announced once, when it is complete.
    this.el.setAttribute('aria-busy', String(this.state === 'pending'));
    this.statusEl = undefined;
    this.streamEl = undefined;
    const head = h('div', { class: 'q-row' },
      h('p', { class: 'q', data: { testid: 'turn-question' } }, this.question),
      this.asOf ? h('span', { class: 'badge', data: { testid: 'as-of-badge' } }, t('asOfBadge', this.asOf)) : null);
    const standalone = r?.standaloneQuestion && r.standaloneQuestion !== this.question
      ? h('p', { class: 'standalone muted', data: { testid: 'standalone' } }, t('understoodAs'), h('q', {}, r.standaloneQuestion))
      : this.reading ? h('p', { class: 'standalone muted', data: { testid: 'chosen-reading' } }, t('readingChosen'), this.reading.label) : null;
    if (this.state === 'pending') {
      this.statusEl = h('span', { class: 'elapsed', data: { testid: 'elapsed' }, aria: { live: 'off' } });
      this.streamEl = h('p', { class: 'answer streaming', data: { testid: 'streamed-answer' } }, this.streamed);
      clear(this.el, head, standalone,
        h('div', { class: 'status-row' }, h('span', { class: 'spinner', aria: { hidden: 'true' } }), this.statusEl,
          h('button', { type: 'button', class: 'cancel', data: { testid: 'cancel' }, onclick: () => this.hooks.cancel() }, t('cancel'))),
        this.plan ? this.planSummary(this.plan) : null,
        this.streamEl);
      this.tick();
      return;
    }
    if (this.state !== 'done' || !r) {
      clear(this.el, head, standalone,
        this.streamed ? h('p', { class: 'answer partial' }, this.streamed) : null,
        h('p', { class: this.state === 'failed' ? 'error' : 'muted', data: { testid: 'turn-status' } }, this.state === 'failed' ? t('failed', this.error) : t('cancelled')),
        h('div', { class: 'turn-actions' },
          h('button', { type: 'button', data: { testid: 'retry' }, onclick: () => this.hooks.retry(this) }, t('retry'))));
      return;
    }
    clear(this.el, head, standalone,
      this.answerText(r),
      this.alternatives(r),
      this.citations(r),
      this.rows(r),
      this.planDetails(r),
      this.cypher(r),
      this.facts(r),
      this.actions(r));
  }

  private planSummary(plan: Pick<AskResult['plan'], 'strategy' | 'steps'>): HTMLElement {
    const last = plan.steps[plan.steps.length - 1];
    return h('p', { class: 'muted plan-preview', data: { testid: 'plan-preview' } }, t('plan', plan.strategy), last ? ` · ${last.detail}` : '');
  }

  /** The answer with "[n]" markers as buttons to their passages and known names as links to their nodes. */
  private answerText(r: AskResponse): HTMLElement {
    const p = h('p', { class: r.found ? 'answer' : 'answer not-found', data: { testid: 'answer' } });
    const nameRe = this.links.size ? wordRe([...this.links.keys()]) : undefined;
    for (const part of r.answer.split(/(\[\d+\])/)) {
      const m = part.match(/^\[(\d+)\]$/);
      const c = m ? r.citations.find((x) => x.n === Number(m[1])) : undefined;
      if (c) {
        p.append(h('button', { class: 'cite', type: 'button', title: c.title, onclick: () => this.hooks.openPassage(c), data: { testid: 'cite-marker' } }, part));
        continue;
      }
      p.append(...linkNames(part, nameRe, this.links, (e) => this.hooks.openEntity(e.id)));
    }
    return p;
  }

  private alternatives(r: AskResponse): Child {
    const alts = r.plan.alternatives ?? [];
    if (r.plan.strategy !== 'none' || alts.length === 0) return null;
    return h('div', { class: 'alternatives', data: { testid: 'alternatives' } },
      h('p', { class: 'muted' }, t('didYouMean')),
      h('ul', {}, ...alts.map((a, index) => {
        const { reading, doubts } = splitReading(a.description);
        return h('li', {},
          h('button', { type: 'button', class: 'suggestion', title: a.cypher, data: { testid: 'alternative' }, onclick: () => this.hooks.ask(r.question, { index, label: reading }) },
            h('span', {}, reading), doubts ? h('span', { class: 'muted doubts' }, doubts) : null));
      })));
  }

  /** One number per citation: the "[n]" the answer uses (a bulleted list, not an ordered one that numbers again). */
  private citations(r: AskResponse): Child {
    if (!r.citations.length) return null;
    return h('ul', { class: 'citations', data: { testid: 'citations' } }, ...r.citations.map((c) =>
      h('li', {},
        h('button', { class: 'link', type: 'button', onclick: () => this.hooks.openPassage(c), data: { testid: 'citation' } },
          h('span', { class: 'cite-n' }, `[${c.n}]`), ` ${c.title}${c.page ? t('page', c.page) : ''}`),
        h('blockquote', {}, c.quote))));
  }

  private rows(r: AskResponse): Child {
    if (r.rows.length === 0 || r.plan.strategy === 'semantic') return null;
    const columns = Object.keys(r.rows[0] ?? {});
    const cell = (v: unknown) => {
      const e = typeof v === 'string' ? this.links.get(v) : undefined;
      return e ? h('button', { type: 'button', class: 'link', onclick: () => this.hooks.openEntity(e.id), data: { testid: 'entity-link' } }, v as string) : show(v);
    };
    return h('details', { class: 'rows', data: { testid: 'rows' } }, h('summary', {}, t('rows', r.rows.length)),
      h('div', { class: 'table-scroll' },
        h('table', { class: 'props' },
          h('thead', {}, h('tr', {}, ...columns.map((c) => h('th', {}, c)))),
          h('tbody', {}, ...r.rows.slice(0, 50).map((row) => h('tr', {}, ...columns.map((c) => h('td', {}, cell(row[c])))))))));
  }

  private planDetails(r: AskResponse): HTMLElement {
    return h('details', { class: 'plan', data: { testid: 'plan' } },
      h('summary', {}, t('plan', r.plan.strategy), r.timings.total ? ` · ${t('ms', r.timings.total)}` : ''),
      r.plan.message ? h('p', { class: 'muted' }, r.plan.message) : null,
      h('ol', {}, ...r.plan.steps.map((s) => h('li', {}, h('b', {}, s.kind), ` ${s.detail}`, s.ms !== undefined ? h('span', { class: 'muted' }, ` ${t('ms', s.ms)}`) : null))));
  }

  private cypher(r: AskResponse): Child {
    if (!r.cypher.length) return null;
    return h('details', { class: 'cypher', data: { testid: 'cypher' } },
      h('summary', {}, t('cypher', r.cypher.length)),
      ...r.cypher.map((c) =>
        h('div', {},
          h('p', { class: 'muted' }, c.origin, c.rows !== undefined ? ` · ${t('cypherRows', c.rows)}` : '', c.error ? ` · ${c.error}` : ''),
          h('pre', {}, c.query),
          Object.keys(c.params).length ? h('pre', { class: 'params' }, JSON.stringify(c.params, null, 2)) : null)));
  }

  private facts(r: AskResponse): Child {
    if (!r.facts.length) return null;
    const cited = new Set(answerFacts(r));
    const entity = (id: string, name: string) => h('button', { class: 'link', type: 'button', onclick: () => this.hooks.openEntity(id) }, name);
    return h('details', { class: 'facts', data: { testid: 'facts' } }, h('summary', {}, t('facts', r.facts.length, cited.size)),
      h('ul', {}, ...r.facts.map((f) =>
        h('li', { class: cited.has(f) ? 'cited' : '' }, entity(f.subjectId, f.subject), ` ${f.predicate} `, entity(f.objectId, f.object)))));
  }

  private actions(r: AskResponse): HTMLElement {
    const copy = h('button', { type: 'button', data: { testid: 'copy' }, onclick: () => void this.copy(r) }, this.copied ? t('copied') : t('copy'));
    return h('div', { class: 'turn-actions' },
      copy,
      h('button', { type: 'button', data: { testid: 'ask-again' }, onclick: () => this.hooks.retry(this) }, t('askAgain')),
      this.links.size || answerFacts(r).length ? h('button', { type: 'button', data: { testid: 'show-in-graph' }, onclick: () => this.hooks.showInGraph(this) }, t('showInGraph')) : null);
  }

  /** The answer and its sources as plain text. */
  private async copy(r: AskResponse): Promise<void> {
    const sources = r.citations.map((c) => `[${c.n}] ${c.title}${c.page ? t('page', c.page) : ''}`);
    const text = [r.answer, ...(sources.length ? ['', ...sources] : [])].join('\n');
    try {
      await navigator.clipboard.writeText(text);
      this.copied = true;
      this.render();
      setTimeout(() => {
        this.copied = false;
        if (this.state === 'done') this.render();
      }, 2000);
    } catch {
      this.hooks.notify(t('copyFailed'));
    }
  }
}

/** Text with the known names as buttons to their nodes. */
function linkNames(text: string, re: RegExp | undefined, links: Map<string, EntityRef>, open: (e: EntityRef) => void): Node[] {
  if (!re) return [document.createTextNode(text)];
  const out: Node[] = [];
  let rest = text;
  for (let m = re.exec(rest); m; m = re.exec(rest)) {
    const e = links.get(m[1]!)!;
    out.push(document.createTextNode(rest.slice(0, m.index)));
    out.push(h('button', { type: 'button', class: 'link entity-link', title: t('openEntity', e.name), onclick: () => open(e), data: { testid: 'entity-link', id: e.id } }, m[1]!));
    rest = rest.slice(m.index + m[1]!.length);
  }
  out.push(document.createTextNode(rest));
  return out;
}

/** An offered reading's description (src/planner/ask.ts): what it asks, then its doubts in the final parentheses. */
function splitReading(description: string): { reading: string; doubts: string } {
  if (!description.endsWith(')')) return { reading: description, doubts: '' };
  let depth = 0;
  for (let i = description.length - 1; i >= 0; i--) {
    if (description[i] === ')') depth++;
    else if (description[i] === '(' && --depth === 0) return { reading: description.slice(0, i).trim(), doubts: description.slice(i + 1, -1) };
  }
  return { reading: description, doubts: '' };
}
