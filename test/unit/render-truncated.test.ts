import { describe, expect, it } from 'vitest';
import { renderStructured } from '../../src/answer/structured.ts';
import type { QuerySpec } from '../../src/planner/compile.ts';
import { renderStructuredZh } from '../../src/planner/zh/render.ts';

/** "List the readers." with the answer's rows cut at the row cap (the guard's `truncated`). */
const spec = (byName = false): QuerySpec => ({
  nodes: [{ v: 'n0', label: 'Reader', conditions: [] }],
  edges: [],
  exists: [],
  result: { kind: 'list', properties: [], ...(byName ? { byName } : {}) },
  nameProperty: { Reader: 'name' },
  limit: 2,
});
const rows = [{ name: 'Quill' }, { name: 'Rhea' }];
const named = [{ name: 'Quill', nodes: 2 }, { name: 'Rhea', nodes: 1 }];

describe('a list cut at the row cap', () => {
  it('says in English that there are more, not how many were returned', () => {
    expect(renderStructured(spec(), rows, true)).toMatch(/^More than 2 readers \(the first 2 are listed\): Quill and Rhea\.$/);
    expect(renderStructured(spec(), rows, false)).toMatch(/^2 readers: Quill and Rhea\.$/);
    expect(renderStructured(spec(true), named, true)).toMatch(/^At least 3 readers\b/);
    expect(renderStructured(spec(true), named, false)).toMatch(/^3 readers\b/);
  });

  it('says so in Chinese too', () => {
    expect(renderStructuredZh(spec(), rows, true)).toMatch(/^超过 2 个.*（仅列出前 2 个）：/);
    expect(renderStructuredZh(spec(), rows, false)).toMatch(/^共 2 个/);
    expect(renderStructuredZh(spec(true), named, true)).toMatch(/^至少 3 个/);
  });
});
