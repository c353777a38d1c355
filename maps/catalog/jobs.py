"""Progress and result messages of background jobs (plans, staffing runs) as a person reads them
on the web pages; :func:`maps.i18n.job_message` turns the stored English message into the
page's language."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "job.Queued": {"en": "Queued", "zh-CN": "排队中"},
    "job.Starting": {"en": "Starting", "zh-CN": "正在启动"},
    "job.Loading the dataset": {"en": "Loading the dataset", "zh-CN": "正在载入数据集"},
    "job.Analysing the district": {"en": "Analysing the district", "zh-CN": "正在分析辖区"},
    "job.Building the grid": {"en": "Building the grid", "zh-CN": "正在划分网格"},
    "job.Assigning incidents to cells": {
        "en": "Assigning incidents to cells",
        "zh-CN": "正在将警情落入网格",
    },
    "job.Loading street networks": {"en": "Loading street networks", "zh-CN": "正在载入路网"},
    "job.Scoring risk per cell and band": {
        "en": "Scoring risk per cell and band",
        "zh-CN": "正在分网格、分时段测算风险",
    },
    "job.Analysis done": {"en": "Analysis done", "zh-CN": "辖区分析完成"},
    "job.Building tasks": {"en": "Building tasks", "zh-CN": "正在生成巡逻任务"},
    "job.Routing": {
        "en": "Routing {units} units over {tasks} tasks",
        "zh-CN": "正在为 {units} 个巡组编排 {tasks} 项任务的路线",
    },
    "job.Writing the result": {"en": "Writing the result", "zh-CN": "正在保存结果"},
    "job.Making the files": {"en": "Making the files", "zh-CN": "正在生成文件"},
    "job.Plan done": {"en": "Plan done", "zh-CN": "编排完成"},
    "job.Staffing norms": {"en": "Staffing norms", "zh-CN": "正在按标准测算"},
    "job.Coverage curve": {
        "en": "Coverage curve {fleet}, shift {shift}",
        "zh-CN": "正在测算覆盖曲线：{fleet}，{shift}",
    },
    "job.Coverage curves done": {"en": "Coverage curves done", "zh-CN": "覆盖曲线测算完成"},
    "job.Staggered shifts": {"en": "Staggered shifts", "zh-CN": "正在测算错时班次"},
    "job.Weekly roster": {"en": "Weekly roster", "zh-CN": "正在排周勤务表"},
    "job.Staffing done": {"en": "Staffing done", "zh-CN": "巡防力量测算完成"},
    "job.Failed": {"en": "Failed", "zh-CN": "失败"},
    "job.Cancelled": {"en": "Cancelled", "zh-CN": "已取消"},
}
