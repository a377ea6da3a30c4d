"""HR's results of a whole round: the organisation overview and the exports.

- figures.py: every manager's figures of a round, with the reports' own queries and rules.
- overview.py: the heat map and the development areas (pure, over figures.RoundResults).
- exports.py: the results and the development areas as CSV and XLSX.
- routes.py: the insights blueprint (/insights), HR only.
"""
