# 简体中文界面。键必须与 en.ftl 一致（有测试检查两个文件的键相同）。

## Command menu (setMyCommands)
cmd-latest = 最新文章
cmd-full = 阅读全文：/full <编号>
cmd-quotes = 谁说了什么：/quotes <人名或话题>
cmd-experts = 被引用最多的专家
cmd-search = 搜索文章：/search <关键词>
cmd-subscribe = 订阅每日摘要
cmd-unsubscribe = 取消订阅
cmd-lang = 中文 / English
cmd-help = 使用说明

## /start
start-greeting = 你好，{ $name }！
start-about = 我帮你读新闻：每天发送新文章的摘要；随时可以阅读任一文章的全文，并查看谁说了什么。
start-try = 试试 /latest 查看最新文章，/quotes 曹良铉 查看某人的言论，或 /help 查看全部功能。
start-subscribe-button = 🔔 订阅每日摘要
start-unknown-link = 这个链接指向的内容已不存在。你可以这样使用我：

## /help
help-title = 使用说明
help-latest = /latest [n] — 最新文章（例如 /latest 10；最多 20 篇）
help-full = /full <编号> — 阅读全文（例如 /full { $id }）
help-quotes = /quotes <人名或话题> — 谁说了什么（例如 /quotes 曹良铉、/quotes Yanghyeon Jo、/quotes 供应链）
help-quotes-article = /quotes <文章编号> — 一篇文章中引用的所有人（例如 /quotes { $id }）
help-experts = /experts — 被引用最多的专家
help-search = /search <关键词> — 搜索文章（例如 /search 半导体）
help-subscribe = /subscribe、/unsubscribe — 每日摘要
help-lang = /lang — 切换中文 / English

## /subscribe, /unsubscribe
schedule-daily = 每天 { $time }（{ $tz }）
schedule-cron = 按计划“{ $cron }”（{ $tz }）
subscribe-done = 订阅成功。摘要将于{ $schedule }送达，包含从现在起新收录的文章。发送 /unsubscribe 可取消。
subscribe-already = 你已经订阅了：摘要将于{ $schedule }送达。
subscribe-resumed = 欢迎回来：摘要已恢复，将于{ $schedule }送达。
unsubscribe-done = 已取消订阅，不再发送摘要。发送 /subscribe 可重新订阅。
unsubscribe-none = 你还没有订阅。发送 /subscribe 订阅每日摘要。

## /latest
latest-empty = 还没有文章。文章收录后会显示在这里。
latest-header = 最新文章（{ $count } 篇）
latest-full-button = { $n } · 全文
latest-quotes-button = { $n } · 引语
latest-open = 全文：{ $command }

## /full
full-usage = 要看哪篇文章？请发送 /full <编号>，例如 /full { $id }。/latest 会显示编号。
full-unknown = 没有编号为“{ $id }”的文章。文章编号由 8 个字母和数字组成，例如 { $example }：/latest 显示最新文章，/search <关键词> 可查找其他文章。
full-photo-failed = （图片无法发送。）

## /quotes and /experts
quotes-usage = 你想查找谁或什么话题？例如 /quotes 曹良铉、/quotes Yanghyeon Jo、/quotes 半导体，或 /latest 中的文章编号。
quotes-header = “{ $query }”的引语：第 { $from }–{ $to } 条，共 { $total } 条
quotes-person-header = { $name }：第 { $from }–{ $to } 条，共 { $total } 条引语
quotes-article-header = 《{ $title }》中谁说了什么：第 { $from }–{ $to } 条，共 { $total } 条
quotes-none = 没有找到“{ $query }”的引语。
quotes-suggest = 你是不是要找：
quotes-none-article = 《{ $title }》中没有引用具名人士的话。
quotes-prev = ‹ 上一页
quotes-next = 下一页 ›
quotes-more = 还有 { $count } 条，请用下面的按钮翻页。
experts-header = 被引用最多的专家
experts-count = { $quotes } 条引语，{ $articles } 篇文章
experts-empty = 还没有专家：已收录的文章中还没有引用具名人士。
experts-hint = 点击名字查看其引语。

## /search
search-usage = 要搜索什么？例如 /search 半导体 或 /search supply chain。
search-header = 包含“{ $query }”的文章：{ $total } 篇
search-none = 没有文章提到“{ $query }”。/latest 显示最新文章。

## /lang
lang-button-zh = 中文
lang-button-en = English
lang-choose = 请选择界面语言：
lang-set = 好的，现在使用中文。

## /stats (admins)
stats-title = 统计
stats-articles = 文章：{ $count }
stats-experts = 专家：{ $count }
stats-quotes = 引语：{ $count }
stats-subscribers = 订阅者：{ $active } 个有效，{ $paused } 个暂停
stats-last-ingest = 最近一次收录：{ $time } — { $files } 个文件，新增 { $added }，更新 { $updated }，拒绝 { $failed }
stats-no-ingest = 最近一次收录：尚无

## Digests (rendered once per language by the digest job)
digest-header = 📰 新闻摘要 · { $date } · { $count } 篇新文章
digest-more = ……另有 { $count } 篇 → /latest
digest-full-button = { $n } · 全文
digest-quotes-button = { $n } · 引语

## /digest (admins)
digest-admin-busy = 摘要任务正在运行，请稍后再试。
digest-admin-nothing = { $subscribers } 个有效订阅者都没有新内容：未排队任何摘要。
digest-admin-done = 已为 { $chats } 个聊天排队 { $digests } 份摘要{ $already ->
    [0] 。
   *[other] （其中 { $already } 个此前已排队）。
}
digest-admin-failed = 摘要任务失败：{ $error }

## /stats: digest delivery (admins)
stats-outbox = 发送队列：待发 { $pending }，发送中 { $claimed }，已发 { $sent }，失败 { $failed }
stats-paused = 暂停的订阅：{ $paused }
stats-last-digest = 最近一次摘要任务：{ $time } — { $digests } 份摘要，排队 { $enqueued } 条
stats-last-digest-failed = 最近一次摘要任务：{ $time } — 失败：{ $error }
stats-no-digest = 尚未运行过摘要任务。
stats-next-digest = 下一次摘要：{ $time }

## Everything else
unknown-command = 我不认识 { $command }。发送 /help 查看我能做什么。
unknown-text = 请发送命令：/help 列出全部命令。例如 /latest 或 /quotes 曹良铉。
button-stale = 这个按钮已过期，请重新发送命令。
slow-down = 消息太多了，请稍等几秒再试。
error-generic = 出了点问题，请稍后再试。
