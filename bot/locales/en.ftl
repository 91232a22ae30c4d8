# English interface. Keys must match zh.ftl (a test checks both files hold the same keys).

## Command menu (setMyCommands)
cmd-latest = The newest articles
cmd-full = An article in full: /full <id>
cmd-quotes = Who said what: /quotes <name or topic>
cmd-experts = The most-quoted experts
cmd-search = Find articles: /search <words>
cmd-subscribe = Get the daily digest
cmd-unsubscribe = Stop the daily digest
cmd-lang = 中文 / English
cmd-help = What I can do

## /start
start-greeting = Hello, { $name }!
start-about = I read the news for you. Every day I send a digest of the new articles, and any time you like I show an article in full and tell you who said what.
start-try = Try /latest for the newest articles, /quotes 曹良铉 for what someone said, or /help for everything.
start-subscribe-button = 🔔 Subscribe to the daily digest
start-unknown-link = That link points to something I no longer have. Here is what I can do instead:

## /help
help-title = What I can do
help-latest = /latest [n] — the newest articles (e.g. /latest 10; at most 20)
help-full = /full <id> — an article in full (e.g. /full { $id })
help-quotes = /quotes <name or topic> — who said what (e.g. /quotes 曹良铉, /quotes Yanghyeon Jo, /quotes supply chain)
help-quotes-article = /quotes <article id> — everyone quoted in one article (e.g. /quotes { $id })
help-experts = /experts — the most-quoted experts
help-search = /search <words> — find articles (e.g. /search 半导体)
help-subscribe = /subscribe, /unsubscribe — the daily digest
help-lang = /lang — switch between 中文 and English

## /subscribe, /unsubscribe
schedule-daily = every day at { $time } ({ $tz })
schedule-cron = on the schedule “{ $cron }” ({ $tz })
subscribe-done = Subscribed. Your digest arrives { $schedule } and holds the articles that come in from now on. /unsubscribe stops it.
subscribe-already = You are already subscribed: your digest arrives { $schedule }.
subscribe-resumed = Welcome back: your digest is on again and arrives { $schedule }.
unsubscribe-done = Unsubscribed: no more digests. /subscribe brings them back.
unsubscribe-none = You were not subscribed. /subscribe starts the daily digest.

## /latest
latest-empty = No articles yet. They appear here as soon as they are ingested.
latest-header = The newest articles ({ $count })
latest-full-button = { $n } · Full text
latest-quotes-button = { $n } · Quotes
latest-open = Full text: { $command }

## /full
full-usage = Which article? Send /full <id>, for example /full { $id }. /latest shows the ids.
full-unknown = I have no article with the id “{ $id }”. Article ids are 8 letters and digits, like { $example }: /latest shows the newest, /search <words> finds others.
full-photo-failed = (The picture could not be sent.)

## /quotes and /experts
quotes-usage = Whom or what are you looking for? For example /quotes 曹良铉, /quotes Yanghyeon Jo, /quotes 半导体, or an article id from /latest.
quotes-header = Quotes for “{ $query }”: { $from }–{ $to } of { $total }
quotes-person-header = { $name }: { $from }–{ $to } of { $total } quotes
quotes-article-header = Who said what in “{ $title }”: { $from }–{ $to } of { $total }
quotes-none = No quotes found for “{ $query }”.
quotes-suggest = Perhaps you mean one of these:
quotes-none-article = Nobody is quoted by name in “{ $title }”.
quotes-prev = ‹ Previous
quotes-next = Next ›
quotes-more = { $count } more — use the buttons below.
experts-header = The most-quoted experts
experts-count = { $quotes ->
    [one] one quote
   *[other] { $quotes } quotes
} in { $articles ->
    [one] one article
   *[other] { $articles } articles
}
experts-empty = No experts yet: nobody has been quoted by name in the ingested articles.
experts-hint = Tap a name for their quotes.

## /search
search-usage = What should I look for? For example /search 半导体 or /search supply chain.
search-header = Articles with “{ $query }”: { $total }
search-none = No article mentions “{ $query }”. /latest shows the newest ones.

## /lang
lang-button-zh = 中文
lang-button-en = English
lang-choose = Choose the interface language:
lang-set = Done: I speak English now.

## /stats (admins)
stats-title = Statistics
stats-articles = Articles: { $count }
stats-experts = Experts: { $count }
stats-quotes = Quotes: { $count }
stats-subscribers = Subscribers: { $active } active, { $paused } paused
stats-last-ingest = Last ingest: { $time } — { $files } files, { $added } added, { $updated } updated, { $failed } rejected
stats-no-ingest = Last ingest: none yet

## Digests (rendered once per language by the digest job)
digest-header = 📰 Digest · { $date } · { $count ->
    [one] 1 new article
   *[other] { $count } new articles
}
digest-more = …and { $count } more → /latest
digest-full-button = { $n } · Full text
digest-quotes-button = { $n } · Quotes

## /digest (admins)
digest-admin-busy = A digest run is already going; try again in a moment.
digest-admin-nothing = Nothing new for { $subscribers ->
    [one] the one active subscriber
   *[other] any of the { $subscribers } active subscribers
}: no digest queued.
digest-admin-done = Queued { $digests ->
    [one] 1 digest
   *[other] { $digests } digests
} for { $chats ->
    [one] 1 chat
   *[other] { $chats } chats
}{ $already ->
    [0] .
   *[other] {" "}({ $already } were queued before).
}
digest-admin-failed = The digest run failed: { $error }

## /stats: digest delivery (admins)
stats-outbox = Outbox: { $pending } pending, { $claimed } sending, { $sent } sent, { $failed } failed
stats-paused = Paused subscriptions: { $paused }
stats-last-digest = Last digest run: { $time } — { $digests } digest(s), { $enqueued } queued
stats-last-digest-failed = Last digest run: { $time } — failed: { $error }
stats-no-digest = No digest run yet.
stats-next-digest = Next digest: { $time }

## Everything else
unknown-command = I don't know { $command }. /help lists what I can do.
unknown-text = Send me a command: /help lists them. For example /latest, or /quotes 曹良铉.
button-stale = This button is out of date. Send the command again.
slow-down = That is a lot of messages at once. Give me a few seconds, then try again.
error-generic = Something went wrong on my side. Please try again in a moment.
