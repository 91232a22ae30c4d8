/**
 * Word lists for reading attribution in Chinese news, written in Simplified script; the reader
 * adds the Traditional forms once, on first use (see `withTraditional`).
 */
import { toTraditional } from "../names.js";

/** Speech and opinion verbs that attribute what follows to the subject before them. */
export const ZH_CUES = [
  "表示", "认为", "指出", "强调", "透露", "坦言", "警告", "分析", "预计", "提到", "直言", "回应",
  "相信", "承认", "否认", "补充", "写道", "声称", "宣称", "称", "说", "呼吁", "指称", "预期",
  "估计", "建议", "解释", "介绍", "谈到", "重申", "坚称", "形容", "批评", "指责", "质疑", "担心",
  "证实", "披露", "宣布", "要求", "敦促", "反驳", "回忆", "举例", "感叹", "直指", "表态", "主张",
  "告诉", "提醒", "抱怨", "承诺", "提议", "嘲笑", "谴责", "驳斥", "喊话", "坦承", "预测", "判断",
  "说道", "问道", "回答", "评论", "反问", "笑称", "断言", "推测", "描述为", "形容为", "表明",
  "注意到", "觉得", "暗示", "预言", "提出", "指", "回击", "反呛", "表达", "担忧", "解读", "总结",
  "说出", "疾呼",
] as const;

/** Cues that may take their content with no comma in between ("拜登认为中国…"). */
export const ZH_DIRECT_CUES = [
  "表示", "认为", "指出", "强调", "透露", "坦言", "警告", "预计", "相信", "承认", "否认", "声称",
  "宣称", "称", "呼吁", "指称", "预期", "估计", "建议", "重申", "坚称", "形容", "批评", "指责",
  "质疑", "担心", "证实", "披露", "宣布", "要求", "敦促", "反驳", "直指", "提到", "谈到", "承诺",
  "提议", "嘲笑", "谴责", "驳斥", "直言", "预测", "判断", "断言", "推测", "描述为", "形容为",
  "表明", "暗示", "预言", "回击", "反呛", "表达", "担忧", "注意到", "觉得", "笑称", "说出",
] as const;

/** Cues weak enough that they count only with a named (or pronoun) subject before them. */
export const ZH_WEAK_CUES = ["要求", "宣布", "提出", "表达", "担忧", "担心", "觉得", "注意到", "指", "判断", "建议", "承诺", "提议", "介绍", "回答", "总结"] as const;

/**
 * Titles and occupations: the last one before a name ends the role ("…研究所教授曹良铉").
 * Longest first matters only for readability; the reader tries every one.
 */
export const ZH_TITLES = [
  "助理教授", "副教授", "教授", "客座教授", "讲座教授", "首席教授", "助理研究员", "副研究员", "研究员", "研究人员",
  "研究院", "学者", "主任", "副主任", "资深主任", "院长", "副院长", "创始院长", "执行院长", "所长", "执行长", "秘书长",
  "会长", "理事长", "董事长", "总裁", "副总裁", "总经理", "经理", "首席经济师", "经济师", "首席经济学家",
  "经济学家", "首席分析师", "分析师", "副总统", "总统", "总理", "首相", "副主席", "主席", "助理部长",
  "副助理部长", "部长", "外长", "外相", "国务卿", "助卿", "大使", "公使", "总领事", "领事", "发言人",
  "参议员", "众议员", "议员", "议长", "州长", "市长", "局长", "副司令", "司令", "上将", "中将", "少将",
  "将军", "事务官员", "官员", "国家安全顾问", "顾问", "联合创始人", "创始人", "创办人", "负责人", "合伙人",
  "作者", "评论员", "时评人", "媒体人", "记者", "律师", "主编", "总编辑", "编辑", "专家", "成员", "候选人",
  "领袖", "领导人", "书记", "主管", "高管", "团长", "校长", "作家", "导演", "法官", "检察官", "总干事",
  "特使", "幕僚", "助手", "社长", "博士", "医生", "人士", "代表", "外交官", "副手", "委员", "主持人",
  "船长", "渔民", "学生", "总监", "创始人兼首席执行官", "首席执行官", "行政总裁", "董事", "会员", "党员",
  "军官", "参谋长", "部长助理", "助理", "政委", "处长", "科长", "厅长", "司长", "主任委员", "执行董事",
] as const;

/** Polite suffixes written after a name ("阿德尔哈德特女士", "莫少平律师"). */
export const ZH_NAME_SUFFIXES = ["女士", "先生", "博士", "律师", "教授", "医生", "小姐", "太太", "总统", "议员", "大使", "主席"] as const;

/** A subject ending in one of these names an institution, a medium, a country or a document. */
export const ZH_ORG_ENDINGS = [
  "部", "府", "会", "院", "局", "署", "处", "办", "厅", "委员会", "政府", "白宫", "社", "报", "网", "台",
  "公司", "集团", "科技", "银行", "组织", "大学", "中心", "研究所", "基金会", "联盟", "党", "军", "方",
  "媒体", "报道", "报告", "声明", "文章", "公报", "法案", "起诉书", "数据", "资料", "调查", "民调", "当局",
  "国", "省", "市", "州", "机构", "协会", "学会", "法院", "舆论", "网站", "电视", "杂志", "期刊", "通讯社",
  "新闻", "部门", "议会", "国会", "参议院", "众议院", "内阁", "政权", "理事会", "时报", "日报", "邮报",
  "之音", "之声", "智库", "官网", "文件", "信", "书", "评论", "社论", "卫报", "欧盟", "联合国", "北约",
  "东盟", "美方", "中方", "北京", "华盛顿", "莫斯科", "东京", "首尔", "台北", "外界", "新华社", "路透社",
] as const;

/** Anonymous or collective human sources. */
export const ZH_UNNAMED_MARKERS = [
  "人士", "专家", "学者", "官员", "消息", "分析", "有人", "一位", "一名", "多名", "多位", "部分", "许多",
  "不少", "某", "批评者", "观察家", "网民", "网友", "民众", "居民", "知情", "发言人", "这位", "该名", "该位",
  "两位", "几位", "诸多", "有些", "一些", "业界", "外界", "内部", "工作人员", "人们", "作者", "议员们",
  "经济学家", "研究人员", "官方", "人员", "反对意见", "意见", "支持者", "反对者", "抗议者", "记者",
] as const;

/** Pronouns that stand for the most recent person who spoke. */
export const ZH_PRONOUNS = ["他", "她", "其", "此人", "对方"] as const;
export const ZH_PLURAL_PRONOUNS = ["他们", "她们", "两人", "二人", "两位", "双方"] as const;

/**
 * Framing words that sit between a connector and the subject, or between the subject and the
 * cue: adverbs and time expressions ("也", "近日", "9月2日", "周四").
 */
export const ZH_ADVERBS = [
  "也", "还", "则", "都", "亦", "均", "又", "更", "就", "再", "便", "即", "曾", "曾经", "已", "已经", "早已",
  "并", "仍", "仍然", "同时", "随即", "随后", "进一步", "特别", "明确", "直接", "公开", "一再", "多次",
  "再次", "反复", "坦率地", "私下", "不断", "甚至", "首先", "接着", "最后", "此前", "此后", "当时", "对此",
  "却", "只", "才", "向来", "一直", "始终", "同样", "近日", "日前", "最近", "近期", "早前", "稍早", "稍后",
  "今天", "昨天", "前天", "当天", "上周", "本周", "上月", "本月", "今年", "去年", "年初", "年底", "月初",
  "月底", "上星期", "同日", "当日", "早些时候", "过去", "之前", "先前", "事后", "会后", "当年", "后来",
  "则是", "更是", "也曾", "还曾", "亦曾", "都曾", "曾在", "其后", "日后", "近来", "目前", "如今", "现在",
  "大声", "进而", "强烈", "严厉", "公开地", "坦白", "直率地", "具体", "特意", "专门", "一度", "早在",
  "更早", "此外", "另外", "本人", "自己", "也在", "还在", "则在", "曾经在", "不久前", "日内", "今日",
  "仅", "仅仅", "只是", "则说", "都说", "则表示", "亲自", "本身", "同样也", "并且", "而且",
] as const;

/** Connectors that may open the clause before the subject. */
export const ZH_CONNECTORS = [
  "不过", "但是", "但", "而且", "而", "此外", "另外", "同时", "因此", "所以", "然而", "另一方面", "对此",
  "其中", "例如", "比如", "至于", "尽管如此", "据此", "与此同时", "再者", "其次", "首先", "最后", "其实",
  "事实上", "另", "也", "还", "则", "并", "又", "亦", "对于此", "相反", "相反的", "接着", "随后", "同样",
  "当然", "不但", "可是", "只是", "于是", "而在", "另一位", "另一名",
] as const;

const cache = new Map<readonly string[], string[]>();

/** The list plus the Traditional form of every entry that differs, longest first. */
export function withTraditional(words: readonly string[]): string[] {
  const hit = cache.get(words);
  if (hit !== undefined) return hit;
  const all = new Set<string>();
  for (const w of words) {
    all.add(w);
    all.add(toTraditional(w));
  }
  // Common Traditional spellings OpenCC's phrase tables may render differently in isolation.
  const list = [...all].sort((a, b) => b.length - a.length);
  cache.set(words, list);
  return list;
}

export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/gu, "\\$&");
}
