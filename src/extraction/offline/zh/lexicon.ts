/**
 * Words of the Chinese language the recogniser relies on: heads that end organisation names and
 * named units, common surnames, and function words that make a statement negated or hedged.
 * General vocabulary only, never the names of one dataset.
 */

/** Legal forms and institution words: a name ending in one is an organisation without further evidence. */
export const ORG_STRONG_HEADS = [
  '股份有限公司', '有限责任公司', '有限公司', '公司', '集团', '控股', '银行', '证券', '保险', '基金', '大学', '学院', '医院',
  '研究院', '研究所', '实验室', '事务所', '协会', '委员会', '分行', '支行', '出版社', '电视台', '报社',
];
/** Industry words used as the tail of short company names (云杉数据, 青禾教育): an organisation when the rest looks like a name or a pattern needs one. */
export const ORG_WEAK_HEADS = [
  '科技', '数据', '软件', '智能', '医疗', '医药', '药业', '教育', '资本', '物流', '游戏', '互动', '航空', '汽车', '能源', '电子',
  '网络', '信息', '传媒', '文化', '娱乐', '食品', '乳业', '地产', '置业', '通信', '通讯', '电器', '制药', '生物', '云', '快运',
  '速运', '零售', '咨询', '投资', '创新', '动力', '健康', '视觉', '金融', '支付', '系统', '技术', '工业', '重工', '机械',
];
/** Named units of an organisation (云平台事业部, 华东销售团队): organisations when a pattern needs one. */
export const UNIT_HEADS = ['事业部', '事业群', '团队', '小组', '部门', '部', '组', '处', '网'];
/** Words that describe a company before its name (德国机器人公司库卡, 制造商普茨迈斯特): the name after them is an organisation. */
export const DESCRIPTORS = /(?:公司|集团|企业|制造商|厂商|供应商|品牌|平台|银行|机构|运营商|开发商)$/;
/** Honorifics after a person's name (蒋欣欣博士, 钟南山院士): not part of the name. */
export const HONORIFICS = /^(?:博士|先生|女士|院士|教授|老师|同志)/;
/** Parts of a place or an organisation that are not part of its name (广东省南部, 晨光文具总部). */
export const PLACE_TAILS = /(?:东南部|东北部|西南部|西北部|南部|北部|东部|西部|中部|北郊|南郊|东郊|西郊)$/;
export const ORG_TAILS = /(?:总部|分部)$/;

/** The 120 most common Chinese surnames (two-character ones first). */
export const SURNAMES = (
  '欧阳 司马 上官 诸葛 东方 皇甫 令狐 慕容 尉迟 公孙 ' +
  '王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 肖 田 董 袁 潘 于 蒋 蔡 余 杜 叶 程 苏 魏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 韦 付 傅 方 白 邹 孟 熊 秦 邱 江 尹 薛 闫 段 雷 侯 龙 史 陶 黎 贺 顾 毛 郝 龚 邵 万 钱 严 覃 武 戴 莫 孔 向 汤 常 温 康 施 文 牛 樊 葛 邢 安 齐 易 乔 伍 庞 颜 倪 庄 聂 章 鲁 岳 翟 殷 詹 申 耿 关 兰 焦 俞 左 柳 甘 祝 包 宁 尚 符 舒 阮 柯 纪 梅 童 凌 毕 单 季 裴 霍 涂 成 苗 谷 盛 曲 翁 冉 骆 蓝 路 游 辛 靳 管 柴 蒙 鲍 华 喻 祁 蒲 房 滕 屈 饶 解 牟 艾 尤 阳 时 穆 农 司 卓 古 吉 缪 简 车 项 连 芦 麦 褚 娄 窦 戚 岑 景 党 宫 费 卜 冷 晏 席 卫 米 柏 宗 瞿 桂 全 佟 应 臧 闵 苟 邬 边 卞 姬 师 和 仇 栾 隋 商 刁 沙 荣 巫 寇 桑 郎 甄 丛 仲 虞 敖 巩 明 佘 池 查 麻 苑 迟 邝'
).split(' ');

/** Negation and hedging before or inside a statement: "不再担任", "可能会收购", "计划与…合作", "是否". */
export const HEDGES = /不(?!仅|但|断|久|少|同|错)|没有|没|未(?!来)|并非|非(?!洲|常)|否认|可能|或将|或许|也许|传言|传闻|据传|据悉将|计划|打算|考虑|拟|是否|如果|若|假如|一旦|将要|即将|曾计划|有望|将(?=收购|与|和|加入|成为|担任|合作|创办|创立|入股)/;

/** A question: no statement is taken from it. */
export const QUESTION = /[?？]\s*$|^请问|吗[。.!?！？]?\s*$/;

/** Words that qualify a role (高级研究员, 供应链副总裁, 大客户经理): a role is such words, then a role phrase. */
export const ROLE_MODIFIERS = [
  '高级', '资深', '首席', '副', '助理', '执行', '常务', '轮值', '联席', '代理', '技术', '财务', '销售', '数据', '软件', '前端', '后端',
  '全栈', '算法', '产品', '项目', '市场', '营销', '人力资源', '人事', '行政', '大客户', '客户', '成功', '投资', '审计', '运维', '机器学习',
  '测试', '研发', '设计', '品牌', '公关', '法务', '信息', '科', '供应链', '运营', '工程', '内容', '招聘', '售前', '售后', '财务', '风险',
  '安全', '网络', '系统', '业务', '战略', '商务', '采购', '质量', '平台', '架构', '科学', '研究', '医学', '临床', '主治', '独立', '非执行',
];
