/**
 * General Chinese words and the English the planner's lexicon already understands. Only common
 * business and question vocabulary (员工 → employee, 工资 → salary, 截止日期 → due date, 多少 →
 * how many), never the names of one graph: labels, properties and relationship types are still
 * matched against the live catalog by the English grounding, through these glosses.
 */

export type ZhKind =
  /** A content word: a label, property, relationship or value word, glossed to English. */
  | 'word'
  /** A question word ("多少", "哪些", "谁"). */
  | 'q'
  /** A comparison before its number ("超过 10000"). */
  | 'cmp'
  /** A comparison after its number or date ("2023年之前", "10 以上"). */
  | 'post'
  /** A superlative or an aggregate ("最高", "平均"). */
  | 'super'
  /** A negation ("没有", "不"). */
  | 'neg'
  /** A preposition before its noun phrase, whose verb comes after ("向 X 汇报" → "report to X"). */
  | 'coverb'
  /** A request to list ("列出", "显示"). */
  | 'list'
  /** A classifier or particle that carries nothing the graph needs ("的", "名", "吗"). */
  | 'drop'
  /** Asks why or how: the graph holds no reasons, so such a question is never answered from it alone. */
  | 'open';

export interface ZhWord {
  kind: ZhKind;
  en: string;
}

const W = (en: string): ZhWord => ({ kind: 'word', en });

/** Content words: nouns, property words and verbs of business records. */
const CONTENT: Record<string, string> = {
  员工: 'employees', 职员: 'employees', 雇员: 'employees', 员工们: 'employees', 人员: 'people', 同事: 'colleagues',
  人: 'people', 人数: 'headcount', 员工人数: 'employee count', 员工数: 'employee count', 员工数量: 'employee count',
  经理: 'manager', 主管: 'manager', 上级: 'manager', 上司: 'manager', 领导: 'manager', 直属上级: 'manager', 老板: 'boss',
  下属: 'subordinates', 直接下属: 'subordinates', 手下: 'subordinates', 团队成员: 'subordinates', 团队: 'team',
  项目: 'projects', 任务: 'tasks', 工作项: 'tasks',
  公司: 'companies', 企业: 'companies', 机构: 'organizations', 组织: 'organizations', 集团: 'companies',
  客户: 'clients', 供应商: 'suppliers', 合作伙伴: 'partners', 竞争对手: 'competitors',
  产品: 'products', 订单: 'orders', 类别: 'category', 类型: 'type', 种类: 'category', 品类: 'category',
  办公室: 'offices', 办事处: 'offices', 分公司: 'offices', 办公地点: 'offices', 地点: 'location',
  部门: 'department', 城市: 'city', 国家: 'country', 地址: 'address', 总部: 'headquarters', 总部城市: 'hq city',
  工资: 'salary', 薪资: 'salary', 薪水: 'salary', 薪酬: 'salary', 年薪: 'salary', 月薪: 'salary', 收入: 'salary', 挣: 'earns', 赚: 'earns',
  截止日期: 'due date', 截止时间: 'due date', 到期日: 'due date', 到期日期: 'due date', 期限: 'deadline', 截止: 'due', 到期: 'due',
  状态: 'status', 优先级: 'priority', 优先: 'priority',
  职位: 'title', 职务: 'title', 职称: 'title', 头衔: 'title', 岗位: 'title', 角色: 'role',
  级别: 'level', 职级: 'level', 等级: 'level',
  入职日期: 'hire date', 入职时间: 'hire date', 入职: 'hired', 加入: 'joined', 雇佣: 'hired', 招聘: 'hired',
  预算: 'budget', 总预算: 'total budget', 开始日期: 'start date', 开始时间: 'start date', 开始: 'start', 启动: 'start',
  结束日期: 'end date', 结束时间: 'end date', 结束: 'end', 完成日期: 'end date',
  成立: 'founded', 创立: 'founded', 创办: 'founded', 创建: 'founded', 成立年份: 'founded year', 成立时间: 'founded year',
  行业: 'industry', 价格: 'price', 单价: 'unit price', 数量: 'quantity', 库存: 'stock',
  工时: 'estimate hours', 预计工时: 'estimate hours', 预估工时: 'estimate hours', 估计工时: 'estimate hours', 小时: 'hours',
  邮箱: 'email', 电子邮件: 'email', 邮件: 'email', 电话: 'phone', 网站: 'website', 网址: 'website',
  远程: 'remote', 远程办公: 'remote', 远程工作: 'remote', 名称: 'name', 名字: 'name', 姓名: 'name', 简称: 'short name',
  收购: 'acquired', 收购价格: 'acquisition price', 收购日期: 'acquisition date', 收购价: 'acquisition price',
  汇报: 'report', 报告: 'report', 负责: 'lead|responsible', 带领: 'lead', 领导的: 'led', 主导: 'lead', 管理: 'manage',
  分配: 'assigned', 分配给: 'assigned to', 指派给: 'assigned to', 指派: 'assigned', 承担: 'assigned',
  工作: 'work', 任职: 'work', 就职: 'work', 位于: 'located', 属于: 'part of', 依赖: 'depend on', 依赖于: 'depend on',
  阻塞: 'blocked', 合作: 'partner', 供应: 'supply', 购买: 'buy', 订购: 'order', 销售: 'sell',
  年份: 'year', 日期: 'date', 时间: 'date', 出生日期: 'birth date', 生日: 'birth date', 出生: 'born',
  逾期: 'overdue', 过期: 'overdue', 超期: 'overdue', 延期: 'overdue', 拖期: 'overdue',
  负责人: 'assignee|owner', 年龄: 'age', 岁数: 'age', 直接: 'directly', 经办人: 'assignee', 执行人: 'assignee', 成员: 'members',
};

/** Question words; each gloss is what the English question puts first. */
const QUESTION: Record<string, string> = {
  多少: 'how many', 几: 'how many', 几个: 'how many', 几名: 'how many', 几位: 'how many', 几家: 'how many', 几项: 'how many', 几条: 'how many', 多少个: 'how many', 多少名: 'how many', 多少位: 'how many', 多少家: 'how many', 多少项: 'how many',
  哪些: 'which', 哪个: 'which', 哪位: 'which', 哪家: 'which', 哪一个: 'which', 哪一位: 'which', 哪一家: 'which', 哪项: 'which', 哪几个: 'which', 哪几位: 'which', 哪几家: 'which', 哪: 'which',
  多久: 'how long', 多长时间: 'how long', 多少年: 'how long', 几年: 'how long',
  谁: 'who', 什么: 'what', 何时: 'when', 什么时候: 'when', 哪年: 'when', 哪一年: 'when',
};

const COMPARE_BEFORE: Record<string, string> = {
  超过: 'more than', 高于: 'more than', 大于: 'more than', 多于: 'more than', 多过: 'more than', 晚于: 'after', 早于: 'before',
  低于: 'less than', 少于: 'less than', 小于: 'less than', 不到: 'less than', 不足: 'less than',
  至少: 'at least', 不少于: 'at least', 不低于: 'at least', 不超过: 'at most', 不高于: 'at most', 至多: 'at most',
};

const COMPARE_AFTER: Record<string, string> = {
  之前: 'before', 以前: 'before', 前: 'before', 之后: 'after', 以后: 'after', 后: 'after', 以来: 'since', 起: 'since',
  以上: 'or more', 及以上: 'or more', 或以上: 'or more', 以下: 'or less', 及以下: 'or less', 或以下: 'or less',
};

const SUPERLATIVE: Record<string, string> = {
  最高: 'highest', 最多: 'most', 最大: 'largest', 最少: 'fewest', 最低: 'lowest', 最小: 'smallest',
  最早: 'earliest', 最晚: 'latest', 最新: 'newest', 最近: 'latest', 最年轻: 'youngest', 最年长: 'oldest', 最老: 'oldest', 最久: 'longest', 最长: 'longest', 最短: 'shortest',
  最贵: 'most expensive', 最便宜: 'cheapest', 平均: 'average', 总共: 'total', 总计: 'total', 合计: 'total', 总: 'total', 总和: 'total', 总额: 'total',
};

const NEGATION: Record<string, string> = { 不: 'not', 没有: 'no', 没: 'no', 未: 'not', 无: 'no', 非: 'not', 尚未: 'not', 还没有: 'no' };

const COVERB: Record<string, string> = { 向: 'to', 给: 'to', 跟: 'with', 与: 'with', 同: 'with', 由: 'by', 被: 'by', 对: 'to' };

const OPEN: string[] = ['为什么', '为何', '怎么', '怎样', '如何', '怎么样', '什么样', '原因', '理由', '意味着', '是什么意思'];

const LIST: string[] = ['列出', '列举', '显示', '给出', '找出', '查询', '查找', '告诉', '展示', '罗列'];

/** Particles, classifiers and filler: how the question is put, not what it is about. */
const DROP: string[] = (
  '的 地 得 了 吗 呢 吧 啊 呀 是 为 有 在 都 也 还 就 请 所有 全部 全体 一下 一共 共 共有 总共有 目前 当前 现在 现有 当中 其中 中 里 里面 之中 ' +
  '于 自 从 任何 处于 处在 需要 需 一 一共有 名 个 位 家 项 条 人次 份 和 及 以及 或 或者 并且 而且 且 那些 这些 那个 这个 该 分别 多 被 等 等等 呢 么 吗 已经 已 正在 曾 曾经 呢 按 按照 排名 排序 排列 依次 降序 升序'
).split(' ');

export const ZH_WORDS: Record<string, ZhWord> = Object.assign(
  {},
  Object.fromEntries(DROP.map((w) => [w, { kind: 'drop', en: '' }])),
  Object.fromEntries(Object.entries(CONTENT).map(([w, en]) => [w, W(en)])),
  Object.fromEntries(Object.entries(QUESTION).map(([w, en]) => [w, { kind: 'q', en }])),
  Object.fromEntries(Object.entries(COMPARE_BEFORE).map(([w, en]) => [w, { kind: 'cmp', en }])),
  Object.fromEntries(Object.entries(COMPARE_AFTER).map(([w, en]) => [w, { kind: 'post', en }])),
  Object.fromEntries(Object.entries(SUPERLATIVE).map(([w, en]) => [w, { kind: 'super', en }])),
  Object.fromEntries(Object.entries(NEGATION).map(([w, en]) => [w, { kind: 'neg', en }])),
  Object.fromEntries(Object.entries(COVERB).map(([w, en]) => [w, { kind: 'coverb', en }])),
  Object.fromEntries(LIST.map((w) => [w, { kind: 'list', en: 'list' }])),
  Object.fromEntries(OPEN.map((w) => [w, { kind: 'open', en: '' }])),
);

/**
 * States said in several ways; each group's words may stand for one another as stored values
 * (a question's "受阻" finds a stored "阻塞" or "已阻塞").
 */
const STATE_GROUPS: string[][] = [
  ['阻塞', '受阻', '堵塞', '卡住', '被阻塞', '阻止'],
  ['完成', '结束', '完结', '做完', '关闭', '交付'],
  ['进行中', '在做', '正在进行', '进展中', '执行中', '推进中'],
  ['未开始', '没开始', '尚未开始', '还没开始', '未启动', '待开始'],
  ['暂停', '搁置', '中止', '挂起'],
  ['取消', '作废'],
];
const STATE_OF = new Map(STATE_GROUPS.flatMap((g) => g.map((w) => [w, g] as const)));

/** Other ways a stored value may say a phrase: the aspect prefix 已 added or dropped, and the same state's other words. */
export function valueVariants(phrase: string): string[] {
  if (!/^\p{Script=Han}+$/u.test(phrase)) return [];
  const bare = phrase.replace(/^(已经|已|被)/, '').replace(/了$/, '');
  if (!bare) return [];
  const words = new Set([bare, ...(STATE_OF.get(bare) ?? [])]);
  const out = new Set<string>();
  for (const w of words) {
    out.add(w);
    out.add(`已${w}`);
  }
  out.delete(phrase);
  return [...out];
}

/** Stored status values that mean the work is finished ("已完成", "已关闭"): what "逾期" leaves out. */
export function isFinishedState(value: string): boolean {
  const bare = value.replace(/^(已经|已)/, '');
  return STATE_OF.get(bare)?.[0] === '完成' || bare === '取消';
}

const DIGITS: Record<string, number> = { 零: 0, 〇: 0, 一: 1, 二: 2, 两: 2, 三: 3, 四: 4, 五: 5, 六: 6, 七: 7, 八: 8, 九: 9 };

/** A Chinese numeral up to 99 ("三", "十二", "二十五"), or undefined. */
export function chineseNumber(s: string): number | undefined {
  if (!s || ![...s].every((c) => c in DIGITS || c === '十')) return undefined;
  const ten = s.indexOf('十');
  if (ten < 0) return s.length === 1 ? DIGITS[s] : undefined;
  const tens = ten === 0 ? 1 : DIGITS[s.slice(0, ten)];
  const ones = ten === s.length - 1 ? 0 : DIGITS[s.slice(ten + 1)];
  return tens === undefined || ones === undefined ? undefined : tens * 10 + ones;
}

/** Numerals written in Chinese before a classifier or after 前 ("前三名", "三名员工") as digits. */
export function arabicNumerals(text: string): string {
  return text.replace(/(?<!哪)(前|第)?([零〇一二两三四五六七八九十]{1,3})(?=名|位|个|家|项|条|人|年|天|月|周|小时)|(前)([零〇一二两三四五六七八九十]{1,3})/g, (m, ord, num, pre, num2) => {
    const n = chineseNumber(num ?? num2);
    if (n === undefined || ord === '第') return m;
    return `${ord ?? pre ?? ''}${n}`;
  });
}
