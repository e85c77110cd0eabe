/**
 * HTML loader: boilerplate removal, then a walk of the DOM in reading order that turns headings,
 * paragraphs, lists, tables and preformatted text into blocks. The block extraction is shared
 * with the DOCX loader (mammoth emits HTML) and the Markdown loader (raw HTML blocks).
 */
import * as cheerio from 'cheerio';
import type { CheerioAPI } from 'cheerio';
import { isTag, isText } from 'domhandler';
import type { AnyNode, Element } from 'domhandler';
import type { Block, Metadata } from '../../domain/types.ts';
import { checkHtml } from '../limits.ts';
import { LINE_BREAK_MARK, collapseWhitespace, normalizeInline, normalizeText, trimCode } from '../normalize.ts';
import { BlockBuilder } from './text.ts';
import type { LoaderResult } from './text.ts';

/** Never content, in any mode. */
const NON_CONTENT = [
  'script',
  'style',
  'noscript',
  'template',
  'svg',
  'iframe',
  'object',
  'embed',
  'canvas',
  'video',
  'audio',
  'map',
  'link',
  'meta',
  'base',
  'button',
  'select',
  'input',
  'textarea',
  '[hidden]',
  '[aria-hidden="true"]',
].join(', ');

/** Site chrome: removed only when boilerplate removal is on (web pages, not DOCX). */
const CHROME = [
  'nav',
  'aside',
  'dialog',
  'menu',
  '[role="navigation"]',
  '[role="banner"]',
  '[role="contentinfo"]',
  '[role="search"]',
  '[role="complementary"]',
  '[role="dialog"]',
  '[role="alertdialog"]',
  '[aria-modal="true"]',
].join(', ');

/** Sectioning elements: a header or footer inside one belongs to that content, not to the page. */
const SECTIONING = 'article, main, section, [role="main"]';
const CONTENT_ROOTS = 'main, [role="main"], article';

/** Substrings of class names and ids that mark cookie and consent banners (often camelCase). */
const CONSENT_NAME_RE = /cookie|consent|gdpr|onetrust|cookiebot|cmp-/i;
/** Class/id words that mark boilerplate wherever they appear. */
const BOILERPLATE_WORDS = new Set([
  'ad',
  'ads',
  'adsense',
  'advert',
  'advertisement',
  'advertising',
  'breadcrumb',
  'breadcrumbs',
  'comment',
  'comments',
  'disqus',
  'newsletter',
  'pagination',
  'pager',
  'popup',
  'modal',
  'promo',
  'recommended',
  'related',
  'share',
  'sharing',
  'sidebar',
  'skip',
  'social',
  'sponsored',
  'subscribe',
  'toolbar',
]);
/** Class/id words that mark site chrome only outside the page's content sections. */
const PAGE_CHROME_WORDS = new Set(['banner', 'footer', 'header', 'masthead', 'menu', 'nav', 'navbar', 'navigation', 'topbar']);

const HEADING_TAGS = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6']);
const PARAGRAPH_TAGS = new Set(['p', 'address', 'figcaption', 'caption', 'dt', 'dd', 'summary', 'legend']);
const LIST_TAGS = new Set(['ul', 'ol']);
/** Elements that start a new block; anything else is inline and joins the surrounding text. */
const BLOCK_TAGS = new Set([
  ...HEADING_TAGS,
  ...PARAGRAPH_TAGS,
  ...LIST_TAGS,
  'article',
  'aside',
  'blockquote',
  'body',
  'center',
  'details',
  'dialog',
  'div',
  'dl',
  'fieldset',
  'figure',
  'footer',
  'form',
  'header',
  'hgroup',
  'hr',
  'html',
  'li',
  'main',
  'nav',
  'pre',
  'search',
  'section',
  'table',
  'tbody',
  'td',
  'tfoot',
  'th',
  'thead',
  'tr',
]);

export interface HtmlBlockOptions {
  /** Remove site chrome (navigation, headers, footers, banners ...): true for web pages. */
  boilerplate: boolean;
  /** Parse as a fragment rather than a full document (Markdown HTML blocks). */
  fragment?: boolean;
  /** Continue an existing document: shares its heading path. */
  builder?: BlockBuilder;
  /** Named in limit errors. */
  source?: string;
}

export function loadHtml(html: string, options: { source: string; fallbackTitle: string }): LoaderResult {
  checkHtml(html, options.source);
  const $ = cheerio.load(html);
  const title = pageTitle($) ?? options.fallbackTitle;
  const metadata = pageMetadata($, options.source);
  return { title, blocks: htmlToBlocks(html, { boilerplate: true, source: options.source }), metadata };
}

/**
 * Blocks of an HTML document. With boilerplate removal on, a page whose content all looked like
 * boilerplate is extracted again with only non-content elements removed: some text beats none.
 */
export function htmlToBlocks(html: string, options: HtmlBlockOptions): Block[] {
  checkHtml(html, options.source ?? 'the document');
  const builder = options.builder ?? new BlockBuilder();
  const before = builder.blocks.length;
  const parse = (): CheerioAPI => (options.fragment ? cheerio.load(html, null, false) : cheerio.load(html));
  if (options.boilerplate) {
    const $ = parse();
    removeNonContent($);
    removeChrome($);
    new BlockWalker(builder).walk(contentRoot($));
    if (builder.blocks.length > before) return builder.blocks;
  }
  const $ = parse();
  removeNonContent($);
  new BlockWalker(builder).walk($.root()[0] as AnyNode);
  return builder.blocks;
}

function removeNonContent($: CheerioAPI): void {
  $(NON_CONTENT).remove();
  $('[style]')
    .filter((_, el) => /display\s*:\s*none|visibility\s*:\s*hidden/i.test(el.attribs['style'] ?? ''))
    .remove();
}

function removeChrome($: CheerioAPI): void {
  $(CHROME).remove();
  // A <header>/<footer> outside any sectioning element is the page's banner or footer.
  $('header, footer')
    .filter((_, el) => $(el).parents(SECTIONING).length === 0)
    .remove();
  removeForms($);
  removeByName($);
}

/** Search boxes and comment forms go; a form wrapping the whole page (ASP.NET) stays. */
function removeForms($: CheerioAPI): void {
  const total = $('body').text().length;
  $('form')
    .filter((_, el) => $(el).find(CONTENT_ROOTS).length === 0 && $(el).text().length < total / 2)
    .remove();
}

function removeByName($: CheerioAPI): void {
  const total = $('body').text().length;
  $('[class], [id]').each((_, el) => {
    if (!el.parent || ['html', 'body', 'main', 'article'].includes(el.name)) return;
    const words = nameWords(el);
    const consent = CONSENT_NAME_RE.test(`${el.attribs['class'] ?? ''} ${el.attribs['id'] ?? ''}`);
    const boilerplate = consent || words.some((w) => BOILERPLATE_WORDS.has(w));
    const chrome = words.some((w) => PAGE_CHROME_WORDS.has(w)) && $(el).parents(SECTIONING).length === 0;
    if (!boilerplate && !chrome) return;
    // Guard against a wrapper whose class merely mentions a sidebar ("has-sidebar").
    const $el = $(el);
    if ($el.find(CONTENT_ROOTS).length > 0 || $el.text().length > total / 2) return;
    $el.remove();
  });
}

/** Words of an element's class names and id: "site-header", "cookieBanner" → site, header, cookie, banner. */
function nameWords(el: Element): string[] {
  const names = `${el.attribs['class'] ?? ''} ${el.attribs['id'] ?? ''}`;
  return names
    .replace(/([a-z])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter((w) => w.length > 0);
}

/** The page's main content when it is marked up; otherwise the whole body. */
function contentRoot($: CheerioAPI): AnyNode {
  const hasText = (el: Element): boolean => $(el).text().trim().length > 0;
  const main = $('main, [role="main"]').toArray().find(hasText);
  if (main) return main;
  const articles = $('article').toArray().filter(hasText);
  if (articles.length === 1 && articles[0]) return articles[0];
  return $('body')[0] ?? ($.root()[0] as AnyNode);
}

/** Walks the DOM in document order, collecting inline runs into paragraphs. */
class BlockWalker {
  private inline: string[] = [];
  private containers = new Set<Element>();

  constructor(private readonly builder: BlockBuilder) {}

  walk(root: AnyNode): void {
    this.containers = findBlockContainers(root);
    this.visit(root);
    this.flush();
  }

  private visit(node: AnyNode): void {
    if (isText(node)) {
      this.inline.push(node.data);
      return;
    }
    if (!isTag(node)) {
      if ('children' in node) this.visitChildren(node.children);
      return;
    }
    const tag = node.name.toLowerCase();
    if (tag === 'br') {
      this.inline.push(LINE_BREAK_MARK);
    } else if (HEADING_TAGS.has(tag)) {
      this.flush();
      this.builder.heading(normalizeText(inlineText(node)), Number(tag.slice(1)));
    } else if (LIST_TAGS.has(tag)) {
      this.flush();
      this.builder.add('list', listLines(node, 0).join('\n'));
    } else if (tag === 'table' && !isLayoutTable(node)) {
      this.flush();
      this.table(node);
    } else if (tag === 'pre') {
      this.flush();
      this.builder.add('code', trimCode(normalizeText(textContent(node))));
    } else if (PARAGRAPH_TAGS.has(tag) && !this.containers.has(node)) {
      this.flush();
      this.builder.add('paragraph', normalizeInline(inlineText(node)));
    } else if (BLOCK_TAGS.has(tag) || this.containers.has(node)) {
      this.flush();
      this.visitChildren(node.children);
      this.flush();
    } else {
      this.inline.push(inlineText(node));
    }
  }

  private visitChildren(children: readonly AnyNode[]): void {
    for (const child of children) this.visit(child);
  }

  private flush(): void {
    const text = normalizeInline(this.inline.join(''));
    this.inline = [];
    this.builder.add('paragraph', text);
  }

  private table(table: Element): void {
    const caption = childElements(table).find((c) => c.name === 'caption');
    if (caption) this.builder.add('paragraph', normalizeInline(inlineText(caption)));
    const lines = tableRows(table)
      .map((row) => cellsOf(row).map((cell) => collapseWhitespace(normalizeText(inlineText(cell)))))
      .filter((cells) => cells.some((c) => c.length > 0))
      .map((cells) => cells.join(' | '));
    this.builder.add('table', lines.join('\n'));
  }
}

/** Elements that are inline by tag but hold block elements (`<a><div>…</div></a>`): walk them as containers. */
function findBlockContainers(root: AnyNode): Set<Element> {
  const containers = new Set<Element>();
  const visit = (node: AnyNode): boolean => {
    if (!isTag(node)) return false;
    let hasBlock = false;
    for (const child of node.children) {
      if (visit(child) || (isTag(child) && BLOCK_TAGS.has(child.name))) hasBlock = true;
    }
    if (hasBlock) containers.add(node);
    return hasBlock;
  };
  if (isTag(root)) visit(root);
  else if ('children' in root) root.children.forEach(visit);
  return containers;
}

function childElements(el: Element): Element[] {
  return el.children.filter(isTag);
}

/** Raw text of inline content; <br> becomes a line-break marker, block children a space. */
function inlineText(node: AnyNode, skip?: (el: Element) => boolean): string {
  if (isText(node)) return node.data;
  if (!isTag(node)) return '';
  if (node.name === 'br') return LINE_BREAK_MARK;
  if (skip?.(node)) return '';
  const inner = node.children.map((c) => inlineText(c, skip)).join('');
  return BLOCK_TAGS.has(node.name) ? ` ${inner} ` : inner;
}

function textContent(node: AnyNode): string {
  if (isText(node)) return node.data;
  if (!isTag(node)) return '';
  if (node.name === 'br') return '\n';
  return node.children.map(textContent).join('');
}

/** List items as lines: "- item" or "1. item"; nested lists indented by two spaces per level. */
function listLines(list: Element, depth: number): string[] {
  const ordered = list.name === 'ol';
  let number = ordered ? Number.parseInt(list.attribs['start'] ?? '1', 10) || 1 : 1;
  const indent = '  '.repeat(depth);
  const lines: string[] = [];
  for (const item of listItems(list)) {
    if (LIST_TAGS.has(item.name)) {
      lines.push(...listLines(item, depth + 1));
      continue;
    }
    const text = collapseWhitespace(normalizeText(inlineText(item, (el) => LIST_TAGS.has(el.name))));
    if (text) lines.push(`${indent}${ordered ? `${number}.` : '-'} ${text}`);
    number++;
    for (const nested of nestedLists(item)) lines.push(...listLines(nested, depth + 1));
  }
  return lines;
}

/** The list's items, looking through wrapper elements some sites put between <ul> and <li>. */
function listItems(list: Element): Element[] {
  const items: Element[] = [];
  for (const child of childElements(list)) {
    if (child.name === 'li' || LIST_TAGS.has(child.name)) items.push(child);
    else items.push(...listItems(child));
  }
  return items;
}

/** Outermost lists inside a list item. */
function nestedLists(item: Element): Element[] {
  const found: Element[] = [];
  for (const child of childElements(item)) {
    if (LIST_TAGS.has(child.name)) found.push(child);
    else found.push(...nestedLists(child));
  }
  return found;
}

/** A table used for page layout holds headings, code or other tables: walk it as a container. */
function isLayoutTable(table: Element): boolean {
  const search = (el: Element): boolean =>
    childElements(el).some((c) => HEADING_TAGS.has(c.name) || c.name === 'table' || c.name === 'pre' || search(c));
  return table.attribs['role'] === 'presentation' || search(table);
}

function tableRows(table: Element): Element[] {
  const rows: Element[] = [];
  for (const child of childElements(table)) {
    if (child.name === 'tr') rows.push(child);
    else if (['thead', 'tbody', 'tfoot'].includes(child.name)) rows.push(...childElements(child).filter((r) => r.name === 'tr'));
  }
  return rows;
}

function cellsOf(row: Element): Element[] {
  return childElements(row).filter((c) => c.name === 'td' || c.name === 'th');
}

function metaContent($: CheerioAPI, ...selectors: string[]): string | undefined {
  for (const selector of selectors) {
    const value = collapseWhitespace(normalizeText($(selector).first().attr('content') ?? ''));
    if (value) return value;
  }
  return undefined;
}

/** <title>, then og:title, then the first <h1>. */
function pageTitle($: CheerioAPI): string | undefined {
  const title = collapseWhitespace(normalizeText($('head > title').first().text()));
  if (title) return title;
  const og = metaContent($, 'meta[property="og:title"]', 'meta[name="og:title"]');
  if (og) return og;
  return collapseWhitespace(normalizeText($('h1').first().text())) || undefined;
}

function pageMetadata($: CheerioAPI, source: string): Metadata {
  const metadata: Metadata = {};
  const description = metaContent($, 'meta[name="description"]', 'meta[property="og:description"]');
  const author = metaContent($, 'meta[name="author"]', 'meta[property="article:author"]', 'meta[name="dc.creator"]');
  const published = metaContent($, 'meta[property="article:published_time"]', 'meta[name="date"]');
  const lang = ($('html').attr('lang') ?? '').trim();
  const canonical = resolveUrl($('link[rel="canonical"]').first().attr('href'), source);
  if (description) metadata['description'] = description;
  if (author) metadata['author'] = author;
  if (published) metadata['published'] = published;
  if (lang) metadata['lang'] = lang;
  if (canonical) metadata['canonicalUrl'] = canonical;
  return metadata;
}

/** Absolute canonical URL; a relative one is resolved against the page's URL when it has one. */
function resolveUrl(href: string | undefined, base: string): string | undefined {
  const value = href?.trim();
  if (!value) return undefined;
  try {
    return new URL(value, /^https?:\/\//i.test(base) ? base : undefined).href;
  } catch {
    return undefined;
  }
}
