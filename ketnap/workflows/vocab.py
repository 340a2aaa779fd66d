"""Controlled vocabularies of the admission workflow, each code with its Vietnamese label.

The English names of the codes a person's record uses are here too (the web's labels and the import of
sources both read them); the other codes' English names are the web's (webui/labels.py).
"""

from __future__ import annotations

ROLES = {
    "branch_committee": "Chi ủy viên",
    "grassroots_staff": "Cán bộ cấp ủy cơ sở",
    "superior_board": "Ban tổ chức cấp ủy cấp trên",
    "auditor": "Ủy ban kiểm tra",
    "admin": "Quản trị",
}

# Organisation levels are data: these codes are what the rules look for in the chain.
ORG_LEVELS = {
    "central": ("Trung ương", 0),
    "province": ("Tỉnh ủy / Thành ủy", 1),
    "district": ("Huyện ủy / Thị ủy / Quận ủy", 2),
    "commune": ("Đảng ủy xã / phường / đặc khu", 2),
    "superior": ("Đảng ủy cấp trên cơ sở (khối, ngành)", 2),
    "grassroots_committee": ("Đảng bộ cơ sở (đảng ủy)", 3),
    "grassroots_branch": ("Chi bộ cơ sở", 3),
    "sub_committee": ("Đảng bộ bộ phận", 4),
    "branch": ("Chi bộ trực thuộc", 5),
}
GRASSROOTS_LEVELS = frozenset({"grassroots_committee", "grassroots_branch"})
DOSSIER_LEVELS = frozenset({"branch", "grassroots_branch"})

EDUCATION_LEVELS = {
    "none": ("Chưa biết chữ", 0),
    "literate": ("Biết đọc, biết viết tiếng Việt", 1),
    "primary": ("Hoàn thành chương trình tiểu học", 2),
    "lower_secondary_equivalent": ("Tương đương trung học cơ sở", 3),
    "lower_secondary": ("Tốt nghiệp trung học cơ sở", 4),
    "upper_secondary": ("Tốt nghiệp trung học phổ thông", 5),
    "vocational": ("Trung cấp", 6),
    "college": ("Cao đẳng", 7),
    "university": ("Đại học", 8),
    "postgraduate": ("Sau đại học", 9),
}

GENDERS = {"male": ("Nam", "Male"), "female": ("Nữ", "Female")}

EDUCATION_EN = {
    "none": "Illiterate", "literate": "Reads and writes Vietnamese", "primary": "Primary school completed",
    "lower_secondary_equivalent": "Lower-secondary equivalent", "lower_secondary": "Lower-secondary graduate",
    "upper_secondary": "Upper-secondary graduate", "vocational": "Vocational", "college": "College", "university": "University",
    "postgraduate": "Postgraduate",
}

SOURCE_CATEGORIES = {
    "commune_official": "Cán bộ, công chức, người hoạt động không chuyên trách cấp xã",
    "hamlet_head": "Trưởng, phó thôn, tổ dân phố; trưởng ban công tác Mặt trận",
    "union_member": "Đoàn viên, hội viên các đoàn thể",
    "teacher": "Giáo viên",
    "pre_military": "Thanh niên chuẩn bị nhập ngũ",
    "demobilised": "Quân nhân xuất ngũ",
    "militia": "Dân quân",
    "health_staff": "Viên chức trạm y tế",
    "student": "Học sinh, sinh viên",
    "private_worker": "Người lao động trong doanh nghiệp tư nhân",
    "farmer": "Nông dân sản xuất, kinh doanh giỏi",
    "other": "Khác",
}
SOURCE_CATEGORIES_EN = {
    "commune_official": "Commune official", "hamlet_head": "Hamlet or residential-group head", "union_member": "Union or association member",
    "teacher": "Teacher", "pre_military": "Young man before military service", "demobilised": "Demobilised soldier", "militia": "Militia",
    "health_staff": "Health-station staff", "student": "Student", "private_worker": "Private-sector worker",
    "farmer": "Successful farmer or trader", "other": "Other",
}

MASS_ORG_KINDS = {
    "fatherland_front": "Mặt trận Tổ quốc",
    "youth_union": "Đoàn Thanh niên Cộng sản Hồ Chí Minh",
    "women_union": "Hội Liên hiệp Phụ nữ",
    "farmers_union": "Hội Nông dân",
    "veterans_union": "Hội Cựu chiến binh",
    "trade_union": "Công đoàn",
}

MEMBER_STATUSES = {"official": "Đảng viên chính thức", "probationary": "Đảng viên dự bị"}

LEAVE_REASONS = {
    "removed": "Bị xóa tên / khai trừ (không thuộc các trường hợp dưới)",
    "less_serious_crime": "Bị kết án về tội ít nghiêm trọng",
    "population_policy": "Vi phạm chính sách dân số",
    "abandoned": "Tự bỏ sinh hoạt đảng",
    "asked_to_leave": "Xin ra khỏi Đảng",
    "disunity": "Gây mất đoàn kết nội bộ nghiêm trọng",
    "corruption": "Bị kết án về tội tham nhũng",
    "serious_crime": "Bị kết án về tội nghiêm trọng trở lên",
}

DECIDING_BODIES = {
    "committee": "Tập thể cấp ủy cơ sở được ủy quyền",
    "standing_committee": "Ban thường vụ cấp ủy cấp trên trực tiếp",
    "standing_and_board_heads": "Thường trực và các ủy viên ban thường vụ là trưởng các ban đảng",
}

CERTIFICATE_ISSUERS = {
    "political_center": "Trung tâm chính trị cấp huyện hoặc tương đương",
    "admitting_committee": "Cấp ủy có thẩm quyền kết nạp (nơi không có trung tâm chính trị)",
    "other": "Khác",
}

VERIFY_SUBJECTS = {
    "candidate": "Người xin vào Đảng",
    "father": "Cha đẻ",
    "mother": "Mẹ đẻ",
    "father_in_law": "Cha vợ / cha chồng",
    "mother_in_law": "Mẹ vợ / mẹ chồng",
    "guardian": "Người trực tiếp nuôi dưỡng",
    "spouse": "Vợ / chồng",
    "child": "Con đẻ có năng lực hành vi dân sự đầy đủ",
}

VERIFY_CHANNELS = {
    "direct": "Trực tiếp / công văn đến cấp ủy nơi cư trú, công tác",
    "superior_committee": "Qua cấp ủy cấp trên",
    "representation_abroad": "Qua cơ quan đại diện Việt Nam ở nước ngoài (Đảng ủy Ngoài nước)",
    "security_agency": "Cơ quan an ninh trong nước",
}

VERIFY_ASPECTS_CANDIDATE = ("political_history", "political_stance", "law_observance", "political_quality", "ethics_lifestyle")
VERIFY_ASPECTS_RELATIVE = ("political_history", "political_stance", "law_observance")

INTRO_ROUTES = {
    "members": "Hai đảng viên chính thức giới thiệu",
    "youth_union": "Ban Chấp hành Đoàn cơ sở và một đảng viên chính thức",
    "trade_union": "Ban Chấp hành Công đoàn cơ sở và một đảng viên chính thức",
}
