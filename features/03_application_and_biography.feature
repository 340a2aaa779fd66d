Feature: Application ("đơn xin vào Đảng") and biography ("lý lịch của người xin vào Đảng")
  The candidate writes the application personally (form 1-KNĐ, R-APP-1) and declares the biography
  personally, completely, with no erasures (form 2-KNĐ, R-BIO-1). A second declaration is allowed
  but flagged: the seeds want it right the first time. The declaration should follow the
  application within the organisation's limit, 20 working days unless set otherwise (R-SLA-1): over
  the limit it shows as a warning, or refuses the step where the organisation made the limit blocking.
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

  @R-APP-1 @passes
  Scenario: A handwritten application stating understanding and motive
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "trained" on 08/03/2023 the usual way
    When "submit_application" is recorded on 28/03/2023 with:
      | handwritten_by_candidate        | yes |
      | states_understanding_and_motive | yes |
    Then the step is applied
    And the dossier is in state "applied" ("Đã có đơn xin vào Đảng")

  @R-APP-1 @fails
  Scenario: An application typed by someone else is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "trained" on 08/03/2023 the usual way
    When "submit_application" is recorded on 28/03/2023 with:
      | handwritten_by_candidate        | no  |
      | states_understanding_and_motive | yes |
    Then the step is refused by R-APP-1
    And the message of R-APP-1 says "Đơn xin vào Đảng phải do quần chúng tự viết tay"
    And nothing was written

  @R-BIO-1 @passes
  Scenario: A complete biography declared personally, the first time
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "applied" on 28/03/2023 the usual way
    When "declare_biography" is recorded on 07/04/2023 with:
      | personally_declared | yes |
      | complete            | yes |
      | no_erasures         | yes |
    Then the step is applied
    And no rule warns
    And the message of R-BIO-1 says "lần khai thứ 1"

  @R-BIO-1 @fails
  Scenario: An incomplete biography with erasures is refused, with both reasons
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "applied" on 28/03/2023 the usual way
    When "declare_biography" is recorded on 07/04/2023 with:
      | personally_declared | yes |
      | complete            | no  |
      | no_erasures         | no  |
    Then the step is refused by exactly R-BIO-1
    And the message of R-BIO-1 says "Lý lịch chưa đạt: khai chưa đầy đủ; có tẩy xóa, sửa chữa."

  @R-BIO-1 @warns
  Scenario: A biography declared a second time is accepted but flagged
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "biography_declared" on 07/04/2023 the usual way
    And "return_for_rework" was recorded on 10/04/2023 with:
      | target_state | applied                                 |
      | reason       | Khai thiếu quá trình công tác 2016–2018 |
    When "declare_biography" is recorded on 14/04/2023
    Then the step is applied with a warning from R-BIO-1
    And the message of R-BIO-1 says "Lý lịch khai lần thứ 2"

  @R-SLA-1 @passes
  Scenario: Declared on the 20th working day after the application
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "applied" on 28/03/2023 the usual way
    When "declare_biography" is recorded on 25/04/2023
    Then the step is applied
    And the message of R-SLA-1 says "Từ nộp đơn đến khai lý lịch: 20 ngày làm việc (giới hạn 20, hạn 25/04/2023)"

  @R-SLA-1 @warns
  Scenario: Declared on the 21st working day: applied, shown as overdue
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "applied" on 28/03/2023 the usual way
    When "declare_biography" is recorded on 26/04/2023
    Then the step is applied with a warning from R-SLA-1
    And the message of R-SLA-1 says "Từ nộp đơn đến khai lý lịch: 21 ngày làm việc (giới hạn 20, hạn 25/04/2023)"

  @R-SLA-1 @R-CALC-WD @warns
  Scenario: Declared on the Saturday after the 20th working day: late, though no 21st working day has passed
    Applied on Friday 10/03/2023: the 20th working day is Friday 07/04/2023.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "applied" on 10/03/2023 the usual way
    When "declare_biography" is recorded on 08/04/2023
    Then the step is applied with a warning from R-SLA-1
    And the message of R-SLA-1 says "Từ nộp đơn đến khai lý lịch: 20 ngày làm việc (giới hạn 20, hạn 07/04/2023)"

  @R-SLA-1 @fails
  Scenario: Where the organisation made the limit blocking, the 21st working day is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the organisation makes R-SLA-1 blocking
    And the dossier has reached "applied" on 28/03/2023 the usual way
    When "declare_biography" is recorded on 26/04/2023
    Then the step is refused by exactly R-SLA-1
    And nothing was written

  @R-SLA-1 @passes
  Scenario: An organisation may set its own limit
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the organisation sets "sla_declaration_wd" to 25
    And the dossier has reached "applied" on 28/03/2023 the usual way
    When "declare_biography" is recorded on 26/04/2023
    Then the step is applied
    And the message of R-SLA-1 says "21 ngày làm việc (giới hạn 25, hạn 05/05/2023)"
