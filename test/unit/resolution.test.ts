import { describe, expect, it } from 'vitest';
import type { ChunkExtraction } from '../../src/extraction/types.ts';
import { matchNames } from '../../src/resolution/matching.ts';
import { acronymOf, entityId, normalizeName } from '../../src/resolution/normalize.ts';
import { resolveDocument, type EntityLookup, type ExistingEntity } from '../../src/resolution/resolver.ts';

/** An in-memory collection standing in for the graph (the real lookup is tested against Neo4j). */
function memoryLookup(entities: ExistingEntity[]): EntityLookup {
  return {
    async byNormalizedNames(items) {
      return entities.filter((e) => items.some((i) => i.type === e.type && i.key === e.normalizedName));
    },
    async candidates(items) {
      return items.map(({ type, name }) => {
        const words = normalizeName(name).split(' ');
        return entities.filter((e) => e.type === type && [e.name, ...e.aliases].some((n) => words.some((w) => normalizeName(n).includes(w))));
      });
    },
  };
}

const person = (name: string) => ({ name, type: 'Person', confidence: 0.9 });
const org = (name: string, aliases?: string[]) => ({ name, type: 'Organization', confidence: 0.9, ...(aliases ? { aliases } : {}) });
const chunk = (chunkId: string, entities: ChunkExtraction['entities'], relations: ChunkExtraction['relations'] = []): ChunkExtraction => ({ chunkId, entities, relations });

describe('name normalisation', () => {
  it('folds case, accents, punctuation, legal forms and honorifics', () => {
    expect(normalizeName('  OpenAI, Inc. ', 'Organization')).toBe('openai');
    expect(normalizeName('The Acme Corporation', 'Organization')).toBe('acme');
    expect(normalizeName('Dr. José  Núñez Jr.', 'Person')).toBe('jose nunez');
    expect(normalizeName('AT&T', 'Organization')).toBe('at and t');
    expect(normalizeName("Acme's", 'Organization')).toBe('acme');
  });
  it('derives acronyms and collection-scoped ids', () => {
    expect(acronymOf('International Business Machines', 'Organization')).toBe('ibm');
    expect(acronymOf('Acme')).toBeUndefined();
    expect(entityId('a', 'Person', 'jane smith')).not.toBe(entityId('b', 'Person', 'jane smith'));
  });
});

describe('type-aware matching', () => {
  it('never matches people who only share a surname', () => {
    expect(matchNames('John Doe', 'Emily Doe', 'Person')).toBeNull();
    expect(matchNames('J. Doe', 'John Doe', 'Person')).toMatchObject({ method: 'initials' });
    expect(matchNames('Dr. John Doe', 'john doe', 'Person')).toMatchObject({ method: 'exact' });
    expect(matchNames('Doe', 'John Doe', 'Person')).toBeNull();
  });
  it('matches organisations by legal form, spacing, acronym and typos, but not by a shared word', () => {
    expect(matchNames('OpenAI Inc.', 'OpenAI', 'Organization')).toMatchObject({ method: 'exact' });
    expect(matchNames('Open AI', 'OpenAI', 'Organization')).toMatchObject({ method: 'exact' });
    expect(matchNames('IBM', 'International Business Machines', 'Organization')).toMatchObject({ method: 'acronym' });
    expect(matchNames('Initech Solutionz', 'Initech Solutions Ltd', 'Organization')).toMatchObject({ method: 'fuzzy' });
    expect(matchNames('Acme Analytics', 'Acme Robotics', 'Organization')).toBeNull();
  });
});

describe('resolving a document', () => {
  it('links mentions to imported records and keeps the aliases it absorbed', async () => {
    const jane: ExistingEntity = { id: 'ent_jane', type: 'Person', name: 'Jane Smith', normalizedName: 'jane smith', aliases: [], imported: true };
    const plan = await resolveDocument('c', [chunk('d:0', [person('Dr. Jane Smith')]), chunk('d:1', [person('Smith')])], memoryLookup([jane]));
    expect(plan.entities).toHaveLength(1);
    expect(plan.entities[0]).toMatchObject({ id: 'ent_jane', name: 'Jane Smith', aliases: ['Dr. Jane Smith', 'Smith'] });
    expect(plan.mentions.map((m) => [m.chunkId, m.entityId, m.method])).toEqual([
      ['d:0', 'ent_jane', 'exact'],
      ['d:1', 'ent_jane', 'exact'],
    ]);
  });

  it('keeps namesakes apart and drops a surname that could be either of them', async () => {
    const plan = await resolveDocument(
      'c',
      [chunk('d:0', [person('John Doe'), person('Emily Doe')]), chunk('d:1', [person('Doe')])],
      memoryLookup([]),
    );
    expect(plan.entities.map((e) => e.name).sort()).toEqual(['Emily Doe', 'John Doe']);
    expect(plan.stats.dropped).toBe(1);
  });

  it('joins an acronym to its long form inside a document and across documents through aliases', async () => {
    const first = await resolveDocument('c', [chunk('a:0', [org('International Business Machines', ['IBM'])]), chunk('a:1', [org('IBM')])], memoryLookup([]));
    expect(first.entities).toHaveLength(1);
    expect(first.entities[0]!.aliases).toEqual(['IBM']);
    const stored: ExistingEntity = { ...first.entities[0]!, imported: false };
    const second = await resolveDocument('c', [chunk('b:0', [org('IBM')])], memoryLookup([stored]));
    expect(second.mentions[0]).toMatchObject({ entityId: stored.id, method: 'alias' });
  });

  it('turns relations into writes between resolved entities, dropping unsafe types and self-loops', async () => {
    const plan = await resolveDocument(
      'c',
      [
        chunk('d:0', [person('Priya Natarajan'), org('Acme Analytics')], [
          { type: 'works for', source: { name: 'Priya Natarajan', type: 'Person' }, target: { name: 'Acme Analytics', type: 'Organization' }, properties: { since: '2019', 'bad key!': 1 }, confidence: 0.8 },
          { type: 'MENTIONS', source: { name: 'Priya Natarajan', type: 'Person' }, target: { name: 'Acme Analytics', type: 'Organization' }, confidence: 0.9 },
          { type: 'KNOWS`]->() DETACH DELETE n//', source: { name: 'Priya Natarajan', type: 'Person' }, target: { name: 'Acme Analytics', type: 'Organization' }, confidence: 0.9 },
          { type: 'SAME_AS', source: { name: 'Acme Analytics', type: 'Organization' }, target: { name: 'Acme Analytics Inc.', type: 'Organization' }, confidence: 0.9 },
        ]),
      ],
      memoryLookup([]),
    );
    expect(plan.relations).toHaveLength(2);
    const worksFor = plan.relations.find((r) => r.type === 'WORKS_FOR')!;
    expect(worksFor.properties).toEqual({ since: '2019', badKey: 1 });
    expect(worksFor.chunkIds).toEqual(['d:0']);
    // The injection attempt became a harmless, validated UPPER_SNAKE type.
    expect(plan.relations.map((r) => r.type).sort()).toEqual(['KNOWS_DETACH_DELETE_N', 'WORKS_FOR']);
  });

  it('ignores values and unusable names, and never produces ids outside its collection', async () => {
    const plan = await resolveDocument('mine', [chunk('d:0', [{ name: '2023', type: 'Date', confidence: 1 }, { name: '  ', type: 'Person', confidence: 1 }, { name: 'Acme', type: '💥', confidence: 1 }, org('Acme')])], memoryLookup([]));
    expect(plan.entities.map((e) => e.id)).toEqual([entityId('mine', 'Organization', 'acme')]);
  });
});
