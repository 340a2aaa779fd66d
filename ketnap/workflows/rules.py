"""The Party Statute rules of admission as small pure functions, one per rule ID of rules.md.

Each function receives a RuleContext (engine.snapshot) and returns an Outcome; the decorator
registers it in CATALOGUE with its citation, confidence, kind and messages (Vietnamese, English).
Counting conventions (months, age, working days) are in engine.dates and engine.calendar; every
rule calls them rather than counting on its own.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from ..engine.dates import add_months, completed_months, fmt_date, years_months
from ..engine.rules import (
    NOT_APPLICABLE,
    Confidence,
    Kind,
    Message,
    Outcome,
    Rule,
    RuleCatalogue,
    check,
    fail,
    ok,
)
from ..engine.snapshot import OrgNode, RuleContext
from . import vocab

_ENTRIES: list[Rule] = []

Msgs = Mapping[str, tuple[str, str]]


def rule(
    rule_id: str,
    *,
    title: tuple[str, str],
    citation: str,
    confidence: Confidence,
    condition: str,
    messages: Msgs,
    kind: Kind = Kind.GUARD,
    sets: frozenset[str] | None = None,
    params: tuple[str, ...] = (),
    only_if: str = "",
) -> Callable[[Callable[[RuleContext], Outcome]], Callable[[RuleContext], Outcome]]:
    def register(func: Callable[[RuleContext], Outcome]) -> Callable[[RuleContext], Outcome]:
        _ENTRIES.append(
            Rule(
                id=rule_id,
                title=Message(*title),
                citation=citation,
                confidence=confidence,
                kind=kind,
                messages={k: Message(*v) for k, v in messages.items()},
                func=func,
                sets=sets,
                condition=condition,
                configurable=params,
                only_if=only_if,
            )
        )
        return func

    return register


def entry(
    rule_id: str, *, title: tuple[str, str], citation: str, confidence: Confidence, kind: Kind, condition: str
) -> None:
    """A catalogue entry that guards no transition: a counting convention or a reporting practice."""
    _ENTRIES.append(
        Rule(
            id=rule_id,
            title=Message(*title),
            citation=citation,
            confidence=confidence,
            kind=kind,
            messages={"default": Message(*title)},
            condition=condition,
        )
    )


V, R, C, P = Confidence.VERIFIED, Confidence.RECALLED, Confidence.CONVENTION, Confidence.POLICY

# -- shared facts -------------------------------------------------------------------------------

BRANCH_VOTE = "hold_branch_vote"
DECISION = "record_admission_decision"
CEREMONY = "hold_admission_ceremony"
RECOGNITION_VOTE = "hold_recognition_vote"
VERIFICATION = "conclude_verification"


def ymd(months: int) -> dict[str, int]:
    years, rest = years_months(months)
    return {"years": years, "months": rest}


def two_thirds(agreeing: int, total: int) -> bool:
    """At least two thirds of `total`, in integers: 3 × agreeing ≥ 2 × total."""
    return 3 * agreeing >= 2 * total


def needed_for_two_thirds(total: int) -> int:
    return -(-2 * total // 3)


class Percent:
    """agreeing / total as a percentage, formatted only when a message is shown."""

    __slots__ = ("part", "whole")

    def __init__(self, part: int, whole: int):
        self.part, self.whole = part, whole

    def __format__(self, spec: str) -> str:
        return f"{100 * self.part / self.whole:.2f}%" if self.whole else "—"


def vote_values(agreeing: int, total: int) -> dict[str, Any]:
    return {"agreeing": agreeing, "total": total, "needed": needed_for_two_thirds(total), "pct": Percent(agreeing, total)}


def branch_meeting_date(ctx: RuleContext) -> date:
    """The date of the branch meeting that considers admission (the act's date at the vote)."""
    if ctx.trigger == BRANCH_VOTE:
        return ctx.act_date
    (meeting,) = ctx.need(ctx.fact(BRANCH_VOTE), "meeting_date")
    return meeting


def age_months_at_branch_meeting(ctx: RuleContext) -> tuple[int, date]:
    """Age in completed months at the branch meeting (R-CALC-AGE), computed once per judgement."""

    def compute() -> tuple[int, date]:
        meeting = branch_meeting_date(ctx)
        return completed_months(ctx.subject["date_of_birth"], meeting), meeting

    return ctx.memo("age_at_branch_meeting", compute)


def edu_rank(level: str) -> int:
    return vocab.EDUCATION_LEVELS[level][1]


def grassroots(chain: tuple[OrgNode, ...]) -> tuple[int, OrgNode] | None:
    for i, node in enumerate(chain):
        if node.level in vocab.GRASSROOTS_LEVELS:
            return i, node
    return None


def competent_body(chain: tuple[OrgNode, ...]) -> tuple[OrgNode, str] | None:
    """R-DECIDE-1: the committee competent to decide admission for a dossier in this chain."""
    found = grassroots(chain)
    if found is None:
        return None
    index, base = found
    if base.may_admit:
        return base, "committee"
    if index + 1 >= len(chain):
        return None
    superior = chain[index + 1]
    return superior, "standing_and_board_heads" if superior.level == "province" else "standing_committee"


def is_grassroots_branch(ctx: RuleContext) -> bool:
    return bool(ctx.snapshot.org_chain) and ctx.snapshot.org_chain[0].level == "grassroots_branch"


def on_or_before(value: date | None, limit: date) -> bool:
    return value is not None and value <= limit


# -- eligibility -----------------------------------------------------------------------------

_AGE_TEXT = (
    "Ngày chi bộ xét kết nạp {date}: quần chúng {years} tuổi {months} tháng (tính theo tháng tròn); ",
    "On the branch meeting date {date} the candidate is {years} years {months} months old (completed months); ",
)


@rule(
    "R-AGE-1",
    title=("Đủ 18 tuổi", "At least 18 years old"),
    citation="Điều lệ Đảng Điều 1 khoản 2; QĐ 24-QĐ/TW điểm 1.1.1; QĐ 29-QĐ/TW 1.1(a); QĐ 232 1.1",
    confidence=V,
    condition="At the branch meeting the candidate has completed 216 months of age (18 years, counted by completed months).",
    messages={
        "default": (_AGE_TEXT[0] + "phải đủ 18 tuổi (216 tháng).", _AGE_TEXT[1] + "must have completed 18 years (216 months)."),
    },
    params=("age_min_months",),
)
def age_at_least_18(ctx: RuleContext) -> Outcome:
    months, meeting = age_months_at_branch_meeting(ctx)
    return check(months >= ctx.param("age_min_months"), date=meeting, **ymd(months))


@rule(
    "R-AGE-2",
    title=("Không quá 60 tuổi", "Not older than 60"),
    citation="QĐ 24-QĐ/TW điểm 1.1.1",
    confidence=V,
    condition="At the branch meeting the candidate is at most full 60 years (≤ 720 completed months); "
    "from 60 years 1 month only through the exception R-AGE-3.",
    messages={
        "default": (_AGE_TEXT[0] + "không quá 60 tuổi (720 tháng).", _AGE_TEXT[1] + "must be at most 60 years (720 months)."),
        "exception": (
            _AGE_TEXT[0] + "trên 60 tuổi, xét theo trường hợp ngoại lệ R-AGE-3.",
            _AGE_TEXT[1] + "over 60, considered under the exception R-AGE-3.",
        ),
    },
    params=("age_max_months",),
)
def age_at_most_60(ctx: RuleContext) -> Outcome:
    months, meeting = age_months_at_branch_meeting(ctx)
    values = {"date": meeting, **ymd(months)}
    if months <= ctx.param("age_max_months"):
        return ok(**values)
    branch_vote = ctx.fact(BRANCH_VOTE) or {}
    if branch_vote.get("over60_basis"):
        return ok("exception", **values)
    return fail(**values)


@rule(
    "R-AGE-3",
    title=("Trên 60 tuổi: điều kiện ngoại lệ", "Over 60: the exception"),
    citation="QĐ 24-QĐ/TW điểm 1.1.2; HD 01-HD/TW điểm 1.1",
    confidence=V,
    condition="Over 60 (≥ 721 completed months at the branch meeting) only with good health and standing, a base "
    "with no Party organisation or member (or a special requirement), and the written agreement of the "
    "provincial standing committee dated on or before the admission decision.",
    messages={
        "default": (
            "Trên 60 tuổi: cần có sức khỏe, uy tín và lý do (nơi chưa có tổ chức đảng/đảng viên hoặc yêu cầu đặc biệt).",
            "Over 60: good health and standing and a basis (no Party organisation/member at the base, or a special requirement) are required.",
        ),
        "agreement_missing": (
            "Trên 60 tuổi: cần văn bản đồng ý của ban thường vụ tỉnh ủy trước khi ra quyết định kết nạp ({decided}).",
            "Over 60: the provincial standing committee's written agreement is required before the decision ({decided}).",
        ),
        "agreement_late": (
            "Văn bản đồng ý của ban thường vụ tỉnh ủy ngày {agreed} sau ngày quyết định kết nạp {decided}.",
            "The provincial standing committee agreed on {agreed}, after the admission decision of {decided}.",
        ),
        "agreement_ok": (
            "Ban thường vụ tỉnh ủy đồng ý bằng văn bản ngày {agreed}, trước (hoặc cùng ngày) quyết định {decided}.",
            "The provincial standing committee agreed in writing on {agreed}, on or before the decision of {decided}.",
        ),
    },
    params=("age_max_months",),
)
def over_60_exception(ctx: RuleContext) -> Outcome:
    months, _ = age_months_at_branch_meeting(ctx)
    if months <= ctx.param("age_max_months"):
        return NOT_APPLICABLE
    if ctx.trigger == DECISION:
        (decided,) = ctx.need(ctx.act, "decided_on")
        agreed = ctx.act.get("over60_agreement_on")
        if agreed is None:
            return fail("agreement_missing", decided=decided)
        key = "agreement_ok" if agreed <= decided else "agreement_late"
        return check(agreed <= decided, key, agreed=agreed, decided=decided)
    vote = ctx.fact(BRANCH_VOTE) or {}
    return check(bool(vote.get("over60_health_and_standing")) and bool(vote.get("over60_basis")))


def _meets_general_education(ctx: RuleContext) -> bool:
    level = ctx.subject["education"]
    if level == "lower_secondary_equivalent":
        return bool(ctx.param("education_accepts_equivalent"))
    return edu_rank(level) >= edu_rank("lower_secondary")


def _in_exception_area(ctx: RuleContext) -> bool:
    return bool(ctx.subject.get("special_area") or ctx.subject.get("sea_fisherman"))


def _edu_values(ctx: RuleContext) -> dict[str, str]:
    level = ctx.subject["education"]
    return {"level": vocab.EDUCATION_LEVELS[level][0], "rule_set": ctx.rule_set}


@rule(
    "R-EDU-1",
    title=("Trình độ học vấn: tốt nghiệp THCS", "Education: lower-secondary diploma"),
    citation="QĐ 24-QĐ/TW điểm 1.2.1; QĐ 29-QĐ/TW điểm 1.2(a) (bộ 2016: 'hoặc tương đương')",
    confidence=V,
    condition="Lower-secondary graduation diploma or higher; in rule set 2016 also 'or equivalent'. A candidate in "
    "the areas of R-EDU-2 who does not meet it is judged by R-EDU-2/R-EDU-3 instead.",
    messages={
        "default": (
            "Trình độ: {level}; cần bằng tốt nghiệp trung học cơ sở trở lên (bộ quy định {rule_set}).",
            "Education: {level}; a lower-secondary diploma or higher is required (rule set {rule_set}).",
        ),
        "exception": (
            "Trình độ: {level}; chưa đạt THCS nhưng thuộc vùng được ngoại lệ, xét theo R-EDU-2.",
            "Education: {level}; below lower secondary but in an exception area, judged under R-EDU-2.",
        ),
    },
    params=("education_accepts_equivalent",),
)
def education_standard(ctx: RuleContext) -> Outcome:
    if _meets_general_education(ctx):
        return ok(**_edu_values(ctx))
    if _in_exception_area(ctx):
        return ok("exception", **_edu_values(ctx))
    return fail(**_edu_values(ctx))


@rule(
    "R-EDU-2",
    title=("Ngoại lệ học vấn: vùng khó khăn, ngư dân", "Education exception: difficult areas, fishermen"),
    citation="QĐ 24-QĐ/TW điểm 1.2.2; HD 01-HD/TW điểm 1.2",
    confidence=V,
    condition="A candidate living in mountain, border, island, ethnic-minority or especially difficult areas, or a "
    "fisherman working at sea, who does not meet R-EDU-1, has at least completed primary school; other special cases "
    "pass with the provincial standing committee's decision dated on or before the branch meeting (R-EDU-3).",
    messages={
        "default": (
            "Trình độ: {level}; ở vùng đặc biệt khó khăn phải hoàn thành chương trình tiểu học trở lên.",
            "Education: {level}; in these areas at least completion of primary school is required.",
        ),
        "approved": (
            "Trình độ: {level}; trường hợp đặc biệt đã được ban thường vụ tỉnh ủy xem xét, quyết định.",
            "Education: {level}; a special case decided by the provincial standing committee.",
        ),
        "elder": (
            "Trình độ: {level}; dưới tiểu học, xét theo R-EDU-3 (già làng, trưởng bản, người có uy tín).",
            "Education: {level}; below primary, judged under R-EDU-3 (village elders, heads, persons of standing).",
        ),
    },
)
def education_difficult_area(ctx: RuleContext) -> Outcome:
    if _meets_general_education(ctx) or not _in_exception_area(ctx):
        return NOT_APPLICABLE
    level = ctx.subject["education"]
    if edu_rank(level) >= edu_rank("primary"):
        return ok(**_edu_values(ctx))
    if ctx.subject.get("community_figure"):
        return ok("elder", **_edu_values(ctx))
    if on_or_before((ctx.fact(BRANCH_VOTE) or {}).get("education_special_approval_on"), branch_meeting_date(ctx)):
        return ok("approved", **_edu_values(ctx))
    return fail(**_edu_values(ctx))


@rule(
    "R-EDU-3",
    title=("Ngoại lệ: già làng, trưởng bản, người có uy tín", "Exception: village elders and persons of standing"),
    citation="HD 01-HD/TW điểm 1.2 (đọc bản trích)",
    confidence=R,
    condition="In the areas of R-EDU-2, a village elder, hamlet head or person of standing below primary level must at "
    "least read and write Vietnamese, or have the provincial standing committee's approval on or before the branch meeting.",
    messages={
        "default": (
            "Trình độ: {level}; già làng, trưởng bản, người có uy tín phải biết đọc, biết viết tiếng Việt hoặc được ban thường vụ tỉnh ủy chấp thuận.",
            "Education: {level}; a village elder, head or person of standing must read and write Vietnamese or have provincial approval.",
        ),
    },
)
def education_community_figure(ctx: RuleContext) -> Outcome:
    level = ctx.subject["education"]
    if (
        _meets_general_education(ctx)
        or not _in_exception_area(ctx)
        or edu_rank(level) >= edu_rank("primary")
        or not ctx.subject.get("community_figure")
    ):
        return NOT_APPLICABLE
    approved = (ctx.fact(BRANCH_VOTE) or {}).get("education_special_approval_on")
    return check(edu_rank(level) >= edu_rank("literate") or on_or_before(approved, branch_meeting_date(ctx)), **_edu_values(ctx))


@rule(
    "R-POLSTD-1",
    title=("Lịch sử chính trị theo QĐ 58", "Political history under QĐ 58"),
    citation="QĐ 24-QĐ/TW điểm 3.3; QĐ 58-QĐ/TW (2022)",
    confidence=R,
    condition="When the verification conclusion raised a QĐ58 issue, the competent superior's written opinion is "
    "dated on or before the branch meeting.",
    messages={
        "default": (
            "Kết luận thẩm tra có vấn đề theo QĐ 58: cần ý kiến bằng văn bản của cấp trên có thẩm quyền trước ngày họp chi bộ {date}.",
            "The verification raised a QĐ 58 issue: the competent superior's written opinion is required before the branch meeting of {date}.",
        ),
    },
)
def political_standard(ctx: RuleContext) -> Outcome:
    verification = ctx.fact(VERIFICATION) or {}
    if not verification.get("qd58_issue"):
        return NOT_APPLICABLE
    meeting = branch_meeting_date(ctx)
    return check(on_or_before(verification.get("superior_opinion_on"), meeting), date=meeting)


# -- preparation --------------------------------------------------------------------------------


@rule(
    "R-HELP-1",
    title=("Phân công đảng viên chính thức giúp đỡ", "An official member assigned to help"),
    citation="Điều lệ Đảng Điều 4; HD 12-HD/BTCTW mục II 1.1",
    confidence=V,
    condition="The member assigned to help the sympathiser is an official (not probationary) member of the dossier's branch.",
    messages={
        "default": ("Đảng viên giúp đỡ: {name} là đảng viên chính thức của chi bộ.", "Helper: {name} is an official member of the branch."),
        "not_official": (
            "Đảng viên giúp đỡ {name} chưa là đảng viên chính thức; phải phân công đảng viên chính thức.",
            "The helper {name} is not an official member; an official member must be assigned.",
        ),
        "other_branch": (
            "Đảng viên giúp đỡ {name} không sinh hoạt tại chi bộ này.",
            "The helper {name} is not a member of this branch.",
        ),
    },
)
def helper_is_official(ctx: RuleContext) -> Outcome:
    (member,) = ctx.need(ctx.act, "helper")
    return _official_member_of_branch(ctx, member, ctx.act_date)


def _official_on(member: Mapping[str, Any], day: date) -> bool:
    since = member.get("official_since")
    if isinstance(since, str):
        since = date.fromisoformat(since)
    return member.get("status") == "official" and (since is None or since <= day)


def _official_member_of_branch(ctx: RuleContext, member: Mapping[str, Any], day: date) -> Outcome:
    name = member.get("full_name", "?")
    if not _official_on(member, day):
        return fail("not_official", name=name)
    if ctx.snapshot.org_chain and member.get("branch_id") != ctx.snapshot.org_chain[0].id:
        return fail("other_branch", name=name)
    return ok(name=name)


@rule(
    "R-TRAIN-1",
    title=("Giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng", "Certificate of the Party awareness class"),
    citation="HD 01-HD/TW điểm 3.1; HD 12-HD/BTCTW mục II 1.1",
    confidence=V,
    condition="The certificate (CN-NTVĐ) is issued by the district-level political centre or equivalent, or, where there "
    "is none, by the committee competent to admit; the dossier holds it at the branch meeting.",
    messages={
        "default": ("Giấy chứng nhận số {number} do {issuer} cấp.", "Certificate {number} issued by {issuer}."),
        "issuer": (
            "Giấy chứng nhận do {issuer} cấp: phải do trung tâm chính trị cấp huyện (hoặc tương đương) cấp, hoặc cấp ủy có thẩm quyền kết nạp nơi không có trung tâm.",
            "Certificate issued by {issuer}: it must come from the district-level political centre (or equivalent), or the admitting committee where there is none.",
        ),
        "missing": ("Hồ sơ chưa có giấy chứng nhận học lớp bồi dưỡng nhận thức về Đảng.", "The dossier holds no Party awareness class certificate."),
    },
)
def training_certificate(ctx: RuleContext) -> Outcome:
    cert = ctx.fact("record_training_certificate")
    if cert is None:
        return fail("missing")
    values = {"number": cert.get("certificate_no", "?"), "issuer": cert.get("issuer", "?")}
    kind = cert.get("issuer_kind")
    competent = kind == "political_center" or (kind == "admitting_committee" and bool(cert.get("no_political_center")))
    return check(competent, "default" if competent else "issuer", **values)


@rule(
    "R-TRAIN-2",
    title=("Giấy chứng nhận còn giá trị", "Certificate still valid"),
    citation="Hướng dẫn địa phương ('giá trị 5 năm'); số tháng cấu hình được",
    confidence=R,
    condition="On the branch meeting date the certificate is valid: meeting date ≤ issue date + 60 months (R-CALC-MONTHS).",
    messages={
        "default": (
            "Giấy chứng nhận cấp ngày {issued}, có giá trị đến hết ngày {until}; ngày họp chi bộ {meeting}.",
            "Certificate issued {issued}, valid through {until}; branch meeting on {meeting}.",
        ),
        "missing": ("Hồ sơ chưa có giấy chứng nhận.", "The dossier holds no certificate."),
    },
    params=("certificate_valid_months",),
)
def certificate_valid(ctx: RuleContext) -> Outcome:
    cert = ctx.fact("record_training_certificate")
    if cert is None:
        return fail("missing")
    meeting = branch_meeting_date(ctx)
    until = add_months(cert["issued_on"], ctx.param("certificate_valid_months"))
    return check(meeting <= until, issued=cert["issued_on"], until=until, meeting=meeting)


@rule(
    "R-APP-1",
    title=("Đơn xin vào Đảng (mẫu 1-KNĐ)", "Application letter (form 1-KNĐ)"),
    citation="Điều lệ Đảng Điều 4 khoản 1; HD 01-HD/TW điểm 3.2",
    confidence=V,
    condition="A voluntary application written by the candidate personally, stating their understanding of the Party's "
    "aims and ideals and their motive; the dossier holds it at the branch meeting.",
    messages={
        "default": ("Đơn xin vào Đảng do quần chúng tự viết, nêu nhận thức và động cơ.", "Application written personally, stating understanding and motive."),
        "incomplete": (
            "Đơn xin vào Đảng phải do quần chúng tự viết tay và nêu rõ nhận thức về mục đích, lý tưởng của Đảng và động cơ vào Đảng.",
            "The application must be written by the candidate personally and state their understanding of the Party's aims and their motive.",
        ),
        "missing": ("Hồ sơ chưa có đơn xin vào Đảng.", "The dossier holds no application letter."),
    },
)
def application_letter(ctx: RuleContext) -> Outcome:
    app = ctx.fact("submit_application")
    if app is None:
        return fail("missing")
    good = bool(app.get("handwritten_by_candidate")) and bool(app.get("states_understanding_and_motive"))
    return check(good, "default" if good else "incomplete")


@rule(
    "R-BIO-1",
    title=("Tự khai lý lịch đầy đủ, trung thực (mẫu 2-KNĐ)", "Biography declared personally, fully, honestly (2-KNĐ)"),
    citation="Điều lệ Đảng Điều 4 khoản 1; HD 01-HD/TW điểm 3.3(a); HD 12-HD/BTCTW mục I 1.4.1",
    confidence=V,
    condition="The candidate declares the biography personally and completely; from 18/01/2022 (HD 12-HD/BTCTW) also "
    "with no erasures or corrections. A re-declaration is allowed but flagged (seed 003 wants it right the first time).",
    messages={
        "default": ("Lý lịch tự khai đầy đủ, không tẩy xóa (lần khai thứ {count}).", "Biography declared personally and completely (declaration {count})."),
        "incomplete": ("Lý lịch chưa đạt: {missing}.", "Biography not acceptable: {missing_en}."),
        "redeclared": (
            "Lý lịch khai lần thứ {count}: yêu cầu khai đầy đủ ngay từ lần đầu (Công văn 1556-CV/HU).",
            "Biography declared for the {count}th time: it should be complete the first time (seed 003).",
        ),
    },
    params=("no_erasures_from",),
)
def biography_declared(ctx: RuleContext) -> Outcome:
    problems = [
        ("personally_declared", "chưa do quần chúng tự khai", "not declared personally"),
        ("complete", "khai chưa đầy đủ", "incomplete"),
    ]
    if ctx.act_date >= ctx.param("no_erasures_from"):
        problems.append(("no_erasures", "có tẩy xóa, sửa chữa", "has erasures or corrections"))
    missing = [(vi, en) for key, vi, en in problems if not ctx.act.get(key)]
    count = ctx.snapshot.count("declare_biography") + 1
    if missing:
        return fail("incomplete", missing="; ".join(m[0] for m in missing), missing_en="; ".join(m[1] for m in missing), count=count)
    if count > 1:
        return Outcome(True, "redeclared", {"count": count}, flag=True)
    return ok(count=count)


@rule(
    "R-BIO-2",
    title=("Chứng nhận lý lịch sau khi thẩm tra", "Biography certified after verification"),
    citation="HD 01-HD/TW điểm 3.3(b)",
    confidence=V,
    condition="The grassroots committee certifies the biography only after verification is concluded: certification date ≥ conclusion date.",
    messages={
        "default": (
            "Cấp ủy cơ sở chứng nhận lý lịch ngày {certified}, kết luận thẩm tra ngày {concluded}; chỉ chứng nhận sau khi đã thẩm tra, kết luận.",
            "Certified on {certified}, verification concluded on {concluded}: certification only after the conclusion.",
        ),
    },
)
def biography_certified(ctx: RuleContext) -> Outcome:
    certified, concluded = ctx.need(ctx.act, "certified_on", "concluded_on")
    return check(certified >= concluded, certified=certified, concluded=concluded)


# -- verification ----------------------------------------------------------------------------


def _relatives(ctx: RuleContext) -> list[Mapping[str, Any]]:
    return list((ctx.fact("declare_biography") or {}).get("relatives", []))


def _tasks(ctx: RuleContext) -> list[Mapping[str, Any]]:
    return list((ctx.fact("start_verification") or {}).get("tasks", []))


def _labels(subjects: Counter[str]) -> str:
    return ", ".join(f"{vocab.VERIFY_SUBJECTS[s]} ×{n}" if n > 1 else vocab.VERIFY_SUBJECTS[s] for s, n in sorted(subjects.items()))


@rule(
    "R-VERIFY-1",
    title=("Đối tượng thẩm tra", "Who is verified"),
    citation="HD 01-HD/TW điểm 3.4(a)",
    confidence=V,
    condition="Verification covers the candidate and every close relative declared in the biography: parents, "
    "parents-in-law (or the person who raised them), spouse, children of full legal capacity.",
    messages={
        "default": ("Kế hoạch thẩm tra bao gồm người xin vào Đảng và {n} người thân đã khai.", "The plan covers the candidate and {n} declared relatives."),
        "missing": ("Chưa thẩm tra: {missing}.", "Not covered by verification: {missing}."),
    },
)
def verification_subjects(ctx: RuleContext) -> Outcome:
    wanted = Counter({"candidate": 1}) + Counter(r["relation"] for r in _relatives(ctx))
    planned = Counter(t["subject"] for t in ctx.act.get("tasks", []))
    missing = wanted - planned
    if missing:
        return fail("missing", missing=_labels(missing))
    return ok(n=sum(wanted.values()) - 1)


@rule(
    "R-VERIFY-2",
    title=("Nội dung thẩm tra", "What is verified"),
    citation="HD 01-HD/TW điểm 3.4(b)",
    confidence=V,
    condition="Each planned subject is answered: for the candidate political history, present stance, observance of "
    "policy and law, political quality, ethics and lifestyle; for relatives history, stance and observance of policy and law.",
    messages={
        "default": ("Đã có kết quả thẩm tra đủ nội dung cho {n} đối tượng.", "Complete answers for {n} subjects."),
        "missing": ("Kết quả thẩm tra còn thiếu: {missing}.", "Verification answers missing or incomplete: {missing}."),
    },
)
def verification_aspects(ctx: RuleContext) -> Outcome:
    required_for = {"candidate": set(vocab.VERIFY_ASPECTS_CANDIDATE)}
    planned = Counter(t["subject"] for t in _tasks(ctx))
    complete = Counter(
        a["subject"]
        for a in ctx.act.get("answers", [])
        if required_for.get(a["subject"], set(vocab.VERIFY_ASPECTS_RELATIVE)) <= set(a.get("aspects", []))
    )
    missing = planned - complete
    if missing:
        return fail("missing", missing=_labels(missing))
    return ok(n=sum(planned.values()))


_ABROAD_CHANNELS = frozenset({"superior_committee", "representation_abroad"})


@rule(
    "R-VERIFY-3",
    title=("Thẩm tra người thân ở nước ngoài", "Relatives living abroad"),
    citation="HD 01-HD/TW (2012) điểm 3.4(c); HD 01-HD/TW (2021) điểm 3.4(c) [nhớ lại]",
    confidence=R,
    condition="A relative living abroad is verified through the superior committee or the Vietnamese representation "
    "abroad; having relatives abroad is not itself a bar.",
    messages={
        "default": ("Người thân ở nước ngoài được thẩm tra qua kênh phù hợp.", "Relatives abroad are verified through a proper channel."),
        "channel": (
            "Người thân ở nước ngoài ({missing}) phải được thẩm tra qua cấp ủy cấp trên hoặc cơ quan đại diện Việt Nam ở nước ngoài.",
            "Relatives abroad ({missing}) must be verified through the superior committee or the representation abroad.",
        ),
    },
)
def verification_abroad(ctx: RuleContext) -> Outcome:
    abroad = Counter(r["relation"] for r in _relatives(ctx) if r.get("lives_abroad"))
    if not abroad:
        return NOT_APPLICABLE
    proper = Counter(t["subject"] for t in ctx.act.get("tasks", []) if t.get("abroad") and t.get("channel") in _ABROAD_CHANNELS)
    missing = abroad - proper
    return check(not missing, "default" if not missing else "channel", missing=_labels(missing))


@rule(
    "R-VERIFY-4",
    title=("Thời hạn trả lời thẩm tra", "Answer deadline for verification requests"),
    citation="HD 01-HD/TW điểm 3.4 [nhớ lại: 30 ngày làm việc]",
    confidence=R,
    kind=Kind.WARNING,
    condition="Each verification request is answered within 30 working days of the request (day 1 is the first "
    "working day after it). Warns only.",
    messages={
        "default": ("Các yêu cầu thẩm tra được trả lời đúng hạn.", "Verification requests answered in time."),
        "late": ("Trả lời thẩm tra quá {limit} ngày làm việc: {late}.", "Answers later than {limit} working days: {late}."),
    },
    params=("verification_answer_wd",),
)
def verification_answer_deadline(ctx: RuleContext) -> Outcome:
    started = (ctx.fact("start_verification") or {}).get("started_on")
    limit = ctx.param("verification_answer_wd")
    requested = {t["subject"]: t.get("requested_on") or started for t in _tasks(ctx)}
    late = []
    for answer in ctx.act.get("answers", []):
        asked = requested.get(answer["subject"]) or started
        if asked and not ctx.calendar.within(asked, answer["answered_on"], limit):
            late.append(f"{vocab.VERIFY_SUBJECTS[answer['subject']]} ({fmt_date(asked)} → {fmt_date(answer['answered_on'])})")
    return check(not late, "late" if late else "default", late="; ".join(late), limit=limit)


@rule(
    "R-VERIFY-5",
    title=("Kết luận thẩm tra còn mới", "Verification conclusion still fresh"),
    citation="Thực tiễn nghiệp vụ [nhớ lại; chưa tìm thấy văn bản]",
    confidence=R,
    kind=Kind.WARNING,
    condition="At the branch meeting the verification conclusion is not older than 12 months: meeting date ≤ "
    "conclusion date + 12 months. Warns only.",
    messages={
        "default": ("Kết luận thẩm tra ngày {concluded}, còn giá trị đến {until}.", "Concluded {concluded}, fresh through {until}."),
        "stale": (
            "Kết luận thẩm tra ngày {concluded} đã quá {months} tháng vào ngày họp chi bộ {meeting}: cần thẩm tra bổ sung.",
            "Concluded {concluded}, older than {months} months at the branch meeting of {meeting}: supplement it.",
        ),
    },
    params=("verification_fresh_months",),
)
def verification_fresh(ctx: RuleContext) -> Outcome:
    (concluded,) = ctx.need(ctx.fact(VERIFICATION), "concluded_on")
    months = ctx.param("verification_fresh_months")
    until = add_months(concluded, months)
    meeting = branch_meeting_date(ctx)
    fresh = meeting <= until
    return check(fresh, "default" if fresh else "stale", concluded=concluded, until=until, meeting=meeting, months=months)


@rule(
    "R-ABROAD-1",
    title=("Thời gian ở nước ngoài của người xin vào Đảng", "The candidate's time abroad"),
    citation="HD 01-HD/TW điểm 3.4(c) [nhớ lại]",
    confidence=R,
    condition="A candidate who lived, studied or worked abroad has that period verified through the representation "
    "abroad or the superior committee.",
    messages={
        "default": ("Thời gian ở nước ngoài được thẩm tra qua kênh phù hợp.", "The period abroad is verified through a proper channel."),
        "missing": (
            "Người xin vào Đảng từng ở nước ngoài: phải thẩm tra thời gian đó qua cơ quan đại diện Việt Nam ở nước ngoài hoặc cấp ủy cấp trên.",
            "The candidate lived abroad: that period must be verified through the representation abroad or the superior committee.",
        ),
    },
    only_if="lived_abroad",
)
def candidate_abroad(ctx: RuleContext) -> Outcome:
    if not ctx.subject.get("lived_abroad"):
        return NOT_APPLICABLE
    covered = any(
        t["subject"] == "candidate" and t.get("abroad") and t.get("channel") in _ABROAD_CHANNELS for t in ctx.act.get("tasks", [])
    )
    return check(covered, "default" if covered else "missing")


# -- introduction and comments ------------------------------------------------------------------


def _introducers(ctx: RuleContext) -> list[Mapping[str, Any]]:
    return list(ctx.act.get("introducers", []))


@rule(
    "R-INTRO-1",
    title=("Hai đảng viên chính thức giới thiệu (mẫu 3-KNĐ)", "Two official members introduce (3-KNĐ)"),
    citation="Điều lệ Đảng Điều 4 khoản 1",
    confidence=V,
    condition="On the members' route, exactly two different official members introduce the candidate.",
    messages={
        "default": ("Có {n} người giới thiệu; cần đúng hai đảng viên chính thức khác nhau.", "{n} introducers; exactly two different official members are required."),
    },
)
def two_introducers(ctx: RuleContext) -> Outcome:
    if ctx.act.get("route", "members") != "members":
        return NOT_APPLICABLE
    ids = {i["member_id"] for i in _introducers(ctx)}
    return check(len(_introducers(ctx)) == 2 and len(ids) == 2, n=len(_introducers(ctx)))


@rule(
    "R-INTRO-2",
    title=("Điều kiện người giới thiệu", "Who may introduce"),
    citation="QĐ 24-QĐ/TW điểm 3.2.1; Điều lệ Đảng Điều 4 khoản 2 (bộ 2016)",
    confidence=V,
    condition="Each introducer is an official member on the introduction date who has worked, studied or lived with the "
    "candidate for at least 12 months (together_since + 12 months ≤ introduction date), in the same unit under the "
    "same grassroots organisation (not required in set 2016). A replacement (R-INTRO-4) needs no 12 months.",
    messages={
        "default": ("Người giới thiệu đủ điều kiện: {names}.", "Introducers qualify: {names}."),
        "problems": ("Người giới thiệu chưa đủ điều kiện: {problems}.", "Introducers do not qualify: {problems_en}."),
    },
    params=("introducer_together_months", "introducer_same_unit"),
)
def introducers_qualify(ctx: RuleContext) -> Outcome:
    day = ctx.act_date
    need_months = ctx.param("introducer_together_months")
    same_unit_required = ctx.param("introducer_same_unit")
    base = grassroots(ctx.snapshot.org_chain)
    problems: list[tuple[str, str]] = []
    for intro in _introducers(ctx):
        member = intro.get("member") or {}
        name = member.get("full_name", f"#{intro['member_id']}")
        if not _official_on(member, day):
            problems.append((f"{name} chưa là đảng viên chính thức", f"{name} is not an official member"))
        since = intro.get("together_since")
        if intro.get("replacement"):
            pass  # R-INTRO-4: a replacement needs no 12 months together; the rest still applies
        elif since is None:
            problems.append((f"{name}: chưa ghi thời gian cùng công tác", f"{name}: no date since working together"))
        elif add_months(since, need_months) > day:
            months = completed_months(since, day)
            problems.append(
                (f"{name} mới cùng công tác {months} tháng (cần {need_months})", f"{name} has been together {months} months (needs {need_months})")
            )
        if same_unit_required:
            same_base = base is None or member.get("grassroots_org_id") in (None, base[1].id)
            if not (intro.get("same_unit", True) and same_base):
                problems.append((f"{name} không cùng đơn vị, cùng tổ chức cơ sở đảng", f"{name} is not in the same unit and grassroots organisation"))
    names = ", ".join((i.get("member") or {}).get("full_name", f"#{i['member_id']}") for i in _introducers(ctx))
    if problems:
        return fail("problems", problems="; ".join(p[0] for p in problems), problems_en="; ".join(p[1] for p in problems), names=names)
    return ok(names=names)


@rule(
    "R-INTRO-3",
    title=("Giới thiệu qua Đoàn hoặc Công đoàn", "Youth Union or trade-union route"),
    citation="Điều lệ Đảng Điều 4 khoản 1; QĐ 24-QĐ/TW điểm 3.1",
    confidence=V,
    condition="A candidate of youth age (≤ 360 completed months on the branch meeting date, R-CALC-AGE) where a Youth Union exists is a "
    "Youth Union member introduced by its grassroots executive committee plus one official member; where there is no "
    "Youth Union but a trade union, a trade-union member introduced by its executive committee plus one official member. "
    "Union routes are for youth-age candidates only; the resolution is dated on or before the introduction. Judged at "
    "the branch vote; when the introductions are recorded, a route not fitting the age on that day is flagged (warning).",
    messages={
        "default": ("Hình thức giới thiệu phù hợp: {route}.", "Introduction route fits: {route_en}."),
        "need_youth_union": (
            "Quần chúng {years} tuổi {months} tháng (trong độ tuổi Đoàn) nơi có tổ chức Đoàn: phải là đoàn viên, do BCH Đoàn cơ sở và một đảng viên chính thức giới thiệu.",
            "Candidate aged {years} years {months} months (youth age) where a Youth Union exists: must be a member, introduced by its executive committee and one official member.",
        ),
        "need_trade_union": (
            "Quần chúng trong độ tuổi Đoàn nơi không có tổ chức Đoàn mà có công đoàn: phải là đoàn viên công đoàn, do BCH công đoàn cơ sở và một đảng viên chính thức giới thiệu.",
            "Youth-age candidate with no Youth Union but a trade union: must be a trade-union member, introduced by its executive committee and one official member.",
        ),
        "not_youth": (
            "Quần chúng {years} tuổi {months} tháng, ngoài độ tuổi Đoàn: phải do hai đảng viên chính thức giới thiệu.",
            "Candidate aged {years} years {months} months, beyond youth age: two official members must introduce.",
        ),
        "union_incomplete": (
            "Giới thiệu qua {route}: quần chúng phải là đoàn viên, có nghị quyết giới thiệu (mẫu 4-KNĐ) và đúng một đảng viên chính thức.",
            "Route {route_en}: the candidate must be a union member, with the union's resolution (4-KNĐ) and exactly one official member.",
        ),
    },
    params=("youth_age_max_months",),
)
def union_route(ctx: RuleContext) -> Outcome:
    """Judged on the branch meeting's date (R-CALC-AGE: age is counted at the meeting that considers
    admission). When the introductions are recorded the meeting date is not known yet: a route that
    does not fit the age on the introduction date is then only flagged, and the branch vote decides."""
    at_vote = ctx.trigger == BRANCH_VOTE
    intro = ctx.fact("record_introductions") if at_vote else ctx.act
    if intro is None:
        return NOT_APPLICABLE
    months = age_months_at_branch_meeting(ctx)[0] if at_vote else completed_months(ctx.subject["date_of_birth"], ctx.act_date)
    youth = months <= ctx.param("youth_age_max_months")
    route = intro.get("route", "members")
    values = {**ymd(months), "route": vocab.INTRO_ROUTES[route], "route_en": route}
    if youth and intro.get("youth_union_exists"):
        required = "youth_union"
    elif youth and intro.get("trade_union_exists"):
        required = "trade_union"
    else:
        required = "members"
    if route != required:
        key = {"youth_union": "need_youth_union", "trade_union": "need_trade_union", "members": "not_youth"}[required]
        return fail(key, **values) if at_vote else Outcome(True, key, values, flag=True)
    if route == "members":
        return ok(**values)
    member_flag = "youth_union_member" if route == "youth_union" else "trade_union_member"
    introduced_on = intro.get("introduced_on") or ctx.act_date
    introducers = intro.get("introducers") or []
    complete = bool(ctx.subject.get(member_flag)) and on_or_before(intro.get("union_resolution_on"), introduced_on) and len(introducers) == 1
    return check(complete, "default" if complete else "union_incomplete", **values)


@rule(
    "R-INTRO-4",
    title=("Thay người giới thiệu", "Replacing an introducer"),
    citation="QĐ 24-QĐ/TW điểm 3.2.2",
    confidence=V,
    condition="An introducer who moved, was disciplined or cannot continue is replaced by another official member "
    "assigned by the branch, with the reason recorded; the replacement needs no 12 months together.",
    messages={
        "default": ("Thay người giới thiệu có lý do: {reasons}.", "Replacement with a reason: {reasons}."),
        "no_reason": ("Người giới thiệu thay thế phải ghi lý do thay (chuyển sinh hoạt, bị kỷ luật, không thể tiếp tục).", "A replacement introducer needs the reason (moved, disciplined, cannot continue)."),
    },
)
def introducer_replacement(ctx: RuleContext) -> Outcome:
    replacements = [i for i in _introducers(ctx) if i.get("replacement")]
    if not replacements:
        return NOT_APPLICABLE
    reasons = [i.get("replaces_reason") for i in replacements]
    return check(all(reasons), "default" if all(reasons) else "no_reason", reasons=", ".join(str(r) for r in reasons))


@rule(
    "R-COMMENT-1",
    title=("Nhận xét của đoàn thể và chi ủy nơi cư trú (mẫu 5-KNĐ)", "Comments of mass organisations and residence (5-KNĐ)"),
    citation="HD 12-HD/BTCTW mục II 1.1; HD 01-HD/TW 3.5 [nhớ lại]",
    confidence=V,
    condition="Before the branch meeting the dossier holds the residence-place committee's comment and the summary of "
    "comments (5-KNĐ), both dated on or before the meeting.",
    messages={
        "default": ("Đã có nhận xét nơi cư trú và tổng hợp ý kiến trước ngày họp {meeting}.", "Residence comment and summary recorded before the meeting of {meeting}."),
        "missing": (
            "Thiếu nhận xét của chi ủy nơi cư trú hoặc bản tổng hợp ý kiến (5-KNĐ) trước ngày họp chi bộ {meeting}.",
            "The residence committee's comment or the comments summary (5-KNĐ) is missing before the meeting of {meeting}.",
        ),
    },
)
def comments_recorded(ctx: RuleContext) -> Outcome:
    intro = ctx.fact("record_introductions") or {}
    meeting = branch_meeting_date(ctx)
    good = on_or_before(intro.get("residence_comment_on"), meeting) and on_or_before(intro.get("comments_summary_on"), meeting)
    return check(good, "default" if good else "missing", meeting=meeting)


@rule(
    "R-NOBRANCH-1",
    title=("Nơi chưa có đảng viên, chi bộ", "Where there is no member or branch"),
    citation="QĐ 29-QĐ/TW điểm 3.4 (QĐ 24-QĐ/TW 3.4)",
    confidence=V,
    condition="A candidate whose workplace or residence has no Party member or branch is handled by the branch the "
    "superior committee assigned; the assignment is dated on or before the branch meeting.",
    messages={
        "default": ("Chi bộ được cấp ủy cấp trên giao giúp đỡ quần chúng.", "The branch was assigned by the superior committee."),
        "missing": ("Nơi quần chúng công tác chưa có chi bộ: cần quyết định giao chi bộ giúp đỡ của cấp ủy cấp trên.", "No branch where the candidate works: the superior committee's assignment is required."),
    },
    only_if="no_branch_at_workplace",
)
def assigned_branch(ctx: RuleContext) -> Outcome:
    if not ctx.subject.get("no_branch_at_workplace"):
        return NOT_APPLICABLE
    good = on_or_before((ctx.fact(BRANCH_VOTE) or {}).get("nobranch_assignment_on"), branch_meeting_date(ctx))
    return check(good, "default" if good else "missing")


# -- votes and decisions ------------------------------------------------------------------------

_VOTE_TEXT = {
    "default": (
        "{agreeing}/{total} đảng viên chính thức tán thành ({pct}); cần ít nhất 2/3 tổng số đảng viên chính thức, tức {needed}.",
        "{agreeing}/{total} official members agree ({pct}); at least two thirds of all official members, {needed}, are required.",
    ),
}


def _branch_vote_total(ctx: RuleContext) -> tuple[int, int]:
    agreeing, total, exempt = ctx.need(ctx.act, "agreeing", "official_total", "exempt_absent")
    return agreeing, total - exempt


@rule(
    "R-VOTE-BRANCH-1",
    title=("Chi bộ biểu quyết: 2/3 đảng viên chính thức", "Branch vote: two thirds of official members"),
    citation="Điều lệ Đảng Điều 4 khoản 3 [nhớ lại]; QĐ 24-QĐ/TW Điều 5",
    confidence=V,
    condition="At least two thirds of ALL the branch's official members agree (not of those present): "
    "3 × agreeing ≥ 2 × official total, the total less exempted members who are absent (R-VOTE-BRANCH-2).",
    messages=_VOTE_TEXT,
)
def branch_vote_threshold(ctx: RuleContext) -> Outcome:
    agreeing, total = _branch_vote_total(ctx)
    return check(two_thirds(agreeing, total), **vote_values(agreeing, total))


@rule(
    "R-VOTE-BRANCH-2",
    title=("Đảng viên miễn sinh hoạt vắng mặt", "Absent members exempted from activity"),
    citation="Thực tiễn nghiệp vụ [nhớ lại]",
    confidence=R,
    condition="Official members exempted from work and activity are left out of the total only when absent: the number "
    "left out is at most the number of absent official members.",
    messages={
        "default": ("Không tính {exempt} đảng viên miễn sinh hoạt vắng mặt.", "{exempt} absent exempted members left out of the total."),
        "too_many": (
            "Chỉ được trừ đảng viên miễn sinh hoạt vắng mặt: trừ {exempt} nhưng chỉ {absent} người vắng mặt.",
            "Only absent exempted members may be left out: {exempt} left out but only {absent} absent.",
        ),
    },
)
def exempted_members(ctx: RuleContext) -> Outcome:
    exempt, total, present = ctx.need(ctx.act, "exempt_absent", "official_total", "present")
    if not exempt:
        return NOT_APPLICABLE
    absent = total - present
    return check(exempt <= absent, "default" if exempt <= absent else "too_many", exempt=exempt, absent=absent)


@rule(
    "R-VOTE-COMMITTEE-1",
    title=("Cấp ủy cơ sở biểu quyết: 2/3 cấp ủy viên", "Grassroots committee vote: two thirds"),
    citation="Điều lệ Đảng Điều 4 khoản 3",
    confidence=V,
    condition="Where the branch is under a grassroots committee, at least two thirds of the committee members agree "
    "(3 × agreeing ≥ 2 × members); a grassroots-level branch skips this step, any other branch needs it before the decision.",
    messages={
        "default": (
            "{agreeing}/{total} cấp ủy viên tán thành ({pct}); cần ít nhất 2/3 tổng số cấp ủy viên, tức {needed}.",
            "{agreeing}/{total} committee members agree ({pct}); at least two thirds, {needed}, are required.",
        ),
        "skip": ("Chi bộ cơ sở không qua bước đảng ủy cơ sở xét.", "A grassroots-level branch skips the grassroots committee vote."),
        "required": ("Chi bộ trực thuộc: cần nghị quyết của đảng ủy cơ sở trước khi ra quyết định.", "A branch under a grassroots committee needs that committee's vote before the decision."),
    },
)
def committee_vote_threshold(ctx: RuleContext) -> Outcome:
    if ctx.trigger == DECISION:
        if ctx.snapshot.state == "committee_approved":
            return NOT_APPLICABLE
        return check(is_grassroots_branch(ctx), "skip" if is_grassroots_branch(ctx) else "required")
    if is_grassroots_branch(ctx):
        return fail("skip")
    agreeing, total = ctx.need(ctx.act, "agreeing", "committee_total")
    return check(two_thirds(agreeing, total), **vote_values(agreeing, total))


@rule(
    "R-APPRAISE-1",
    title=("Thẩm định của đảng ủy bộ phận (mẫu 7-KNĐ)", "Sub-committee appraisal (7-KNĐ)"),
    citation="HD 12-HD/BTCTW mục II 1.1",
    confidence=V,
    condition="Where a sub-committee sits between branch and grassroots committee, its appraisal is dated on or before "
    "the grassroots committee's vote.",
    messages={
        "default": ("Đã có báo cáo thẩm định của đảng ủy bộ phận.", "The sub-committee's appraisal is in the dossier."),
        "missing": ("Cần báo cáo thẩm định của đảng ủy bộ phận trước khi đảng ủy cơ sở xét.", "The sub-committee's appraisal is required before the grassroots committee votes."),
    },
)
def subcommittee_appraisal(ctx: RuleContext) -> Outcome:
    if not any(node.level == "sub_committee" for node in ctx.snapshot.org_chain):
        return NOT_APPLICABLE
    good = on_or_before(ctx.act.get("appraisal_on"), ctx.act_date)
    return check(good, "default" if good else "missing")


_BODY_MESSAGES = {
    "default": ("Cấp có thẩm quyền quyết định: {body} của {org}.", "The competent body: {body_en} of {org}."),
    "wrong": (
        "Sai thẩm quyền: phải là {body} của {org} (đã ghi: {given_body} của tổ chức #{given_org}).",
        "Not competent: it must be {body_en} of {org} (given: {given_body} of organisation #{given_org}).",
    ),
    "unknown": ("Không xác định được cấp có thẩm quyền từ cây tổ chức.", "The organisation tree names no competent body."),
}


def _competent_body_check(ctx: RuleContext) -> Outcome:
    org_id, body = ctx.need(ctx.act, "deciding_org_id", "deciding_body")
    competent = competent_body(ctx.snapshot.org_chain)
    if competent is None:
        return fail("unknown")
    org, expected = competent
    values = {
        "org": org.name,
        "body": vocab.DECIDING_BODIES[expected],
        "body_en": expected.replace("_", " "),
        "given_body": vocab.DECIDING_BODIES.get(body, body),
        "given_org": org_id,
    }
    good = org_id == org.id and body == expected
    return check(good, "default" if good else "wrong", **values)


@rule(
    "R-DECIDE-1",
    title=("Thẩm quyền quyết định kết nạp", "Who decides admission"),
    citation="QĐ 29-QĐ/TW điểm 4.3.2 (QĐ 24-QĐ/TW 4.3.2 [nhớ lại])",
    confidence=V,
    condition="(a) a grassroots committee authorised to admit decides as a committee; (b) otherwise the standing "
    "committee of the grassroots organisation's direct superior (read from the tree); (c) for organisations directly "
    "under a provincial committee, its standing members with the standing-committee members heading the Party boards.",
    messages=_BODY_MESSAGES,
)
def competent_decider(ctx: RuleContext) -> Outcome:
    return _competent_body_check(ctx)


def _deadline_check(ctx: RuleContext, start: date, limit_wd: int, extension_wd: int, what: tuple[str, str]) -> Outcome:
    (decided,) = ctx.need(ctx.act, "decided_on")
    deadline = ctx.calendar.add_working_days(start, limit_wd)
    values = {
        "start": start,
        "decided": decided,
        "deadline": deadline,
        "limit": limit_wd,
        "used": ctx.calendar.working_days_between(start, decided),
        "what": what[0],
        "what_en": what[1],
        "extended_deadline": ctx.calendar.add_working_days(start, limit_wd + extension_wd),
    }
    if decided <= deadline:
        return ok(**values)
    if ctx.act.get("extension_reason") and decided <= ctx.calendar.add_working_days(start, limit_wd + extension_wd):
        return ok("extended", **values)
    return fail("overdue", **values)


_DEADLINE_TEXT = {
    "default": (
        "Quyết định ngày {decided}, trong hạn {limit} ngày làm việc kể từ {what} ngày {start} (hạn chót {deadline}).",
        "Decided on {decided}, within {limit} working days of the {what_en} of {start} (deadline {deadline}).",
    ),
    "extended": (
        "Quyết định ngày {decided}, quá {limit} ngày làm việc nhưng trong thời gian gia hạn có lý do (đến {extended_deadline}).",
        "Decided on {decided}, past {limit} working days but within the recorded extension (until {extended_deadline}).",
    ),
    "overdue": (
        "Quyết định ngày {decided} quá hạn: {used} ngày làm việc kể từ {what} ngày {start} (hạn {deadline}, gia hạn tối đa đến {extended_deadline} nếu có lý do). Chậm là khuyết điểm của cấp ủy, không phải căn cứ từ chối.",
        "Decided on {decided}, overdue: {used} working days after the {what_en} of {start} (deadline {deadline}, at most {extended_deadline} with a recorded reason). Lateness is the committee's fault, not a refusal.",
    ),
}


@rule(
    "R-DECIDE-2",
    title=("Thời hạn quyết định kết nạp: 60 ngày làm việc", "Admission decision within 60 working days"),
    citation="QĐ 29-QĐ/TW điểm 4.3.1; QĐ 232-QĐ/TW điểm 4.3.1",
    confidence=V,
    kind=Kind.WARNING,
    condition="The decision is dated on or before the 60th working day after the branch's resolution (day 1 is the first "
    "working day after it); with a recorded reason up to 30 more working days. Overdue is flagged, never a refusal.",
    messages=_DEADLINE_TEXT,
    params=("decision_wd", "decision_extension_wd"),
)
def decision_deadline(ctx: RuleContext) -> Outcome:
    (meeting,) = ctx.need(ctx.fact(BRANCH_VOTE), "meeting_date")
    return _deadline_check(ctx, meeting, ctx.param("decision_wd"), ctx.param("decision_extension_wd"), ("nghị quyết chi bộ", "branch resolution"))


# -- admission, probation, recognition ------------------------------------------------------------


@rule(
    "R-CEREMONY-1",
    title=("Lễ kết nạp trong 30 ngày làm việc", "Ceremony within 30 working days"),
    citation="QĐ 24-QĐ/TW Điều 5 khoản 1 (điểm 4.1); QĐ 29-QĐ/TW 4.1; QĐ 232-QĐ/TW 4.1",
    confidence=V,
    condition="The ceremony is on or before the 30th working day after the branch received the decision (day 1 is the "
    "first working day after receipt; receipt defaults to the decision date); later only with the direct superior "
    "committee's agreement dated on or before the ceremony.",
    messages={
        "default": ("Lễ kết nạp ngày {ceremony}, trong hạn 30 ngày làm việc kể từ khi nhận quyết định ngày {received} (hạn {deadline}).", "Ceremony on {ceremony}, within 30 working days of receiving the decision on {received} (deadline {deadline})."),
        "late_agreed": ("Lễ kết nạp ngày {ceremony} sau hạn {deadline}, đã có ý kiến đồng ý của cấp ủy cấp trên.", "Ceremony on {ceremony} after the deadline {deadline}, with the superior committee's agreement."),
        "late": (
            "Lễ kết nạp ngày {ceremony} quá 30 ngày làm việc kể từ khi nhận quyết định ngày {received} (hạn {deadline}): cần báo cáo và được cấp ủy cấp trên trực tiếp đồng ý.",
            "Ceremony on {ceremony} is past 30 working days from receiving the decision on {received} (deadline {deadline}): the direct superior committee's agreement is required.",
        ),
    },
    params=("ceremony_wd",),
)
def ceremony_deadline(ctx: RuleContext) -> Outcome:
    (decided,) = ctx.need(ctx.fact(DECISION), "decided_on")
    received = ctx.act.get("decision_received_on") or decided
    deadline = ctx.calendar.add_working_days(received, ctx.param("ceremony_wd"))
    values = {"ceremony": ctx.act_date, "received": received, "deadline": deadline}
    if ctx.act_date <= deadline:
        return ok(**values)
    if on_or_before(ctx.act.get("superior_agreement_on"), ctx.act_date):
        return ok("late_agreed", **values)
    return fail("late", **values)


@rule(
    "R-CEREMONY-2",
    title=("Ngày vào Đảng là ngày lễ kết nạp", "The date of joining is the ceremony date"),
    citation="Điều lệ Đảng Điều 5 khoản 1; HD 01-HD/TW điểm 4",
    confidence=V,
    condition="The ceremony, which is the date of joining and starts probation, is on or after the admission decision date.",
    messages={
        "default": ("Ngày vào Đảng {ceremony}; thời kỳ dự bị bắt đầu từ ngày này (quyết định ngày {decided}).", "Joined on {ceremony}; probation starts that day (decision of {decided})."),
        "early": ("Lễ kết nạp ngày {ceremony} trước ngày quyết định kết nạp {decided}.", "Ceremony on {ceremony} precedes the admission decision of {decided}."),
    },
)
def joining_date(ctx: RuleContext) -> Outcome:
    (decided,) = ctx.need(ctx.fact(DECISION), "decided_on")
    good = ctx.act_date >= decided
    return check(good, "default" if good else "early", ceremony=ctx.act_date, decided=decided)


def probation_end(ctx: RuleContext) -> date:
    """The day the 12 months of probation are complete: ceremony + 12 months (R-CALC-MONTHS)."""
    (ceremony,) = ctx.need(ctx.fact(CEREMONY), "ceremony_on")
    return add_months(ceremony, ctx.param("probation_months"))


@rule(
    "R-PROBATION-1",
    title=("Thời kỳ dự bị 12 tháng, có đảng viên giúp đỡ", "12 months' probation with a helping member"),
    citation="Điều lệ Đảng Điều 5 khoản 1",
    confidence=V,
    condition="The recognition vote is on or after ceremony + 12 months (R-CALC-MONTHS), and an official member of the "
    "branch was assigned to help during probation.",
    messages={
        "default": ("Đã đủ 12 tháng dự bị (từ {ceremony} đến {end}); đảng viên giúp đỡ: {helper}.", "12 months' probation served ({ceremony} to {end}); helper: {helper}."),
        "early": ("Chưa đủ 12 tháng dự bị: lễ kết nạp {ceremony}, đủ 12 tháng vào {end}, chi bộ họp {meeting}.", "Probation not complete: ceremony {ceremony}, complete on {end}, meeting {meeting}."),
        "helper": ("Chưa phân công đảng viên chính thức giúp đỡ đảng viên dự bị.", "No official member assigned to help the probationary member."),
    },
    params=("probation_months",),
)
def probation_served(ctx: RuleContext) -> Outcome:
    end = probation_end(ctx)
    (ceremony,) = ctx.need(ctx.fact(CEREMONY), "ceremony_on")
    values = {"ceremony": ceremony, "end": end, "meeting": ctx.act_date}
    if ctx.act_date < end:
        return fail("early", **values)
    helper = ctx.act.get("probation_helper")
    if not helper or not _official_on(helper, ctx.act_date):
        return fail("helper", **values)
    return ok(helper=helper.get("full_name", "?"), **values)


@rule(
    "R-PROBATION-2",
    title=("Hồ sơ thời kỳ dự bị (10, 11, 12-KNĐ)", "Probation records (10-, 11-, 12-KNĐ)"),
    citation="HD 12-HD/BTCTW (số mẫu nhớ lại)",
    confidence=R,
    condition="Before the recognition vote the dossier holds the new-member course certificate, the self-review, the "
    "helper's review and the comments of mass organisations and the residence committee, each dated on or before the meeting.",
    messages={
        "default": ("Đủ hồ sơ thời kỳ dự bị.", "Probation records complete."),
        "missing": ("Thiếu hồ sơ thời kỳ dự bị: {missing}.", "Probation records missing: {missing_en}."),
    },
)
def probation_records(ctx: RuleContext) -> Outcome:
    items = [
        ("new_member_course_on", "giấy chứng nhận lớp bồi dưỡng đảng viên mới", "new-member course certificate"),
        ("self_review_on", "bản tự kiểm điểm (10-KNĐ)", "self-review (10-KNĐ)"),
        ("helper_review_on", "nhận xét của đảng viên giúp đỡ (11-KNĐ)", "helper's review (11-KNĐ)"),
        ("comments_on", "ý kiến đoàn thể và chi ủy nơi cư trú (12-KNĐ)", "comments of mass organisations and residence (12-KNĐ)"),
    ]
    missing = [(vi, en) for key, vi, en in items if not on_or_before(ctx.act.get(key), ctx.act_date)]
    if missing:
        return fail("missing", missing="; ".join(m[0] for m in missing), missing_en="; ".join(m[1] for m in missing))
    return ok()


@rule(
    "R-RECOGNISE-1",
    title=("Chi bộ xét công nhận trong 30 ngày làm việc", "Branch considers recognition within 30 working days"),
    citation="QĐ 24-QĐ/TW Điều 5 khoản 2(a)",
    confidence=V,
    condition="The branch's recognition resolution is dated after probation ended (on or after ceremony + 12 months) and "
    "on or before the 30th working day after that day; a late meeting is flagged, it does not block (R-RECOGNISE-4).",
    messages={
        "default": ("Chi bộ xét công nhận ngày {meeting}, trong hạn (hết dự bị {end}, hạn {deadline}).", "Branch considered recognition on {meeting}, in time (probation ended {end}, deadline {deadline})."),
        "early": ("Nghị quyết công nhận phải sau khi hết 12 tháng dự bị ({end}); chi bộ họp {meeting}.", "The recognition resolution must follow the end of probation ({end}); meeting on {meeting}."),
        "late": ("Chi bộ xét công nhận ngày {meeting}, quá 30 ngày làm việc sau khi hết dự bị ({end}, hạn {deadline}).", "Branch considered recognition on {meeting}, past 30 working days after probation ended ({end}, deadline {deadline})."),
    },
    params=("recognition_vote_wd",),
)
def recognition_vote_timing(ctx: RuleContext) -> Outcome:
    end = probation_end(ctx)
    deadline = ctx.calendar.add_working_days(end, ctx.param("recognition_vote_wd"))
    values = {"meeting": ctx.act_date, "end": end, "deadline": deadline}
    if ctx.act_date < end:
        return fail("early", **values)
    if ctx.act_date > deadline:
        return Outcome(True, "late", values, flag=True)
    return ok(**values)


@rule(
    "R-RECOGNISE-2",
    title=("Biểu quyết công nhận như khi kết nạp", "Recognition votes as for admission"),
    citation="Điều lệ Đảng Điều 5 khoản 2",
    confidence=V,
    condition="The branch votes with at least two thirds of all official members (3 × agreeing ≥ 2 × total), then, "
    "except for a grassroots-level branch, the grassroots committee with at least two thirds of its members.",
    messages={
        **_VOTE_TEXT,
        "committee": (
            "{agreeing}/{total} cấp ủy viên tán thành công nhận ({pct}); cần ít nhất {needed}.",
            "{agreeing}/{total} committee members agree to recognition ({pct}); at least {needed} are required.",
        ),
        "committee_missing": ("Cần số cấp ủy viên và số tán thành của đảng ủy cơ sở.", "The grassroots committee's totals are required."),
    },
)
def recognition_votes(ctx: RuleContext) -> Outcome:
    if ctx.trigger == RECOGNITION_VOTE:
        agreeing, total = _branch_vote_total(ctx)
        return check(two_thirds(agreeing, total), **vote_values(agreeing, total))
    if is_grassroots_branch(ctx) or ctx.snapshot.state != "recognition_proposed":
        return NOT_APPLICABLE
    committee_total, committee_agreeing = ctx.act.get("committee_total"), ctx.act.get("committee_agreeing")
    if committee_total is None or committee_agreeing is None:
        return fail("committee_missing")
    total, agreeing = int(committee_total), int(committee_agreeing)
    return check(two_thirds(agreeing, total), "committee", **vote_values(agreeing, total))


@rule(
    "R-RECOGNISE-3",
    title=("Thời hạn quyết định công nhận: 30 ngày làm việc", "Recognition decision within 30 working days"),
    citation="QĐ 29-QĐ/TW điểm 4.3.1 (giữ nguyên ở các bộ sau)",
    confidence=V,
    kind=Kind.WARNING,
    condition="The recognition decision is dated on or before the 30th working day after the branch's recognition "
    "resolution; with a recorded reason up to 30 more. Overdue is flagged, not refused.",
    messages=_DEADLINE_TEXT,
    params=("recognition_decision_wd", "recognition_extension_wd"),
)
def recognition_decision_deadline(ctx: RuleContext) -> Outcome:
    vote = ctx.fact(RECOGNITION_VOTE)
    if ctx.snapshot.state != "recognition_proposed" or vote is None:
        return NOT_APPLICABLE
    (meeting,) = ctx.need(vote, "meeting_date")
    return _deadline_check(
        ctx, meeting, ctx.param("recognition_decision_wd"), ctx.param("recognition_extension_wd"), ("nghị quyết chi bộ", "branch resolution")
    )


@rule(
    "R-RECOGNISE-4",
    title=("Chính thức từ ngày hết 12 tháng dự bị", "Official from the end of probation"),
    citation="QĐ 24-QĐ/TW Điều 5 khoản 2(b)",
    confidence=V,
    condition="The member is official from the day the 12 months end (ceremony + 12 months), even when the branch or the "
    "committee acted late; a decision stating another date is refused.",
    messages={
        "default": ("Đảng viên chính thức từ ngày {expected} (hết 12 tháng dự bị).", "Official from {expected} (end of probation)."),
        "wrong": ("Ngày chính thức phải là ngày hết 12 tháng dự bị {expected}, không phải {given}.", "The official date must be the end of probation, {expected}, not {given}."),
    },
    params=("probation_months",),
)
def official_from_end_of_probation(ctx: RuleContext) -> Outcome:
    expected = probation_end(ctx)
    given = ctx.act.get("official_from") or expected
    good = given == expected
    return check(good, "default" if good else "wrong", expected=expected, given=given)


@rule(
    "R-RECOGNISE-5",
    title=("Ba lần biểu quyết không đủ 2/3", "Three votes without two thirds"),
    citation="QĐ 24-QĐ/TW Điều 5 khoản 2(c)",
    confidence=V,
    condition="When the branch voted three times without two thirds either for recognition or for striking off, it "
    "reports to the superior and the competent committee decides; a vote that reached two thirds is not inconclusive, "
    "and a vote before the end of probation (ceremony + 12 months) is not a recognition vote.",
    messages={
        "default": ("Đã {count} lần biểu quyết không đủ 2/3; cấp ủy có thẩm quyền xem xét, quyết định.", "{count} votes without two thirds; the competent committee decides."),
        "too_few": ("Mới {count} lần biểu quyết không đủ 2/3; cần {limit} lần trước khi cấp trên quyết định thay.", "Only {count} inconclusive votes; {limit} are needed before the committee decides."),
        "conclusive": ("Lần biểu quyết này đã đạt 2/3 ({agreeing}/{total}); ghi nhận như biểu quyết công nhận hoặc đề nghị xóa tên.", "This vote reached two thirds ({agreeing}/{total}); record it as a recognition or strike-off vote."),
        "early": ("Chi bộ chỉ xét công nhận sau khi hết 12 tháng dự bị ({end}); cuộc họp ngày {meeting}.", "Recognition is considered only after probation ends ({end}); meeting on {meeting}."),
    },
    params=("inconclusive_votes_limit",),
)
def inconclusive_votes(ctx: RuleContext) -> Outcome:
    limit = ctx.param("inconclusive_votes_limit")
    if ctx.trigger == "record_inconclusive_vote":
        end = probation_end(ctx)
        if ctx.act_date < end:
            return fail("early", meeting=ctx.act_date, end=end)
        agreeing, total = _branch_vote_total(ctx)
        (strike,) = ctx.need(ctx.act, "agreeing_strike_off")
        reached = max(agreeing, strike)
        good = not two_thirds(reached, total)
        return check(good, "default" if good else "conclusive", count=ctx.snapshot.count("record_inconclusive_vote") + 1, agreeing=reached, total=total)
    if ctx.snapshot.state != "probationary" or (ctx.trigger == "strike_off" and ctx.act.get("branch_proposal_on")):
        return NOT_APPLICABLE
    count = ctx.snapshot.count("record_inconclusive_vote")
    return check(count >= limit, "default" if count >= limit else "too_few", count=count, limit=limit)


@rule(
    "R-PARTY-AGE-1",
    title=("Tuổi đảng tính từ ngày ghi trong quyết định kết nạp", "Party age from the date in the admission decision"),
    citation="Điều lệ Đảng Điều 5 khoản 4",
    confidence=V,
    condition="Once official, party age counts from the date of the admission decision; a recognition decision stating "
    "another date is refused.",
    messages={
        "default": ("Tuổi đảng tính từ ngày {expected} (ngày quyết định kết nạp).", "Party age counts from {expected} (the admission decision)."),
        "wrong": ("Tuổi đảng phải tính từ ngày ghi trong quyết định kết nạp {expected}, không phải {given}.", "Party age must count from the admission decision's date {expected}, not {given}."),
    },
)
def party_age(ctx: RuleContext) -> Outcome:
    (expected,) = ctx.need(ctx.fact(DECISION), "decided_on")
    given = ctx.act.get("party_age_from") or expected
    good = given == expected
    return check(good, "default" if good else "wrong", expected=expected, given=given)


@rule(
    "R-STRIKE-1",
    title=("Xóa tên đảng viên dự bị", "Striking off a probationary member"),
    citation="Điều lệ Đảng Điều 5 khoản 2",
    confidence=V,
    condition="A probationary member is struck off by the competent committee (as R-DECIDE-1) on the branch's proposal "
    "dated on or before the decision, or after three inconclusive votes (R-RECOGNISE-5).",
    messages={
        **_BODY_MESSAGES,
        "no_proposal": ("Cần nghị quyết đề nghị xóa tên của chi bộ trước ngày quyết định.", "The branch's proposal to strike off, dated before the decision, is required."),
    },
)
def strike_off_decision(ctx: RuleContext) -> Outcome:
    body = _competent_body_check(ctx)
    if not body.passed:
        return body
    proposal = ctx.act.get("branch_proposal_on")
    inconclusive = ctx.snapshot.count("record_inconclusive_vote") >= ctx.param("inconclusive_votes_limit")
    if on_or_before(proposal, ctx.act_date) or (proposal is None and inconclusive):
        return body
    return fail("no_proposal")


# -- failed votes, re-application, re-admission, special cases ------------------------------------


@rule(
    "R-RETRY-1",
    title=("Xét lại sau khi bị từ chối", "Considering again after a refusal"),
    citation="Không có thời gian chờ trong ĐL, QĐ 24, HD 01 [nhớ lại]; chính sách địa phương",
    confidence=R,
    condition="A withdrawn or rejected dossier may be reopened on or after its end date + the local waiting time "
    "(default 0 months); the new consideration needs fresh facts.",
    messages={
        "default": ("Mở lại ngày {reopened}; có thể mở lại từ {earliest}.", "Reopened on {reopened}; allowed from {earliest}."),
        "early": ("Chưa được xét lại: kết thúc ngày {ended}, thời gian chờ {months} tháng, sớm nhất {earliest}.", "Too early: ended {ended}, waiting time {months} months, earliest {earliest}."),
    },
    params=("retry_wait_months",),
)
def retry_waiting_time(ctx: RuleContext) -> Outcome:
    ended = ctx.snapshot.history[-1].act_date if ctx.snapshot.history else ctx.act_date
    months = ctx.param("retry_wait_months")
    earliest = add_months(ended, months)
    good = ctx.act_date >= earliest
    return check(good, "default" if good else "early", reopened=ctx.act_date, ended=ended, earliest=earliest, months=months)


def _former(ctx: RuleContext) -> Mapping[str, Any] | None:
    return ctx.subject.get("former_member")


@rule(
    "R-READMIT-1",
    title=("Điều kiện kết nạp lại", "Conditions for re-admission"),
    citation="QĐ 24-QĐ/TW điểm 3.5.1 (QĐ 29, QĐ 294 giống)",
    confidence=V,
    condition="A former member: at least 36 months since leaving (60 months after a cleared record for a less serious "
    "crime) on the branch meeting date, and the provincial standing committee's written agreement dated on or before it.",
    messages={
        "default": ("Đủ điều kiện thời gian ({since} + {months} tháng = {earliest}) và có văn bản đồng ý của ban thường vụ tỉnh ủy.", "Waiting time met ({since} + {months} months = {earliest}) and provincial agreement recorded."),
        "early": ("Chưa đủ thời gian: từ {since} cần {months} tháng, sớm nhất {earliest}; ngày họp {meeting}.", "Too early: {months} months from {since}, earliest {earliest}; meeting on {meeting}."),
        "agreement": ("Cần văn bản đồng ý của ban thường vụ tỉnh ủy trước ngày họp chi bộ {meeting}.", "The provincial standing committee's written agreement is required before the meeting of {meeting}."),
        "record": ("Cần ngày được xóa án tích.", "The date the criminal record was cleared is required."),
    },
    params=("readmit_wait_months", "readmit_crime_wait_months"),
    only_if="former_member",
)
def readmission_conditions(ctx: RuleContext) -> Outcome:
    former = _former(ctx)
    if not former:
        return NOT_APPLICABLE
    meeting = branch_meeting_date(ctx)
    if former["leave_reason"] == "less_serious_crime":
        since, months = former.get("record_cleared_on"), ctx.param("readmit_crime_wait_months")
        if since is None:
            return fail("record")
    else:
        since, months = former["left_on"], ctx.param("readmit_wait_months")
    earliest = add_months(since, months)
    values = {"since": since, "months": months, "earliest": earliest, "meeting": meeting}
    if meeting < earliest:
        return fail("early", **values)
    if not on_or_before((ctx.fact(BRANCH_VOTE) or {}).get("readmission_agreement_on"), meeting):
        return fail("agreement", **values)
    return ok(**values)


_NEVER_READMIT = frozenset({"abandoned", "disunity", "corruption", "serious_crime"})


@rule(
    "R-READMIT-2",
    title=("Không kết nạp lại", "Never re-admitted"),
    citation="QĐ 24-QĐ/TW điểm 3.5.2",
    confidence=V,
    condition="Never re-admitted who left by abandoning Party activities, by asking to leave (unless for especially "
    "difficult family circumstances), for serious disunity, or after conviction for corruption or a serious crime.",
    messages={
        "default": ("Lý do ra khỏi Đảng ({reason}) không thuộc trường hợp cấm kết nạp lại.", "The reason for leaving ({reason}) does not bar re-admission."),
        "barred": ("Không được kết nạp lại: {reason}.", "Never re-admitted: {reason}."),
    },
    only_if="former_member",
)
def readmission_barred(ctx: RuleContext) -> Outcome:
    former = _former(ctx)
    if not former:
        return NOT_APPLICABLE
    reason = former["leave_reason"]
    barred = reason in _NEVER_READMIT or (reason == "asked_to_leave" and not former.get("family_hardship"))
    return check(not barred, "barred" if barred else "default", reason=vocab.LEAVE_REASONS[reason])


@rule(
    "R-READMIT-3",
    title=("Chỉ kết nạp lại một lần", "Re-admission only once"),
    citation="QĐ 29-QĐ/TW 3.5.3–3.5.4; QĐ 294-QĐ/TW 3.5",
    confidence=V,
    condition="A person already re-admitted once is not re-admitted again; a re-admitted member serves probation again.",
    messages={
        "default": ("Kết nạp lại lần đầu; phải qua thời kỳ dự bị.", "First re-admission; probation is served again."),
        "again": ("Đã được kết nạp lại một lần; không kết nạp lại lần nữa.", "Already re-admitted once; not again."),
    },
    only_if="former_member",
)
def readmission_once(ctx: RuleContext) -> Outcome:
    former = _former(ctx)
    if not former:
        return NOT_APPLICABLE
    again = bool(former.get("readmitted_before"))
    return check(not again, "again" if again else "default")


@rule(
    "R-RELIGION-1",
    title=("Người theo tôn giáo", "Religious followers"),
    citation="QĐ 06-QĐ/TW (28/8/2018) [nội dung nhớ lại]",
    confidence=R,
    condition="A religious follower may be admitted on the common standards; a religious dignitary or office-holder only "
    "with the provincial-level approval dated on or before the branch meeting.",
    messages={
        "default": ("Người theo đạo ({religion}): xét theo tiêu chuẩn chung.", "Religious follower ({religion}): the common standards apply."),
        "office": ("Chức sắc, chức việc, nhà tu hành: cần ý kiến chấp thuận của cấp tỉnh trước ngày họp chi bộ.", "A religious office-holder needs provincial approval before the branch meeting."),
        "office_ok": ("Chức sắc, chức việc đã được cấp tỉnh chấp thuận.", "The religious office-holder has provincial approval."),
    },
)
def religious_candidates(ctx: RuleContext) -> Outcome:
    religion = ctx.subject.get("religion")
    if ctx.subject.get("religious_office"):
        good = on_or_before((ctx.fact(BRANCH_VOTE) or {}).get("religious_office_approval_on"), branch_meeting_date(ctx))
        return check(good, "office_ok" if good else "office", religion=religion)
    if religion:
        return ok(religion=religion)
    return NOT_APPLICABLE


@rule(
    "R-OTHERPARTY-1",
    title=("Từng tham gia đảng phái, tổ chức khác", "Former membership of other parties"),
    citation="QĐ 58-QĐ/TW [nhớ lại]",
    confidence=R,
    condition="A person who was in another political party or organisation opposed to the State (or served the old "
    "regime in certain posts) needs a verification conclusion and the superior's written opinion on or before the branch meeting.",
    messages={
        "default": ("Đã có kết luận thẩm tra và ý kiến bằng văn bản của cấp trên.", "Verification concluded and the superior's written opinion recorded."),
        "missing": ("Từng tham gia tổ chức khác: cần kết luận thẩm tra và ý kiến bằng văn bản của cấp trên trước ngày họp chi bộ.", "Former membership of another organisation: a verification conclusion and the superior's written opinion are required before the meeting."),
    },
    only_if="other_party_history",
)
def other_party(ctx: RuleContext) -> Outcome:
    if not ctx.subject.get("other_party_history"):
        return NOT_APPLICABLE
    verification = ctx.fact(VERIFICATION) or {}
    good = on_or_before(verification.get("superior_opinion_on"), branch_meeting_date(ctx))
    return check(good, "default" if good else "missing")


@rule(
    "R-SLA-1",
    title=("Khai và thẩm tra lý lịch không kéo dài", "Declaration and verification must not drag"),
    citation="Chỉ thị Ban Thường vụ Huyện ủy (seed 002); Công văn 1556-CV/HU (seed 003)",
    confidence=P,
    kind=Kind.WARNING,
    condition="The declaration is on or before the N-th working day after the application (N = the organisation's limit, "
    "default 20) and the verification is concluded on or before the N-th working day after it started (default 40), "
    "counted as in R-CALC-WD. Warns unless the organisation blocks on it.",
    messages={
        "default": (
            "{what}: {used} ngày làm việc (giới hạn {limit}, hạn {deadline}).",
            "{what_en}: {used} working days (limit {limit}, deadline {deadline}).",
        ),
    },
    params=("sla_declaration_wd", "sla_verification_wd"),
)
def stage_limits(ctx: RuleContext) -> Outcome:
    if ctx.trigger == "declare_biography":
        (start,) = ctx.need(ctx.fact("submit_application"), "applied_on")
        limit, what = ctx.param("sla_declaration_wd"), ("Từ nộp đơn đến khai lý lịch", "Application to declaration")
    else:
        (start,) = ctx.need(ctx.fact("start_verification"), "started_on")
        limit, what = ctx.param("sla_verification_wd"), ("Thời gian thẩm tra lý lịch", "Verification")
    used = ctx.calendar.working_days_between(start, ctx.act_date)
    deadline = ctx.calendar.add_working_days(start, limit)
    return check(ctx.act_date <= deadline, used=used, limit=limit, deadline=deadline, what=what[0], what_en=what[1])


# -- counting conventions and reporting practices (no transition of their own) ---------------------

entry(
    "R-CALC-MONTHS",
    title=("Cách tính 'ít nhất N tháng'", "Counting 'at least N months'"),
    citation="Bộ luật Dân sự 2015 Điều 147–148 (quy ước)",
    confidence=C,
    kind=Kind.CONVENTION,
    condition="'At least N months after D' holds from D + N months, same day-number; the last day of that month when it "
    "does not exist (engine.dates.add_months).",
)
entry(
    "R-CALC-AGE",
    title=("Tuổi tính theo tháng tròn", "Age in completed months"),
    citation="QĐ 24-QĐ/TW 1.1.1 ('tính theo tháng'); cách hiểu của chúng tôi",
    confidence=C,
    kind=Kind.CONVENTION,
    condition="Age is counted in completed months at the branch meeting; days beyond the last completed month are "
    "ignored (engine.dates.completed_months).",
)
entry(
    "R-CALC-WD",
    title=("Ngày làm việc", "Working days"),
    citation="Quy ước; các văn bản chỉ ghi 'ngày làm việc'",
    confidence=C,
    kind=Kind.CONVENTION,
    condition="Mon–Fri minus public holidays and official days off (Tết and substitute days included; extra days "
    "configurable); day 1 is the first working day after the event; on time if on or before the N-th (engine.calendar).",
)
entry(
    "R-TARGET-1",
    title=("Chỉ tiêu kết nạp theo năm, nhiệm kỳ", "Admission targets per year and term"),
    citation="Seeds 001, 003, 004",
    confidence=P,
    kind=Kind.PRACTICE,
    condition="Targets per organisation per year and term; progress = admitted / target; each branch at least one a year.",
)
entry(
    "R-TARGET-2",
    title=("Mỗi đoàn thể giới thiệu ít nhất một nguồn", "Each mass organisation introduces a source"),
    citation="Seed 004",
    confidence=P,
    kind=Kind.PRACTICE,
    condition="Each mass organisation introduces at least one source a year.",
)
entry(
    "R-RATE-1",
    title=("Tỷ lệ kết nạp 3–4% mỗi năm", "Yearly admissions 3–4% of membership"),
    citation="Seed 002",
    confidence=P,
    kind=Kind.PRACTICE,
    condition="Yearly admissions are 3–4% of total membership at the start of the year.",
)
entry(
    "R-REVIEW-1",
    title=("Rà soát danh sách cảm tình Đảng hằng tháng", "Monthly review of the sympathiser list"),
    citation="Seeds 002, 004",
    confidence=P,
    kind=Kind.PRACTICE,
    condition="Each branch reviews its sympathiser list every month.",
)

CATALOGUE = RuleCatalogue(_ENTRIES)
