Feature: The grassroots committee and the admission decision ("quyết định kết nạp")
  Where the branch is under a grassroots committee ("đảng ủy cơ sở"), that committee agrees with at
  least two thirds of its members; a grassroots-level branch ("chi bộ cơ sở") skips this step
  (R-VOTE-COMMITTEE-1). Where a sub-committee ("đảng ủy bộ phận") sits between, its appraisal comes
  first (R-APPRAISE-1). The decision is taken by the competent body read from the organisation tree
  (R-DECIDE-1): a grassroots committee authorised to admit, as a committee; otherwise the standing
  committee of the direct superior (the district before 7/2025, the commune or ward after); for
  organisations directly under the provincial committee, its standing members with the heads of the
  Party boards. The decision comes within 60 working days of the branch's resolution, 30 more with a
  recorded reason (R-DECIDE-2): a late decision is recorded and flagged, never refused. Over 60, the
  provincial standing committee agrees in writing before the decision (R-AGE-3).
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

  @R-VOTE-COMMITTEE-1 @passes
  Scenario: 6 of 9 committee members agree: exactly two thirds
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 29/05/2023 the usual way
    When the grassroots committee meeting of 08/06/2023 votes: 9 members, 7 present, 6 agreeing
    Then the step is applied
    And the dossier is in state "committee_approved" ("Cấp ủy cơ sở đề nghị")
    And the message of R-VOTE-COMMITTEE-1 says "6/9 cấp ủy viên tán thành (66.67%)"

  @R-VOTE-COMMITTEE-1 @fails
  Scenario: 5 of 9 committee members is one short
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 29/05/2023 the usual way
    When the grassroots committee meeting of 08/06/2023 votes: 9 members, 5 present, 5 agreeing
    Then the step is refused by exactly R-VOTE-COMMITTEE-1
    And the message of R-VOTE-COMMITTEE-1 says "5/9 cấp ủy viên tán thành (55.56%); cần ít nhất 2/3 tổng số cấp ủy viên, tức 6"
    And nothing was written

  @R-VOTE-COMMITTEE-1 @fails
  Scenario: A branch under a grassroots committee cannot go to the decision without the committee's vote
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 29/05/2023 the usual way
    When "record_admission_decision" is recorded on 23/06/2023
    Then the step is refused by exactly R-VOTE-COMMITTEE-1
    And the message of R-VOTE-COMMITTEE-1 says "Chi bộ trực thuộc: cần nghị quyết của đảng ủy cơ sở trước khi ra quyết định"

  @R-VOTE-COMMITTEE-1 @R-DECIDE-1 @passes
  Scenario: A "chi bộ cơ sở" goes from its own vote straight to the district's decision
    Given the organisations:
      | organisation                  | level             | under             |
      | Chi bộ Trạm Y tế xã Bình Châu | grassroots_branch | Huyện ủy Bình Sơn |
    And the members of "Chi bộ Trạm Y tế xã Bình Châu":
      | member       | status   | since      |
      | Lý Thị Mai   | official | 04/04/2012 |
      | Tạ Văn Nghĩa | official | 22/12/2016 |
    And the dossier is kept by "Chi bộ Trạm Y tế xã Bình Châu"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 29/05/2023 the usual way
    When "record_admission_decision" is recorded on 12/06/2023 with:
      | deciding_org_id | Huyện ủy Bình Sơn  |
      | deciding_body   | standing_committee |
    Then the step is applied
    And the message of R-VOTE-COMMITTEE-1 says "Chi bộ cơ sở không qua bước đảng ủy cơ sở xét"

  @R-VOTE-COMMITTEE-1 @fails
  Scenario: A "chi bộ cơ sở" has no grassroots committee vote to hold
    Given the organisations:
      | organisation                  | level             | under             |
      | Chi bộ Trạm Y tế xã Bình Châu | grassroots_branch | Huyện ủy Bình Sơn |
    And the members of "Chi bộ Trạm Y tế xã Bình Châu":
      | member       | status   | since      |
      | Lý Thị Mai   | official | 04/04/2012 |
      | Tạ Văn Nghĩa | official | 22/12/2016 |
    And the dossier is kept by "Chi bộ Trạm Y tế xã Bình Châu"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 29/05/2023 the usual way
    When the grassroots committee meeting of 08/06/2023 votes: 9 members, 9 present, 9 agreeing
    Then the step is refused by exactly R-VOTE-COMMITTEE-1

  @R-APPRAISE-1 @passes
  Scenario: The "đảng ủy bộ phận" appraised the dossier before the grassroots committee votes
    Given the organisations:
      | organisation                       | level                | under                              |
      | Tỉnh ủy Quảng Ngãi                 | province             |                                    |
      | Đảng ủy xã Bình Sơn                | commune              | Tỉnh ủy Quảng Ngãi                 |
      | Đảng bộ Công ty CP Đường Quảng Ngãi | grassroots_committee | Đảng ủy xã Bình Sơn                |
      | Đảng bộ bộ phận Nhà máy Phổ Phong  | sub_committee        | Đảng bộ Công ty CP Đường Quảng Ngãi |
      | Chi bộ Phân xưởng Ép               | branch               | Đảng bộ bộ phận Nhà máy Phổ Phong  |
    And the members of "Chi bộ Phân xưởng Ép":
      | member        | status   | since      |
      | Mai Văn Phúc  | official | 10/10/2010 |
      | Dương Thị Quế | official | 05/05/2015 |
    And the dossier is kept by "Chi bộ Phân xưởng Ép"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 02/10/2025 the usual way
    When "hold_grassroots_committee_vote" is recorded on 16/10/2025 with:
      | appraisal_on | 09/10/2025 |
    Then the step is applied
    And the message of R-APPRAISE-1 says "Đã có báo cáo thẩm định của đảng ủy bộ phận"

  @R-APPRAISE-1 @fails
  Scenario: Without the sub-committee's appraisal the grassroots committee may not vote
    Given the organisations:
      | organisation                       | level                | under                              |
      | Tỉnh ủy Quảng Ngãi                 | province             |                                    |
      | Đảng ủy xã Bình Sơn                | commune              | Tỉnh ủy Quảng Ngãi                 |
      | Đảng bộ Công ty CP Đường Quảng Ngãi | grassroots_committee | Đảng ủy xã Bình Sơn                |
      | Đảng bộ bộ phận Nhà máy Phổ Phong  | sub_committee        | Đảng bộ Công ty CP Đường Quảng Ngãi |
      | Chi bộ Phân xưởng Ép               | branch               | Đảng bộ bộ phận Nhà máy Phổ Phong  |
    And the members of "Chi bộ Phân xưởng Ép":
      | member        | status   | since      |
      | Mai Văn Phúc  | official | 10/10/2010 |
      | Dương Thị Quế | official | 05/05/2015 |
    And the dossier is kept by "Chi bộ Phân xưởng Ép"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 02/10/2025 the usual way
    When "hold_grassroots_committee_vote" is recorded on 16/10/2025 with:
      | appraisal_on |  |
    Then the step is refused by exactly R-APPRAISE-1
    And the message of R-APPRAISE-1 says "Cần báo cáo thẩm định của đảng ủy bộ phận trước khi đảng ủy cơ sở xét"

  @R-DECIDE-1 @passes
  Scenario: Before 7/2025, the district's standing committee decides for a branch of a commune's "đảng bộ"
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "committee_approved" on 08/06/2023 the usual way
    When "record_admission_decision" is recorded on 23/06/2023 with:
      | deciding_org_id | Huyện ủy Bình Sơn  |
      | deciding_body   | standing_committee |
      | decision_no     | 512-QĐ/HU          |
    Then the step is applied
    And the dossier is in state "admission_decided" ("Có quyết định kết nạp")
    And the message of R-DECIDE-1 says "Cấp có thẩm quyền quyết định: Ban thường vụ cấp ủy cấp trên trực tiếp của Huyện ủy Bình Sơn"

  @R-DECIDE-1 @fails
  Scenario: A commune's "đảng ủy" not authorised to admit may not decide
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "committee_approved" on 08/06/2023 the usual way
    When "record_admission_decision" is recorded on 23/06/2023 with:
      | deciding_org_id | Đảng ủy xã Bình Châu |
      | deciding_body   | committee            |
    Then the step is refused by exactly R-DECIDE-1
    And the message of R-DECIDE-1 says "Sai thẩm quyền: phải là Ban thường vụ cấp ủy cấp trên trực tiếp của Huyện ủy Bình Sơn"

  @R-DECIDE-1 @passes
  Scenario: A grassroots committee authorised to admit decides as a committee
    Given the organisations:
      | organisation           | level                | under                  | may admit |
      | Đảng ủy phường Nghĩa Lộ | grassroots_committee | Huyện ủy Bình Sơn      | yes       |
      | Chi bộ tổ dân phố 3    | branch               | Đảng ủy phường Nghĩa Lộ |           |
    And the members of "Chi bộ tổ dân phố 3":
      | member       | status   | since      |
      | Cao Văn Sang | official | 01/06/2001 |
      | Lưu Thị Tâm  | official | 08/08/2018 |
    And the dossier is kept by "Chi bộ tổ dân phố 3"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "committee_approved" on 08/06/2023 the usual way
    When "record_admission_decision" is recorded on 23/06/2023 with:
      | deciding_org_id | Đảng ủy phường Nghĩa Lộ |
      | deciding_body   | committee              |
    Then the step is applied
    And the message of R-DECIDE-1 says "Tập thể cấp ủy cơ sở được ủy quyền của Đảng ủy phường Nghĩa Lộ"

  @R-DECIDE-1 @fails
  Scenario: Where the grassroots committee is authorised, the district does not decide
    Given the organisations:
      | organisation           | level                | under                  | may admit |
      | Đảng ủy phường Nghĩa Lộ | grassroots_committee | Huyện ủy Bình Sơn      | yes       |
      | Chi bộ tổ dân phố 3    | branch               | Đảng ủy phường Nghĩa Lộ |           |
    And the members of "Chi bộ tổ dân phố 3":
      | member       | status   | since      |
      | Cao Văn Sang | official | 01/06/2001 |
      | Lưu Thị Tâm  | official | 08/08/2018 |
    And the dossier is kept by "Chi bộ tổ dân phố 3"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "committee_approved" on 08/06/2023 the usual way
    When "record_admission_decision" is recorded on 23/06/2023 with:
      | deciding_org_id | Huyện ủy Bình Sơn  |
      | deciding_body   | standing_committee |
    Then the step is refused by exactly R-DECIDE-1

  @R-DECIDE-1 @passes
  Scenario: From 7/2025, the commune committee's standing committee decides (province → commune → "đảng bộ" → "chi bộ")
    Given the organisations:
      | organisation                 | level                | under                        |
      | Tỉnh ủy Quảng Ngãi           | province             |                              |
      | Đảng ủy xã Bình Sơn          | commune              | Tỉnh ủy Quảng Ngãi           |
      | Đảng bộ Trường THPT Bình Sơn | grassroots_committee | Đảng ủy xã Bình Sơn          |
      | Chi bộ Tổ Toán – Tin         | branch               | Đảng bộ Trường THPT Bình Sơn |
    And the members of "Chi bộ Tổ Toán – Tin":
      | member        | status   | since      |
      | Đinh Văn Uy   | official | 14/02/2008 |
      | Kiều Thị Vân  | official | 30/03/2014 |
    And the dossier is kept by "Chi bộ Tổ Toán – Tin"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "committee_approved" on 16/10/2025 the usual way
    When "record_admission_decision" is recorded on 30/10/2025 with:
      | deciding_org_id | Đảng ủy xã Bình Sơn |
      | deciding_body   | standing_committee  |
    Then the step is applied
    And the message of R-DECIDE-1 says "Ban thường vụ cấp ủy cấp trên trực tiếp của Đảng ủy xã Bình Sơn"

  @R-DECIDE-1 @fails
  Scenario: From 7/2025, the province does not decide for a school's "đảng bộ" under a commune
    Given the organisations:
      | organisation                 | level                | under                        |
      | Tỉnh ủy Quảng Ngãi           | province             |                              |
      | Đảng ủy xã Bình Sơn          | commune              | Tỉnh ủy Quảng Ngãi           |
      | Đảng bộ Trường THPT Bình Sơn | grassroots_committee | Đảng ủy xã Bình Sơn          |
      | Chi bộ Tổ Toán – Tin         | branch               | Đảng bộ Trường THPT Bình Sơn |
    And the members of "Chi bộ Tổ Toán – Tin":
      | member        | status   | since      |
      | Đinh Văn Uy   | official | 14/02/2008 |
      | Kiều Thị Vân  | official | 30/03/2014 |
    And the dossier is kept by "Chi bộ Tổ Toán – Tin"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "committee_approved" on 16/10/2025 the usual way
    When "record_admission_decision" is recorded on 30/10/2025 with:
      | deciding_org_id | Tỉnh ủy Quảng Ngãi |
      | deciding_body   | standing_committee |
    Then the step is refused by exactly R-DECIDE-1

  @R-DECIDE-1 @passes
  Scenario: For a "đảng bộ" directly under the provincial committee, its standing members and the heads of the Party boards decide
    Given the organisations:
      | organisation           | level                | under                  |
      | Tỉnh ủy Quảng Ngãi     | province             |                        |
      | Đảng bộ Sở Y tế        | grassroots_committee | Tỉnh ủy Quảng Ngãi     |
      | Chi bộ Phòng Nghiệp vụ | branch               | Đảng bộ Sở Y tế        |
    And the members of "Chi bộ Phòng Nghiệp vụ":
      | member         | status   | since      |
      | Phan Văn Xuân  | official | 11/11/2011 |
      | Quách Thị Yến  | official | 06/06/2016 |
    And the dossier is kept by "Chi bộ Phòng Nghiệp vụ"
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "committee_approved" on 16/10/2025 the usual way
    When "record_admission_decision" is recorded on 30/10/2025 with:
      | deciding_org_id | Tỉnh ủy Quảng Ngãi       |
      | deciding_body   | standing_and_board_heads |
    Then the step is applied
    And the message of R-DECIDE-1 says "Thường trực và các ủy viên ban thường vụ là trưởng các ban đảng của Tỉnh ủy Quảng Ngãi"

  @R-DECIDE-2 @passes
  Scenario: Decided on the 60th working day after the branch's resolution, Tết 2025 not counted
    The branch resolved on Friday 15/11/2024. Without the Tết days off (27–31/01/2025) the 60th
    working day would be 10/02/2025; with them it is Monday 17/02/2025.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 15/11/2024 the usual way
    And "hold_grassroots_committee_vote" was recorded on 29/11/2024
    When "record_admission_decision" is recorded on 17/02/2025
    Then the step is applied
    And no rule warns
    And the message of R-DECIDE-2 says "Quyết định ngày 17/02/2025, trong hạn 60 ngày làm việc kể từ nghị quyết chi bộ ngày 15/11/2024 (hạn chót 17/02/2025)"

  @R-DECIDE-2 @fails
  Scenario: Decided on the 61st working day: recorded, flagged as the committee's delay, not refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 15/11/2024 the usual way
    And "hold_grassroots_committee_vote" was recorded on 29/11/2024
    When "record_admission_decision" is recorded on 18/02/2025
    Then the step is applied with a warning from R-DECIDE-2
    And the dossier is in state "admission_decided"
    And the message of R-DECIDE-2 says "Quyết định ngày 18/02/2025 quá hạn: 61 ngày làm việc kể từ nghị quyết chi bộ ngày 15/11/2024 (hạn 17/02/2025, gia hạn tối đa đến 31/03/2025 nếu có lý do)"

  @R-DECIDE-2 @passes
  Scenario: With a recorded reason, up to 30 more working days
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 15/11/2024 the usual way
    And "hold_grassroots_committee_vote" was recorded on 29/11/2024
    When "record_admission_decision" is recorded on 31/03/2025 with:
      | extension_reason | Chờ kết quả thẩm tra bổ sung người thân ở nước ngoài |
    Then the step is applied
    And no rule warns
    And the message of R-DECIDE-2 says "trong thời gian gia hạn có lý do (đến 31/03/2025)"

  @R-DECIDE-2 @fails
  Scenario: Past the longest extension, the decision is still recorded and flagged
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "branch_approved" on 15/11/2024 the usual way
    And "hold_grassroots_committee_vote" was recorded on 29/11/2024
    When "record_admission_decision" is recorded on 01/04/2025 with:
      | extension_reason | Chờ kết quả thẩm tra bổ sung người thân ở nước ngoài |
    Then the step is applied with a warning from R-DECIDE-2

  @R-AGE-3 @passes
  Scenario: Over 60: the provincial standing committee agreed in writing before the decision
    Given a candidate "Trần Văn Bảy" born on 29/09/1965
    And on the usual way, "hold_branch_vote" recorded:
      | over60_health_and_standing | yes                 |
      | over60_basis               | special_requirement |
    And the dossier has reached "committee_approved" on 20/11/2025 the usual way
    When "record_admission_decision" is recorded on 01/12/2025 with:
      | over60_agreement_on | 28/11/2025 |
    Then the step is applied
    And the message of R-AGE-3 says "Ban thường vụ tỉnh ủy đồng ý bằng văn bản ngày 28/11/2025"

  @R-AGE-3 @fails
  Scenario: Over 60: without the provincial standing committee's written agreement
    Given a candidate "Trần Văn Bảy" born on 29/09/1965
    And on the usual way, "hold_branch_vote" recorded:
      | over60_health_and_standing | yes                 |
      | over60_basis               | special_requirement |
    And the dossier has reached "committee_approved" on 20/11/2025 the usual way
    When "record_admission_decision" is recorded on 01/12/2025
    Then the step is refused by exactly R-AGE-3
    And the message of R-AGE-3 says "cần văn bản đồng ý của ban thường vụ tỉnh ủy trước khi ra quyết định kết nạp (01/12/2025)"

  @R-AGE-3 @fails
  Scenario: Over 60: an agreement dated after the decision comes too late
    Given a candidate "Trần Văn Bảy" born on 29/09/1965
    And on the usual way, "hold_branch_vote" recorded:
      | over60_health_and_standing | yes                 |
      | over60_basis               | special_requirement |
    And the dossier has reached "committee_approved" on 20/11/2025 the usual way
    When "record_admission_decision" is recorded on 01/12/2025 with:
      | over60_agreement_on | 02/12/2025 |
    Then the step is refused by exactly R-AGE-3
    And the message of R-AGE-3 says "Văn bản đồng ý của ban thường vụ tỉnh ủy ngày 02/12/2025 sau ngày quyết định kết nạp 01/12/2025"
