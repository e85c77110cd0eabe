import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { entityId } from '../../src/resolution/normalize.ts';
import { coerceValue } from '../../src/import/coerce.ts';
import { ImportError } from '../../src/import/errors.ts';
import { inferMapping, labelFromFile, singular } from '../../src/import/infer.ts';
import { loadMapping, validateMapping, type Mapping } from '../../src/import/mapping.ts';
import { FACT_SEPARATOR } from '../../src/domain/facts.ts';
import { prepareRecord } from '../../src/import/prepare.ts';
import { fillTemplate, linkEntitiesQuery, upsertEntitiesQuery } from '../../src/import/queries.ts';
import { delimiterOf, openRecords, resolvePointer, type SourceRecord } from '../../src/import/readers.ts';

// Not test/helpers.ts: it opens the whole app, and these tests need no database.
const tempDir = mkdtempSync(path.join(tmpdir(), 'kgrag-import-test-'));
afterAll(() => rmSync(tempDir, { recursive: true, force: true }));

let fileNo = 0;
/** A file in its own sub-folder, so that tests can reuse meaningful names (label inference reads them). */
function writeTemp(name: string, content: string | Uint8Array): string {
  const dir = path.join(tempDir, String(++fileNo));
  mkdirSync(dir);
  writeFileSync(path.join(dir, name), content);
  return path.join(dir, name);
}

async function collect(file: string, options: Parameters<typeof openRecords>[1] = {}): Promise<{ columns: string[] | undefined; records: SourceRecord[] }> {
  const source = await openRecords(file, options);
  const records: SourceRecord[] = [];
  for await (const r of source.records) records.push(r);
  return { columns: source.columns, records };
}

const valuesOf = (r: SourceRecord) => ('values' in r ? Object.fromEntries(r.values) : { error: r.error });

/** The problems of an invalid mapping, as "path: message" lines. */
function problemsOf(raw: unknown): string[] {
  try {
    validateMapping(raw, 'test.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).code).toBe('MAPPING_INVALID');
    return (err as ImportError).problems.map((p) => `${p.path}: ${p.message}`);
  }
  throw new Error('mapping was accepted');
}

const employeeMapping = {
  label: 'Employee',
  entityType: 'Person',
  key: 'employee_id',
  nameField: 'full_name',
  aliasFields: ['nickname'],
  properties: {
    title: { field: 'title', type: 'string' },
    hireDate: { field: 'hire_date', type: 'date', format: 'DD/MM/YYYY' },
    email: { field: 'email', type: 'string', required: true },
  },
  relationships: [{ type: 'REPORTS_TO', field: 'manager_id', target: { label: 'Employee', key: 'employee_id' } }],
};

describe('mapping validation', () => {
  it('accepts a valid mapping and fills in defaults', () => {
    const m = validateMapping({ label: 'Task', key: 'id', properties: { due: { field: 'due', type: 'date' } }, relationships: [{ type: 'ASSIGNED_TO', field: 'assignee', target: { label: 'Employee' } }] });
    expect(m.entityType).toBe('Task');
    expect(m.skipRows).toBe(0);
    expect(m.aliasFields).toEqual([]);
    expect(m.properties.due).toEqual({ field: 'due', type: 'date', required: false });
    expect(m.relationships[0]!.direction).toBe('out');
    expect(m.relationships[0]!.properties).toEqual({});
  });

  it('names the file and the JSON Pointer of every problem', async () => {
    const file = writeTemp('bad.mapping.json', JSON.stringify({ label: 'Chunk', properties: { price: { field: 'p', type: 'money' } } }));
    const err = await loadMapping(file).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    const message = (err as ImportError).message;
    expect(message).toContain(file);
    expect(message).toContain('/key: is required');
    expect(message).toContain('/properties/price/type: "money" is not one of "string", "integer", "float", "boolean", "date", "datetime"');
  });

  it('refuses labels, types and property names kgrag reserves', () => {
    expect(problemsOf({ label: 'Chunk', key: 'id' })).toEqual(['/label: "Chunk" is a label kgrag reserves for itself']);
    expect(problemsOf({ label: 'Person', entityType: 'Document', key: 'id' })).toEqual(['/entityType: "Document" is a label kgrag reserves for itself']);
    expect(problemsOf({ label: 'Person', key: 'id', properties: { name: { field: 'n', type: 'string' } } })[0]).toMatch(/^\/properties\/name: "name" is a property kgrag manages itself \(use nameField/);
    expect(problemsOf({ label: 'Person', key: 'id', relationships: [{ type: 'MENTIONS', field: 'x', target: { label: 'Person' } }] })).toEqual([
      '/relationships/0/type: "MENTIONS" is a relationship type kgrag reserves for itself',
    ]);
    expect(problemsOf({ label: 'Person', key: 'id', relationships: [{ type: 'KNOWS', field: 'x', target: { label: 'Person' }, properties: { confidence: { field: 'c', type: 'float' } } }] })).toEqual([
      '/relationships/0/properties/confidence: "confidence" is a relationship property kgrag manages itself; choose another name',
    ]);
  });

  it('refuses badly shaped names, including injection attempts', () => {
    expect(problemsOf({ label: 'employee', key: 'id' })[0]).toMatch(/^\/label: "employee" must be PascalCase/);
    expect(problemsOf({ label: 'Person`) DETACH DELETE n //', key: 'id' })[0]).toMatch(/^\/label: .* must be PascalCase/);
    expect(problemsOf({ label: 'Person', key: 'id', properties: { 'hire date': { field: 'hire_date', type: 'date' } } })).toEqual([
      '/properties/hire date: "hire date" is not a valid property name: it must be letters, digits and "_" starting with a letter, at most 64 (e.g. "hireDate")',
    ]);
    expect(problemsOf({ label: 'Person', key: 'id', properties: { 'x`}) MATCH (m) DETACH DELETE m //': { field: 'x', type: 'string' } } })[0]).toMatch(/is not a valid property name/);
    expect(problemsOf({ label: 'Person', key: 'id', relationships: [{ type: 'KNOWS]->() DELETE n', field: 'x', target: { label: 'Person' } }] })[0]).toMatch(/^\/relationships\/0\/type: .* must be UPPER_SNAKE_CASE/);
  });

  it('reports unknown settings, wrong types and misplaced formats', () => {
    expect(problemsOf({ label: 'Person', key: 'id', colour: 'red' })[0]).toMatch(/^\/colour: is not a known setting here \(known: .*label.*\)/);
    expect(problemsOf({ label: 'Person', key: 7 })).toEqual(['/key: must be a string']);
    expect(problemsOf({ label: 'Person', key: 'id', properties: { n: { field: 'n', type: 'integer', format: 'YYYY' } } })).toEqual([
      '/properties/n/format: a format applies to date and datetime properties only, not integer',
    ]);
    expect(problemsOf({ label: 'Person', key: 'id', properties: { d: { field: 'd', type: 'date', format: 'DD/MM' } } })).toEqual(['/properties/d/format: "DD/MM" lacks YYYY']);
    expect(problemsOf({ label: 'Person', key: 'id', records: 'data' })).toEqual(['/records: "data" is not a JSON Pointer (e.g. "/data/items")']);
  });
});

describe('coercion', () => {
  const value = (raw: unknown, type: Parameters<typeof coerceValue>[1]['type'], format?: string) => {
    const r = coerceValue(raw, { type, ...(format ? { format } : {}) });
    return r.ok ? r.value : `error: ${r.reason}`;
  };

  it('reads dates in the format given, and rejects dates that do not exist', () => {
    expect(value('2020-02-29', 'date')).toBe('2020-02-29');
    expect(value('31/12/2020', 'date', 'DD/MM/YYYY')).toBe('2020-12-31');
    expect(value('12/31/2020', 'date', 'MM/DD/YYYY')).toBe('2020-12-31');
    expect(value('1.2.2021', 'date', 'DD.MM.YYYY')).toBe('2021-02-01');
    expect(value(' 2021-03-04 ', 'date')).toBe('2021-03-04');
    expect(value('31/02/2020', 'date', 'DD/MM/YYYY')).toBe("error: '31/02/2020' is not a valid date (expected DD/MM/YYYY)");
    expect(value('31/02/2020', 'date')).toBe("error: '31/02/2020' is not a valid date (expected YYYY-MM-DD)");
    expect(value('2021-02-29', 'date')).toMatch(/not a valid date/);
    expect(value('2020-13-01', 'date')).toMatch(/not a valid date/);
    expect(value('12/31/2020', 'date', 'DD/MM/YYYY')).toMatch(/not a valid date/);
    // Spreadsheet date cells are dates whatever the format.
    expect(value(new Date(Date.UTC(2019, 6, 4)), 'date', 'DD/MM/YYYY')).toBe('2019-07-04');
  });

  it('reads datetimes as ISO 8601 or with a format; no offset means UTC', () => {
    expect(value('2024-03-01T09:30:00Z', 'datetime')).toBe('2024-03-01T09:30:00Z');
    expect(value('2024-03-01 09:30', 'datetime')).toBe('2024-03-01T09:30:00Z');
    expect(value('2024-03-01T09:30:00.250+0200', 'datetime')).toBe('2024-03-01T09:30:00.250+02:00');
    expect(value('01/03/2024 17:05', 'datetime', 'DD/MM/YYYY HH:mm')).toBe('2024-03-01T17:05:00Z');
    expect(value('2024-03-01T25:00:00', 'datetime')).toMatch(/not a valid datetime/);
    expect(value('yesterday', 'datetime')).toMatch(/^error: 'yesterday' is not a valid datetime \(expected ISO 8601/);
  });

  it('reads integers and floats, rejecting fractions, separators and words', () => {
    expect(value('42', 'integer')).toBe(42);
    expect(value(' -7 ', 'integer')).toBe(-7);
    expect(value('3.0', 'integer')).toBe(3);
    expect(value(12, 'integer')).toBe(12);
    expect(value('3.5', 'integer')).toBe("error: '3.5' is not a whole number");
    expect(value(3.5, 'integer')).toBe("error: '3.5' is not a whole number");
    expect(value('1,234', 'integer')).toMatch(/not a whole number/);
    expect(value('9007199254740993', 'integer')).toMatch(/too large/);
    expect(value('3.14', 'float')).toBe(3.14);
    expect(value('1e3', 'float')).toBe(1000);
    expect(value('.5', 'float')).toBe(0.5);
    expect(value('abc', 'float')).toBe("error: 'abc' is not a number");
    expect(value('Infinity', 'float')).toMatch(/not a number/);
    expect(value('0x10', 'float')).toMatch(/not a number/);
  });

  it('reads booleans as true/false, yes/no, 1/0 in any case', () => {
    for (const t of ['true', 'TRUE', 'yes', 'Yes', '1', 1, true]) expect(value(t, 'boolean')).toBe(true);
    for (const f of ['false', 'No', '0', 0, false]) expect(value(f, 'boolean')).toBe(false);
    expect(value('maybe', 'boolean')).toBe("error: 'maybe' is not a boolean (expected true/false, yes/no or 1/0)");
  });

  it('treats empty cells as null for every type, and refuses lists and objects', () => {
    for (const type of ['string', 'integer', 'float', 'boolean', 'date', 'datetime'] as const) {
      expect(value('', type)).toBeNull();
      expect(value('   ', type)).toBeNull();
      expect(value(null, type)).toBeNull();
      expect(value(undefined, type)).toBeNull();
    }
    expect(value('  padded  ', 'string')).toBe('padded');
    expect(value(12.5, 'string')).toBe('12.5');
    expect(value(['a'], 'string')).toBe('error: a list is not a single string value');
  });
});

describe('preparing records', () => {
  const mapping: Mapping = validateMapping({
    ...employeeMapping,
    relationships: [{ type: 'MEMBER_OF', field: 'teams', separator: ';', target: { label: 'Team' }, properties: { since: { field: 'since', type: 'date' } } }],
  });
  const ctx = { collection: 'c1', source: 'employees.csv', fieldNoun: 'column' as const };
  const row = (values: Record<string, unknown>) => new Map(Object.entries(values));

  it('builds the node row with typed properties, aliases and facts from this file', () => {
    const p = prepareRecord(
      row({ employee_id: 'E1', full_name: 'Dr. Jane Smith', nickname: 'JS', title: 'CTO', hire_date: '01/02/2020', email: 'j@x', teams: 'T1; T2;;T1', since: '2020-01-01' }),
      12,
      mapping,
      ctx,
    );
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.node.importKey).toBe('Employee:E1');
    expect(p.node.id).toBe(entityId('c1', 'Person', 'Employee:E1'));
    expect(p.node.normalizedName).toBe('jane smith');
    expect(p.node.aliases).toEqual(['JS']);
    expect(p.node.props).toEqual({ title: 'CTO', hireDate: '2020-02-01', email: 'j@x' });
    expect(p.node.facts).toContain(['title', '"CTO"', 'import:employees.csv#row12'].join(FACT_SEPARATOR));
    expect(p.node.facts).toContain(['name', '"Dr. Jane Smith"', 'import:employees.csv#row12'].join(FACT_SEPARATOR));
    expect(p.links[0]!.targets.map((t) => t.importKey)).toEqual(['Team:T1', 'Team:T2']);
    expect(p.links[0]!.props).toEqual({ since: '2020-01-01' });
  });

  it('reports every bad field of a row, with row number and column', () => {
    const p = prepareRecord(row({ employee_id: '', full_name: 'X', hire_date: '31/02/2020', email: '' }), 14, mapping, ctx);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.errors).toEqual([
      'row 14, column employee_id: the key is empty',
      "row 14, column hire_date: '31/02/2020' is not a valid date (expected DD/MM/YYYY)",
      'row 14, column email: a value is required',
    ]);
  });

  it('lets two columns of one relationship type keep each other\'s targets', () => {
    const reviews = validateMapping({
      label: 'Doc',
      key: 'id',
      relationships: [
        { type: 'REVIEWED_BY', field: 'r1', target: { label: 'Employee' } },
        { type: 'REVIEWED_BY', field: 'r2', target: { label: 'Employee' } },
        { type: 'REVIEWED_BY', field: 'r3', direction: 'in', target: { label: 'Employee' } },
      ],
    });
    const p = prepareRecord(row({ id: 'D1', r1: 'E1', r2: 'E2', r3: 'E3' }), 2, reviews, ctx);
    expect(p.ok && p.links.map((l) => [l.targets.map((t) => t.key), l.targetKeys])).toEqual([
      [['E1'], ['Employee:E1', 'Employee:E2']],
      [['E2'], ['Employee:E1', 'Employee:E2']],
      [['E3'], ['Employee:E3']],
    ]);
  });

  it('names records by their key when the name is empty', () => {
    const p = prepareRecord(row({ employee_id: 'E9', full_name: ' ', email: 'e@x' }), 2, mapping, ctx);
    expect(p.ok && p.node.name).toBe('E9');
  });
});

describe('query templates', () => {
  it('interpolates only quoted, validated names', () => {
    const m = validateMapping({ ...employeeMapping, properties: { hireDate: { field: 'h', type: 'date' }, level: { field: 'l', type: 'integer' } } });
    const q = upsertEntitiesQuery(m);
    expect(q).toContain('SET n:`KgragEntity`:`Kgrag_Person`:`Kgrag_Employee`');
    expect(q).toContain('n.`hireDate` = CASE WHEN row.props.`hireDate` IS NOT NULL THEN date(row.props.`hireDate`)');
    expect(q).toContain('toInteger(row.props.`level`)');
    expect(q).not.toMatch(/\{\{/);
    const link = linkEntitiesQuery(m.relationships[0]!);
    expect(link).toContain('[r:`REPORTS_TO`]');
  });

  it('refuses names that slipped past validation', () => {
    const m = validateMapping(employeeMapping);
    expect(() => upsertEntitiesQuery({ ...m, label: 'X`) DELETE n //' })).toThrow(/Refusing/);
    expect(() => linkEntitiesQuery({ ...m.relationships[0]!, type: 'A`]->() DELETE n //' })).toThrow(/Refusing/);
    expect(() => fillTemplate('MATCH (n{{labels}})', {})).toThrow(/No value/);
    expect(() => fillTemplate('MATCH (n)', { labels: ':X' })).toThrow(/no slot/);
  });
});

describe('readers', () => {
  it('reads CSV with a BOM, quoted fields, embedded newlines and a detected ";" delimiter', async () => {
    const file = writeTemp('people.csv', '\uFEFFid;name;note\r\n1;"Smith; Jane";"said ""hi""\nthen left"\r\n\r\n2;Bob;\r\n');
    const { columns, records } = await collect(file);
    expect(columns).toEqual(['id', 'name', 'note']);
    expect(records.map((r) => r.row)).toEqual([2, 4]);
    expect(valuesOf(records[0]!)).toEqual({ id: '1', name: 'Smith; Jane', note: 'said "hi"\nthen left' });
    expect(valuesOf(records[1]!)).toEqual({ id: '2', name: 'Bob', note: '' });
  });

  it('numbers CSV rows as a spreadsheet does, with skipped lines and bad rows as errors', async () => {
    const file = writeTemp('report.csv', 'Quarterly report\nExported 2024-01-01\nid,name\n1,a\n2,b,extra\n3,c\n');
    const { columns, records } = await collect(file, { skipRows: 2 });
    expect(columns).toEqual(['id', 'name']);
    expect(records.map((r) => [r.row, 'error' in r ? 'error' : 'ok'])).toEqual([[4, 'ok'], [5, 'error'], [6, 'ok']]);
    expect(valuesOf(records[1]!).error).toMatch(/has 3 values but the header has 2 columns/);
  });

  it('uses an explicit delimiter and refuses a header that names a column twice', async () => {
    const tab = writeTemp('t.tsv', 'a\tb\n1\t2\n');
    expect(valuesOf((await collect(tab)).records[0]!)).toEqual({ a: '1', b: '2' });
    const pipe = writeTemp('p.csv', 'a|b\n1|2,3\n');
    expect(valuesOf((await collect(pipe, { delimiter: '|' })).records[0]!)).toEqual({ a: '1', b: '2,3' });
    await expect(collect(writeTemp('d.csv', 'a,b,a\n1,2,3\n'))).rejects.toThrow(/names column "a" twice/);
    expect(delimiterOf('"a,b";c;d')).toBe(';');
    expect(delimiterOf('single')).toBe(',');
  });

  it('reads a JSON array, or the one a JSON Pointer names', async () => {
    const plain = writeTemp('a.json', JSON.stringify([{ id: 1, name: 'A' }, 'oops', { id: 2 }]));
    const { records } = await collect(plain);
    expect(records.map((r) => r.row)).toEqual([1, 2, 3]);
    expect(valuesOf(records[0]!)).toEqual({ id: 1, name: 'A' });
    expect(valuesOf(records[1]!).error).toMatch(/not an object/);

    const nested = writeTemp('b.json', JSON.stringify({ meta: {}, data: { 'a/b': [{ id: 'x' }] } }));
    expect(valuesOf((await collect(nested, { records: '/data/a~1b' })).records[0]!)).toEqual({ id: 'x' });
    await expect(collect(writeTemp('c.json', JSON.stringify({ items: [] })))).rejects.toThrow(/set "records" in the mapping, e.g. "\/items"/);
    expect(resolvePointer({ a: [10, 20] }, '/a/1')).toBe(20);
    expect(resolvePointer({ a: 1 }, '/constructor')).toBeUndefined();
  });

  it('streams JSON Lines with line numbers, reporting bad lines', async () => {
    const file = writeTemp('a.jsonl', '{"id":1}\n\nnot json\n{"id":2,"tags":["x"]}\n');
    const { records } = await collect(file);
    expect(records.map((r) => r.row)).toEqual([1, 3, 4]);
    expect(valuesOf(records[1]!).error).toMatch(/is not valid JSON/);
    expect(valuesOf(records[2]!)).toEqual({ id: 2, tags: ['x'] });
  });

  it('reads XLSX sheets by name with numbers, dates, booleans, rich text and formulas', async () => {
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Notes').addRow(['nothing here']);
    const sheet = workbook.addWorksheet('Staff');
    sheet.addRow(['id', 'name', 'hired', 'salary', 'active', 'bonus']);
    sheet.addRow(['E1', { richText: [{ text: 'Jane ' }, { text: 'Smith' }] }, new Date(Date.UTC(2020, 0, 31)), 1200.5, true, { formula: 'D2*2', result: 2401 }]);
    sheet.addRow([]);
    sheet.addRow([7, 'Bob', null, 3, false, null]);
    const file = writeTemp('staff.xlsx', new Uint8Array(await workbook.xlsx.writeBuffer()));

    const { columns, records } = await collect(file, { sheet: 'Staff' });
    expect(columns).toEqual(['id', 'name', 'hired', 'salary', 'active', 'bonus']);
    expect(records.map((r) => r.row)).toEqual([2, 4]);
    const first = valuesOf(records[0]!);
    expect(first).toMatchObject({ id: 'E1', name: 'Jane Smith', salary: 1200.5, active: true, bonus: 2401 });
    expect(coerceValue(first.hired, { type: 'date' })).toEqual({ ok: true, value: '2020-01-31' });
    expect(valuesOf(records[1]!)).toMatchObject({ id: 7, hired: null });
    await expect(collect(file, { sheet: 'Missing' })).rejects.toThrow(/no worksheet named "Missing" \(worksheets: "Notes", "Staff"\)/);
  });

  it('refuses files whose format it cannot tell', async () => {
    await expect(openRecords(writeTemp('a.xls', 'x'))).rejects.toThrow(/save the sheet as .xlsx or CSV/);
    await expect(openRecords('/nonexistent/file.csv')).rejects.toThrow(/Cannot read/);
  });
});

describe('mapping inference', () => {
  it('proposes label, key, name, types and relationships from a sample', async () => {
    const csv = [
      'employee_id,full_name,email,hire_date,salary,remote,level,zip,manager_id,department_id',
      'E1,Jane Smith,jane@x.com,31/01/2015,250000.50,yes,9,02110,,D1',
      'E2,Bob Jones,bob@x.com,15/07/2016,200000,no,8,02111,E1,D1',
      'E3,Carla Diaz,carla@x.com,01/09/2020,120000,no,5,10115,E2,D2',
    ].join('\n');
    const file = writeTemp('employees.csv', csv);
    const { mapping, notes } = await inferMapping(file);
    expect(mapping.label).toMatch(/Employee$/);
    expect(mapping.entityType).toBe('Person');
    expect(mapping.key).toBe('employee_id');
    expect(mapping.nameField).toBe('full_name');
    expect(mapping.properties).toMatchObject({
      employeeId: { field: 'employee_id', type: 'string' },
      hireDate: { field: 'hire_date', type: 'date', format: 'DD/MM/YYYY' },
      salary: { field: 'salary', type: 'float' },
      remote: { field: 'remote', type: 'boolean' },
      level: { field: 'level', type: 'integer' },
      zip: { field: 'zip', type: 'string' },
    });
    expect(mapping.relationships).toEqual([
      { type: 'REPORTS_TO', field: 'manager_id', target: { label: mapping.label, key: 'employee_id' }, direction: 'out' },
      { type: 'HAS_DEPARTMENT', field: 'department_id', target: { label: 'Department', key: 'department_id' }, direction: 'out' },
    ]);
    expect(notes.some((n) => n.includes('Relationships were guessed'))).toBe(true);
    // What it proposes is a valid mapping.
    expect(() => validateMapping(mapping)).not.toThrow();
  });

  it('derives singular PascalCase labels from file names, avoiding reserved ones', () => {
    expect(labelFromFile('/x/employees.csv')).toBe('Employee');
    expect(labelFromFile('project_tasks.xlsx')).toBe('ProjectTask');
    expect(labelFromFile('companies.json')).toBe('Company');
    expect(labelFromFile('people.jsonl')).toBe('Person');
    expect(labelFromFile('documents.csv')).toBe('DocumentRecord');
    expect(labelFromFile('2024.csv')).toBe('Record2024');
    expect(singular('addresses')).toBe('address');
    expect(singular('boxes')).toBe('box');
    expect(singular('status')).toBe('status');
  });
});
