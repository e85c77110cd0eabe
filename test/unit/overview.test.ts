import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { overviewRequest } from '../../src/planner/overview.ts';

/** Which questions go to the communities (whole collection, or everything about one thing), and which stay where they were. */
describe('overviewRequest', () => {
  it.each([
    'What are the main topics of the demo documents?',
    'What are the main topics of these documents?',
    'Which topics are discussed?',
    'What topics do the documents cover?',
    'What are the key themes in the collection?',
    'Give me an overview',
    'Give me an overview of the knowledge base.',
    'Can you give me a short summary of everything?',
    'Summarize the documents.',
    'What are these documents about?',
    '这些文档的主要主题是什么？',
    '概述一下',
    '总结一下这些文档',
    '文档主要讲了什么？',
  ])('whole collection: %s', (q) => {
    expect(overviewRequest(q)).toEqual({ kind: 'collection' });
  });

  it.each([
    ['Summarise everything we know about Globex', 'Globex'],
    ['Give me an overview of Project Atlas', 'Project Atlas'],
    ['Tell me everything about Jane Smith', 'Jane Smith'],
    ['What do we know about Umbrella Health?', 'Umbrella Health'],
    ['Summarize what the documents say about Blue Harbor Bank.', 'Blue Harbor Bank'],
    ['总结一下关于华夏零售的所有信息', '华夏零售'],
    ['概述一下张伟的情况', '张伟'],
  ])('about one thing: %s', (q, subject) => {
    const r = overviewRequest(q);
    if (subject === undefined) expect(r).toBeUndefined();
    else expect(r).toEqual({ kind: 'about', subject });
  });

  it('leaves every gold question (English and Chinese) to the strategies that answered it before', () => {
    const gold = ['questions.jsonl', 'questions-zh.jsonl'].flatMap((f) =>
      readFileSync(path.resolve(import.meta.dirname, '../gold', f), 'utf8')
        .split('\n')
        .filter((l) => l.trim())
        .map((l) => (JSON.parse(l) as { question: string }).question),
    );
    expect(gold.length).toBeGreaterThan(50);
    expect(gold.filter((q) => overviewRequest(q) !== undefined)).toEqual([]);
  });

  it.each(['What is RAG?', '什么是RAG?', 'Which employees report to Jane Smith?', 'What award did Acme Analytics win for 2024?', 'Summary statistics are computed how?'])(
    'not an overview: %s',
    (q) => expect(overviewRequest(q)).toBeUndefined(),
  );
});
