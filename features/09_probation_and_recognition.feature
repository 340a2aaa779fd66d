Feature: Probation ("thời kỳ dự bị") and recognition ("công nhận đảng viên chính thức")
  Probation lasts 12 months from the ceremony, counted as in R-CALC-MONTHS, with an official member
  assigned to help (R-PROBATION-1); the dossier gathers the new-member course certificate, the
  self-review (10-KNĐ), the helper's review (11-KNĐ) and the comments (12-KNĐ) before the branch
  considers recognition (R-PROBATION-2). The branch meets after probation ended and within 30
  working days of that day; a later meeting is recorded and flagged (R-RECOGNISE-1). It votes as for
  admission: two thirds of all official members, then two thirds of the grassroots committee
  (R-RECOGNISE-2). The decision comes within 30 working days of the branch's resolution, flagged when
  late (R-RECOGNISE-3). The member is official from the day the 12 months end, whenever the branch or
  the committee acted (R-RECOGNISE-4); party age counts from the date of the admission decision
  (R-PARTY-AGE-1). After three votes without two thirds either way, the competent committee decides
  (R-RECOGNISE-5).
  "The usual way" is the way journey.happy_path records each step: Lê Văn Bình, the first official
  member, helps the candidate and introduces them with Phạm Thị Cúc; the branch counts 15 official
  members at the admission vote, the grassroots committee ("đảng ủy") 9 members.
  In the usual way the admission decision is dated 23/06/2023 when the ceremony is on 03/07/2023.

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

  @R-PROBATION-1 @R-PROBATION-2 @R-RECOGNISE-1 @passes
  Scenario: Admitted on 03/07/2023, the branch considers recognition on 03/07/2024
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When the branch meeting of 03/07/2024 votes on recognition: 16 official members, 15 present, 15 agreeing
    Then the step is applied
    And the dossier is in state "recognition_proposed" ("Chi bộ đề nghị công nhận chính thức")
    And the message of R-PROBATION-1 says "Đã đủ 12 tháng dự bị (từ 03/07/2023 đến 03/07/2024); đảng viên giúp đỡ: Lê Văn Bình"

  @R-PROBATION-1 @R-RECOGNISE-1 @fails
  Scenario: One day before the 12 months end, the branch may not consider recognition
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When the branch meeting of 02/07/2024 votes on recognition: 16 official members, 15 present, 15 agreeing
    Then the step is refused by exactly R-PROBATION-1 and R-RECOGNISE-1
    And the message of R-PROBATION-1 says "Chưa đủ 12 tháng dự bị: lễ kết nạp 03/07/2023, đủ 12 tháng vào 03/07/2024, chi bộ họp 02/07/2024"
    And nothing was written

  @R-PROBATION-1 @fails
  Scenario: The member who helped during probation must be an official member
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "hold_recognition_vote" is recorded on 08/07/2024 with:
      | probation_helper_id | Đặng Thị Én |
    Then the step is refused by exactly R-PROBATION-1
    And the message of R-PROBATION-1 says "Chưa phân công đảng viên chính thức giúp đỡ đảng viên dự bị"

  @R-PROBATION-2 @fails
  Scenario: Without the self-review the branch may not consider recognition
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "hold_recognition_vote" is recorded on 08/07/2024 with:
      | self_review_on |  |
    Then the step is refused by exactly R-PROBATION-2
    And the message of R-PROBATION-2 says "Thiếu hồ sơ thời kỳ dự bị: bản tự kiểm điểm (10-KNĐ)"

  @R-PROBATION-2 @fails
  Scenario: A new-member course finished after the meeting does not count
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "hold_recognition_vote" is recorded on 08/07/2024 with:
      | new_member_course_on | 20/07/2024 |
    Then the step is refused by exactly R-PROBATION-2
    And the message of R-PROBATION-2 says "giấy chứng nhận lớp bồi dưỡng đảng viên mới"

  @R-RECOGNISE-1 @passes
  Scenario: On the 30th working day after probation ended the branch is in time
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When the branch meeting of 14/08/2024 votes on recognition: 16 official members, 15 present, 15 agreeing
    Then the step is applied
    And no rule warns
    And the message of R-RECOGNISE-1 says "hết dự bị 03/07/2024, hạn 14/08/2024"

  @R-RECOGNISE-1 @warns
  Scenario: On the 31st working day the branch is late: recorded and flagged
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When the branch meeting of 15/08/2024 votes on recognition: 16 official members, 15 present, 15 agreeing
    Then the step is applied with a warning from R-RECOGNISE-1
    And the message of R-RECOGNISE-1 says "quá 30 ngày làm việc sau khi hết dự bị (03/07/2024, hạn 14/08/2024)"

  @R-RECOGNISE-2 @passes
  Scenario: 11 of 16 official members agree to recognition
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When the branch meeting of 08/07/2024 votes on recognition: 16 official members, 11 present, 11 agreeing
    Then the step is applied
    And the message of R-RECOGNISE-2 says "11/16 đảng viên chính thức tán thành (68.75%)"

  @R-RECOGNISE-2 @fails
  Scenario: 10 of 16 is short of two thirds
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When the branch meeting of 08/07/2024 votes on recognition: 16 official members, 16 present, 10 agreeing
    Then the step is refused by exactly R-RECOGNISE-2
    And the message of R-RECOGNISE-2 says "cần ít nhất 2/3 tổng số đảng viên chính thức, tức 11"

  @R-RECOGNISE-2 @R-DECIDE-1 @passes
  Scenario: The grassroots committee agrees with 6 of 9, the district decides
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 18/07/2024 with:
      | committee_total    | 9                  |
      | committee_agreeing | 6                  |
      | deciding_org_id    | Huyện ủy Bình Sơn  |
      | deciding_body      | standing_committee |
    Then the step is applied
    And the dossier is in state "official" ("Đảng viên chính thức")

  @R-RECOGNISE-2 @fails
  Scenario: The grassroots committee agrees with only 5 of 9
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 18/07/2024 with:
      | committee_total    | 9 |
      | committee_agreeing | 5 |
    Then the step is refused by exactly R-RECOGNISE-2
    And the message of R-RECOGNISE-2 says "5/9 cấp ủy viên tán thành công nhận (55.56%); cần ít nhất 6"

  @R-RECOGNISE-2 @fails
  Scenario: A branch under a grassroots committee needs that committee's vote on recognition
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 18/07/2024 with:
      | committee_total    |  |
      | committee_agreeing |  |
    Then the step is refused by exactly R-RECOGNISE-2
    And the message of R-RECOGNISE-2 says "Cần số cấp ủy viên và số tán thành của đảng ủy cơ sở"

  @R-DECIDE-1 @fails
  Scenario: The grassroots committee not authorised to admit may not recognise either
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 18/07/2024 with:
      | deciding_org_id | Đảng ủy xã Bình Châu |
      | deciding_body   | committee            |
    Then the step is refused by exactly R-DECIDE-1

  @R-RECOGNISE-3 @passes
  Scenario: Recognised on the 30th working day after the branch's resolution
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 19/08/2024
    Then the step is applied
    And no rule warns
    And the message of R-RECOGNISE-3 says "hạn chót 19/08/2024"

  @R-RECOGNISE-3 @fails
  Scenario: Recognised on the 31st working day: recorded, flagged as late
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 20/08/2024
    Then the step is applied with a warning from R-RECOGNISE-3
    And the dossier is in state "official"
    And the message of R-RECOGNISE-3 says "Quyết định ngày 20/08/2024 quá hạn: 31 ngày làm việc"

  @R-RECOGNISE-4 @passes
  Scenario: Official from the end of probation although the branch met late
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    And "hold_recognition_vote" was recorded on 15/08/2024
    When "record_recognition_decision" is recorded on 22/08/2024 with:
      | official_from | 03/07/2024 |
    Then the step is applied
    And the message of R-RECOGNISE-4 says "Đảng viên chính thức từ ngày 03/07/2024 (hết 12 tháng dự bị)"

  @R-RECOGNISE-4 @fails
  Scenario: A decision making the member official from its own date is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    And "hold_recognition_vote" was recorded on 15/08/2024
    When "record_recognition_decision" is recorded on 22/08/2024 with:
      | official_from | 22/08/2024 |
    Then the step is refused by exactly R-RECOGNISE-4
    And the message of R-RECOGNISE-4 says "Ngày chính thức phải là ngày hết 12 tháng dự bị 03/07/2024, không phải 22/08/2024"

  @R-PARTY-AGE-1 @passes
  Scenario: Party age counts from the date of the admission decision
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 18/07/2024 with:
      | party_age_from | 23/06/2023 |
    Then the step is applied
    And the message of R-PARTY-AGE-1 says "Tuổi đảng tính từ ngày 23/06/2023 (ngày quyết định kết nạp)"

  @R-PARTY-AGE-1 @fails
  Scenario: Party age may not count from the ceremony
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "recognition_proposed" on 08/07/2024 the usual way
    When "record_recognition_decision" is recorded on 18/07/2024 with:
      | party_age_from | 03/07/2023 |
    Then the step is refused by exactly R-PARTY-AGE-1
    And the message of R-PARTY-AGE-1 says "Tuổi đảng phải tính từ ngày ghi trong quyết định kết nạp 23/06/2023, không phải 03/07/2023"

  @R-RECOGNISE-5 @passes
  Scenario: A vote with two thirds neither for recognition nor for striking off is recorded as inconclusive
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "record_inconclusive_vote" is recorded on 08/07/2024 with:
      | official_total      | 15 |
      | present             | 14 |
      | agreeing            | 9  |
      | agreeing_strike_off | 5  |
    Then the step is applied
    And the dossier is in state "probationary"
    And the message of R-RECOGNISE-5 says "Đã 1 lần biểu quyết không đủ 2/3"

  @R-RECOGNISE-5 @fails
  Scenario: A vote that reached two thirds is not inconclusive
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "record_inconclusive_vote" is recorded on 08/07/2024 with:
      | official_total      | 15 |
      | present             | 14 |
      | agreeing            | 10 |
      | agreeing_strike_off | 4  |
    Then the step is refused by exactly R-RECOGNISE-5
    And the message of R-RECOGNISE-5 says "Lần biểu quyết này đã đạt 2/3 (10/15)"

  @R-RECOGNISE-5 @fails
  Scenario: A vote before the 12 months of probation end is not a recognition vote at all
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "record_inconclusive_vote" is recorded on 02/07/2024 with:
      | official_total      | 15 |
      | present             | 14 |
      | agreeing            | 9  |
      | agreeing_strike_off | 5  |
    Then the step is refused by exactly R-RECOGNISE-5
    And the message of R-RECOGNISE-5 says "sau khi hết 12 tháng dự bị (03/07/2024)"

  @R-RECOGNISE-5 @passes
  Scenario: After three inconclusive votes the competent committee recognises the member itself
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    And "record_inconclusive_vote" was recorded on 08/07/2024 with:
      | official_total      | 15 |
      | present             | 14 |
      | agreeing            | 9  |
      | agreeing_strike_off | 5  |
    And "record_inconclusive_vote" was recorded on 22/07/2024 with:
      | official_total      | 15 |
      | present             | 15 |
      | agreeing            | 8  |
      | agreeing_strike_off | 7  |
    And "record_inconclusive_vote" was recorded on 05/08/2024 with:
      | official_total      | 15 |
      | present             | 13 |
      | agreeing            | 9  |
      | agreeing_strike_off | 4  |
    When "record_recognition_decision" is recorded on 15/08/2024
    Then the step is applied
    And the dossier is in state "official"
    And the message of R-RECOGNISE-5 says "Đã 3 lần biểu quyết không đủ 2/3; cấp ủy có thẩm quyền xem xét, quyết định"

  @R-RECOGNISE-5 @fails
  Scenario: After two inconclusive votes the committee may not yet decide in the branch's place
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    And "record_inconclusive_vote" was recorded on 08/07/2024 with:
      | official_total      | 15 |
      | present             | 14 |
      | agreeing            | 9  |
      | agreeing_strike_off | 5  |
    And "record_inconclusive_vote" was recorded on 22/07/2024 with:
      | official_total      | 15 |
      | present             | 15 |
      | agreeing            | 8  |
      | agreeing_strike_off | 7  |
    When "record_recognition_decision" is recorded on 15/08/2024
    Then the step is refused by exactly R-RECOGNISE-5
    And the message of R-RECOGNISE-5 says "Mới 2 lần biểu quyết không đủ 2/3; cần 3 lần"
