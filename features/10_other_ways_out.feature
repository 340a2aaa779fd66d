Feature: Other ways out: rework, withdrawal, rejection, striking off, reopening
  A dossier can go back to an earlier step for rework (with a reason; the later facts are kept but
  superseded), be withdrawn before the ceremony, or be rejected after a failed vote or a refusing
  decision. A probationary member found unfit is struck off by the competent committee on the
  branch's proposal, or after three inconclusive votes (R-STRIKE-1, R-RECOGNISE-5). A withdrawn or
  rejected dossier may be reopened as a source; the central texts set no waiting time, an
  organisation may set its own (R-RETRY-1, default 0 months).
  "The usual way" is the way journey.happy_path records each step: Lê Văn Bình, the first official
  member, helps the candidate and introduces them with Phạm Thị Cúc; the branch counts 15 official
  members at the admission vote, the grassroots committee ("đảng ủy") 9 members.
  In the usual way the ceremony is on 03/07/2023 when the dossier is probationary from that day.

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

  Scenario: A dossier goes back from "verified" to "applied" for rework
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When "return_for_rework" is recorded on 10/05/2023 with:
      | target_state | applied                                             |
      | reason       | Lý lịch khai thiếu quá trình học tập ở nước ngoài   |
    Then the step is applied
    And the dossier is in state "applied" ("Đã có đơn xin vào Đảng")

  Scenario: Rework cannot send a dossier forward
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When "return_for_rework" is recorded on 10/05/2023 with:
      | target_state | branch_approved             |
      | reason       | Nhập nhầm trạng thái đích   |
    Then the step cannot be taken: target_state
    And nothing was written

  Scenario: The candidate withdraws before the branch meeting
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When "withdraw" is recorded on 22/05/2023 with:
      | requested_by | candidate                              |
      | reason       | Chuyển công tác vào Thành phố Hồ Chí Minh |
    Then the step is applied
    And the dossier is in state "withdrawn" ("Đã rút hồ sơ")

  Scenario: A probationary member cannot withdraw the dossier
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "withdraw" is recorded on 10/07/2023 with:
      | requested_by | candidate      |
      | reason       | Không muốn tiếp tục |
    Then the step cannot be taken: không thể 'withdraw'

  Scenario: After a failed branch vote the dossier is rejected with the minutes
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 13 present, 8 agreeing
    Then the step is refused by exactly R-VOTE-BRANCH-1
    When "reject" is recorded on 29/05/2023 with:
      | ground     | failed_branch_vote |
      | minutes_no | 05-BB/CB           |
    Then the step is applied
    And the dossier is in state "rejected" ("Không được kết nạp")

  @R-RETRY-1 @passes
  Scenario: With no local waiting time, a rejected dossier may be reopened the next day
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    And "reject" was recorded on 29/05/2023 with:
      | ground     | failed_branch_vote |
      | minutes_no | 05-BB/CB           |
    When "reopen" is recorded on 30/05/2023 with:
      | reason | Quần chúng đã khắc phục khuyết điểm, chi bộ xem xét lại |
    Then the step is applied
    And the dossier is in state "source" ("Nguồn phát triển đảng")

  @R-RETRY-1 @fails
  Scenario: Where the organisation waits 6 months, reopening one day early is refused
    Rejected on 29/05/2023: 6 months later is 29/11/2023.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the organisation sets "retry_wait_months" to 6
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    And "reject" was recorded on 29/05/2023 with:
      | ground     | failed_branch_vote |
      | minutes_no | 05-BB/CB           |
    When "reopen" is recorded on 28/11/2023 with:
      | reason | Chi bộ xem xét lại |
    Then the step is refused by exactly R-RETRY-1
    And the message of R-RETRY-1 says "Chưa được xét lại: kết thúc ngày 29/05/2023, thời gian chờ 6 tháng, sớm nhất 29/11/2023"

  @R-RETRY-1 @passes
  Scenario: Where the organisation waits 6 months, the dossier reopens on the day they end
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the organisation sets "retry_wait_months" to 6
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    And "reject" was recorded on 29/05/2023 with:
      | ground     | failed_branch_vote |
      | minutes_no | 05-BB/CB           |
    When "reopen" is recorded on 29/11/2023 with:
      | reason | Chi bộ xem xét lại |
    Then the step is applied

  @R-STRIKE-1 @passes
  Scenario: The district strikes off a probationary member on the branch's proposal
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "strike_off" is recorded on 25/07/2024 with:
      | branch_proposal_on | 10/07/2024         |
      | decision_no        | 733-QĐ/HU          |
      | deciding_org_id    | Huyện ủy Bình Sơn  |
      | deciding_body      | standing_committee |
    Then the step is applied
    And the dossier is in state "struck_off" ("Bị xóa tên khỏi danh sách đảng viên dự bị")

  @R-STRIKE-1 @R-RECOGNISE-5 @fails
  Scenario: Without the branch's proposal, and without three inconclusive votes, no one is struck off
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "strike_off" is recorded on 25/07/2024 with:
      | decision_no     | 733-QĐ/HU          |
      | deciding_org_id | Huyện ủy Bình Sơn  |
      | deciding_body   | standing_committee |
    Then the step is refused by exactly R-STRIKE-1 and R-RECOGNISE-5
    And the message of R-STRIKE-1 says "Cần nghị quyết đề nghị xóa tên của chi bộ trước ngày quyết định"

  @R-STRIKE-1 @fails
  Scenario: A proposal dated after the decision does not count
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "strike_off" is recorded on 25/07/2024 with:
      | branch_proposal_on | 26/07/2024         |
      | decision_no        | 733-QĐ/HU          |
      | deciding_org_id    | Huyện ủy Bình Sơn  |
      | deciding_body      | standing_committee |
    Then the step is refused by exactly R-STRIKE-1

  @R-STRIKE-1 @fails
  Scenario: The commune's "đảng ủy", not authorised to admit, may not strike off
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    When "strike_off" is recorded on 25/07/2024 with:
      | branch_proposal_on | 10/07/2024           |
      | decision_no        | 12-QĐ/ĐU             |
      | deciding_org_id    | Đảng ủy xã Bình Châu |
      | deciding_body      | committee            |
    Then the step is refused by exactly R-STRIKE-1
    And the message of R-STRIKE-1 says "Sai thẩm quyền"

  @R-STRIKE-1 @R-RECOGNISE-5 @passes
  Scenario: After three inconclusive votes the district strikes off without a proposal
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "probationary" on 03/07/2023 the usual way
    And "record_inconclusive_vote" was recorded on 08/07/2024 with:
      | official_total      | 15 |
      | present             | 15 |
      | agreeing            | 6  |
      | agreeing_strike_off | 9  |
    And "record_inconclusive_vote" was recorded on 22/07/2024 with:
      | official_total      | 15 |
      | present             | 15 |
      | agreeing            | 7  |
      | agreeing_strike_off | 8  |
    And "record_inconclusive_vote" was recorded on 05/08/2024 with:
      | official_total      | 15 |
      | present             | 14 |
      | agreeing            | 5  |
      | agreeing_strike_off | 9  |
    When "strike_off" is recorded on 19/08/2024 with:
      | decision_no     | 801-QĐ/HU          |
      | deciding_org_id | Huyện ủy Bình Sơn  |
      | deciding_body   | standing_committee |
    Then the step is applied
    And the dossier is in state "struck_off"
