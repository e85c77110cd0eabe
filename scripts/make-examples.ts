/**
 * Builds the generated parts of the example knowledge base, deterministically:
 *   - examples/docs/board-update-2025-q2.pdf      (pdfkit, 3 pages, running header, page numbers)
 *   - examples/docs/data-science-review-2025.docx (docx: headings, a list, a table)
 *   - examples/docs/globex-account-plan.docx      (docx: headings, lists, a table)
 *   - examples/facts.json                          (ground truth for gold question sets)
 *
 * The CSV and JSON files under examples/data are the source of truth: this script validates them
 * (unique keys, every foreign key resolves, enumerations, dates, numbers, an acyclic hierarchy)
 * and computes facts.json from them. The document-only facts and the deliberate conflicts between
 * documents and records are declared below, and every quote they cite is checked against the
 * text of the document it names.
 *
 *   npx tsx scripts/make-examples.ts           write the files
 *   npx tsx scripts/make-examples.ts --check   exit 1 when a file on disk differs from what would be written
 *
 * Same bytes on every run: fixed creation dates in PDF and DOCX metadata, fixed ZIP timestamps,
 * no clock, no randomness, stable key order in JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { parse } from 'csv-parse/sync';
import { blockText, type GeneratedDoc, renderDocx, renderPdf } from './lib/generated-docs.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const EXAMPLES = path.join(ROOT, 'examples');
const DATA = path.join(EXAMPLES, 'data');
const DOCS = path.join(EXAMPLES, 'docs');

/** "Today" for every relative question (overdue, upcoming, tenure). */
const REFERENCE_DATE = '2025-06-30';
/** Creation date written into the generated PDF and DOCX files. */
const DOC_DATE = new Date('2025-06-27T12:00:00Z');

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

type Row = Record<string, string>;

interface Employee {
  id: string;
  name: string;
  email: string;
  title: string;
  department: string;
  office: string;
  officeId: string;
  hireDate: string;
  level: number;
  salaryUsd: number;
  remote: boolean;
  managerId: string | null;
  companyId: string;
}

interface Company {
  id: string;
  name: string;
  shortName: string;
  category: string;
  industry: string;
  hqCity: string;
  hqCountry: string;
  foundedYear: number;
  employeeCount: number;
  website: string;
  acquiredById: string | null;
  acquisitionDate: string | null;
  acquisitionPriceUsd: number | null;
}

interface Office {
  id: string;
  name: string;
  city: string;
  country: string;
  address: string;
  opened: string;
  headquarters: boolean;
  desks: number;
  companyId: string;
}

interface Project {
  id: string;
  name: string;
  alias: string;
  status: string;
  startDate: string;
  endDate: string;
  budgetUsd: number;
  ownerId: string;
  clientId: string | null;
  description: string;
}

interface Task {
  id: string;
  title: string;
  status: string;
  priority: string;
  assigneeId: string | null;
  projectId: string;
  dueDate: string;
  estimateHours: number;
  createdAt: string;
  dependsOnId: string | null;
}

const TASK_STATUSES = ['open', 'in progress', 'blocked', 'completed'] as const;
const PRIORITIES = ['low', 'medium', 'high', 'critical'] as const;
const PROJECT_STATUSES = ['planned', 'active', 'on hold', 'completed'] as const;
const COMPANY_CATEGORIES = ['self', 'customer', 'partner', 'competitor', 'subsidiary'] as const;

const problems: string[] = [];
const problem = (message: string): void => void problems.push(message);

function readCsv(file: string): Row[] {
  const text = readFileSync(path.join(DATA, file), 'utf8');
  return parse(text, { columns: true, skip_empty_lines: true, trim: true }) as Row[];
}

function cell(row: Row, column: string, where: string): string {
  const value = row[column];
  if (value === undefined) throw new Error(`${where}: no column "${column}"`);
  return value;
}
function required(row: Row, column: string, where: string): string {
  const value = cell(row, column, where);
  if (value === '') problem(`${where}: ${column} is empty`);
  return value;
}
function optional(row: Row, column: string, where: string): string | null {
  const value = cell(row, column, where);
  return value === '' ? null : value;
}
function date(value: string, where: string): string {
  const ok = /^\d{4}-\d{2}-\d{2}$/.test(value) && new Date(value + 'T00:00:00Z').toISOString().slice(0, 10) === value;
  if (!ok) problem(`${where}: "${value}" is not a YYYY-MM-DD date`);
  return value;
}
function integer(value: string, where: string): number {
  if (!/^-?\d+$/.test(value)) problem(`${where}: "${value}" is not an integer`);
  return Number(value);
}
function float(value: string, where: string): number {
  if (!/^-?\d+(\.\d+)?$/.test(value)) problem(`${where}: "${value}" is not a number`);
  return Number(value);
}
function bool(value: string, where: string): boolean {
  if (value !== 'true' && value !== 'false') problem(`${where}: "${value}" is not true/false`);
  return value === 'true';
}
function oneOf<T extends string>(value: string, allowed: readonly T[], where: string): T {
  if (!(allowed as readonly string[]).includes(value)) problem(`${where}: "${value}" is not one of ${allowed.join(', ')}`);
  return value as T;
}

function loadCompanies(): Company[] {
  return readCsv('companies.csv').map((r, i) => {
    const w = `companies.csv row ${i + 2}`;
    const acquisitionDate = optional(r, 'acquisition_date', w);
    const price = optional(r, 'acquisition_price_usd', w);
    return {
      id: required(r, 'company_id', w),
      name: required(r, 'name', w),
      shortName: required(r, 'short_name', w),
      category: oneOf(required(r, 'category', w), COMPANY_CATEGORIES, w),
      industry: required(r, 'industry', w),
      hqCity: required(r, 'hq_city', w),
      hqCountry: required(r, 'hq_country', w),
      foundedYear: integer(required(r, 'founded_year', w), w),
      employeeCount: integer(required(r, 'employee_count', w), w),
      website: required(r, 'website', w),
      acquiredById: optional(r, 'acquired_by_id', w),
      acquisitionDate: acquisitionDate === null ? null : date(acquisitionDate, w),
      acquisitionPriceUsd: price === null ? null : integer(price, w),
    };
  });
}

function loadOffices(): Office[] {
  const raw: unknown = JSON.parse(readFileSync(path.join(DATA, 'offices.json'), 'utf8'));
  if (!Array.isArray(raw)) throw new Error('offices.json: expected an array of offices');
  return raw.map((o: Record<string, unknown>, i) => {
    const w = `offices.json [${i}]`;
    const str = (k: string): string => {
      const v = o[k];
      if (typeof v !== 'string' || v === '') problem(`${w}: ${k} must be a non-empty string`);
      return String(v);
    };
    if (typeof o.headquarters !== 'boolean') problem(`${w}: headquarters must be a boolean`);
    if (typeof o.desks !== 'number' || !Number.isInteger(o.desks)) problem(`${w}: desks must be an integer`);
    return {
      id: str('office_id'),
      name: str('name'),
      city: str('city'),
      country: str('country'),
      address: str('address'),
      opened: date(str('opened'), w),
      headquarters: o.headquarters === true,
      desks: Number(o.desks),
      companyId: str('company_id'),
    };
  });
}

function loadEmployees(): Employee[] {
  return readCsv('employees.csv').map((r, i) => {
    const w = `employees.csv row ${i + 2}`;
    return {
      id: required(r, 'employee_id', w),
      name: required(r, 'name', w),
      email: required(r, 'email', w),
      title: required(r, 'title', w),
      department: required(r, 'department', w),
      office: required(r, 'office', w),
      officeId: required(r, 'office_id', w),
      hireDate: date(required(r, 'hire_date', w), w),
      level: integer(required(r, 'level', w), w),
      salaryUsd: integer(required(r, 'salary_usd', w), w),
      remote: bool(required(r, 'remote', w), w),
      managerId: optional(r, 'manager_id', w),
      companyId: required(r, 'company_id', w),
    };
  });
}

function loadProjects(): Project[] {
  return readCsv('projects.csv').map((r, i) => {
    const w = `projects.csv row ${i + 2}`;
    return {
      id: required(r, 'project_id', w),
      name: required(r, 'name', w),
      alias: required(r, 'alias', w),
      status: oneOf(required(r, 'status', w), PROJECT_STATUSES, w),
      startDate: date(required(r, 'start_date', w), w),
      endDate: date(required(r, 'end_date', w), w),
      budgetUsd: integer(required(r, 'budget_usd', w), w),
      ownerId: required(r, 'owner_id', w),
      clientId: optional(r, 'client_id', w),
      description: required(r, 'description', w),
    };
  });
}

function loadTasks(): Task[] {
  return readCsv('tasks.csv').map((r, i) => {
    const w = `tasks.csv row ${i + 2}`;
    const createdAt = required(r, 'created_at', w);
    if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(createdAt)) problem(`${w}: created_at "${createdAt}" is not ISO UTC`);
    return {
      id: required(r, 'task_id', w),
      title: required(r, 'title', w),
      status: oneOf(required(r, 'status', w), TASK_STATUSES, w),
      priority: oneOf(required(r, 'priority', w), PRIORITIES, w),
      assigneeId: optional(r, 'assignee_id', w),
      projectId: required(r, 'project_id', w),
      dueDate: date(required(r, 'due_date', w), w),
      estimateHours: float(required(r, 'estimate_hours', w), w),
      createdAt,
      dependsOnId: optional(r, 'depends_on_id', w),
    };
  });
}

function index<T extends { id: string }>(items: T[], file: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id)) problem(`${file}: duplicate key ${item.id}`);
    map.set(item.id, item);
  }
  return map;
}

function get<T>(map: Map<string, T>, id: string): T {
  const value = map.get(id);
  if (value === undefined) throw new Error(`unknown id ${id}`);
  return value;
}

// ---------------------------------------------------------------------------------------------
// Generated documents (rendered by scripts/lib/generated-docs.ts)
// ---------------------------------------------------------------------------------------------

const BOARD_UPDATE: GeneratedDoc = {
  file: 'board-update-2025-q2.pdf',
  title: 'Q2 2025 Board Update',
  author: 'Sarah Kim',
  subject: 'Acme Analytics board meeting, 27 June 2025',
  header: 'Acme Analytics - Board Confidential',
  blocks: [
    { kind: 'title', text: 'Q2 2025 Board Update' },
    {
      kind: 'p',
      text:
        'Prepared for the board meeting of 27 June 2025 by Sarah Kim, Chief Financial Officer, and Jane Smith, ' +
        'Chief Executive Officer of Acme Analytics.',
    },
    { kind: 'h1', text: '1. Summary' },
    {
      kind: 'p',
      text:
        'Revenue for the first half of 2025 was $6.8 million, 31% more than in the first half of 2024. Gross ' +
        'margin was 71%. Four projects are active (Atlas, Beacon, Delta and Helix), Project Falcon is on hold and ' +
        'Project Gemini starts in August. Headcount is 30 across five offices.',
    },
    { kind: 'h1', text: '2. Projects' },
    { kind: 'h2', text: 'Atlas (Globex)' },
    {
      kind: 'p',
      text:
        'Wave 1 of the warehouse rollout went live in March in the first 40 Globex distribution centres. Wave 2 ' +
        'was due on 13 June and is late; John Doe now expects it at the end of July. In June the board approved ' +
        'an increase of the Atlas budget to $1.2 million to fund a second forecasting team.',
    },
    { kind: 'h2', text: 'Beacon (Umbrella Health)' },
    {
      kind: 'p',
      text:
        'The patient-flow data model and the de-identification pipeline are complete. The HL7 feed connector ' +
        'is blocked by the interface engine vendor of Umbrella Health, so the emergency department dashboard ' +
        'still runs on a nightly export. Kwame Mensah leads Project Beacon.',
    },
    { kind: 'page' },
    { kind: 'h2', text: 'Delta (Blue Harbor Bank)' },
    {
      kind: 'p',
      text:
        'Hannah Weber leads Project Delta. The transaction feature store and the baseline fraud model were ' +
        'delivered in the first quarter; the real-time scoring service is due at the end of July. The privacy ' +
        'impact assessment for Canadian regulators is waiting for the legal team of Blue Harbor Bank.',
    },
    { kind: 'h2', text: 'Falcon (Northwind Traders)' },
    {
      kind: 'p',
      text:
        'Project Falcon has been on hold since April. Northwind Traders is replacing its point-of-sale vendor, ' +
        'and the data export for Falcon cannot start before the new system is live in August.',
    },
    { kind: 'h2', text: 'Helix and Gemini' },
    {
      kind: 'p',
      text:
        'Alex Novak leads Project Helix. The team completed the SOC 2 gap assessment in April and encrypted all ' +
        'backups at rest in May; the SOC 2 Type I audit is planned for November 2025. Olivia Johnson will start ' +
        'Project Gemini, the customer self-service portal, on 1 August.',
    },
    { kind: 'h1', text: '3. Customers' },
    {
      kind: 'p',
      text:
        'Globex remains our largest customer. Umbrella Health complained in June about stale data on the ' +
        'emergency department dashboard; Olivia Johnson and Kwame Mensah hold a weekly call with the customer. ' +
        'Grace Liu presented the quarterly steering deck to Blue Harbor Bank in April.',
    },
    { kind: 'page' },
    { kind: 'h1', text: '4. Risks' },
    {
      kind: 'bullets',
      items: [
        'Globex has not granted access to its ERP purchase-order API, so the purchase-order integration for Atlas is blocked.',
        'Umbrella Health may withhold a milestone payment of $150,000 if the dashboard is not near real time by the end of July.',
        'In January we signed a three-year commitment with Nimbus Cloud, which avoided a 12% price increase but ties us to one provider until 2028.',
        'Vertex Insights tried to hire two of our data scientists in May; both stayed.',
      ],
    },
    { kind: 'h1', text: '5. People' },
    {
      kind: 'p',
      text:
        'Lucas Martin joined the QA team in Austin in January and Benjamin Clarke joined the People team in March. ' +
        'Priya Natarajan received the Engineer of the Year award for 2024. Two site reliability positions remain open.',
    },
  ],
};

const DATA_SCIENCE_REVIEW: GeneratedDoc = {
  file: 'data-science-review-2025.docx',
  title: 'Data Science Review, first half of 2025',
  author: 'Kwame Mensah',
  subject: 'Data science team review',
  blocks: [
    { kind: 'h1', text: 'Data Science Review, first half of 2025' },
    { kind: 'p', text: 'Prepared by Kwame Mensah, Chief Data Officer of Acme Analytics, in June 2025.' },
    { kind: 'h2', text: 'Team' },
    {
      kind: 'p',
      text:
        'The data science team has four people. Hannah Weber leads Project Delta from Berlin. Ravi Kapoor reports ' +
        'to Hannah Weber and works on forecasting for Atlas and Beacon. Ana Silva, a machine learning engineer in ' +
        'Toronto, leads Project Falcon and built the baseline fraud model for Blue Harbor Bank.',
    },
    { kind: 'h2', text: 'Models' },
    {
      kind: 'table',
      rows: [
        ['Model', 'Project', 'Client', 'Status'],
        ['Weekly demand forecast', 'Atlas', 'Globex Corporation', 'In production since February 2025'],
        ['Bed occupancy forecast', 'Beacon', 'Umbrella Health', 'Prototype'],
        ['Baseline fraud model', 'Delta', 'Blue Harbor Bank', 'Delivered, shadow mode next'],
        ['Basket analysis', 'Falcon', 'Northwind Traders', 'On hold'],
      ],
    },
    {
      kind: 'p',
      text:
        'The baseline fraud model flags 0.5% of transactions and reached a precision of 0.91 in back-testing on ' +
        'twelve months of Blue Harbor Bank data.',
    },
    { kind: 'h2', text: 'Priorities for the second half' },
    {
      kind: 'bullets',
      items: [
        'Finish the bed occupancy forecasting prototype for Umbrella Health by 18 July.',
        'Run the shadow-mode evaluation of the fraud model with Blue Harbor Bank.',
        'Tune the Atlas forecast model for promotional weeks.',
        'Resume basket analysis for Northwind Traders once their new point-of-sale system is live.',
      ],
    },
    { kind: 'h3', text: 'Hiring' },
    {
      kind: 'p',
      text: 'Vertex Insights approached two members of the team in May; both stayed. We plan to hire one more data scientist in Toronto.',
    },
  ],
};

const GLOBEX_ACCOUNT_PLAN: GeneratedDoc = {
  file: 'globex-account-plan.docx',
  title: 'Globex Account Plan 2025',
  author: 'Michael Brown',
  subject: 'Account plan for Globex Corporation',
  blocks: [
    { kind: 'h1', text: 'Globex Account Plan 2025' },
    {
      kind: 'p',
      text: 'Account executive: Michael Brown. Executive sponsor: Jane Smith. Delivery lead: John Doe.',
    },
    { kind: 'h2', text: 'Account facts' },
    {
      kind: 'table',
      rows: [
        ['Item', 'Value'],
        ['Customer', 'Globex Corporation'],
        ['Headquarters', 'Springfield'],
        ['Distribution centres', '300'],
        ['Annual contract value', '$1.4 million'],
        ['Contract renewal', '31 December 2025'],
      ],
    },
    { kind: 'h2', text: 'Stakeholders at Globex' },
    {
      kind: 'bullets',
      items: [
        'Margaret Holloway, Chief Executive Officer of Globex',
        'Derek Olsen, VP Supply Chain, the sponsor of Project Atlas',
        'Samuel Ortiz, owner of the Globex ERP platform',
      ],
    },
    { kind: 'h2', text: 'Open issues' },
    {
      kind: 'bullets',
      items: [
        "Access to the ERP purchase-order API is still pending with Samuel Ortiz's team, so the purchase-order integration assigned to Priya Natarajan is blocked.",
        'Wave 2 of the warehouse rollout is late and now expected at the end of July.',
      ],
    },
    { kind: 'h2', text: 'Growth' },
    {
      kind: 'p',
      text:
        'Globex plans to open 25 new distribution centres in 2026 and wants Atlas forecasts in all of them. ' +
        'Michael Brown will propose a three-year renewal in October.',
    },
  ],
};

const GENERATED_DOCS = [BOARD_UPDATE, DATA_SCIENCE_REVIEW, GLOBEX_ACCOUNT_PLAN];

// ---------------------------------------------------------------------------------------------
// Facts that only the documents state, and where documents disagree with the records
// ---------------------------------------------------------------------------------------------

interface DocFact {
  /** The fact in one sentence. */
  fact: string;
  /** Entities it is about (names as in the records, or as in the document for document-only people). */
  about: string[];
  document: string;
  /** Verbatim text of the document that states it (checked below). */
  quote: string;
}

const DOCUMENT_ONLY_FACTS: DocFact[] = [
  {
    fact: 'Acme Analytics and Globex Corporation announced a partnership on supply-chain (demand) forecasting on 10 September 2024.',
    about: ['Acme Analytics', 'Globex Corporation', 'Atlas'],
    document: 'acme-partnership.html',
    quote: 'today announced a partnership with Globex Corporation to bring demand forecasting',
  },
  {
    fact: 'Globex has 300 distribution centres.',
    about: ['Globex Corporation'],
    document: 'acme-partnership.html',
    quote: "Globex's 300 distribution centres",
  },
  {
    fact: 'Margaret Holloway is the chief executive (CEO) of Globex.',
    about: ['Margaret Holloway', 'Globex Corporation'],
    document: 'acme-partnership.html',
    quote: 'Margaret Holloway, the chief executive of Globex',
  },
  {
    fact: 'Acme Analytics was founded in 2015 by Jane Smith and Omar Haddad (the records only give the founding year and their hire dates).',
    about: ['Acme Analytics', 'Jane Smith', 'Omar Haddad'],
    document: 'acme-partnership.html',
    quote: 'Acme Analytics was founded in 2015 by Jane Smith and Omar Haddad',
  },
  {
    fact: 'Victor Alvarez is the founder of Initech and sits on the advisory board of Acme Analytics.',
    about: ['Victor Alvarez', 'Initech', 'Acme Analytics'],
    document: 'initech-acquisition.html',
    quote: "Victor Alvarez, the founder of Initech, now sits on Acme's advisory board",
  },
  {
    fact: 'Alex Novak ran infrastructure at Initech before the acquisition.',
    about: ['Alex Novak', 'Initech'],
    document: 'initech-acquisition.html',
    quote: 'Alex Novak, who ran infrastructure at Initech, stayed on after the deal',
  },
  {
    fact: "Vertex Insights is Acme's closest rival; Acme beat Vertex Insights to the Blue Harbor Bank fraud-detection contract.",
    about: ['Vertex Insights', 'Acme Analytics', 'Blue Harbor Bank'],
    document: 'initech-acquisition.html',
    quote: 'Acme beat Vertex Insights to a fraud-detection contract with Blue Harbor Bank',
  },
  {
    fact: 'Acme Analytics won the 2024 Boston Data Innovation Award for its forecasting work with Globex; Jane Smith accepted it in December.',
    about: ['Acme Analytics', 'Jane Smith', 'Globex Corporation'],
    document: 'initech-acquisition.html',
    quote: 'Acme Analytics won the 2024 Boston Data Innovation Award',
  },
  {
    fact: 'Raj Mehta is Chief Risk Officer of Blue Harbor Bank.',
    about: ['Raj Mehta', 'Blue Harbor Bank'],
    document: 'blue-harbor-contract.html',
    quote: 'Raj Mehta, Chief Risk Officer of Blue Harbor Bank',
  },
  {
    fact: 'Grace Liu manages the relationship with Blue Harbor Bank.',
    about: ['Grace Liu', 'Blue Harbor Bank'],
    document: 'blue-harbor-contract.html',
    quote: 'Grace Liu, an account executive at Acme, manages the relationship with the bank',
  },
  {
    fact: 'Priya Natarajan received the Engineer of the Year award for 2024.',
    about: ['Priya Natarajan'],
    document: 'team-directory.md',
    quote: "She received the company's Engineer of the Year award for 2024",
  },
  {
    fact: 'Office leads: Boston Isabel Garcia, Berlin Laura Becker, London Emily Doe, Toronto Ana Silva, Austin Alex Novak.',
    about: ['Isabel Garcia', 'Laura Becker', 'Emily Doe', 'Ana Silva', 'Alex Novak'],
    document: 'team-directory.md',
    quote: 'Toronto: Ana Silva',
  },
  {
    fact: 'Emily Doe and John Doe are not related.',
    about: ['Emily Doe', 'John Doe'],
    document: 'team-directory.md',
    quote: 'Emily Doe and John Doe are not related.',
  },
  {
    fact: 'Cobalt cut the 95th-percentile dashboard query latency from 2.4 seconds to 380 ms.',
    about: ['Cobalt'],
    document: 'q3-engineering-memo.md',
    quote: 'Query latency for customer dashboards dropped from 2.4 seconds to 380 ms',
  },
  {
    fact: 'Nimbus Cloud is the cloud provider of Acme Analytics; in September 2024 the contract was due to renew in January with a 12% price increase unless Acme committed to three years.',
    about: ['Nimbus Cloud', 'Acme Analytics'],
    document: 'q3-engineering-memo.md',
    quote: 'The contract with our cloud provider, Nimbus Cloud, renews in January',
  },
  {
    fact: 'In January 2025 Acme signed a three-year commitment with Nimbus Cloud, avoiding the 12% price increase.',
    about: ['Nimbus Cloud', 'Acme Analytics'],
    document: BOARD_UPDATE.file,
    quote: 'In January we signed a three-year commitment with Nimbus Cloud',
  },
  {
    fact: 'Umbrella Health (Dr. Karen Walsh, director of operations) complained on 2 June 2025 that the emergency department wait-time dashboard showed data up to six hours old.',
    about: ['Umbrella Health', 'Karen Walsh', 'Beacon'],
    document: 'umbrella-escalation-notes.txt',
    quote: 'complained that the emergency\ndepartment wait-time dashboard showed data up to six hours old',
  },
  {
    fact: 'Olivia Johnson is the account owner for Umbrella Health; Umbrella may withhold a $150,000 milestone payment.',
    about: ['Olivia Johnson', 'Umbrella Health'],
    document: 'umbrella-escalation-notes.txt',
    quote: 'may withhold the second milestone payment of\n$150,000',
  },
  {
    fact: 'Revenue for the first half of 2025 was $6.8 million (+31% on H1 2024); gross margin 71%.',
    about: ['Acme Analytics'],
    document: BOARD_UPDATE.file,
    quote: 'Revenue for the first half of 2025 was $6.8 million',
  },
  {
    fact: 'Falcon is on hold because Northwind Traders is replacing its point-of-sale vendor.',
    about: ['Falcon', 'Northwind Traders'],
    document: BOARD_UPDATE.file,
    quote: 'Northwind Traders is replacing its point-of-sale vendor',
  },
  {
    fact: 'Helix: the SOC 2 Type I audit is planned for November 2025.',
    about: ['Helix'],
    document: BOARD_UPDATE.file,
    quote: 'the SOC 2 Type I audit is planned for November 2025',
  },
  {
    fact: 'Vertex Insights tried to hire two Acme data scientists in May 2025; both stayed.',
    about: ['Vertex Insights'],
    document: BOARD_UPDATE.file,
    quote: 'Vertex Insights tried to hire two of our data scientists in May',
  },
  {
    fact: 'The baseline fraud model (Delta) flags 0.5% of transactions with a back-tested precision of 0.91.',
    about: ['Delta', 'Blue Harbor Bank'],
    document: DATA_SCIENCE_REVIEW.file,
    quote: 'reached a precision of 0.91',
  },
  {
    fact: 'Michael Brown is the account executive for Globex; Jane Smith is executive sponsor.',
    about: ['Michael Brown', 'Globex Corporation', 'Jane Smith'],
    document: GLOBEX_ACCOUNT_PLAN.file,
    quote: 'Account executive: Michael Brown. Executive sponsor: Jane Smith.',
  },
  {
    fact: 'The Globex contract is worth $1.4 million a year and renews on 31 December 2025.',
    about: ['Globex Corporation'],
    document: GLOBEX_ACCOUNT_PLAN.file,
    quote: 'Annual contract value | $1.4 million',
  },
  {
    fact: 'Derek Olsen (VP Supply Chain) sponsors Atlas at Globex; Samuel Ortiz owns the Globex ERP platform.',
    about: ['Derek Olsen', 'Samuel Ortiz', 'Globex Corporation', 'Atlas'],
    document: GLOBEX_ACCOUNT_PLAN.file,
    quote: 'Derek Olsen, VP Supply Chain, the sponsor of Project Atlas',
  },
  {
    fact: 'Globex plans to open 25 new distribution centres in 2026.',
    about: ['Globex Corporation'],
    document: GLOBEX_ACCOUNT_PLAN.file,
    quote: 'Globex plans to open 25 new distribution centres in 2026',
  },
];

interface Conflict {
  subject: string;
  property: string;
  record: { file: string; column: string; value: string | number };
  document: { file: string; value: string | number; quote: string };
  note: string;
}

const CONFLICTS: Conflict[] = [
  {
    subject: 'John Doe',
    property: 'hire year',
    record: { file: 'employees.csv', column: 'hire_date', value: '2017-06-12' },
    document: { file: 'initech-acquisition.html', value: 2016, quote: 'John Doe, who joined Acme Analytics in 2016' },
    note: 'A news article gives 2016; the HR record says June 2017. Both values should be kept, each with its source.',
  },
  {
    subject: 'Kwame Mensah',
    property: 'title',
    record: { file: 'employees.csv', column: 'title', value: 'Head of Data Science' },
    document: { file: DATA_SCIENCE_REVIEW.file, value: 'Chief Data Officer', quote: 'Kwame Mensah, Chief Data Officer of Acme Analytics' },
    note: 'His own review calls him Chief Data Officer; the HR record and the team directory say Head of Data Science.',
  },
  {
    subject: 'Atlas',
    property: 'budget',
    record: { file: 'projects.csv', column: 'budget_usd', value: 950000 },
    document: { file: BOARD_UPDATE.file, value: 1200000, quote: 'an increase of the Atlas budget to $1.2 million' },
    note: 'The board update (June 2025) reports an approved increase to $1.2 million; the project record still says 950000.',
  },
];

/** Statements the documents make that agree with the records (corroboration, linking checks). */
const CORROBORATED: Array<{ statement: string; document: string; quote: string }> = [
  { statement: 'Jane Smith is the CEO of Acme Analytics.', document: 'team-directory.md', quote: 'Jane Smith is the CEO of Acme Analytics' },
  { statement: 'Omar Haddad is the CTO.', document: 'initech-acquisition.html', quote: "Acme's CTO, Omar Haddad" },
  { statement: 'Priya Natarajan was hired in 2019.', document: 'team-directory.md', quote: 'Priya Natarajan joined Acme Analytics in 2019' },
  { statement: 'Chen Wei reports to Maria Lopez.', document: 'team-directory.md', quote: 'Chen Wei reports to Maria Lopez' },
  { statement: 'Ravi Kapoor reports to Hannah Weber.', document: DATA_SCIENCE_REVIEW.file, quote: 'Ravi Kapoor reports to Hannah Weber' },
  { statement: 'Acme acquired Initech in 2021 for $40 million.', document: 'initech-acquisition.html', quote: 'Acme Analytics acquired Initech for $40 million in 2021' },
  { statement: 'Globex is headquartered in Springfield.', document: 'acme-partnership.html', quote: 'Globex, headquartered in Springfield' },
  { statement: 'Blue Harbor Bank is headquartered in Toronto.', document: 'blue-harbor-contract.html', quote: 'Blue Harbor Bank, headquartered in Toronto' },
  { statement: 'John Doe leads Atlas.', document: 'acme-partnership.html', quote: 'leads Project Atlas' },
  { statement: 'Hannah Weber leads Delta.', document: 'blue-harbor-contract.html', quote: 'Hannah Weber, a senior data scientist at Acme Analytics, leads Project Delta' },
  { statement: 'Cobalt finished on 14 August 2024.', document: 'q3-engineering-memo.md', quote: 'finished on\n14 August' },
  { statement: 'The HL7 feed connector (Fatima Al-Sayed) is blocked.', document: 'umbrella-escalation-notes.txt', quote: 'Fatima Al-Sayed owns the connector' },
];

// ---------------------------------------------------------------------------------------------
// Main
// ---------------------------------------------------------------------------------------------

const check = process.argv.includes('--check');

const companies = loadCompanies();
const offices = loadOffices();
const employees = loadEmployees();
const projects = loadProjects();
const tasks = loadTasks();

const companyById = index(companies, 'companies.csv');
const officeById = index(offices, 'offices.json');
const employeeById = index(employees, 'employees.csv');
const projectById = index(projects, 'projects.csv');
const taskById = index(tasks, 'tasks.csv');

function fk<T>(map: Map<string, T>, id: string | null, where: string): void {
  if (id !== null && !map.has(id)) problem(`${where}: ${id} matches no record`);
}
for (const c of companies) {
  fk(companyById, c.acquiredById, `companies.csv ${c.id} acquired_by_id`);
  if ((c.acquiredById === null) !== (c.acquisitionDate === null) || (c.acquiredById === null) !== (c.acquisitionPriceUsd === null))
    problem(`companies.csv ${c.id}: acquired_by_id, acquisition_date and acquisition_price_usd go together`);
}
for (const o of offices) fk(companyById, o.companyId, `offices.json ${o.id} company_id`);
for (const e of employees) {
  fk(employeeById, e.managerId, `employees.csv ${e.id} manager_id`);
  fk(companyById, e.companyId, `employees.csv ${e.id} company_id`);
  fk(officeById, e.officeId, `employees.csv ${e.id} office_id`);
  const office = officeById.get(e.officeId);
  if (office && office.city !== e.office) problem(`employees.csv ${e.id}: office ${e.office} but office_id ${e.officeId} is in ${office.city}`);
  if (e.hireDate > REFERENCE_DATE) problem(`employees.csv ${e.id}: hired after the reference date`);
}
for (const p of projects) {
  fk(employeeById, p.ownerId, `projects.csv ${p.id} owner_id`);
  fk(companyById, p.clientId, `projects.csv ${p.id} client_id`);
  if (p.endDate < p.startDate) problem(`projects.csv ${p.id}: ends before it starts`);
}
for (const t of tasks) {
  fk(employeeById, t.assigneeId, `tasks.csv ${t.id} assignee_id`);
  fk(projectById, t.projectId, `tasks.csv ${t.id} project_id`);
  fk(taskById, t.dependsOnId, `tasks.csv ${t.id} depends_on_id`);
  const assignee = t.assigneeId === null ? undefined : employeeById.get(t.assigneeId);
  if (assignee && t.createdAt.slice(0, 10) < assignee.hireDate) problem(`tasks.csv ${t.id}: created before ${assignee.name} was hired`);
  if (t.createdAt.slice(0, 10) > REFERENCE_DATE) problem(`tasks.csv ${t.id}: created after the reference date`);
  const project = projectById.get(t.projectId);
  if (project?.status === 'completed' && t.status !== 'completed') problem(`tasks.csv ${t.id}: open task in a completed project`);
}
// One CEO at the top; no cycles in the hierarchy or in task dependencies.
const roots = employees.filter((e) => e.managerId === null);
if (roots.length !== 1) problem(`employees.csv: expected one person without a manager, found ${roots.length}`);
function acyclic<T>(start: T, next: (x: T) => T | null, label: string): void {
  const seen = new Set<T>();
  for (let x: T | null = start; x !== null; x = next(x)) {
    if (seen.has(x)) return problem(`${label}: cycle`);
    seen.add(x);
  }
}
for (const e of employees) acyclic(e.id, (id) => employeeById.get(id)?.managerId ?? null, `employees.csv ${e.id} manager chain`);
for (const t of tasks) acyclic(t.id, (id) => taskById.get(id)?.dependsOnId ?? null, `tasks.csv ${t.id} dependencies`);

if (problems.length > 0) {
  process.stderr.write(`examples/data has ${problems.length} problem(s):\n${problems.map((p) => '  - ' + p).join('\n')}\n`);
  process.exit(1);
}

// --- facts.json ---

/** Code-unit order: the same on every machine, whatever the locale. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const nameOf = (id: string | null): string | null => (id === null ? null : get(employeeById, id).name);
const companyName = (id: string | null): string | null => (id === null ? null : get(companyById, id).name);
const byName = <T extends { name: string }>(a: T, b: T): number => cmp(a.name, b.name);
const sortedNames = (items: Array<{ name: string }>): string[] => items.map((x) => x.name).sort((a, b) => cmp(a, b));
const round2 = (n: number): number => Math.round(n * 100) / 100;
const sum = (ns: number[]): number => round2(ns.reduce((a, b) => a + b, 0));
const avg = (ns: number[]): number | null => (ns.length === 0 ? null : round2(ns.reduce((a, b) => a + b, 0) / ns.length));
const daysBetween = (from: string, to: string): number =>
  Math.round((Date.parse(to + 'T00:00:00Z') - Date.parse(from + 'T00:00:00Z')) / 86_400_000);

function groupBy<T>(items: T[], key: (x: T) => string): Record<string, T[]> {
  const out: Record<string, T[]> = {};
  for (const k of [...new Set(items.map(key))].sort((a, b) => cmp(a, b))) out[k] = items.filter((x) => key(x) === k);
  return out;
}
function mapValues<T, U>(record: Record<string, T>, fn: (v: T, k: string) => U): Record<string, U> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, fn(v, k)]));
}
/** Descending by count, then by name; ranks shared on ties; people with zero left out. */
function ranking(counts: Array<{ name: string; count: number }>): Array<{ rank: number; name: string; count: number }> {
  const sorted = counts.filter((c) => c.count > 0).sort((a, b) => b.count - a.count || cmp(a.name, b.name));
  return sorted.map((c) => ({ rank: 1 + sorted.filter((o) => o.count > c.count).length, name: c.name, count: c.count }));
}

const isOverdue = (t: Task): boolean => t.status !== 'completed' && t.dueDate < REFERENCE_DATE;
const directReports = (id: string): Employee[] => employees.filter((e) => e.managerId === id).sort(byName);
function chain(e: Employee): string[] {
  const out: string[] = [];
  for (let m = e.managerId; m !== null; m = get(employeeById, m).managerId) out.push(get(employeeById, m).name);
  return out;
}
function allReports(id: string): Employee[] {
  return directReports(id).flatMap((r) => [r, ...allReports(r.id)]);
}
const tasksOf = (id: string): Task[] => tasks.filter((t) => t.assigneeId === id);
const statusCounts = (ts: Task[]): Record<string, number> =>
  Object.fromEntries(TASK_STATUSES.map((s) => [s, ts.filter((t) => t.status === s).length]));
const taskView = (t: Task) => ({
  id: t.id,
  title: t.title,
  status: t.status,
  priority: t.priority,
  assignee: nameOf(t.assigneeId),
  project: get(projectById, t.projectId).name,
  dueDate: t.dueDate,
  estimateHours: t.estimateHours,
  createdAt: t.createdAt,
  dependsOn: t.dependsOnId,
  overdue: isOverdue(t),
});

const ceo = roots[0]!;
const acme = companies.find((c) => c.category === 'self')!;
const overdue = tasks.filter(isOverdue).sort((a, b) => cmp(a.dueDate, b.dueDate) || cmp(a.id, b.id));
const blocked = tasks.filter((t) => t.status === 'blocked');
const personCounts = (pred: (t: Task) => boolean) =>
  employees.map((e) => ({ name: e.name, count: tasksOf(e.id).filter(pred).length }));

const rankings = {
  byOpenTasks: ranking(personCounts((t) => t.status === 'open')),
  byNotCompletedTasks: ranking(personCounts((t) => t.status !== 'completed')),
  byCompletedTasks: ranking(personCounts((t) => t.status === 'completed')),
  byTotalTasks: ranking(personCounts(() => true)),
  byOverdueTasks: ranking(personCounts(isOverdue)),
  byBlockedTasks: ranking(personCounts((t) => t.status === 'blocked')),
  byDirectReports: ranking(employees.map((e) => ({ name: e.name, count: directReports(e.id).length }))),
  bySalary: [...employees]
    .sort((a, b) => b.salaryUsd - a.salaryUsd || cmp(a.name, b.name))
    .map((e, i) => ({ rank: i + 1, name: e.name, salaryUsd: e.salaryUsd })),
  projectsByBudget: [...projects]
    .sort((a, b) => b.budgetUsd - a.budgetUsd)
    .map((p, i) => ({ rank: i + 1, name: p.name, budgetUsd: p.budgetUsd })),
  projectsByTaskCount: ranking(projects.map((p) => ({ name: p.name, count: tasks.filter((t) => t.projectId === p.id).length }))),
};

function first<T>(items: T[]): T {
  const x = items[0];
  if (x === undefined) throw new Error('empty list');
  return x;
}
const personTasks = (name: string) => {
  const e = employees.find((x) => x.name === name);
  if (!e) throw new Error(`no employee ${name}`);
  return tasksOf(e.id);
};
const projectNamed = (name: string): Project => {
  const p = projects.find((x) => x.name === name);
  if (!p) throw new Error(`no project ${name}`);
  return p;
};
const employeesHiredIn = (year: string) => sortedNames(employees.filter((e) => e.hireDate.startsWith(year)));

/** Ready-made answers for typical questions (exact values from the records). */
const quickAnswers: Array<{ question: string; answer: unknown; needs: 'records' | 'documents' | 'both' }> = [
  { question: 'Who is the CEO of Acme Analytics?', answer: ceo.name, needs: 'records' },
  { question: 'How many employees does Acme Analytics have?', answer: employees.length, needs: 'records' },
  { question: 'How many people report directly to Jane Smith?', answer: directReports(ceo.id).length, needs: 'records' },
  { question: 'Who reports directly to Jane Smith?', answer: sortedNames(directReports(ceo.id)), needs: 'records' },
  { question: 'Who does Chen Wei report to?', answer: nameOf(employees.find((e) => e.name === 'Chen Wei')!.managerId), needs: 'records' },
  { question: 'Who is Priya Natarajan’s manager’s manager?', answer: chain(employees.find((e) => e.name === 'Priya Natarajan')!)[1], needs: 'records' },
  {
    question: 'How many tasks assigned to John Doe are completed?',
    answer: personTasks('John Doe').filter((t) => t.status === 'completed').length,
    needs: 'records',
  },
  { question: 'How many tasks are assigned to Emily Doe?', answer: personTasks('Emily Doe').length, needs: 'records' },
  { question: 'How many tasks are blocked?', answer: blocked.length, needs: 'records' },
  { question: 'What is the average estimate of blocked tasks (hours)?', answer: avg(blocked.map((t) => t.estimateHours)), needs: 'records' },
  { question: `How many tasks are overdue as of ${REFERENCE_DATE}?`, answer: overdue.length, needs: 'records' },
  { question: 'Which tasks are overdue?', answer: overdue.map((t) => t.title), needs: 'records' },
  {
    question: 'Top 3 people by number of open tasks (status "open")',
    answer: rankings.byOpenTasks.filter((r) => r.rank <= 3).map((r) => `${r.name} (${r.count})`),
    needs: 'records',
  },
  { question: 'Who has the most unfinished (not completed) tasks?', answer: first(rankings.byNotCompletedTasks).name, needs: 'records' },
  { question: 'How many projects are active?', answer: projects.filter((p) => p.status === 'active').length, needs: 'records' },
  { question: 'Which project has the largest budget?', answer: first(rankings.projectsByBudget).name, needs: 'records' },
  { question: 'Who leads Project Atlas?', answer: nameOf(projects.find((p) => p.name === 'Atlas')!.ownerId), needs: 'records' },
  { question: 'Which company is the client of Project Delta?', answer: companyName(projects.find((p) => p.name === 'Delta')!.clientId), needs: 'records' },
  { question: 'Which company did Acme Analytics acquire, when and for how much?', answer: companies.filter((c) => c.acquiredById === acme.id).map((c) => `${c.name}, ${c.acquisitionDate}, $${c.acquisitionPriceUsd}`), needs: 'records' },
  { question: 'Where is Globex headquartered?', answer: companies.find((c) => c.shortName === 'Globex')!.hqCity, needs: 'records' },
  { question: 'How many employees work in the Berlin office?', answer: employees.filter((e) => e.officeId === 'BER').length, needs: 'records' },
  { question: 'Which employees were hired in 2022?', answer: employeesHiredIn('2022'), needs: 'records' },
  { question: 'Who was hired most recently?', answer: [...employees].sort((a, b) => cmp(b.hireDate, a.hireDate))[0]!.name, needs: 'records' },
  {
    question: 'What is the average salary in Engineering?',
    answer: avg(employees.filter((e) => e.department === 'Engineering').map((e) => e.salaryUsd)),
    needs: 'records',
  },
  { question: 'Which employees have no tasks?', answer: sortedNames(employees.filter((e) => tasksOf(e.id).length === 0)), needs: 'records' },
  { question: 'Who founded Initech?', answer: 'Victor Alvarez', needs: 'documents' },
  { question: 'Who is the CEO of Globex?', answer: 'Margaret Holloway', needs: 'documents' },
  { question: 'What award did Priya Natarajan receive?', answer: 'Engineer of the Year 2024', needs: 'documents' },
  {
    question: 'Which customer complained about stale dashboard data, and which project and task are behind it?',
    answer: 'Umbrella Health; Project Beacon; the HL7 feed connector (T030, blocked, assigned to Fatima Al-Sayed) feeds the emergency department wait-time dashboard (T029, Sofia Rossi)',
    needs: 'both',
  },
  {
    question: 'Who is the account executive for the client of the project John Doe leads, and how many of that project’s tasks are blocked?',
    answer: `Michael Brown; ${tasks.filter((t) => t.projectId === projectNamed('Atlas').id && t.status === 'blocked').length}`,
    needs: 'both',
  },
  {
    question: 'Why is Project Falcon on hold, and how many of its tasks are blocked?',
    answer: `Northwind Traders is replacing its point-of-sale vendor; ${tasks.filter((t) => t.projectId === projectNamed('Falcon').id && t.status === 'blocked').length}`,
    needs: 'both',
  },
  { question: 'When did John Doe join Acme?', answer: '2017-06-12 per employees.csv; an article says 2016 (conflict)', needs: 'both' },
];

const squash = (s: string): string => s.replace(/<[^>]+>/g, ' ').replace(/&amp;/g, '&').replace(/\s+/g, ' ').trim();
const generatedText = new Map(GENERATED_DOCS.map((d) => [d.file, blockText(d)]));
/** Page chrome the HTML loader drops: not part of what a document says. */
const HTML_CHROME =
  'script, style, nav, aside, header, footer, form, [role="banner"], [role="contentinfo"], [role="search"], ' +
  '[role="complementary"], .cookie-banner, .newsletter, .breadcrumbs';
function documentText(file: string): string {
  const generated = generatedText.get(file);
  if (generated !== undefined) return squash(generated);
  const raw = readFileSync(path.join(DOCS, file), 'utf8');
  if (!file.endsWith('.html')) return squash(raw);
  const $ = cheerio.load(raw);
  $(HTML_CHROME).remove();
  return squash($('main').text() || $('body').text());
}
/** Which records a document names (whole-word match of names and aliases): for entity-linking checks. */
const escapeRe = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
function mentionsIn(file: string) {
  const text = documentText(file);
  const has = (name: string): boolean => new RegExp(`\\b${escapeRe(name)}\\b`).test(text);
  return {
    people: sortedNames(employees.filter((e) => has(e.name))),
    organizations: companies.filter((c) => has(c.name) || has(c.shortName)).map((c) => c.name),
    projects: projects.filter((p) => has(p.name)).map((p) => p.name),
  };
}

const documentList = [
  { file: 'acme-partnership.html', format: 'HTML press release (nav, cookie banner, aside, footer)', date: '2024-09-10' },
  { file: 'initech-acquisition.html', format: 'HTML news article (banner, search, breadcrumbs, newsletter, aside, footer)', date: '2025-05-20' },
  { file: 'blue-harbor-contract.html', format: 'HTML press release (nav, footer)', date: '2024-11-04' },
  { file: 'q3-engineering-memo.md', format: 'Markdown memo', date: '2024-09-30' },
  { file: 'team-directory.md', format: 'Markdown wiki page with a table and lists', date: '2025-06-16' },
  { file: 'onboarding-guide.txt', format: 'plain text', date: null },
  { file: 'umbrella-escalation-notes.txt', format: 'plain-text support notes', date: '2025-06-05' },
  { file: BOARD_UPDATE.file, format: 'PDF report, 3 pages, running header, "Page N of 3" footers', date: '2025-06-27' },
  { file: DATA_SCIENCE_REVIEW.file, format: 'DOCX report with headings, a table and a bulleted list', date: '2025-06' },
  { file: GLOBEX_ACCOUNT_PLAN.file, format: 'DOCX account plan with headings, a table and bulleted lists', date: '2025' },
];

const facts = {
  generatedBy: 'npx tsx scripts/make-examples.ts (from examples/data; do not edit by hand)',
  referenceDate: REFERENCE_DATE,
  definitions: {
    overdue: `status is not "completed" and dueDate < ${REFERENCE_DATE} (a task due on the reference date is not overdue)`,
    openTasks: 'status = "open" (not started); "unfinished" / "not completed" = open, in progress or blocked',
    taskStatuses: TASK_STATUSES,
    taskPriorities: PRIORITIES,
    projectStatuses: PROJECT_STATUSES,
    rankings: 'descending by count, ties share a rank and are listed by name; zero counts left out',
  },
  graph: {
    labels: { Person: 'employees.csv', Organization: 'companies.csv', Office: 'offices.json', Project: 'projects.csv', Task: 'tasks.csv' },
    relationships: [
      '(Person)-[:REPORTS_TO]->(Person)',
      '(Person)-[:WORKS_FOR]->(Organization)',
      '(Person)-[:WORKS_AT]->(Office)',
      '(Organization)-[:ACQUIRED {date, priceUsd}]->(Organization)',
      '(Organization)-[:HAS_OFFICE]->(Office)',
      '(Person)-[:LEADS]->(Project)',
      '(Organization)-[:CLIENT_OF]->(Project)',
      '(Task)-[:ASSIGNED_TO]->(Person)',
      '(Task)-[:PART_OF_PROJECT]->(Project)',
      '(Task)-[:DEPENDS_ON]->(Task)',
    ],
    loadOrder: ['companies.csv', 'offices.json', 'employees.csv', 'projects.csv', 'tasks.csv', 'docs/'],
  },
  counts: {
    employees: employees.length,
    companies: companies.length,
    companiesOtherThanAcme: companies.length - 1,
    offices: offices.length,
    projects: projects.length,
    tasks: tasks.length,
    documents: documentList.length,
    reportsToRelationships: employees.filter((e) => e.managerId !== null).length,
    taskDependencies: tasks.filter((t) => t.dependsOnId !== null).length,
    /** Relationships the imports create, by type. */
    relationships: {
      REPORTS_TO: employees.filter((e) => e.managerId !== null).length,
      WORKS_FOR: employees.length,
      WORKS_AT: employees.length,
      ACQUIRED: companies.filter((c) => c.acquiredById !== null).length,
      HAS_OFFICE: offices.length,
      LEADS: projects.length,
      CLIENT_OF: projects.filter((p) => p.clientId !== null).length,
      ASSIGNED_TO: tasks.filter((t) => t.assigneeId !== null).length,
      PART_OF_PROJECT: tasks.length,
      DEPENDS_ON: tasks.filter((t) => t.dependsOnId !== null).length,
    },
  },
  company: {
    name: acme.name,
    headquarters: acme.hqCity,
    foundedYear: acme.foundedYear,
    ceo: ceo.name,
    cto: employees.find((e) => e.title === 'Chief Technology Officer')?.name ?? null,
    cfo: employees.find((e) => e.title === 'Chief Financial Officer')?.name ?? null,
    foundersPerDocuments: ['Jane Smith', 'Omar Haddad'],
    employeeCount: employees.length,
  },
  employees: [...employees]
    .sort((a, b) => cmp(a.id, b.id))
    .map((e) => ({
      id: e.id,
      name: e.name,
      email: e.email,
      title: e.title,
      department: e.department,
      office: e.office,
      hireDate: e.hireDate,
      hireYear: Number(e.hireDate.slice(0, 4)),
      level: e.level,
      salaryUsd: e.salaryUsd,
      remote: e.remote,
      manager: nameOf(e.managerId),
      directReports: sortedNames(directReports(e.id)),
      allReportsCount: allReports(e.id).length,
      chainOfCommand: chain(e),
      levelsBelowCeo: chain(e).length,
      tasks: { total: tasksOf(e.id).length, ...statusCounts(tasksOf(e.id)), overdue: tasksOf(e.id).filter(isOverdue).length },
    })),
  hierarchy: {
    ceo: ceo.name,
    directReportsOfCeo: sortedNames(directReports(ceo.id)),
    maxDepth: Math.max(...employees.map((e) => chain(e).length)),
    deepestChains: employees
      .filter((e) => chain(e).length === Math.max(...employees.map((x) => chain(x).length)))
      .map((e) => [e.name, ...chain(e)].join(' -> ')),
    managers: Object.fromEntries(
      employees
        .filter((e) => directReports(e.id).length > 0)
        .sort(byName)
        .map((e) => [e.name, sortedNames(directReports(e.id))]),
    ),
  },
  sameSurname: Object.entries(groupBy(employees, (e) => e.name.split(' ').slice(-1)[0]!))
    .filter(([, people]) => people.length > 1)
    .map(([surname, people]) => ({ surname, people: people.sort(byName).map((p) => ({ name: p.name, title: p.title, department: p.department, office: p.office })) })),
  byDepartment: mapValues(groupBy(employees, (e) => e.department), (es) => ({
    count: es.length,
    people: sortedNames(es),
    averageSalaryUsd: avg(es.map((e) => e.salaryUsd)),
    totalSalaryUsd: sum(es.map((e) => e.salaryUsd)),
    highestPaid: [...es].sort((a, b) => b.salaryUsd - a.salaryUsd)[0]!.name,
  })),
  byOffice: mapValues(groupBy(employees, (e) => e.office), (es) => ({ count: es.length, people: sortedNames(es) })),
  byHireYear: mapValues(groupBy(employees, (e) => e.hireDate.slice(0, 4)), (es) => sortedNames(es)),
  remoteEmployees: sortedNames(employees.filter((e) => e.remote)),
  salary: {
    averageUsd: avg(employees.map((e) => e.salaryUsd)),
    totalUsd: sum(employees.map((e) => e.salaryUsd)),
    highest: first(rankings.bySalary),
    lowest: rankings.bySalary[rankings.bySalary.length - 1],
  },
  companies: companies.map((c) => ({
    id: c.id,
    name: c.name,
    alias: c.shortName,
    category: c.category,
    industry: c.industry,
    hqCity: c.hqCity,
    hqCountry: c.hqCountry,
    foundedYear: c.foundedYear,
    employeeCount: c.employeeCount,
    acquiredBy: companyName(c.acquiredById),
    acquisitionDate: c.acquisitionDate,
    acquisitionPriceUsd: c.acquisitionPriceUsd,
    clientOfProjects: projects.filter((p) => p.clientId === c.id).map((p) => p.name),
  })),
  companiesByCategory: mapValues(groupBy(companies, (c) => c.category), (cs) => sortedNames(cs)),
  acquisitions: companies
    .filter((c) => c.acquiredById !== null)
    .map((c) => ({ acquirer: companyName(c.acquiredById), acquired: c.name, date: c.acquisitionDate, year: Number(c.acquisitionDate!.slice(0, 4)), priceUsd: c.acquisitionPriceUsd })),
  offices: offices.map((o) => ({
    id: o.id,
    name: o.name,
    city: o.city,
    country: o.country,
    opened: o.opened,
    headquarters: o.headquarters,
    desks: o.desks,
    headcount: employees.filter((e) => e.officeId === o.id).length,
    people: sortedNames(employees.filter((e) => e.officeId === o.id)),
  })),
  projects: projects.map((p) => {
    const ts = tasks.filter((t) => t.projectId === p.id);
    return {
      id: p.id,
      name: p.name,
      alias: p.alias,
      status: p.status,
      startDate: p.startDate,
      endDate: p.endDate,
      budgetUsd: p.budgetUsd,
      owner: nameOf(p.ownerId),
      ownerDepartment: get(employeeById, p.ownerId).department,
      client: companyName(p.clientId),
      internal: p.clientId === null,
      tasks: { total: ts.length, ...statusCounts(ts), overdue: ts.filter(isOverdue).length },
      estimateHoursTotal: sum(ts.map((t) => t.estimateHours)),
      estimateHoursRemaining: sum(ts.filter((t) => t.status !== 'completed').map((t) => t.estimateHours)),
      assignees: [...new Set(ts.map((t) => nameOf(t.assigneeId)).filter((n): n is string => n !== null))].sort((a, b) => cmp(a, b)),
    };
  }),
  projectsByStatus: mapValues(groupBy(projects, (p) => p.status), (ps) => sortedNames(ps)),
  budgets: {
    totalUsd: sum(projects.map((p) => p.budgetUsd)),
    activeTotalUsd: sum(projects.filter((p) => p.status === 'active').map((p) => p.budgetUsd)),
    averageUsd: avg(projects.map((p) => p.budgetUsd)),
  },
  tasks: tasks.map(taskView),
  taskStats: {
    byStatus: statusCounts(tasks),
    byPriority: Object.fromEntries(PRIORITIES.map((p) => [p, tasks.filter((t) => t.priority === p).length])),
    averageEstimateHoursByStatus: Object.fromEntries(
      TASK_STATUSES.map((s) => [s, avg(tasks.filter((t) => t.status === s).map((t) => t.estimateHours))]),
    ),
    totalEstimateHoursByStatus: Object.fromEntries(
      TASK_STATUSES.map((s) => [s, sum(tasks.filter((t) => t.status === s).map((t) => t.estimateHours))]),
    ),
    averageEstimateHours: avg(tasks.map((t) => t.estimateHours)),
    totalEstimateHours: sum(tasks.map((t) => t.estimateHours)),
    criticalNotCompleted: tasks.filter((t) => t.priority === 'critical' && t.status !== 'completed').map((t) => t.title),
    unassigned: tasks.filter((t) => t.assigneeId === null).map(taskView),
  },
  overdueTasks: overdue.map((t) => ({ ...taskView(t), daysOverdue: daysBetween(t.dueDate, REFERENCE_DATE) })),
  dueOnReferenceDate: tasks.filter((t) => t.dueDate === REFERENCE_DATE).map(taskView),
  dueInJuly2025NotCompleted: tasks
    .filter((t) => t.dueDate.startsWith('2025-07') && t.status !== 'completed')
    .sort((a, b) => cmp(a.dueDate, b.dueDate))
    .map((t) => ({ id: t.id, title: t.title, dueDate: t.dueDate, assignee: nameOf(t.assigneeId) })),
  blockedTasks: blocked.map(taskView),
  tasksByAssignee: Object.fromEntries(
    [...employees]
      .filter((e) => tasksOf(e.id).length > 0)
      .sort(byName)
      .map((e) => {
        const ts = tasksOf(e.id);
        return [
          e.name,
          {
            total: ts.length,
            ...statusCounts(ts),
            overdue: ts.filter(isOverdue).length,
            estimateHoursTotal: sum(ts.map((t) => t.estimateHours)),
            tasks: ts.map((t) => `${t.id} ${t.title} [${t.status}]`),
          },
        ];
      }),
  ),
  employeesWithoutTasks: sortedNames(employees.filter((e) => tasksOf(e.id).length === 0)),
  rankings,
  dependencies: tasks
    .filter((t) => t.dependsOnId !== null)
    .map((t) => ({ task: `${t.id} ${t.title}`, dependsOn: `${t.dependsOnId} ${get(taskById, t.dependsOnId!).title}`, dependencyStatus: get(taskById, t.dependsOnId!).status })),
  documents: documentList.map((d) => ({ ...d, mentions: mentionsIn(d.file) })),
  documentOnlyFacts: DOCUMENT_ONLY_FACTS,
  conflicts: CONFLICTS,
  corroborated: CORROBORATED,
  quickAnswers,
};

// --- quote checks: every cited quote is in its document ---

const cited = [
  ...DOCUMENT_ONLY_FACTS.map((f) => ({ document: f.document, quote: f.quote })),
  ...CONFLICTS.map((c) => ({ document: c.document.file, quote: c.document.quote })),
  ...CORROBORATED.map((c) => ({ document: c.document, quote: c.quote })),
];
for (const c of cited) {
  if (!documentList.some((d) => d.file === c.document)) problem(`quote cites unknown document ${c.document}`);
  else if (!documentText(c.document).includes(squash(c.quote))) problem(`"${c.quote}" is not in ${c.document}`);
}
if (problems.length > 0) {
  process.stderr.write(`${problems.length} problem(s):\n${problems.map((p) => '  - ' + p).join('\n')}\n`);
  process.exit(1);
}

// --- write (or compare) ---

const outputs: Array<[string, Buffer]> = [
  [path.join(DOCS, BOARD_UPDATE.file), await renderPdf(BOARD_UPDATE, DOC_DATE)],
  [path.join(DOCS, DATA_SCIENCE_REVIEW.file), await renderDocx(DATA_SCIENCE_REVIEW, DOC_DATE)],
  [path.join(DOCS, GLOBEX_ACCOUNT_PLAN.file), await renderDocx(GLOBEX_ACCOUNT_PLAN, DOC_DATE)],
  [path.join(EXAMPLES, 'facts.json'), Buffer.from(JSON.stringify(facts, null, 2) + '\n')],
];
let stale = 0;
for (const [file, bytes] of outputs) {
  const rel = path.relative(ROOT, file);
  if (check) {
    let current: Buffer | undefined;
    try {
      current = readFileSync(file);
    } catch {
      current = undefined;
    }
    if (!current || !current.equals(bytes)) {
      stale++;
      process.stdout.write(`${rel}: out of date\n`);
    }
  } else {
    writeFileSync(file, bytes);
    process.stdout.write(`${rel} (${bytes.length} bytes)\n`);
  }
}
if (check && stale > 0) {
  process.stdout.write('run: npx tsx scripts/make-examples.ts\n');
  process.exit(1);
}
