Feature: Verifying the biography ("thẩm tra lý lịch")
  The grassroots committee verifies the candidate and every close relative declared in the biography
  (R-VERIFY-1) on every required point (R-VERIFY-2); relatives living abroad, and the candidate's own
  time abroad, through the superior committee or the Vietnamese representation abroad (R-VERIFY-3,
  R-ABROAD-1). The biography is certified only after the conclusion (R-BIO-2). Answers should come
  within 30 working days of the request (R-VERIFY-4, a warning), the whole verification within the
  organisation's limit of 40 working days (R-SLA-1, a warning). At the branch meeting the conclusion
  should not be older than 12 months (R-VERIFY-5, a warning); a conclusion that raised an issue under
  QĐ 58 needs the competent superior's written opinion before the meeting (R-POLSTD-1).
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

  @R-VERIFY-1 @passes
  Scenario: The candidate and both declared parents are verified
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "biography_declared" on 07/04/2023 the usual way
    When verification starts on 12/04/2023 with requests about:
      | about     |
      | candidate |
      | father    |
      | mother    |
    Then the step is applied
    And the dossier is in state "under_verification" ("Đang thẩm tra lý lịch")
    And the message of R-VERIFY-1 says "bao gồm người xin vào Đảng và 2 người thân đã khai"

  @R-VERIFY-1 @fails
  Scenario: Leaving out a declared relative is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate declares these relatives:
      | relation | name            |
      | father   | Nguyễn Văn Cha  |
      | mother   | Trần Thị Mẹ     |
      | spouse   | Lê Thị Hồng     |
    And the dossier has reached "biography_declared" on 07/04/2023 the usual way
    When verification starts on 12/04/2023 with requests about:
      | about     |
      | candidate |
      | father    |
      | mother    |
    Then the step is refused by exactly R-VERIFY-1
    And the message of R-VERIFY-1 says "Chưa thẩm tra: Vợ / chồng."

  @R-VERIFY-3 @passes
  Scenario: A mother living abroad is verified through the representation abroad
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate declares these relatives:
      | relation | name           | lives abroad |
      | father   | Nguyễn Văn Cha | no           |
      | mother   | Trần Thị Mẹ    | yes          |
    And the dossier has reached "biography_declared" on 07/04/2023 the usual way
    When verification starts on 12/04/2023 with requests about:
      | about     | channel               | abroad |
      | candidate | direct                | no     |
      | father    | direct                | no     |
      | mother    | representation_abroad | yes    |
    Then the step is applied

  @R-VERIFY-3 @fails
  Scenario: A mother living abroad may not be verified by a letter to a local committee
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate declares these relatives:
      | relation | name           | lives abroad |
      | father   | Nguyễn Văn Cha | no           |
      | mother   | Trần Thị Mẹ    | yes          |
    And the dossier has reached "biography_declared" on 07/04/2023 the usual way
    When verification starts on 12/04/2023 with requests about:
      | about     | channel | abroad |
      | candidate | direct  | no     |
      | father    | direct  | no     |
      | mother    | direct  | yes    |
    Then the step is refused by exactly R-VERIFY-3
    And the message of R-VERIFY-3 says "Người thân ở nước ngoài (Mẹ đẻ) phải được thẩm tra qua cấp ủy cấp trên hoặc cơ quan đại diện Việt Nam ở nước ngoài"

  @R-ABROAD-1 @passes
  Scenario: A candidate who worked abroad has that period verified through the superior committee
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate's record says:
      | lived_abroad | yes |
    And the dossier has reached "biography_declared" on 07/04/2023 the usual way
    When verification starts on 12/04/2023 with requests about:
      | about     | channel            | abroad |
      | candidate | superior_committee | yes    |
      | father    | direct             | no     |
      | mother    | direct             | no     |
    Then the step is applied

  @R-ABROAD-1 @fails
  Scenario: A candidate who worked abroad is not verified on the home address alone
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate's record says:
      | lived_abroad | yes |
    And the dossier has reached "biography_declared" on 07/04/2023 the usual way
    When verification starts on 12/04/2023 with requests about:
      | about     |
      | candidate |
      | father    |
      | mother    |
    Then the step is refused by exactly R-ABROAD-1

  @R-VERIFY-2 @R-BIO-2 @passes
  Scenario: Every point answered; the biography certified on the day of the conclusion
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When verification is concluded on 10/04/2025 with answers:
      | about     | answered on | aspects                                                                                    |
      | candidate | 08/04/2025  | political_history, political_stance, law_observance, political_quality, ethics_lifestyle |
      | father    | 25/03/2025  | political_history, political_stance, law_observance                                       |
      | mother    | 27/03/2025  | political_history, political_stance, law_observance                                       |
    Then the step is applied
    And the dossier is in state "verified" ("Đã thẩm tra, kết luận")
    And the message of R-VERIFY-2 says "Đã có kết quả thẩm tra đủ nội dung cho 3 đối tượng"

  @R-VERIFY-2 @fails
  Scenario: An answer about the candidate that says nothing of ethics and lifestyle is incomplete
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When verification is concluded on 10/04/2025 with answers:
      | about     | answered on | aspects                                                                  |
      | candidate | 08/04/2025  | political_history, political_stance, law_observance, political_quality |
      | father    | 25/03/2025  | political_history, political_stance, law_observance                     |
      | mother    | 27/03/2025  | political_history, political_stance, law_observance                     |
    Then the step is refused by exactly R-VERIFY-2
    And the message of R-VERIFY-2 says "Kết quả thẩm tra còn thiếu: Người xin vào Đảng"

  @R-BIO-2 @fails
  Scenario: The biography may not be certified before the verification is concluded
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When "conclude_verification" is recorded on 10/04/2025 with:
      | certified_on | 07/04/2025 |
    Then the step is refused by exactly R-BIO-2
    And the message of R-BIO-2 says "Cấp ủy cơ sở chứng nhận lý lịch ngày 07/04/2025, kết luận thẩm tra ngày 10/04/2025"

  @R-VERIFY-4 @passes
  Scenario: Answers on the 30th working day after the request are in time (7/4/2025 is a holiday)
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When "conclude_verification" is recorded on 15/04/2025
    Then the step is applied
    And no rule warns

  @R-VERIFY-4 @fails
  Scenario: Answers on the 31st working day: applied, shown as late
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When "conclude_verification" is recorded on 16/04/2025
    Then the step is applied with a warning from R-VERIFY-4
    And the message of R-VERIFY-4 says "Trả lời thẩm tra quá 30 ngày làm việc: Người xin vào Đảng (03/03/2025 → 16/04/2025)"

  @R-SLA-1 @passes
  Scenario: Verification concluded on the 40th working day is within the limit
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When "conclude_verification" is recorded on 29/04/2025
    Then the step is applied
    And the message of R-SLA-1 says "Thời gian thẩm tra lý lịch: 40 ngày làm việc (giới hạn 40, hạn 29/04/2025)"

  @R-SLA-1 @R-CALC-WD @warns
  Scenario: Concluded on the 2/5/2025 day off, after the 40th working day: over the limit
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When "conclude_verification" is recorded on 02/05/2025
    Then the step is applied with a warning from R-SLA-1
    And the message of R-SLA-1 says "Thời gian thẩm tra lý lịch: 40 ngày làm việc (giới hạn 40, hạn 29/04/2025)"

  @R-SLA-1 @warns
  Scenario: The 41st working day falls after the 30/4 and 1/5 holidays and is over the limit
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "under_verification" on 03/03/2025 the usual way
    When "conclude_verification" is recorded on 05/05/2025
    Then the step is applied with a warning from R-SLA-1
    And the message of R-SLA-1 says "Thời gian thẩm tra lý lịch: 41 ngày làm việc (giới hạn 40, hạn 29/04/2025)"

  @R-VERIFY-5 @passes
  Scenario: At the branch meeting a conclusion of exactly 12 months ago is still fresh
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "conclude_verification" recorded:
      | concluded_on | 10/05/2023 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 10/05/2024 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And no rule warns
    And the message of R-VERIFY-5 says "Kết luận thẩm tra ngày 10/05/2023, còn giá trị đến 10/05/2024"

  @R-VERIFY-5 @fails
  Scenario: A conclusion older than 12 months: the vote is recorded, with a call to supplement it
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "conclude_verification" recorded:
      | concluded_on | 10/05/2023 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 13/05/2024 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied with a warning from R-VERIFY-5
    And the message of R-VERIFY-5 says "đã quá 12 tháng vào ngày họp chi bộ 13/05/2024: cần thẩm tra bổ sung"

  @R-POLSTD-1 @passes
  Scenario: A QĐ 58 issue with the superior's written opinion before the meeting
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "conclude_verification" recorded:
      | conclusion          | issue      |
      | qd58_issue          | yes        |
      | superior_opinion_on | 22/05/2023 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied

  @R-POLSTD-1 @fails
  Scenario: A QĐ 58 issue whose superior's opinion came after the meeting is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "conclude_verification" recorded:
      | conclusion          | issue      |
      | qd58_issue          | yes        |
      | superior_opinion_on | 30/05/2023 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-POLSTD-1
    And the message of R-POLSTD-1 says "cần ý kiến bằng văn bản của cấp trên có thẩm quyền trước ngày họp chi bộ 29/05/2023"
