"""HR's results of a whole round: the organisation overview and the exports."""
