"""The evidence coverage every report shows: how many accounts have a declared stage, a best
fit and a recent review, and which accounts to review first (checker/reviews.py counts them)."""
from __future__ import annotations

from collections.abc import Callable

from checker.check import CheckResult
from checker.inputs.columns import decode
from checker.reviews import review_first


def _share(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.0f} %"


def coverage_lines(result: CheckResult) -> list[str]:
    """The coverage line; the one line that says most accounts have no declared stage; the reviews' line."""
    c = result.summary()["coverage"]

    def part(key: str) -> str:
        return result.text("coverage.part", count=c[key]["count"], total=c["accounts"], share=_share(c[key]["share"]))

    lines = [result.text("coverage.line", declared=part("declared_stage"), best_fit=part("best_fit"), reviewed=part("reviewed_recently"),
                         days=c["stale_after_days"])]
    if c["no_stage_said_once"]:
        lines.append(result.text("coverage.no_stage_once", count=c["without_stage"]["count"], total=c["accounts"], share=_share(c["without_stage"]["share"])))
    reviews = c["reviews"]
    if reviews is not None:
        lines.append(result.text("coverage.reviews", accounts=reviews["accounts_reviewed"], files=", ".join(reviews["files"]), values=reviews["values_used"],
                                 stale=reviews["stale"], disagree=reviews["disagreements"], unmatched=len(reviews["not_in_export"])))
    return lines


def coverage_html(result: CheckResult, link: Callable[[str], str] | None = str) -> dict:
    """What the HTML report's coverage tile and its "accounts to review first" list show;
    `link` turns the review page's URL into the href to use (the handbook's report makes it
    relative); None: no link (a handbook without the review page)."""
    c = result.summary()["coverage"]
    t, lang = result.text, result.lang
    revenue = result.playbook.signals.get("revenue_12m")
    first = []
    for i in review_first(result.table, result.evaluation, result.sources.review, result.as_of, result.playbook):
        value = decode(result.table.columns.get("revenue_12m")[i], revenue) if revenue else None
        first.append({"id": result.table.ids[i], "name": result.table.names[i], "owner": result.table.owners[i],
                      "revenue": "-" if value is None else f"{value:,.0f}".replace(",", "\u202f")})
    # The handbook the findings link to (--handbook-url), else the playbook's own.
    linked = next((f.handbook_url for f in result.evaluation.distinct if f"/{lang}/" in f.handbook_url), None)
    base = linked.split(f"/{lang}/")[0] if linked else result.playbook.manifest["handbook_url"].rstrip("/")
    return {
        "title": t("coverage.title"),
        "tiles": [(t("coverage.declared"), c["declared_stage"]["count"], _share(c["declared_stage"]["share"])),
                  (t("coverage.best_fit"), c["best_fit"]["count"], _share(c["best_fit"]["share"])),
                  (t("coverage.reviewed", days=c["stale_after_days"]), c["reviewed_recently"]["count"], _share(c["reviewed_recently"]["share"]))],
        "lines": coverage_lines(result)[1:],
        "first": first,
        "first_title": t("coverage.review_first"),
        "first_help": t("coverage.review_first_help"),
        "revenue_label": t("coverage.revenue"),
        "review_url": link(f"{base}/{lang}/review/") if link else None,
        "review_link": t("coverage.review_page"),
    }
