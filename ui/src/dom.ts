/**
 * The only way the UI builds DOM: elements from tag names, text through textContent. Nothing from
 * the server (document text, entity names, answers) is ever parsed as markup.
 */
export type Child = Node | string | number | null | undefined | false;

export interface Props {
  class?: string;
  title?: string;
  id?: string;
  type?: string;
  value?: string;
  placeholder?: string;
  disabled?: boolean;
  hidden?: boolean;
  checked?: boolean;
  for?: string;
  role?: string;
  tabIndex?: number;
  /** data-* attributes (data-testid for the end-to-end tests). */
  data?: Record<string, string>;
  aria?: Record<string, string>;
  onclick?: (ev: MouseEvent) => void;
  onchange?: (ev: Event) => void;
  oninput?: (ev: Event) => void;
  onkeydown?: (ev: KeyboardEvent) => void;
  onsubmit?: (ev: SubmitEvent) => void;
}

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.title) el.title = props.title;
  if (props.id) el.id = props.id;
  if (props.role) el.setAttribute('role', props.role);
  if (props.tabIndex !== undefined) el.tabIndex = props.tabIndex;
  if (props.hidden) el.hidden = true;
  if (props.for && el instanceof HTMLLabelElement) el.htmlFor = props.for;
  if (el instanceof HTMLInputElement || el instanceof HTMLButtonElement || el instanceof HTMLSelectElement || el instanceof HTMLTextAreaElement) {
    if (props.disabled) el.disabled = true;
    if (props.value !== undefined) el.value = props.value;
  }
  if (el instanceof HTMLOptionElement && props.value !== undefined) el.value = props.value;
  if (el instanceof HTMLInputElement || el instanceof HTMLButtonElement) {
    if (props.type) el.type = props.type as never;
  }
  if (el instanceof HTMLInputElement || el instanceof HTMLTextAreaElement) {
    if (props.placeholder) el.placeholder = props.placeholder;
  }
  if (el instanceof HTMLInputElement && props.checked !== undefined) el.checked = props.checked;
  for (const [k, v] of Object.entries(props.data ?? {})) el.dataset[k] = v;
  for (const [k, v] of Object.entries(props.aria ?? {})) el.setAttribute(`aria-${k}`, v);
  if (props.onclick) el.addEventListener('click', props.onclick as EventListener);
  if (props.onchange) el.addEventListener('change', props.onchange);
  if (props.oninput) el.addEventListener('input', props.oninput);
  if (props.onkeydown) el.addEventListener('keydown', props.onkeydown as EventListener);
  if (props.onsubmit) el.addEventListener('submit', props.onsubmit as EventListener);
  append(el, ...children);
  return el;
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function clear(el: Element, ...children: Child[]): void {
  el.replaceChildren();
  append(el, ...children);
}

/** The text with every occurrence of `quote` (case-insensitive) marked, as text nodes and <mark>s. */
export function marked(text: string, quote: string): Node[] {
  const needle = quote.replace(/^…|…$/g, '').trim();
  if (!needle) return [document.createTextNode(text)];
  const at = text.toLowerCase().indexOf(needle.toLowerCase());
  if (at < 0) return [document.createTextNode(text)];
  return [
    document.createTextNode(text.slice(0, at)),
    h('mark', { data: { testid: 'quote-mark' } }, text.slice(at, at + needle.length)),
    document.createTextNode(text.slice(at + needle.length)),
  ];
}

/** A short, readable value: strings as they are, everything else as JSON. */
export function show(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
