"""Concrete workflows: the admission of new Party members ("kết nạp đảng viên")."""
