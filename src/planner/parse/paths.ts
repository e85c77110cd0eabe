/**
 * Paths between the nodes a question names: the best route through the schema's relationship
 * patterns, and the direction of hierarchy relationships ("X's manager", "does X report to").
 */
import type { RelationshipInfo } from '../../graph/catalog.ts';
import type { EdgeSpec, NodeSpec } from '../compile.ts';
import { overlaps, type Grounding, type ValueMention } from '../grounding.ts';
import { nameWords } from '../lexicon.ts';

export interface FoundPath {
  edges: EdgeSpec[];
  /** Intermediate nodes (scoped, no conditions). */
  nodes: NodeSpec[];
  ambiguous: boolean;
  /** With `ambiguous`: the other paths that fit the question as well (other relationship types between the same labels). */
  rivals: Array<{ edges: EdgeSpec[]; nodes: NodeSpec[] }>;
}

/** The best schema path from an already placed node to `node`'s label: cued relationship types first, then shorter. */
export function bestPath(g: Grounding, placed: NodeSpec[], node: NodeSpec, at: number, words: string[], used: Set<number>, mentions: number[]): FoundPath | undefined {
  let pathVars = 0;
  // Words already read as a value or a label ("blocked", "office") cue no relationship.
  // A cue word belongs to the node it sits next to: one with another node's mention in between
  // ("the projects Hannah Weber leads": "leads" connects Hannah, not the projects) does not count.
  // (Except a type named like the label the word names: "software versions" names VERSION as much as Version.)
  const namesOwnType = (r: (typeof g.relations)[number]) => g.labels.some((l) => overlaps(l.span, r.span) && sameName(l.label, r.type));
  // Nor one after the node's mention that links its label to a node mentioned after the cue:
  // in "machines running services that listen on port 80", "listen" joins the port to the
  // services, not the services to the machines.
  const joinsLater = (r: (typeof g.relations)[number]) =>
    r.span.start > at &&
    !g.labels.some((l) => l.span.start === at && overlaps(l.span, r.span)) &&
    g.labels.some((l) => l.span.start >= r.span.end && mentions.includes(l.span.start) && relationshipBetween(g, r.type, node.label, l.label) !== undefined);
  const cues = g.relations.filter((r) => (!used.has(r.span.start) || namesOwnType(r)) && !mentions.some((m) => m !== at && (m - at) * (m - r.span.start) < 0) && !joinsLater(r));
  const cued = new Set(cues.map((r) => r.type));
  // Cued by a word of its own, not only by the label noun it is named like (which every path
  // through that relationship shares, so it tells none of them apart).
  const said = new Set(cues.filter((r) => !used.has(r.span.start)).map((r) => r.type));
  // A label noun cues its like-named type only on paths of the node it names: the target's (the
  // path starts there) or the node being joined (its mention is that word).
  const ownCue = (start: NodeSpec, type: string) =>
    cued.has(type) && ((start === placed[0] && sameName(start.label, type)) || (sameName(node.label, type) && cues.some((r) => r.type === type && r.span.start <= at && at < r.span.end)));
  const inverse = new Set(cues.filter((r) => r.inverse).map((r) => r.type));
  // "Who does the lead of X report to?": the node mentioned after does/did is the subject.
  const aux = words.findIndex((w) => w === 'does' || w === 'do' || w === 'did');
  const subjectFirst = (type: string) => aux >= 0 && aux < at && cues.some((c) => c.type === type && c.span.start > at);
  type Hop = { rel: RelationshipInfo; dir: 'out' | 'in'; to: string };
  const hopsFrom = (label: string): Hop[] =>
    g.relationships.flatMap((r) => [
      // A relationship between two nodes of one label runs the way its cue word says ("manager").
      ...(r.from === label ? [{ rel: r, dir: r.to === label && (inverse.has(r.type) || subjectFirst(r.type)) ? ('in' as const) : ('out' as const), to: r.to }] : []),
      ...(r.to === label && r.from !== label ? [{ rel: r, dir: 'in' as const, to: r.from }] : []),
    ]).filter((h) => g.labelInfo.has(h.to));
  const candidates: Array<{ start: NodeSpec; hops: Hop[]; base: number; score: number }> = [];
  for (const start of placed) {
    const frontier: Array<{ label: string; hops: Hop[] }> = [{ label: start.label, hops: [] }];
    for (let depth = 0; depth < 3; depth++) {
      const nextFrontier: typeof frontier = [];
      for (const f of frontier) {
        for (const h of hopsFrom(f.label)) {
          if (f.hops.some((x) => x.rel === h.rel)) continue;
          const hops = [...f.hops, h];
          if (h.to === node.label && !(h.to === start.label && hops.length === 1 && h.rel.from === h.rel.to)) {
            // A cue word names one relationship: a path repeating the cued type is no better cued.
            const cues = new Set(hops.filter((x) => said.has(x.rel.type) || ownCue(start, x.rel.type)).map((x) => x.rel.type)).size;
            // Nodes placed later in the question and closer to this mention are likelier partners.
            const proximity = start === placed[0] ? 0 : 0.3;
            const base = cues * 2 - hops.length + proximity;
            // The busier relationship breaks a tie, but only as a guess: a tie on `base` is a doubt.
            candidates.push({ start, hops, base, score: base + Math.log10(1 + Math.min(...hops.map((x) => x.rel.count))) * 0.01 });
          }
          if (depth < 2) nextFrontier.push({ label: h.to, hops });
        }
      }
      frontier.splice(0, frontier.length, ...nextFrontier);
    }
  }
  if (candidates.length === 0) return undefined;
  candidates.sort((a, b) => b.score - a.score);
  const best = candidates[0]!;
  const typesOf = (c: (typeof candidates)[number]) => c.hops.map((h) => `${h.rel.type}:${h.dir}`).join();
  const rivals = candidates.filter((c, i) => c.base === best.base && c.hops.length === best.hops.length && typesOf(c) !== typesOf(best) && candidates.findIndex((d) => typesOf(d) === typesOf(c)) === i);
  const bestCued = best.hops.some((h) => said.has(h.rel.type));
  // A cue word that leads through a detour where a shorter path exists ("interfaces connected to a
  // router": CONNECTS to another interface the router ROUTES, or the router's own ROUTES) may be
  // a loose verb as much as a choice of path: both are readings.
  // (Among paths from the same placed node: from another one, a shorter path is another attachment, not a detour.)
  const shortest = Math.min(...candidates.filter((c) => c.start === best.start).map((c) => c.hops.length));
  // Only when the longer path first steps, on the cue, to another node of the start's own label
  // (CONNECTS from an interface to an interface) and is cued nowhere else: a cue on a hop between
  // different labels, or further along, is the question's own choice of path.
  const first = best.hops[0]!;
  // (Its cue word before the node's mention, where it can only be joining the two: one after it may
  // belong to a later part of the question, "counting indirect reports".)
  const selfStep = first.rel.from === first.rel.to && cues.some((r) => r.type === first.rel.type && r.span.start < at);
  // (A noun that names a node, "router", also names its relationship, ROUTES: it cues no path.)
  const verbs = new Set(cues.filter((r) => !g.labels.some((l) => overlaps(l.span, r.span))).map((r) => r.type));
  // Or when it goes out and back along one type (a Process LISTENS to a Port a Service LISTENS to):
  // nodes that merely share a neighbour, which a question means only when it says so.
  const backAndForth = best.hops.some((h, i) => i > 0 && h.rel.type === best.hops[i - 1]!.rel.type && h.dir !== best.hops[i - 1]!.dir);
  const detour = best.hops.length > shortest && best.start.label !== node.label && ((selfStep && best.hops.filter((h) => verbs.has(h.rel.type)).every((h) => h.rel.from === h.rel.to)) || backAndForth);
  if (detour) {
    const shorter = candidates.filter((c, i) => c.start === best.start && c.hops.length === shortest && candidates.findIndex((d) => d.start === best.start && typesOf(d) === typesOf(c) && d.hops.length === shortest) === i);
    rivals.splice(0, rivals.length, ...shorter);
  }
  // Uncued and not unique: the question gives no reason to pick one relationship type over another
  // between the same labels (a filing CONCERNS, is FILED by or BENEFITS an entity).
  const ambiguous = (!bestCued || detour) && rivals.length > 0 && best.start.label !== node.label;
  const build = (c: (typeof candidates)[number]) => {
    const edges: EdgeSpec[] = [];
    const inner: NodeSpec[] = [];
    let from = c.start.v;
    c.hops.forEach((h, i) => {
      const last = i === c.hops.length - 1;
      const to = last ? node.v : `${node.v}_${++pathVars}`;
      if (!last) inner.push({ v: to, label: h.to, conditions: [] });
      edges.push({ from, to, type: h.rel.type, dir: h.dir });
      from = to;
    });
    return { edges, nodes: inner };
  };
  const chosen = build(best);
  const others = ambiguous ? rivals.map((c) => { pathVars = 0; return build(c); }) : [];
  return { ...chosen, ambiguous, rivals: others };
}

/** Relationship between two nodes of the same label (REPORTS_TO, DEPENDS_ON): type, direction and hops. */
export function selfRelation(g: Grounding, label: string, anchor: ValueMention, words: string[]): { type: string; dir: 'out' | 'in'; hops?: number; variable?: boolean } | undefined {
  const selfTypes = g.relationships.filter((r) => r.from === label && r.to === label).map((r) => r.type);
  if (selfTypes.length === 0) return undefined;
  const mentions = g.relations.filter((r) => selfTypes.includes(r.type));
  const type = mentions[0]?.type;
  if (!type) return undefined;
  const inverseCount = mentions.filter((m) => m.inverse).length;
  const cue = mentions[0];
  let dir: 'out' | 'in';
  const possessive = /[’']s$/.test(g.tokens[anchor.span.end - 1]?.raw ?? '');
  if (inverseCount > 0) dir = 'in'; // "X's manager": (X)-[:REPORTS_TO]->(target)
  else if (possessive) dir = 'out'; // "X's team": (target)-[:REPORTS_TO]->(X)
  else if (cue && anchor.span.end <= cue.span.start && ['does', 'do', 'did', 'is', 'was'].some((w) => words.slice(0, anchor.span.start).includes(w))) dir = 'in';
  else dir = 'out';
  const variable = words.some((w) => w === 'indirect' || w === 'indirectly' || w === 'chain' || w === 'transitive' || w === 'organisation' || w === 'organization');
  const skip = words.some((w) => w === 'skip-level' || w === 'grand');
  const hops = skip ? 2 : Math.max(1, inverseCount);
  return { type, dir, ...(variable ? { variable: true, hops: 10 } : { hops }) };
}


/** Relationship hops between two labels in the schema (0 = same label), up to 3. */
export function hopsBetween(g: Grounding, a: string, b: string): number | undefined {
  let frontier = new Set([a]);
  const seen = new Set([a]);
  for (let d = 0; d <= 3; d++) {
    if (frontier.has(b)) return d;
    const next = new Set<string>();
    for (const l of frontier) {
      for (const r of g.relationships) {
        const other = r.from === l ? r.to : r.to === l ? r.from : undefined;
        if (other && !seen.has(other)) {
          seen.add(other);
          next.add(other);
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** The schema's relationship of `type` between labels `a` and `b`, whichever way it runs. */
export function relationshipBetween(g: Grounding, type: string, a: string, b: string): RelationshipInfo | undefined {
  return g.relationships.find((x) => x.type === type && ((x.from === a && x.to === b) || (x.from === b && x.to === a)));
}

/** A relationship type named exactly like a label (VERSION and Version; not FILED and Filing, which only share a stem). */
function sameName(label: string, type: string): boolean {
  return nameWords(label).join(' ') === nameWords(type).join(' ');
}
