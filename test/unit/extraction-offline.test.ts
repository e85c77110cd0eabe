import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runExtractionEval } from '../../scripts/eval/extraction.ts';
import { ConfigError, KgragError } from '../../src/errors.ts';
import { BUILTIN_PATTERNS_FILE, createOfflineExtractor, OfflineExtractor } from '../../src/extraction/offline.ts';
import { builtinPatternSet, loadPatternFile } from '../../src/extraction/offline/patterns.ts';
import type { ChunkExtraction, ExtractedRelation } from '../../src/extraction/types.ts';
import { silentLogger } from '../../src/logging.ts';

// Sentences here are fresh: none of them is in test/gold/extraction.jsonl.

const extractor = new OfflineExtractor();

function run(text: string): ChunkExtraction {
  return extractor.extractChunk({ chunkId: 'c1', text, documentTitle: 'test' });
}

function relations(text: string, ex: OfflineExtractor = extractor): string[] {
  return ex.extractChunk({ chunkId: 'c1', text, documentTitle: 'test' }).relations.map(describe_).sort();
}

function describe_(r: ExtractedRelation): string {
  return `${r.type} ${r.source.name} > ${r.target.name}`;
}

function relation(text: string, type: string): ExtractedRelation | undefined {
  return run(text).relations.find((r) => r.type === type);
}

function entities(text: string): string[] {
  return run(text).entities.map((e) => `${e.type}:${e.name}`).sort();
}

describe('offline extractor: relation patterns', () => {
  it('reads office holders in all the usual phrasings as WORKS_FOR with a canonical role', () => {
    const cases: Array<[string, string, string, string]> = [
      ['Ines Duarte is the chief executive officer of Marlow Robotics.', 'Ines Duarte', 'Marlow Robotics', 'CEO'],
      ['Leila Farouk, the CTO of Quill Software, gave the keynote.', 'Leila Farouk', 'Quill Software', 'CTO'],
      ['Omari Hayes, CFO of Brindle Analytics, declined to comment.', 'Omari Hayes', 'Brindle Analytics', 'CFO'],
      ["Corbel Bank's chief financial officer, Tamsin Reeve, resigned.", 'Tamsin Reeve', 'Corbel Bank', 'CFO'],
      ['Brindle Analytics president Maya Ortiz opened the summit.', 'Maya Ortiz', 'Brindle Analytics', 'president'],
      ["Tamsin Reeve, Corbel Bank's treasurer, approved the budget.", 'Tamsin Reeve', 'Corbel Bank', 'treasurer'],
      ['Gus Varga was named head of engineering at Quill Software.', 'Gus Varga', 'Quill Software', 'head of engineering'],
    ];
    for (const [text, person, org, role] of cases) {
      const r = relation(text, 'WORKS_FOR');
      expect(r, text).toBeDefined();
      expect([r!.source.name, r!.target.name, r!.properties?.role], text).toEqual([person, org, role]);
      expect(r!.source.type).toBe('Person');
      expect(r!.target.type).toBe('Organization');
    }
  });

  it('reads employment, joining (with since) and hiring', () => {
    expect(relations('Sven Olsen works for Polaris Shipping.')).toEqual(['WORKS_FOR Sven Olsen > Polaris Shipping']);
    const joined = relation('Aiko Mori joined Tessera Labs in April 2021.', 'WORKS_FOR');
    expect(joined?.properties).toEqual({ since: '2021-04' });
    const hired = relation('Gideon Price was hired by Kestrel Bank in 2018.', 'WORKS_FOR');
    expect([hired?.source.name, hired?.target.name, hired?.properties?.since]).toEqual(['Gideon Price', 'Kestrel Bank', '2018']);
    const appointed = relation('Polaris Shipping appointed Rhea Kaur as chief operating officer.', 'WORKS_FOR');
    expect([appointed?.source.name, appointed?.target.name, appointed?.properties?.role]).toEqual(['Rhea Kaur', 'Polaris Shipping', 'COO']);
  });

  it('reads reporting lines in both directions', () => {
    expect(relations('Nora Quinn reports to Felix Adler.')).toEqual(['REPORTS_TO Nora Quinn > Felix Adler']);
    expect(relations("Nora Quinn's manager is Felix Adler.")).toEqual(['REPORTS_TO Nora Quinn > Felix Adler']);
    expect(relations('Felix Adler manages Nora Quinn.')).toEqual(['REPORTS_TO Nora Quinn > Felix Adler']);
  });

  it('reads acquisitions with price and date, active and passive', () => {
    const r = relation('Harbor Systems acquired Pinewood Software for $12 million in 2020.', 'ACQUIRED');
    expect([r?.source.name, r?.target.name]).toEqual(['Harbor Systems', 'Pinewood Software']);
    expect(r?.properties).toEqual({ price: '$12 million', date: '2020' });
    expect(relations('Pinewood Software was bought by Harbor Systems in March 2019.')).toEqual(['ACQUIRED Harbor Systems > Pinewood Software']);
  });

  it('reads headquarters, "Z-based" companies and locations', () => {
    expect(relations('Tessera Labs is headquartered in Dublin.')).toEqual(['HEADQUARTERED_IN Tessera Labs > Dublin']);
    expect(relations('The Oslo-based firm Fjell Robotics hired twenty people.')).toEqual(['HEADQUARTERED_IN Fjell Robotics > Oslo']);
    expect(relations('Quill Software, a Lisbon-based startup, raised money.')).toEqual(['HEADQUARTERED_IN Quill Software > Lisbon']);
    expect(relations('Bergen is located in Norway.')).toEqual(['LOCATED_IN Bergen > Norway']);
    expect(relations('The fair takes place in Tampa, Florida.')).toEqual(['LOCATED_IN Tampa > Florida']);
  });

  it('reads founders, active and passive, with every founder of a list', () => {
    expect(relation('Mara Lind founded Tessera Labs in 2014.', 'FOUNDED')?.properties).toEqual({ date: '2014' });
    expect(relations('Tessera Labs was founded by Mara Lind and Jonas Berg.')).toEqual([
      'FOUNDED Jonas Berg > Tessera Labs',
      'FOUNDED Mara Lind > Tessera Labs',
    ]);
    expect(relations('Mara Lind, the co-founder of Tessera Labs, spoke first.')).toEqual(['FOUNDED Mara Lind > Tessera Labs']);
    expect(relations('Mara Lind is the founder and CEO of Tessera Labs.')).toEqual([
      'FOUNDED Mara Lind > Tessera Labs',
      'WORKS_FOR Mara Lind > Tessera Labs',
    ]);
  });

  it('reads leadership of organisations and named units, and partnerships', () => {
    expect(relations('Otto Brandt leads the Cloud Platform team.')).toEqual(['LEADS Otto Brandt > Cloud Platform team']);
    expect(relations('Harbor Systems partnered with Quill Software.')).toEqual(['PARTNERS_WITH Harbor Systems > Quill Software']);
    expect(relations('Harbor Systems and Quill Software announced a partnership.')).toEqual(['PARTNERS_WITH Harbor Systems > Quill Software']);
  });

  it('skips an aside between a subject and its verb', () => {
    expect(relations('Fjell Robotics, founded by Mara Lind in 2016, is based in Trondheim.')).toEqual([
      'FOUNDED Mara Lind > Fjell Robotics',
      'HEADQUARTERED_IN Fjell Robotics > Trondheim',
    ]);
  });

  it('yields one relation per entity of a conjunction', () => {
    expect(relations('Ada Stone and Ben Frey joined Quill Software.')).toEqual([
      'WORKS_FOR Ada Stone > Quill Software',
      'WORKS_FOR Ben Frey > Quill Software',
    ]);
    expect(relations('Harbor Systems acquired Pinewood Software and Brook Analytics.')).toEqual([
      'ACQUIRED Harbor Systems > Brook Analytics',
      'ACQUIRED Harbor Systems > Pinewood Software',
    ]);
  });

  it('gives the sentence as evidence', () => {
    const text = 'Revenue grew. Sven Olsen works for Polaris Shipping. Costs fell.';
    expect(run(text).relations[0]?.evidence).toBe('Sven Olsen works for Polaris Shipping.');
  });
});

describe('offline extractor: statements that are not facts', () => {
  it('yields no relation for negations, questions, modal or rumoured statements', () => {
    const texts = [
      'Mara Lind is not the CEO of Tessera Labs.',
      'Mara Lind never worked for Harbor Systems.',
      'Gideon Price is no longer based in Dublin.',
      'Did Harbor Systems acquire Pinewood Software?',
      'Is Tessera Labs headquartered in Dublin?',
      'Harbor Systems may acquire Pinewood Software.',
      'There are rumours that Harbor Systems could buy Pinewood Software.',
      'If Harbor Systems hires Nora Quinn, the team will grow.',
      'Nora Quinn will join Quill Software in May.',
      'It is unclear whether Nora Quinn reports to Felix Adler.',
    ];
    for (const text of texts) expect(relations(text), text).toEqual([]);
  });

  it('still recognises the entities of such statements', () => {
    expect(entities('Harbor Systems may acquire Pinewood Software.')).toEqual(['Organization:Harbor Systems', 'Organization:Pinewood Software']);
  });
});

describe('offline extractor: entities', () => {
  it('types people, organisations, places and values', () => {
    const result = run('Dr. Yara Haddad told Brook Analytics in Chicago that sales rose 7% to $4.2 million in Q3 2023, with 1,500 employees.');
    const byName = new Map(result.entities.map((e) => [e.name, e]));
    expect(byName.get('Yara Haddad')?.type).toBe('Person');
    expect(byName.get('Brook Analytics')?.type).toBe('Organization');
    expect(byName.get('Chicago')?.type).toBe('Place');
    expect(byName.get('7%')).toMatchObject({ type: 'Percent', properties: { value: 7 } });
    expect(byName.get('$4.2 million')).toMatchObject({ type: 'Money', properties: { amount: 4_200_000, currency: 'USD' } });
    expect(byName.get('Q3 2023')).toMatchObject({ type: 'Date', properties: { value: '2023-Q3' } });
    expect(byName.get('1,500 employees')).toMatchObject({ type: 'Quantity', properties: { value: 1500, unit: 'employees' } });
  });

  it('takes acronyms in parentheses as aliases and links later mentions to the full name', () => {
    const result = run('Global Freight Holdings (GFH) bought Portside Logistics. GFH is based in Rotterdam.');
    const gfh = result.entities.find((e) => e.name === 'Global Freight Holdings');
    expect(gfh?.aliases).toEqual(['GFH']);
    expect(result.entities.filter((e) => e.type === 'Organization').map((e) => e.name).sort()).toEqual(['Global Freight Holdings', 'Portside Logistics']);
    expect(result.relations.map(describe_).sort()).toEqual([
      'ACQUIRED Global Freight Holdings > Portside Logistics',
      'HEADQUARTERED_IN Global Freight Holdings > Rotterdam',
    ]);
  });

  it("strips possessives and titles, and keeps legal forms as written", () => {
    expect(entities("Quill Software's office opened.")).toEqual(['Organization:Quill Software']);
    expect(entities('Prof. Anika Bose advises Lumen Partners Inc. on strategy.')).toEqual(['Organization:Lumen Partners Inc.', 'Person:Anika Bose']);
  });

  it('does not take capitalised sentence openers for names', () => {
    expect(entities('Meanwhile, profits rose.')).toEqual([]);
    expect(entities('Engineers fixed the outage. However, customers complained.')).toEqual([]);
    expect(entities('Yesterday Brook Analytics cut prices.')).toEqual(['Organization:Brook Analytics']);
  });

  it('separates organisations named after people from the people', () => {
    expect(entities('Walter Brook founded Brook Analytics.')).toEqual(['Organization:Brook Analytics', 'Person:Walter Brook']);
  });

  it('gives character offsets of the first mention', () => {
    const text = 'In 2019, Tessera Labs hired Ada Stone. Later Tessera Labs promoted Ada Stone.';
    for (const e of run(text).entities) {
      expect(text.slice(e.start, e.end), e.name).toBe(e.name);
    }
    const tessera = run(text).entities.find((e) => e.name === 'Tessera Labs');
    expect(tessera?.start).toBe(text.indexOf('Tessera Labs'));
  });

  it('is deterministic', () => {
    const text = 'Ada Stone and Ben Frey joined Quill Software, a Lisbon-based startup, in 2022.';
    expect(run(text)).toEqual(run(text));
  });
});

describe('offline extractor: batches and odd input', () => {
  it('never rejects for odd chunks and reports oversized ones as failures', async () => {
    const odd = ['', '   \n\t', '🙂🙂🙂', '<div><p>Acme</p></div>', '... ,,, ;;;', 'ÄÖÜ ß ЖЖЖ 中文 日本語', 'A'.repeat(5000), `${'Globex hired Ada Stone. '.repeat(400)}`];
    const inputs = odd.map((text, i) => ({ chunkId: `odd-${i}`, text, documentTitle: 'odd' }));
    inputs.push({ chunkId: 'huge', text: 'word '.repeat(60_000), documentTitle: 'odd' });
    const result = await extractor.extract(inputs);
    expect(result.extractions.map((e) => e.chunkId)).toEqual(odd.map((_, i) => `odd-${i}`));
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.chunkId).toBe('huge');
    expect(result.failures[0]!.error).toBeInstanceOf(KgragError);
  });

  it('stops a batch when its signal aborts', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(extractor.extract([{ chunkId: 'a', text: 'Ada Stone joined Globex.', documentTitle: '' }], { signal: controller.signal })).rejects.toThrow();
  });
});

describe('offline extractor: pattern files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kgrag-patterns-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  function write(name: string, content: unknown): string {
    const file = path.join(dir, name);
    writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
    return file;
  }

  it('adds the patterns and roles of a user file to the built-in ones', async () => {
    const file = write('sponsors.json', {
      roles: [{ phrases: ['quartermaster'], canonical: 'quartermaster' }],
      patterns: [
        {
          id: 'sponsors',
          relation: 'SPONSORS',
          subject: 'Organization',
          object: 'Organization',
          match: ['$subject #Adverb? (sponsors|sponsored|has sponsored) the? $object'],
          confidence: 0.7,
        },
      ],
    });
    const custom = await createOfflineExtractor({ patternsFile: file }, silentLogger());
    const r = custom.extractChunk({ chunkId: 'c', text: 'Harbor Systems sponsors the Bergen Sailing Club.', documentTitle: '' }).relations;
    expect(r.map(describe_)).toEqual(['SPONSORS Harbor Systems > Bergen Sailing Club']);
    expect(r[0]!.confidence).toBe(0.7);
    // built-ins still run, and the new role is recognised by them
    expect(relations('Nora Quinn is the quartermaster of Harbor Systems.', custom)).toEqual(['WORKS_FOR Nora Quinn > Harbor Systems']);
  });

  it('ships a built-in patterns file that validates and compiles (it is only read at run time)', async () => {
    const builtin = await loadPatternFile(BUILTIN_PATTERNS_FILE);
    expect(builtin.patterns?.length).toBeGreaterThan(10);
    expect(builtinPatternSet().patterns.map((p) => p.id)).toEqual(builtin.patterns!.map((p) => p.id));
  });

  it('rejects an invalid file with a ConfigError naming the file and the problem', async () => {
    const badType = write('bad-type.json', { patterns: [{ id: 'x', relation: 'sponsors', subject: 'Organization', object: 'Organization', match: ['$subject sponsors $object'] }] });
    await expect(createOfflineExtractor({ patternsFile: badType }, silentLogger())).rejects.toThrow(ConfigError);
    await expect(createOfflineExtractor({ patternsFile: badType }, silentLogger())).rejects.toThrow(/bad-type\.json.*\/patterns\/0\/relation/);

    const badSlot = write('bad-slot.json', { patterns: [{ id: 'funds', relation: 'FUNDS', subject: 'Organization', object: 'Organization', match: ['$subject funds $target'] }] });
    await expect(createOfflineExtractor({ patternsFile: badSlot }, silentLogger())).rejects.toThrow(/bad-slot\.json.*"funds".*\$target/);

    const badJson = write('bad.json', '{ "patterns": [');
    await expect(createOfflineExtractor({ patternsFile: badJson }, silentLogger())).rejects.toThrow(/bad\.json.*not valid JSON/);

    await expect(createOfflineExtractor({ patternsFile: path.join(dir, 'missing.json') }, silentLogger())).rejects.toThrow(/Cannot read extraction patterns file .*missing\.json/);
  });
});

describe('offline extractor: labelled evaluation set', () => {
  it('keeps its measured quality on test/gold/extraction.jsonl', async () => {
    const report = await runExtractionEval();
    expect(report.sentences).toBeGreaterThanOrEqual(170);
    // Measured on 360 sentences: entities F1 0.994; relations P 1.00, R 0.953; properties 96.9%.
    expect(report.entities.f1).toBeGreaterThanOrEqual(0.95);
    expect(report.relations.precision).toBeGreaterThanOrEqual(0.95);
    expect(report.relations.recall).toBeGreaterThanOrEqual(0.88);
    expect(report.relations.properties.accuracy).toBeGreaterThanOrEqual(0.9);
  });
});
