import { describe, expect, it } from 'vitest';
import {
  LINE_BREAK_MARK,
  collapseSpaces,
  dehyphenate,
  normalizeInline,
  normalizeText,
  repairParagraphs,
  segmentPlainText,
  trimCode,
} from '../../src/ingest/normalize.ts';

describe('normalizeText', () => {
  it('normalises to NFKC: composed accents, ligatures', () => {
    expect(normalizeText('Cafe\u0301')).toBe('Café');
    expect(normalizeText('\uFB01nance and \uFB02ow, e\uFB03cient')).toBe('finance and flow, efficient');
  });

  it('folds PDF compatibility characters and full-width forms (NFKC)', () => {
    // Kangxi radicals that PDF fonts map Chinese characters to: ⽆ U+2F46, ⼈ U+2F08, ⾏ U+2F8F.
    expect(normalizeText('\u2F46\u2F08\u2F8F驶')).toBe('无人行驶');
    expect(normalizeText('ＲＡＧ２０２４年？（ＡＩ）')).toBe('RAG2024年?(AI)');
    expect(normalizeText('中文。、“引号”')).toBe('中文。、“引号”');
  });

  it('removes soft hyphens, zero-width and control characters but keeps tabs and newlines', () => {
    expect(normalizeText('in\u00ADfor\u200Bma\uFEFFtion')).toBe('information');
    expect(normalizeText('a\u0000b\u0007c\u001Bd\u007Fe\u0085f')).toBe('abcde\nf');
    expect(normalizeText('col1\tcol2\nnext')).toBe('col1\tcol2\nnext');
  });

  it('keeps ZWJ and ZWNJ, which carry meaning', () => {
    expect(normalizeText('\u0645\u06CC\u200C\u062E\u0648\u0627\u0647\u0645')).toContain('\u200C');
  });

  it('joins a word split by a soft hyphen at the end of a line', () => {
    expect(normalizeText('infor\u00AD\nmation')).toBe('information');
  });

  it('turns CRLF, lone CR, form feeds and Unicode line separators into LF', () => {
    expect(normalizeText('a\r\nb\rc\fd\u2028e')).toBe('a\nb\nc\nd\ne');
  });

  it('maps non-breaking and typographic spaces to plain spaces', () => {
    expect(normalizeText('a\u00A0b\u2009c\u3000d')).toBe('a b c d');
  });
});

describe('whitespace helpers', () => {
  it('collapses spaces within a line', () => {
    expect(collapseSpaces('  a \t  b   c  ')).toBe('a b c');
  });

  it('collapses inline markup text, keeping only explicit line breaks', () => {
    expect(normalizeInline(`  one\n  two ${LINE_BREAK_MARK} three  `)).toBe('one two\nthree');
  });

  it('trims code without touching its inner indentation', () => {
    expect(trimCode('\n\n    if (x) {\n      y();   \n    }\n\n')).toBe('if (x) {\n  y();\n}');
  });
});

describe('dehyphenate', () => {
  it('joins a word hyphenated across a line break when the next line continues in lower case', () => {
    expect(dehyphenate('the infor-\nmation age')).toBe('the information age');
    expect(dehyphenate('Über-  \n  prüfung')).toBe('Überprüfung');
  });

  it('leaves a hyphen before a capitalised line, a number or a list dash alone', () => {
    expect(dehyphenate('Smith-\nJones')).toBe('Smith-\nJones');
    expect(dehyphenate('pages 10-\n12')).toBe('pages 10-\n12');
    expect(dehyphenate('-\nitem')).toBe('-\nitem');
  });
});

describe('segmentPlainText', () => {
  it('joins hard-wrapped lines into paragraphs separated by blank lines', () => {
    const text = 'The first paragraph is\nwrapped over three\nlines.\n\nThe second one is\nshorter.\n';
    expect(segmentPlainText(text)).toEqual([
      { kind: 'paragraph', text: 'The first paragraph is wrapped over three lines.' },
      { kind: 'paragraph', text: 'The second one is shorter.' },
    ]);
  });

  it('de-hyphenates inside paragraphs', () => {
    expect(segmentPlainText('We need more infor-\nmation here.')).toEqual([
      { kind: 'paragraph', text: 'We need more information here.' },
    ]);
  });

  it('keeps list items on their own lines and appends wrapped continuations to their item', () => {
    const text = 'Shopping:\n- apples and\n  pears\n- bread\n* milk\n1. first\n2) second\n\nAfter.';
    expect(segmentPlainText(text)).toEqual([
      { kind: 'paragraph', text: 'Shopping:' },
      { kind: 'list', text: '- apples and pears\n- bread\n* milk\n1. first\n2) second' },
      { kind: 'paragraph', text: 'After.' },
    ]);
  });

  it('recognises # headings and underlined headings', () => {
    const text = 'Report\n======\n\nIntro text.\n\n## Details\nMore text\non two lines.\n\nSummary\n-------\nDone.';
    expect(segmentPlainText(text)).toEqual([
      { kind: 'heading', text: 'Report', level: 1 },
      { kind: 'paragraph', text: 'Intro text.' },
      { kind: 'heading', text: 'Details', level: 2 },
      { kind: 'paragraph', text: 'More text on two lines.' },
      { kind: 'heading', text: 'Summary', level: 2 },
      { kind: 'paragraph', text: 'Done.' },
    ]);
  });

  it('keeps fenced and indented code verbatim', () => {
    const text = 'Run this:\n\n```sh\nnpm  install\n  --save-\nfoo\n```\n\nOr this:\n\n    if (ready) {\n      start();\n    }\n\nEnd.';
    expect(segmentPlainText(text)).toEqual([
      { kind: 'paragraph', text: 'Run this:' },
      { kind: 'code', text: 'npm  install\n  --save-\nfoo' },
      { kind: 'paragraph', text: 'Or this:' },
      { kind: 'code', text: 'if (ready) {\n  start();\n}' },
      { kind: 'paragraph', text: 'End.' },
    ]);
  });

  it('joins indented prose (centred titles, indented clauses) instead of taking it for code', () => {
    const text = '          Apache License\n    Version 2.0, January 2004\n\n      "License" shall mean the terms\n      and conditions for use.';
    expect(segmentPlainText(text)).toEqual([
      { kind: 'paragraph', text: 'Apache License Version 2.0, January 2004' },
      { kind: 'paragraph', text: '"License" shall mean the terms and conditions for use.' },
    ]);
  });

  it('does not take a first-line indent of a paragraph for code', () => {
    expect(segmentPlainText('    It was a dark\nand stormy night.')).toEqual([
      { kind: 'paragraph', text: 'It was a dark and stormy night.' },
    ]);
  });

  it('keeps table-like rows apart and drops Markdown table rules', () => {
    const text = '| name | age |\n|------|-----|\n| Ann  | 41  |\n\nname\tage\tcity\nBob\t52\tOslo';
    expect(segmentPlainText(text)).toEqual([
      { kind: 'table', text: '| name | age |\n| Ann | 41 |' },
      { kind: 'table', text: 'name | age | city\nBob | 52 | Oslo' },
    ]);
  });

  it('treats a thematic break as a paragraph separator', () => {
    expect(segmentPlainText('one\n***\ntwo')).toEqual([
      { kind: 'paragraph', text: 'one' },
      { kind: 'paragraph', text: 'two' },
    ]);
  });
});

describe('repairParagraphs', () => {
  it('normalises and rebuilds paragraphs of messy text', () => {
    const messy = 'Hard\u00A0wrapped   text\r\nwith \uFB01ne infor-\r\nmation.\r\n\r\n\r\nNext  paragraph.';
    expect(repairParagraphs(messy)).toBe('Hard wrapped text with fine information.\n\nNext paragraph.');
  });
});
