/**
 * The Ask panel: a conversation with the knowledge graph. Each collection has its current
 * conversation (its id kept in localStorage, its turns on the server), so follow-ups are read in
 * context and the conversation survives a reload; earlier ones are listed under History. Answers
 * stream in as they are written, with the elapsed time and a cancel button that aborts the request
 * (the server stops its work when the connection closes). An answer's rows and cited facts are
 * highlighted in the graph, and the names in it link to their nodes.
 */
import { UiError } from './api.ts';
import { AskClient, type Conversation, type ConversationDetail } from './ask/client.ts';
import { EntityResolver, type AnswerGraph } from './ask/entities.ts';
import { t } from './ask/messages.ts';
import { TurnView, type Reading, type TurnHooks } from './ask/turn.ts';
import type { Ctx } from './context.ts';
import { clear, h } from './dom.ts';
import { formatDate, onLocaleChange } from './i18n.ts';

const STORAGE_PREFIX = 'kgrag.conversation.';

function stored(collection: string): string | undefined {
  try {
    return localStorage.getItem(STORAGE_PREFIX + (collection || '*')) ?? undefined;
  } catch {
    return undefined; // storage disabled: the conversation lasts as long as the page
  }
}

function store(collection: string, id: string | undefined): void {
  try {
    if (id) localStorage.setItem(STORAGE_PREFIX + (collection || '*'), id);
    else localStorage.removeItem(STORAGE_PREFIX + (collection || '*'));
  } catch {
    // storage disabled
  }
}

export class Chat {
  readonly el: HTMLElement;
  private readonly client: AskClient;
  private readonly resolver: EntityResolver;
  private readonly log: HTMLElement;
  private readonly input: HTMLTextAreaElement;
  private readonly asOfInput: HTMLInputElement;
  private readonly asOfLabel: HTMLElement;
  private readonly button: HTMLButtonElement;
  private readonly newButton: HTMLButtonElement;
  private readonly historyButton: HTMLButtonElement;
  private readonly historyEl: HTMLElement;
  private readonly hooks: TurnHooks;
  /** The collection whose conversation is shown ('' for all); undefined until the first setCollection. */
  private collection: string | undefined;
  private conversationId: string | undefined;
  private turns: TurnView[] = [];
  private readonly graphs = new WeakMap<TurnView, AnswerGraph>();
  private pending: { turn: TurnView; controller: AbortController; clock: ReturnType<typeof setInterval> } | undefined;
  private history: Conversation[] | undefined;
  private confirmDelete: string | undefined;
  /** Bumped whenever the shown conversation changes, so that late responses for the old one are dropped. */
  private generation = 0;

  constructor(private readonly ctx: Ctx) {
    this.client = new AskClient(ctx.api);
    this.resolver = new EntityResolver(ctx.api);
    this.hooks = {
      ask: (q, reading) => void this.ask(q, this.asOfInput.value, reading),
      retry: (turn) => {
        if (turn.state !== 'done') this.removeTurn(turn);
        void this.ask(turn.question, turn.asOf, turn.reading);
      },
      cancel: () => this.cancel(),
      openEntity: (id) => void ctx.openEntity(id),
      openPassage: (c) => void ctx.openPassage(c.documentId, c.chunkId, c.quote),
      showInGraph: (turn) => {
        const g = this.graphs.get(turn);
        if (g) this.showInGraph(g);
      },
      notify: (m) => ctx.notify(m, 'info'),
    };
    this.input = h('textarea', { data: { testid: 'question' } });
    this.input.rows = 3;
    this.input.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        void this.ask();
      } else if (ev.key === 'Escape' && this.pending) {
        ev.preventDefault();
        this.cancel();
      }
    });
    this.asOfInput = h('input', { type: 'date', data: { testid: 'as-of' } });
    this.asOfLabel = h('span', {});
    this.button = h('button', { type: 'submit', class: 'primary', data: { testid: 'ask' } });
    this.newButton = h('button', { type: 'button', data: { testid: 'new-conversation' }, onclick: () => this.startNew() });
    this.historyButton = h('button', { type: 'button', data: { testid: 'history-toggle' }, aria: { expanded: 'false', controls: 'ask-history' }, onclick: () => void this.toggleHistory() });
    this.historyEl = h('div', { class: 'ask-history', id: 'ask-history', hidden: true, data: { testid: 'history' } });
    this.log = h('div', { class: 'chat-log', data: { testid: 'chat-log' }, aria: { live: 'polite' } });
    this.el = h('div', { class: 'chat' },
      h('div', { class: 'chat-bar' }, this.newButton, this.historyButton),
      this.historyEl,
      this.log,
      h('form', { class: 'ask-form', onsubmit: (ev) => { ev.preventDefault(); void this.ask(); } },
        this.input,
        h('div', { class: 'ask-controls' },
          h('label', { class: 'as-of' }, this.asOfLabel, this.asOfInput),
          this.button)));
    this.renderText();
    onLocaleChange(() => {
      this.renderText();
      for (const turn of this.turns) turn.render();
      this.renderHistory();
    });
  }

  /** Shows the chosen collection's current conversation (main.ts calls this when the collection changes). */
  setCollection(collection: string): void {
    if (collection === this.collection) return;
    this.cancel();
    this.collection = collection;
    this.conversationId = stored(collection);
    this.showTurns([]);
    if (this.conversationId) void this.open(this.conversationId);
    this.history = undefined;
    if (!this.historyEl.hidden) void this.loadHistory();
  }

  private renderText(): void {
    this.input.placeholder = t('placeholder');
    this.input.setAttribute('aria-label', t('questionLabel'));
    this.asOfLabel.textContent = t('asOf');
    this.asOfInput.title = t('asOfHint');
    this.button.textContent = t('ask');
    this.newButton.textContent = t('newConversation');
    this.historyButton.textContent = t('history');
    if (this.turns.length === 0) this.showTurns([]);
  }

  private showTurns(turns: TurnView[]): void {
    this.turns = turns;
    clear(this.log, ...(turns.length ? turns.map((x) => x.el) : [h('p', { class: 'muted intro', data: { testid: 'ask-intro' } }, t('intro'))]));
  }

  private removeTurn(turn: TurnView): void {
    this.turns = this.turns.filter((x) => x !== turn);
    turn.el.remove();
  }

  /** Asks `question` (the typed one by default) in the current conversation, starting one if there is none. */
  async ask(question = this.input.value.trim(), asOf = this.asOfInput.value, reading?: Reading): Promise<void> {
    if (!question || this.pending) return;
    if (this.collection === undefined || this.collection !== this.ctx.collection()) this.setCollection(this.ctx.collection());
    const collection = this.collection ?? '';
    const collections = collection ? [collection] : undefined;
    const generation = this.generation;
    const turn = new TurnView(question, asOf, this.hooks, reading);
    if (this.turns.length === 0) clear(this.log);
    this.turns.push(turn);
    this.log.append(turn.el);
    this.log.scrollTop = this.log.scrollHeight;
    if (question === this.input.value.trim()) this.input.value = '';
    const controller = new AbortController();
    this.pending = { turn, controller, clock: setInterval(() => turn.tick(), 100) };
    this.button.disabled = true;
    try {
      if (!this.conversationId) {
        const conversation = await this.client.create(collections, question.slice(0, 120));
        if (conversation) this.adopt(conversation.id, collection);
      }
      const result = await this.client.ask(
        { question, ...(collections ? { collections } : {}), ...(asOf ? { asOf } : {}), ...(this.conversationId ? { conversationId: this.conversationId } : {}), ...(reading ? { reading: reading.index } : {}) },
        controller.signal,
        { onPlan: (p) => this.following(() => turn.onPlan(p)), onToken: (text) => this.following(() => turn.onToken(text)) },
      );
      if (generation !== this.generation) return;
      if (result.conversationId && result.conversationId !== this.conversationId) this.adopt(result.conversationId, collection);
      turn.done(result);
      this.scrollTo(turn);
      void this.linkAnswer(turn, collection, true);
      if (this.history) void this.loadHistory();
    } catch (err) {
      if (controller.signal.aborted) {
        turn.cancelled();
        return;
      }
      if (err instanceof UiError && err.status === 404 && this.conversationId) {
        // Deleted elsewhere (another tab, the CLI): the next question starts a new conversation.
        this.adopt(undefined, collection);
        turn.failed(t('gone'));
        return;
      }
      turn.failed(err instanceof Error ? err.message : String(err));
    } finally {
      if (this.pending?.turn === turn) {
        clearInterval(this.pending.clock);
        this.pending = undefined;
      }
      this.button.disabled = false;
    }
  }

  /** Shows a finished answer from its question down (the log scrolls, not the page). */
  private scrollTo(turn: TurnView): void {
    this.log.scrollTop = turn.el.offsetTop - this.log.offsetTop;
  }

  /** Keeps the end of the log in view while an answer is written, unless the reader scrolled up. */
  private following(update: () => void): void {
    const atEnd = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    update();
    if (atEnd) this.log.scrollTop = this.log.scrollHeight;
  }

  /** Stops the question being answered: the request is aborted, and with it the server's work. */
  cancel(): void {
    this.pending?.controller.abort();
  }

  private adopt(id: string | undefined, collection: string): void {
    this.conversationId = id;
    store(collection, id);
  }

  /** Clears the view; the next question starts a new conversation (the old one stays in History). */
  private startNew(): void {
    this.cancel();
    this.generation++;
    this.adopt(undefined, this.collection ?? '');
    this.showTurns([]);
    this.ctx.graph.highlight([]);
    this.renderHistory();
    this.input.focus();
  }

  /** Shows a stored conversation's turns. */
  private async open(id: string): Promise<void> {
    this.cancel();
    const generation = ++this.generation;
    let detail: ConversationDetail;
    try {
      detail = await this.client.get(id);
    } catch (err) {
      if (generation !== this.generation) return;
      if (err instanceof UiError && err.status === 404) {
        this.adopt(undefined, this.collection ?? '');
        if (this.history) void this.loadHistory();
      } else this.ctx.notify(err instanceof Error ? err.message : String(err));
      return;
    }
    if (generation !== this.generation) return;
    this.adopt(detail.id, this.collection ?? '');
    const turns = detail.turns.map((x) => {
      const turn = new TurnView(x.question, '', this.hooks);
      turn.done({ ...x.result, ...(x.standaloneQuestion ? { standaloneQuestion: x.standaloneQuestion } : {}) });
      return turn;
    });
    this.showTurns(turns);
    this.renderHistory();
    const last = turns[turns.length - 1];
    if (last) this.scrollTo(last);
    for (const turn of turns) void this.linkAnswer(turn, this.collection ?? '', false);
  }

  /** Finds the answer's nodes, links its names to them and, for a new answer, highlights them in the graph. */
  private async linkAnswer(turn: TurnView, collection: string, highlight: boolean): Promise<void> {
    const r = turn.result;
    if (!r) return;
    if (highlight) this.ctx.graph.highlight([]); // the previous answer's highlight no longer applies
    const g = await this.resolver.answerGraph(r, collection);
    this.graphs.set(turn, g);
    turn.setLinks(g.byName);
    if (highlight && this.turns[this.turns.length - 1] === turn) this.showInGraph(g);
  }

  /** Adds the answer's nodes and relationships to the graph if they are not shown, and highlights exactly them. */
  private showInGraph(g: AnswerGraph): void {
    const graph = this.ctx.graph;
    let added = false;
    for (const n of g.nodes) added = graph.addNode(n) || added;
    const edges = g.edges.map((e) => graph.addEdge(e)).filter((k): k is string => k !== null);
    if (added) {
      graph.layout();
      graph.onChange?.();
    }
    graph.highlight(g.nodes.map((n) => n.id), edges);
    this.ctx.refreshFilters();
  }

  // ---- history ---------------------------------------------------------------------------------

  private async toggleHistory(): Promise<void> {
    const show = this.historyEl.hidden;
    this.historyEl.hidden = !show;
    this.historyButton.setAttribute('aria-expanded', String(show));
    if (show) await this.loadHistory();
  }

  private async loadHistory(): Promise<void> {
    const items = await this.ctx.guard(this.client.list(this.collection ?? this.ctx.collection()));
    if (!items) return;
    this.history = items;
    this.renderHistory();
  }

  private renderHistory(): void {
    if (this.historyEl.hidden) return;
    if (!this.client.conversationsSupported) {
      clear(this.historyEl, h('p', { class: 'muted' }, t('historyUnsupported')));
      return;
    }
    const items = this.history ?? [];
    clear(this.historyEl, items.length
      ? h('ul', {}, ...items.map((c) => {
          const current = c.id === this.conversationId;
          const del = h('button', { type: 'button', class: 'danger small', data: { testid: 'delete-conversation' }, onclick: () => void this.remove(c.id) },
            this.confirmDelete === c.id ? t('reallyDelete') : t('delete'));
          return h('li', { class: current ? 'current' : '', data: { testid: 'history-item' } },
            h('button', { type: 'button', class: 'link', data: { testid: 'history-open' }, onclick: () => void this.open(c.id) }, c.title || t('untitled')),
            h('span', { class: 'muted' }, ` ${formatDate(c.updatedAt)} · ${t('questions', c.turnCount)}${current ? ` · ${t('current')}` : ''}`),
            del);
        }))
      : h('p', { class: 'muted' }, t('historyEmpty')));
  }

  private async remove(id: string): Promise<void> {
    if (this.confirmDelete !== id) {
      this.confirmDelete = id;
      this.renderHistory();
      return;
    }
    this.confirmDelete = undefined;
    const done = await this.ctx.guard(this.client.remove(id).then(() => true));
    if (done) {
      this.ctx.notify(t('deleted'), 'info');
      if (id === this.conversationId) this.startNew();
    }
    await this.loadHistory();
  }
}
