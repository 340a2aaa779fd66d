"""Reports for the organisation board ("báo cáo công tác phát triển đảng viên"): targets, progress,
structure, the funnel, deadlines and reviews, as pages, Excel, CSV and text.

model.py holds the neutral report (tables, charts, key figures) that db.reports computes with SQL
aggregates and the renderers (excel.py, text.py, charts.py) write out; periods.py reads the period
codes (month, quarter, half-year, year, term).
"""
