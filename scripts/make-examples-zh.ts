/**
 * Builds the generated parts of the Chinese example knowledge base (examples/zh), deterministically:
 *   - examples/zh/docs/board-report-2025-q2.pdf        (pdfkit with a CJK TrueType font, 3 pages)
 *   - examples/zh/docs/data-science-review-2025.docx   (docx: headings, a list, a table)
 *   - examples/zh/facts.json                           (ground truth computed from the records)
 *   - test/gold/questions-zh.jsonl                     (Chinese gold questions, answers computed here)
 *
 * The CSV and JSON files under examples/zh/data are the source of truth: this script validates them
 * (unique keys, foreign keys, enumerations, dates, an acyclic hierarchy) and computes every
 * record-based answer from them. Document facts cite a verbatim quote that is checked against the
 * document's text.
 *
 *   npx tsx scripts/make-examples-zh.ts           write the files (needs a CJK font, see CJK_FONT)
 *   npx tsx scripts/make-examples-zh.ts --check   exit 1 when a file on disk differs from what would be written
 *
 * The PDF needs a font with Chinese glyphs (Debian: fonts-wqy-zenhei). `--check` on a machine
 * without it cannot re-render the PDF; it then checks that the committed PDF's text holds every
 * block of the specification instead of comparing bytes.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as cheerio from 'cheerio';
import { parse } from 'csv-parse/sync';
import { blockText, type GeneratedDoc, type PdfFonts, renderDocx, renderPdf } from './lib/generated-docs.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const BASE = path.join(ROOT, 'examples', 'zh');
const DATA = path.join(BASE, 'data');
const DOCS = path.join(BASE, 'docs');
const QUESTIONS = path.join(ROOT, 'test', 'gold', 'questions-zh.jsonl');

/** Reference date of every relative question ("逾期", "尚未完成"), as in the English example. */
const REFERENCE_DATE = '2025-06-30';
const DOC_DATE = new Date('2025-06-27T12:00:00Z');
const CJK_FONT = process.env.KGRAG_CJK_FONT ?? '/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc';
const PDF_FONTS: PdfFonts = {
  regular: 'CJK',
  bold: 'CJK',
  files: { CJK: { path: CJK_FONT, family: 'WenQuanYiZenHei' } },
  footer: (n, m) => `第 ${n} 页,共 ${m} 页`,
};

const TASK_STATUSES = ['未开始', '进行中', '已阻塞', '已完成'] as const;
const PRIORITIES = ['低', '中', '高', '紧急'] as const;
const PROJECT_STATUSES = ['计划中', '进行中', '暂停', '已完成'] as const;
const COMPANY_CATEGORIES = ['本公司', '客户', '子公司', '合作伙伴', '竞争对手'] as const;
const DONE = '已完成';

// ---------------------------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------------------------

type Row = Record<string, string>;
const problems: string[] = [];
const problem = (message: string): void => void problems.push(message);

const readCsv = (file: string): Row[] => parse(readFileSync(path.join(DATA, file), 'utf8'), { columns: true, skip_empty_lines: true }) as Row[];
const opt = (v: string | undefined): string | null => (v === undefined || v === '' ? null : v);
function isoDate(value: string, where: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) problem(`${where}: not a date: ${value}`);
  return value;
}
function num(value: string, where: string): number {
  const n = Number(value);
  if (value === '' || !Number.isFinite(n)) problem(`${where}: not a number: ${value}`);
  return n;
}
function oneOf(value: string, allowed: readonly string[], where: string): string {
  if (!allowed.includes(value)) problem(`${where}: ${value} is not one of ${allowed.join(', ')}`);
  return value;
}

const companies = readCsv('companies.csv').map((r) => ({
  id: r.company_id!,
  name: r.name!,
  shortName: r.short_name!,
  category: oneOf(r.category!, COMPANY_CATEGORIES, `companies ${r.company_id}`),
  hqCity: r.hq_city!,
  acquiredById: opt(r.acquired_by_id),
  acquisitionDate: opt(r.acquisition_date),
  acquisitionPriceCny: opt(r.acquisition_price_cny) === null ? null : num(r.acquisition_price_cny!, `companies ${r.company_id}`),
}));
const offices = (JSON.parse(readFileSync(path.join(DATA, 'offices.json'), 'utf8')) as Array<Record<string, unknown>>).map((o) => ({
  id: String(o.office_id),
  name: String(o.name),
  city: String(o.city),
  companyId: String(o.company_id),
}));
const employees = readCsv('employees.csv').map((r) => {
  const where = `employees ${r.employee_id}`;
  return {
    id: r.employee_id!,
    name: r.name!,
    title: r.title!,
    department: r.department!,
    office: r.office!,
    officeId: r.office_id!,
    hireDate: isoDate(r.hire_date!, where),
    birthDate: isoDate(r.birth_date!, where),
    level: num(r.level!, where),
    salaryCny: num(r.salary_cny!, where),
    remote: r.remote === 'true',
    managerId: opt(r.manager_id),
    companyId: r.company_id!,
  };
});
const projects = readCsv('projects.csv').map((r) => {
  const where = `projects ${r.project_id}`;
  return {
    id: r.project_id!,
    name: r.name!,
    status: oneOf(r.status!, PROJECT_STATUSES, where),
    startDate: isoDate(r.start_date!, where),
    endDate: isoDate(r.end_date!, where),
    budgetCny: num(r.budget_cny!, where),
    ownerId: r.owner_id!,
    clientId: opt(r.client_id),
  };
});
const tasks = readCsv('tasks.csv').map((r) => {
  const where = `tasks ${r.task_id}`;
  return {
    id: r.task_id!,
    title: r.title!,
    status: oneOf(r.status!, TASK_STATUSES, where),
    priority: oneOf(r.priority!, PRIORITIES, where),
    assigneeId: opt(r.assignee_id),
    projectId: r.project_id!,
    dueDate: isoDate(r.due_date!, where),
    estimateHours: num(r.estimate_hours!, where),
    createdAt: r.created_at!,
    dependsOnId: opt(r.depends_on_id),
  };
});
type Employee = (typeof employees)[number];
type Task = (typeof tasks)[number];

function index<T extends { id: string }>(items: T[], file: string): Map<string, T> {
  const map = new Map<string, T>();
  for (const item of items) {
    if (map.has(item.id)) problem(`${file}: duplicate key ${item.id}`);
    map.set(item.id, item);
  }
  return map;
}
const companyById = index(companies, 'companies.csv');
const officeById = index(offices, 'offices.json');
const employeeById = index(employees, 'employees.csv');
const projectById = index(projects, 'projects.csv');
const taskById = index(tasks, 'tasks.csv');
const fk = (map: Map<string, unknown>, id: string | null, where: string): void => {
  if (id !== null && !map.has(id)) problem(`${where}: ${id} matches no record`);
};
for (const c of companies) fk(companyById, c.acquiredById, `companies ${c.id}`);
for (const o of offices) fk(companyById, o.companyId, `offices ${o.id}`);
for (const e of employees) {
  fk(employeeById, e.managerId, `employees ${e.id} manager_id`);
  fk(officeById, e.officeId, `employees ${e.id} office_id`);
  fk(companyById, e.companyId, `employees ${e.id} company_id`);
  if (officeById.get(e.officeId)?.city !== e.office) problem(`employees ${e.id}: office ${e.office} does not match ${e.officeId}`);
}
for (const p of projects) {
  fk(employeeById, p.ownerId, `projects ${p.id} owner_id`);
  fk(companyById, p.clientId, `projects ${p.id} client_id`);
  if (p.endDate < p.startDate) problem(`projects ${p.id}: ends before it starts`);
}
for (const t of tasks) {
  fk(employeeById, t.assigneeId, `tasks ${t.id} assignee_id`);
  fk(projectById, t.projectId, `tasks ${t.id} project_id`);
  fk(taskById, t.dependsOnId, `tasks ${t.id} depends_on_id`);
  const a = t.assigneeId === null ? undefined : employeeById.get(t.assigneeId);
  if (a && t.createdAt.slice(0, 10) < a.hireDate) problem(`tasks ${t.id}: created before ${a.name} was hired`);
  if (projectById.get(t.projectId)?.status === DONE && t.status !== DONE) problem(`tasks ${t.id}: unfinished task in a finished project`);
}
for (const e of employees) {
  const seen = new Set<string>();
  for (let x: Employee | undefined = e; x; x = x.managerId === null ? undefined : employeeById.get(x.managerId)) {
    if (seen.has(x.id)) {
      problem(`employees: reporting cycle through ${x.id}`);
      break;
    }
    seen.add(x.id);
  }
}
if (employees.filter((e) => e.managerId === null).length !== 1) problem('employees: exactly one person has no manager');

// ---------------------------------------------------------------------------------------------
// Derived facts
// ---------------------------------------------------------------------------------------------

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
const round2 = (n: number): number => Math.round(n * 100) / 100;
const sum = (ns: number[]): number => round2(ns.reduce((a, b) => a + b, 0));
const avg = (ns: number[]): number => round2(ns.reduce((a, b) => a + b, 0) / ns.length);
const names = (items: Array<{ name: string }>): string[] => items.map((x) => x.name).sort(cmp);
const titles = (items: Task[]): string[] => items.map((x) => x.title).sort(cmp);
const person = (name: string): Employee => {
  const e = employees.find((x) => x.name === name);
  if (!e) throw new Error(`no employee ${name}`);
  return e;
};
const project = (name: string) => {
  const p = projects.find((x) => x.name === name);
  if (!p) throw new Error(`no project ${name}`);
  return p;
};
const tasksOf = (e: Employee): Task[] => tasks.filter((t) => t.assigneeId === e.id);
const reportsOf = (e: Employee): Employee[] => employees.filter((x) => x.managerId === e.id);
const managerOf = (e: Employee): Employee => employeeById.get(e.managerId!)!;
const isOverdue = (t: Task): boolean => t.status !== DONE && t.dueDate < REFERENCE_DATE;

/** The single top item by a score; throws on a tie so that a gold answer is never arbitrary. */
function top<T>(items: T[], score: (x: T) => number, label: string): T {
  const sorted = [...items].sort((a, b) => score(b) - score(a));
  if (sorted.length > 1 && score(sorted[0]!) === score(sorted[1]!)) throw new Error(`tie at the top: ${label}`);
  return sorted[0]!;
}
/** The top n by a score, refusing a tie across the cut or inside the list. */
function topN<T extends { name?: string; title?: string }>(items: T[], n: number, score: (x: T) => number, label: string): T[] {
  const sorted = [...items].sort((a, b) => score(b) - score(a));
  const scores = sorted.slice(0, n + 1).map(score);
  if (new Set(scores).size !== scores.length) throw new Error(`tie in the top ${n}: ${label}`);
  return sorted.slice(0, n);
}
const ageOrder = (e: Employee): number => -Date.parse(e.birthDate); // larger = older

// ---------------------------------------------------------------------------------------------
// Generated documents
// ---------------------------------------------------------------------------------------------

const BOARD_REPORT: GeneratedDoc = {
  file: 'board-report-2025-q2.pdf',
  title: '2025年第二季度董事会报告',
  author: '陈静',
  subject: '云杉数据科技有限公司董事会会议,2025年6月27日',
  header: '云杉数据科技有限公司 - 董事会机密',
  blocks: [
    { kind: 'title', text: '2025年第二季度董事会报告' },
    { kind: 'p', text: '本报告由首席财务官陈静和首席执行官周明远为2025年6月27日的董事会会议编制。' },
    { kind: 'h1', text: '一、概要' },
    {
      kind: 'p',
      text:
        '2025年上半年营收为4,800万元,同比增长28%,毛利率为68%。目前有三个项目正在进行(天枢、北斗和长城),' +
        '蓬莱项目处于暂停状态,敦煌项目计划于8月启动。公司共有24名员工,分布在杭州、北京、上海、深圳和南京五个办公室。',
    },
    { kind: 'h1', text: '二、项目' },
    {
      kind: 'p',
      text:
        '天枢项目是公司目前规模最大的项目,客户为华夏零售集团。董事会批准将天枢项目的预算调整为350万元,' +
        '以覆盖新增的门店看板需求。北斗项目和长城项目按计划推进。',
    },
    {
      kind: 'p',
      text:
        '蓬莱项目暂停的原因是蓝海物流正在更换调度系统供应商,需求确认被推迟。项目负责人高远预计最早在第三季度恢复。',
    },
    { kind: 'page' },
    { kind: 'h1', text: '三、客户与风险' },
    {
      kind: 'bullets',
      items: [
        '青松医疗集团因演示看板数据未更新而提出投诉,第二期款项80万元存在延迟支付的风险。',
        '竞争对手星图智能科技有限公司曾试图挖走我们的两名数据科学家。',
        '东方银行对长城项目的阶段成果表示满意,合同续签正在洽谈中。',
      ],
    },
    { kind: 'h1', text: '四、合作伙伴与荣誉' },
    {
      kind: 'p',
      text:
        '公司与北辰云计算有限公司签订了为期三年的云服务协议,总金额为450万元。云杉数据获得了2024年杭州数据创新奖,' +
        '高级软件工程师李娜被评为2024年度最佳工程师。',
    },
    { kind: 'page' },
    { kind: 'h1', text: '五、下半年计划' },
    {
      kind: 'bullets',
      items: ['敦煌项目于2025年8月启动,建设客户成功团队的检索增强问答(RAG)知识库。', 'ISO 27001 认证审计定于2025年11月进行。', '计划招聘两名数据工程师。'],
    },
  ],
};

const DATA_SCIENCE_REVIEW: GeneratedDoc = {
  file: 'data-science-review-2025.docx',
  title: '数据科学部2025年年中回顾',
  author: '何欣',
  subject: '数据科学部工作回顾',
  blocks: [
    { kind: 'title', text: '数据科学部2025年年中回顾' },
    { kind: 'p', text: '作者:何欣,云杉数据首席数据官。' },
    { kind: 'h1', text: '团队' },
    {
      kind: 'bullets',
      items: ['马超(高级数据科学家)向何欣汇报,负责长城项目。', '罗佳怡(数据科学家)向马超汇报,远程办公,常驻上海。', '高远(机器学习工程师)向何欣汇报,负责蓬莱项目。'],
    },
    { kind: 'h1', text: '项目' },
    {
      kind: 'table',
      rows: [
        ['项目', '负责人', '客户', '状态'],
        ['北斗', '何欣', '青松医疗集团', '进行中'],
        ['长城', '马超', '东方银行', '进行中'],
        ['蓬莱', '高远', '蓝海物流', '暂停'],
      ],
    },
    {
      kind: 'p',
      text:
        '长城项目的信贷风险评分模型在回测中把坏账识别率提高了15%。东方银行首席风险官赵国华对阶段成果表示满意。' +
        '北斗项目的门诊流量预测模型正在训练,预计7月底完成。',
    },
    { kind: 'h1', text: '下一步' },
    { kind: 'p', text: '下半年,数据科学部将与客户成功团队合作,在敦煌项目中试用检索增强生成(RAG)和知识图谱。' },
  ],
};

const GENERATED = [BOARD_REPORT, DATA_SCIENCE_REVIEW];

// ---------------------------------------------------------------------------------------------
// Document text (for quote checks)
// ---------------------------------------------------------------------------------------------

const squash = (s: string): string => s.replace(/\s+/g, '');
function documentText(file: string): string {
  const generated = GENERATED.find((d) => d.file === file);
  if (generated) return squash(blockText(generated));
  const raw = readFileSync(path.join(DOCS, file), 'utf8');
  return squash(file.endsWith('.html') ? cheerio.load(raw).root().text() : raw);
}

interface DocFact {
  fact: string;
  document: string;
  quote: string;
}
const DOCUMENT_FACTS: DocFact[] = [
  { fact: '明德软件由钱文华于2012年在南京创办。', document: 'mingde-acquisition.html', quote: '明德软件由钱文华于2012年在南京创办' },
  { fact: '云杉数据的英文名是 Spruce Data;明德软件的英文名是 Mingde Software。', document: 'mingde-acquisition.html', quote: '云杉数据科技有限公司(Spruce Data)' },
  { fact: '云杉数据于2021年4月15日以1.2亿元收购明德软件。', document: 'mingde-acquisition.html', quote: '交易金额为1.2亿元人民币' },
  { fact: '云杉数据由周明远和林晓峰共同创立。', document: 'mingde-acquisition.html', quote: '由周明远和林晓峰共同创立' },
  { fact: '郑凯此前在明德软件负责基础设施。', document: 'mingde-acquisition.html', quote: '郑凯此前在明德软件负责基础设施' },
  { fact: '华夏零售集团的首席执行官是沈国栋,供应链副总裁是潘丽。', document: 'huaxia-partnership.html', quote: '首席执行官沈国栋表示' },
  { fact: '华夏零售有800家门店。', document: 'huaxia-partnership.html', quote: '800家门店' },
  { fact: '韩磊负责华夏零售的客户关系,年合同金额约600万元。', document: 'huaxia-partnership.html', quote: '每年的合同金额约为600万元' },
  { fact: '2025年上半年营收为4,800万元。', document: BOARD_REPORT.file, quote: '2025年上半年营收为4,800万元' },
  { fact: '蓬莱项目暂停,因为蓝海物流正在更换调度系统供应商。', document: BOARD_REPORT.file, quote: '蓝海物流正在更换调度系统供应商' },
  { fact: '青松医疗第二期款项80万元存在延迟支付风险。', document: 'qingsong-escalation.txt', quote: '将暂缓支付第二期款项80万元' },
  { fact: '青松医疗信息科主任是罗建国。', document: 'qingsong-escalation.txt', quote: '青松医疗信息科主任罗建国' },
  { fact: '与北辰云签订三年云服务协议,总金额450万元。', document: BOARD_REPORT.file, quote: '总金额为450万元' },
  { fact: '云杉数据获得2024年杭州数据创新奖。', document: BOARD_REPORT.file, quote: '获得了2024年杭州数据创新奖' },
  { fact: 'ISO 27001 认证审计在2025年11月。', document: 'engineering-weekly.md', quote: 'ISO 27001 认证审计定于2025年11月进行' },
  { fact: '东方银行首席风险官是赵国华。', document: DATA_SCIENCE_REVIEW.file, quote: '东方银行首席风险官赵国华' },
];
const CONFLICTS = [
  { subject: '天枢项目预算', record: { file: 'projects.csv', value: project('天枢').budgetCny }, document: { file: BOARD_REPORT.file, quote: '预算调整为350万元' } },
  { subject: '何欣的职位', record: { file: 'employees.csv', value: person('何欣').title }, document: { file: DATA_SCIENCE_REVIEW.file, quote: '何欣,云杉数据首席数据官' } },
];

// ---------------------------------------------------------------------------------------------
// Gold questions (written before any Chinese planner code; answers computed from the records)
// ---------------------------------------------------------------------------------------------

type Answer =
  | { type: 'number'; value: number }
  | { type: 'string'; value: string }
  | { type: 'set' | 'list'; value: string[] }
  | { type: 'boolean'; value: boolean }
  | { type: 'none'; value: null };
interface Question {
  intent: 'count' | 'list' | 'filter' | 'aggregate' | 'topn' | 'relationship' | 'temporal' | 'semantic' | 'hybrid' | 'unanswerable';
  question: string;
  answer: Answer;
  evidence: 'records' | 'documents' | 'both';
  source?: string;
  notes: string;
}
const n = (value: number): Answer => ({ type: 'number', value });
const s = (value: string): Answer => ({ type: 'string', value });
const set = (value: string[]): Answer => ({ type: 'set', value: [...value].sort(cmp) });
const list = (value: string[]): Answer => ({ type: 'list', value });
const none: Answer = { type: 'none', value: null };
const count = <T>(xs: T[], f: (x: T) => boolean): number => xs.filter(f).length;
const rec = (intent: Question['intent'], question: string, answer: Answer, notes: string): Question => ({ intent, question, answer, evidence: 'records', notes });
const doc = (intent: Question['intent'], question: string, answer: Answer, source: string, notes: string, evidence: Question['evidence'] = 'documents'): Question => {
  if (answer.type === 'string' && !documentText(source).includes(squash(answer.value))) problem(`key phrase "${answer.value}" is not in ${source}`);
  return { intent, question, answer, evidence, source, notes };
};
const zhang = person('张伟');

const QUESTIONS_ZH: Question[] = [
  // 多少 / 几个
  rec('count', '有多少个任务处于阻塞状态?', n(count(tasks, (t) => t.status === '已阻塞')), 'tasks.csv status = 已阻塞'),
  rec('count', '北京办公室有几名员工?', n(count(employees, (e) => e.office === '北京')), 'employees.csv office = 北京'),
  rec('count', '公司有多少名员工远程办公?', n(count(employees, (e) => e.remote)), 'employees.csv remote = true'),
  rec('count', '研发部有多少人?', n(count(employees, (e) => e.department === '研发部')), 'employees.csv department = 研发部'),
  rec('count', '一共有多少个项目?', n(projects.length), 'projects.csv rows'),
  rec('count', '张伟有多少个任务?', n(tasksOf(zhang).length), 'tasks assigned to 张伟, any status'),
  rec('count', '李娜有几个已完成的任务?', n(count(tasksOf(person('李娜')), (t) => t.status === DONE)), 'tasks of 李娜 with status 已完成'),
  rec('count', '有多少个任务已经逾期?', n(count(tasks, isOverdue)), `逾期 = status not 已完成 and due date before ${REFERENCE_DATE}`),
  rec('count', '有几个项目正在进行中?', n(count(projects, (p) => p.status === '进行中')), 'projects.csv status = 进行中'),
  rec('count', '天枢项目有多少个任务?', n(count(tasks, (t) => t.projectId === project('天枢').id)), 'tasks.csv project = 天枢'),
  rec('count', '有几家公司是云杉数据的客户?', n(count(companies, (c) => c.category === '客户')), 'companies.csv category = 客户'),
  rec('count', '有多少名员工直接向周明远汇报?', n(reportsOf(person('周明远')).length), 'employees.csv manager = 周明远'),
  rec('count', '2023年之后入职的员工有多少人?', n(count(employees, (e) => e.hireDate >= '2024-01-01')), '"2023年之后" = hired in 2024 or later (strictly after the year 2023)'),
  rec('count', '优先级为紧急的任务有几个?', n(count(tasks, (t) => t.priority === '紧急')), 'tasks.csv priority = 紧急'),
  // 哪些 / 列出
  rec('list', '哪些员工向张伟汇报?', set(names(reportsOf(zhang))), 'direct reports of 张伟'),
  rec('list', '列出所有处于暂停状态的项目', set(names(projects.filter((p) => p.status === '暂停'))), 'projects.csv status = 暂停'),
  rec('list', '哪些任务没有负责人?', set(titles(tasks.filter((t) => t.assigneeId === null))), 'tasks.csv assignee_id empty'),
  rec('list', '列出数据科学部的所有员工', set(names(employees.filter((e) => e.department === '数据科学部'))), 'employees.csv department = 数据科学部'),
  rec('list', '哪些员工在深圳办公室工作?', set(names(employees.filter((e) => e.office === '深圳'))), 'employees.csv office = 深圳'),
  rec('filter', '哪些优先级为紧急的任务尚未完成?', set(titles(tasks.filter((t) => t.priority === '紧急' && t.status !== DONE))), 'priority 紧急 and status not 已完成'),
  rec('list', '列出马超的所有任务', set(titles(tasksOf(person('马超')))), 'tasks assigned to 马超'),
  rec('list', '哪些员工没有任何任务?', set(names(employees.filter((e) => tasksOf(e).length === 0))), 'employees with no ASSIGNED_TO task'),
  rec('list', '有哪些客户公司?', set(names(companies.filter((c) => c.category === '客户'))), 'companies.csv category = 客户'),
  rec('filter', '哪些项目没有客户?', set(names(projects.filter((p) => p.clientId === null))), 'projects.csv client_id empty (internal projects)'),
  rec('filter', '已阻塞的任务有哪些?', set(titles(tasks.filter((t) => t.status === '已阻塞'))), 'tasks.csv status = 已阻塞'),
  // 谁 / 哪个
  rec('filter', '谁是首席技术官?', s(employees.find((e) => e.title === '首席技术官')!.name), 'employees.csv title = 首席技术官'),
  rec('relationship', '天枢项目的负责人是谁?', s(employeeById.get(project('天枢').ownerId)!.name), 'projects.csv owner of 天枢 (LEADS)'),
  rec('relationship', '北斗项目的客户是哪家公司?', s(companyById.get(project('北斗').clientId!)!.name), 'projects.csv client of 北斗 (CLIENT_OF)'),
  rec('relationship', '吴婷的经理是谁?', s(managerOf(person('吴婷')).name), 'employees.csv manager of 吴婷'),
  rec('relationship', '哪家公司被云杉数据收购了?', set(names(companies.filter((c) => c.acquiredById === 'C001'))), 'companies.csv acquired_by_id = C001'),
  rec('filter', '陈静的职位是什么?', s(person('陈静').title), 'employees.csv title'),
  rec('filter', '长城项目的预算是多少?', n(project('长城').budgetCny), 'projects.csv budget_cny, in 元'),
  rec('relationship', '郑凯在哪个办公室工作?', s(person('郑凯').office), 'employees.csv office (WORKS_AT); offices are named by city'),
  rec('filter', '华夏零售集团的总部在哪个城市?', s(companies.find((c) => c.name === '华夏零售集团')!.hqCity), 'companies.csv hq_city'),
  // 最高 / 最多 / 前N / 最早 / 最年轻
  rec('topn', '薪资最高的员工是谁?', s(top(employees, (e) => e.salaryCny, 'salary').name), 'max salary_cny'),
  rec('topn', '哪个项目的预算最高?', s(top(projects, (p) => p.budgetCny, 'budget').name), 'max budget_cny'),
  rec('topn', '任务最多的员工是谁?', s(top(employees, (e) => tasksOf(e).length, 'tasks').name), 'most ASSIGNED_TO tasks, any status'),
  rec('topn', '最早入职的员工是谁?', set(names(employees.filter((e) => e.hireDate === [...employees].sort((a, b) => cmp(a.hireDate, b.hireDate))[0]!.hireDate))), 'min hire_date; the two founders share it (tie kept on purpose)'),
  rec('topn', '最年轻的员工是谁?', s(top(employees, (e) => -ageOrder(e), 'youngest').name), 'latest birth_date'),
  rec('topn', '预算最高的前三个项目是哪些?', list(topN(projects, 3, (p) => p.budgetCny, 'budget').map((p) => p.name)), 'top 3 by budget_cny, descending'),
  rec('topn', '年龄最大的员工是谁?', s(top(employees, ageOrder, 'oldest').name), 'earliest birth_date'),
  rec('topn', '最晚入职的员工是谁?', s(top(employees, (e) => Date.parse(e.hireDate), 'latest hire').name), 'max hire_date'),
  rec('topn', '预估工时最多的任务是哪个?', s(top(tasks, (t) => t.estimateHours, 'estimate').title), 'max estimate_hours'),
  rec('topn', '年薪最高的前3名员工是谁?', list(topN(employees, 3, (e) => e.salaryCny, 'salary').map((e) => e.name)), 'top 3 by salary_cny, descending'),
  // 平均 / 总共
  rec('aggregate', '所有项目的总预算是多少?', n(sum(projects.map((p) => p.budgetCny))), 'sum of budget_cny, in 元'),
  rec('aggregate', '研发部员工的平均年薪是多少?', n(avg(employees.filter((e) => e.department === '研发部').map((e) => e.salaryCny))), 'average salary_cny of 研发部, rounded to 2 decimals'),
  rec('aggregate', '阻塞任务的平均预估工时是多少?', n(avg(tasks.filter((t) => t.status === '已阻塞').map((t) => t.estimateHours))), 'average estimate_hours where status = 已阻塞, rounded to 2 decimals'),
  rec('aggregate', '进行中的项目预算总共是多少?', n(sum(projects.filter((p) => p.status === '进行中').map((p) => p.budgetCny))), 'sum of budget_cny where status = 进行中'),
  rec('aggregate', '天枢项目的任务一共需要多少预估工时?', n(sum(tasks.filter((t) => t.projectId === project('天枢').id).map((t) => t.estimateHours))), 'sum of estimate_hours of 天枢 tasks'),
  rec('aggregate', '员工的平均级别是多少?', n(avg(employees.map((e) => e.level))), 'average level, rounded to 2 decimals'),
  // 超过 / 低于 / 之前 / 之后 / 在2023年
  rec('filter', '哪些员工的年薪超过80万元?', set(names(employees.filter((e) => e.salaryCny > 800000))), 'salary_cny > 800000 (strict: 王海涛 with exactly 800000 is not included)'),
  rec('filter', '年薪低于30万元的员工有哪些?', set(names(employees.filter((e) => e.salaryCny < 300000))), 'salary_cny < 300000 (strict: 吴婷 with exactly 300000 is not included)'),
  rec('temporal', '哪些员工是在2020年之前入职的?', set(names(employees.filter((e) => e.hireDate < '2020-01-01'))), 'hire_date before 2020-01-01'),
  rec('temporal', '哪些员工在2023年入职?', set(names(employees.filter((e) => e.hireDate.startsWith('2023')))), 'hire_date in 2023'),
  rec('temporal', '截止日期在2025年7月的未完成任务有哪些?', set(titles(tasks.filter((t) => t.dueDate.startsWith('2025-07') && t.status !== DONE))), 'due_date in July 2025 and status not 已完成'),
  rec('filter', '预算超过200万元的项目有几个?', n(count(projects, (p) => p.budgetCny > 2000000)), 'budget_cny > 2000000'),
  rec('temporal', '哪些项目在2025年开始?', set(names(projects.filter((p) => p.startDate.startsWith('2025')))), 'start_date in 2025'),
  rec('filter', '预估工时低于10小时的任务有哪些?', set(titles(tasks.filter((t) => t.estimateHours < 10))), 'estimate_hours < 10'),
  rec('temporal', '2025年6月之前到期的未完成任务有几个?', n(count(tasks, (t) => t.status !== DONE && t.dueDate < '2025-06-01')), 'status not 已完成 and due_date before 2025-06-01'),
  // 向…汇报 / 负责
  rec('relationship', '张伟向谁汇报?', s(managerOf(zhang).name), 'manager of 张伟 (REPORTS_TO)'),
  rec('relationship', '谁负责长城项目?', s(employeeById.get(project('长城').ownerId)!.name), 'owner of 长城 (LEADS)'),
  rec('relationship', '何欣负责哪些项目?', set(names(projects.filter((p) => p.ownerId === person('何欣').id))), 'projects led by 何欣'),
  rec('relationship', '高远被分配了哪些任务?', set(titles(tasksOf(person('高远')))), 'tasks assigned to 高远'),
  rec('relationship', '向刘洋汇报的员工有哪些?', set(names(reportsOf(person('刘洋')))), 'direct reports of 刘洋'),
  rec('relationship', '罗佳怡的经理的经理是谁?', s(managerOf(managerOf(person('罗佳怡'))).name), 'two REPORTS_TO hops from 罗佳怡'),
  rec('relationship', '华夏零售集团是哪个项目的客户?', set(names(projects.filter((p) => companyById.get(p.clientId ?? '')?.name === '华夏零售集团'))), 'CLIENT_OF from 华夏零售集团'),
  rec('count', '向王海涛汇报的员工有几个?', n(reportsOf(person('王海涛')).length), 'direct reports of 王海涛'),
  // open questions over the articles and facts only the documents state
  doc('semantic', '什么是检索增强生成?', s('信息检索和大语言模型'), 'what-is-rag.md', 'definition in the first section'),
  doc('semantic', 'RAG相比微调有哪些优点?', s('不需要重新训练模型'), 'what-is-rag.md', 'the list of advantages; any of them is acceptable alongside the key phrase'),
  doc('semantic', '知识图谱如何帮助RAG处理结构化数据?', s('Cypher 查询'), 'what-is-rag.md', 'counting/ranking questions become Cypher queries'),
  doc('semantic', '什么是倒数排序融合?', s('1/(k+r)'), 'hybrid-search.html', 'the RRF formula'),
  doc('semantic', '中文全文检索如何工作?', s('分词'), 'hybrid-search.html', 'segmentation first (jieba or the cjk bigram analyzer)'),
  doc('semantic', '混合检索有哪些优点?', s('同义表达和精确术语'), 'hybrid-search.html', 'list of advantages'),
  doc('semantic', '明德软件是谁创立的?', s('钱文华'), 'mingde-acquisition.html', 'founder stated only in the news article'),
  doc('hybrid', '云杉数据收购明德软件花了多少钱?', n(companies.find((c) => c.name === '明德软件有限公司')!.acquisitionPriceCny!), 'mingde-acquisition.html', 'records: acquisition_price_cny 120000000; the article says 1.2亿元人民币', 'both'),
  doc('semantic', '为什么蓬莱项目暂停了?', s('更换调度系统供应商'), BOARD_REPORT.file, 'reason given in the board report'),
  doc('semantic', '青松医疗可能暂缓支付多少钱?', n(800000), 'qingsong-escalation.txt', '"第二期款项80万元" = 800000 元'),
  doc('semantic', '华夏零售集团的首席执行官是谁?', s('沈国栋'), 'huaxia-partnership.html', 'only in the press release'),
  doc('semantic', '2025年上半年的营收是多少?', n(48000000), BOARD_REPORT.file, '"4,800万元" = 48000000 元'),
  doc('hybrid', 'Spruce Data是哪家公司?', s('云杉数据科技有限公司'), 'mingde-acquisition.html', 'the alias stated as 云杉数据科技有限公司(Spruce Data)', 'both'),
  doc('semantic', '东方银行的首席风险官是谁?', s('赵国华'), DATA_SCIENCE_REVIEW.file, 'only in the data science review'),
  // not in the knowledge base
  rec('unanswerable', '云杉数据的股价是多少?', none, 'the company is not listed; no share price anywhere'),
  rec('unanswerable', '周明远有几个孩子?', none, 'no family data'),
  rec('unanswerable', '星图智能有多少个客户?', none, 'only its employee count and city are recorded'),
  rec('unanswerable', '2026年的营收预测是多少?', none, 'no forecast for 2026 in any document'),
  rec('unanswerable', '东方银行的行长是谁?', none, 'only its chief risk officer is named'),
  rec('unanswerable', '李娜的绩效评分是多少?', none, 'no performance ratings'),
];

// ---------------------------------------------------------------------------------------------
// facts.json
// ---------------------------------------------------------------------------------------------

const statusCounts = (ts: Task[]): Record<string, number> => Object.fromEntries(TASK_STATUSES.map((st) => [st, count(ts, (t) => t.status === st)]));
const facts = {
  referenceDate: REFERENCE_DATE,
  counts: { companies: companies.length, offices: offices.length, employees: employees.length, projects: projects.length, tasks: tasks.length },
  employees: [...employees]
    .sort((a, b) => cmp(a.id, b.id))
    .map((e) => ({
      id: e.id,
      name: e.name,
      title: e.title,
      department: e.department,
      office: e.office,
      manager: e.managerId === null ? null : managerOf(e).name,
      directReports: names(reportsOf(e)),
      tasks: { total: tasksOf(e).length, ...statusCounts(tasksOf(e)), overdue: count(tasksOf(e), isOverdue) },
    })),
  projects: projects.map((p) => ({
    name: p.name,
    status: p.status,
    lead: employeeById.get(p.ownerId)!.name,
    client: p.clientId === null ? null : companyById.get(p.clientId)!.name,
    budgetCny: p.budgetCny,
    tasks: statusCounts(tasks.filter((t) => t.projectId === p.id)),
  })),
  taskStats: { byStatus: statusCounts(tasks), overdue: titles(tasks.filter(isOverdue)), unassigned: titles(tasks.filter((t) => t.assigneeId === null)) },
  documentFacts: DOCUMENT_FACTS,
  conflicts: CONFLICTS,
};

for (const f of [...DOCUMENT_FACTS, ...CONFLICTS.map((c) => ({ document: c.document.file, quote: c.document.quote }))]) {
  if (!documentText(f.document).includes(squash(f.quote))) problem(`"${f.quote}" is not in ${f.document}`);
}
if (problems.length > 0) {
  process.stderr.write(`${problems.length} problem(s):\n${problems.map((p) => '  - ' + p).join('\n')}\n`);
  process.exit(1);
}

// ---------------------------------------------------------------------------------------------
// Write (or compare)
// ---------------------------------------------------------------------------------------------

const check = process.argv.includes('--check');
const fontAvailable = existsSync(CJK_FONT);
const questionLines = QUESTIONS_ZH.map((q, i) => JSON.stringify({ id: `zq${String(i + 1).padStart(3, '0')}`, ...q })).join('\n') + '\n';
const outputs: Array<[string, Buffer | null]> = [
  [path.join(DOCS, BOARD_REPORT.file), fontAvailable ? await renderPdf(BOARD_REPORT, DOC_DATE, PDF_FONTS) : null],
  [path.join(DOCS, DATA_SCIENCE_REVIEW.file), await renderDocx(DATA_SCIENCE_REVIEW, DOC_DATE)],
  [path.join(BASE, 'facts.json'), Buffer.from(JSON.stringify(facts, null, 2) + '\n')],
  [QUESTIONS, Buffer.from(questionLines)],
];

/** Without the font, the committed PDF is checked by its text: every block of the spec must be in it. */
async function pdfHoldsSpec(file: string, spec: GeneratedDoc): Promise<boolean> {
  const pdfjs = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const pdf = await pdfjs.getDocument({ data: new Uint8Array(readFileSync(file)), useSystemFonts: false }).promise;
  let text = '';
  for (let p = 1; p <= pdf.numPages; p++) {
    const content = await (await pdf.getPage(p)).getTextContent();
    text += content.items.map((item) => ('str' in item ? item.str : '')).join('');
  }
  const squashed = squash(text);
  return blockText(spec)
    .split('\n')
    .every((line) => squashed.includes(squash(line)));
}

let stale = 0;
for (const [file, bytes] of outputs) {
  const rel = path.relative(ROOT, file);
  if (bytes === null) {
    if (!check) throw new Error(`${rel} needs a CJK font at ${CJK_FONT} (Debian: apt-get install fonts-wqy-zenhei, or set KGRAG_CJK_FONT)`);
    if (!existsSync(file) || !(await pdfHoldsSpec(file, BOARD_REPORT))) {
      stale++;
      process.stdout.write(`${rel}: out of date (checked by text: no CJK font here)\n`);
    }
  } else if (check) {
    if (!existsSync(file) || !readFileSync(file).equals(bytes)) {
      stale++;
      process.stdout.write(`${rel}: out of date\n`);
    }
  } else {
    writeFileSync(file, bytes);
    process.stdout.write(`${rel} (${bytes.length} bytes)\n`);
  }
}
if (check && stale > 0) {
  process.stdout.write('run: npx tsx scripts/make-examples-zh.ts\n');
  process.exit(1);
}
