"""Chrome strings from the boilerplate seen on real portal pages (domain notes).
No report body may contain any of them. They are written with their colons
or full phrases, as chrome shows them; a report may well say 网站访问量达… in a
sentence, and that is text, not chrome."""

CHROME_STRINGS = [
    "您当前所在位置", "您当前的位置", "您所在的位置", "今天是", "农历", "无障碍版", "关怀版", "网站支持ipv6",
    "简体|", "| 繁体", "访问量:", "阅读次数:", "浏览次数:", "累计次数:", "字体:", "【字体", "字号:", "打印本页",
    "关闭窗口", "返回顶部", "关闭本页", "分享到:", "分享到：", "扫一扫在手机打开当前页", "手机扫一扫查看当前页面",
    "关联稿件:", "相关附件:", "相关稿件", "即将离开", "是否继续?", "网站标识码", "ICP备", "公网安备",
    "发布时间:", "发布日期:", "信息来源:", "索 引 号", "发布机构", "【文件有效】", "访问量：", "阅读次数：",
    "浏览次数：", "累计次数：", "字体：", "关联稿件：", "相关附件：", "发布时间：", "发布日期：", "信息来源：",
]


def chrome_in(text: str) -> list[str]:
    return [s for s in CHROME_STRINGS if s in text]
