"""Every user-visible string of the dashboard, in English and Chinese.

Pages call ``t("key", **values)``; the language lives in Streamlit's session state under
``"lang"`` ("en" or "zh"). Keeping both languages side by side in one table makes a missing
translation a test failure (``tests/test_dashboard.py`` checks that no entry is empty) rather
than an English word left in a Chinese page.
"""

from __future__ import annotations

import re
from typing import Any

from sim import measures
from sim.audit.findings import verdict_name
from sim.rules import REGISTRY

LANGS = ("zh", "en")
LANG_LABELS = {"zh": "中文", "en": "English"}
DEFAULT_LANG = "en"

STRINGS: dict[str, tuple[str, str]] = {
    # app shell
    "app.title": ("Scheme Lab", "社交电商激励模式实验室"),
    "app.tagline": ("Simulate social e-commerce incentive schemes and audit their pyramid risk.",
                    "仿真社交电商激励模式,审计其传销风险。"),
    "app.about": ("Agent-based simulation: every yuan passes through double-entry books. Results "
                  "are model outcomes under stated assumptions, not forecasts.",
                  "基于主体的仿真:每一分钱都记入复式账本。结果是在所述假设下的模型输出,不是预测。"),
    "nav.compare": ("Compare", "比较"),
    "nav.lab": ("Scenario lab", "场景实验室"),
    "nav.audit": ("Audit", "审计"),
    "nav.learn": ("Learn", "课堂"),
    "nav.sweeps": ("Sweeps", "参数扫描"),
    "nav.choose": ("Choose", "选型"),
    # shared controls
    "ctl.seed": ("Seed", "随机种子"),
    "ctl.seed_help": ("The same seed reproduces a run exactly.", "相同的种子精确复现同一次运行。"),
    "ctl.market_size": ("Market size (persons)", "市场规模(人)"),
    "ctl.days": ("Days", "天数"),
    "ctl.size_help": ("Persons in the market for every scenario on this page. Larger markets take "
                      "longer (about 1 s per 60,000 persons × 180 days).",
                      "本页所有场景的市场人口。市场越大运行越久(约每 6 万人 × 180 天 1 秒)。"),
    "ctl.scenario": ("Scenario", "场景"),
    "ctl.replicates": ("Replicates (Monte Carlo)", "重复次数(蒙特卡洛)"),
    "ctl.replicates_help": ("Runs per scenario with seeds seed, seed+1, …; more than one draws "
                            "5–95% bands around the median.",
                            "每个场景运行的次数(种子依次加一);多于一次时绘制中位数及 5–95% 区间。"),
    "ctl.running": ("Running {name} ({i}/{n})…", "正在运行 {name}({i}/{n})…"),
    "ctl.monte_carlo": ("replicates", "重复运行"),
    "ctl.user": ("(yours)", "(自定义)"),
    "err.scenario": ("This scenario cannot be run: {message}", "该场景无法运行:{message}"),
    "lim.note": ("This server runs up to {person_days:,} person-days per request (persons × days × "
                 "runs, a merchant counting as 100 persons; this one: {asked:,}) and runs needing "
                 "up to {memory} each.",
                 "本服务器每次请求最多运行 {person_days:,} 人·天(人数 × 天数 × 运行次数,每个商家按 100 "
                 "人计;本次:{asked:,}),每次运行最多占用内存 {memory}。"),
    "lim.person_days": ("This request is {asked:,} person-days (persons × days × runs, a merchant "
                        "counting as 100 persons), more than the {limit:,} this server runs per "
                        "request. Choose a smaller market, fewer days, fewer replicates or fewer "
                        "scenarios.",
                        "本次请求为 {asked:,} 人·天(人数 × 天数 × 运行次数,每个商家按 100 人计),超过本服务器"
                        "每次请求的上限 {limit:,}。请减小市场规模、天数、重复次数或场景数。"),
    "lim.memory": ("{name} needs about {asked} of memory for one run (its market size and contacts), "
                   "more than the {limit} this server allows per run. Choose a smaller market or "
                   "fewer contacts.",
                   "{name} 一次运行约需内存 {asked}(由市场规模和联系人数决定),超过本服务器每次运行的上限 "
                   "{limit}。请减小市场规模或联系人数。"),
    "lim.busy": ("The server is running {n} large requests for others; try again in a moment.",
                 "服务器正在为其他用户运行 {n} 个大型请求,请稍后再试。"),
    # families
    "family.retail": ("Retail", "零售"),
    "family.distribution": ("Distribution", "分销"),
    "family.membership": ("Membership", "会员"),
    "family.group_buying": ("Group buying", "团购"),
    "family.content_live": ("Content and live", "内容与直播"),
    "family.points_pools": ("Points and pools", "积分与奖池"),
    "family.channel": ("Channel", "渠道"),
    "family.user": ("Your scenarios", "自定义场景"),
    # the risk index's parts (sim.batch.RISK_METRICS), in points; names as in sim.audit.risk
    "kpi.metric": ("Metric", "指标"),
    "kpi.band": ("median (5–95%)", "中位数(5–95%)"),
    # compare page
    "cmp.title": ("Compare business models", "比较商业模式"),
    "cmp.intro": ("Pick scenarios to run side by side in the same market. Hover a chart for values.",
                  "选择要在同一市场中并排运行的场景。将鼠标悬停在图表上查看数值。"),
    "cmp.pick": ("Scenarios to compare", "要比较的场景"),
    "cmp.none": ("Pick at least one scenario.", "请至少选择一个场景。"),
    "cmp.kpis": ("Key figures", "关键指标"),
    "cmp.kpis_note": ("{n} run(s) per scenario, {size:,} persons, {days} days, seed {seed}.",
                      "每个场景 {n} 次运行,{size:,} 人,{days} 天,种子 {seed}。"),
    "cmp.growth": ("Growth", "增长"),
    "cmp.growth_measure": ("Measure", "口径"),
    "cmp.retention": ("Retention", "留存"),
    "cmp.retention_by_day": ("Share of everyone who joined still active, by day",
                             "所有加入者中仍活跃的比例(按日)"),
    "cmp.retention_after_joining": ("Still active k days after joining (D1, D7, D30, D90)",
                                    "加入 k 天后仍活跃的比例(次日、7 日、30 日、90 日)"),
    "cmp.payout": ("Payout ratio (cumulative rewards ÷ GMV)", "奖励支出率(累计奖励 ÷ 累计 GMV)"),
    "cmp.risk": ("Risk profile", "风险画像"),
    "cmp.risk_mean": ("Here each bar is the mean of the {n} replicates, part by part (the key "
                      "figures give the median).",
                      "此处每个条形为 {n} 次重复运行的逐项均值(关键指标表为中位数)。"),
    "cmp.risk_note": ("Each bar is a scenario's risk index: the weighted parts add up to 0–100. "
                      "A screening aid for comparing designs; the Audit page has the legal tests.",
                      "每个条形是一个场景的风险指数,由加权分项相加得到(0–100)。用于比较设计的筛查工具;"
                      "法律测试见审计页。"),
    "cmp.mechanisms": ("What each scenario models", "各场景的机制"),
    "cmp.market": ("Market", "市场"),
    "cmp.market_help": ("Every scenario runs in this market profile: the same persons, network, adverts, word "
                        "of mouth, purchase propensity, baseline churn and trust (scenarios/markets/). Pick "
                        "\"Each scenario's own market\" to run each in the market its file declares.",
                        "所有场景都在这个市场画像中运行:相同的人口、网络、广告、口碑、购买倾向、基础流失和信任"
                        "(scenarios/markets/)。选择“各场景自带的市场”则按各自文件声明的市场运行。"),
    "cmp.market_own": ("Each scenario's own market", "各场景自带的市场"),
    "cmp.market_one": ("Every scenario ran in the market \"{name}\": the same persons, network and seeds.",
                       "所有场景都在市场“{name}”中运行:相同的人口、网络和随机种子。"),
    "cmp.market_mixed": ("Each scenario ran in its own market, so differences below are partly the markets' "
                         "and not the models'. The markets differ in:",
                         "各场景在各自的市场中运行,下列差异部分来自市场而非商业模式本身。各市场的不同之处:"),
    "cmp.market_mixed_same": ("Each scenario ran in its own market; here the markets are the same.",
                              "各场景在各自的市场中运行;此处各市场相同。"),
    "cmp.download": ("Download key figures (CSV)", "下载关键指标(CSV)"),
    # choose page
    "cho.title": ("Choose a model to launch", "选型:该上线哪个模式"),
    "cho.intro": ("Which of these models should we launch, for this objective, in this market? Every model "
                  "runs in the same market with the same seeds, replicate by replicate, so the differences "
                  "are the models' and not chance.",
                  "在这个市场中,为了这个目标,应该上线哪个模式?所有模式在同一市场中、逐次使用相同的随机种子运行,"
                  "因此差异来自模式本身而非偶然。"),
    "cho.pick": ("Models to choose between", "候选模式"),
    "cho.objective": ("Objective", "目标"),
    "cho.objective_help": ("The measure to maximise over the horizon, or a weighted mix of measures.",
                           "在模拟期内要最大化的指标,或多个指标的加权组合。"),
    "cho.mix": ("Weighted mix", "加权组合"),
    "cho.weight_help": ("Weight of this measure in the mix. Each measure is divided by its typical size among "
                        "the models, so weights compare like with like; a negative weight counts against.",
                        "该指标在组合中的权重。各指标除以其在候选模式中的典型值,因此权重可相互比较;负权重表示越大越差。"),
    "cho.market_help": ("Every model runs in this market profile (scenarios/markets/).",
                        "所有模式都在这个市场画像中运行(scenarios/markets/)。"),
    "cho.horizon": ("Horizon (days)", "期限(天)"),
    "cho.replicates": ("Replicates per model", "每个模式的重复次数"),
    "cho.replicates_help": ("Seeds seed, seed+1, …, the same for every model (common random numbers).",
                            "种子依次为 seed、seed+1……,所有模式相同(共同随机数)。"),
    "cho.robustness": ("Robustness: the market's uncertain parameters", "稳健性:市场的不确定参数"),
    "cho.robustness_help": ("The ranking is redone at Latin-hypercube points over these ranges (the profile's "
                            "own ranges to start with). Points 0: no robustness check.",
                            "在这些范围内按拉丁超立方取点,逐点重新排名(初始为市场画像自带的范围)。取点数为 0 时不做稳健性检验。"),
    "cho.low": ("{name}: low", "{name}:下限"),
    "cho.high": ("{name}: high", "{name}:上限"),
    "cho.points": ("Points", "取样点数"),
    "cho.robust_seeds": ("Seeds at each point", "每点种子数"),
    "cho.robust_seeds_help": ("The first seeds of the replicates, at most as many as there are replicates.",
                              "取重复运行的前几个种子,不超过重复次数。"),
    "cho.run": ("Rank the models", "开始选型"),
    "cho.runs": ("the choice's runs", "选型运行"),
    "cho.press": ("Press \"Rank the models\" to run the choice (many runs: it can take a few minutes).",
                  "点击“开始选型”运行(需要多次运行,可能需要几分钟)。"),
    "cho.two": ("Pick at least two models.", "请至少选择两个模式。"),
    "cho.no_weights": ("Give at least one measure a weight.", "请至少为一个指标设置权重。"),
    "cho.too_short": ("D90 retention needs a horizon longer than 90 days; it is {days}.",
                      "90 日留存需要超过 90 天的期限;当前为 {days} 天。"),
    "cho.bad_range": ("Each range needs its low end below its high end.", "每个范围的下限必须小于上限。"),
    "cho.answer": ("The answer", "结论"),
    "cho.headline": ("{model} ranks first on {objective} in the market \"{market}\": it is the best on {p} of "
                     "the {n} common seeds (95% interval {lo}–{hi}).",
                     "在市场“{market}”中,{model}的{objective}排名第一:在 {n} 个共同种子中有 {p} 为最优"
                     "(95% 区间 {lo}–{hi})。"),
    "cho.launchable": ("{law}: not launchable (a breach): {blocked}. Highest-ranked launchable: {model}.",
                       "{law}:存在违反、不可上线:{blocked}。可上线的最高排名:{model}。"),
    "cho.launchable_all": ("{law}: no model breaches the law tested; highest-ranked: {model}.",
                           "{law}:没有模式违反所测法律;排名最高:{model}。"),
    "cho.nobody": ("none", "无"),
    "cho.not_launchable": ("not launchable", "不可上线"),
    "cho.method": ("{n} replicates per model with seeds {first}–{last}, {size:,} persons, {days} days. The "
                   "verdict is each model's most serious over its replicates: breach, warning, not triggered "
                   "or not applicable.",
                   "每个模式 {n} 次重复运行,种子 {first}–{last},{size:,} 人,{days} 天。结论取各模式在重复运行中"
                   "最严重的一项:违反、警示、未触及或不适用。"),
    "cho.mean": ("Mean {objective} (95% interval)", "{objective}均值(95% 区间)"),
    "cho.gap": ("Paired difference to the first (95% interval)", "与第一名的配对差(95% 区间)"),
    "cho.legal": ("Most serious audit verdict over the replicates, per jurisdiction",
                  "各法域在各次重复运行中最严重的审计结论"),
    "cho.table_note": ("Intervals come from the replicates' standard errors (t for means and paired differences, "
                       "Wilson for the probability of being best).",
                       "区间由各次重复运行的标准误得出(均值与配对差用 t 分布,最优概率用 Wilson 区间)。"),
    "cho.robust_title": ("Robustness over the market's uncertain parameters", "对市场不确定参数的稳健性"),
    "cho.robust_note": ("Each dot: a model's mean objective at one of {points} sampled markets ({seeds} common "
                        "seeds each), against one parameter.",
                        "每个点:某模式在 {points} 个取样市场之一中的目标均值(每点 {seeds} 个共同种子),横轴为其中一个参数。"),
    "cho.switch": ("The winner changes with {name}: mostly {below} at {at} or below, {above} above.",
                   "胜出者随{name}变化:不超过 {at} 时多为{below},以上多为{above}。"),
    "cho.no_switch": ("{model} wins across these ranges; no parameter changes the winner.",
                      "在这些范围内{model}始终胜出;没有参数改变胜出者。"),
    "cho.points_table": ("Every sampled market", "全部取样市场"),
    "cho.winner": ("Winner", "胜出者"),
    "cho.why": ("Why the first beats the second", "第一名为何胜过第二名"),
    "cho.flow": ("Ledger figure (mean per run)", "账本数据(每次运行均值)"),
    "cho.difference": ("Difference", "差额"),
    "cho.download": ("Download the choice (JSON)", "下载选型结果(JSON)"),
    # sweeps page
    "swp.title": ("Sweeps: replicates from the results store", "参数扫描:结果库中的重复运行"),
    "swp.intro": ("Sweeps run by `sim sweep` or `sim.run_many` and kept in the results store. Pick "
                  "one to see, per grid point, a metric's mean with its 95% confidence interval "
                  "and the 5–95% band of a daily series over its replicates.",
                  "由 `sim sweep` 或 `sim.run_many` 运行并保存在结果库中的参数扫描。选择一次扫描,查看每个"
                  "网格点上某项指标的均值及其 95% 置信区间,以及某个每日序列在各次重复运行间的 5–95% 区间。"),
    "swp.store": ("Results store (DuckDB file)", "结果库(DuckDB 文件)"),
    "swp.store_help": ("The stores in this server's results folder (the folder of $SCHEME_LAB_STORE, "
                       "else results/). Each is opened read-only for each read and closed again.",
                       "本服务器结果文件夹($SCHEME_LAB_STORE 所在文件夹,否则为 results/)中的结果库。"
                       "每次读取时以只读方式打开,读完即关闭。"),
    "swp.missing": ("No results store in {path}. Run a sweep first, e.g. `sim sweep retail_baseline "
                    "--param market.word_of_mouth=0.02,0.04`; it is stored there.",
                    "{path} 中没有结果库。请先运行一次参数扫描,例如 `sim sweep retail_baseline "
                    "--param market.word_of_mouth=0.02,0.04`,结果会存在那里。"),
    "swp.outside": ("{path} is not a results store in this server's results folder.",
                    "{path} 不是本服务器结果文件夹中的结果库。"),
    "swp.too_big": ("This sweep is too big to show here ({runs:,} runs × {days:,} days, about {size} "
                    "in memory; this server shows up to {limit}). `sim runs export` writes it as "
                    "Parquet files.",
                    "该扫描太大,无法在此显示({runs:,} 次运行 × {days:,} 天,约占内存 {size};本服务器"
                    "最多显示 {limit})。可用 `sim runs export` 导出为 Parquet 文件。"),
    "swp.locked": ("The results store {path} is in use by another process, most likely a sweep "
                   "still running (a store cannot be read while it is written). Reload when it ends.",
                   "结果库 {path} 正被另一个进程使用,多半是仍在运行的参数扫描(写入时无法读取)。"
                   "请在其结束后刷新。"),
    "swp.old_schema": ("{path} is not a results store this version can read (another schema, or "
                       "another kind of file). Pick a store written by this Scheme Lab.",
                       "{path} 不是本版本可读取的结果库(结构版本不同,或不是结果库文件)。"
                       "请选择由本版 Scheme Lab 写入的结果库。"),
    "swp.unreadable": ("The results store {path} could not be read.", "无法读取结果库 {path}。"),
    "swp.empty": ("The results store {path} holds no sweeps yet.", "结果库 {path} 中还没有参数扫描。"),
    "swp.col.id": ("Sweep", "扫描编号"),
    "swp.col.kind": ("Kind", "类型"),
    "swp.col.scenarios": ("Scenarios", "场景"),
    "swp.col.grid": ("Grid (parameter × values)", "网格(参数 × 取值数)"),
    "swp.col.replicates": ("Replicates", "重复次数"),
    "swp.col.runs": ("Runs stored", "已存运行"),
    "swp.col.status": ("Status", "状态"),
    "swp.col.created": ("Created (UTC)", "创建时间(UTC)"),
    "swp.col.point": ("Grid point", "网格点"),
    "swp.col.n": ("Runs (n)", "运行数(n)"),
    "swp.col.mean": ("Mean", "均值"),
    "swp.col.ci_low": ("95% CI low", "95% 置信区间下限"),
    "swp.col.ci_high": ("95% CI high", "95% 置信区间上限"),
    "swp.col.std": ("Std. dev.", "标准差"),
    "swp.kind.sweep": ("grid sweep", "网格扫描"),
    "swp.kind.sensitivity": ("sensitivity", "敏感性分析"),
    "swp.status.running": ("running", "运行中"),
    "swp.status.done": ("done", "已完成"),
    "swp.status.interrupted": ("interrupted", "已中断"),
    "swp.status.failed": ("failed", "失败"),
    "swp.pick": ("Sweep to show", "要查看的扫描"),
    "swp.no_runs": ("This sweep has no stored runs yet.", "该扫描还没有已保存的运行。"),
    "swp.loading": ("Reading the sweep from the store…", "正在从结果库读取扫描……"),
    "swp.about": ("{runs} runs: {points} grid point(s) × {replicates} replicate(s); {status}.",
                  "共 {runs} 次运行:{points} 个网格点 × {replicates} 次重复;{status}。"),
    "swp.partial": ("Only {stored} of {planned} planned runs are stored; `sim runs resume` finishes "
                    "the sweep.", "计划的 {planned} 次运行中只保存了 {stored} 次;`sim runs resume` 可以补完。"),
    "swp.metric": ("Metric", "指标"),
    "swp.summary": ("{metric} per grid point", "各网格点的{metric}"),
    "swp.ci_note": ("Mean over the replicates, with a t-based 95% confidence interval of the mean "
                    "(none with a single run). Every grid point ran the same seeds.",
                    "各次重复运行的均值,以及基于 t 分布的均值 95% 置信区间(只有一次运行时没有)。"
                    "所有网格点使用相同的随机种子。"),
    "swp.download": ("Download the summary of every metric (CSV)", "下载全部指标的汇总(CSV)"),
    "swp.daily": ("Daily series", "每日序列"),
    "swp.bands": ("{column} over time", "{column}随时间变化"),
    "swp.bands_note": ("Lines: the median over replicates; shaded: 5–95% of replicates.",
                       "线:各次重复运行的中位数;阴影:5–95% 的重复运行所在区间。"),
    "swp.too_many": ("{n} grid points: the first {shown} are drawn.", "共 {n} 个网格点,只绘制前 {shown} 个。"),
    "swp.effect": ("How {metric} moves with each parameter", "{metric}随各参数的变化"),
    "swp.effect_note": ("Points: the mean over replicates at each value of the parameter, one line "
                        "per combination of the other parameters; bars: the 95% confidence interval.",
                        "点:该参数每个取值下各次重复运行的均值,其他参数的每种组合各一条线;竖线:95% 置信区间。"),
    "swp.others": ("Other parameters", "其他参数"),
    "swp.all_runs": ("All runs", "全部运行"),
    "swp.no_params": ("This sweep varies no parameter.", "该扫描没有变动任何参数。"),
    # calibrate page
    "nav.calibrate": ("Calibrate", "校准"),
    "cal.title": ("Calibrate the market to a pilot", "用试点数据校准市场"),
    "cal.intro": ("Upload a pilot's observed series (or a comparable launch's) and fit the market's "
                  "parameters to it, with 95% intervals. The fitted market is a scenario file you can run, "
                  "compare and audit like any other.",
                  "上传试点(或可比上线项目)的观测序列,用它拟合市场参数并给出 95% 区间。拟合得到的市场是一个场景文件,"
                  "可以像其他场景一样运行、比较和审计。"),
    "cal.source": ("Data", "数据"),
    "cal.source.upload": ("Your pilot's CSV", "你的试点 CSV"),
    "cal.source.example": ("Example: Pinduoduo's active buyers, 2017–2021", "示例:拼多多活跃买家(2017–2021)"),
    "cal.upload": ("CSV file: date and any of new_customers, active, orders, gmv (read as data, never run)",
                   "CSV 文件:date 以及 new_customers、active、orders、gmv 中的任意列(仅作为数据读取,绝不执行)"),
    "cal.upload_first": ("Upload a CSV to start, or pick the example.", "请上传 CSV,或选择示例。"),
    "cal.bad_file": ("The file was not used: {message}", "未使用该文件:{message}"),
    "cal.columns": ("Columns: `date` (the last day of each period, YYYY-MM-DD); `new_customers` and `orders` "
                    "(sums over the period); `active` (active users on the date); `gmv` (yuan over the period); "
                    "`source` (text). An empty cell is a period not observed.",
                    "列:`date`(每期最后一天,YYYY-MM-DD);`new_customers` 与 `orders`(本期合计);`active`(该日活跃用户);"
                    "`gmv`(本期销售额,元);`source`(文本)。空单元格表示该期未观测。"),
    "cal.example_note": ("Trailing-twelve-month active buyers as Pinduoduo reported them, each row citing its "
                         "source (data/pinduoduo_active_buyers.csv). Bass p, q and the market potential are fitted "
                         "with churn held at 0; a fit takes a few minutes (2,300 days per run).",
                         "拼多多公布的过去十二个月活跃买家,每行注明来源(data/pinduoduo_active_buyers.csv)。"
                         "在流失率固定为 0 的条件下拟合 Bass p、q 与市场潜量;一次拟合需要几分钟(每次运行 2,300 天)。"),
    "cal.data": ("The data", "数据"),
    "cal.scenario": ("Market of scenario", "所用场景的市场"),
    "cal.fit": ("Parameters to fit", "要拟合的参数"),
    "cal.fit_help": ("Each is searched on a log scale within its range (logit for a probability); "
                     "population is the market the data come from (its potential).",
                     "每个参数在其范围内按对数尺度搜索(概率按 logit);人数指数据所属的市场(市场潜量)。"),
    "cal.population": ("Persons the data come from", "数据所覆盖的人数"),
    "cal.launch": ("Launch: the first day of the first period", "上线日:第一期的第一天"),
    "cal.size": ("Persons simulated (results are scaled to the population)", "仿真人数(结果按人口比例缩放)"),
    "cal.ranges": ("Search ranges", "搜索范围"),
    "cal.low": ("{name}: low", "{name}:下限"),
    "cal.high": ("{name}: high", "{name}:上限"),
    "cal.run": ("Fit", "拟合"),
    "cal.running": ("Fitting: engine run {done} of about {total}…", "正在拟合:第 {done} 次运行(约 {total} 次)……"),
    "cal.failed": ("The fit could not be made: {message}", "无法完成拟合:{message}"),
    "cal.press": ("Choose what to fit and press Fit.", "选择要拟合的参数后点击“拟合”。"),
    "cal.result": ("Fitted market", "拟合得到的市场"),
    "cal.col.parameter": ("Parameter", "参数"),
    "cal.col.key": ("Key", "键"),
    "cal.col.estimate": ("Estimate", "估计值"),
    "cal.col.low": ("95% interval, low", "95% 区间下限"),
    "cal.col.high": ("95% interval, high", "95% 区间上限"),
    "cal.col.unit": ("Unit", "单位"),
    "cal.about": ("{runs} engine runs in {seconds:.1f} s, seed {seed}; {population:,.0f} persons "
                  "(simulated {simulated:,}).", "共 {runs} 次引擎运行,用时 {seconds:.1f} 秒,种子 {seed};"
                  "{population:,.0f} 人(仿真 {simulated:,} 人)。"),
    "cal.method": ("Simulated method of moments: the engine is run at designed parameter values, a quadratic "
                   "through the runs gives each observed value's expectation, and the fit minimises the weighted "
                   "distance to the data. Intervals come from the sandwich covariance of that fit (the market's "
                   "randomness plus the runs' own noise); the joint 95% region is an ellipsoid on the log scale.",
                   "模拟矩估计:在设计的参数取值上运行引擎,用二次回归得到每个观测值的期望,再最小化与数据的加权距离。"
                   "区间来自该估计的三明治协方差(市场本身的随机性加上仿真运行的噪声);联合 95% 区域是对数尺度上的椭球。"),
    "cal.gof_ok": ("Goodness of fit: the data scatter about the fit as the market's randomness explains "
                   "(dispersion {dispersion:.2f}, p = {p:.2f}).",
                   "拟合优度:数据围绕拟合值的离散程度与市场随机性相符(离散度 {dispersion:.2f},p = {p:.2f})。"),
    "cal.gof_wide": ("Goodness of fit: the data scatter about the fit {dispersion:.1f} times more than the market's "
                     "randomness explains (p = {p:.3f}); the intervals include that misfit.",
                     "拟合优度:数据围绕拟合值的离散程度是市场随机性所能解释的 {dispersion:.1f} 倍(p = {p:.3f});"
                     "区间已计入这部分偏差。"),
    "cal.edge": ("{name} is at the edge of its search range: widen the range.",
                 "{name} 处于搜索范围的边界:请放宽范围。"),
    "cal.chart": ("{series}: data and fit", "{series}:数据与拟合"),
    "cal.chart_note": ("Dots: the data. Line: the fitted market's expected value. Band: where 95% of series "
                       "from the fitted market would fall (parameter uncertainty plus randomness).",
                       "点:数据。线:拟合市场的期望值。阴影:拟合市场产生的序列 95% 会落入的范围(参数不确定性加随机性)。"),
    "cal.observed": ("Observed", "观测值"),
    "cal.fitted": ("Fitted", "拟合值"),
    "cal.period": ("Period ending", "期末日期"),
    "cal.use": ("Use the fitted market", "使用拟合得到的市场"),
    "cal.use_note": ("Save it under your scenarios (it then appears on every page) or download it; from the "
                     "command line: `sim run FILE.toml`, `sim compare {base} FILE.toml`.",
                     "保存到自定义场景(之后在每个页面都会出现),或下载;命令行中:`sim run FILE.toml`、"
                     "`sim compare {base} FILE.toml`。"),
    "cal.save": ("Save to your scenarios", "保存到自定义场景"),
    "cal.saved": ("Saved {path}.", "已保存 {path}。"),
    "cal.download": ("Download the calibrated scenario (TOML)", "下载校准后的场景(TOML)"),
    "daily.rewards": ("Rewards paid per day (yuan)", "每日奖励支出(元)"),
    "daily.cash_held": ("Cash held by the platform (yuan)", "平台持有资金(元)"),
    "daily.platform_net": ("Platform net to date (yuan)", "平台累计净收入(元)"),
    "daily.liabilities": ("Liabilities owed (yuan)", "未付负债(元)"),
    "daily.churned": ("Left per day", "每日流失人数"),
    "daily.consumers": ("Customers", "顾客"),
    "daily.distributors": ("Participants (代理)", "代理"),
    "daily.leaders": ("Leaders (团长)", "团长"),
    "daily.new_customers": ("New customers per day", "每日新增顾客"),
    # axes
    "ax.day": ("Day", "天"),
    "ax.days_after_joining": ("Days after joining", "加入后天数"),
    "ax.share": ("Share", "比例"),
    "ax.value": ("Value", "数值"),
    "ax.scenario": ("Scenario", "场景"),
    "ax.part": ("Component", "分项"),
    "ax.points": ("Risk index points", "风险指数得分"),
    "ax.indicator": ("Indicator value", "指标值"),
    "ax.depth": ("Paid depth (links from trigger to payee)", "计酬层级(触发者到收款人的链接数)"),
    "ax.rewards_share": ("Share of rewards", "奖励占比"),
    "ax.people_share": ("Cumulative share of participants", "参与者累计占比"),
    "ax.cum_rewards": ("Cumulative share of rewards", "奖励累计占比"),
    "ax.cohort": ("Week they qualified", "取得资格的周"),
    "ax.mean_net": ("Mean net result (yuan)", "平均净收益(元)"),
    # lab page
    "lab.title": ("Scenario lab", "场景实验室"),
    "lab.intro": ("Change any parameter, run the edited model against the original with the same "
                  "seed, and save it as a new scenario file. Every field shows its unit and allowed "
                  "range; values are checked by the same loader as the command line.",
                  "修改任意参数,用相同种子把修改后的模型与原模型对比运行,并另存为新的场景文件。每个字段都标明"
                  "单位和允许范围;取值由与命令行相同的加载器检查。"),
    "lab.base": ("Start from", "基于场景"),
    "lab.upload": ("Or open a scenario file (TOML, read as data, never executed)",
                   "或打开场景文件(TOML,仅作为数据读取,绝不执行)"),
    "lab.uploaded": ("Loaded {name} from the uploaded file.", "已从上传文件载入 {name}。"),
    "lab.upload_bad": ("The uploaded file was not loaded: {message}", "上传的文件未能载入:{message}"),
    "lab.upload_big": ("{size:,} bytes; at most {limit:,}", "{size:,} 字节;最多 {limit:,}"),
    "lab.upload_not_utf8": ("not UTF-8 text", "不是 UTF-8 文本"),
    "lab.reset": ("Reset to the original", "恢复原值"),
    "lab.identity": ("Family, source and description", "类别、来源与说明"),
    "lab.invalid": ("Fix the field marked below before running or saving: {message}",
                    "运行或保存前请修正下方标出的字段:{message}"),
    "lab.valid": ("All values are valid. {n} changed from the original.",
                  "所有取值有效。与原场景相比修改了 {n} 处。"),
    "lab.changed": ("Changed: {keys}", "已修改:{keys}"),
    "lab.run": ("Run original and edited", "运行原场景与修改版"),
    "lab.broken": ("A saved scenario no longer loads and is not offered: {message}",
                   "一个已保存的场景无法加载,因此未列出:{message}"),
    "lab.stale": ("Values changed since the last run: press Run to compare again.",
                  "上次运行后取值已更改:请点击运行重新比较。"),
    "lab.diff": ("Edited vs original", "修改版 vs 原场景"),
    "lab.original": ("Original", "原场景"),
    "lab.edited": ("Edited", "修改版"),
    "lab.change": ("Change", "变化"),
    "lab.save": ("Save as a new scenario", "另存为新场景"),
    "lab.save_where": ("Saved as {path}: the file is named by the id.", "保存为 {path}:文件名取自标识。"),
    "lab.save_id": ("Id of the new scenario", "新场景的标识"),
    "lab.save_id_help": ("snake_case, and no other scenario's: the command line finds the file by it "
                         "(sim run scenarios/user/ID.toml) and heads its column with it (sim compare).",
                         "snake_case,且不与其他场景重复:命令行按它找到文件(sim run scenarios/user/ID.toml),"
                         "并以它作为列标题(sim compare)。"),
    "lab.save_name_en": ("English name", "英文名称"),
    "lab.save_name_zh": ("Chinese name", "中文名称"),
    "lab.save_shipped": ("id: {id} is a shipped scenario's id; choose another.",
                         "id:{id} 是自带场景的标识,请另选一个。"),
    "lab.save_button": ("Save", "保存"),
    "lab.overwrite": ("Replace my earlier save", "替换我之前保存的版本"),
    "lab.saved": ("Saved {name} as {path}; it loads and validates. Every page offers it, marked "
                  "(yours).", "已将 {name} 保存为 {path},可正常加载并通过校验。各页面均可选用,标有(自定义)。"),
    "lab.save_exists": ("{path} exists; tick 'Replace my earlier save' to replace it.",
                        "{path} 已存在;勾选“替换我之前保存的版本”以替换。"),
    "lab.save_taken": ("{path} exists and was not saved by you in this session, so it is kept; "
                       "choose another id.",
                       "{path} 已存在,且不是你在本次会话中保存的,因此保留原文件;请另选一个标识。"),
    "lab.save_failed": ("Could not write {path}: {reason}", "无法写入 {path}:{reason}"),
    "lab.download": ("Download TOML", "下载 TOML"),
    "lab.list_help": ("Comma-separated numbers, e.g. 0.1, 0.05", "用逗号分隔的数字,例如 0.1, 0.05"),
    "lab.allowed": ("Allowed: {allowed}", "允许:{allowed}"),
    "lab.not_numbers": ("must be numbers separated by commas, got {value}",
                        "必须是用逗号分隔的数字,实际为 {value}"),
    "lab.section.market": ("Market", "市场"),
    "lab.section.retail": ("Retail", "零售"),
    "lab.section.churn": ("Churn", "流失"),
    "lab.rule": ("Rule: {name}", "规则:{name}"),
    # audit page
    "aud.title": ("Pyramid-risk audit", "传销风险审计"),
    "aud.intro": ("Findings per jurisdiction, each with the article it applies, the numbers that "
                  "triggered it and the evidence. A finding is a model-based indication for review, "
                  "not a legal opinion.",
                  "按法域列出的审计结论,每条都附适用条款、触发的数值和证据。结论是基于模型的风险提示,"
                  "供审阅参考,不构成法律意见。"),
    "aud.jurisdiction": ("Jurisdiction", "法域"),
    "aud.findings": ("Findings", "审计结论"),
    "aud.counts": ("{breach} breach, {warning} warning, {not_triggered} not triggered, {na} not applicable",
                   "违反 {breach} 项,警示 {warning} 项,未触及 {not_triggered} 项,不适用 {na} 项"),
    "aud.citation": ("Citation", "法条"),
    "aud.measured": ("Measured", "测得"),
    "aud.thresholds": ("Thresholds", "阈值"),
    "aud.evidence_static": ("Evidence from the rules (declared)", "规则证据(声明)"),
    "aud.evidence_dynamic": ("Evidence from the run", "运行证据"),
    "aud.risk": ("Risk index", "风险指数"),
    "aud.depth": ("Paid depth of rewards", "奖励计酬层级分布"),
    "aud.depth_none": ("This run paid no rewards.", "本次运行没有支付奖励。"),
    "aud.lorenz": ("Lorenz curve of participants' rewards", "参与者奖励的洛伦兹曲线"),
    "aud.lorenz_note": ("Gini {gini}; the top 1% of participants took {top} of rewards.",
                        "基尼系数 {gini};收入最高的 1% 参与者拿走了 {top} 的奖励。"),
    "aud.equality": ("Equal shares", "完全平均"),
    "aud.cohort": ("Net result by the week participants qualified", "按取得资格周统计的参与者净收益"),
    "aud.cohort_note": ("Net = rewards + fair value of goods received − everything paid. Bars below "
                        "zero are cohorts that lost money on average.",
                        "净收益 = 奖励 + 所得商品公允价值 − 全部支出。低于零的柱表示该批加入者平均亏损。"),
    "aud.share_losing": ("Share losing money", "亏损比例"),
    "aud.no_participants": ("This model has no participants who can earn.", "该模式没有可获得奖励的参与者。"),
    "aud.stress": ("Stress test: recruitment stops", "压力测试:停止招募"),
    "aud.stress_intro": ("The same run, except that nobody new joins after the stop day. Schemes "
                         "whose payouts come from new joiners collapse; retail-funded ones keep paying.",
                         "与原运行相同,只是在停止日之后不再有新人加入。奖励来自新人的模式会崩溃;"
                         "靠零售收入支付的模式会继续支付。"),
    "aud.stop_day": ("Stop recruiting on day", "停止招募日"),
    "aud.baseline": ("As run", "原运行"),
    "aud.stopped": ("Recruitment stopped", "停止招募"),
    "aud.report": ("Download the HTML report", "下载 HTML 报告"),
    "aud.context": ("For context: in an AARP survey (2018) about 47% of MLM participants lost money, "
                    "27% broke even and 25% profited; Taylor's study of 350 plans found 99% lose "
                    "money after costs.",
                    "参考:AARP 2018 年调查中约 47% 的多层次直销参与者亏损,27% 持平,25% 盈利;Taylor 对 "
                    "350 个计划的研究发现,计入成本后 99% 的参与者亏损。"),
    "aud.band": ("Band: **{band}**", "等级:**{band}**"),
    "aud.case_own": ("The decision this case encodes", "本案例所载的裁决"),
    "aud.case_nearest": ("The decided case it most resembles", "最相近的已决案例"),
    "aud.case_nearest_note": ("Nearest by declared facts and measured shares among the decided cases; each "
                              "element of the case's law is read off this scheme's own audit.",
                              "按声明事实与实测占比在已决案例中最相近者;该案例法域的每个要件均按本模式自身的审查结果读取。"),
    "aud.case_element": ("Element", "要件"),
    "aud.case_authority": ("The authority, in the case", "主管机关对该案例"),
    "aud.case_audit": ("The audit here", "本次审查"),
    "aud.case_side": ("Side by side", "对照"),
    "aud.case_sources": ("The decision's words and sources", "裁决原文与来源"),
    "aud.outranks": ("{n} finding(s) below are breaches: they outrank the index, whatever its band.",
                     "下列审查结论中有 {n} 项为违反:无论指数等级如何,都以违反为准。"),
    "aud.findings_json": ("Download these findings (JSON)", "下载这些审计结论(JSON)"),
    "aud.weight": ("Weight", "权重"),
    "aud.score": ("Score (0–1)", "得分(0–1)"),
    "aud.how": ("How it is scored", "计分方式"),
    "aud.rule": ("Rule", "规则"),
    "aud.fact": ("Declared fact", "声明事实"),
    "aud.depth_note": ("Deepest paid link: {max}; {deep} of rewards went two or more links above "
                       "the person who triggered them, and {team} are team pay (团队计酬) in all.",
                       "最深计酬层级:{max};{deep} 的奖励支付给了触发者上方两层及以上的人,团队计酬合计占 {team}。"),
    "aud.cohort_losing": ("In all, {share} of participants lost money.",
                          "总计 {share} 的参与者亏损。"),
    "aud.stress_short": ("The run is too short for a stress test.", "运行时间太短,无法做压力测试。"),
    "aud.stress_running": ("Rerunning with recruitment stopped…", "正在以停止招募的条件重新运行……"),
    "aud.daily_rewards": ("Rewards paid per day (yuan)", "每日奖励支出(元)"),
    "aud.payout_drop": ("Drop in daily payouts after the stop", "停止后日均奖励下降"),
    "aud.collapse": ("collapse: payouts depend on new joiners", "崩溃:奖励依赖新人加入"),
    "aud.no_collapse": ("no collapse", "未崩溃"),
    "jur.all": ("All", "全部"),
    "jur.cn": ("China", "中国"),
    "jur.us": ("United States", "美国"),
    "jur.eu": ("European Union", "欧盟"),
    # learn page
    "learn.title": ("Learn: why late joiners lose", "课堂:为什么后加入的人会亏"),
    "learn.intro": ("A small market of a few hundred people, stepped day by day. Each dot is a "
                    "person, placed under the person who recruited them and coloured by their net "
                    "result so far. Click a dot, or pick a number, to read that person's story.",
                    "一个只有几百人的小市场,逐日推进。每个点是一个人,位于推荐他的人下方,颜色表示其当前净收益。"
                    "点击一个点或选择编号,阅读此人的故事。"),
    "learn.people": ("People in the market", "市场人数"),
    "learn.step": ("Next day", "下一天"),
    "learn.week": ("Next 7 days", "前进 7 天"),
    "learn.play": ("Play", "播放"),
    "learn.pause": ("Pause", "暂停"),
    "learn.restart": ("Restart", "重新开始"),
    "learn.day": ("Day {day} of {days}", "第 {day} 天 / 共 {days} 天"),
    "learn.counts": ("{joined} of {size} people have joined; {participants} are participants, "
                     "{losing} of them losing money.",
                     "{size} 人中已有 {joined} 人加入;其中参与者 {participants} 人,{losing} 人亏损。"),
    "learn.tree": ("The recruitment tree", "推荐关系树"),
    "learn.tree_note": ("Top row: organisers and people who came on their own. Each row down is one "
                        "more recruitment link. Faded dots have left.",
                        "最上一行是组织者和自行加入的人;每往下一行多一层推荐关系。颜色变淡的点已经离开。"),
    "learn.net": ("Net result (yuan)", "净收益(元)"),
    "learn.depth": ("Recruitment links from the top", "距顶层的推荐层数"),
    "learn.order": ("Position in the tree", "树中位置"),
    "learn.pick": ("Read the story of person", "阅读此人的故事"),
    "learn.nobody": ("Nobody has joined yet: take a step.", "还没有人加入:请推进一天。"),
    "learn.story": ("Story of person {id}", "{id} 号的故事"),
    "learn.s.founder": ("Person {id} is one of the organisers who started the scheme on day 0.",
                        "{id} 号是第 0 天发起该模式的组织者之一。"),
    "learn.s.own": ("Person {id} found the platform on their own (adverts, search) on day {day}.",
                    "{id} 号在第 {day} 天通过广告或搜索自行加入。"),
    "learn.s.recruited": ("Person {id} was brought in on day {day} by person {sponsor} ({role}).",
                          "{id} 号在第 {day} 天由 {sponsor} 号({role})推荐加入。"),
    "learn.s.participant": ("They became a participant on day {day}, paying {entry:,.2f} yuan to qualify.",
                            "此人在第 {day} 天成为参与者,为取得资格支付了 {entry:,.2f} 元。"),
    "learn.s.customer": ("They shop as an ordinary customer and cannot earn rewards.",
                         "此人是普通顾客,不能获得奖励。"),
    "learn.s.team": ("Their team owner is person {owner}.", "此人所在团队的老板是 {owner} 号。"),
    "learn.s.money": ("In all they paid {paid:,.2f} yuan, received goods worth {value:,.2f} yuan and "
                      "earned {rewards:,.2f} yuan in rewards: a net result of {net:+,.2f} yuan.",
                      "此人共支付 {paid:,.2f} 元,获得价值 {value:,.2f} 元的商品,赚取奖励 {rewards:,.2f} 元:"
                      "净收益 {net:+,.2f} 元。"),
    "learn.s.left": ("They left on day {day}.", "此人在第 {day} 天离开。"),
    "learn.s.still": ("They are still active.", "此人仍然活跃。"),
    "learn.s.from": ("Where their rewards came from:", "此人的奖励来源:"),
    "learn.s.none": ("They have earned no rewards yet.", "此人还没有获得任何奖励。"),
    "learn.col.kind": ("Reward", "奖励类型"),
    "learn.col.trigger": ("Triggered by person", "触发者"),
    "learn.col.depth": ("Links away", "相隔层数"),
    "learn.col.day": ("Day", "日期"),
    "learn.col.amount": ("Yuan", "金额(元)"),
    "learn.saturation": ("Saturation: why late joiners lose", "饱和:为什么后加入的人会亏"),
    "learn.sat_text": (
        "A recruitment scheme pays early members out of what later members bring in. The market is "
        "finite: every new member uses up some of the people left to recruit. At first each member "
        "has a whole neighbourhood of friends who have not joined; later, most of the people they "
        "know are already in, or have said no. New joins per day rise, peak and fall, while every "
        "newcomer still pays the same entry price. The last people in have nobody left to recruit, "
        "so they cannot earn back what they paid, and because they are the most numerous, most "
        "participants lose money. The charts below show it in this run: joins per day against the "
        "share of the market already reached, and the average net result of each week's joiners.",
        "招募型模式用后加入者带来的钱支付先加入者。市场是有限的:每多一个成员,可以招募的人就少一些。"
        "起初每个成员身边有一整个社区的朋友尚未加入;后来,他们认识的人大多已经加入或已经拒绝。"
        "每日新增先上升、达到高峰、再下降,而每个新人仍要支付同样的入门价格。最后加入的人已无人可招,"
        "无法收回投入;而他们人数最多,所以大多数参与者亏损。下图展示本次运行中的情况:每日新增与已触达的"
        "市场比例,以及每周加入者的平均净收益。"),
    "learn.joins": ("New joiners per day", "每日新加入人数"),
    "learn.reached": ("Share of the market reached", "已触达的市场比例"),
    "learn.cohort": ("Average net result by the week participants qualified", "按取得资格周的参与者平均净收益"),
    # roles
    "role.consumer": ("customer", "顾客"),
    "role.distributor": ("participant (代理)", "代理"),
    "role.leader": ("leader (团长 / 老板)", "团长 / 老板"),
    "role.unaware": ("not joined", "未加入"),
    "role.founder": ("organiser", "组织者"),
    "learn.role": ("Role", "角色"),
    "learn.joined": ("Joined on day", "加入日"),
    "learn.sponsor": ("Recruited by", "推荐人"),
    "learn.person": ("Person", "人员"),
    "learn.left": ("Left", "已离开"),
    "learn.status": ("Status", "状态"),
    "learn.active": ("Active", "活跃"),
    # Learn: one person's story and who recruited them. Chinese says 此人 (this person), never
    # 他们 (they, plural); the engine's -1 sponsor (nobody) and -2 team owner (the platform's
    # top account, 链动2+1) are said in words.
    "learn.s.recruits_none": ("They have recruited no participants so far.", "此人至今没有直接推荐任何参与者。"),
    "learn.s.recruits_one": ("They recruited 1 participant.", "此人直接推荐了 1 名参与者。"),
    "learn.s.recruits": ("They recruited {n} participants.", "此人直接推荐了 {n} 名参与者。"),
    "learn.s.top_team": ("They sit in the team of the platform's own top account (顶级账号): no 老板 is above "
                         "them on the recruitment chain, so what their team would pay its owner stays with "
                         "the platform.",
                         "此人所在团队归平台的顶级账号:其推荐链上方没有老板,团队本应付给老板的奖励留归平台。"),
    "learn.by_founder": ("nobody: an organiser", "无(组织者)"),
    "learn.by_own": ("nobody: joined on their own", "无(自行加入)"),
    "learn.by_person": ("person {id}", "{id} 号"),
}

UNITS_ZH = {"persons": "人", "days": "天", "yuan": "元", "1/day": "每日", "yuan/order": "元/单",
            "units": "件", "contacts": "人", "yuan/day": "元/天", "points": "积分",
            "yuan/month": "元/月", "months": "月", "%": "%"}


def lang_of(state: Any) -> str:
    """The language chosen in a session state mapping, defaulting to English."""
    lang = state.get("lang", DEFAULT_LANG) if state is not None else DEFAULT_LANG
    return lang if lang in LANGS else DEFAULT_LANG


def current() -> str:
    import streamlit as st
    return lang_of(st.session_state)


def t(key: str, **values: Any) -> str:
    """The string ``key`` in the session's language, formatted with ``values``."""
    return text(key, current(), **values)


def text(key: str, lang: str, **values: Any) -> str:
    """The string ``key`` in ``lang``. Widgets' ``format_func`` use it with the language bound
    when the widget is drawn, since Streamlit may call them outside the page's run."""
    en, zh = STRINGS[key]
    out = zh if lang == "zh" else en
    return out.format(**values) if values else out


# ASCII punctuation: what Markdown (and Streamlit's :color[], :emoji: and $math$) reads as syntax.
_SYNTAX = re.compile(r"([!-/:-@\[-`{-~])")
# Where the page would still make a link of escaped text: bare URLs, www. and e-mail addresses.
_AUTOLINK = re.compile(r"(?i)(?<=:)(?=//)|(?<=w)(?=ww\.)|(?<=@)")


def plain(value: object) -> str:
    r"""``value`` shown as written on a page that renders Markdown: for what comes from outside
    the code (a scenario's names and texts, a loader message quoting a value, an upload's file
    name). Every ASCII punctuation mark is escaped, so it cannot become an image, a link, a
    heading or a colour, and a zero-width space keeps a bare address from becoming a link.

    >>> print(plain("![x](http://a.b)").replace("\u200b", "|"))
    \!\[x\]\(http\:|\/\/a\.b\)
    """
    return _SYNTAX.sub(r"\\\1", _AUTOLINK.sub("\u200b", str(value)))


def pick(en: str, zh: str) -> str:
    """Choose between an English and a Chinese text from the engine (names, help text)."""
    return (zh or en) if current() == "zh" else (en or zh)


def measure(key: str) -> str:
    """A measure's (or threshold's) name in the session's language, from sim's vocabulary."""
    return measures.name(key, current())


def series_name(key: str) -> str:
    """A daily series' name in the session's language, from sim's vocabulary."""
    return measures.series_name(key, current())


def verdict(v: str) -> str:
    """A verdict's word: sim's one table (breach / warning / not triggered / not applicable)."""
    return verdict_name(v, current()).capitalize()


def unit(u: str) -> str:
    return UNITS_ZH.get(u, u) if current() == "zh" else u


def family(name: str) -> str:
    """A business-model family's label; families added to the engine later show as written."""
    return text_family(name, current())


def text_family(name: str, lang: str) -> str:
    return text(f"family.{name}", lang) if f"family.{name}" in STRINGS else name


def reward_kind(kind: str) -> str:
    """A reward kind's name (sim's vocabulary), else the name of the rule it is keyed by."""
    if kind in measures.REWARD_NAMES:
        return pick(*measures.REWARD_NAMES[kind])
    rule = REGISTRY.get(kind)
    return pick(rule.name_en, rule.name_zh) if rule else kind
