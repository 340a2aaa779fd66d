"""The admission procedure ("quy trình kết nạp đảng viên"), top to bottom.

One dossier per candidate, owned by the branch where the candidate works or lives. Each step names
who may take it, the facts it records (schemas.py) and the rules that guard it (rules.py). The
workflow is built once and shared by every dossier.
"""

from __future__ import annotations

from typing import Any

from ..engine.calendar import WorkingCalendar
from ..engine.errors import BadInput
from ..engine.rules import Message
from ..engine.snapshot import Params, Snapshot
from ..engine.workflow import Directory, StateSpec, TransitionSpec, Workflow
from . import schemas as s
from .params import load_calendar, load_params
from .rules import CATALOGUE
from .rulesets import RULE_SETS

BRANCH = frozenset({"branch_committee", "grassroots_staff"})
GRASSROOTS = frozenset({"grassroots_staff"})
DECIDERS = frozenset({"grassroots_staff", "superior_board"})
ANY_OFFICER = frozenset({"branch_committee", "grassroots_staff", "superior_board"})

# The happy path, in order: (state, Vietnamese, English).
HAPPY_PATH: tuple[tuple[str, str, str], ...] = (
    ("source", "Nguồn phát triển đảng", "Source"),
    ("sympathiser", "Quần chúng cảm tình Đảng", "Sympathiser"),
    ("training_nominated", "Cử đi học lớp bồi dưỡng nhận thức về Đảng", "Nominated for the training class"),
    ("trained", "Đã có giấy chứng nhận", "Trained (certificate)"),
    ("applied", "Đã có đơn xin vào Đảng", "Applied"),
    ("biography_declared", "Đã khai lý lịch", "Biography declared"),
    ("under_verification", "Đang thẩm tra lý lịch", "Under verification"),
    ("verified", "Đã thẩm tra, kết luận", "Verified"),
    ("introduced", "Đã được giới thiệu", "Introduced"),
    ("branch_approved", "Chi bộ đề nghị kết nạp", "Branch approved"),
    ("committee_approved", "Cấp ủy cơ sở đề nghị", "Grassroots committee approved"),
    ("admission_decided", "Có quyết định kết nạp", "Admission decided"),
    ("probationary", "Đảng viên dự bị", "Probationary member"),
    ("recognition_proposed", "Chi bộ đề nghị công nhận chính thức", "Recognition proposed"),
    ("official", "Đảng viên chính thức", "Official member"),
)
OTHER_ENDS: tuple[tuple[str, str, str], ...] = (
    ("withdrawn", "Đã rút hồ sơ", "Withdrawn"),
    ("rejected", "Không được kết nạp", "Rejected"),
    ("struck_off", "Bị xóa tên khỏi danh sách đảng viên dự bị", "Struck off"),
)
TERMINAL = frozenset({"official", "withdrawn", "rejected", "struck_off"})
ORDER = [name for name, _, _ in HAPPY_PATH]
BEFORE_PROBATION = tuple(ORDER[: ORDER.index("probationary")])
REWORKABLE = tuple(ORDER[ORDER.index("applied") + 1 : ORDER.index("probationary")])
BRANCH_STAGE = frozenset(ORDER[: ORDER.index("branch_approved")])

STATES = [StateSpec(n, Message(vi, en), n in TERMINAL) for n, vi, en in (*HAPPY_PATH, *OTHER_ENDS)]


def branch_until_its_vote(state: str) -> frozenset[str]:
    """Withdrawing, rejecting or returning a dossier: the branch's own until its vote; afterwards the
    grassroots committee's or the superior committee's (workflow.md, Roles)."""
    return BRANCH if state in BRANCH_STAGE else DECIDERS


def earlier_states(source: str) -> tuple[str, ...]:
    """Where return-for-rework may send a dossier: any earlier step from the sympathiser list on."""
    return tuple(ORDER[1 : ORDER.index(source)])


def step(trigger: str, sources: tuple[str, ...], dest: str | None, vi: str, en: str, roles: frozenset[str],
         schema: type, date_field: str, rules: tuple[str, ...] = (), form: str = "", **extra: Any) -> TransitionSpec:
    return TransitionSpec(
        trigger=trigger, sources=sources, dest=dest, label=Message(vi, en), roles=roles, rules=rules,
        date_field=date_field, parse=s.codec(schema), form=form, **extra,
    )


# Which trigger recorded the facts that lead into each state: superseded when the dossier goes back.
def superseded_after(target: str) -> tuple[str, ...]:
    later = set(ORDER[ORDER.index(target) + 1 :])
    return tuple(t.trigger for t in TRANSITIONS if t.dest in later)


def _supersede_to_target(source: str, dest: str) -> tuple[str, ...]:
    return superseded_after(dest)


# -- resolving the members the facts name ------------------------------------------------------


def _member(directory: Directory, member_id: int, field: str) -> dict[str, Any]:
    member = directory.member(member_id)
    if member is None:
        raise BadInput({field: f"Không có đảng viên số {member_id} (no such member)."})
    return dict(member)


def resolve_helper(facts: dict[str, Any], snapshot: Snapshot, directory: Directory) -> dict[str, Any]:
    return {**facts, "helper": _member(directory, facts["helper_member_id"], "helper_member_id")}


def resolve_introducers(facts: dict[str, Any], snapshot: Snapshot, directory: Directory) -> dict[str, Any]:
    introducers = [
        {**intro, "member": _member(directory, intro["member_id"], f"introducers[{i}].member_id")}
        for i, intro in enumerate(facts.get("introducers", []))
    ]
    return {**facts, "introducers": introducers}


def resolve_probation_helper(facts: dict[str, Any], snapshot: Snapshot, directory: Directory) -> dict[str, Any]:
    helper_id = facts.get("probation_helper_id")
    if helper_id is None:
        return facts
    return {**facts, "probation_helper": _member(directory, helper_id, "probation_helper_id")}


# -- the procedure --------------------------------------------------------------------------------

ELIGIBILITY = ("R-AGE-1", "R-AGE-2", "R-AGE-3", "R-EDU-1", "R-EDU-2", "R-EDU-3", "R-POLSTD-1", "R-RELIGION-1", "R-OTHERPARTY-1")
READMISSION = ("R-READMIT-1", "R-READMIT-2", "R-READMIT-3")
INTRODUCTION_AT_VOTE = ("R-INTRO-3",)
DOSSIER_COMPLETE = ("R-TRAIN-1", "R-TRAIN-2", "R-APP-1", "R-VERIFY-5", "R-COMMENT-1", "R-NOBRANCH-1")

TRANSITIONS: list[TransitionSpec] = [
    step("register_source", (), "source", "Đưa vào nguồn phát triển đảng", "Register as a source", BRANCH,
         s.RegisterSource, "registered_on"),
    step("admit_to_sympathiser_list", ("source",), "sympathiser", "Đưa vào danh sách cảm tình Đảng, phân công đảng viên giúp đỡ",
         "Admit to the sympathiser list, assign a helper", BRANCH, s.AdmitToSympathiserList, "decided_on",
         ("R-HELP-1",), resolve=resolve_helper),
    step("nominate_for_training", ("sympathiser",), "training_nominated", "Cử đi học lớp bồi dưỡng nhận thức về Đảng",
         "Nominate for the Party awareness class", BRANCH, s.NominateForTraining, "nominated_on"),
    step("record_training_certificate", ("sympathiser", "training_nominated"), "trained", "Ghi nhận giấy chứng nhận (CN-NTVĐ)",
         "Record the training certificate", BRANCH, s.RecordTrainingCertificate, "issued_on", ("R-TRAIN-1",), form="CN-NTVĐ"),
    step("submit_application", ("trained",), "applied", "Nộp đơn xin vào Đảng", "Submit the application", BRANCH,
         s.SubmitApplication, "applied_on", ("R-APP-1",), form="1-KNĐ"),
    step("declare_biography", ("applied",), "biography_declared", "Khai lý lịch của người xin vào Đảng", "Declare the biography",
         BRANCH, s.DeclareBiography, "declared_on", ("R-BIO-1", "R-SLA-1"), form="2-KNĐ"),
    step("start_verification", ("biography_declared",), "under_verification", "Thẩm tra, xác minh lý lịch", "Start verification",
         BRANCH, s.StartVerification, "started_on", ("R-VERIFY-1", "R-VERIFY-3", "R-ABROAD-1")),
    step("conclude_verification", ("under_verification",), "verified", "Kết luận thẩm tra, chứng nhận lý lịch",
         "Conclude verification, certify the biography", BRANCH, s.ConcludeVerification, "concluded_on",
         ("R-VERIFY-2", "R-VERIFY-4", "R-BIO-2", "R-SLA-1")),
    step("record_introductions", ("verified",), "introduced", "Giới thiệu người vào Đảng; nhận xét nơi cư trú, đoàn thể",
         "Record the introductions and comments", BRANCH, s.RecordIntroductions, "introduced_on",
         ("R-INTRO-1", "R-INTRO-2", "R-INTRO-3", "R-INTRO-4"), form="3-KNĐ / 4-KNĐ / 5-KNĐ", resolve=resolve_introducers),
    step("hold_branch_vote", ("introduced",), "branch_approved", "Chi bộ xét, biểu quyết đề nghị kết nạp",
         "Branch meeting votes on admission", BRANCH, s.HoldBranchVote, "meeting_date",
         (*ELIGIBILITY, *DOSSIER_COMPLETE, *INTRODUCTION_AT_VOTE, *READMISSION, "R-VOTE-BRANCH-1", "R-VOTE-BRANCH-2"), form="6-KNĐ"),
    step("hold_grassroots_committee_vote", ("branch_approved",), "committee_approved", "Đảng ủy cơ sở xét, biểu quyết",
         "Grassroots committee votes", GRASSROOTS, s.HoldCommitteeVote, "meeting_date",
         ("R-APPRAISE-1", "R-VOTE-COMMITTEE-1"), form="7-KNĐ / 8-KNĐ"),
    step("record_admission_decision", ("committee_approved", "branch_approved"), "admission_decided",
         "Quyết định kết nạp đảng viên", "Record the admission decision", DECIDERS, s.RecordAdmissionDecision, "decided_on",
         ("R-VOTE-COMMITTEE-1", "R-DECIDE-1", "R-DECIDE-2", "R-AGE-3"), form="9-KNĐ"),
    step("hold_admission_ceremony", ("admission_decided",), "probationary", "Tổ chức lễ kết nạp", "Hold the admission ceremony",
         BRANCH, s.HoldAdmissionCeremony, "ceremony_on", ("R-CEREMONY-1", "R-CEREMONY-2")),
    step("record_inconclusive_vote", ("probationary",), "probationary", "Ghi nhận biểu quyết không đủ 2/3",
         "Record a vote without two thirds", BRANCH, s.RecordInconclusiveVote, "meeting_date", ("R-RECOGNISE-5",)),
    step("hold_recognition_vote", ("probationary",), "recognition_proposed", "Chi bộ xét, đề nghị công nhận đảng viên chính thức",
         "Branch votes on recognition", BRANCH, s.HoldRecognitionVote, "meeting_date",
         ("R-PROBATION-1", "R-PROBATION-2", "R-RECOGNISE-1", "R-RECOGNISE-2", "R-VOTE-BRANCH-2"), form="13-KNĐ",
         resolve=resolve_probation_helper),
    step("record_recognition_decision", ("recognition_proposed", "probationary"), "official",
         "Quyết định công nhận đảng viên chính thức", "Record the recognition decision", DECIDERS, s.RecordRecognitionDecision,
         "decided_on", ("R-RECOGNISE-2", "R-RECOGNISE-3", "R-RECOGNISE-4", "R-RECOGNISE-5", "R-PARTY-AGE-1", "R-DECIDE-1"),
         form="16-KNĐ"),
    # -- other ways out
    step("return_for_rework", REWORKABLE, None, "Trả lại để làm lại", "Return for rework", ANY_OFFICER, s.ReturnForRework,
         "returned_on", targets=earlier_states, supersedes=_supersede_to_target, roles_from=branch_until_its_vote),
    step("withdraw", BEFORE_PROBATION, "withdrawn", "Rút hồ sơ", "Withdraw", ANY_OFFICER, s.Withdraw, "withdrawn_on",
         roles_from=branch_until_its_vote),
    step("reject", ("introduced", "branch_approved", "committee_approved"), "rejected", "Không kết nạp (biểu quyết không đạt, quyết định không đồng ý)",
         "Reject (failed vote or refusing decision)", ANY_OFFICER, s.Reject, "rejected_on", roles_from=branch_until_its_vote),
    step("strike_off", ("probationary", "recognition_proposed"), "struck_off", "Xóa tên trong danh sách đảng viên dự bị",
         "Strike off the probationary list", DECIDERS, s.StrikeOff, "decided_on", ("R-STRIKE-1", "R-RECOGNISE-5")),
    step("reopen", ("withdrawn", "rejected"), "source", "Xem xét lại từ đầu", "Reopen as a source", BRANCH, s.Reopen,
         "reopened_on", ("R-RETRY-1",), supersedes=lambda source, dest: superseded_after("source")),
]


def build_workflow(params: Params | None = None, calendar: WorkingCalendar | None = None) -> Workflow:
    """The admission workflow; build once per process (or per parameter set) and share it."""
    return Workflow(
        name="admission",
        states=STATES,
        transitions=TRANSITIONS,
        catalogue=CATALOGUE,
        rule_sets=RULE_SETS,
        params=params or load_params(),
        initial="source",
        calendar=calendar or load_calendar(),
    )


def decoders(workflow: Workflow) -> dict[str, Any]:
    """Per fact kind, the function that turns stored JSON back into typed facts."""
    return {t.kind: t.parse.decode for t in workflow.transitions.values() if isinstance(t.parse, s.FactCodec)}


def state_label(state: str, lang: str = "vi") -> str:
    for name, vi, en in (*HAPPY_PATH, *OTHER_ENDS):
        if name == state:
            return vi if lang == "vi" else en
    return state
