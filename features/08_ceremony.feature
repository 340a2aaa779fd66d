Feature: The admission ceremony ("lễ kết nạp")
  The branch holds the ceremony within 30 working days of receiving the decision; later only after
  reporting to the direct superior committee and with its agreement (R-CEREMONY-1). Unlike the
  decision's deadline this one refuses: a late ceremony without the agreement is not recorded.
  Working days leave out weekends, public holidays and the Tết break (R-CALC-WD). The ceremony date
  is the date of joining the Party; probation starts on it (R-CEREMONY-2).
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

  @R-CEREMONY-1 @R-CEREMONY-2 @R-CALC-WD @passes
  Scenario: On the 30th working day after the decision, Tết 2025 not counted
    The decision of Friday 10/01/2025 reached the branch the same day. Day 1 is Monday 13/01/2025;
    27–31/01/2025 are the Tết days off; the 30th working day is Friday 28/02/2025.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 28/02/2025
    Then the step is applied
    And the dossier is in state "probationary" ("Đảng viên dự bị")
    And the message of R-CEREMONY-1 says "Lễ kết nạp ngày 28/02/2025, trong hạn 30 ngày làm việc kể từ khi nhận quyết định ngày 10/01/2025 (hạn 28/02/2025)"
    And the message of R-CEREMONY-2 says "Ngày vào Đảng 28/02/2025; thời kỳ dự bị bắt đầu từ ngày này"

  @R-CEREMONY-1 @R-CALC-WD @fails
  Scenario: On the next working day, without the superior's agreement, the ceremony is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 03/03/2025
    Then the step is refused by exactly R-CEREMONY-1
    And the message of R-CEREMONY-1 says "cần báo cáo và được cấp ủy cấp trên trực tiếp đồng ý"
    And nothing was written
    And the dossier is in state "admission_decided"

  @R-CEREMONY-1 @passes
  Scenario: Later than 30 working days, with the direct superior committee's agreement
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 03/03/2025 with:
      | superior_agreement_on | 26/02/2025 |
    Then the step is applied
    And the message of R-CEREMONY-1 says "Lễ kết nạp ngày 03/03/2025 sau hạn 28/02/2025, đã có ý kiến đồng ý của cấp ủy cấp trên"

  @R-CEREMONY-1 @fails
  Scenario: An agreement dated after the ceremony does not count
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 03/03/2025 with:
      | superior_agreement_on | 04/03/2025 |
    Then the step is refused by exactly R-CEREMONY-1

  @R-CEREMONY-1 @R-CALC-WD @passes
  Scenario: The days count from receiving the decision, not from its date
    Decided on 10/01/2025, received by the branch on 15/01/2025: the 30th working day is 05/03/2025.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 05/03/2025 with:
      | decision_received_on | 15/01/2025 |
    Then the step is applied
    And the message of R-CEREMONY-1 says "(hạn 05/03/2025)"

  @R-CEREMONY-1 @R-CALC-WD @fails
  Scenario: Received on 15/01/2025, the ceremony of 06/03/2025 is late
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 06/03/2025 with:
      | decision_received_on | 15/01/2025 |
    Then the step is refused by exactly R-CEREMONY-1

  @R-CEREMONY-1 @R-CALC-WD @passes
  Scenario: Across Tết 2024: received on 19/01/2024, the 30th working day is 08/03/2024
    8–14/02/2024 are the Tết days off.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 19/01/2024 the usual way
    When "hold_admission_ceremony" is recorded on 08/03/2024
    Then the step is applied

  @R-CEREMONY-1 @R-CALC-WD @fails
  Scenario: Across Tết 2024: Monday 11/03/2024 is the 31st working day
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 19/01/2024 the usual way
    When "hold_admission_ceremony" is recorded on 11/03/2024
    Then the step is refused by exactly R-CEREMONY-1
    And the message of R-CEREMONY-1 says "(hạn 08/03/2024)"

  @R-CEREMONY-2 @fails
  Scenario: The ceremony cannot precede the decision
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 09/01/2025
    Then the step is refused by exactly R-CEREMONY-2
    And the message of R-CEREMONY-2 says "Lễ kết nạp ngày 09/01/2025 trước ngày quyết định kết nạp 10/01/2025"

  @R-CEREMONY-2 @passes
  Scenario: The ceremony may be held on the day of the decision
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 10/01/2025 the usual way
    When "hold_admission_ceremony" is recorded on 10/01/2025
    Then the step is applied
    And the message of R-CEREMONY-2 says "Ngày vào Đảng 10/01/2025"
