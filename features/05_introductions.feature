Feature: Introductions ("giới thiệu người vào Đảng") and comments
  Two official members introduce the candidate (form 3-KNĐ, R-INTRO-1). Each has worked, studied or
  lived with the candidate for at least 12 months, in the same unit under the same grassroots Party
  organisation (R-INTRO-2; before 30/7/2021, rule set 2016, "at least one year" without the same-unit
  wording). Where a Youth Union ("Đoàn TNCS Hồ Chí Minh") exists, a candidate of youth age (up to 30
  years, counted in completed months) is introduced by the union's executive committee (resolution,
  form 4-KNĐ) plus one official member; where there is none but a trade union, by the trade union
  likewise (R-INTRO-3). An introducer who moved or cannot continue is replaced, the replacement
  needing no 12 months (R-INTRO-4). Before the branch meeting the dossier holds the comment of the
  residence-place committee and the summary of comments (form 5-KNĐ, R-COMMENT-1).
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

  @R-INTRO-1 @R-INTRO-2 @passes
  Scenario: Two official members who have worked with the candidate for years
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer   | together since |
      | Lê Văn Bình  | 01/03/2019     |
      | Phạm Thị Cúc | 10/08/2020     |
    Then the step is applied
    And the dossier is in state "introduced" ("Đã được giới thiệu")
    And the message of R-INTRO-2 says "Người giới thiệu đủ điều kiện: Lê Văn Bình, Phạm Thị Cúc"

  @R-INTRO-1 @fails
  Scenario: One introducer is not enough
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer  | together since |
      | Lê Văn Bình | 01/03/2019     |
    Then the step is refused by exactly R-INTRO-1
    And the message of R-INTRO-1 says "Có 1 người giới thiệu; cần đúng hai đảng viên chính thức khác nhau"
    And nothing was written

  @R-INTRO-1 @fails
  Scenario: The same member cannot introduce twice
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer  | together since |
      | Lê Văn Bình | 01/03/2019     |
      | Lê Văn Bình | 01/03/2019     |
    Then the step is refused by exactly R-INTRO-1

  @R-INTRO-2 @passes
  Scenario: Together for exactly 12 months on the day of the introduction
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer   | together since |
      | Lê Văn Bình  | 01/03/2019     |
      | Phạm Thị Cúc | 18/05/2022     |
    Then the step is applied

  @R-INTRO-2 @fails
  Scenario: Together for 11 months is not enough
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer   | together since |
      | Lê Văn Bình  | 01/03/2019     |
      | Phạm Thị Cúc | 19/05/2022     |
    Then the step is refused by exactly R-INTRO-2
    And the message of R-INTRO-2 says "Phạm Thị Cúc mới cùng công tác 11 tháng (cần 12)"

  @R-INTRO-2 @fails
  Scenario: A probationary member may not introduce
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer  | together since |
      | Lê Văn Bình | 01/03/2019     |
      | Đặng Thị Én | 01/03/2019     |
    Then the step is refused by exactly R-INTRO-2
    And the message of R-INTRO-2 says "Đặng Thị Én chưa là đảng viên chính thức"

  @R-INTRO-2 @fails
  Scenario: A member of another grassroots organisation may not introduce
    Given the organisations:
      | organisation           | level                | under                |
      | Đảng ủy xã Bình Hải    | grassroots_committee | Huyện ủy Bình Sơn    |
      | Chi bộ thôn Thanh Thủy | branch               | Đảng ủy xã Bình Hải  |
    And the members of "Chi bộ thôn Thanh Thủy":
      | member        | status   | since      |
      | Bùi Văn Khánh | official | 15/06/2009 |
    And a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer    | together since |
      | Lê Văn Bình   | 01/03/2019     |
      | Bùi Văn Khánh | 01/03/2019     |
    Then the step is refused by exactly R-INTRO-2
    And the message of R-INTRO-2 says "Bùi Văn Khánh không cùng đơn vị, cùng tổ chức cơ sở đảng"

  @R-INTRO-2 @passes
  Scenario: Under rule set 2016 (until 29/07/2021) a colleague from another unit may introduce
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 15/07/2021 the usual way
    When the introductions are recorded on 29/07/2021 by:
      | introducer   | together since | same unit |
      | Lê Văn Bình  | 01/03/2019     | yes       |
      | Phạm Thị Cúc | 01/03/2019     | no        |
    Then the step is applied

  @R-INTRO-2 @fails
  Scenario: Under rule set 2021 (from 30/07/2021) the introducer must be of the same unit
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 15/07/2021 the usual way
    When the introductions are recorded on 30/07/2021 by:
      | introducer   | together since | same unit |
      | Lê Văn Bình  | 01/03/2019     | yes       |
      | Phạm Thị Cúc | 01/03/2019     | no        |
    Then the step is refused by exactly R-INTRO-2
    And the message of R-INTRO-2 says "Phạm Thị Cúc không cùng đơn vị, cùng tổ chức cơ sở đảng"

  @R-INTRO-3 @passes
  Scenario: A young Youth Union member introduced by the Youth Union and one official member
    Given a candidate "Nguyễn Văn An" born on 02/09/2000
    And the candidate's record says:
      | youth_union_member | yes |
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 through the Youth Union, its resolution dated 15/05/2023, by:
      | introducer   | together since |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is applied
    And the message of R-INTRO-3 says "Hình thức giới thiệu phù hợp: Ban Chấp hành Đoàn cơ sở và một đảng viên chính thức"

  @R-INTRO-3 @warns
  Scenario: Where a Youth Union exists, two members alone introducing a 22-year-old are flagged at once
    Given a candidate "Nguyễn Văn An" born on 02/09/2000
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023, where a Youth Union exists, by:
      | introducer   | together since |
      | Lê Văn Bình  | 01/03/2019     |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is applied with a warning from R-INTRO-3
    And the message of R-INTRO-3 says "Quần chúng 22 tuổi 8 tháng (trong độ tuổi Đoàn) nơi có tổ chức Đoàn: phải là đoàn viên"

  @R-INTRO-3 @fails
  Scenario: The Youth Union route needs the candidate to be a Youth Union member
    Given a candidate "Nguyễn Văn An" born on 02/09/2000
    And the candidate's record says:
      | youth_union_member | no |
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 through the Youth Union, its resolution dated 15/05/2023, by:
      | introducer   | together since |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is refused by exactly R-INTRO-3
    And the message of R-INTRO-3 says "quần chúng phải là đoàn viên, có nghị quyết giới thiệu (mẫu 4-KNĐ) và đúng một đảng viên chính thức"

  @R-INTRO-3 @passes
  Scenario: At exactly 30 years (360 months) the candidate is still of youth age
    Given a candidate "Nguyễn Văn An" born on 18/05/1993
    And the candidate's record says:
      | youth_union_member | yes |
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 through the Youth Union, its resolution dated 15/05/2023, by:
      | introducer   | together since |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is applied

  @R-INTRO-3 @passes
  Scenario: At 30 years 1 month the candidate is beyond youth age: two official members introduce
    Given a candidate "Nguyễn Văn An" born on 17/04/1993
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023, where a Youth Union exists, by:
      | introducer   | together since |
      | Lê Văn Bình  | 01/03/2019     |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is applied

  @R-INTRO-3 @warns
  Scenario: At 30 years 1 month the Youth Union route is no longer open
    Given a candidate "Nguyễn Văn An" born on 17/04/1993
    And the candidate's record says:
      | youth_union_member | yes |
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 through the Youth Union, its resolution dated 15/05/2023, by:
      | introducer   | together since |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is applied with a warning from R-INTRO-3
    And the message of R-INTRO-3 says "Quần chúng 30 tuổi 1 tháng, ngoài độ tuổi Đoàn: phải do hai đảng viên chính thức giới thiệu"

  @R-INTRO-3 @passes
  Scenario: In an enterprise with a trade union and no Youth Union, the trade union introduces
    Given a candidate "Nguyễn Văn An" born on 02/09/2000
    And the candidate's record says:
      | trade_union_member | yes |
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 through the trade union, its resolution dated 16/05/2023, by:
      | introducer   | together since |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is applied
    And the message of R-INTRO-3 says "Ban Chấp hành Công đoàn cơ sở và một đảng viên chính thức"

  @R-INTRO-3 @warns
  Scenario: In an enterprise with a trade union, two members alone introducing a young worker are flagged
    Given a candidate "Nguyễn Văn An" born on 02/09/2000
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023, where a trade union exists, by:
      | introducer   | together since |
      | Lê Văn Bình  | 01/03/2019     |
      | Phạm Thị Cúc | 01/03/2019     |
    Then the step is applied with a warning from R-INTRO-3
    And the message of R-INTRO-3 says "phải là đoàn viên công đoàn"

  @R-INTRO-3 @fails
  Scenario: At the branch meeting, a 22-year-old introduced by two members alone where a Youth Union exists is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/2000
    And on the usual way, "record_introductions" recorded:
      | youth_union_exists | yes |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-INTRO-3
    And the message of R-INTRO-3 says "Quần chúng 22 tuổi 8 tháng (trong độ tuổi Đoàn) nơi có tổ chức Đoàn"

  @R-INTRO-3 @fails
  Scenario: Introduced through the Youth Union at 30 years 0 months, the candidate is 30 years 1 month at the branch meeting
    Given a candidate "Nguyễn Văn An" born on 18/05/1993
    And the candidate's record says:
      | youth_union_member | yes |
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 through the Youth Union, its resolution dated 15/05/2023, by:
      | introducer   | together since |
      | Phạm Thị Cúc | 01/03/2019     |
    And the branch meeting of 19/06/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-INTRO-3
    And the message of R-INTRO-3 says "Quần chúng 30 tuổi 1 tháng, ngoài độ tuổi Đoàn"

  @R-INTRO-3 @passes
  Scenario: Introduced through the Youth Union at 30 years 0 months and considered the same month
    Given a candidate "Nguyễn Văn An" born on 18/05/1993
    And the candidate's record says:
      | youth_union_member | yes |
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 through the Youth Union, its resolution dated 15/05/2023, by:
      | introducer   | together since |
      | Phạm Thị Cúc | 01/03/2019     |
    And the branch meeting of 17/06/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied

  @R-INTRO-4 @passes
  Scenario: An introducer who moved away is replaced by a member who knows the candidate for 3 months
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer  | together since | replacement | reason |
      | Lê Văn Bình | 01/03/2019     | no          |        |
      | Võ Văn Dũng | 15/02/2023     | yes         | moved  |
    Then the step is applied
    And the message of R-INTRO-4 says "Thay người giới thiệu có lý do: moved"

  @R-INTRO-4 @fails
  Scenario: A replacement without the reason for replacing is refused
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "verified" on 08/05/2023 the usual way
    When the introductions are recorded on 18/05/2023 by:
      | introducer  | together since | replacement | reason |
      | Lê Văn Bình | 01/03/2019     | no          |        |
      | Võ Văn Dũng | 15/02/2023     | yes         |        |
    Then the step is refused by exactly R-INTRO-4
    And the message of R-INTRO-4 says "Người giới thiệu thay thế phải ghi lý do thay"

  @R-COMMENT-1 @passes
  Scenario: The residence comment and the summary of comments are in the dossier before the meeting
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is applied
    And the message of R-COMMENT-1 says "Đã có nhận xét nơi cư trú và tổng hợp ý kiến trước ngày họp 29/05/2023"

  @R-COMMENT-1 @fails
  Scenario: Without the residence-place comment the branch may not vote
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And on the usual way, "record_introductions" recorded:
      | residence_comment_on |  |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-COMMENT-1
    And the message of R-COMMENT-1 says "Thiếu nhận xét của chi ủy nơi cư trú hoặc bản tổng hợp ý kiến (5-KNĐ) trước ngày họp chi bộ 29/05/2023"

  @R-COMMENT-1 @fails
  Scenario: A summary of comments dated after the meeting does not count
    Given a candidate "Nguyễn Văn An" born on 02/09/1990
    And on the usual way, "record_introductions" recorded:
      | comments_summary_on | 30/05/2023 |
    And the dossier has reached "introduced" on 18/05/2023 the usual way
    When the branch meeting of 29/05/2023 votes on admission: 15 official members, 14 present, 12 agreeing
    Then the step is refused by exactly R-COMMENT-1
