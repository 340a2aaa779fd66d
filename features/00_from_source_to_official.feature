Feature: From "nguồn phát triển đảng" to "đảng viên chính thức"
  The whole procedure for one candidate, step by step, in both shapes of the organisation tree:
  before 7/2025 (district → "đảng ủy xã" → "chi bộ") and after (province → commune committee →
  "chi bộ cơ sở"). Each step is recorded with the usual facts of that step (as a branch would keep
  them) dated on the day given; every rule guarding the step must pass.

  Scenario: A villager becomes an official member, under a district and a grassroots committee
    Given the organisations:
      | organisation         | level                | under                |
      | Huyện ủy Bình Sơn    | district             |                      |
      | Đảng ủy xã Bình Châu | grassroots_committee | Huyện ủy Bình Sơn    |
      | Chi bộ thôn An Điềm  | branch               | Đảng ủy xã Bình Châu |
    And the members of "Chi bộ thôn An Điềm":
      | member       | status   | since      |
      | Lê Văn Bình  | official | 12/03/2008 |
      | Phạm Thị Cúc | official | 03/02/2012 |
    And a candidate "Nguyễn Văn An" born on 02/09/1998
    When the usual steps are taken in turn:
      | step                           | on         | reaches              |
      | register_source                | 05/01/2023 | source               |
      | admit_to_sympathiser_list      | 27/01/2023 | sympathiser          |
      | nominate_for_training          | 16/02/2023 | training_nominated   |
      | record_training_certificate    | 08/03/2023 | trained              |
      | submit_application             | 28/03/2023 | applied              |
      | declare_biography              | 07/04/2023 | biography_declared   |
      | start_verification             | 12/04/2023 | under_verification   |
      | conclude_verification          | 08/05/2023 | verified             |
      | record_introductions           | 18/05/2023 | introduced           |
      | hold_branch_vote               | 29/05/2023 | branch_approved      |
      | hold_grassroots_committee_vote | 08/06/2023 | committee_approved   |
      | record_admission_decision      | 23/06/2023 | admission_decided    |
      | hold_admission_ceremony        | 03/07/2023 | probationary         |
      | hold_recognition_vote          | 08/07/2024 | recognition_proposed |
      | record_recognition_decision    | 18/07/2024 | official             |
    Then the dossier is in state "official" ("Đảng viên chính thức")
    And no step was refused and no rule warned on the way
    And the message of R-RECOGNISE-4 says "Đảng viên chính thức từ ngày 03/07/2024"
    And the message of R-PARTY-AGE-1 says "Tuổi đảng tính từ ngày 23/06/2023"
    And the message of R-DECIDE-1 says "Ban thường vụ cấp ủy cấp trên trực tiếp của Huyện ủy Bình Sơn"
    And the transition log holds 15 entries, each chained to the one before

  Scenario: A teacher becomes an official member of a "chi bộ cơ sở" under a commune committee (from 7/2025)
    Given the organisations:
      | organisation                   | level             | under               |
      | Tỉnh ủy Quảng Ngãi             | province          |                     |
      | Đảng ủy xã Bình Sơn            | commune           | Tỉnh ủy Quảng Ngãi  |
      | Chi bộ Trường Tiểu học An Điềm | grassroots_branch | Đảng ủy xã Bình Sơn |
    And the members of "Chi bộ Trường Tiểu học An Điềm":
      | member        | status   | since      |
      | Hồ Thị Lan    | official | 09/01/2009 |
      | Đoàn Văn Minh | official | 20/11/2011 |
    And a candidate "Trần Thị Bích" born on 17/04/1996
    When the usual steps are taken in turn:
      | step                        | on         | reaches              |
      | register_source             | 01/07/2025 | source               |
      | admit_to_sympathiser_list   | 08/07/2025 | sympathiser          |
      | nominate_for_training       | 15/07/2025 | training_nominated   |
      | record_training_certificate | 05/08/2025 | trained              |
      | submit_application          | 12/08/2025 | applied              |
      | declare_biography           | 19/08/2025 | biography_declared   |
      | start_verification          | 21/08/2025 | under_verification   |
      | conclude_verification       | 18/09/2025 | verified             |
      | record_introductions        | 25/09/2025 | introduced           |
      | hold_branch_vote            | 02/10/2025 | branch_approved      |
      | record_admission_decision   | 16/10/2025 | admission_decided    |
      | hold_admission_ceremony     | 03/11/2025 | probationary         |
      | hold_recognition_vote       | 03/11/2026 | recognition_proposed |
      | record_recognition_decision | 13/11/2026 | official             |
    Then the dossier is in state "official" ("Đảng viên chính thức")
    And no step was refused and no rule warned on the way
    And the message of R-RECOGNISE-4 says "Đảng viên chính thức từ ngày 03/11/2026"
    And the message of R-DECIDE-1 says "Ban thường vụ cấp ủy cấp trên trực tiếp của Đảng ủy xã Bình Sơn"
    And the transition log holds 14 entries, each chained to the one before
