/**
 * The documents panel: upload into an explicitly chosen collection with live progress and a result
 * per file, the documents of the chosen collection as a table (server-side search, sort and
 * pagination; bulk delete), record imports, and collections made or removed by an admin.
 */
import { query, type DocumentPage, type DocumentSort, type DocumentSummary, type Job } from './api.ts';
import type { Ctx } from './context.ts';
import { clear, h, keepFocus } from './dom.ts';
import { defineMessages, formatDate, formatNumber, locale, onLocaleChange } from './i18n.ts';

const t = defineMessages({
  en: {
    uploadInto: 'Upload into',
    chooseCollection: 'Choose a collection…',
    newCollection: 'New collection',
    newCollectionName: 'Name of the new collection',
    create: 'Create',
    cancel: 'Cancel',
    created: (c: string) => `Collection "${c}" created.`,
    deleteCollection: 'Delete collection',
    reallyDeleteCollection: (c: string) => `Delete "${c}" and everything in it?`,
    collectionDeleted: (c: string, n: number) => `Collection "${c}" deleted (${formatNumber(n)} nodes).`,
    chooseFirst: 'Choose the collection to upload into first.',
    drop: 'Drop files here',
    dropMore: ' or click to choose: PDF, DOCX, HTML, Markdown, text, JSON Lines.',
    uploads: 'Uploads',
    queued: 'queued',
    running: 'running',
    succeeded: 'done',
    failed: 'failed',
    progress: (done: number, total: number, docs: number, chunks: number, now: string) => `${done}/${total} files · ${formatNumber(docs)} documents · ${formatNumber(chunks)} passages${now ? ` · now: ${now}` : ''}`,
    importProgress: (phase: string, rows: number | null) => `${phase}${rows !== null ? ` · ${formatNumber(rows)} rows` : ''}`,
    failedBecause: (m: string) => `Failed: ${m}`,
    unknownError: 'unknown error',
    ingested: (n: number) => (n === 1 ? 'ingested, 1 passage' : `ingested, ${formatNumber(n)} passages`),
    unchanged: 'unchanged (already ingested)',
    extraction: (created: number, linked: number, relations: number) => `Extraction: ${formatNumber(created)} new entities, ${formatNumber(linked)} linked to existing ones, ${formatNumber(relations)} relationships.`,
    imported: (rows: number, created: number, updated: number, unchanged: number, rels: number) =>
      `${formatNumber(rows)} rows: ${formatNumber(created)} created, ${formatNumber(updated)} updated, ${formatNumber(unchanged)} unchanged, ${formatNumber(rels)} relationships.`,
    refused: (n: number) => `${formatNumber(n)} rows refused:`,
    documents: 'Documents',
    searchDocs: 'Search documents by name',
    refresh: 'Refresh',
    deleteSelected: (n: number) => (n ? `Delete ${n} selected` : 'Delete selected'),
    reallyDelete: (n: number) => `Really delete ${n}?`,
    deleted: (n: number) => (n === 1 ? 'Deleted 1 document.' : `Deleted ${formatNumber(n)} documents.`),
    selectAll: 'Select all on this page',
    select: (name: string) => `Select ${name}`,
    colName: 'Name',
    colType: 'Type',
    colSize: 'Size',
    colPages: 'Pages',
    colChunks: 'Passages',
    colEntities: 'Entities',
    colStatus: 'Status',
    colIngested: 'Ingested',
    colCollection: 'Collection',
    chars: (n: string) => `${n} chars`,
    statusExtracted: 'entities extracted',
    statusIndexed: 'passages only',
    statusEmpty: 'no text',
    loading: 'Loading documents…',
    none: 'No documents in this collection yet. Drop some above.',
    noneAll: 'No documents yet. Choose a collection and drop some above.',
    noMatch: (q: string) => `No document name contains "${q}".`,
    loadFailed: 'The documents could not be loaded (see the message).',
    range: (from: number, to: number, total: number) => `${formatNumber(from)}–${formatNumber(to)} of ${formatNumber(total)}`,
    previous: 'Previous page',
    next: 'Next page',
    importTitle: 'Import structured records (CSV, JSON, JSON Lines, XLSX) with a mapping',
    importFile: 'Records file',
    mappingHelp: '{"label": "Person", "key": "id", "properties": {…}} — see schemas/mapping.schema.json',
    mapping: 'Mapping (JSON)',
    import: 'Import',
    chooseRecords: 'Choose a records file first.',
    badMapping: 'The mapping is not valid JSON.',
    aFile: 'a file',
    text: 'Text',
  },
  zh: {
    uploadInto: '上传到',
    chooseCollection: '选择集合…',
    newCollection: '新建集合',
    newCollectionName: '新集合的名称',
    create: '创建',
    cancel: '取消',
    created: (c: string) => `已创建集合“${c}”。`,
    deleteCollection: '删除集合',
    reallyDeleteCollection: (c: string) => `删除“${c}”及其全部内容？`,
    collectionDeleted: (c: string, n: number) => `已删除集合“${c}”（${formatNumber(n)} 个节点）。`,
    chooseFirst: '请先选择要上传到的集合。',
    drop: '将文件拖放到此处',
    dropMore: '，或点击选择：PDF、DOCX、HTML、Markdown、文本、JSON Lines。',
    uploads: '上传',
    queued: '排队中',
    running: '处理中',
    succeeded: '完成',
    failed: '失败',
    progress: (done: number, total: number, docs: number, chunks: number, now: string) => `${done}/${total} 个文件 · ${formatNumber(docs)} 篇文档 · ${formatNumber(chunks)} 个段落${now ? ` · 当前：${now}` : ''}`,
    importProgress: (phase: string, rows: number | null) => `${phase}${rows !== null ? ` · ${formatNumber(rows)} 行` : ''}`,
    failedBecause: (m: string) => `失败：${m}`,
    unknownError: '未知错误',
    ingested: (n: number) => `已导入，${formatNumber(n)} 个段落`,
    unchanged: '未变化（已导入过）',
    extraction: (created: number, linked: number, relations: number) => `抽取：${formatNumber(created)} 个新实体，${formatNumber(linked)} 个关联到已有实体，${formatNumber(relations)} 条关系。`,
    imported: (rows: number, created: number, updated: number, unchanged: number, rels: number) =>
      `${formatNumber(rows)} 行：新建 ${formatNumber(created)}，更新 ${formatNumber(updated)}，未变 ${formatNumber(unchanged)}，关系 ${formatNumber(rels)}。`,
    refused: (n: number) => `${formatNumber(n)} 行被拒绝：`,
    documents: '文档',
    searchDocs: '按名称搜索文档',
    refresh: '刷新',
    deleteSelected: (n: number) => (n ? `删除所选 ${n} 项` : '删除所选'),
    reallyDelete: (n: number) => `确定删除 ${n} 项？`,
    deleted: (n: number) => `已删除 ${formatNumber(n)} 篇文档。`,
    selectAll: '选择本页全部',
    select: (name: string) => `选择 ${name}`,
    colName: '名称',
    colType: '类型',
    colSize: '大小',
    colPages: '页数',
    colChunks: '段落',
    colEntities: '实体',
    colStatus: '状态',
    colIngested: '导入时间',
    colCollection: '集合',
    chars: (n: string) => `${n} 字符`,
    statusExtracted: '已抽取实体',
    statusIndexed: '仅段落',
    statusEmpty: '无文本',
    loading: '正在加载文档…',
    none: '此集合还没有文档。请拖放文件到上方。',
    noneAll: '还没有文档。请选择集合并拖放文件到上方。',
    noMatch: (q: string) => `没有名称包含“${q}”的文档。`,
    loadFailed: '无法加载文档（见消息）。',
    range: (from: number, to: number, total: number) => `第 ${formatNumber(from)}–${formatNumber(to)} 项，共 ${formatNumber(total)} 项`,
    previous: '上一页',
    next: '下一页',
    importTitle: '用映射导入结构化记录（CSV、JSON、JSON Lines、XLSX）',
    importFile: '记录文件',
    mappingHelp: '{"label": "Person", "key": "id", "properties": {…}} — 见 schemas/mapping.schema.json',
    mapping: '映射（JSON）',
    import: '导入',
    chooseRecords: '请先选择记录文件。',
    badMapping: '映射不是有效的 JSON。',
    aFile: '某个文件',
    text: '文本',
  },
});

const PAGE_SIZE = 25;

interface Column { key: string; sort?: DocumentSort; label: () => string; cell: (d: DocumentSummary) => Node | string; class?: string }

/** A short name for a MIME type: PDF, DOCX, Markdown… */
function typeName(mime: string): string {
  const known: Record<string, string> = {
    'application/pdf': 'PDF',
    'text/markdown': 'Markdown',
    'text/plain': t('text'),
    'text/html': 'HTML',
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'DOCX',
    'application/x-ndjson': 'JSON Lines',
    'application/jsonl': 'JSON Lines',
  };
  return known[mime] ?? (mime.split('/').pop() ?? mime).toUpperCase();
}

export class Documents {
  readonly el: HTMLElement;
  private readonly tableWrap: HTMLElement;
  private readonly pager: HTMLElement;
  private readonly jobs: HTMLElement;
  private readonly target: HTMLSelectElement;
  private readonly fileInput: HTMLInputElement;
  private readonly search: HTMLInputElement;
  private readonly bulk: HTMLButtonElement;
  private readonly collectionBar: HTMLElement;
  private sort: DocumentSort = 'updatedAt';
  private order: 'asc' | 'desc' = 'desc';
  private offset = 0;
  private selected = new Set<string>();
  private last: DocumentPage | null = null;
  private state: 'loading' | 'failed' | 'shown' = 'loading';
  private seq = 0;
  private bulkArmed = false;
  /** The form for a new collection's name is open. */
  private naming = false;
  private readonly relabel: Array<() => void> = [];

  constructor(private readonly ctx: Ctx) {
    this.target = h('select', { data: { testid: 'target-collection' } });
    this.fileInput = h('input', { type: 'file', data: { testid: 'file-input' } });
    this.fileInput.multiple = true;
    this.fileInput.hidden = true;
    this.fileInput.addEventListener('change', () => {
      if (this.fileInput.files?.length) void this.upload([...this.fileInput.files]);
      this.fileInput.value = '';
    });
    const dropText = h('span', {});
    const drop = h('div', { class: 'dropzone', tabIndex: 0, role: 'button', data: { testid: 'dropzone' }, onclick: () => this.choose() }, dropText);
    this.text(() => clear(dropText, h('b', {}, t('drop')), t('dropMore')));
    drop.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        this.choose();
      }
    });
    drop.addEventListener('dragover', (ev) => {
      ev.preventDefault();
      drop.classList.add('over');
    });
    drop.addEventListener('dragleave', () => drop.classList.remove('over'));
    drop.addEventListener('drop', (ev) => {
      ev.preventDefault();
      drop.classList.remove('over');
      const files = [...(ev.dataTransfer?.files ?? [])];
      if (files.length) void this.upload(files);
    });
    this.jobs = h('div', { class: 'jobs', data: { testid: 'jobs' }, aria: { live: 'polite' } });
    this.search = h('input', { type: 'search', data: { testid: 'document-search' } });
    let timer: ReturnType<typeof setTimeout> | undefined;
    this.search.addEventListener('input', () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        this.offset = 0;
        void this.refresh();
      }, 250);
    });
    this.bulk = h('button', { type: 'button', class: 'danger', disabled: true, data: { testid: 'bulk-delete', focus: 'bulk' }, onclick: () => void this.deleteSelected() });
    this.tableWrap = h('div', { class: 'doc-table-wrap', data: { testid: 'documents' } });
    this.pager = h('div', { class: 'row pager', data: { testid: 'pager' } });
    this.collectionBar = h('div', { class: 'row collection-bar' });
    const label = (key: Parameters<typeof t>[0], el: HTMLElement) => {
      const span = h('span', {});
      this.text(() => {
        span.textContent = t(key as 'uploadInto');
        el.setAttribute('aria-label', t(key as 'uploadInto'));
      });
      return span;
    };
    const heading = h('h3', {});
    const refresh = h('button', { type: 'button', data: { focus: 'refresh' }, onclick: () => void this.refresh() });
    this.text(() => {
      heading.textContent = t('documents');
      refresh.textContent = t('refresh');
      this.search.placeholder = t('searchDocs');
      this.search.setAttribute('aria-label', t('searchDocs'));
      this.updateBulk();
    });
    this.el = h('div', { class: 'documents' },
      h('label', { class: 'field' }, label('uploadInto', this.target), this.target),
      this.collectionBar,
      drop, this.fileInput, this.jobs,
      h('div', { class: 'row' }, heading, refresh),
      h('div', { class: 'row' }, this.search, this.bulk),
      this.tableWrap,
      this.pager,
      this.importForm());
    this.target.addEventListener('change', () => this.drawCollectionBar());
    onLocaleChange(() => {
      for (const f of this.relabel) f();
      this.collectionsChanged();
      this.draw();
    });
    for (const f of this.relabel) f();
  }

  /** Registers text to set now and again on every language switch. */
  private text(set: () => void): void {
    this.relabel.push(set);
  }

  /** The collection list changed: the upload target lists them, the chosen one preselected. */
  collectionsChanged(follow = false): void {
    // Choosing another collection above makes it the upload target too (or none, for "all").
    const keep = follow ? this.ctx.collection() : this.target.value || this.ctx.collection();
    clear(this.target, h('option', { value: '' }, t('chooseCollection')), ...this.ctx.collections().filter((c) => !c.startsWith('@')).map((c) => h('option', { value: c }, c)));
    this.target.value = this.ctx.collections().includes(keep) ? keep : '';
    // A background refresh (a finished upload) must not wipe a name being typed.
    if (!this.naming) this.drawCollectionBar();
  }

  private drawCollectionBar(): void {
    this.naming = false;
    // Only an admin key may create or delete collections: others are not offered what the server refuses.
    if (!this.ctx.isAdmin()) return clear(this.collectionBar);
    const chosen = this.target.value;
    const makeNew = h('button', { type: 'button', data: { testid: 'new-collection' }, onclick: () => {
      const input = h('input', { data: { testid: 'new-collection-name' }, aria: { label: t('newCollectionName') }, placeholder: t('newCollectionName') });
      const form = h('form', { class: 'row', onsubmit: (ev) => { ev.preventDefault(); void this.createCollection(input.value.trim()); } },
        input, h('button', { type: 'submit', class: 'primary', data: { testid: 'create-collection' } }, t('create')),
        h('button', { type: 'button', onclick: () => this.drawCollectionBar() }, t('cancel')));
      clear(this.collectionBar, form);
      this.naming = true;
      input.focus();
    } }, t('newCollection'));
    let armed = false;
    const remove = chosen
      ? h('button', { type: 'button', class: 'danger', data: { testid: 'delete-collection' }, onclick: () => {
          if (!armed) {
            armed = true;
            remove!.textContent = t('reallyDeleteCollection', chosen);
            return;
          }
          void this.deleteCollection(chosen);
        } }, t('deleteCollection'))
      : null;
    clear(this.collectionBar, makeNew, remove);
  }

  private async createCollection(name: string): Promise<void> {
    if (!name) return;
    const res = await this.ctx.guard(this.ctx.api.post<{ collection: string; created: boolean }>('/v1/collections', { name }));
    if (!res) return;
    this.ctx.notify(t('created', res.collection), 'info');
    await this.ctx.refreshCollections();
    this.target.value = res.collection;
    this.drawCollectionBar();
    this.target.focus();
  }

  private async deleteCollection(name: string): Promise<void> {
    const res = await this.ctx.guard(this.ctx.api.delete<{ nodes: number }>(`/v1/collections/${encodeURIComponent(name)}`));
    if (!res) return this.drawCollectionBar();
    this.ctx.notify(t('collectionDeleted', name, res.nodes), 'info');
    this.target.value = '';
    await this.ctx.refreshCollections();
    await this.refresh();
    this.target.focus();
  }

  private choose(): void {
    if (!this.target.value) {
      this.ctx.notify(t('chooseFirst'));
      this.target.focus();
      return;
    }
    this.fileInput.click();
  }

  async upload(files: File[]): Promise<void> {
    const collection = this.target.value;
    if (!collection) {
      this.ctx.notify(t('chooseFirst'));
      this.target.focus();
      return;
    }
    const form = new FormData();
    form.set('collection', collection);
    for (const f of files) form.append('files', f, f.name);
    const job = await this.ctx.guard(this.ctx.api.post<Job>('/v1/documents', form));
    if (job) await this.follow(job, files.map((f) => f.name).join(', '));
  }

  private async follow(job: Job, what: string): Promise<void> {
    const bar = h('progress', {});
    bar.max = 1;
    const status = h('span', { data: { testid: 'job-status' } }, t('queued'));
    const detail = h('div', { class: 'muted', data: { testid: 'job-detail' } });
    const outcomes = h('ul', { class: 'outcomes', data: { testid: 'job-outcomes' } });
    const row = h('div', { class: 'job', data: { testid: 'job', job: job.id } }, h('div', {}, h('b', {}, what), ' → ', job.collection, ' · ', status), bar, detail, outcomes);
    this.jobs.prepend(row);
    const show = (j: Job) => {
      status.textContent = t(j.status);
      row.dataset.status = j.status;
      const p = j.progress;
      if (j.kind === 'ingest') {
        const total = Number(p.sourcesTotal ?? 0);
        const done = Number(p.sourcesDone ?? 0);
        if (total > 0) {
          bar.max = total;
          bar.value = done;
        }
        detail.textContent = t('progress', done, total, Number(p.documents ?? 0), Number(p.chunks ?? 0), p.current ? String(p.current).replace(/^upload:/, '') : '');
      } else {
        detail.textContent = t('importProgress', String(p.phase ?? ''), p.rows !== undefined ? Number(p.rows) : null);
      }
    };
    show(job);
    try {
      const last = await this.ctx.api.followJob(job.id, show);
      show(last);
      bar.max = 1;
      bar.value = 1;
      if (last.status === 'failed') {
        detail.textContent = t('failedBecause', last.error?.message ?? t('unknownError'));
        detail.className = 'error';
      } else this.result(last, detail, outcomes);
      await this.ctx.refreshCollections();
      await this.refresh();
    } catch (err) {
      this.ctx.notify(err instanceof Error ? err.message : String(err));
    }
  }

  /** What a finished job did: per file for an upload (with extraction counts), per row outcome for an import. */
  private result(j: Job, detail: HTMLElement, list: HTMLElement): void {
    if (j.kind === 'ingest') {
      const r = j.result as { outcomes?: Array<{ status: string; source?: string; chunks?: number; error?: string }>; extraction?: { created?: number; linked?: number; relations?: number } } | undefined;
      const ex = r?.extraction;
      detail.textContent = ex ? t('extraction', Number(ex.created ?? 0), Number(ex.linked ?? 0), Number(ex.relations ?? 0)) : '';
      detail.className = 'muted';
      clear(list, ...(r?.outcomes ?? []).map((o) =>
        h('li', { class: o.status === 'failed' ? 'error' : '', data: { testid: 'job-outcome', status: o.status } },
          h('b', {}, (o.source ?? t('aFile')).replace(/^upload:/, '')), ': ',
          o.status === 'failed' ? t('failedBecause', o.error ?? t('unknownError')) : o.status === 'unchanged' ? t('unchanged') : t('ingested', Number(o.chunks ?? 0)))));
      return;
    }
    const r = j.result as { rows?: number; created?: number; updated?: number; unchanged?: number; relationships?: number; errorCount?: number; errors?: Array<{ row?: number; message?: string }> } | undefined;
    detail.textContent = t('imported', Number(r?.rows ?? 0), Number(r?.created ?? 0), Number(r?.updated ?? 0), Number(r?.unchanged ?? 0), Number(r?.relationships ?? 0));
    detail.className = 'muted';
    const errors = r?.errors ?? [];
    clear(list, ...(errors.length
      ? [h('li', { class: 'error' }, t('refused', Number(r?.errorCount ?? errors.length))), ...errors.slice(0, 10).map((e) => h('li', { class: 'error' }, `#${e.row ?? '?'}: ${e.message ?? ''}`))]
      : []));
  }

  async refresh(): Promise<void> {
    const seq = ++this.seq;
    const collection = this.ctx.collection();
    if (!this.last) this.state = 'loading';
    this.draw();
    const page = await this.ctx.guard(this.ctx.api.get<DocumentPage>(`/v1/documents${query({ collection, q: this.search.value.trim(), sort: this.sort, order: this.order, offset: this.offset, limit: PAGE_SIZE })}`));
    if (seq !== this.seq) return;
    if (!page) {
      this.state = 'failed';
      this.last = null;
      return this.draw();
    }
    // A deletion can leave an offset past the end.
    if (page.items.length === 0 && page.total > 0 && this.offset > 0) {
      this.offset = Math.max(0, Math.floor((page.total - 1) / PAGE_SIZE) * PAGE_SIZE);
      return this.refresh();
    }
    this.last = page;
    this.state = 'shown';
    const ids = new Set(page.items.map((d) => d.id));
    for (const id of [...this.selected]) if (!ids.has(id)) this.selected.delete(id);
    this.draw();
  }

  private columns(): Column[] {
    const cols: Column[] = [
      { key: 'name', sort: 'name', label: () => t('colName'), class: 'name', cell: (d) => h('button', { class: 'link title', type: 'button', onclick: () => void this.ctx.openDocument(d.id), data: { testid: 'document-title', focus: `open:${d.id}` } }, d.name) },
      { key: 'type', sort: 'type', label: () => t('colType'), class: 'opt2', cell: (d) => typeName(d.mimeType) },
      { key: 'size', sort: 'size', label: () => t('colSize'), class: 'num opt2', cell: (d) => (d.characters ? t('chars', new Intl.NumberFormat(locale() === 'zh' ? 'zh-CN' : 'en', { notation: 'compact' }).format(d.characters)) : '—') },
      { key: 'pages', label: () => t('colPages'), class: 'num opt2', cell: (d) => (d.pages ? formatNumber(d.pages) : '—') },
      { key: 'chunks', sort: 'chunks', label: () => t('colChunks'), class: 'num', cell: (d) => formatNumber(d.chunks ?? 0) },
      { key: 'entities', sort: 'entities', label: () => t('colEntities'), class: 'num', cell: (d) => formatNumber(d.entities) },
      { key: 'status', label: () => t('colStatus'), class: 'opt nowrap', cell: (d) => h('span', { class: `status ${d.status}`, data: { testid: 'document-status' } }, t(({ extracted: 'statusExtracted', indexed: 'statusIndexed', empty: 'statusEmpty' } as const)[d.status])) },
      { key: 'createdAt', sort: 'createdAt', label: () => t('colIngested'), class: 'opt3 date', cell: (d) => (d.createdAt ? formatDate(d.createdAt, 'short') : '—') },
    ];
    if (!this.ctx.collection()) cols.push({ key: 'collection', sort: 'collection', label: () => t('colCollection'), class: 'opt', cell: (d) => d.collection });
    return cols;
  }

  private draw(): void {
    keepFocus(this.el, () => this.drawTable());
  }

  private drawTable(): void {
    this.updateBulk();
    if (this.state === 'loading' && !this.last) {
      clear(this.tableWrap, h('p', { class: 'muted', role: 'status' }, t('loading')));
      clear(this.pager);
      return;
    }
    if (this.state === 'failed' || !this.last) {
      clear(this.tableWrap, h('p', { class: 'error', data: { testid: 'documents-error' } }, t('loadFailed')));
      clear(this.pager);
      return;
    }
    const page = this.last;
    const q = this.search.value.trim();
    if (page.items.length === 0) {
      clear(this.tableWrap, h('p', { class: 'muted', data: { testid: 'documents-empty' } }, q ? t('noMatch', q) : this.ctx.collection() ? t('none') : t('noneAll')));
      clear(this.pager);
      return;
    }
    const cols = this.columns();
    const all = h('input', { type: 'checkbox', checked: page.items.every((d) => this.selected.has(d.id)), aria: { label: t('selectAll') }, data: { testid: 'select-all', focus: 'select-all' } });
    all.addEventListener('change', () => {
      for (const d of page.items) {
        if (all.checked) this.selected.add(d.id);
        else this.selected.delete(d.id);
      }
      this.draw();
    });
    const header = (c: Column) => {
      const th = h('th', { class: c.class ?? '' });
      th.setAttribute('scope', 'col');
      if (!c.sort) {
        th.textContent = c.label();
        return th;
      }
      const active = this.sort === c.sort;
      th.setAttribute('aria-sort', active ? (this.order === 'asc' ? 'ascending' : 'descending') : 'none');
      th.append(h('button', { type: 'button', class: 'sort', data: { testid: `sort-${c.key}`, focus: `sort:${c.key}` }, onclick: () => {
        if (active) this.order = this.order === 'asc' ? 'desc' : 'asc';
        else {
          this.sort = c.sort!;
          this.order = c.sort === 'createdAt' || c.sort === 'entities' || c.sort === 'chunks' || c.sort === 'size' ? 'desc' : 'asc';
        }
        this.offset = 0;
        void this.refresh();
      } }, c.label(), h('span', { class: 'arrow', aria: { hidden: 'true' } }, active ? (this.order === 'asc' ? ' ▲' : ' ▼') : '')));
      return th;
    };
    const row = (d: DocumentSummary) => {
      const box = h('input', { type: 'checkbox', checked: this.selected.has(d.id), aria: { label: t('select', d.name) }, data: { testid: 'select-document', focus: `select:${d.id}` } });
      box.addEventListener('change', () => {
        if (box.checked) this.selected.add(d.id);
        else this.selected.delete(d.id);
        this.bulkArmed = false;
        this.updateBulk();
        all.checked = page.items.every((x) => this.selected.has(x.id));
      });
      return h('tr', { data: { testid: 'document', id: d.id } }, h('td', { class: 'sel' }, box), ...cols.map((c) => h('td', { class: c.class ?? '' }, c.cell(d))));
    };
    clear(this.tableWrap,
      h('table', { class: 'docs' },
        h('thead', {}, h('tr', {}, h('th', { class: 'sel' }, all), ...cols.map(header))),
        h('tbody', {}, ...page.items.map(row))));
    const prev = h('button', { type: 'button', disabled: page.offset === 0, data: { testid: 'page-prev', focus: 'prev' }, aria: { label: t('previous') }, onclick: () => { this.offset = Math.max(0, page.offset - PAGE_SIZE); void this.refresh(); } }, '‹');
    const next = h('button', { type: 'button', disabled: page.nextOffset === null, data: { testid: 'page-next', focus: 'next' }, aria: { label: t('next') }, onclick: () => { this.offset = page.nextOffset ?? page.offset; void this.refresh(); } }, '›');
    clear(this.pager, prev, h('span', { class: 'muted', data: { testid: 'page-range' } }, t('range', page.offset + 1, page.offset + page.items.length, page.total)), next);
  }

  private updateBulk(): void {
    const n = this.selected.size;
    this.bulk.disabled = n === 0;
    this.bulk.textContent = this.bulkArmed && n ? t('reallyDelete', n) : t('deleteSelected', n);
  }

  private async deleteSelected(): Promise<void> {
    const ids = [...this.selected];
    if (!ids.length) return;
    if (!this.bulkArmed) {
      this.bulkArmed = true;
      this.updateBulk();
      return;
    }
    this.bulkArmed = false;
    this.bulk.disabled = true;
    let deleted = 0;
    for (const id of ids) {
      const done = await this.ctx.guard(this.ctx.api.delete<{ chunks: number }>(`/v1/documents/${encodeURIComponent(id)}`));
      if (done) {
        deleted++;
        this.selected.delete(id);
      }
    }
    if (deleted) this.ctx.notify(t('deleted', deleted), 'info');
    await this.refresh();
    // The focus stays in the table's toolbar rather than falling to the page.
    (this.bulk.disabled ? this.search : this.bulk).focus();
  }

  private importForm(): HTMLElement {
    const file = h('input', { type: 'file', data: { testid: 'import-file' } });
    file.accept = '.csv,.json,.jsonl,.ndjson,.xlsx';
    const mapping = h('textarea', { data: { testid: 'import-mapping' } });
    mapping.rows = 6;
    const go = h('button', { type: 'submit', data: { testid: 'import' } });
    const summary = h('summary', {});
    const fileLabel = h('span', {});
    const mappingLabel = h('span', {});
    this.text(() => {
      summary.textContent = t('importTitle');
      fileLabel.textContent = t('importFile');
      mappingLabel.textContent = t('mapping');
      mapping.placeholder = t('mappingHelp');
      go.textContent = t('import');
    });
    return h('details', { class: 'import' },
      summary,
      h('form', { onsubmit: (ev) => {
        ev.preventDefault();
        const f = file.files?.[0];
        if (!f) return this.ctx.notify(t('chooseRecords'));
        const collection = this.target.value;
        if (!collection) {
          this.ctx.notify(t('chooseFirst'));
          return this.target.focus();
        }
        try {
          JSON.parse(mapping.value);
        } catch {
          return this.ctx.notify(t('badMapping'));
        }
        const form = new FormData();
        form.set('file', f, f.name);
        form.set('mapping', mapping.value);
        form.set('collection', collection);
        go.disabled = true;
        void this.ctx.guard(this.ctx.api.post<Job>('/v1/imports', form)).then(async (job) => {
          if (job) await this.follow(job, f.name);
        }).finally(() => { go.disabled = false; });
      } }, h('label', { class: 'stack' }, fileLabel, file), h('label', { class: 'stack' }, mappingLabel, mapping), go));
  }
}
