/** The documents panel: drag-and-drop upload with live progress, the document list with delete, and record imports. */
import { query, type DocumentSummary, type Job, type Page } from './api.ts';
import type { Ctx } from './context.ts';
import { clear, h } from './dom.ts';

export class Documents {
  readonly el: HTMLElement;
  private readonly list: HTMLElement;
  private readonly jobs: HTMLElement;
  private readonly target: HTMLInputElement;
  private readonly fileInput: HTMLInputElement;

  constructor(private readonly ctx: Ctx) {
    this.target = h('input', { placeholder: 'default', data: { testid: 'target-collection' } });
    this.target.setAttribute('list', 'collection-names');
    this.fileInput = h('input', { type: 'file', data: { testid: 'file-input' } });
    this.fileInput.multiple = true;
    this.fileInput.hidden = true;
    this.fileInput.addEventListener('change', () => {
      if (this.fileInput.files?.length) void this.upload([...this.fileInput.files]);
      this.fileInput.value = '';
    });
    const drop = h('div', { class: 'dropzone', tabIndex: 0, role: 'button', data: { testid: 'dropzone' }, onclick: () => this.fileInput.click() },
      h('b', {}, 'Drop files here'), ' or click to choose: PDF, DOCX, HTML, Markdown, text, JSON Lines.');
    drop.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') this.fileInput.click();
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
    this.jobs = h('div', { class: 'jobs', data: { testid: 'jobs' } });
    this.list = h('div', { class: 'doc-list', data: { testid: 'documents' } });
    this.el = h('div', { class: 'documents' },
      h('label', { class: 'field' }, 'Into collection ', this.target),
      drop, this.fileInput, this.jobs,
      h('div', { class: 'row' }, h('h3', {}, 'Documents'), h('button', { type: 'button', onclick: () => void this.refresh() }, 'Refresh')),
      this.list,
      this.importForm());
  }

  private collectionFor(): string {
    return this.target.value.trim() || this.ctx.collection();
  }

  async upload(files: File[]): Promise<void> {
    const form = new FormData();
    const collection = this.collectionFor();
    if (collection) form.set('collection', collection);
    for (const f of files) form.append('files', f, f.name);
    const job = await this.ctx.guard(this.ctx.api.post<Job>('/v1/documents', form));
    if (job) await this.follow(job, files.map((f) => f.name).join(', '));
  }

  private async follow(job: Job, what: string): Promise<void> {
    const bar = h('progress', {});
    bar.max = 1;
    const status = h('span', { data: { testid: 'job-status' } }, 'queued');
    const detail = h('div', { class: 'muted' });
    const row = h('div', { class: 'job', data: { testid: 'job', job: job.id } }, h('div', {}, h('b', {}, what), ' → ', job.collection, ' · ', status), bar, detail);
    this.jobs.prepend(row);
    const show = (j: Job) => {
      status.textContent = j.status;
      row.dataset.status = j.status;
      const p = j.progress;
      if (j.kind === 'ingest') {
        const total = Number(p.sourcesTotal ?? 0);
        const done = Number(p.sourcesDone ?? 0);
        if (total > 0) {
          bar.max = total;
          bar.value = done;
        }
        detail.textContent = `${done}/${total} files · ${Number(p.documents ?? 0)} documents · ${Number(p.chunks ?? 0)} passages${p.current ? ` · now: ${String(p.current)}` : ''}`;
      } else {
        detail.textContent = `${String(p.phase ?? '')} ${p.rows !== undefined ? `· ${String(p.rows)} rows` : ''}`;
      }
    };
    show(job);
    try {
      const last = await this.ctx.api.followJob(job.id, show);
      show(last);
      bar.max = 1;
      bar.value = 1;
      if (last.status === 'failed') {
        detail.textContent = `Failed: ${last.error?.message ?? 'unknown error'}`;
        detail.className = 'error';
      } else {
        const failures = outcomeFailures(last.result);
        if (failures.length) {
          detail.textContent = `Done, but not everything loaded: ${failures.join('; ')}`;
          detail.className = 'error';
        } else detail.textContent = summary(last);
      }
      await this.ctx.refreshCollections();
      await this.refresh();
    } catch (err) {
      this.ctx.notify(err instanceof Error ? err.message : String(err));
    }
  }

  async refresh(): Promise<void> {
    const collection = this.ctx.collection();
    const page = await this.ctx.guard(this.ctx.api.get<Page<DocumentSummary>>(`/v1/documents${query({ collection, limit: 1000 })}`));
    if (!page) return;
    clear(this.list,
      page.items.length === 0 ? h('p', { class: 'muted' }, 'No documents yet. Drop some above.') : null,
      ...page.items.map((d) => this.item(d)));
  }

  private item(d: DocumentSummary): HTMLElement {
    const del = h('button', { type: 'button', class: 'danger', data: { testid: 'delete-document' } }, 'Delete');
    let armed = false;
    del.addEventListener('click', async () => {
      if (!armed) {
        armed = true;
        del.textContent = 'Really delete?';
        setTimeout(() => {
          armed = false;
          del.textContent = 'Delete';
        }, 5000);
        return;
      }
      del.disabled = true;
      const done = await this.ctx.guard(this.ctx.api.delete<{ chunks: number }>(`/v1/documents/${encodeURIComponent(d.id)}`));
      if (done) {
        this.ctx.notify(`Deleted "${d.title}" and its ${done.chunks} passages.`, 'info');
        await this.refresh();
      } else del.disabled = false;
    });
    return h('div', { class: 'doc', data: { testid: 'document', id: d.id } },
      h('button', { class: 'link title', type: 'button', onclick: () => void this.ctx.openDocument(d.id), data: { testid: 'document-title' } }, d.title),
      h('div', { class: 'muted' }, `${d.source} · ${d.chunks} passages · ${d.collection}`),
      del);
  }

  private importForm(): HTMLElement {
    const file = h('input', { type: 'file', data: { testid: 'import-file' } });
    file.accept = '.csv,.json,.jsonl,.ndjson,.xlsx';
    const mapping = h('textarea', { placeholder: '{"label": "Person", "key": "id", "properties": {…}} — see schemas/mapping.schema.json', data: { testid: 'import-mapping' } });
    mapping.rows = 6;
    const go = h('button', { type: 'submit', data: { testid: 'import' } }, 'Import');
    return h('details', { class: 'import' },
      h('summary', {}, 'Import structured records (CSV, JSON, JSON Lines, XLSX) with a mapping'),
      h('form', { onsubmit: (ev) => {
        ev.preventDefault();
        const f = file.files?.[0];
        if (!f) return this.ctx.notify('Choose a records file first.');
        try {
          JSON.parse(mapping.value);
        } catch {
          return this.ctx.notify('The mapping is not valid JSON.');
        }
        const form = new FormData();
        form.set('file', f, f.name);
        form.set('mapping', mapping.value);
        const collection = this.collectionFor();
        if (collection) form.set('collection', collection);
        go.disabled = true;
        void this.ctx.guard(this.ctx.api.post<Job>('/v1/imports', form)).then(async (job) => {
          if (job) await this.follow(job, f.name);
        }).finally(() => { go.disabled = false; });
      } }, file, mapping, go));
  }
}

function outcomeFailures(result: unknown): string[] {
  const outcomes = (result as { outcomes?: Array<{ status?: string; source?: string; reason?: string; error?: string; message?: string }> } | undefined)?.outcomes ?? [];
  return outcomes.filter((o) => o.status === 'failed').map((o) => `${o.source ?? 'a file'}: ${o.reason ?? o.error ?? o.message ?? 'failed'}`);
}

function summary(j: Job): string {
  const p = j.progress;
  if (j.kind === 'ingest') return `Done: ${Number(p.documents ?? 0)} documents, ${Number(p.chunks ?? 0)} passages.`;
  const r = j.result as { written?: number; rows?: number; errors?: unknown[] } | undefined;
  return `Done${r?.errors?.length ? `, ${r.errors.length} rows refused` : ''}.`;
}
