Feature: Source ("nguồn phát triển đảng") and sympathiser ("quần chúng cảm tình Đảng")
  The branch registers a person as a source, then lists them as a sympathiser and assigns an official
  member of the branch to help them (R-HELP-1).
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
    And the members of "Chi bộ thôn An Điềm":
      | member          | status   | since      |
      | Huỳnh Văn Giang | official | 01/02/2023 |

  Scenario: The branch registers a source
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    When the source is registered on 09/01/2023
    Then the step is applied
    And the dossier is in state "source" ("Nguồn phát triển đảng")

  @R-HELP-1 @passes
  Scenario: An official member of the branch is assigned to help the sympathiser
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "source" on 09/01/2023 the usual way
    When "admit_to_sympathiser_list" is recorded on 27/01/2023 with:
      | helper_member_id | Phạm Thị Cúc |
    Then the step is applied
    And the dossier is in state "sympathiser" ("Quần chúng cảm tình Đảng")
    And the message of R-HELP-1 says "Đảng viên giúp đỡ: Phạm Thị Cúc là đảng viên chính thức của chi bộ"

  @R-HELP-1 @fails
  Scenario: A probationary member may not be assigned to help
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "source" on 09/01/2023 the usual way
    When "admit_to_sympathiser_list" is recorded on 27/01/2023 with:
      | helper_member_id | Đặng Thị Én |
    Then the step is refused by R-HELP-1
    And the message of R-HELP-1 says "Đảng viên giúp đỡ Đặng Thị Én chưa là đảng viên chính thức"
    And nothing was written
    And the dossier is in state "source"

  @R-HELP-1 @fails
  Scenario: A member who becomes official only after the branch's decision may not be assigned
    Huỳnh Văn Giang is official from 01/02/2023; the branch decided on 27/01/2023.
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "source" on 09/01/2023 the usual way
    When "admit_to_sympathiser_list" is recorded on 27/01/2023 with:
      | helper_member_id | Huỳnh Văn Giang |
    Then the step is refused by R-HELP-1

  @R-HELP-1 @passes
  Scenario: The same member may be assigned from the day they become official
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "source" on 09/01/2023 the usual way
    When "admit_to_sympathiser_list" is recorded on 01/02/2023 with:
      | helper_member_id | Huỳnh Văn Giang |
    Then the step is applied

  @R-HELP-1 @fails
  Scenario: A member of another branch may not be assigned
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "source" on 09/01/2023 the usual way
    When "admit_to_sympathiser_list" is recorded on 27/01/2023 with:
      | helper_member_id | Trương Văn Hải |
    Then the step is refused by R-HELP-1
    And the message of R-HELP-1 says "Đảng viên giúp đỡ Trương Văn Hải không sinh hoạt tại chi bộ này"

  Scenario: A step that does not leave the dossier's state cannot be taken
    Given a candidate "Nguyễn Văn An" born on 02/09/1998
    And the dossier has reached "source" on 09/01/2023 the usual way
    When "hold_branch_vote" is recorded on 27/01/2023
    Then the step cannot be taken: không thể 'hold_branch_vote'
    And nothing was written
