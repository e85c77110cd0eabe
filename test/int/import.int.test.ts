import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import ExcelJS from 'exceljs';
import { openKgrag, type Kgrag } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import { ImportError } from '../../src/import/errors.ts';
import { importRecords, type ImportSummary } from '../../src/import/importer.ts';
import { loadMapping, validateMapping, type Mapping } from '../../src/import/mapping.ts';
import { FACT_SEPARATOR } from '../../src/domain/facts.ts';
import { silentLogger } from '../../src/logging.ts';
import { dropCollections, tempFiles, uniqueCollection } from '../helpers.ts';

const EMPLOYEES = `employee_id,full_name,title,hire_date,salary,rating,remote,last_login,manager_id
E1,Jane Smith,CEO,2015-03-01,250000,4.5,no,2024-05-01T08:00:00Z,
E2,Bob Jones,CTO,2016-07-15,200000,4.1,yes,2024-05-02T09:30:00+02:00,E1
E3,Carla Diaz,Engineer,2020-01-31,120000,3.9,yes,,E2
E4,Dan Wu,Engineer,2021-11-02,110000,3.5,no,,E2
E5,Eve Park,Designer,2019-06-10,105000,,no,,E1
`;

const TASKS = `task_id;title;assignee;due;hours
T1;Design the schema;E3;01/03/2024;12
T2;Review the design;E4;E5;15/03/2024;3
T3;Ship it;E99;30/04/2024;8
`.replace('E4;E5', '"E4;E5"');

const employeeMapping = {
  label: 'Employee',
  entityType: 'Person',
  key: 'employee_id',
  nameField: 'full_name',
  properties: {
    employeeId: { field: 'employee_id', type: 'string' },
    title: { field: 'title', type: 'string' },
    hireDate: { field: 'hire_date', type: 'date', required: true },
    salary: { field: 'salary', type: 'integer' },
    rating: { field: 'rating', type: 'float' },
    remote: { field: 'remote', type: 'boolean' },
    lastLogin: { field: 'last_login', type: 'datetime' },
  },
  relationships: [{ type: 'REPORTS_TO', field: 'manager_id', target: { label: 'Employee', key: 'employee_id' } }],
};

const taskMapping = {
  label: 'Task',
  key: 'task_id',
  nameField: 'title',
  delimiter: ';',
  properties: {
    due: { field: 'due', type: 'date', format: 'DD/MM/YYYY' },
    hours: { field: 'hours', type: 'integer' },
  },
  relationships: [
    { type: 'ASSIGNED_TO', field: 'assignee', separator: ';', target: { label: 'Employee', key: 'employee_id' }, properties: { plannedHours: { field: 'hours', type: 'integer' } } },
  ],
};

/** Another source about the same employees, with a disagreeing title and no hire date. */
const PEOPLE_JSON = JSON.stringify({
  exported: '2024-06-01',
  people: [{ id: 'E2', name: 'Bob Jones', title: 'Chief Technology Officer', nick: 'Bobby' }],
});
const peopleMapping = {
  label: 'Employee',
  entityType: 'Person',
  key: 'id',
  nameField: 'name',
  aliasFields: ['nick'],
  records: '/people',
  properties: {
    title: { field: 'title', type: 'string' },
    hireDate: { field: 'hired', type: 'date' },
  },
};

describe('kgrag import against Neo4j', () => {
  let app: Kgrag;
  const collections: string[] = [];
  const files = tempFiles({
    'employees.csv': EMPLOYEES,
    'tasks.csv': TASKS,
    'people.json': PEOPLE_JSON,
    'employees.mapping.json': JSON.stringify(employeeMapping),
  });

  const newCollection = () => {
    const c = uniqueCollection('imp');
    collections.push(c);
    return c;
  };
  const run = (file: string, mapping: Mapping, collection: string): Promise<ImportSummary> =>
    importRecords(app.db, files.path(file), mapping, { collection, logger: silentLogger(), batchSize: 2 });
  const one = async <T>(query: string, params: Record<string, unknown>): Promise<T> => (await app.db.read(query, params))[0] as T;

  /** Everything the collection holds, for comparing states. */
  async function snapshot(collection: string): Promise<unknown> {
    const nodes = await app.db.read(
      'MATCH (n:KgragEntity {collection: $collection}) RETURN n.importKey AS key, labels(n) AS labels, properties(n) AS props ORDER BY key',
      { collection },
    );
    const rels = await app.db.read(
      `MATCH (a:KgragEntity {collection: $collection})-[r]->(b:KgragEntity)
       RETURN a.importKey AS a, type(r) AS type, b.importKey AS b, properties(r) AS props ORDER BY a, type, b`,
      { collection },
    );
    return { nodes, rels };
  }

  let employees: Mapping;
  let tasks: Mapping;
  let people: Mapping;

  beforeAll(async () => {
    app = await openKgrag({ config: loadConfig(), logger: silentLogger(), schema: true });
    employees = await loadMapping(files.path('employees.mapping.json'));
    tasks = validateMapping(taskMapping, 'tasks');
    people = validateMapping(peopleMapping, 'people');
  });
  afterAll(async () => {
    await dropCollections(app, collections);
    await app.close();
    files.cleanup();
  });

  describe('employees and tasks', () => {
    const C = uniqueCollection('imp');
    collections.push(C);

    it('imports employees with typed properties and REPORTS_TO from a self-referencing column', async () => {
      const summary = await run('employees.csv', employees, C);
      expect(summary).toMatchObject({ rows: 5, created: 5, updated: 0, adopted: 0, skipped: 0, relationships: 4, errorCount: 0, errors: [] });

      const types = await one<Record<string, string>>(
        `MATCH (n:Kgrag_Employee:Kgrag_Person:KgragEntity {collection: $C, importKey: 'Employee:E2'})
         RETURN valueType(n.hireDate) AS hireDate, valueType(n.salary) AS salary, valueType(n.rating) AS rating,
                valueType(n.remote) AS remote, valueType(n.lastLogin) AS lastLogin, toString(n.hireDate) AS hired,
                n.lastLogin.epochMillis = datetime('2024-05-02T07:30:00Z').epochMillis AS sameInstant, toString(n.lastLogin) AS login, n.type AS type, n.name AS name,
                n.normalizedName AS normalizedName, n.importSources AS importSources`,
        { C },
      );
      expect(types).toEqual({
        hireDate: 'DATE NOT NULL',
        salary: 'INTEGER NOT NULL',
        rating: 'FLOAT NOT NULL',
        remote: 'BOOLEAN NOT NULL',
        lastLogin: 'ZONED DATETIME NOT NULL',
        hired: '2016-07-15',
        sameInstant: true,
        login: '2024-05-02T09:30:00+02:00',
        type: 'Person',
        name: 'Bob Jones',
        normalizedName: 'bob jones',
        importSources: ['employees.csv'],
      });
      const chain = await app.db.read(
        `MATCH (e:Kgrag_Employee {collection: $C})-[:REPORTS_TO]->(m:Kgrag_Employee) RETURN e.importKey AS e, m.importKey AS m ORDER BY e`,
        { C },
      );
      expect(chain).toEqual([
        { e: 'Employee:E2', m: 'Employee:E1' },
        { e: 'Employee:E3', m: 'Employee:E2' },
        { e: 'Employee:E4', m: 'Employee:E2' },
        { e: 'Employee:E5', m: 'Employee:E1' },
      ]);
      const rel = await one<Record<string, unknown>>(
        `MATCH (:Kgrag_Employee {collection: $C, importKey: 'Employee:E2'})-[r:REPORTS_TO]->() RETURN r.importSources AS importSources, r.sources AS sources, r.confidence AS confidence`,
        { C },
      );
      expect(rel).toEqual({ importSources: ['employees.csv'], sources: [], confidence: 1 });
      // An empty cell is no value: E5 has no rating.
      expect(await one(`MATCH (n:Kgrag_Employee {collection: $C, importKey: 'Employee:E5'}) RETURN n.rating IS NULL AS none`, { C })).toEqual({ none: true });
    });

    it('links tasks to employees imported from another file, reporting a key that matches nobody', async () => {
      const summary = await run('tasks.csv', tasks, C);
      expect(summary).toMatchObject({ rows: 3, created: 3, skipped: 0, relationships: 3, errorCount: 1 });
      expect(summary.errors).toEqual([
        { row: 4, message: `row 4, column assignee: no Employee with key 'E99' in collection "${C}" (ASSIGNED_TO not created)` },
      ]);
      const assigned = await app.db.read(
        `MATCH (t:Kgrag_Task {collection: $C})-[r:ASSIGNED_TO]->(e:Kgrag_Employee) RETURN t.importKey AS t, e.importKey AS e, r.plannedHours AS hours ORDER BY t, e`,
        { C },
      );
      expect(assigned).toEqual([
        { t: 'Task:T1', e: 'Employee:E3', hours: 12 },
        { t: 'Task:T2', e: 'Employee:E4', hours: 3 },
        { t: 'Task:T2', e: 'Employee:E5', hours: 3 },
      ]);
      // The row with the unknown assignee still loaded its node.
      expect(await one(`MATCH (t:Kgrag_Task {collection: $C, importKey: 'Task:T3'}) RETURN toString(t.due) AS due`, { C })).toEqual({ due: '2024-04-30' });
    });

    it('changes nothing when the same files are imported again', async () => {
      const before = await snapshot(C);
      const again = await run('employees.csv', employees, C);
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 5, adopted: 0, relationships: 4, errorCount: 0 });
      const tasksAgain = await run('tasks.csv', tasks, C);
      expect(tasksAgain).toMatchObject({ created: 0, updated: 0, unchanged: 3, relationships: 3, errorCount: 1 });
      expect(await snapshot(C)).toEqual(before);
    });

    it('applies a changed file: new values, a moved relationship, a cleared cell', async () => {
      const changed = EMPLOYEES.replace('E3,Carla Diaz,Engineer,2020-01-31,120000,3.9,yes,,E2', 'E3,Carla Diaz,Lead Engineer,2020-01-31,125000,3.9,yes,,E1').replace(
        'E4,Dan Wu,Engineer,2021-11-02,110000,3.5,no,,E2',
        'E4,Dan Wu,Engineer,2021-11-02,110000,,no,,E2',
      );
      writeFileSync(files.path('employees.csv'), changed);
      try {
        const summary = await run('employees.csv', employees, C);
        expect(summary).toMatchObject({ created: 0, updated: 2, unchanged: 3, relationships: 4, errorCount: 0 });
        const carla = await one<Record<string, unknown>>(
          `MATCH (n:Kgrag_Employee {collection: $C, importKey: 'Employee:E3'}) RETURN n.title AS title, n.salary AS salary,
             [(n)-[:REPORTS_TO]->(m) | m.importKey] AS managers,
             [f IN n.facts WHERE f STARTS WITH 'title' | f] AS titleFacts`,
          { C },
        );
        expect(carla).toEqual({
          title: 'Lead Engineer',
          salary: 125000,
          managers: ['Employee:E1'],
          titleFacts: [['title', '"Lead Engineer"', 'import:employees.csv#row4'].join(FACT_SEPARATOR)],
        });
        expect(await one(`MATCH (n:Kgrag_Employee {collection: $C, importKey: 'Employee:E4'}) RETURN n.rating IS NULL AS cleared`, { C })).toEqual({ cleared: true });
        expect(await one(`MATCH (:Kgrag_Employee {collection: $C})-[r:REPORTS_TO]->() RETURN count(r) AS n`, { C })).toEqual({ n: 4 });
      } finally {
        writeFileSync(files.path('employees.csv'), EMPLOYEES);
      }
    });

    it('keeps disagreeing values of two sources in facts; the latest import sets the property', async () => {
      const summary = await run('people.json', people, C);
      expect(summary).toMatchObject({ rows: 1, updated: 1, errorCount: 0 });
      expect(summary.warnings).toEqual(['no record of people.json has the field "hired" that the mapping reads']);
      const titleOf = () =>
        one<Record<string, unknown>>(
          `MATCH (n:Kgrag_Employee {collection: $C, importKey: 'Employee:E2'})
           RETURN n.title AS title, toString(n.hireDate) AS hireDate, n.aliases AS aliases, n.importSources AS importSources,
                  [f IN n.facts WHERE f STARTS WITH 'title' | f] AS titleFacts`,
          { C },
        );
      const fact = (value: string, source: string) => ['title', JSON.stringify(value), source].join(FACT_SEPARATOR);
      expect(await titleOf()).toEqual({
        title: 'Chief Technology Officer',
        // people.json says nothing about the hire date: employees.csv's value stays.
        hireDate: '2016-07-15',
        aliases: ['Bobby'],
        importSources: ['employees.csv', 'people.json'],
        titleFacts: [fact('CTO', 'import:employees.csv#row3'), fact('Chief Technology Officer', 'import:people.json#row1')],
      });

      await run('employees.csv', employees, C);
      const after = await titleOf();
      expect(after.title).toBe('CTO');
      expect((after.titleFacts as string[]).sort()).toEqual([fact('Chief Technology Officer', 'import:people.json#row1'), fact('CTO', 'import:employees.csv#row3')].sort());
    });
  });

  it('reports bad rows with their row numbers and loads the valid ones', async () => {
    const C = newCollection();
    writeFileSync(
      files.path('messy.csv'),
      [
        'employee_id,full_name,title,hire_date,salary,rating,remote,last_login,manager_id',
        'M1,Ann Lee,CEO,2015-03-01,1,1,no,,',
        'M2,Ben Ode,CTO,31/02/2020,2,1,no,,M1',
        'M3,Cy Roe,Dev,2020-01-01,3.5,1,maybe,,M1',
        ',No Key,Dev,2020-01-01,4,1,no,,M1',
        'M1,Ann Again,Dev,2020-01-01,5,1,no,,',
        'M6,Di Fox,Dev,2020-01-01,6,1,no,,M2',
        'M7,Ed Yu,Dev,,7,1,no,,M1',
      ].join('\n'),
    );
    const summary = await run('messy.csv', employees, C);
    expect(summary).toMatchObject({ rows: 7, created: 2, skipped: 5, relationships: 0 });
    expect(summary.errors.map((e) => e.message)).toEqual([
      "row 3, column hire_date: '31/02/2020' is not a valid date (expected YYYY-MM-DD)",
      "row 4, column salary: '3.5' is not a whole number",
      "row 4, column remote: 'maybe' is not a boolean (expected true/false, yes/no or 1/0)",
      'row 5, column employee_id: the key is empty',
      "row 6, column employee_id: key 'M1' already appeared on row 2; this row is skipped",
      `row 7, column manager_id: no Employee with key 'M2' in collection "${C}" (REPORTS_TO not created)`,
      'row 8, column hire_date: a value is required',
    ]);
    expect(summary.errors.map((e) => e.row)).toEqual([3, 4, 4, 5, 6, 7, 8]);
    const loaded = await app.db.read('MATCH (n:Kgrag_Employee {collection: $C}) RETURN n.importKey AS k, n.name AS name ORDER BY k', { C });
    expect(loaded).toEqual([
      { k: 'Employee:M1', name: 'Ann Lee' },
      { k: 'Employee:M6', name: 'Di Fox' },
    ]);
  });

  it('refuses a file that lacks a column the mapping reads, before writing anything', async () => {
    const C = newCollection();
    writeFileSync(files.path('short.csv'), 'employee_id,full_name\nX1,Xavier\n');
    const err = await run('short.csv', employees, C).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ImportError);
    expect((err as ImportError).code).toBe('FIELD_MISSING');
    expect((err as ImportError).message).toMatch(/short\.csv has no column "title", "hire_date", .* that the mapping reads/);
    expect(await one('MATCH (n {collection: $C}) RETURN count(n) AS n', { C })).toEqual({ n: 0 });
  });

  it('adopts an entity extracted from documents instead of duplicating it', async () => {
    const C = newCollection();
    await app.db.write(
      `CREATE (e:KgragEntity:Kgrag_Person {id: 'ent_extracted_jane', collection: $C, type: 'Person', name: 'Jane Smith', normalizedName: 'jane smith', aliases: ['J. Smith']})
       CREATE (:Chunk {id: $chunk, collection: $C, text: 'Jane Smith leads Acme.'})-[:MENTIONS]->(e)`,
      { C, chunk: `${C}:chunk0` },
    );
    const summary = await run('employees.csv', employees, C);
    expect(summary).toMatchObject({ created: 4, adopted: 1, errorCount: 0 });
    const jane = await one<Record<string, unknown>>(
      `MATCH (n:KgragEntity {collection: $C, normalizedName: 'jane smith'})
       RETURN collect(n.id) AS ids, collect(n.importKey) AS keys, collect(labels(n)) AS labels,
              collect(n.aliases) AS aliases, count { (:Chunk)-[:MENTIONS]->(n) } AS mentions,
              count { (:Kgrag_Employee)-[:REPORTS_TO]->(n) } AS reports`,
      { C },
    );
    expect(jane).toMatchObject({ ids: ['ent_extracted_jane'], keys: ['Employee:E1'], aliases: [['J. Smith']], mentions: 1, reports: 2 });
    expect((jane.labels as string[][])[0]!.sort()).toEqual(['KgragEntity', 'Kgrag_Employee', 'Kgrag_Person']);
    // A second import finds it by its import key now.
    expect(await run('employees.csv', employees, C)).toMatchObject({ created: 0, adopted: 0, unchanged: 5 });
  });

  it('keeps collections apart: the same keys in two collections are two sets of nodes', async () => {
    const A = newCollection();
    const B = newCollection();
    await run('employees.csv', employees, A);
    await run('employees.csv', employees, B);
    const rows = await app.db.read(
      `MATCH (n:Kgrag_Employee {importKey: 'Employee:E1'}) WHERE n.collection IN [$A, $B] RETURN n.collection AS c, n.id AS id ORDER BY c`,
      { A, B },
    );
    expect(rows).toHaveLength(2);
    expect(rows[0]!.id).not.toBe(rows[1]!.id);
    expect(await one('MATCH (a:KgragEntity)-[r]-(b:KgragEntity) WHERE a.collection = $A AND b.collection <> $A RETURN count(r) AS n', { A })).toEqual({ n: 0 });
    // Tasks in B only find B's employees.
    const summary = await run('tasks.csv', tasks, B);
    expect(summary.relationships).toBe(3);
    expect(await one('MATCH (t:Kgrag_Task {collection: $B})-[:ASSIGNED_TO]->(e) RETURN collect(DISTINCT e.collection) AS c', { B })).toEqual({ c: [B] });
  });

  it('rejects injection attempts in labels, types and property names before any query runs', async () => {
    const C = newCollection();
    const attempts = [
      { ...employeeMapping, label: 'Employee`) MATCH (x) DETACH DELETE x //' },
      { ...employeeMapping, relationships: [{ type: 'REPORTS_TO`]->() MATCH (x) DETACH DELETE x //', field: 'manager_id', target: { label: 'Employee' } }] },
      { ...employeeMapping, properties: { 'title` = 1 MATCH (x) DETACH DELETE x //': { field: 'title', type: 'string' } } },
    ];
    for (const attempt of attempts) {
      expect(() => validateMapping(attempt, 'evil.json')).toThrow(ImportError);
    }
    // Even a mapping object that skipped validation never reaches the database.
    const forged = { ...validateMapping(employeeMapping), label: 'Employee`) MATCH (x) DETACH DELETE x //' } as Mapping;
    await expect(run('employees.csv', forged, C)).rejects.toThrow(/Refusing to put label/);
    expect(await one('MATCH (n {collection: $C}) RETURN count(n) AS n', { C })).toEqual({ n: 0 });
  });

  it('imports an XLSX sheet end to end', async () => {
    const C = newCollection();
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Readme').addRow(['Staff list, exported from HR']);
    const sheet = workbook.addWorksheet('Staff');
    sheet.addRow(['Exported 2024-06-01']);
    sheet.addRow(['employee_id', 'full_name', 'title', 'hire_date', 'salary', 'rating', 'remote', 'last_login', 'manager_id']);
    sheet.addRow(['X1', 'Xia Lin', 'CEO', new Date(Date.UTC(2018, 1, 28)), 300000, 4.8, false, null, null]);
    sheet.addRow(['X2', 'Yann Roy', 'CFO', new Date(Date.UTC(2019, 10, 5)), 210000, 4.2, true, new Date(Date.UTC(2024, 4, 1, 12, 0)), 'X1']);
    sheet.addRow(['X3', 'Zoe Kim', 'CTO', 'not a date', 190000, 4, true, null, 'X1']);
    writeFileSync(files.path('staff.xlsx'), new Uint8Array(await workbook.xlsx.writeBuffer()));

    const mapping = validateMapping({ ...employeeMapping, sheet: 'Staff', skipRows: 1 });
    const summary = await run('staff.xlsx', mapping, C);
    expect(summary).toMatchObject({ rows: 3, created: 2, relationships: 1, skipped: 1 });
    expect(summary.errors).toEqual([{ row: 5, message: "row 5, column hire_date: 'not a date' is not a valid date (expected YYYY-MM-DD)" }]);
    const yann = await one<Record<string, unknown>>(
      `MATCH (n:Kgrag_Employee {collection: $C, importKey: 'Employee:X2'})-[:REPORTS_TO]->(m)
       RETURN toString(n.hireDate) AS hired, valueType(n.hireDate) AS dateType, n.salary AS salary, valueType(n.salary) AS salaryType,
              n.remote AS remote, n.lastLogin = datetime('2024-05-01T12:00:00Z') AS login, m.name AS manager`,
      { C },
    );
    expect(yann).toEqual({
      hired: '2019-11-05',
      dateType: 'DATE NOT NULL',
      salary: 210000,
      salaryType: 'INTEGER NOT NULL',
      remote: true,
      login: true,
      manager: 'Xia Lin',
    });
  });
});
