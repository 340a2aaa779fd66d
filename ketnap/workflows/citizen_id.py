"""The citizen ID number ("số định danh cá nhân", the number on the CCCD card): what its 12 digits say.

Thông tư 07/2016/TT-BCA, Điều 7, as amended by Thông tư 59/2021/TT-BCA, gives the number its shape:

  digits 1–3   the code of the province or city where the birth was registered (PROVINCES);
  digit 4      gender and century of birth: 0 a man / 1 a woman born 1900–1999, 2 / 3 born 2000–2099,
               4 / 5 the 2100s, 6 / 7 the 2200s, 8 / 9 the 2300s (an even digit a man, an odd one a woman);
  digits 5–6   the last two digits of the year of birth;
  digits 7–12  a random serial.

`problems()` names every part that does not hold; the schemas check the shape and the province on the
field, and its agreement with the date of birth and the gender once both are known.
"""

from __future__ import annotations

from datetime import date

LENGTH = 12
FIRST_CENTURY = 1900  # digit 4 = 0 or 1
LAST_YEAR = FIRST_CENTURY + 5 * 100 - 1  # digit 4 = 8 or 9: the 2300s

PROVINCES: dict[str, str] = {
    "001": "Hà Nội", "002": "Hà Giang", "004": "Cao Bằng", "006": "Bắc Kạn", "008": "Tuyên Quang", "010": "Lào Cai",
    "011": "Điện Biên", "012": "Lai Châu", "014": "Sơn La", "015": "Yên Bái", "017": "Hòa Bình", "019": "Thái Nguyên",
    "020": "Lạng Sơn", "022": "Quảng Ninh", "024": "Bắc Giang", "025": "Phú Thọ", "026": "Vĩnh Phúc", "027": "Bắc Ninh",
    "030": "Hải Dương", "031": "Hải Phòng", "033": "Hưng Yên", "034": "Thái Bình", "035": "Hà Nam", "036": "Nam Định",
    "037": "Ninh Bình", "038": "Thanh Hóa", "040": "Nghệ An", "042": "Hà Tĩnh", "044": "Quảng Bình", "045": "Quảng Trị",
    "046": "Thừa Thiên Huế", "048": "Đà Nẵng", "049": "Quảng Nam", "051": "Quảng Ngãi", "052": "Bình Định", "054": "Phú Yên",
    "056": "Khánh Hòa", "058": "Ninh Thuận", "060": "Bình Thuận", "062": "Kon Tum", "064": "Gia Lai", "066": "Đắk Lắk",
    "067": "Đắk Nông", "068": "Lâm Đồng", "070": "Bình Phước", "072": "Tây Ninh", "074": "Bình Dương", "075": "Đồng Nai",
    "077": "Bà Rịa–Vũng Tàu", "079": "TP Hồ Chí Minh", "080": "Long An", "082": "Tiền Giang", "083": "Bến Tre",
    "084": "Trà Vinh", "086": "Vĩnh Long", "087": "Đồng Tháp", "089": "An Giang", "091": "Kiên Giang", "092": "Cần Thơ",
    "093": "Hậu Giang", "094": "Sóc Trăng", "095": "Bạc Liêu", "096": "Cà Mau",
}
"""The 63 province codes of birth registration (Thông tư 07/2016/TT-BCA, Phụ lục), [recalled]: written from
memory of the circular's annex, not checked against its text. The numbers keep the codes of the 63 provinces
as they were when issued; the 2025 merger of provinces did not renumber anyone."""


def format_problems(citizen_id: str) -> list[str]:
    """What is wrong with the number on its own: 12 ASCII digits whose first three are a province code."""
    if not (citizen_id.isascii() and citizen_id.isdigit()):
        return ["Số CCCD gồm 12 chữ số (citizen ID: 12 digits)."]
    if len(citizen_id) != LENGTH:
        if LENGTH - 3 <= len(citizen_id) < LENGTH:  # what is left of a number that started with zeros, once Excel read it
            return [f"Số CCCD gồm 12 chữ số, số này có {len(citizen_id)}: nếu Excel đã bỏ các số 0 ở đầu, hãy nhập cột "
                    f"này dạng văn bản (citizen ID: 12 digits, this one has {len(citizen_id)}; if Excel dropped leading zeros, "
                    "enter the column as text)."]
        return [f"Số CCCD gồm 12 chữ số, số này có {len(citizen_id)} (citizen ID: 12 digits, this one has {len(citizen_id)})."]
    if citizen_id[:3] not in PROVINCES:
        return [f"Ba chữ số đầu của số CCCD ({citizen_id[:3]}) không phải mã tỉnh, thành phố nơi đăng ký khai sinh "
                f"(the first three digits are not a province code)."]
    return []


def consistency_problems(citizen_id: str, date_of_birth: date | None, gender: str | None) -> list[str]:
    """Where a well-formed number disagrees with the person's date of birth or gender ('male', 'female')."""
    digit = int(citizen_id[3])
    first_year = FIRST_CENTURY + digit // 2 * 100
    problems = []
    if date_of_birth is not None:
        year = date_of_birth.year
        if not first_year <= year < first_year + 100:
            problems.append(f"Chữ số thứ 4 của số CCCD ({digit}) ứng với người sinh năm {first_year}–{first_year + 99}, "
                            f"nhưng năm sinh là {year} (digit 4 says born {first_year}–{first_year + 99}, "
                            f"the date of birth says {year}).")
        if citizen_id[4:6] != f"{year % 100:02d}":
            problems.append(f"Chữ số thứ 5–6 của số CCCD ({citizen_id[4:6]}) phải là hai số cuối của năm sinh, "
                            f"{year % 100:02d} (digits 5–6 must be the last two digits of the year of birth).")
    if gender in ("male", "female") and gender != ("female" if digit % 2 else "male"):
        said, given = ("nữ", "nam") if digit % 2 else ("nam", "nữ")
        problems.append(f"Chữ số thứ 4 của số CCCD ({digit}) ứng với giới tính {said}, nhưng giới tính là {given} "
                        f"(digit 4 says {'female' if digit % 2 else 'male'}, the gender is {gender}).")
    return problems


def problems(citizen_id: str, date_of_birth: date | None = None, gender: str | None = None) -> list[str]:
    """Every problem with the number: its shape and province, then (if those hold) its agreement with the
    date of birth and the gender, each checked only when given. Empty when the number is valid."""
    return format_problems(citizen_id) or consistency_problems(citizen_id, date_of_birth, gender)


def make_citizen_id(date_of_birth: date, gender: str, serial: int, province: str = "001") -> str:
    """A valid number for a person (the template's example, tests, benchmarks): `serial` is digits 7–12."""
    if province not in PROVINCES or not FIRST_CENTURY <= date_of_birth.year <= LAST_YEAR or not 0 <= serial < 10**6:
        raise ValueError(f"no citizen ID for province {province}, born {date_of_birth.year}, serial {serial}")
    digit = (date_of_birth.year - FIRST_CENTURY) // 100 * 2 + (gender == "female")
    return f"{province}{digit}{date_of_birth.year % 100:02d}{serial:06d}"
