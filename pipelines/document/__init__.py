"""The neutral document every reader produces and the one cell grammar readers and forms share.

Enters: nothing (it is the shared vocabulary). Leaves: `Document` (paragraphs and tables of cells in
order), `ReadError` (a file that cannot become one) and `cells` (what a number, a blank, a `/` look like).
"""
