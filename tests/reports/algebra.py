"""Exact linear algebra for the anonymity tests: a hidden figure cannot be worked out from the
shown ones exactly when adding its vector raises the rank of theirs (it lies outside their
span)."""

from fractions import Fraction


def rank(vectors) -> int:
    """The rank of `vectors` over the rationals (Gaussian elimination on Fractions)."""
    rows = [list(map(Fraction, v)) for v in vectors]
    found, cols = 0, len(rows[0]) if rows else 0
    for col in range(cols):
        pivot = next((r for r in range(found, len(rows)) if rows[r][col] != 0), None)
        if pivot is None:
            continue
        rows[found], rows[pivot] = rows[pivot], rows[found]
        for r in range(len(rows)):
            if r != found and rows[r][col] != 0:
                factor = rows[r][col] / rows[found][col]
                rows[r] = [a - factor * b for a, b in zip(rows[r], rows[found], strict=True)]
        found += 1
    return found
