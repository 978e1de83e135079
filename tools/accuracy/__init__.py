"""Accuracy of the warehouse: against a synthetic corpus's truth (`synthetic`)."""
