"""The rules-plus-scoring model: readiness scores, eligibility rules, ranking and matching.

Pure Python, numpy and scikit-learn: no Flask, no WTForms, no ORM, so the decisions are the same from the web
pages, the API, the CLI and the batch job.
"""
