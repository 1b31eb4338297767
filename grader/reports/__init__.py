"""Reports: the terminal table, JSON and HTML (report.py), pictures (figures.py), cohort
statistics (stats.py).
"""
