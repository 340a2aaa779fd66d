Feature: Counting conventions: months, age and working days
  How the software counts, so that every branch counts the same way (rules.md, "Counting conventions").
  R-CALC-MONTHS: "N months after D" is the same day-number N months later, or the last day of that
  month when it does not exist (1 month after 31/01/2024 is 29/02/2024; 60 months after 29/02/2020
  is 28/02/2025). R-CALC-AGE: age in completed months at the branch meeting; someone born on
  29/02/2008 completes 18 years (216 months) on 28/02/2026. R-CALC-WD: working days are Monday to
  Friday without public holidays and Tết; day 1 is the first working day after the event.
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

  @R-CALC-AGE @R-AGE-1 @passes
  Scenario: Born on 29/02/2008, the candidate has full 18 years on 28/02/2026
    Given a candidate "Nguyễn Văn An" born on 29/02/2008
    And the dossier has reached "introduced" on 05/02/2026 the usual way
    When the branch meeting of 28/02/2026 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And the message of R-AGE-1 says "quần chúng 18 tuổi 0 tháng"

  @R-CALC-AGE @R-AGE-1 @fails
  Scenario: Born on 29/02/2008, the candidate is 17 years 11 months on 27/02/2026
    Given a candidate "Nguyễn Văn An" born on 29/02/2008
    And the dossier has reached "introduced" on 05/02/2026 the usual way
    When the branch meeting of 27/02/2026 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by R-AGE-1
    And the message of R-AGE-1 says "quần chúng 17 tuổi 11 tháng"

  @R-CALC-MONTHS @R-TRAIN-2 @passes
  Scenario: A certificate issued on 29/02/2020 is valid through 28/02/2025
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "record_training_certificate" recorded:
      | issued_on | 29/02/2020 |
    And the dossier has reached "introduced" on 06/02/2025 the usual way
    When the branch meeting of 28/02/2025 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And the message of R-TRAIN-2 says "có giá trị đến hết ngày 28/02/2025"

  @R-CALC-MONTHS @R-TRAIN-2 @fails
  Scenario: The same certificate is no longer valid on 01/03/2025
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "record_training_certificate" recorded:
      | issued_on | 29/02/2020 |
    And the dossier has reached "introduced" on 06/02/2025 the usual way
    When the branch meeting of 01/03/2025 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by R-TRAIN-2
    And the message of R-TRAIN-2 says "Giấy chứng nhận cấp ngày 29/02/2020, có giá trị đến hết ngày 28/02/2025; ngày họp chi bộ 01/03/2025"

  @R-CALC-MONTHS @R-PROBATION-1 @passes
  Scenario: Admitted on 29/02/2024, the member completes 12 months' probation on 28/02/2025
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 29/02/2024 the usual way
    When the branch meeting of 28/02/2025 votes on recognition: 16 official members, 15 present, 15 agreeing
    Then the step is applied
    And the message of R-PROBATION-1 says "từ 29/02/2024 đến 28/02/2025"

  @R-CALC-MONTHS @R-PROBATION-1 @fails
  Scenario: Admitted on 05/03/2023, the member has not completed probation on 04/03/2024
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 05/03/2023 the usual way
    When the branch meeting of 04/03/2024 votes on recognition: 16 official members, 15 present, 15 agreeing
    Then the step is refused by R-PROBATION-1
    And the message of R-PROBATION-1 says "lễ kết nạp 05/03/2023, đủ 12 tháng vào 05/03/2024"

  @R-CALC-WD @R-CEREMONY-1 @passes
  Scenario: Weekends and the 30/4, 1/5 and 2/5/2025 days off are not working days
    The decision reached the branch on Tuesday 29/04/2025; day 1 is Monday 05/05/2025, the 30th
    working day is Friday 13/06/2025.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 29/04/2025 the usual way
    When "hold_admission_ceremony" is recorded on 13/06/2025
    Then the step is applied
    And the message of R-CEREMONY-1 says "hạn 13/06/2025"

  @R-CALC-WD @R-CEREMONY-1 @fails
  Scenario: The next working day after the 30th is too late
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "admission_decided" on 29/04/2025 the usual way
    When "hold_admission_ceremony" is recorded on 16/06/2025
    Then the step is refused by R-CEREMONY-1
    And the message of R-CEREMONY-1 says "Lễ kết nạp ngày 16/06/2025 quá 30 ngày làm việc kể từ khi nhận quyết định ngày 29/04/2025 (hạn 13/06/2025)"
