Feature: Re-admission of former members, and special cases
  A former member may be admitted again once (R-READMIT-3), after at least 36 months since leaving
  (60 months after the criminal record was cleared, for a less serious crime), with the written
  agreement of the provincial standing committee before the branch meeting, through the full
  procedure (R-READMIT-1); never if they left by abandoning Party activities, asked to leave (unless
  for especially difficult family circumstances), caused serious disunity, or were convicted of
  corruption or a serious crime (R-READMIT-2). Religious followers are admitted on the common
  standards; a religious dignitary or office-holder ("chức sắc, chức việc") only with the
  provincial-level approval (R-RELIGION-1). A former member of another party or an organisation
  opposed to the State needs the superior's written opinion (R-OTHERPARTY-1). Where the candidate
  works with no Party member or branch, the superior committee assigns a branch (R-NOBRANCH-1).
  Each is checked at the branch meeting.
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

  @R-READMIT-1 @R-READMIT-2 @R-READMIT-3 @passes
  Scenario: Struck off on 15/03/2020, re-admitted on the day 36 months have passed, with the province's agreement
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on      | 15/03/2020 |
      | former_member.leave_reason | removed    |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 15/03/2023 with:
      | readmission_agreement_on | 06/03/2023 |
    Then the step is applied
    And the message of R-READMIT-1 says "Đủ điều kiện thời gian (15/03/2020 + 36 tháng = 15/03/2023)"
    And the message of R-READMIT-3 says "Kết nạp lại lần đầu; phải qua thời kỳ dự bị"

  @R-READMIT-1 @fails
  Scenario: One day before the 36 months have passed
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on      | 15/03/2020 |
      | former_member.leave_reason | removed    |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 14/03/2023 with:
      | readmission_agreement_on | 06/03/2023 |
    Then the step is refused by exactly R-READMIT-1
    And the message of R-READMIT-1 says "Chưa đủ thời gian: từ 15/03/2020 cần 36 tháng, sớm nhất 15/03/2023; ngày họp 14/03/2023"

  @R-READMIT-1 @fails
  Scenario: Without the provincial standing committee's written agreement
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on      | 15/03/2020 |
      | former_member.leave_reason | removed    |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 15/03/2023
    Then the step is refused by exactly R-READMIT-1
    And the message of R-READMIT-1 says "Cần văn bản đồng ý của ban thường vụ tỉnh ủy trước ngày họp chi bộ 15/03/2023"

  @R-READMIT-1 @passes
  Scenario: After a less serious crime, 60 months after the record was cleared
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on           | 20/05/2014         |
      | former_member.leave_reason      | less_serious_crime |
      | former_member.record_cleared_on | 10/01/2018         |
    And the dossier has reached "introduced" on 02/01/2023 the usual way
    When "hold_branch_vote" is recorded on 10/01/2023 with:
      | readmission_agreement_on | 05/01/2023 |
    Then the step is applied
    And the message of R-READMIT-1 says "10/01/2018 + 60 tháng = 10/01/2023"

  @R-READMIT-1 @fails
  Scenario: After a less serious crime, one day short of 60 months after the record was cleared
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on           | 20/05/2014         |
      | former_member.leave_reason      | less_serious_crime |
      | former_member.record_cleared_on | 10/01/2018         |
    And the dossier has reached "introduced" on 02/01/2023 the usual way
    When "hold_branch_vote" is recorded on 09/01/2023 with:
      | readmission_agreement_on | 05/01/2023 |
    Then the step is refused by exactly R-READMIT-1

  @R-READMIT-2 @fails
  Scenario: A former member who abandoned Party activities is never re-admitted
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on      | 15/03/2016 |
      | former_member.leave_reason | abandoned  |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 15/03/2023 with:
      | readmission_agreement_on | 06/03/2023 |
    Then the step is refused by exactly R-READMIT-2
    And the message of R-READMIT-2 says "Không được kết nạp lại: Tự bỏ sinh hoạt đảng"

  @R-READMIT-2 @fails
  Scenario: A former member convicted of corruption is never re-admitted
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on      | 15/03/2016 |
      | former_member.leave_reason | corruption |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 15/03/2023 with:
      | readmission_agreement_on | 06/03/2023 |
    Then the step is refused by exactly R-READMIT-2

  @R-READMIT-2 @fails
  Scenario: A former member who asked to leave is not re-admitted
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on      | 15/03/2016     |
      | former_member.leave_reason | asked_to_leave |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 15/03/2023 with:
      | readmission_agreement_on | 06/03/2023 |
    Then the step is refused by exactly R-READMIT-2
    And the message of R-READMIT-2 says "Không được kết nạp lại: Xin ra khỏi Đảng"

  @R-READMIT-2 @passes
  Scenario: A former member who asked to leave for especially difficult family circumstances may be
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on         | 15/03/2016     |
      | former_member.leave_reason    | asked_to_leave |
      | former_member.family_hardship | yes            |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 15/03/2023 with:
      | readmission_agreement_on | 06/03/2023 |
    Then the step is applied
    And the message of R-READMIT-2 says "Lý do ra khỏi Đảng (Xin ra khỏi Đảng) không thuộc trường hợp cấm kết nạp lại"

  @R-READMIT-3 @fails
  Scenario: A person already re-admitted once is not re-admitted again
    Given a candidate "Phan Văn Cường" born on 12/12/1980
    And the candidate's record says:
      | former_member.left_on           | 15/03/2016 |
      | former_member.leave_reason      | removed    |
      | former_member.readmitted_before | yes        |
    And the dossier has reached "introduced" on 01/03/2023 the usual way
    When "hold_branch_vote" is recorded on 15/03/2023 with:
      | readmission_agreement_on | 06/03/2023 |
    Then the step is refused by exactly R-READMIT-3
    And the message of R-READMIT-3 says "Đã được kết nạp lại một lần; không kết nạp lại lần nữa"

  @R-RELIGION-1 @passes
  Scenario: A Buddhist follower is considered on the common standards
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate's record says:
      | religion | Phật giáo |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And the message of R-RELIGION-1 says "Người theo đạo (Phật giáo): xét theo tiêu chuẩn chung"

  @R-RELIGION-1 @fails
  Scenario: A religious office-holder without the provincial approval
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate's record says:
      | religion         | Công giáo |
      | religious_office | yes       |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-RELIGION-1
    And the message of R-RELIGION-1 says "Chức sắc, chức việc, nhà tu hành: cần ý kiến chấp thuận của cấp tỉnh trước ngày họp chi bộ"

  @R-RELIGION-1 @passes
  Scenario: A religious office-holder with the provincial approval before the meeting
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate's record says:
      | religion         | Công giáo |
      | religious_office | yes       |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When "hold_branch_vote" is recorded on 29/05/2023 with:
      | religious_office_approval_on | 24/05/2023 |
    Then the step is applied
    And the message of R-RELIGION-1 says "Chức sắc, chức việc đã được cấp tỉnh chấp thuận"

  @R-OTHERPARTY-1 @passes
  Scenario: A former member of another organisation, with the superior's written opinion
    Given a candidate "Nguyễn Văn An" born on 02/09/1970
    And the candidate's record says:
      | other_party_history | yes |
    And on the usual way, "conclude_verification" recorded:
      | superior_opinion_on | 12/05/2023 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied

  @R-OTHERPARTY-1 @fails
  Scenario: A former member of another organisation, without the superior's written opinion
    Given a candidate "Nguyễn Văn An" born on 02/09/1970
    And the candidate's record says:
      | other_party_history | yes |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-OTHERPARTY-1
    And the message of R-OTHERPARTY-1 says "Từng tham gia tổ chức khác: cần kết luận thẩm tra và ý kiến bằng văn bản của cấp trên"

  @R-NOBRANCH-1 @passes
  Scenario: A worker of a private firm with no Party member, helped by the branch the district assigned
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate's record says:
      | no_branch_at_workplace | yes            |
      | occupation             | Công nhân Công ty TNHH May Bình Sơn |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When "hold_branch_vote" is recorded on 29/05/2023 with:
      | nobranch_assignment_on | 10/01/2023 |
    Then the step is applied
    And the message of R-NOBRANCH-1 says "Chi bộ được cấp ủy cấp trên giao giúp đỡ quần chúng"

  @R-NOBRANCH-1 @fails
  Scenario: Without the superior committee's assignment the branch may not consider the candidate
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the candidate's record says:
      | no_branch_at_workplace | yes |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-NOBRANCH-1
    And the message of R-NOBRANCH-1 says "cần quyết định giao chi bộ giúp đỡ của cấp ủy cấp trên"
