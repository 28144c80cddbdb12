"""Word lists for the synthetic bank: surnames, given-name characters, regions, streets, company words.

All lists were written for this project. Surname weights are rough shares in per cent of the population
(the big five 王李张刘陈 hold about a third); they are normalised where they are used, so they need not sum
to 100. Pinyin is written without tones and only serves to build e-mail local parts.
"""

from __future__ import annotations

# (surname, pinyin, approximate share in per cent)
SURNAMES: tuple[tuple[str, str, float], ...] = (
    ("王", "wang", 7.1), ("李", "li", 7.0), ("张", "zhang", 6.7), ("刘", "liu", 5.4), ("陈", "chen", 4.5),
    ("杨", "yang", 3.1), ("黄", "huang", 2.4), ("赵", "zhao", 2.3), ("吴", "wu", 2.0), ("周", "zhou", 1.9),
    ("徐", "xu", 1.45), ("孙", "sun", 1.4), ("马", "ma", 1.3), ("朱", "zhu", 1.25), ("胡", "hu", 1.15),
    ("郭", "guo", 1.15), ("何", "he", 1.1), ("林", "lin", 1.0), ("高", "gao", 1.0), ("罗", "luo", 0.95),
    ("郑", "zheng", 0.85), ("梁", "liang", 0.85), ("谢", "xie", 0.7), ("宋", "song", 0.65), ("唐", "tang", 0.62),
    ("许", "xu", 0.6), ("韩", "han", 0.57), ("邓", "deng", 0.55), ("冯", "feng", 0.55), ("曹", "cao", 0.53),
    ("彭", "peng", 0.52), ("曾", "zeng", 0.5), ("肖", "xiao", 0.5), ("田", "tian", 0.47), ("董", "dong", 0.46),
    ("潘", "pan", 0.43), ("袁", "yuan", 0.43), ("蔡", "cai", 0.42), ("蒋", "jiang", 0.42), ("余", "yu", 0.41),
    ("于", "yu", 0.41), ("杜", "du", 0.4), ("叶", "ye", 0.4), ("程", "cheng", 0.39), ("魏", "wei", 0.38),
    ("苏", "su", 0.38), ("吕", "lv", 0.37), ("丁", "ding", 0.36), ("任", "ren", 0.35), ("卢", "lu", 0.34),
    ("姚", "yao", 0.34), ("沈", "shen", 0.33), ("钟", "zhong", 0.32), ("姜", "jiang", 0.32), ("崔", "cui", 0.31),
    ("谭", "tan", 0.3), ("陆", "lu", 0.3), ("范", "fan", 0.29), ("汪", "wang", 0.29), ("廖", "liao", 0.28),
    ("石", "shi", 0.28), ("金", "jin", 0.27), ("韦", "wei", 0.26), ("贾", "jia", 0.26), ("夏", "xia", 0.25),
    ("付", "fu", 0.25), ("方", "fang", 0.25), ("邹", "zou", 0.24), ("熊", "xiong", 0.24), ("白", "bai", 0.24),
    ("孟", "meng", 0.23), ("秦", "qin", 0.23), ("邱", "qiu", 0.22), ("侯", "hou", 0.22), ("江", "jiang", 0.22),
    ("尹", "yin", 0.21), ("薛", "xue", 0.2), ("闫", "yan", 0.2), ("段", "duan", 0.2), ("雷", "lei", 0.2),
    ("黎", "li", 0.19), ("史", "shi", 0.19), ("龙", "long", 0.19), ("陶", "tao", 0.18), ("贺", "he", 0.18),
    ("顾", "gu", 0.17), ("毛", "mao", 0.17), ("郝", "hao", 0.16), ("龚", "gong", 0.16), ("邵", "shao", 0.16),
    ("万", "wan", 0.16), ("覃", "qin", 0.15), ("武", "wu", 0.15), ("钱", "qian", 0.15), ("戴", "dai", 0.15),
    ("严", "yan", 0.15), ("莫", "mo", 0.14), ("孔", "kong", 0.14), ("向", "xiang", 0.14), ("常", "chang", 0.14),
    ("汤", "tang", 0.13), ("康", "kang", 0.12), ("易", "yi", 0.12), ("乔", "qiao", 0.11), ("赖", "lai", 0.11),
    ("欧阳", "ouyang", 0.04), ("上官", "shangguan", 0.01), ("司马", "sima", 0.01),
)  # fmt: skip

# Given-name characters as "字:pinyin" pairs; a given name is one or two of them.
_GIVEN = """
伟:wei 芳:fang 娜:na 敏:min 静:jing 丽:li 强:qiang 磊:lei 军:jun 洋:yang 勇:yong 艳:yan 杰:jie 娟:juan 涛:tao
明:ming 超:chao 霞:xia 平:ping 刚:gang 桂:gui 英:ying 华:hua 玉:yu 萍:ping 红:hong 鹏:peng 辉:hui 建:jian 国:guo
文:wen 斌:bin 宇:yu 浩:hao 凯:kai 晨:chen 婷:ting 雪:xue 琳:lin 晶:jing 欣:xin 颖:ying 佳:jia 慧:hui 倩:qian
亮:liang 成:cheng 波:bo 宁:ning 峰:feng 飞:fei 鑫:xin 博:bo 瑞:rui 泽:ze 轩:xuan 睿:rui 子:zi 梓:zi 涵:han
怡:yi 诗:shi 雨:yu 思:si 琪:qi 嘉:jia 乐:le 欢:huan 悦:yue 然:ran 彤:tong 萱:xuan 妍:yan 昊:hao 天:tian
宏:hong 志:zhi 海:hai 东:dong 春:chun 秋:qiu 冬:dong 兰:lan 梅:mei 菊:ju 莲:lian 燕:yan 凤:feng 云:yun
霖:lin 晓:xiao 小:xiao 永:yong 长:chang 庆:qing 福:fu 贵:gui 荣:rong 祥:xiang 生:sheng 德:de 富:fu 山:shan
松:song 柏:bai 竹:zhu 森:sen 柳:liu 桐:tong 楠:nan 枫:feng 兵:bing 俊:jun 帅:shuai 丹:dan 青:qing 蓝:lan
紫:zi 秀:xiu 珍:zhen 琴:qin 素:su 淑:shu 惠:hui 珠:zhu 翠:cui 莉:li 璐:lu 露:lu 瑶:yao 璇:xuan 婧:jing
雯:wen 薇:wei 蕾:lei 蓉:rong 岚:lan 曼:man 馨:xin 蕊:rui 洁:jie 清:qing 澜:lan 沁:qin 溪:xi 涓:juan 源:yuan
浩:hao 瀚:han 涛:tao 渊:yuan 航:hang 帆:fan 舟:zhou 毅:yi 刚:gang 坚:jian 健:jian 康:kang 安:an 宁:ning
泰:tai 和:he 顺:shun 兴:xing 旺:wang 盛:sheng 昌:chang 隆:long 鸿:hong 鹤:he 鹰:ying 骏:jun 驰:chi 腾:teng
翔:xiang 翼:yi 振:zhen 奋:fen 进:jin 立:li 新:xin 锋:feng 锐:rui 钢:gang 铭:ming 钧:jun 鑫:xin 铁:tie
光:guang 晖:hui 阳:yang 昕:xin 旭:xu 晗:han 景:jing 晴:qing 智:zhi 慧:hui 聪:cong 敬:jing 诚:cheng 信:xin
义:yi 礼:li 仁:ren 忠:zhong 孝:xiao 廉:lian 贤:xian 良:liang 善:shan 美:mei 秀:xiu 雅:ya 婉:wan 娴:xian
淑:shu 贞:zhen 洪:hong 涌:yong 潮:chao 汉:han 中:zhong 华:hua 民:min 家:jia 邦:bang 卫:wei 保:bao 全:quan
维:wei 继:ji 承:cheng 先:xian 启:qi 树:shu 培:pei 植:zhi 耕:geng 田:tian 野:ye 原:yuan 川:chuan 岩:yan
峻:jun 嵩:song 岳:yue 昆:kun 仑:lun 越:yue 超:chao 逸:yi 远:yuan 达:da 通:tong 畅:chang 舒:shu 悠:you
若:ruo 依:yi 可:ke 心:xin 怀:huai 念:nian 恩:en 爱:ai 宝:bao 珊:shan 琦:qi 瑾:jin 瑜:yu 璟:jing 琛:chen
君:jun 臣:chen 卿:qing 彬:bin 杉:shan 梁:liang 栋:dong 材:cai 森:sen 春:chun 夏:xia 晋:jin 秦:qin 楚:chu
玲:ling 琳:lin 霏:fei 霜:shuang 露:lu 冰:bing 凌:ling 冉:ran 苗:miao 芸:yun 芬:fen 茜:qian 莹:ying 菲:fei
"""


def _pairs(text: str) -> tuple[tuple[str, str], ...]:
    seen: dict[str, str] = {}
    for token in text.split():
        char, pinyin = token.split(":")
        seen.setdefault(char, pinyin)  # the list repeats a few characters; each counts once
    return tuple(seen.items())


GIVEN_CHARS: tuple[tuple[str, str], ...] = _pairs(_GIVEN)

# (region code, address prefix, short city name, rough weight). Real-format 6-digit administrative codes of
# city districts; the weight favours the big cities where most retail lending is booked.
REGIONS: tuple[tuple[int, str, str, float], ...] = (
    (110101, "北京市东城区", "北京", 2.0), (110105, "北京市朝阳区", "北京", 4.0), (110108, "北京市海淀区", "北京", 4.0),
    (310101, "上海市黄浦区", "上海", 2.0), (310104, "上海市徐汇区", "上海", 3.0), (310115, "上海市浦东新区", "上海", 5.0),
    (120101, "天津市和平区", "天津", 2.0), (500103, "重庆市渝中区", "重庆", 3.0),
    (440104, "广东省广州市越秀区", "广州", 2.5), (440106, "广东省广州市天河区", "广州", 3.5),
    (440304, "广东省深圳市福田区", "深圳", 3.0), (440305, "广东省深圳市南山区", "深圳", 3.5),
    (330102, "浙江省杭州市上城区", "杭州", 2.0), (330106, "浙江省杭州市西湖区", "杭州", 3.0),
    (320102, "江苏省南京市玄武区", "南京", 2.5), (320508, "江苏省苏州市姑苏区", "苏州", 2.5),
    (510104, "四川省成都市锦江区", "成都", 2.5), (510107, "四川省成都市武侯区", "成都", 3.0),
    (420106, "湖北省武汉市武昌区", "武汉", 3.0), (430102, "湖南省长沙市芙蓉区", "长沙", 2.5),
    (610113, "陕西省西安市雁塔区", "西安", 3.0), (370102, "山东省济南市历下区", "济南", 2.0),
    (370202, "山东省青岛市市南区", "青岛", 2.0), (410105, "河南省郑州市金水区", "郑州", 3.0),
    (350203, "福建省厦门市思明区", "厦门", 1.5), (350102, "福建省福州市鼓楼区", "福州", 1.5),
    (210102, "辽宁省沈阳市和平区", "沈阳", 2.0), (220102, "吉林省长春市南关区", "长春", 1.5),
    (230102, "黑龙江省哈尔滨市道里区", "哈尔滨", 1.5), (340104, "安徽省合肥市蜀山区", "合肥", 2.0),
    (360102, "江西省南昌市东湖区", "南昌", 1.5), (450103, "广西壮族自治区南宁市青秀区", "南宁", 1.5),
    (530102, "云南省昆明市五华区", "昆明", 1.5), (520102, "贵州省贵阳市南明区", "贵阳", 1.2),
    (130102, "河北省石家庄市长安区", "石家庄", 1.5), (140105, "山西省太原市小店区", "太原", 1.2),
    (620102, "甘肃省兰州市城关区", "兰州", 1.0), (150102, "内蒙古自治区呼和浩特市新城区", "呼和浩特", 0.8),
    (460105, "海南省海口市秀英区", "海口", 0.8), (640104, "宁夏回族自治区银川市兴庆区", "银川", 0.6),
)  # fmt: skip

STREETS: tuple[str, ...] = (
    "人民路", "解放路", "中山路", "建设路", "和平路", "新华路", "文化路", "胜利路", "光明路", "长江路", "黄河路", "朝阳路",
    "青年路", "工业路", "学院路", "花园路", "滨江路", "东风路", "友谊路", "幸福路", "迎宾大道", "世纪大道", "五一路", "延安路",
    "复兴路", "团结路", "振兴路", "公园路", "体育路", "府前街", "南大街", "北大街", "西大街", "东大街", "健康路", "春晖路",
    "金桥路", "银河路", "新村路", "湖滨路", "园林路", "沿河路", "望江路", "育才路",
)  # fmt: skip

ESTATES: tuple[str, ...] = (
    "阳光花园", "锦绣家园", "翠湖苑", "金色家园", "幸福里", "和谐小区", "书香园", "滨江华庭", "碧水湾", "绿城花园", "紫荆苑", "东方明珠苑",
    "万家丽园", "华府名苑", "丽景湾", "恒大名都", "世纪新城", "富丽花园", "春天里", "星河湾",
)  # fmt: skip

# Company names: <city><two brand characters><industry><legal form>, e.g. 杭州恒信科技有限公司.
BRAND_CHARS: str = "恒华鑫瑞诚信达金天中新博宏盛嘉汇联创智远通泰安永昌隆兴源润丰益祥和光明德佳美正"
INDUSTRIES: tuple[str, ...] = (
    "科技", "贸易", "电子", "建设工程", "餐饮管理", "物流", "信息技术", "文化传媒", "医疗器械", "教育咨询", "食品", "服装",
    "机械制造", "网络科技", "环保科技", "汽车服务", "商贸", "物业管理", "广告", "装饰工程", "农业发展", "生物科技", "电气设备", "软件",
    "印务", "家具", "建材", "旅游",
)  # fmt: skip
LEGAL_FORMS: tuple[tuple[str, float], ...] = (("有限公司", 0.82), ("股份有限公司", 0.1), ("有限责任公司", 0.08))

# Contact relations with weights; the second contact of a borrower is never a (second) spouse.
RELATIONS: tuple[tuple[str, float], ...] = (
    ("spouse", 0.27), ("parent", 0.25), ("sibling", 0.15), ("friend", 0.13), ("colleague", 0.09),
    ("child", 0.05), ("relative", 0.05), ("other", 0.01),
)  # fmt: skip
KIN_RELATIONS: tuple[str, ...] = ("parent", "sibling", "child")
