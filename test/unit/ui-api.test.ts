import { describe, expect, it } from 'vitest';
import { plainNumbers } from '../../ui/src/api.ts';

describe('the web UI reads Neo4j integers as numbers', () => {
  it('turns {low, high} into the number it encodes, anywhere in a response', () => {
    const body = '{"cypher":[{"params":{"limit":{"low":100,"high":0},"names":["a"]}}],"big":{"low":5,"high":1},"neg":{"low":-1,"high":-1}}';
    expect(JSON.parse(body, plainNumbers)).toEqual({ cypher: [{ params: { limit: 100, names: ['a'] } }], big: 2 ** 32 + 5, neg: -1 });
  });

  it('leaves other objects alone', () => {
    const body = '{"a":{"low":1,"high":2,"x":3},"b":{"low":"1","high":0},"c":[1,2]}';
    expect(JSON.parse(body, plainNumbers)).toEqual({ a: { low: 1, high: 2, x: 3 }, b: { low: '1', high: 0 }, c: [1, 2] });
  });
});
