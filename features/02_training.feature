Feature: The class on awareness of the Party ("lớp bồi dưỡng nhận thức về Đảng")
  The branch nominates the sympathiser for the class; the dossier keeps the certificate (form CN-NTVĐ)
  issued by the district-level political centre, or by the committee competent to admit where there
  is no centre (R-TRAIN-1). The certificate must still be valid on the day of the branch meeting:
  60 months from its issue date, the last valid day being the issue date + 60 months (R-TRAIN-2).
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

  @R-TRAIN-1 @passes
  Scenario: A certificate from the district political centre
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "training_nominated" on 16/02/2023 the usual way
    When "record_training_certificate" is recorded on 08/03/2023 with:
      | certificate_no | 125/CN-TTCT                          |
      | issuer         | Trung tâm Chính trị huyện Bình Sơn   |
      | issuer_kind    | political_center                     |
    Then the step is applied
    And the dossier is in state "trained"
    And the message of R-TRAIN-1 says "Giấy chứng nhận số 125/CN-TTCT do Trung tâm Chính trị huyện Bình Sơn cấp"

  @R-TRAIN-1 @fails
  Scenario: A certificate from some other body is not accepted
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "training_nominated" on 16/02/2023 the usual way
    When "record_training_certificate" is recorded on 08/03/2023 with:
      | certificate_no | 07/GCN                          |
      | issuer         | Trung tâm Bồi dưỡng Kỹ năng Mềm |
      | issuer_kind    | other                           |
    Then the step is refused by R-TRAIN-1
    And nothing was written

  @R-TRAIN-1 @passes
  Scenario: Where there is no political centre, the committee competent to admit issues the certificate
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "training_nominated" on 16/02/2023 the usual way
    When "record_training_certificate" is recorded on 08/03/2023 with:
      | issuer              | Ban Thường vụ Huyện ủy Bình Sơn |
      | issuer_kind         | admitting_committee             |
      | no_political_center | yes                             |
    Then the step is applied

  @R-TRAIN-1 @fails
  Scenario: The committee may not issue it where a political centre exists
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "training_nominated" on 16/02/2023 the usual way
    When "record_training_certificate" is recorded on 08/03/2023 with:
      | issuer              | Ban Thường vụ Huyện ủy Bình Sơn |
      | issuer_kind         | admitting_committee             |
      | no_political_center | no                              |
    Then the step is refused by R-TRAIN-1
    And the message of R-TRAIN-1 says "phải do trung tâm chính trị cấp huyện (hoặc tương đương) cấp"

  @R-TRAIN-2 @passes
  Scenario: On its last valid day the certificate is accepted by the branch meeting
    Issued on 14/06/2018: 60 months later is 14/06/2023, the last valid day.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "record_training_certificate" recorded:
      | issued_on | 14/06/2018 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 14/06/2023 votes on admission: 15 official members, 14 present, 14 agreeing
    Then the step is applied
    And the message of R-TRAIN-2 says "có giá trị đến hết ngày 14/06/2023"

  @R-TRAIN-2 @fails
  Scenario: A certificate whose last valid day was the day before the meeting is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And on the usual way, "record_training_certificate" recorded:
      | issued_on | 14/06/2018 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 15/06/2023 votes on admission: 15 official members, 14 present, 14 agreeing
    Then the step is refused by exactly R-TRAIN-2
    And the message of R-TRAIN-2 says "có giá trị đến hết ngày 14/06/2023; ngày họp chi bộ 15/06/2023"
    And nothing was written
