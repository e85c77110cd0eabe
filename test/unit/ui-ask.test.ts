import { describe, expect, it } from 'vitest';
import type { AskResult, GraphFact } from '../../src/planner/types.ts';
import { answerFacts, names, rowNames, wordRe } from '../../ui/src/ask/entities.ts';
import { sseEvents } from '../../ui/src/sse.ts';

/**
 * The Ask panel's decisions that need no browser: which names of an answer link to nodes, which
 * facts and rows are the answer (what the graph highlights), and how the answer stream is read.
 */

const fact = (subject: string, object: string, chunkIds: string[]): GraphFact => ({
  subjectId: `id-${subject}`, subject, subjectType: 'Person', predicate: 'WORKS_ON', objectId: `id-${object}`, object, objectType: 'Project', properties: {}, chunkIds,
});

const result = (over: Partial<AskResult>): AskResult => ({
  question: 'q', answer: '', found: true, citations: [], facts: [], cypher: [], rows: [], plan: { strategy: 'structured', steps: [] }, timings: {}, ...over,
});

describe('Ask panel: the answer\'s nodes', () => {
  it('finds a Latin name only as a whole word, and a Chinese name inside running text', () => {
    expect(names('Ann leads it.', 'Ann')).toBe(true);
    expect(names('The Annual report', 'Ann')).toBe(false);
    expect(names('Acme Analytics (Boston) won', 'Acme Analytics')).toBe(true);
    expect(names('张伟负责星图项目。', '张伟')).toBe(true);
    expect(names('a b c', 'b')).toBe(false); // one letter: too likely to be chance
    // Characters that mean something in a pattern are taken literally.
    expect(names('Ask C++ (v2) today', 'C++ (v2)')).toBe(true);
    expect('John Doe and John'.match(wordRe(['John', 'John Doe']))?.[1]).toBe('John Doe');
  });

  it('takes only the facts a cited passage supports, and nothing from a "not found" answer', () => {
    const cited = fact('Ada', 'Apollo', ['doc:1']);
    const context = fact('Bob', 'Zeus', ['doc:2']);
    const citations = [{ n: 1, documentId: 'doc', title: 't', source: 's', page: null, chunkId: 'doc:1', quote: 'q' }];
    expect(answerFacts(result({ plan: { strategy: 'semantic', steps: [] }, citations, facts: [cited, context] }))).toEqual([cited]);
    expect(answerFacts(result({ found: false, plan: { strategy: 'none', steps: [] }, citations, facts: [cited, context] }))).toEqual([]);
  });

  it('reads entity names from the name and names columns of the rows, never from a declined answer', () => {
    const rows = [{ name: 'Ada', value: 3 }, { name: 'Bob', value: 2 }, { answer: true, names: ['Cy', 'Ada'] }];
    expect(rowNames(result({ rows })).sort()).toEqual(['Ada', 'Bob', 'Cy']);
    expect(rowNames(result({ rows: [{ count: 5 }] }))).toEqual([]);
    expect(rowNames(result({ rows, found: false, plan: { strategy: 'none', steps: [] } }))).toEqual([]);
  });
});

describe('Ask panel: the answer stream', () => {
  const streamOf = (...pieces: string[]) =>
    new ReadableStream<Uint8Array<ArrayBuffer>>({
      start(controller) {
        const encoder = new TextEncoder();
        for (const p of pieces) controller.enqueue(encoder.encode(p));
        controller.close();
      },
    });

  it('reads events split anywhere across chunks, with CRLF lines, comments and multi-line data', async () => {
    const events = [];
    for await (const e of sseEvents(streamOf('event: pl', 'an\r\ndata: {"strategy":"semantic"}\r\n\r\n: keep-alive\n\n', 'event: token\ndata: {"text":"Hel', 'lo"}\n\ndata: a\ndata: b\n\n'))) events.push(e);
    expect(events).toEqual([
      { event: 'plan', data: '{"strategy":"semantic"}' },
      { event: 'token', data: '{"text":"Hello"}' },
      { event: 'message', data: 'a\nb' },
    ]);
  });

  it('stops reading when the question is cancelled', async () => {
    const controller = new AbortController();
    let pulls = 0;
    const endless = new ReadableStream<Uint8Array<ArrayBuffer>>({
      pull(c) {
        pulls++;
        c.enqueue(new TextEncoder().encode(`event: token\ndata: {"text":"w${pulls} "}\n\n`));
      },
    });
    const seen: string[] = [];
    for await (const e of sseEvents(endless, controller.signal)) {
      seen.push(e.data);
      if (seen.length === 3) controller.abort();
    }
    expect(seen.length).toBeLessThanOrEqual(4);
  });
});
