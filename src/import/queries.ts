import { cypher, quoteName } from '../graph/cypher.ts';
import { ENTITY_LABEL, isSafePropertyKey, isSafeRelType, storedLabel } from '../graph/names.ts';
import type { FieldType, Mapping, PropertyMapping, RelationshipMapping } from './mapping.ts';

/**
 * Builds the import statements for one mapping. Labels, relationship types and property keys
 * cannot be Cypher parameters, so the templates in cypher/import/ have slots that are filled
 * here, and only here, with names that passed validation and are backtick-quoted. Values always
 * travel as parameters.
 */

const LABEL_SHAPE = /^[A-Z][A-Za-z0-9]{0,63}$/;

export function upsertEntitiesQuery(mapping: Mapping): string {
  const labels = [...new Set([mapping.entityType, mapping.label])].map((l) => storedLabel(checked(l, LABEL_SHAPE.test(l), 'label')));
  return fillTemplate(cypher('import/upsert-entities'), {
    labels: [ENTITY_LABEL, ...labels].map((l) => ':' + quoteName(l)).join(''),
    properties: Object.entries(mapping.properties)
      .map(([name, spec]) => nodeAssignment(name, spec))
      .join(''),
  });
}

export function linkEntitiesQuery(rel: RelationshipMapping): string {
  return fillTemplate(cypher('import/link-entities'), {
    type: quoteName(checked(rel.type, isSafeRelType(rel.type), 'relationship type')),
    properties: Object.entries(rel.properties)
      .map(([name, spec]) => `,\n      r.${quotedProperty(name)} = ${converted(`row.props.${quotedProperty(name)}`, spec.type)}`)
      .join(''),
  });
}

/**
 * A node property: this row's value when it has one; when the cell is empty, the value stays
 * only if another source still claims it (its facts), otherwise it is removed.
 */
function nodeAssignment(name: string, spec: PropertyMapping): string {
  const q = quotedProperty(name);
  return (
    `,\n    n.${q} = CASE WHEN row.props.${q} IS NOT NULL THEN ${converted(`row.props.${q}`, spec.type)}` +
    ` WHEN any(f IN kept WHERE f STARTS WITH $factPrefixes.${q}) THEN n.${q} END`
  );
}

/** JSON numbers arrive as floats and temporals as ISO text: Cypher gives them their graph type. */
function converted(expr: string, type: FieldType): string {
  switch (type) {
    case 'integer':
      return `toInteger(${expr})`;
    case 'float':
      return `toFloat(${expr})`;
    case 'date':
      return `date(${expr})`;
    case 'datetime':
      return `datetime(${expr})`;
    default:
      return expr;
  }
}

function quotedProperty(name: string): string {
  return quoteName(checked(name, isSafePropertyKey(name), 'property name'));
}

/** Defence in depth: mappings are validated on load, but a name reaching a query is checked again. */
function checked(name: string, ok: boolean, what: string): string {
  if (!ok) throw new Error(`Refusing to put ${what} ${JSON.stringify(name)} into a query`);
  return name;
}

/** Replaces every `{{slot}}`; a slot without a value (or a value without a slot) is a bug. */
export function fillTemplate(template: string, slots: Record<string, string>): string {
  const used = new Set<string>();
  const text = template.replace(/\{\{(\w+)\}\}/g, (_, slot: string) => {
    const value = slots[slot];
    if (value === undefined) throw new Error(`No value for Cypher template slot {{${slot}}}`);
    used.add(slot);
    return value;
  });
  const unused = Object.keys(slots).filter((s) => !used.has(s));
  if (unused.length > 0) throw new Error(`Cypher template has no slot for: ${unused.join(', ')}`);
  return text;
}
