"""What the forms and lists call things, in Vietnamese and English: field labels and choice labels.

The codes and their Vietnamese names come from workflows.vocab (the single source); this module adds
the English names and the labels of the schema fields. Chrome text of the pages goes through
gettext (translations/); these domain labels are pairs like the rules' messages.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from ..engine.rules import Message
from ..workflows import vocab

M = Message

FIELDS: dict[str, Message] = {
    # the person
    "full_name": M("Họ và tên", "Full name"),
    "date_of_birth": M("Ngày sinh", "Date of birth"),
    "gender": M("Giới tính", "Gender"),
    "ethnicity": M("Dân tộc", "Ethnicity"),
    "religion": M("Tôn giáo", "Religion"),
    "religious_office": M("Là chức sắc, chức việc tôn giáo", "Holds a religious office"),
    "education": M("Trình độ học vấn", "Education"),
    "special_area": M("Ở vùng cao, vùng sâu, vùng đặc biệt khó khăn", "Lives in a remote or hardship area"),
    "sea_fisherman": M("Ngư dân bám biển", "Sea fisherman"),
    "community_figure": M("Già làng, trưởng bản, người có uy tín", "Village elder or community figure"),
    "lived_abroad": M("Đã từng ở nước ngoài", "Has lived abroad"),
    "other_party_history": M("Đã tham gia đảng phái khác", "Has belonged to another party"),
    "no_branch_at_workplace": M("Nơi làm việc chưa có tổ chức đảng", "No Party organisation at the workplace"),
    "youth_union_member": M("Đoàn viên", "Youth Union member"),
    "trade_union_member": M("Đoàn viên công đoàn", "Trade-union member"),
    "occupation": M("Nghề nghiệp, nơi làm việc", "Occupation, workplace"),
    "source_category": M("Đối tượng nguồn", "Source category"),
    "citizen_id": M("Số CCCD", "Citizen ID number"),
    "introducing_mass_org_id": M("Đoàn thể giới thiệu", "Introducing mass organisation"),
    "former_member": M("Từng là đảng viên", "Former Party member"),
    "left_on": M("Ngày ra khỏi Đảng", "Left the Party on"),
    "leave_reason": M("Lý do ra khỏi Đảng", "Reason for leaving"),
    "record_cleared_on": M("Ngày được xóa án tích", "Criminal record cleared on"),
    "family_hardship": M("Vì hoàn cảnh gia đình khó khăn", "Because of family hardship"),
    "readmitted_before": M("Đã từng được kết nạp lại", "Readmitted before"),
    # dates of acts
    "registered_on": M("Ngày đưa vào nguồn", "Registered on"),
    "decided_on": M("Ngày quyết định", "Decided on"),
    "nominated_on": M("Ngày cử đi học", "Nominated on"),
    "issued_on": M("Ngày cấp giấy chứng nhận", "Certificate issued on"),
    "applied_on": M("Ngày làm đơn", "Application dated"),
    "declared_on": M("Ngày khai lý lịch", "Declared on"),
    "started_on": M("Ngày bắt đầu thẩm tra", "Verification started on"),
    "concluded_on": M("Ngày kết luận", "Concluded on"),
    "introduced_on": M("Ngày giới thiệu", "Introduced on"),
    "meeting_date": M("Ngày họp", "Meeting date"),
    "ceremony_on": M("Ngày tổ chức lễ kết nạp", "Ceremony on"),
    "returned_on": M("Ngày trả lại", "Returned on"),
    "withdrawn_on": M("Ngày rút hồ sơ", "Withdrawn on"),
    "rejected_on": M("Ngày", "Date"),
    "reopened_on": M("Ngày xem xét lại", "Reopened on"),
    # facts
    "note": M("Ghi chú", "Note"),
    "helper": M("Đảng viên chính thức được phân công giúp đỡ", "Official member assigned to help"),
    "probation_helper": M("Đảng viên giúp đỡ trong thời gian dự bị", "Helper during probation"),
    "helper_member_id": M("Đảng viên chính thức được phân công giúp đỡ", "Official member assigned to help"),
    "class_name": M("Lớp bồi dưỡng", "Training class"),
    "certificate_no": M("Số giấy chứng nhận", "Certificate number"),
    "issuer": M("Nơi cấp", "Issued by"),
    "issuer_kind": M("Loại nơi cấp", "Kind of issuer"),
    "no_political_center": M("Nơi không có trung tâm chính trị", "No political centre in the area"),
    "handwritten_by_candidate": M("Đơn do người xin vào Đảng tự viết tay", "Handwritten by the candidate"),
    "states_understanding_and_motive": M("Đơn nêu rõ nhận thức về Đảng và động cơ xin vào Đảng",
                                         "States understanding of the Party and motive"),
    "personally_declared": M("Tự khai", "Declared personally"),
    "complete": M("Khai đầy đủ, rõ ràng", "Complete and clear"),
    "no_erasures": M("Không tẩy xóa, sửa chữa", "No erasures or corrections"),
    "relatives": M("Người thân phải thẩm tra", "Relatives to verify"),
    "relation": M("Quan hệ", "Relation"),
    "lives_abroad": M("Đang ở nước ngoài", "Lives abroad"),
    "sealed_on": M("Ngày đóng dấu giáp lai", "Sealed on"),
    "tasks": M("Nội dung thẩm tra", "Verification tasks"),
    "subject": M("Đối tượng", "Subject"),
    "name": M("Họ tên", "Name"),
    "place": M("Nơi thẩm tra", "Place"),
    "assignee": M("Người đi thẩm tra", "Assignee"),
    "channel": M("Cách thẩm tra", "Channel"),
    "abroad": M("Ở nước ngoài", "Abroad"),
    "requested_on": M("Ngày gửi yêu cầu", "Requested on"),
    "conclusion": M("Kết luận", "Conclusion"),
    "qd58_issue": M("Có vấn đề theo Quy định 58", "Issue under Regulation 58"),
    "superior_opinion_on": M("Ngày có ý kiến cấp ủy cấp trên", "Superior committee's opinion on"),
    "certified_on": M("Ngày chứng nhận lý lịch", "Biography certified on"),
    "answers": M("Kết quả thẩm tra", "Verification answers"),
    "answered_on": M("Ngày trả lời", "Answered on"),
    "aspects": M("Đã xác minh các mặt", "Aspects verified"),
    "route": M("Hình thức giới thiệu", "Introduction route"),
    "introducers": M("Người giới thiệu", "Introducers"),
    "member_id": M("Đảng viên giới thiệu", "Introducing member"),
    "together_since": M("Cùng công tác từ ngày", "Working together since"),
    "same_unit": M("Cùng đơn vị", "Same unit"),
    "replacement": M("Người thay thế", "Replacement"),
    "replaces_reason": M("Lý do thay thế", "Reason for replacing"),
    "youth_union_exists": M("Có tổ chức Đoàn cơ sở", "A Youth Union organisation exists"),
    "trade_union_exists": M("Có tổ chức Công đoàn cơ sở", "A trade-union organisation exists"),
    "union_resolution_on": M("Ngày nghị quyết giới thiệu của Đoàn/Công đoàn", "Union resolution on"),
    "residence_comment_on": M("Ngày nhận xét nơi cư trú", "Residence comment on"),
    "mass_org_comment_on": M("Ngày nhận xét của đoàn thể", "Mass organisation comment on"),
    "comments_summary_on": M("Ngày tổng hợp nhận xét", "Comments summarised on"),
    "official_total": M("Tổng số đảng viên chính thức", "Official members in total"),
    "exempt_absent": M("Số được miễn sinh hoạt, vắng mặt", "Exempt and absent"),
    "present": M("Số có mặt", "Present"),
    "agreeing": M("Số tán thành", "Agreeing"),
    "resolution_no": M("Số nghị quyết", "Resolution number"),
    "over60_health_and_standing": M("Trên 60 tuổi: đủ sức khỏe, uy tín", "Over 60: health and standing"),
    "over60_basis": M("Trên 60 tuổi: trường hợp", "Over 60: basis"),
    "education_special_approval_on": M("Ngày được đồng ý về trình độ học vấn", "Education exception approved on"),
    "religious_office_approval_on": M("Ngày có ý kiến về chức sắc tôn giáo", "Religious-office approval on"),
    "nobranch_assignment_on": M("Ngày giao chi bộ nơi cư trú", "Branch of residence assigned on"),
    "readmission_agreement_on": M("Ngày cấp có thẩm quyền đồng ý kết nạp lại", "Readmission agreed on"),
    "committee_total": M("Tổng số cấp ủy viên", "Committee members in total"),
    "committee_agreeing": M("Số cấp ủy viên tán thành", "Committee members agreeing"),
    "appraisal_on": M("Ngày thẩm định", "Appraised on"),
    "decision_no": M("Số quyết định", "Decision number"),
    "deciding_org_id": M("Cấp ủy quyết định", "Deciding committee"),
    "deciding_body": M("Tập thể quyết định", "Deciding body"),
    "extension_reason": M("Lý do kéo dài thời hạn", "Reason for extension"),
    "over60_agreement_on": M("Ngày cấp trên đồng ý (trên 60 tuổi)", "Over-60 agreement on"),
    "decision_received_on": M("Ngày chi bộ nhận quyết định", "Decision received on"),
    "superior_agreement_on": M("Ngày cấp trên đồng ý kéo dài", "Superior agreement on"),
    "probation_helper_id": M("Đảng viên giúp đỡ trong thời gian dự bị", "Helper during probation"),
    "new_member_course_on": M("Ngày hoàn thành lớp đảng viên mới", "New-member course completed on"),
    "self_review_on": M("Ngày bản tự kiểm điểm", "Self-review on"),
    "helper_review_on": M("Ngày nhận xét của người giúp đỡ", "Helper's review on"),
    "comments_on": M("Ngày nhận xét của đoàn thể, nơi cư trú", "Comments on"),
    "agreeing_strike_off": M("Số tán thành xóa tên", "Agreeing to strike off"),
    "official_from": M("Công nhận chính thức từ ngày", "Official from"),
    "party_age_from": M("Tuổi đảng tính từ ngày", "Party age from"),
    "target_state": M("Trả về bước", "Return to step"),
    "reason": M("Lý do", "Reason"),
    "requested_by": M("Ai đề nghị", "Requested by"),
    "ground": M("Căn cứ", "Ground"),
    "minutes_no": M("Số biên bản", "Minutes number"),
    "branch_proposal_on": M("Ngày chi bộ đề nghị", "Branch proposal on"),
    "branch_id": M("Chi bộ", "Branch"),
}

HINTS: dict[str, Message] = {
    "date": M("ngày/tháng/năm, ví dụ 05/03/2026", "day/month/year, e.g. 05/03/2026"),
    "citizen_id": M("12 chữ số", "12 digits"),
}

GENDERS = {code: M(vi, en) for code, (vi, en) in vocab.GENDERS.items()}

EN: dict[str, str] = {
    # roles
    "branch_committee": "Branch committee member", "grassroots_staff": "Grassroots committee staff",
    "superior_board": "Superior committee's organisation board", "auditor": "Auditor (inspection committee)", "admin": "Administrator",
    **vocab.EDUCATION_EN,
    **vocab.SOURCE_CATEGORIES_EN,
    # mass organisations
    "fatherland_front": "Fatherland Front", "youth_union": "Youth Union", "women_union": "Women's Union", "farmers_union": "Farmers' Union",
    "veterans_union": "Veterans' Association", "trade_union": "Trade Union",
    "official": "Official member", "probationary": "Probationary member",
    # leave reasons
    "removed": "Removed or expelled", "less_serious_crime": "Convicted of a less serious crime", "population_policy": "Population policy",
    "abandoned": "Abandoned Party activity", "asked_to_leave": "Asked to leave", "disunity": "Serious disunity",
    "corruption": "Convicted of corruption", "serious_crime": "Convicted of a serious crime",
    # deciding bodies, issuers
    "committee": "Authorised grassroots committee", "standing_committee": "Standing committee of the superior committee",
    "standing_and_board_heads": "Standing members and board heads", "political_center": "Political centre",
    "admitting_committee": "Admitting committee (no political centre)",
    # verification
    "candidate": "The candidate", "father": "Father", "mother": "Mother", "father_in_law": "Father-in-law",
    "mother_in_law": "Mother-in-law", "guardian": "Guardian", "spouse": "Spouse", "child": "Adult child",
    "direct": "Directly or by letter", "superior_committee": "Through the superior committee",
    "representation_abroad": "Through a representation abroad", "security_agency": "Security agency",
    "political_history": "Political history", "political_stance": "Political stance", "law_observance": "Law observance",
    "political_quality": "Political quality", "ethics_lifestyle": "Ethics and lifestyle",
    "members": "Two official members", "no_issue": "No issue", "issue": "An issue found",
    "moved": "Moved away", "disciplined": "Disciplined", "cannot_continue": "Cannot continue",
    "no_party_organisation": "No Party organisation", "no_party_member": "No Party member", "special_requirement": "Special requirement",
    "failed_branch_vote": "Failed branch vote", "failed_committee_vote": "Failed committee vote", "refusing_decision": "Refusing decision",
    "branch": "The branch",
}

VI_EXTRA: dict[str, str] = {
    "political_history": "Lịch sử chính trị", "political_stance": "Quan điểm chính trị", "law_observance": "Chấp hành pháp luật",
    "political_quality": "Phẩm chất chính trị", "ethics_lifestyle": "Đạo đức, lối sống",
    "no_issue": "Không có vấn đề", "issue": "Có vấn đề", "moved": "Chuyển công tác", "disciplined": "Bị kỷ luật",
    "cannot_continue": "Không thể tiếp tục", "no_party_organisation": "Nơi chưa có tổ chức đảng",
    "no_party_member": "Nơi chưa có đảng viên", "special_requirement": "Yêu cầu đặc biệt",
    "failed_branch_vote": "Chi bộ biểu quyết không đạt", "failed_committee_vote": "Cấp ủy biểu quyết không đạt",
    "refusing_decision": "Cấp có thẩm quyền không đồng ý", "candidate": "Người xin vào Đảng", "branch": "Chi bộ",
}

CHOICES: dict[str, Mapping[str, object]] = {
    "education": vocab.EDUCATION_LEVELS,
    "source_category": vocab.SOURCE_CATEGORIES,
    "leave_reason": vocab.LEAVE_REASONS,
    "deciding_body": vocab.DECIDING_BODIES,
    "issuer_kind": vocab.CERTIFICATE_ISSUERS,
    "subject": vocab.VERIFY_SUBJECTS,
    "relation": vocab.VERIFY_SUBJECTS,
    "channel": vocab.VERIFY_CHANNELS,
    "route": vocab.INTRO_ROUTES,
}


_ALL_TABLES: tuple[Mapping[str, object], ...] = (
    *CHOICES.values(), vocab.ROLES, vocab.MASS_ORG_KINDS, vocab.MEMBER_STATUSES,
)


def _vi(code: str, table: Mapping[str, object] | None = None) -> str:
    for candidate in (table or {}), *_ALL_TABLES:
        value = candidate.get(code)
        if isinstance(value, tuple):
            value = value[0]
        if isinstance(value, str):
            return value
    return VI_EXTRA.get(code, code)


def choice_label(code: str, lang: str, table: Mapping[str, object] | None = None) -> str:
    """The label of a vocabulary code in `lang`."""
    if code in GENDERS:
        return GENDERS[code].vi if lang == "vi" else GENDERS[code].en
    return _vi(code, table) if lang == "vi" else EN.get(code, code.replace("_", " "))


def field_label(name: str, lang: str) -> str:
    label = FIELDS.get(name)
    if label is None:
        return name.replace("_", " ")
    return label.vi if lang == "vi" else label.en


def show(value: object, lang: str) -> str:
    """A recorded fact as a person reads it: dates dd/mm/yyyy, yes/no, codes by their label, lists joined."""
    if isinstance(value, bool):
        return ("có" if value else "không") if lang == "vi" else ("yes" if value else "no")
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, str):
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            try:
                return f"{date.fromisoformat(value):%d/%m/%Y}"
            except ValueError:
                return value
        return choice_label(value, lang) if value.isidentifier() and value.islower() else value
    if isinstance(value, (list, tuple)):
        return "; ".join(show(v, lang) for v in value)
    if isinstance(value, Mapping):
        if "relation" in value:  # a relative of the candidate
            abroad = (" (ở nước ngoài)" if lang == "vi" else " (abroad)") if value.get("lives_abroad") else ""
            return f"{choice_label(str(value['relation']), lang)}: {value.get('full_name', '')}{abroad}"
        if "full_name" in value:  # a member resolved from the register
            return str(value["full_name"])
        person = value.get("member")
        named = [str(person["full_name"])] if isinstance(person, Mapping) and "full_name" in person else []
        return ", ".join(named + [f"{field_label(str(k), lang)}: {show(v, lang)}" for k, v in value.items()
                                  if v not in (None, "", [], False) and k not in ("member", "member_id" if named else "")])
    return str(value)
