Feature: The branch meeting considers admission ("chi bộ xét, đề nghị kết nạp")
  The branch considers each candidate separately and proposes admission when at least two thirds of
  ALL its official members agree, not two thirds of those present (R-VOTE-BRANCH-1); official
  members exempted from Party activity ("miễn sinh hoạt đảng") who are absent are left out of the
  total (R-VOTE-BRANCH-2). On the date of the meeting the candidate has full 18 years (R-AGE-1) and
  at most full 60 years (R-AGE-2), ages counted in completed months; over 60 only by the exception of
  R-AGE-3. Education: lower-secondary diploma or higher, under rule set 2016 "or equivalent" too
  (R-EDU-1); in difficult areas primary school (R-EDU-2); for village elders and persons of standing
  reading and writing Vietnamese, or the provincial standing committee's approval (R-EDU-3).
  A refused meeting lists every rule that failed and records nothing.
  "The usual way" is the way journey.happy_path records each step: Lê Văn Bình, the first official
  member, helps the candidate and introduces them with Phạm Thị Cúc; the branch counts 15 official
  members at the admission vote, the grassroots committee ("đảng ủy") 9 members.

  Background:
    Given the organisations:
      | organisation         | level                | under                |
      | Huyện ủy Bình Sơn    | district             |                      |
      | Đảng ủy xã Bình Châu | grassroots_committee | Huyện ủy Bình Sơn    |
      | Chi bộ thôn An Điềm  | branch               | Đảng ủy xã Bình Châu |
      | Chi bộ thôn Tân Hy   | branch               | Đảng ủy xã Bình Châu |
    And the members of "Chi bộ thôn An Điềm":
      | member       | status       | since      |
      | Lê Văn Bình  | official     | 12/03/2008 |
      | Phạm Thị Cúc | official     | 03/02/2012 |
      | Võ Văn Dũng  | official     | 19/05/2015 |
      | Đặng Thị Én  | probationary |            |
    And the members of "Chi bộ thôn Tân Hy":
      | member          | status   | since      |
      | Trương Văn Hải  | official | 07/11/2010 |
    And the dossier is kept by "Chi bộ thôn An Điềm"

  @R-VOTE-BRANCH-1 @passes
  Scenario: 10 of 15 official members agree: exactly two thirds
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 10 present, 10 agreeing
    Then the step is applied
    And the dossier is in state "branch_approved" ("Chi bộ đề nghị kết nạp")
    And the message of R-VOTE-BRANCH-1 says "10/15 đảng viên chính thức tán thành (66.67%)"

  @R-VOTE-BRANCH-1 @fails
  Scenario: 9 of 15 is one short, although all 9 present agree
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 9 present, 9 agreeing
    Then the step is refused by exactly R-VOTE-BRANCH-1
    And the message of R-VOTE-BRANCH-1 says "9/15 đảng viên chính thức tán thành (60.00%); cần ít nhất 2/3 tổng số đảng viên chính thức, tức 10"
    And nothing was written
    And the dossier is in state "introduced"

  @R-VOTE-BRANCH-2 @R-VOTE-BRANCH-1 @passes
  Scenario: An absent member exempted from Party activity is left out of the total
    16 official members, one of them exempted and absent: two thirds of 15 is 10.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When "hold_branch_vote" is recorded on 29/05/2023 with:
      | official_total | 16 |
      | exempt_absent  | 1  |
      | present        | 14 |
      | agreeing       | 10 |
    Then the step is applied
    And the message of R-VOTE-BRANCH-2 says "Không tính 1 đảng viên miễn sinh hoạt vắng mặt"
    And the message of R-VOTE-BRANCH-1 says "10/15"

  @R-VOTE-BRANCH-2 @fails
  Scenario: Only absent members may be left out
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When "hold_branch_vote" is recorded on 29/05/2023 with:
      | official_total | 16 |
      | exempt_absent  | 3  |
      | present        | 14 |
      | agreeing       | 10 |
    Then the step is refused by exactly R-VOTE-BRANCH-2
    And the message of R-VOTE-BRANCH-2 says "trừ 3 nhưng chỉ 2 người vắng mặt"

  @R-AGE-1 @passes
  Scenario: Exactly 18 years on the day of the meeting
    Given a candidate "Nguyễn Văn An" born on 14/06/2005
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 14/06/2023 votes on admission: 15 official members, 14 present, 14 agreeing
    Then the step is applied
    And the message of R-AGE-1 says "Ngày chi bộ xét kết nạp 14/06/2023: quần chúng 18 tuổi 0 tháng"

  @R-AGE-1 @fails
  Scenario: One day short of 18 years
    Given a candidate "Nguyễn Văn An" born on 14/06/2005
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 13/06/2023 votes on admission: 15 official members, 14 present, 14 agreeing
    Then the step is refused by exactly R-AGE-1
    And the message of R-AGE-1 says "quần chúng 17 tuổi 11 tháng (tính theo tháng tròn); phải đủ 18 tuổi (216 tháng)"

  @R-AGE-2 @passes
  Scenario: 60 years 0 months 28 days is still "60"
    Given a candidate "Trần Văn Bảy" born on 01/10/1965
    And the dossier has reached "introduced" on 09/10/2025 the usual way
    When the branch meeting of 29/10/2025 votes on admission: 15 official members, 14 present, 14 agreeing
    Then the step is applied
    And rule R-AGE-3 does not apply
    And the message of R-AGE-2 says "quần chúng 60 tuổi 0 tháng"

  @R-AGE-2 @R-AGE-3 @fails
  Scenario: 60 years 1 month is over 60, and the exception's conditions are not recorded
    Given a candidate "Trần Văn Bảy" born on 29/09/1965
    And the dossier has reached "introduced" on 09/10/2025 the usual way
    When the branch meeting of 29/10/2025 votes on admission: 15 official members, 14 present, 14 agreeing
    Then the step is refused by exactly R-AGE-2 and R-AGE-3
    And the message of R-AGE-2 says "quần chúng 60 tuổi 1 tháng (tính theo tháng tròn); không quá 60 tuổi (720 tháng)"

  @R-AGE-2 @R-AGE-3 @passes
  Scenario: Over 60, in good health and standing, in a hamlet with no Party member
    The provincial standing committee's written agreement is checked at the decision (07_committee_and_decision).
    Given a candidate "Trần Văn Bảy" born on 29/09/1965
    And the dossier has reached "introduced" on 09/10/2025 the usual way
    When "hold_branch_vote" is recorded on 29/10/2025 with:
      | over60_health_and_standing | yes             |
      | over60_basis               | no_party_member |
    Then the step is applied
    And the message of R-AGE-2 says "trên 60 tuổi, xét theo trường hợp ngoại lệ R-AGE-3"

  @R-AGE-3 @fails
  Scenario: Over 60 with a basis but without good health and standing
    Given a candidate "Trần Văn Bảy" born on 29/09/1965
    And the dossier has reached "introduced" on 09/10/2025 the usual way
    When "hold_branch_vote" is recorded on 29/10/2025 with:
      | over60_health_and_standing | no              |
      | over60_basis               | no_party_member |
    Then the step is refused by exactly R-AGE-3
    And the message of R-AGE-3 says "Trên 60 tuổi: cần có sức khỏe, uy tín và lý do"

  @R-EDU-1 @passes
  Scenario: Under rule set 2016, on 29/07/2021, "tương đương trung học cơ sở" is accepted
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the candidate's record says:
      | education | lower_secondary_equivalent |
    And the dossier has reached "introduced" on 05/07/2021 the usual way
    When the branch meeting of 29/07/2021 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And the message of R-EDU-1 says "(bộ quy định 2016)"

  @R-EDU-1 @fails
  Scenario: Under rule set 2021, from 30/07/2021, only the diploma counts
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the candidate's record says:
      | education | lower_secondary_equivalent |
    And the dossier has reached "introduced" on 05/07/2021 the usual way
    When the branch meeting of 30/07/2021 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-EDU-1
    And the message of R-EDU-1 says "Trình độ: Tương đương trung học cơ sở; cần bằng tốt nghiệp trung học cơ sở trở lên (bộ quy định 2021)"

  @R-EDU-1 @fails
  Scenario: Primary school is not enough outside the difficult areas
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the candidate's record says:
      | education | primary |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-EDU-1
    And rule R-EDU-2 does not apply

  @R-EDU-1 @R-EDU-2 @passes
  Scenario: In an ethnic-minority mountain commune, primary school is enough
    Given a candidate "Hồ Văn Lũy" born on 02/09/1990
    And the candidate's record says:
      | education    | primary |
      | ethnicity    | Cor     |
      | special_area | yes     |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And the message of R-EDU-1 says "chưa đạt THCS nhưng thuộc vùng được ngoại lệ, xét theo R-EDU-2"

  @R-EDU-2 @passes
  Scenario: A fisherman working at sea with primary school
    Given a candidate "Võ Văn Biển" born on 02/09/1990
    And the candidate's record says:
      | education     | primary |
      | sea_fisherman | yes     |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied

  @R-EDU-2 @fails
  Scenario: In a difficult area, a candidate who has not completed primary school
    Given a candidate "Hồ Văn Lũy" born on 02/09/1990
    And the candidate's record says:
      | education    | literate |
      | special_area | yes      |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-EDU-2
    And the message of R-EDU-2 says "ở vùng đặc biệt khó khăn phải hoàn thành chương trình tiểu học trở lên"

  @R-EDU-3 @passes
  Scenario: A village elder who reads and writes Vietnamese
    Given a candidate "Hồ Văn Già" born on 02/09/1970
    And the candidate's record says:
      | education        | literate |
      | special_area     | yes      |
      | community_figure | yes      |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And the message of R-EDU-2 says "dưới tiểu học, xét theo R-EDU-3"

  @R-EDU-3 @fails
  Scenario: A village elder who cannot read and write, without the provincial approval
    Given a candidate "Hồ Văn Già" born on 02/09/1970
    And the candidate's record says:
      | education        | none |
      | special_area     | yes  |
      | community_figure | yes  |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-EDU-3
    And the message of R-EDU-3 says "già làng, trưởng bản, người có uy tín phải biết đọc, biết viết tiếng Việt hoặc được ban thường vụ tỉnh ủy chấp thuận"

  @R-EDU-3 @passes
  Scenario: The same village elder, with the provincial standing committee's approval before the meeting
    Given a candidate "Hồ Văn Già" born on 02/09/1970
    And the candidate's record says:
      | education        | none |
      | special_area     | yes  |
      | community_figure | yes  |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When "hold_branch_vote" is recorded on 29/05/2023 with:
      | education_special_approval_on | 22/05/2023 |
    Then the step is applied

  @R-AGE-1 @R-EDU-1 @R-VOTE-BRANCH-1 @fails
  Scenario: A refused meeting lists every failing rule, not only the first, and writes nothing
    Given a candidate "Nguyễn Văn An" born on 14/06/2005
    And the candidate's record says:
      | education | primary |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 13/06/2023 votes on admission: 15 official members, 12 present, 9 agreeing
    Then the step is refused by exactly R-AGE-1, R-EDU-1 and R-VOTE-BRANCH-1
    And rule R-AGE-2 passes
    And rule R-TRAIN-2 passes
    And nothing was written
    And the dossier is in state "introduced"
