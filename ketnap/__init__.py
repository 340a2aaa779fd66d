"""ketnap: the admission of new Party members ("kết nạp đảng viên") as an auditable workflow."""

__version__ = "0.1.0"
