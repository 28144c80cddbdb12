"""What the inspection looks for in what was said: the script's steps (CALL-2, SCR-1, CALL-4), disclosure of
protected facts (PRV-1), who is on the line, and the other side's satisfaction (QA-1).

Chinese cues are regular expressions over the utterance normalised as the LANG-1 check reads it (simplified, case
folded, without spaces or punctuation) after homophones were restored (`homophones`); English cues over the
utterance in lower case with its words separated by single spaces. They were written from the policy's
wording and collection practice, and measured on the labelled calls under tests/quality/labelled
(`bench/qa_rules.py` prints precision and recall per rule).
"""

from __future__ import annotations

import re

__all__ = ["CN_NUMBER", "STEPS", "VOCABULARY", "Cues", "cues_for"]

STEPS = (
    "greeted",
    "purpose_stated",
    "identity_verified",
    "facts_stated",
    "consequences_stated",
    "ability_asked",
    "suggestion",
)

CN_NUMBER = r"(?:\d+|[零一二两三四五六七八九十百千万]+)"
_LOAN = r"(?:贷款|借款|信用卡|欠款|还款|账单|分期|车贷|房贷|消费贷|经营贷|月供|款项|账款|欠费|额度|这笔钱|那笔钱)"
_PAY = r"(?:还|还款|还上|还清|处理|支付|付款|付|结清|打款|存)"


class Cues:
    """The compiled cues of one language."""

    def __init__(self, table: dict[str, str]) -> None:
        self.patterns = {name: re.compile(source) for name, source in table.items()}

    def search(self, name: str, text: str) -> re.Match[str] | None:
        return self.patterns[name].search(text)


_ZH = {
    # greeted: a greeting and who is calling (SCR-1: open with who is calling and why)
    "greeting": r"(?:您好|你好|喂|早上好|上午好|下午好|晚上好|打扰|哈喽|hello|hi)",
    "self": r"(?:我是|这里是|这边是|我这边是|我们是|我姓|我叫|工号|我这里是)",
    "purpose": (
        rf"(?:关于|就是?|因为|是想|想跟您|想和您|来电|致电|打电话|打这个电话|联系您|联系你|找您|找你|通知|提醒|说一下|沟通|核实)"
        rf".{{0,14}}{_LOAN}"
        rf"|{_LOAN}.{{0,10}}(?:的事|的情况|这个事|问题)"
        r"|(?:你|您)(?:的|这个|那个|那笔|这笔|在我行的|在我们这的?|在我们平台的?)?.{0,6}"
        r"(?:贷款|借款|信用卡|卡|分期|车贷|房贷|消费贷|经营贷|账单|欠款)"
        r"|贷后|资产保全|催收|清收|法务部"
    ),
    "identity": (
        r"(?:请问|确认|核实|核对|验证|问一下|冒昧问).{0,12}(?:本人|身份|是不是|是否|您是|你是|身份证|后四位|后六位|出生|姓名|全名|机主)"
        r"|(?:您|你)是(?:那个)?[\u4e00-\u9fff]{1,5}(?:先生|女士|小姐|本人)?(?:吗|么|嘛|吧|对吧|是吧|对吗|是吗)"
        r"|^(?:喂|你好|您好)?[\u4e00-\u9fff]{2,4}(?:先生|女士|小姐)?(?:吗|吧|是吧)$"
        r"|(?:^|喂|你好|您好|请问)(?:是|您是|你是)(?:那个)?[\u4e00-\u9fff]{2,8}?(?:吗|吧|么|嘛)"
        r"|身份证(?:号码?)?(?:的)?(?:后|末)(?:四|4|六|6)位"
        r"|(?:是|请问)[\u4e00-\u9fff]{1,4}(?:先生|女士|小姐)?本人(?:吗|么|嘛)"
        r"|(?:报|说)一下(?:您|你)的(?:全名|姓名|身份证|出生)"
        r"|(?:请问|是|您是|你是)[\u4e00-\u9fff]{2,4}(?:先生|女士|小姐|同志|本人)?(?:吗|么|嘛)$"
        r"|(?:请问|是|您是|你是)[\u4e00-\u9fff]{2,4}(?:先生|女士|小姐|同志|本人)?(?:吗|么|嘛)(?:我是|这里是|这边是)"
    ),
    "facts": (
        rf"(?:逾期|拖欠|欠款|欠了?|超期|过期|延迟|没有?还|未还|到期).{{0,10}}{CN_NUMBER}(?:多|余)?(?:天|日|个月|期|元|块|万)"
        rf"|(?:应还|欠款|逾期金额|待还|未还|共计|总共|一共|合计|总额|金额|本金|本息|需要还|要还).{{0,8}}{CN_NUMBER}(?:多|余)?(?:元|块|万)"
        rf"|{CN_NUMBER}(?:多|余)?(?:元|块)(?:钱)?.{{0,8}}(?:逾期|没还|未还|欠款|拖欠|还没)"
    ),
    "consequences": (
        r"征信|信用记录|信用报告|信用评分|人行|央行系统|罚息|复利|滞纳金|违约金"
        r"|利息.{0,6}(?:增加|越来越|上涨|累计|继续|一直)"
        r"|(?:依法|法律程序|法律途径|诉讼|起诉|法院)"
        r"|影响.{0,8}(?:信用|贷款|买房|出行|办卡|以后)"
    ),
    "ability": (
        rf"(?:什么时候|啥时候|何时|哪天|多久|几号|能不能|能否|方便|打算|准备|计划|预计).{{0,12}}{_PAY}"
        r"|(?:能|可以|方便)(?:先)?(?:处理|安排|还|转|存|拿|补|凑|筹|付|交|结清|全额).{0,10}(?:吗|么|多少|是吧)"
        r"|(?:什么时候|啥时候|哪天|几号|多久|何时).{0,8}(?:能|到账|回来|结|补|发工资|缓过来)"
        r"|能(?:拿出|拿|挣|转|存|还|凑|筹)多少|给(?:个|我)?(?:准话|具体时间|时间)"
        r"|还款能力|收入|困难|经济状况|经济情况|资金|周转|能还多少|还多少|有没有能力|怎么安排|什么情况|为什么没还|什么原因"
    ),
    "suggestion": (
        r"分期|分[\d三四五六两]期|一次性|全额|结清|还清|展期|延期|延长|还款计划|最低还款|先还一部分|部分还款|协商|减免|方案"
    ),
    # Spoken intimidation (LANG-1) beyond the list's phrases: what angry collectors say in many words. Judged on
    # the agent's lines only, and not where the clause is negated (我们不会联系您的家人).
    "threat_third_party": (
        r"(?:通讯录|通信录|联系人|亲戚朋友|亲朋好友|朋友圈|抖音|微信群|商会|横幅|海报|公告|大字报|贴到|贴在)"
        r".{0,16}(?:打|发|贴|挂|通知|知道|认识|看看|一遍|都)"
        r"|(?:打|发|贴|挂)(?:到|给|遍|在)?(?:你|您)(?:的)?(?:通讯录|通信录|亲戚|朋友|同事|小区|老家|单位|公司)"
        r"|(?:找|联系|通知|告诉|打给|去找|上门找)(?:你|您)(?:的)?(?:父母|爸妈|爸|妈|老婆|老公|媳妇|孩子|儿子|女儿|家里人|家里|老家|亲戚|领导|包工头|老板|同事|邻居)"
        r"|(?:家人|家里人|父母|爸妈|孩子|老婆|亲戚).{0,8}(?:来还|替你还|帮你还|跑不掉|跑不了|一个都|擦屁股)"
        r"|(?:起诉|告)(?:你|您)?(?:们)?(?:家里人|全家|家人|父母|老婆|孩子)|父债子还|全(?:公司|村|小区|单位|家)(?:人)?都知道|拉横幅|曝光"
        r"|村委会|村支书|居委会|同伙|连你一起|(?:你们?|你俩)都等着|群发|(?:挂|发|贴)到(?:微博|网上|朋友圈|抖音)|网上出名|连累"
        r"|(?:打|打电话|找|联系|告诉)(?:给)?(?:你|您)(?:的)?(?:老丈人|岳父|岳母|丈母娘|公公|婆婆|哥|姐|弟|妹|爹|娘|爱人|辅导员|学校|老师|科室)"
        r"|(?:邻居|物业|整栋楼|街坊).{0,8}(?:知道|发|贴)|大字报|让他替(?:你|您)还|去学校找"
    ),
    "threat_violence": (
        r"(?:带|叫|找)(?:几个|一帮|一群)?(?:兄弟|人).{0,10}(?:上门|上你家|去你家|堵|坐着|等着)|上(?:你|您)家门口"
        r"|(?:派|找|叫|带)(?:几个)?(?:人|兄弟).{0,6}(?:到|去|上)(?:你|您)(?:的)?(?:家|店|门口|单位|公司|学校|楼下)|兄弟几个"
        r"|(?:你|您)家住哪|我们在(?:你|您)那边有人|付出代价|别想过.{0,4}日子|砸(?:你|您|了你|烂|店|门|东西)|摔坏|门锁|胶水"
        r"|(?:哪个|什么)学校.{0,6}(?:知道|清楚)|不是这么客气|(?:不还|再不还|不然)(?:我们)?就?上门"
        r"|(?:腿|胳膊|手).{0,2}(?:断|打断)|出门小心|走夜路小心|有你好看|有你好受|让你好看|收拾(?:你|您)"
        r"|弄死|砍死|打死|废了你|卸你|(?:你|您)试试|堵(?:你|您)|对付(?:你|您)|(?:别怪我|对你|对您)不客气|不客气了"
    ),
    "insult": (
        r"废物|猪脑子|脑子有病|有病吧|穷鬼|没良心|良心|脸皮(?:真|这么)?厚|厚脸皮|不要脸|要点脸|还有脸|人渣|垃圾|(?:活得|做人|人生)(?:真|多|太)?失败|骗子|老赖|蛀虫"
        r"|活该|放屁|人品|没出息|白眼狼|不得好死|死皮赖脸|穷一辈子|什么东西|欠收拾|神经病|有病就去治|要饭|穷光蛋|八辈子|死猪"
        r"|畜生|王八蛋|混蛋|蠢|傻|白痴|智障|无赖|赖皮|败类|丢人|狗东西|狗日|走狗|狗一样|去死|滚(?:蛋|开|出去|远点)|给我滚|赶紧滚|贱"
    ),
    "false_legal": (
        r"坐牢|判刑|拘留|拘(?:你|您)|案底|经侦|(?:向|已经|我们).{0,6}报案|报案了|立案|通缉|抓(?:你|您|人)|带走|手铐|蹲监狱|进监狱|吃牢饭|刑事|传票|执行庭"
        r"|(?:你|您)(?:这|这个|这种)?.{0,6}(?:属于|就是|够|涉嫌|算)(?:诈骗|恶意透支|犯罪)|终身不能|跟着户口"
        r"|派出所.{0,12}(?:上门|带(?:你|您)|笔录|打过招呼)|这辈子(?:都)?别想"
        r"|黑名单|查封|冻结(?:你|您)?(?:的)?(?:所有)?(?:银行卡|工资|账户|财产)|政审|考公|当兵|限制高消费|限高|坐不了(?:飞机|高铁)"
        r"|失信被执行人.{0,8}(?:公布|名单)|执行局.{0,8}上门"
        r"|(?:法院|警察|公安).{0,10}(?:明天|马上|直接|上门|来抓|来找|带走)"
    ),
    "menace": r"看着办|等着瞧|走着瞧|等着看|后果自负|后悔|别怪我|掂量|等着吧|你等着|有(?:你|您)好|哭着求|周一见",
    "negated": r"(?:不会|不得|不能|不可以|没有|绝不|从不|不是要|并不|不用|不要担心|不存在|没有什么|不至于|不涉及)",
    # disclosure of protected facts (PRV-1)
    "debt": rf"逾期|拖欠|欠款|欠了|欠我们|欠银行|没还|未还|{CN_NUMBER}(?:多|余)?(?:元|块)|债务|欠钱|欠费",
    # the borrower's address, employer or ID number, told of them (他/她, the borrower) to someone else
    "address": r"(?:他|她|借款人)(?:的)?.{0,8}(?:地址|住在|家住|住址|小区|号楼|单元|门牌|户籍)",
    "employer": r"(?:他|她|借款人)(?:的)?.{0,8}(?:单位|公司|上班|工作的地方|厂里|老板|领导|同事)",
    "id_number": r"身份证号|证件号",
    # who is on the line (the other side's words)
    "affirm": r"^(?:是|对|嗯|恩|没错|是的|是我|我是|对的|对啊|是啊|哎|诶|好的|你说|您说|请讲|在)",
    # the other side saying their own name (我是范志勇): they are the person asked for
    "self_named": r"我(?:就)?是(?!他|她|你|您|说|不|在|想|要|个|这|那|问|谁|哪|银行)[\u4e00-\u9fff]{2,3}",
    "denial": r"^(?:不是|我不是|不对)",  # an answer to the identity question
    "deny": (
        r"^(?:你打错|打错)|打错了|没这个人|没有这个人|不认识(?:他|她|这个人)|(?:他|她)不在|我不是(?:他|她)"
        r"|我是(?:他|她)的?(?:老婆|妻子|老公|丈夫|爱人|妈|爸|母亲|父亲|儿子|女儿|哥|姐|弟|妹|同事|朋友|室友|房东|领导|家人|亲戚)"
    ),
    # satisfaction of the other side (QA-1)
    "complaint": r"投诉|举报|12378|银保监|金融监管|监管局|监管部门|消协|消费者协会|报警|曝光你们|告你们|起诉你们|12315|市长热线|12345",
    "anger": (
        r"烦死|烦不烦|有病|神经病|别再打|不要再打|别打了|凭什么|什么态度|你们这些|去死|他妈|妈的|混蛋|滚|骚扰|吃饱了撑|闭嘴|骗子|无耻|恶心|气死"
    ),
    "thanks": r"谢谢|感谢|多谢|辛苦|麻烦你了|麻烦您了|理解|好的好的|没问题|好嘞|明白了|一定还|会还的|放心",
}

_EN_NUMBER = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty|sixty|hundred|thousand)"
)
_EN = {
    "greeting": r"\b(?:hello|hi|good (?:morning|afternoon|evening)|hey)\b",
    "self": r"\b(?:this is|my name is|i am calling from|i'm calling from|calling from|i am \w+ from|i'm \w+ from|speaking from)\b",
    "purpose": (
        r"\b(?:calling|call|contacting|reach(?:ing)?|about|regarding|concerning)\b.{0,40}"
        r"\b(?:loan|credit card|card|account|payment|repayment|balance|debt|instalment|installment|bill)"
    ),
    "identity": (
        r"\b(?:am i speaking (?:to|with)|speaking with|is this|are you|can you confirm|could you confirm|please confirm|"
        r"(?:can|may|could) i (?:confirm|verify|check)|verify|"
        r"confirm your|last (?:four|4|six|6) digits|date of birth|full name)\b"
    ),
    "facts": (
        rf"\b{_EN_NUMBER} (?:days?|months?) (?:overdue|past due|late|behind)"
        rf"|\b(?:overdue|past due|outstanding|owe|owing|amount due|balance)\b.{{0,30}}(?:{_EN_NUMBER}|yuan|rmb)"
        rf"|\b(?:{_EN_NUMBER}) ?(?:yuan|rmb)\b"
    ),
    "consequences": (
        r"credit (?:record|report|history|score|reference)|penalty interest|late fee|compound interest"
        r"|interest (?:keeps|will keep|is) (?:growing|increasing|adding)|legal action|court|lawsuit"
    ),
    "ability": (
        r"\b(?:when can you|when could you|when will you|when do you|how much can you|how much could you|are you able to|"
        r"would you be able|will you be able|could you make|can you make|"
        r"can you pay|could you pay|what (?:is|has) (?:stopping|preventing)|difficult|difficulty|income|afford|"
        r"what happened|why (?:haven't|have not|didn't))\b"
    ),
    "suggestion": (
        r"\b(?:instal(?:l)?ment|payment plan|repayment plan|in full|full amount|pay it off|extension|defer|"
        r"minimum payment|part payment|partial payment|split)\b"
    ),
    "threat_third_party": (
        r"\b(?:call|tell|contact|visit|text|message)(?:ing)? (?:your|ur) (?:mother|mom|father|dad|parents|wife|husband|"
        r"sister|brother|kids|children|family|boss|employer|supervisor|manager|colleagues|neighbou?rs|contacts|friends)"
        r"|\bpost about you|\bpeople should know|\bneighbou?rhood (?:group|chat)"
        r"|everyone (?:you know|in your contacts)|(?:post|put) (?:it|your \w+) (?:online|on social media)"
    ),
    "threat_violence": r"\b(?:pay you a visit|some guys|watch your back|hurt|break|you'll see|try me)\b",
    "insult": r"\b(?:idiot|stupid|moron|loser|deadbeat|scum\w*|liar|thief|worthless|shameless|pathetic|trash|useless)\b",
    "false_legal": (
        r"\b(?:arrest you|be arrested|get arrested|under arrest|jail|jell|prison|handcuffs|police|criminal|warrant|"
        r"blacklist\w*|seize|freeze your)\b"
    ),
    "menace": r"\b(?:or else|you'll regret|you will regret|see what happens|don't say i didn't warn)\b",
    "negated": r"\b(?:not|never|won't|will not|don't|do not|no one will)\b",
    "debt": (
        r"\b(?:overdue|owes?|owing|debt|arrears|outstanding|unpaid|past due|missed (?:a |his |her )?payments?)\b"
        r"|\b\d[\d,.]* ?(?:yuan|rmb)\b|[$¥]\s?\d"
    ),
    "address": r"\b(?:his|her|their) (?:address|apartment|flat)\b|\b(?:he|she) lives (?:at|in|on)\b",
    "employer": r"\b(?:his|her) (?:employer|company|workplace|office|boss|manager|colleagues?)\b|\b(?:he|she) works (?:at|for)\b",
    "id_number": r"\b(?:id number|id card number|identity number)\b",
    "affirm": r"^(?:yes|yeah|yep|speaking|that's me|this is (?:he|she|me)|correct|right|sure|it's me|i am)\b",
    "self_named": r"\b(?:this is|i'm|i am|my name is) (?!his|her|the|a|calling)[a-z]+\b",
    "denial": r"^(?:no|nope|not me)\b",
    "deny": (
        r"\b(?:wrong number|not (?:him|her|here|home|available)|isn't (?:here|home|available)|no one|nobody|"
        r"don't know (?:him|her|anyone)|i'm (?:his|her)|this is (?:his|her) \w+|i am (?:his|her))\b"
    ),
    "complaint": r"\b(?:complain|complaint|report you|regulator|ombudsman|police|lawyer|sue you)\b",
    "anger": (
        r"\b(?:harass(?:ing|ment)?|stop calling|leave me alone|ridiculous|how dare|sick of|fed up|rude|"
        r"damn|hell|shut up|idiots?|scam)\b"
    ),
    "thanks": r"\b(?:thank|thanks|appreciate|grateful|understood|no problem|will pay|i'll pay)\b",
}

_COMPILED: dict[str, Cues] = {}


def cues_for(language: str) -> Cues:
    if language not in _COMPILED:
        _COMPILED[language] = Cues(_ZH if language == "zh" else _EN)
    return _COMPILED[language]


# The words whose homophones are restored before the rules read a Chinese utterance (see `homophones`); the key
# words of the prohibited-language list are added to these when an inspection is set up.
_VOCABULARY_WORDS = (
    "逾期 拖欠 欠款 还款 还钱 还清 结清 贷款 信用卡 借款 账单 征信 信用记录 罚息 复利 利息 滞纳金 违约金 "
    "法院 诉讼 起诉 律师 本人 身份 身份证 核实 确认 分期 一次性 全额 展期 延期 协商 还款计划 最低还款 "
    "投诉 举报 监管 谢谢 感谢 辛苦 理解 地址 住址 单位 公司 同事 领导 家人 家属 催收 银行 "
    "困难 收入 能力 方便 后果 影响 金额 本金 黑名单 坐牢 骗子 老赖 无赖 赖皮 厚脸皮 丢人 不要脸 看着办 后悔 通缉 "
    "拘留 白眼狼 不得好死 死皮赖脸 政审 大字报 丢人现眼 没出息 爱人 神经病 "
    "查封 通讯录 通信录 村委会 人渣"
)
VOCABULARY = tuple(_VOCABULARY_WORDS.split())
