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

/**
 * Re-renders `root` without losing the keyboard focus: the focused element's `data-focus` key is
 * looked up again in the new content (a button rebuilt by the render keeps the focus).
 */
export function keepFocus(root: HTMLElement, render: () => void): void {
  const active = document.activeElement;
  const key = active instanceof HTMLElement && root.contains(active) ? active.dataset.focus : undefined;
  render();
  if (key) root.querySelector<HTMLElement>(`[data-focus="${CSS.escape(key)}"]`)?.focus();
}

export interface TabList {
  select(name: string): void;
  tab(name: string): HTMLButtonElement;
  /** Sets the tabs' labels (on a language switch). */
  label(labels: Record<string, string>): void;
}

/**
 * ARIA tabs: one tab stop (roving tabindex), arrow keys, Home and End move between tabs and
 * activate them; each tab names the panel it controls.
 */
export function tablist(list: HTMLElement, tabs: Array<{ name: string; controls: string; testid: string }>, onSelect: (name: string) => void): TabList {
  list.setAttribute('role', 'tablist');
  const byName = new Map<string, HTMLButtonElement>();
  for (const { name, controls, testid } of tabs) {
    const tab = h('button', { type: 'button', role: 'tab', class: 'tab', id: `${list.id}-${name}`, tabIndex: -1, aria: { controls, selected: 'false' }, data: { testid }, onclick: () => onSelect(name) });
    byName.set(name, tab);
    list.append(tab);
  }
  const all = [...byName.values()];
  list.addEventListener('keydown', (ev) => {
    const at = all.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const next = ev.key === 'ArrowRight' || ev.key === 'ArrowDown' ? (at + 1) % all.length
      : ev.key === 'ArrowLeft' || ev.key === 'ArrowUp' ? (at - 1 + all.length) % all.length
      : ev.key === 'Home' ? 0 : ev.key === 'End' ? all.length - 1 : -1;
    if (next < 0) return;
    ev.preventDefault();
    all[next]!.focus();
    all[next]!.click();
  });
  return {
    select(name) {
      for (const [n, tab] of byName) {
        tab.setAttribute('aria-selected', String(n === name));
        tab.tabIndex = n === name ? 0 : -1;
      }
    },
    tab: (name) => byName.get(name)!,
    label(labels) {
      for (const [n, tab] of byName) tab.textContent = labels[n] ?? n;
    },
  };
}
