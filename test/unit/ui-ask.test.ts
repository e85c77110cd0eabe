import { afterEach, describe, expect, it, vi } from 'vitest';
import { Api, UiError } from '../../ui/src/api.ts';
import { AskClient } from '../../ui/src/ask/client.ts';
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

describe('Ask panel: an older server', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('asks with POST /v1/ask when the server has no stream endpoint, and remembers it', async () => {
    const answer = result({ question: 'Who?', answer: 'Ada.' });
    const calls: string[] = [];
    vi.stubGlobal('sessionStorage', { getItem: () => null, setItem: () => undefined, removeItem: () => undefined });
    vi.stubGlobal('fetch', async (url: string) => {
      calls.push(url);
      if (url === '/v1/ask/stream') return new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No such endpoint: POST /v1/ask/stream' } }), { status: 404 });
      return new Response(JSON.stringify(answer), { status: 200 });
    });
    const client = new AskClient(new Api());
    expect((await client.ask({ question: 'Who?' }, new AbortController().signal)).answer).toBe('Ada.');
    expect((await client.ask({ question: 'Who?' }, new AbortController().signal)).answer).toBe('Ada.');
    expect(calls).toEqual(['/v1/ask/stream', '/v1/ask', '/v1/ask']);
  });

  it('does not take a missing conversation for a missing endpoint', async () => {
    vi.stubGlobal('sessionStorage', { getItem: () => null, setItem: () => undefined, removeItem: () => undefined });
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'No conversation c-1' } }), { status: 404 }));
    const client = new AskClient(new Api());
    const failure = await client.ask({ question: 'Who?', conversationId: 'c-1' }, new AbortController().signal).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UiError);
    expect((failure as UiError).message).toBe('No conversation c-1');
  });
});
